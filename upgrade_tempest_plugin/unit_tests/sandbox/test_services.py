"""How the sandbox runs and migrates services; its plugins' installation."""

import importlib.metadata
import os

import fixtures

from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import plugins
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import services
from upgrade_tempest_plugin.sandbox import upgrade
from upgrade_tempest_plugin.sandbox import venvs
from upgrade_tempest_plugin.unit_tests import base


class ServicesTest(base.TestCase):

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)
        self.venv = venvs.Venv(root, 'v', [])

    def test_api_under_gunicorn_with_reuse_port(self):
        argv = services.command(self.layout, self.venv, 'keystone',
                                'keystone-api')
        self.assertEqual(self.venv.bin('gunicorn'), argv[0])
        self.assertIn('127.0.0.1:%d' % ports.PORTS['keystone'], argv)
        self.assertIn('--reuse-port', argv)
        self.assertEqual('keystone_wsgi:application', argv[-1])
        # The application is loaded before the port is bound, by two
        # workers, for every API.
        self.assertIn('--preload', argv)
        self.assertEqual('2', argv[argv.index('--workers') + 1])

    def test_keep_alive_takes_the_threaded_worker(self):
        sync = services.command(self.layout, self.venv, 'placement',
                                'placement-api')
        self.assertNotIn('--worker-class', sync)
        argv = services.command(self.layout, self.venv, 'placement',
                                'placement-api', keep_alive=5.0)
        self.assertEqual(['--worker-class', 'gthread', '--threads', '1',
                          '--keep-alive', '5'],
                         argv[argv.index('--worker-class'):][:6])
        self.assertEqual('placement_wsgi:application', argv[-1])

    def test_request_migration_enabled_once(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'm')
        with open(path, 'w') as f:
            f.write('0\n')
        said = []
        self.useFixture(fixtures.MockPatch(
            'upgrade_tempest_plugin.sandbox.upgrade.MIGRATE_REQ', path))
        self.assertTrue(upgrade.enable_request_migration(said.append))
        with open(path) as f:
            self.assertEqual('1', f.read().strip())
        self.assertTrue(upgrade.enable_request_migration(said.append))
        self.assertEqual(1, len(said))   # said once, when it was set

    def test_request_migration_not_permitted(self):
        said = []
        self.useFixture(fixtures.MockPatch(
            'upgrade_tempest_plugin.sandbox.upgrade.MIGRATE_REQ',
            '/nonexistent/tcp_migrate_req'))
        self.assertFalse(upgrade.enable_request_migration(said.append))
        self.assertIn('will be reset', said[0])

    def test_daemon_command(self):
        argv = services.command(self.layout, self.venv, 'nova',
                                'nova-compute')
        self.assertEqual([self.venv.bin('nova-compute'), '--config-file',
                          services.conf(self.layout, 'nova')], argv)

    def test_processes_api_last(self):
        self.assertEqual(['nova-conductor', 'nova-scheduler', 'nova-compute',
                          'nova-api'], services.processes('nova'))
        self.assertEqual(['glance-api'], services.processes('glance'))

    def test_swift_storage_servers_start_before_the_proxy(self):
        self.assertEqual(['swift-object-server', 'swift-container-server',
                          'swift-account-server', 'swift-proxy-server'],
                         services.processes('swift'))
        self.assertEqual({'swift-object-server': 'swift-object',
                          'swift-container-server': 'swift-container',
                          'swift-account-server': 'swift-account',
                          'swift-proxy-server': 'swift'},
                         services.listeners('swift'))
        self.assertEqual({'nova-api': 'nova'}, services.listeners('nova'))
        for port in services.listeners('swift').values():
            self.assertIn(port, ports.PORTS)

    def test_swift_runs_its_own_servers(self):
        argv = services.command(self.layout, self.venv, 'swift',
                                'swift-proxy-server')
        self.assertEqual([self.venv.bin('swift-proxy-server'),
                          os.path.join(self.layout.etc, 'swift',
                                       'proxy-server.conf'), '--verbose'],
                         argv)
        argv = services.command(self.layout, self.venv, 'swift',
                                'swift-object-server')
        self.assertEqual(os.path.join(self.layout.etc, 'swift',
                                      'object-server.conf'), argv[1])
        self.assertEqual([], services.schema_commands('swift', 'sync'))
        self.assertEqual([], services.schema_commands('swift', 'post'))
        self.assertEqual('http://127.0.0.1:%d/healthcheck'
                         % ports.PORTS['swift'],
                         services.health_url('swift'))
        services.write_wsgi_module(self.layout, 'swift')
        self.assertFalse(os.path.exists(os.path.join(
            self.layout.etc, 'wsgi', 'swift_wsgi.py')))

    def test_swift_venv_has_keystonemiddleware(self):
        venv = venvs.service_venv(self.layout.venvs, 'swift', '2026.2')
        self.assertEqual(['swift==2.38.3', 'keystonemiddleware'],
                         venv.requirements)
        # not the bare swift-VERSION venv older caches hold
        self.assertEqual('swift-2.38.3-keystone', venv.name)
        venv = venvs.service_venv(self.layout.venvs, 'swift', '2026.1')
        self.assertEqual('swift==2.37.4', venv.requirements[0])
        self.assertTrue(venv.name.startswith('swift-2.37.4-'))
        self.assertTrue(venv.name.endswith('-keystone'))

    def test_wsgi_module_clears_gunicorn_argv(self):
        text = services.wsgi_module_text(self.layout, 'cinder')
        compile(text, 'cinder_wsgi.py', 'exec')
        self.assertIn("sys.argv = sys.argv[:1] + ['--config-file', %r]"
                      % services.conf(self.layout, 'cinder'), text)
        self.assertIn('sys.argv = sys.argv[:1]\n',
                      services.wsgi_module_text(self.layout, 'nova'))

    def test_schema_commands(self):
        self.assertEqual([['db_sync', '--expand'], ['db_sync', '--migrate']],
                         services.schema_commands('keystone', 'expand'))
        self.assertEqual([['db_sync', '--contract']],
                         services.schema_commands('keystone', 'contract'))
        self.assertEqual([['db', 'online_data_migrations']],
                         services.schema_commands('nova', 'post'))
        self.assertEqual([], services.schema_commands('glance', 'post'))

    def test_env_points_at_config_and_venv(self):
        env = services.env(self.layout, 'neutron', self.venv)
        self.assertEqual(self.layout.etc_of('neutron'),
                         env['OS_NEUTRON_CONFIG_DIR'])
        self.assertEqual('neutron.conf', env['OS_NEUTRON_CONFIG_FILES'])
        self.assertIn(os.path.join(self.venv.path, 'bin'),
                      env['PATH'].split(':'))


