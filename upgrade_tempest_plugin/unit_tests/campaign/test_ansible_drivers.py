"""The kolla-ansible and openstack-ansible drivers ask the deployment.

Steps are resolved against the inventory by the real ``ansible-inventory``
(ansible-core, a test requirement); the status comes from ``ansible``
ad-hoc commands, played here by stand-ins that record their argv and
print recorded output (one test runs the real ``ansible`` on local hosts
with a stand-in ``docker``).
"""

import json
import os
import sys

import fixtures

from upgrade_tempest_plugin.campaign import checks
from upgrade_tempest_plugin.campaign.drivers import adhoc
from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign.drivers import kolla
from upgrade_tempest_plugin.campaign.drivers import osa
from upgrade_tempest_plugin.campaign import validate
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.campaign import fakes

NOVA_HOSTS = ['compute01', 'compute02', 'control01', 'control02']


def context():
    return drivers.Context('2025.1', '2025.2')


def container(name, tag, state='running'):
    return json.dumps({'Names': name, 'State': state, 'Status': 'Up 2 hours',
                       'Image': 'quay.io/openstack.kolla/%s:%s-ubuntu-noble'
                       % (name.replace('_', '-'), tag)})


def block(host, rc, *lines):
    caption = 'CHANGED' if rc == 0 else 'FAILED'
    return '\n'.join(['%s | %s | rc=%d >>' % (host, caption, rc)] +
                     list(lines))


class AdhocParseTest(base.TestCase):

    def test_blocks_of_every_kind(self):
        output = '\n'.join([
            block('c1', 0, 'line one', 'line two'),
            'c2 | UNREACHABLE! => {',
            '    "changed": false,',
            '    "msg": "Failed to connect to the host via ssh",',
            '    "unreachable": true',
            '}',
            block('c3', 2, "ls: cannot access '/x'non-zero return code"),
            block('c4', 0)])
        answers = adhoc.parse(output)
        self.assertEqual(adhoc.Answer(True, 'ok', 'line one\nline two',
                                      None), answers['c1'])
        self.assertEqual(adhoc.Answer(False, 'unreachable', '',
                                      'Failed to connect to the host via '
                                      'ssh'), answers['c2'])
        self.assertEqual(('failed', False), (answers['c3'].state,
                                             answers['c3'].ok))
        self.assertIn('rc=2', answers['c3'].message)
        self.assertEqual(adhoc.Answer(True, 'ok', '', None), answers['c4'])

    def test_missing_ansible_is_said(self):
        error = self.assertRaises(drivers.DriverError, adhoc.run, 'all',
                                  'true', executable='/nonexistent/ansible')
        self.assertIn('/nonexistent/ansible not found', str(error))
        self.assertIn('ansible-core', str(error))


class KollaResolveTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.inventory = os.path.join(self.dir, 'multinode')
        with open(self.inventory, 'w') as f:
            f.write(fakes.MULTINODE)

    def driver(self, **config):
        config = dict({'inventory': self.inventory,
                       'ansible_inventory':
                       fakes.ansible_tool('ansible-inventory')}, **config)
        return kolla.KollaAnsibleDriver(config, context())

    def test_a_service_is_its_groups_hosts(self):
        driver = self.driver()
        # nova: its own group (control) and nova-compute (compute)
        self.assertEqual(NOVA_HOSTS, driver.resolve(
            {'id': 'nova', 'services': ['nova'],
             'action': {'command': 'upgrade'}}))
        self.assertEqual(['control01', 'control02'], driver.resolve(
            {'id': 'k', 'services': ['keystone'],
             'action': {'command': 'upgrade'}}))
        self.assertEqual(
            ['compute01', 'compute02', 'control01', 'control02',
             'network01'],
            driver.resolve({'id': 'n', 'services': ['neutron'],
                            'action': {'command': 'upgrade'}}))

    def test_roles_and_tags(self):
        driver = self.driver()
        self.assertEqual(['storage01'], driver.resolve(
            {'id': 's', 'roles': ['storage'],
             'action': {'command': 'bootstrap-servers'}}))
        self.assertEqual(['control01', 'control02'], driver.resolve(
            {'id': 'k', 'action': {'command': 'upgrade',
                                   'tags': ['keystone']}}))
        self.assertEqual([], driver.resolve(
            {'id': 'pull', 'action': {'command': 'pull'}}))

    def test_unknown_service_or_empty_group(self):
        driver = self.driver()
        error = self.assertRaises(drivers.DriverError, driver.resolve, {
            'id': 's', 'services': ['swift'],
            'action': {'command': 'upgrade'}})
        self.assertEqual('%s has no group swift (nor swift-*)'
                         % self.inventory, str(error))
        # a group listed without hosts is known, and empty
        self.assertEqual([], driver.resolve(
            {'id': 'p', 'services': ['prometheus'],
             'action': {'command': 'upgrade'}}))

    def test_no_ansible_inventory(self):
        driver = self.driver(ansible_inventory='/nonexistent/ai')
        error = self.assertRaises(drivers.DriverError, driver.resolve, {
            'id': 'n', 'services': ['nova'],
            'action': {'command': 'upgrade'}})
        self.assertEqual('/nonexistent/ai not found: the driver reads the '
                         'inventory with it (pip install ansible-core)',
                         str(error))

    def test_broken_inventory(self):
        tool, _ = fakes.stand_in(self.dir, 'ansible-inventory', 1, '')
        error = self.assertRaises(
            drivers.DriverError, self.driver(ansible_inventory=tool).resolve,
            {'id': 'n', 'services': ['nova'],
             'action': {'command': 'upgrade'}})
        self.assertIn('--list exited 1', str(error))

    def test_validate_checks_the_files(self):
        plan = fakes.plan(driver={'name': 'kolla-ansible', 'config': {
            'inventory': self.inventory,
            'configdir': os.path.join(self.dir, 'etc-kolla'),
            'passwords': os.path.join(self.dir, 'passwords.yml')}})
        plan['steps'] = [{'id': 'nova', 'services': ['nova'],
                          'action': {'command': 'upgrade'},
                          'expected_seconds': 5, 'timeout_seconds': 30}]
        found = validate.problems(plan, lambda: fakes.VALIDATORS,
                                  fakes.SERVICES)
        self.assertEqual(
            [('driver.config.configdir', 'no such file or directory: %s/'
              'etc-kolla' % self.dir),
             ('driver.config.passwords', 'no such file or directory: %s/'
              'passwords.yml' % self.dir)],
            [tuple(p) for p in found])
        plan['driver']['config']['inventory'] = self.inventory + '.old'
        self.assertIn(('driver.config.inventory',
                       'no such file or directory: %s.old' % self.inventory),
                      [tuple(p) for p in validate.problems(
                          plan, lambda: fakes.VALIDATORS, fakes.SERVICES)])


class KollaStatusTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.step = {'id': 'nova', 'services': ['nova'],
                     'action': {'command': 'upgrade'}}

    def test_one_row_per_host(self):
        output = '\n'.join([
            block('control01', 0,
                  container('nova_api', '2025.2'),
                  container('nova_conductor', '2025.2'),
                  container('keystone', '2025.1'),
                  container('novaish', '2025.1')),
            block('control02', 0,
                  container('nova_api', '2025.2'),
                  container('nova_conductor', '2025.2', 'exited')),
            block('compute01', 0,
                  'WARNING: a warning of docker',
                  container('nova_compute', '2025.1'),
                  container('nova_libvirt', '2025.1')),
            'compute02 | UNREACHABLE! => {',
            '    "msg": "ssh: connect to host compute02 port 22",',
            '    "unreachable": true',
            '}'])
        exe, record = fakes.stand_in(self.dir, 'ansible', 4, output)
        driver = kolla.KollaAnsibleDriver(
            {'inventory': '/etc/kolla/multinode', 'ansible': exe}, context())
        statuses = driver.status(self.step, NOVA_HOSTS)
        self.assertEqual(
            ['compute01:compute02:control01:control02', '-i',
             '/etc/kolla/multinode', '-m', 'ansible.builtin.command', '-a',
             'docker ps --all --format json'],
            fakes.recorded_argv(record))
        self.assertEqual(
            [drivers.ObjectStatus('compute01', 'up', '2025.1'),
             drivers.ObjectStatus('compute02', 'unreachable', None),
             drivers.ObjectStatus('control01', 'up', '2025.2'),
             drivers.ObjectStatus('control02', 'down', '2025.2')],
            statuses)
        ok, text = checks.status(statuses, NOVA_HOSTS, '2025.2')
        self.assertFalse(ok)
        self.assertEqual('compute01: up at 2025.1; compute02: unreachable '
                         'at None; control02: down at 2025.2', text)

    def test_absent_mixed_and_silent_hosts(self):
        output = '\n'.join([
            block('control01', 0, container('keystone', '2025.2')),
            block('control02', 0, container('nova_api', '2025.2'),
                  container('nova_scheduler', '2025.1'))])
        exe, _ = fakes.stand_in(self.dir, 'ansible', 0, output)
        driver = kolla.KollaAnsibleDriver(
            {'inventory': 'inv', 'ansible': exe}, context())
        self.assertEqual(
            [drivers.ObjectStatus('control01', 'absent', None),
             drivers.ObjectStatus('control02', 'up', 'mixed'),
             drivers.ObjectStatus('compute01', 'no answer', None)],
            driver.status(self.step, ['control01', 'control02',
                                      'compute01']))

    def test_ansible_that_cannot_run(self):
        exe, _ = fakes.stand_in(self.dir, 'ansible', 5, '')
        driver = kolla.KollaAnsibleDriver(
            {'inventory': 'inv', 'ansible': exe}, context())
        error = self.assertRaises(drivers.DriverError, driver.status,
                                  self.step, ['control01'])
        self.assertIn('exited 5', str(error))

    def test_real_ansible_on_local_hosts(self):
        """The real ad-hoc output, with a stand-in docker on the PATH."""
        bindir = os.path.join(self.dir, 'bin')
        os.makedirs(bindir)
        fakes.stand_in(bindir, 'docker', 0, '\n'.join([
            container('nova_api', '2025.2'),
            container('nova_scheduler', '2025.2')]) + '\n')
        self.useFixture(fixtures.EnvironmentVariable(
            'PATH', bindir + os.pathsep + os.environ.get('PATH', '')))
        inventory = os.path.join(self.dir, 'hosts')
        with open(inventory, 'w') as f:
            f.write('[control]\n')
            for host in ('control01', 'control02'):
                f.write('%s ansible_connection=local '
                        'ansible_python_interpreter=%s\n'
                        % (host, sys.executable))
            f.write('[nova:children]\ncontrol\n')
        driver = kolla.KollaAnsibleDriver({
            'inventory': inventory,
            'ansible': fakes.ansible_tool('ansible'),
            'ansible_inventory': fakes.ansible_tool('ansible-inventory')},
            context())
        objects = driver.resolve(self.step)
        self.assertEqual(['control01', 'control02'], objects)
        self.assertEqual(
            [drivers.ObjectStatus(h, 'up', '2025.2') for h in objects],
            driver.status(self.step, objects))
        self.assertEqual(['ps', '--all', '--format', 'json'],
                         fakes.recorded_argv(os.path.join(bindir,
                                                          'docker.argv')))


#: What OSA's dynamic inventory prints for ``--list`` (its groups: a
#: service's ``S_all`` with the components as children).
OSA_INVENTORY = {
    '_meta': {'hostvars': {
        'infra1_nova_api_container-1a2b3c4d': {'physical_host': 'infra1'},
        'infra1_keystone_container-5e6f7a8b': {'physical_host': 'infra1'},
        'compute1': {'physical_host': 'compute1'},
        'compute2': {'physical_host': 'compute2'}}},
    'nova_all': {'children': ['nova_api_os_compute', 'nova_conductor',
                              'nova_compute']},
    'nova_api_os_compute': {'hosts': ['infra1_nova_api_container-1a2b3c4d']},
    'nova_conductor': {'hosts': ['infra1_nova_api_container-1a2b3c4d']},
    'nova_compute': {'hosts': ['compute1', 'compute2']},
    'keystone_all': {'children': ['keystone']},
    'keystone': {'hosts': ['infra1_keystone_container-5e6f7a8b']},
    'compute_hosts': {'hosts': ['compute1', 'compute2']},
}

DYNAMIC_INVENTORY = '''#!%(python)s
# A stand-in for OSA's dynamic_inventory.py: records OSA_CONFIG_DIR.
import os
import sys
with open(%(record)r, 'w') as f:
    f.write(os.environ.get('OSA_CONFIG_DIR', ''))
print(%(inventory)r if '--list' in sys.argv else '{}')
'''


class OpenStackAnsibleResolveTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.script = os.path.join(self.dir, 'dynamic_inventory.py')
        self.record = self.script + '.env'
        with open(self.script, 'w') as f:
            f.write(DYNAMIC_INVENTORY % {
                'python': sys.executable, 'record': self.record,
                'inventory': json.dumps(OSA_INVENTORY)})
        os.chmod(self.script, 0o755)
        self.driver = osa.OpenStackAnsibleDriver({
            'inventory': [self.script], 'config_dir': self.dir,
            'ansible_inventory': fakes.ansible_tool('ansible-inventory')},
            context())

    def test_service_all_group(self):
        self.assertEqual(
            ['compute1', 'compute2', 'infra1_nova_api_container-1a2b3c4d'],
            self.driver.resolve({
                'id': 'nova', 'services': ['nova'],
                'action': {'playbook': 'openstack.osa.nova'}}))
        with open(self.record) as f:
            self.assertEqual(self.dir, f.read())

    def test_the_limit_is_resolved_by_ansible(self):
        self.assertEqual(['compute1', 'compute2'], self.driver.resolve(
            {'id': 'c', 'roles': ['nova_compute'],
             'action': {'playbook': 'openstack.osa.nova'}}))
        self.assertEqual(['compute1'], self.driver.resolve(
            {'id': 'c', 'services': ['nova'], 'action': {
                'playbook': 'openstack.osa.nova',
                'limit': 'nova_compute:!compute2'}}))

    def test_unknown_service(self):
        error = self.assertRaises(drivers.DriverError, self.driver.resolve, {
            'id': 'g', 'services': ['glance'],
            'action': {'playbook': 'openstack.osa.glance'}})
        self.assertEqual('%s has no group glance' % self.script, str(error))

    def test_validate_checks_the_files(self):
        plan = fakes.plan(driver={'name': 'openstack-ansible', 'config': {
            'inventory': [self.script, self.dir + '/inventory.ini'],
            'config_dir': self.dir}})
        plan['steps'] = [{'id': 'nova', 'services': ['nova'],
                          'action': {'playbook': 'openstack.osa.nova'},
                          'expected_seconds': 5, 'timeout_seconds': 30}]
        self.assertEqual(
            [('driver.config.inventory', 'no such file or directory: %s/'
              'inventory.ini' % self.dir),
             ('driver.config.config_dir', 'no such file or directory: %s/'
              'openstack_user_config.yml' % self.dir)],
            [tuple(p) for p in validate.problems(
                plan, lambda: fakes.VALIDATORS, fakes.SERVICES)])


class OpenStackAnsibleStatusTest(base.TestCase):

    def test_units_per_host(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        api = 'infra1_nova_api_container-1a2b3c4d'
        output = '\n'.join([
            block(api, 0,
                  'nova-api-os-compute.service loaded active running Nova',
                  'nova-conductor.service loaded active running Nova'),
            block('compute1', 0,
                  'nova-compute.service loaded failed failed Nova'),
            block('compute2', 0)])
        exe, record = fakes.stand_in(tmp, 'ansible', 0, output)
        driver = osa.OpenStackAnsibleDriver(
            {'ansible': exe, 'config_dir': tmp,
             'inventory': ['/opt/inv.py']}, context())
        step = {'id': 'nova', 'services': ['nova', 'placement'],
                'action': {'playbook': 'openstack.osa.nova'}}
        self.assertEqual(
            [drivers.ObjectStatus(api, 'up', None),
             drivers.ObjectStatus('compute1', 'down', None),
             drivers.ObjectStatus('compute2', 'absent', None)],
            driver.status(step, [api, 'compute1', 'compute2']))
        self.assertEqual(
            ['%s:compute1:compute2' % api, '-i', '/opt/inv.py', '-m',
             'ansible.builtin.command', '-a',
             'systemctl list-units --type=service --all --no-legend '
             '--plain nova*.service placement*.service'],
            fakes.recorded_argv(record))
        with open(record + '.env') as f:
            self.assertEqual('OSA_CONFIG_DIR=%s\n' % tmp, f.read())


class DryRunTest(base.TestCase):

    def test_objects_that_cannot_be_resolved_are_shown(self):
        import io

        from upgrade_tempest_plugin.campaign import dry_run
        plan = fakes.command_plan(
            [{'id': 'nova', 'services': ['nova'],
              'action': {'command': 'upgrade'}, 'expected_seconds': 5,
              'timeout_seconds': 30}],
            driver={'name': 'kolla-ansible', 'config': {
                'inventory': '/etc/kolla/multinode',
                'ansible_inventory': '/nonexistent/ai'}})
        out = io.StringIO()
        dry_run.show(plan, out)
        self.assertIn('  step nova on ? (/nonexistent/ai not found: the '
                      'driver reads the inventory with it (pip install '
                      'ansible-core)): expected 5 s', out.getvalue())
        self.assertIn('    action: $ kolla-ansible upgrade -i '
                      '/etc/kolla/multinode', out.getvalue())
