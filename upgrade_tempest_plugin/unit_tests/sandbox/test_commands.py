"""Bad input fails with one line and exit 2, before anything is made."""

import io
import json
import os
from unittest import mock

import fixtures

from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import procs
from upgrade_tempest_plugin.sandbox import state
from upgrade_tempest_plugin.sandbox import upgrade
from upgrade_tempest_plugin.unit_tests import base


class CommandLineTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        self.dir = os.path.join(self.root, 'sandbox')
        self.useFixture(fixtures.EnvironmentVariable(
            layout.CACHE_ENV, os.path.join(self.root, 'cache')))
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))

    def run_cli(self, *args):
        return main.main(list(args) + ['--dir', self.dir])

    def assertUserError(self, text, *args):
        self.assertEqual(2, self.run_cli(*args))
        lines = self.stderr.getvalue().strip().splitlines()
        self.assertEqual(1, len(lines), lines)
        self.assertIn(text, lines[0])
        self.assertFalse(os.path.exists(self.dir))
        self.assertFalse(os.path.exists(os.path.join(self.root, 'cache')))

    def test_unknown_release(self):
        self.assertUserError("unknown release '2099.1'",
                             'sandbox', 'up', '--release', '2099.1')

    def test_unknown_service(self):
        self.assertUserError('unknown service swift', 'sandbox', 'up',
                             '--release', '2026.1', '--services', 'swift')

    def test_port_in_use(self):
        busy = ports.PORTS['keystone']
        with mock.patch.object(ports, 'in_use', lambda p: p == busy):
            self.assertUserError('port %d (keystone)' % busy,
                                 'sandbox', 'up', '--release', '2026.1')

    def test_disk_too_small(self):
        with mock.patch.object(cloud, 'DISK_BUILD', 1 << 60):
            self.assertUserError('GiB free', 'sandbox', 'up',
                                 '--release', '2026.1')

    def test_bad_port_offset(self):
        self.assertUserError('port offset 150', 'sandbox', 'up',
                             '--release', '2026.1', '--port-offset', '150')

    def test_upgrade_without_sandbox(self):
        self.assertUserError('no sandbox', 'sandbox', 'upgrade',
                             '--to', '2026.2')

    def test_status_without_sandbox(self):
        self.assertUserError('no sandbox', 'sandbox', 'status')

    def test_demo_unsupported_skip(self):
        self.assertUserError('SLURP', 'demo', '--from', '2025.2',
                             '--to', '2026.2')

    def test_demo_wrong_direction(self):
        self.assertUserError('must be after', 'demo', '--from', '2026.2',
                             '--to', '2026.1')


class PortOffsetTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(ports.use_offset, 0)
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)

    def test_new_sandbox_takes_the_offset(self):
        sb = cloud.Sandbox(self.layout, io.StringIO(), 300)
        self.assertEqual(300, sb.port_offset)
        self.assertEqual(ports.BASE['keystone'] + 300,
                         ports.PORTS['keystone'])

    def test_built_sandbox_keeps_its_offset(self):
        state.save(self.layout, state.new('2026.1', ['keystone'], 200))
        self.assertEqual(200, cloud.Sandbox(self.layout).port_offset)
        self.assertEqual(ports.BASE['mariadb'] + 200, ports.PORTS['mariadb'])
        e = self.assertRaises(exceptions.UserError, cloud.Sandbox,
                              self.layout, io.StringIO(), 0)
        self.assertIn('port offset 200', str(e))

    def test_environment_default(self):
        self.useFixture(fixtures.EnvironmentVariable(ports.OFFSET_ENV,
                                                     '100'))
        self.assertEqual(100, cloud.Sandbox(self.layout).port_offset)


class UpPlanTest(base.TestCase):

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)
        self.sandbox = cloud.Sandbox(self.layout, io.StringIO())
        self.useFixture(fixtures.MockPatchObject(ports, 'in_use',
                                                 return_value=False))
        self.useFixture(fixtures.MockPatchObject(cloud, 'DISK_BUILD', 0))

    def test_new_sandbox(self):
        self.assertEqual({'keystone': '2026.1', 'glance': '2026.1'},
                         self.sandbox.plan_up('2026.1', ['glance']))

    def test_partly_upgraded_sandbox_keeps_each_series(self):
        st = state.new('2026.1', ['keystone', 'glance'])
        st['services'] = {
            'keystone': {'series': '2026.2', 'version': '30.0.0'},
            'glance': {'series': '2026.1', 'version': '32.0.0'}}
        state.save(self.layout, st)
        expected = {'keystone': '2026.2', 'glance': '2026.1'}
        self.assertEqual(expected, self.sandbox.plan_up('2026.1', []))
        self.assertEqual(expected, self.sandbox.plan_up('2026.2', []))
        e = self.assertRaises(exceptions.UserError, self.sandbox.plan_up,
                              '2025.2', [])
        self.assertIn('sandbox upgrade', str(e))
        e = self.assertRaises(exceptions.UserError, self.sandbox.plan_up,
                              '2026.1', ['nova'])
        self.assertIn('destroy it', str(e))


