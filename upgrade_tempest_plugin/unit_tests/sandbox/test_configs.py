"""Config rendering of the sandbox's services and Tempest workspace."""

import configparser
import os
import stat

import fixtures

from upgrade_tempest_plugin.sandbox import configs
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import services
from upgrade_tempest_plugin.sandbox import venvs
from upgrade_tempest_plugin.sandbox import workspace
from upgrade_tempest_plugin.unit_tests import base

SECRETS = {'admin': 'ADMINPW', 'service': 'SVCPW', 'db': 'DBPW',
           'rabbit': 'RABBITPW', 'demo': 'DEMOPW'}


def parse(text):
    parser = configparser.RawConfigParser(strict=True)
    parser.read_string(text)
    return parser


class ConfigsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(os.path.join(self.root, 'sb'),
                                    os.path.join(self.root, 'cache'))
        self.venv = venvs.Venv(self.layout.venvs, 'x-1', [])
        for service in ('glance', 'cinder', 'neutron', 'nova'):
            etc = os.path.join(self.venv.path, 'etc', service)
            os.makedirs(etc)
            for name in ('api-paste.ini', 'glance-api-paste.ini'):
                with open(os.path.join(etc, name), 'w') as f:
                    f.write('[pipeline:main]\npipeline = app\n')

    def render(self, service):
        paths = configs.write(self.layout, SECRETS, service, self.venv)
        conf = services.conf(self.layout, service)
        self.assertIn(conf, paths)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(conf).st_mode))
        with open(conf) as f:
            return parse(f.read())

    def test_render_ini(self):
        text = configs.render_ini({'a': {'x': True, 'y': ['p', 'q'],
                                         'z': 3}})
        self.assertEqual('[a]\nx = true\ny = p,q\nz = 3\n', text)

    def test_every_service_renders(self):
        for service in configs.RENDERERS:
            conf = self.render(service)
            if not configs.DATABASES[service]:
                continue
            urls = [v for s in conf.sections() for k, v in conf.items(s)
                    if v.startswith('mysql+pymysql://')]
            self.assertTrue(urls, service)
            for url in urls:
                self.assertIn(':%d/' % ports.PORTS['mariadb'], url)

    def test_swift_storage_servers(self):
        self.render('swift')
        etc = self.layout.etc_of('swift')
        for name in ('object', 'container', 'account'):
            with open(os.path.join(etc, '%s-server.conf' % name)) as f:
                conf = parse(f.read())
            self.assertEqual(str(ports.PORTS['swift-' + name]),
                             conf.get('DEFAULT', 'bind_port'))
            self.assertEqual(ports.HOST, conf.get('DEFAULT', 'bind_ip'))
            # a plain directory under the sandbox's data, no mount check
            self.assertEqual(configs.swift_devices(self.layout),
                             conf.get('DEFAULT', 'devices'))
            self.assertTrue(conf.get('DEFAULT', 'devices').startswith(
                self.layout.data))
            self.assertEqual('false', conf.get('DEFAULT', 'mount_check'))
            self.assertEqual(etc, conf.get('DEFAULT', 'swift_dir'))
            self.assertEqual('egg:swift#' + name,
                             conf.get('app:%s-server' % name, 'use'))
        with open(os.path.join(etc, 'swift.conf')) as f:
            conf = parse(f.read())
        self.assertEqual(configs.SWIFT_HASH,
                         conf.get('swift-hash', 'swift_hash_path_suffix'))

    def test_swift_proxy_authenticates_with_keystone(self):
        conf = self.render('swift')
        self.assertEqual(str(ports.PORTS['swift']),
                         conf.get('DEFAULT', 'bind_port'))
        pipeline = conf.get('pipeline:main', 'pipeline').split()
        self.assertEqual('proxy-server', pipeline[-1])
        self.assertNotIn('tempauth', pipeline)
        # authtoken validates the token, keystoneauth then authorizes;
        # the healthcheck answers before either
        self.assertLess(pipeline.index('healthcheck'),
                        pipeline.index('authtoken'))
        self.assertEqual(pipeline.index('authtoken') + 1,
                         pipeline.index('keystoneauth'))
        for name in set(pipeline[:-1]):
            self.assertTrue(conf.has_section('filter:' + name), name)
        self.assertEqual('egg:swift#proxy_logging',
                         conf.get('filter:proxy-logging', 'use'))
        auth = dict(conf.items('filter:authtoken'))
        self.assertEqual('keystonemiddleware.auth_token:filter_factory',
                         auth['paste.filter_factory'])
        self.assertEqual('swift', auth['username'])
        self.assertEqual('SVCPW', auth['password'])
        self.assertEqual(configs.url('keystone'), auth['auth_url'])
        self.assertEqual('true', auth['delay_auth_decision'])
        self.assertEqual('admin,member',
                         conf.get('filter:keystoneauth', 'operator_roles'))
        self.assertEqual('%s:%d' % (ports.HOST, ports.PORTS['memcached']),
                         conf.get('filter:cache', 'memcache_servers'))
        self.assertEqual('egg:swift#memcache',
                         conf.get('filter:cache', 'use'))

    def test_swift_rings_follow_the_ports(self):
        ports.use_offset(300)
        self.addCleanup(ports.use_offset, 0)
        req = configs.swift_rings(self.layout)
        self.assertEqual(self.layout.etc_of('swift'), req['swift_dir'])
        self.assertEqual({'object': [ports.HOST, 16508],
                          'container': [ports.HOST, 16509],
                          'account': [ports.HOST, 16510]}, req['rings'])
        self.assertEqual(configs.SWIFT_DEVICE, req['device'])

    def test_swift_in_the_catalog_per_project(self):
        self.assertEqual([('object-store', '/v1/AUTH_%(project_id)s')],
                         configs.CATALOG['swift'])
        self.assertEqual((), configs.DATABASES['swift'])

    def test_keystone_cache_and_cheap_hashing(self):
        conf = self.render('keystone')
        self.assertEqual('dogpile.cache.pymemcache',
                         conf.get('cache', 'backend'))
        self.assertEqual('127.0.0.1:%d' % ports.PORTS['memcached'],
                         conf.get('cache', 'memcache_servers'))
        self.assertEqual('4', conf.get('identity', 'password_hash_rounds'))

    def test_neutron_binds_without_agents(self):
        conf = self.render('neutron')
        self.assertEqual('sandbox_binder',
                         conf.get('ml2', 'mechanism_drivers'))
        self.assertTrue(conf.get('DEFAULT', 'api_paste_config').startswith(
            self.layout.etc))

    def test_nova_fake_driver_keeps_node_identity(self):
        conf = self.render('nova')
        self.assertEqual('fake.FakeDriverWithoutFakeNodes',
                         conf.get('DEFAULT', 'compute_driver'))
        self.assertEqual(self.layout.data_of('nova'),
                         conf.get('DEFAULT', 'state_path'))
        self.assertIn(':%d/' % ports.PORTS['rabbitmq'],
                      conf.get('DEFAULT', 'transport_url'))

    def test_cinder_fake_driver_and_rootwrap(self):
        conf = self.render('cinder')
        self.assertEqual('sandbox_cinder_driver.SandboxFakeDriver',
                         conf.get('fake', 'volume_driver'))
        with open(os.path.join(self.layout.etc_of('cinder'),
                               'rootwrap.conf')) as f:
            rootwrap = parse(f.read())
        self.assertEqual(os.path.join(self.venv.path, 'bin'),
                         rootwrap.get('DEFAULT', 'exec_dirs').split(',')[0])


