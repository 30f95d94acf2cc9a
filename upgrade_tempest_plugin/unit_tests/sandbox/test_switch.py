"""The rolling switch of an API, with real (shell) processes."""

import io
import os
import socket
import sys
from unittest import mock

import fixtures

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import upgrade
from upgrade_tempest_plugin.unit_tests import base

# what gunicorn logs once it listens and has booted a worker
BOOTS = ('echo "Listening at: http://127.0.0.1 ($$)"; '
         'echo "Booting worker with pid: 1"; exec sleep 30')


class UpgraderTestCase(base.TestCase):
    """An upgrader of a sandbox laid out in a temporary directory."""

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)
        os.makedirs(self.layout.run)
        os.makedirs(self.layout.logs)
        self.sandbox = cloud.Sandbox(self.layout, io.StringIO())
        self.upgrader = upgrade.Upgrader(self.sandbox)


class SwitchTest(UpgraderTestCase):

    def setUp(self):
        super().setUp()
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


class SwiftSwitchTest(UpgraderTestCase):
    """A Swift server is restarted, and the switch waits for its port."""

    def setUp(self):
        super().setUp()
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            self.port = sock.getsockname()[1]
        patcher = mock.patch.dict(ports.PORTS, {'swift-object': self.port})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.pidfile = self.layout.pidfile('swift-object-server')
        self.old = procs.start(self.pidfile, ['sleep', '30'],
                               self.layout.log_of('swift-object-server'))
        self.addCleanup(procs.stop, self.pidfile, 1)
        self.new_argv = None
        self.useFixture(fixtures.MockPatchObject(
            self.sandbox, 'start_process', self.start_process))
        self.useFixture(fixtures.MockPatchObject(upgrade, 'SWITCH_TIMEOUT',
                                                 5))

    def start_process(self, service, process, venv, pidfile=None):
        return procs.start(self.layout.pidfile(process), self.new_argv,
                           self.layout.log_of(process))

    def switch(self, argv):
        self.new_argv = argv
        self.upgrader.switch('swift', 'swift-object-server', None, None)

    def test_returns_once_the_new_server_listens(self):
        self.switch([sys.executable, '-c', LISTEN % self.port])
        self.assertIsNone(procs.start_time(self.old))
        self.assertIsNotNone(procs.running_pid(self.pidfile))
        self.assertTrue(ports.accepts(self.port))

    def test_a_new_server_that_exits_fails(self):
        e = self.assertRaises(errors.SandboxError, self.switch,
                              ['sh', '-c', 'exit 3'])
        self.assertIn('new swift-object-server exited', str(e))

    def test_a_new_server_that_never_listens_times_out(self):
        e = self.assertRaises(errors.SandboxError, self.switch,
                              ['sleep', '30'])
        self.assertIn('does not listen on %d after 5 s' % self.port, str(e))


# a server that listens after a moment, as a Swift server loading its app
LISTEN = ('import socket, time; time.sleep(0.5); s = socket.socket(); '
          "s.bind(('127.0.0.1', %d)); s.listen(); time.sleep(30)")
