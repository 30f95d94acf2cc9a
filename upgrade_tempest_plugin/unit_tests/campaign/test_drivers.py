import os
import time

import fixtures

from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign.drivers import command
from upgrade_tempest_plugin.campaign.drivers import kolla
from upgrade_tempest_plugin.campaign.drivers import manual
from upgrade_tempest_plugin.campaign.drivers import osa
from upgrade_tempest_plugin.campaign import executor
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.campaign import fakes


def context(said=None):
    return drivers.Context('2025.1', '2025.2',
                           say=(said.append if said is not None else None))


class DriverCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.log = os.path.join(self.dir, 'step.log')

    def execute(self, cmd, deadline=30):
        handle = executor.start(cmd, self.log,
                                os.path.join(self.dir, 'result.json'))
        return executor.wait(handle, time.time() + deadline)


class RegistryTest(base.TestCase):

    def test_entry_points(self):
        self.assertEqual(
            ['command', 'kolla-ansible', 'manual', 'openstack-ansible'],
            [n for n in drivers.names() if n != 'sandbox'])
        self.assertIs(kolla.KollaAnsibleDriver,
                      drivers.driver_class('kolla-ansible'))
        self.assertRaises(KeyError, drivers.driver_class, 'puppet')

    def test_each_driver_has_schemas_that_are_schemas(self):
        import jsonschema
        for name in drivers.names():
            cls = drivers.driver_class(name)
            self.assertEqual(name, cls.NAME)
            jsonschema.Draft7Validator.check_schema(cls.CONFIG_SCHEMA)
            jsonschema.Draft7Validator.check_schema(cls.ACTION_SCHEMA)


class KollaTest(DriverCase):

    def driver(self, exe, **config):
        config = dict({'executable': exe, 'inventory': '/etc/kolla/multinode'},
                      **config)
        return kolla.KollaAnsibleDriver(config, context())

    def test_upgrade_command_line(self):
        exe, record = fakes.stand_in(self.dir, 'kolla-ansible')
        driver = self.driver(exe, configdir='/etc/kolla',
                             extra_vars={'kolla_serial': '30%'})
        step = {'id': 'nova', 'services': ['nova', 'placement'],
                'action': {'command': 'upgrade'}}
        rc = self.execute(driver.upgrade(step, ['nova', 'placement']))
        self.assertEqual(0, rc)
        self.assertEqual(drivers.OK, driver.outcome(rc))
        self.assertEqual(
            ['upgrade', '-i', '/etc/kolla/multinode',
             '--configdir', '/etc/kolla',
             '-e', 'kolla_serial=30%', '-e', 'openstack_release=2025.2',
             '--tags', 'nova,placement'],
            fakes.recorded_argv(record))
        with open(self.log) as f:
            self.assertIn('stand-in output', f.read())

    def test_rollback_redeploys_the_old_release(self):
        exe, record = fakes.stand_in(self.dir, 'kolla-ansible')
        driver = self.driver(exe)
        step = {'id': 'nova', 'services': ['nova'],
                'action': {'command': 'upgrade'},
                'rollback': {'command': 'deploy', 'extra_vars': {
                    'openstack_release': '2025.1'}}}
        self.execute(driver.rollback(step, ['nova'], None))
        self.assertEqual(
            ['deploy', '-i', '/etc/kolla/multinode',
             '-e', 'openstack_release=2025.1', '--tags', 'nova'],
            fakes.recorded_argv(record))

    def test_exit_codes_are_outcomes(self):
        for code, error in ((1, 'error'), (2, 'failed-hosts'),
                            (4, 'unreachable'), (8, 'break-play'),
                            (255, 'unknown'), (3, 'exit-3')):
            exe, _ = fakes.stand_in(self.dir, 'kolla-ansible', code)
            driver = self.driver(exe)
            rc = self.execute(driver.upgrade(
                {'id': 's', 'services': ['nova'],
                 'action': {'command': 'pull'}}, ['nova']))
            self.assertEqual(code, rc)
            outcome = driver.outcome(rc)
            self.assertFalse(outcome.ok)
            self.assertEqual(error, outcome.error_code)
            self.assertIn('kolla-ansible exited %d' % code, outcome.detail)