class WorkspaceTest(base.TestCase):

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)

    def test_accounts_member_and_reader_per_project(self):
        accounts = workspace.accounts(SECRETS)
        projects = {a['project'] for a in accounts}
        self.assertGreaterEqual(len(projects), 2)
        for project in projects:
            roles = sorted(r for a in accounts if a['project'] == project
                           for r in a['roles'])
            self.assertEqual(['member', 'reader'], roles)
        self.assertNotIn('admin', workspace.accounts_yaml(SECRETS))
        self.assertNotIn('ADMINPW', workspace.accounts_yaml(SECRETS))

    def test_tempest_conf_non_admin_and_flags(self):
        resources = {'image': 'IMG', 'network': 'shared',
                     'flavors': {'m1.tiny': 'F1', 'm1.micro': 'F2'},
                     'network_extensions': ['router', 'port-security']}
        conf = workspace.tempest_conf(
            self.layout, {'keystone': '30.0.0', 'glance': '33.0.0',
                          'neutron': '29.0.0', 'nova': '34.0.0'},
            resources)
        self.assertEqual(
            'image:33.0.0,identity:30.0.0,network:29.0.0,compute:34.0.0',
            conf['upgrade_release']['package_versions'])
        self.assertFalse(conf['auth']['use_dynamic_credentials'])
        self.assertEqual(self.layout.events_file,
                         conf['upgrade_budgets']['events_file'])
        self.assertEqual('demo4', conf['upgrade_workloads']['username'])
        self.assertIn('demo4', [a['username'] for a in
                                workspace.accounts(SECRETS)])
        self.assertEqual({'nova': True, 'neutron': True, 'glance': True,
                          'cinder': False, 'swift': False},
                         {k: conf['service_available'][k] for k in
                          ('nova', 'neutron', 'glance', 'cinder', 'swift')})
        self.assertEqual('IMG', conf['compute']['image_ref'])
        self.assertEqual('F2', conf['compute']['flavor_ref_alt'])
        self.assertNotIn('volume', conf)
        self.assertEqual(['router', 'port-security'],
                         conf['network-feature-enabled']['api_extensions'])
        self.assertNotIn('object-storage', conf)
        text = configs.render_ini(conf)
        self.assertNotIn('admin_password', text)

    def test_tempest_conf_with_swift(self):
        conf = workspace.tempest_conf(
            self.layout, {'keystone': '30.0.0', 'swift': '2.38.3'}, {})
        self.assertTrue(conf['service_available']['swift'])
        self.assertEqual('object-store',
                         conf['object-storage']['catalog_type'])
        # the test accounts hold "member", which Swift's keystoneauth
        # makes the operator of their project's account
        self.assertEqual('member', conf['object-storage']['operator_role'])
        features = conf['object-storage-feature-enabled']
        self.assertEqual(['slo', 'dlo', 'versioned_writes', 'symlink'],
                         features['discoverable_apis'])
        for feature in features['discoverable_apis']:
            self.assertIn(feature, configs.SWIFT_PIPELINE)
        self.assertFalse(features['container_sync'])
        self.assertEqual('identity:30.0.0,object_storage:2.38.3',
                         conf['upgrade_release']['package_versions'])

    def test_write_workspace(self):
        workspace.write(self.layout, SECRETS, {'keystone': '30.0.0'}, {},
                        extra={'upgrade': {'expected_release_before': 'x'}})
        etc = os.path.join(self.layout.workspace, 'etc')
        with open(os.path.join(etc, 'tempest.conf')) as f:
            conf = parse(f.read())
        self.assertEqual(os.path.join(etc, 'accounts.yaml'),
                         conf.get('auth', 'test_accounts_file'))
        self.assertEqual('x', conf.get('upgrade', 'expected_release_before'))

    def test_clouds_yaml_has_admin_only_for_the_sandbox(self):
        text = workspace.clouds_yaml(SECRETS)
        self.assertIn('sandbox-admin:', text)
        self.assertIn('sandbox-demo:', text)
        self.assertIn('sandbox-demo-reader:', text)
        path = workspace.write_clouds_yaml(self.layout, SECRETS)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
