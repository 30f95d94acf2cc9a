"""What ``sandbox upgrade`` plans, stages and stops."""

import io
import json
import os
from unittest import mock

import fixtures

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import state
from upgrade_tempest_plugin.sandbox import upgrade
from upgrade_tempest_plugin.unit_tests import base


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
                               (('2026.2', ['heat'], 'cold'),
                                'unknown service'),
                               (('2026.2', [], 'hot'), 'unknown mode'),
                               (('2027.1', [], 'cold'), 'unknown release')):
                e = self.assertRaises(exceptions.UserError,
                                      self.upgrader.plan, *args)
                self.assertIn(text, str(e))