class OpenStackAnsibleTest(DriverCase):

    def test_playbook_command_line_and_config_dir(self):
        exe, record = fakes.stand_in(self.dir, 'openstack-ansible', 2)
        driver = osa.OpenStackAnsibleDriver(
            {'executable': exe, 'config_dir': self.dir}, context())
        step = {'id': 'computes', 'services': ['nova'], 'action': {
            'playbook': 'openstack.osa.nova', 'limit': 'nova_compute',
            'tags': ['nova-install'],
            'extra_vars': {'package_state': 'latest'}}}
        rc = self.execute(driver.upgrade(step, ['nova']))
        self.assertEqual(
            ['openstack.osa.nova', '--limit', 'nova_compute', '--tags',
             'nova-install', '-e', 'package_state=latest'],
            fakes.recorded_argv(record))
        with open(record + '.env') as f:
            self.assertEqual('OSA_CONFIG_DIR=%s\n' % self.dir, f.read())
        self.assertEqual(('failed-hosts', False),
                         (driver.outcome(rc).error_code,
                          driver.outcome(rc).ok))

    def test_roles_are_the_limit(self):
        driver = osa.OpenStackAnsibleDriver({}, context())
        step = {'id': 'computes', 'roles': ['nova_compute', 'ironic_compute'],
                'action': {'playbook': 'openstack.osa.nova'}}
        self.assertEqual(
            ['openstack-ansible', 'openstack.osa.nova', '--limit',
             'nova_compute:ironic_compute'],
            driver.upgrade(step, []).argv)


class CommandDriverTest(DriverCase):

    def test_template_expanded_without_a_shell(self):
        exe, record = fakes.stand_in(self.dir, 'tool')
        driver = command.CommandDriver(
            {'variables': {'site': 'lab 1'}}, context())
        step = {'id': 'nova', 'services': ['nova', 'placement'],
                'action': {'command': exe + ' "$site" $service '
                           '${to_release} $objects; rm -rf /'}}
        self.assertEqual(0, self.execute(driver.upgrade(
            step, ['nova-api', 'nova-compute'])))
        self.assertEqual(
            ['lab 1', 'nova', '2025.2', 'nova-api,nova-compute;', 'rm',
             '-rf', '/'], fakes.recorded_argv(record))

    def test_a_list_command(self):
        exe, record = fakes.stand_in(self.dir, 'tool', 3)
        driver = command.CommandDriver({}, context())
        step = {'id': 'x', 'services': [],
                'action': {'command': [exe, 'a b', '$from_release']}}
        rc = self.execute(driver.upgrade(step, []))
        self.assertEqual(['a b', '2025.1'], fakes.recorded_argv(record))
        self.assertEqual('exit-3', driver.outcome(rc).error_code)

    def test_timeout_stops_the_command(self):
        driver = command.CommandDriver({}, context())
        step = {'id': 'x', 'action': {'command': 'sleep 60'}}
        begin = time.time()
        self.assertEqual(executor.TIMED_OUT,
                         self.execute(driver.upgrade(step, []), deadline=1))
        self.assertLess(time.time() - begin, 20)

    def test_missing_executable(self):
        driver = command.CommandDriver({}, context())
        step = {'id': 'x', 'action': {'command': '/nonexistent/tool'}}
        self.assertEqual(127, self.execute(driver.upgrade(step, [])))
        with open(self.log) as f:
            self.assertIn('cannot run /nonexistent/tool', f.read())


class ManualDriverTest(base.TestCase):

    def test_prints_the_instruction_and_waits(self):
        said = []
        driver = manual.ManualDriver({}, context(said))
        step = {'id': 'fw', 'action': {'instruction': 'open port 8774'},
                'rollback': {'instruction': 'close it'}}
        self.assertEqual(drivers.WAIT, driver.upgrade(step, []))
        self.assertEqual(drivers.WAIT, driver.rollback(step, [], None))
        self.assertIn('open port 8774', said[0])
        self.assertIn('campaign continue RUN fw', said[0])
        self.assertIn('close it', said[1])
