"""The process supervisor with real (sleep) processes."""

import os
import sys
import time

import fixtures

from upgrade_tempest_plugin.sandbox import procs
from upgrade_tempest_plugin.unit_tests import base

# a parent that ignores SIGTERM and forks a child in its process group
STUBBORN = ('import signal, subprocess, time\n'
            'signal.signal(signal.SIGTERM, signal.SIG_IGN)\n'
            'subprocess.Popen(["sleep", "60"])\n'
            'time.sleep(60)\n')


class ProcsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.pidfile = os.path.join(self.dir, 'p.pid')
        self.log = os.path.join(self.dir, 'p.log')

    def test_start_stop(self):
        pid = procs.start(self.pidfile, ['sleep', '60'], self.log)
        self.addCleanup(procs.stop, self.pidfile)
        self.assertEqual(pid, procs.running_pid(self.pidfile))
        self.assertTrue(procs.stop(self.pidfile))
        self.assertFalse(os.path.exists(self.pidfile))
        self.assertEqual([], procs.group_members(pid))
        self.assertFalse(procs.stop(self.pidfile))

    def test_stop_kills_stubborn_group(self):
        pid = procs.start(self.pidfile, [sys.executable, '-c', STUBBORN],
                          self.log)
        self.addCleanup(procs.stop, self.pidfile, 1, 0.5)
        deadline = time.monotonic() + 10
        while len(procs.group_members(pid)) < 2:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        begin = time.monotonic()
        self.assertTrue(procs.stop(self.pidfile, timeout=1, group_grace=0.5))
        self.assertLess(time.monotonic() - begin, 8)
        self.assertEqual([], procs.group_members(pid))

    def test_reused_pid_is_not_ours(self):
        # our own pid with a wrong start time: a pid reused after a reboot
        with open(self.pidfile, 'w') as f:
            f.write('%d 1\n' % os.getpid())
        self.assertIsNone(procs.running_pid(self.pidfile))
        self.assertFalse(procs.stop(self.pidfile))

    def test_corrupt_or_missing_pidfile(self):
        self.assertIsNone(procs.running_pid(self.pidfile))
        with open(self.pidfile, 'w') as f:
            f.write('garbage')
        self.assertIsNone(procs.running_pid(self.pidfile))

    def test_output_goes_to_log(self):
        procs.start(self.pidfile, ['echo', 'hello'], self.log)
        deadline = time.monotonic() + 5
        while procs.running_pid(self.pidfile):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        with open(self.log) as f:
            self.assertEqual('hello\n', f.read())