class UpgradePlanTest(base.TestCase):

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)
        st = state.new('2026.1', ['keystone', 'glance'])
        st['services'] = {s: {'series': '2026.1', 'version': v}
                          for s, v in (('keystone', '29.1.0'),
                                       ('glance', '32.0.0'))}
        state.save(self.layout, st)
        self.sandbox = cloud.Sandbox(self.layout, io.StringIO())
        self.upgrader = upgrade.Upgrader(self.sandbox)

    def test_not_running(self):
        e = self.assertRaises(exceptions.UserError, self.upgrader.plan,
                              '2026.2', [], 'rolling')
        self.assertIn('keystone-api', str(e))

    def test_plan_in_order(self):
        with mock.patch.object(self.sandbox, 'running', autospec=True,
                               return_value=1):
            self.assertEqual(
                [('keystone', '2026.1', '29.1.0'),
                 ('glance', '2026.1', '32.0.0')],
                self.upgrader.plan('2026.2', [], 'rolling'))
            self.assertEqual([('glance', '2026.1', '32.0.0')],
                             self.upgrader.plan('2026.2', ['glance'],
                                                'cold'))
            self.assertEqual([], self.upgrader.plan('2026.1', [], 'cold'))

    def test_skip_level_only_between_slurp_releases(self):
        st = state.load(self.layout)
        st['services']['glance'] = {'series': '2025.2', 'version': '31.1.0'}
        state.save(self.layout, st)
        with mock.patch.object(self.sandbox, 'running', autospec=True,
                               return_value=1):
            e = self.assertRaises(exceptions.UserError, self.upgrader.plan,
                                  '2026.2', [], 'cold')
            self.assertIn('SLURP', str(e))

    def test_stage_installs_before_and_upgrade_reuses(self):
        """``stage`` installs, and ``run`` finds everything cached."""
        built = []

        def ensure_all(venvs_, out):
            todo = [v for v in venvs_ if v.name not in built]
            built.extend(v.name for v in todo)
            return {v.name: (1000.0, 42.0) for v in todo}
        path = self.layout.events_file
        with mock.patch.object(self.sandbox, 'running', autospec=True,
                               return_value=1), \
                mock.patch.object(upgrade.venvs, 'ensure_all', ensure_all):
            staged = self.upgrader.stage('2026.2')
            self.assertEqual(['keystone', 'glance'],
                             [s for s, _, _ in staged])
            with open(path) as f:
                events_ = [json.loads(line) for line in f]
            self.assertEqual(['stage', 'stage'],
                             [e['action'] for e in events_])
            self.assertTrue(all(e['detail'].startswith('installed ')
                                for e in events_))
            self.assertEqual('1970-01-01T00:16:40.000+00:00',
                             events_[0]['started'])
            # It ended when its own build did, not when all did.
            self.assertEqual('1970-01-01T00:17:22.000+00:00',
                             events_[0]['time'])
            # The upgrade's own install step finds both staged.
            self.upgrader._install('prepare', '2026.2', staged)
        with open(path) as f:
            events_ = [json.loads(line) for line in f][2:]
        self.assertEqual(['prepare', 'prepare'],
                         [e['action'] for e in events_])
        self.assertTrue(all(e['detail'].startswith('cached ')
                            for e in events_))
        self.assertIn('installs nothing more', self.sandbox.out.getvalue())

    def test_stop_service_stops_an_interrupted_switch(self):
        """A new API left by an interrupted rolling switch is stopped."""
        os.makedirs(os.path.dirname(self.layout.pidfile('glance-api')),
                    exist_ok=True)
        os.makedirs(self.layout.logs, exist_ok=True)
        pidfile = self.layout.pidfile('glance-api') + '.new'
        pid = procs.start(pidfile, ['sleep', '60'],
                          self.layout.log_of('glance-api'))
        self.addCleanup(procs.stop, pidfile)
        self.sandbox.stop_service('glance')
        self.assertIsNone(procs.running_pid(pidfile))
        self.assertFalse(os.path.exists(pidfile))
        self.assertIn('stopped glance-api', self.sandbox.out.getvalue())
        self.assertEqual([], procs.group_members(pid))

    def test_bad_requests(self):
        with mock.patch.object(self.sandbox, 'running', autospec=True,
                               return_value=1):
            for args, text in ((('2025.2', [], 'cold'), 'downgrading'),
                               (('2026.2', ['nova'], 'cold'),
                                'not deployed'),
                               (('2026.2', ['swift'], 'cold'),
                                'unknown service'),
                               (('2026.2', [], 'hot'), 'unknown mode'),
                               (('2027.1', [], 'cold'), 'unknown release')):
                e = self.assertRaises(exceptions.UserError,
                                      self.upgrader.plan, *args)
                self.assertIn(text, str(e))
