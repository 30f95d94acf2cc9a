"""The rolling switch of an API, with real (shell) processes."""

import io
import os

import fixtures

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import upgrade
from upgrade_tempest_plugin.unit_tests import base

# what gunicorn logs once it listens and has booted a worker
BOOTS = ('echo "Listening at: http://127.0.0.1 ($$)"; '
         'echo "Booting worker with pid: 1"; exec sleep 30')


class SwitchTest(base.TestCase):

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)
        os.makedirs(self.layout.run)
        os.makedirs(self.layout.logs)
        self.sandbox = cloud.Sandbox(self.layout, io.StringIO())
        self.upgrader = upgrade.Upgrader(self.sandbox)
        self.useFixture(fixtures.MockPatchObject(
            upgrade, 'enable_request_migration'))
        self.pidfile = self.layout.pidfile('glance-api')
        self.old = procs.start(self.pidfile, ['sleep', '30'],
                               self.layout.log_of('glance-api'))
        self.addCleanup(procs.stop, self.pidfile, 1)
        self.addCleanup(procs.stop, self.pidfile + '.new', 1)
        self.new_argv = None
        self.useFixture(fixtures.MockPatchObject(
            self.sandbox, 'start_process', self.start_process))

    def start_process(self, service, process, venv, pidfile=None):
        return procs.start(pidfile, self.new_argv,
                           self.layout.log_of(process))

    def switch(self, script):
        self.new_argv = ['sh', '-c', script]
        self.upgrader.switch('glance', 'glance-api', None, None)

    def test_the_booted_api_replaces_the_old_one(self):
        self.switch(BOOTS)
        new = procs.running_pid(self.pidfile)
        self.assertIsNotNone(new)
        self.assertNotEqual(self.old, new)
        self.assertIsNone(procs.start_time(self.old))
        self.assertFalse(os.path.exists(self.pidfile + '.new'))

    def test_a_new_api_that_exits_fails_at_once(self):
        e = self.assertRaises(errors.SandboxError, self.switch, 'exit 3')
        self.assertEqual('new glance-api exited, see %s'
                         % self.layout.log_of('glance-api'), str(e))
        self.assertEqual(self.old, procs.running_pid(self.pidfile))

    def test_a_new_api_that_never_boots_is_stopped(self):
        self.useFixture(fixtures.MockPatchObject(upgrade, 'SWITCH_TIMEOUT',
                                                 1))
        e = self.assertRaises(errors.SandboxError, self.switch,
                              'exec sleep 30')
        self.assertEqual('new glance-api did not boot a worker within 1 s, '
                         'see %s' % self.layout.log_of('glance-api'), str(e))
        self.assertFalse(os.path.exists(self.pidfile + '.new'))
        self.assertEqual(self.old, procs.running_pid(self.pidfile))
