import os
from unittest import mock

import fixtures

from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign.drivers import sandbox
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.campaign import fakes
from upgrade_tempest_plugin.unit_tests.campaign import test_validate


def sandbox_plan(**changes):
    plan = fakes.command_plan([
        {'id': 'keystone', 'services': ['keystone'], 'action': {},
         'expected_seconds': 60, 'timeout_seconds': 600,
         'on_failure': 'rollback'},
        {'id': 'nova', 'services': ['nova'],
         'action': {'mode': 'cold'}, 'expected_seconds': 60,
         'timeout_seconds': 600, 'on_failure': 'rollback',
         'checks': [{'status': {}}]}],
        driver={'name': 'sandbox', 'config': {'dir': '/sb'}},
        from_release='2026.1', to_release='2026.2',
        backup={'enabled': True})
    plan.update(changes)
    return plan


class SandboxDriverTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.said = []
        self.driver = sandbox.SandboxDriver(
            {'dir': '/sb', 'mode': 'rolling'},
            drivers.Context('2026.1', '2026.2', self.dir, self.said.append))

    def test_a_sandbox_plan_is_valid(self):
        # the backup stands in for rollback actions; status checks work
        self.assertEqual([], test_validate.problems(sandbox_plan()))

    def test_without_backup_rollback_actions_are_missing(self):
        found = test_validate.problems(sandbox_plan(backup={
            'enabled': False}))
        self.assertEqual(['steps[0]', 'steps[1]'], [p.path for p in found])

    def test_unknown_service_and_release(self):
        plan = sandbox_plan(from_release='2024.2', to_release='2025.1')
        plan['steps'][0]['services'] = ['heat']
        found = test_validate.problems(plan)
        self.assertEqual(['from_release', 'steps[0].services'],
                         [p.path for p in found])

    def test_no_rollback_action(self):
        plan = sandbox_plan()
        plan['steps'][1]['rollback'] = {'mode': 'cold'}
        found = test_validate.problems(plan)
        self.assertEqual(['steps[1].rollback'], [p.path for p in found])
        self.assertIn('restoring its backup', found[0].message)

    def test_resolve_names_the_processes(self):
        self.assertEqual(['keystone-api'], self.driver.resolve(
            {'services': ['keystone']}))
        self.assertIn('nova-compute', self.driver.resolve(
            {'services': ['glance'], 'action': {'services': ['nova']}}))

    def test_upgrade_runs_the_sandbox_upgrade(self):
        command = self.driver.upgrade(
            {'services': ['nova'], 'action': {'mode': 'cold'}}, [])
        self.assertEqual(
            ['-m', 'upgrade_tempest_plugin.cmd.main', 'sandbox', 'upgrade',
             '--dir', '/sb', '--to', '2026.2', '--mode', 'cold',
             '--service', 'nova'], command.argv[1:])
        self.assertIn('--mode rolling', ' '.join(self.driver.upgrade(
            {'services': ['nova']}, []).argv))

    def test_events_file_is_the_sandboxs(self):
        self.assertEqual('/sb/events.jsonl', self.driver.events_file())

    def test_rollback_without_a_backup_fails(self):
        outcome = self.driver.rollback({'services': ['nova']}, [], None)
        self.assertEqual('no-backup', outcome.error_code)

    def test_rollback_restores_each_service_newest_first(self):
        with mock.patch.object(self.driver, 'restore',
                               autospec=True) as restore:
            outcome = self.driver.rollback(
                {'services': ['glance', 'nova']}, [],
                {'services': {'glance': 'g', 'nova': 'n'}})
        self.assertTrue(outcome.ok)
        self.assertEqual([mock.call('nova', 'n'), mock.call('glance', 'g')],
                         restore.call_args_list)

    def test_a_failed_restore_is_an_outcome(self):
        with mock.patch.object(self.driver, 'restore', autospec=True,
                               side_effect=RuntimeError('db gone')):
            outcome = self.driver.rollback(
                {'services': ['nova']}, [], {'services': {'nova': 'n'}})
        self.assertEqual(('restore-failed', 'RuntimeError: db gone'),
                         (outcome.error_code, outcome.detail))

    def test_status(self):
        fake = mock.Mock()
        fake.state.return_value = {'services': {
            'keystone': {'series': '2026.2', 'version': '30.0.0'}}}
        fake.running.side_effect = lambda p: 42
        with mock.patch.object(self.driver, '_sandbox', autospec=True,
                               return_value=fake):
            self.assertEqual(
                [drivers.ObjectStatus('keystone-api', 'up', '2026.2')],
                self.driver.status({'services': ['keystone']}, []))

    def test_backup_dumps_each_database(self):
        fake = mock.Mock()
        fake.layout.path.return_value = '/sb'
        fake.state.return_value = {'services': {
            'nova': {'series': '2026.1', 'version': '33.0.2'}}}
        with mock.patch.object(self.driver, '_sandbox', autospec=True,
                               return_value=fake), \
                mock.patch('subprocess.run', autospec=True) as run, \
                mock.patch.object(sandbox.infra, 'client_argv', autospec=True,
                                  return_value=['mariadb-dump']):
            saved = self.driver.backup()
        argv = run.call_args[0][0]
        self.assertEqual(['mariadb-dump', '--single-transaction',
                          '--add-drop-database', '--databases', 'nova_api',
                          'nova', 'nova_cell0'], argv)
        nova = saved['services']['nova']
        self.assertEqual(('2026.1', '33.0.2'),
                         (nova['series'], nova['version']))
        self.assertEqual(0o600, os.stat(nova['dump']).st_mode & 0o777)
        self.assertTrue(os.path.exists(os.path.join(self.dir, 'backup',
                                                    'state.json')))

    def test_backup_is_private_whatever_the_umask(self):
        """The dumps hold password hashes and URLs with passwords."""
        where = os.path.join(self.dir, 'backup')
        os.makedirs(where, mode=0o755)
        old = os.path.join(where, 'nova.sql')
        with open(old, 'w') as f:
            f.write('an earlier backup')
        os.chmod(old, 0o644)
        self.addCleanup(os.umask, os.umask(0))
        fake = mock.Mock()
        fake.state.return_value = {'services': {
            'nova': {'series': '2026.1', 'version': '33.0.2'},
            'keystone': {'series': '2026.1', 'version': '28.0.0'}}}
        with mock.patch.object(self.driver, '_sandbox', autospec=True,
                               return_value=fake), \
                mock.patch('subprocess.run', autospec=True), \
                mock.patch.object(sandbox.infra, 'client_argv', autospec=True,
                                  return_value=['mariadb-dump']):
            saved = self.driver.backup()
        self.assertEqual(0o700, os.stat(where).st_mode & 0o777)
        self.assertEqual(
            {'keystone': 0o600, 'nova': 0o600},
            {s: os.stat(info['dump']).st_mode & 0o777
             for s, info in saved['services'].items()})

    def test_backup_of_swift_dumps_nothing(self):
        fake = mock.Mock()
        fake.state.return_value = {'services': {
            'swift': {'series': '2026.1', 'version': '2.37.4'}}}
        with mock.patch.object(self.driver, '_sandbox', autospec=True,
                               return_value=fake), \
                mock.patch('subprocess.run', autospec=True) as run:
            saved = self.driver.backup()
        self.assertEqual([], run.call_args_list)
        self.assertEqual({'series': '2026.1', 'version': '2.37.4',
                          'dump': None, 'databases': []},
                         saved['services']['swift'])

    def test_restore_of_swift_restarts_the_old_code(self):
        fake = mock.Mock()
        fake.state.return_value = {'services': {
            'swift': {'series': '2026.2', 'version': '2.38.3'}}}
        with mock.patch.object(self.driver, '_sandbox', autospec=True,
                               return_value=fake), \
                mock.patch.object(sandbox.statemod, 'save',
                                  autospec=True), \
                mock.patch('subprocess.run', autospec=True) as run:
            self.driver.restore('swift', {'series': '2026.1',
                                          'version': '2.37.4', 'dump': None})
        self.assertEqual([], run.call_args_list)
        fake.venv.assert_called_once_with('swift', '2026.1')
        fake.start_service.assert_called_once_with('swift',
                                                   fake.venv.return_value)
        self.assertEqual({'series': '2026.1', 'version': '2.37.4'},
                         fake.state.return_value['services']['swift'])