class PluginsTest(base.TestCase):

    def test_neutron_binder_found_by_entry_point(self):
        site = self.useFixture(fixtures.TempDir()).path
        plugins.install('neutron', site)
        plugins.install('neutron', site)  # idempotent
        self.assertTrue(os.path.exists(
            os.path.join(site, 'sandbox_neutron_binder.py')))
        found = [ep for dist in importlib.metadata.distributions(path=[site])
                 for ep in dist.entry_points
                 if ep.group == 'neutron.ml2.mechanism_drivers']
        self.assertEqual([('sandbox_binder',
                           'sandbox_neutron_binder:SandboxBinderDriver')],
                         [(ep.name, ep.value) for ep in found])

    def test_cinder_driver_copied(self):
        site = self.useFixture(fixtures.TempDir()).path
        plugins.install('cinder', site)
        self.assertTrue(os.path.exists(
            os.path.join(site, 'sandbox_cinder_driver.py')))

    def test_other_services_get_nothing(self):
        site = self.useFixture(fixtures.TempDir()).path
        plugins.install('nova', site)
        self.assertEqual([], os.listdir(site))


class VenvKeyTest(base.TestCase):

    def test_pins_change_the_key(self):
        pinned = venvs.service_venv('/c', 'neutron', '2026.1')
        plain = venvs.service_venv('/c', 'neutron', '2026.2')
        self.assertTrue(pinned.name.startswith('neutron-28.0.2-'))
        self.assertEqual('neutron-29.0.0', plain.name)
        self.assertIn('neutron-lib<4', pinned.constraints)
        self.assertIn('neutron==28.0.2', pinned.requirements)
