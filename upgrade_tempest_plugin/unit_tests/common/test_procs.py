"""The process supervisor with real (sleep) processes."""

import json
import os
import sys
import time

import fixtures

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.unit_tests import base

# a parent that ignores SIGTERM and forks a child in its process group
STUBBORN = ('import signal, subprocess, time\n'
            'signal.signal(signal.SIGTERM, signal.SIG_IGN)\n'
            'subprocess.Popen(["sleep", "60"])\n'
            'time.sleep(60)\n')
# a process that ignores SIGTERM, alone in its group
DEAF = ('import signal, time\n'
        'signal.signal(signal.SIGTERM, signal.SIG_IGN)\n'
        'print("deaf", flush=True)\n'
        'time.sleep(60)\n')


class ProcsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.pidfile = os.path.join(self.dir, 'p.pid')
        self.log = os.path.join(self.dir, 'p.log')

    def wait_for(self, condition, timeout=10):
        deadline = time.monotonic() + timeout
        while not condition():
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)

    def write(self, text):
        with open(self.pidfile, 'w') as f:
            f.write(text)

    def test_start_recognise_stop(self):
        pid = procs.start(self.pidfile, ['sleep', '30'], self.log)
        self.addCleanup(procs.stop, self.pidfile)
        rec = procs.read_pidfile(self.pidfile)
        self.assertEqual(pid, rec.pid)
        self.assertEqual(procs.start_time(pid), rec.starttime)
        self.assertIsNotNone(rec.starttime)
        self.assertEqual(pid, procs.running_pid(self.pidfile))
        self.assertTrue(procs.is_running(pid, rec.starttime))
        self.assertEqual(['sleep', '30'], procs.argv(pid))
        self.assertEqual([], procs.argv(None))
        self.assertEqual('SIGTERM', procs.stop(self.pidfile))
        self.assertFalse(os.path.exists(self.pidfile))
        self.assertEqual([], procs.group_members(pid))
        self.assertIsNone(procs.start_time(pid))
        self.assertIsNone(procs.stop(self.pidfile))

    def test_stop_kills_stubborn_group(self):
        pid = procs.start(self.pidfile, [sys.executable, '-c', STUBBORN],
                          self.log)
        self.addCleanup(procs.stop, self.pidfile, 1, 0.5)
        self.wait_for(lambda: len(procs.group_members(pid)) == 2)
        begin = time.monotonic()
        self.assertEqual('SIGKILL', procs.stop(self.pidfile, timeout=1,
                                               group_grace=0.5))
        self.assertLess(time.monotonic() - begin, 8)
        self.assertEqual([], procs.group_members(pid))

    def test_terminate_escalates_to_kill(self):
        pid = procs.start(self.pidfile, [sys.executable, '-c', DEAF],
                          self.log)
        self.addCleanup(procs.stop, self.pidfile, 1)
        # SIGTERM is ignored only once the handler is set
        self.wait_for(lambda: os.path.getsize(self.log) > 0)
        begin = time.monotonic()
        self.assertEqual('SIGKILL', procs.terminate(pid, timeout=0.5))
        took = time.monotonic() - begin
        self.assertGreaterEqual(took, 0.5)
        self.assertLess(took, 5)
        self.assertIsNone(procs.start_time(pid))

    def test_right_pid_wrong_start_time_is_not_signalled(self):
        pid = procs.start(self.pidfile, ['sleep', '30'], self.log)
        self.addCleanup(procs.terminate, pid, 1)
        started = procs.start_time(pid)
        # the pid reused by another process: same pid, other start time
        for text in (json.dumps({'pid': pid, 'starttime': started + 1}),
                     '%d %d\n' % (pid, started + 1)):
            self.write(text)
            self.assertIsNone(procs.running_pid(self.pidfile))
            self.assertIsNone(procs.stop(self.pidfile, timeout=1))
            self.assertFalse(os.path.exists(self.pidfile))
            self.assertEqual(started, procs.start_time(pid))

    def test_reused_pid_is_not_ours(self):
        # our own pid with a wrong start time: a pid reused after a reboot
        self.write('%d 1\n' % os.getpid())
        self.assertIsNone(procs.running_pid(self.pidfile))
        self.assertIsNone(procs.stop(self.pidfile))

    def test_old_sandbox_pidfile_is_read(self):
        pid = procs.start(self.pidfile, ['sleep', '30'], self.log)
        self.addCleanup(procs.terminate, pid, 1)
        self.write('%d %d\n' % (pid, procs.start_time(pid)))
        self.assertEqual((pid, procs.start_time(pid), {}),
                         procs.read_pidfile(self.pidfile))
        self.assertEqual(pid, procs.running_pid(self.pidfile))
        self.assertEqual('SIGTERM', procs.stop(self.pidfile))
        self.assertIsNone(procs.start_time(pid))

    def test_pidfile_without_start_time_checks_the_command_line(self):
        # an observer pidfile written before the start time was recorded
        pid = procs.start(self.pidfile, ['sleep', '30'], self.log)
        self.addCleanup(procs.terminate, pid, 1)
        self.write(json.dumps({'pid': pid, 'run_id': 'r'}))
        rec = procs.read_pidfile(self.pidfile)
        self.assertEqual((pid, None, {'run_id': 'r'}), rec)
        self.assertEqual(pid, procs.running_pid(self.pidfile, 'sleep 30'))
        self.assertIsNone(procs.running_pid(self.pidfile, 'observers.runner'))
        self.assertIsNone(procs.running_pid(self.pidfile))
        self.write('%d\n' % pid)
        self.assertEqual(pid, procs.running_pid(self.pidfile, 'sleep'))
        self.assertIsNone(procs.stop(self.pidfile, marker='other'))
        time.sleep(0.2)
        self.assertIsNotNone(procs.start_time(pid))   # not signalled
        self.write('%d\n' % pid)
        self.assertEqual('SIGTERM', procs.stop(self.pidfile, marker='sleep'))
        self.assertIsNone(procs.start_time(pid))

    def test_pidfile_keeps_the_callers_keys(self):
        procs.write_pidfile(self.pidfile, os.getpid(), {'run_id': 'r'})
        rec = procs.read_pidfile(self.pidfile)
        self.assertEqual(os.getpid(), rec.pid)
        self.assertEqual(procs.start_time(os.getpid()), rec.starttime)
        self.assertEqual({'run_id': 'r'}, rec.info)
        self.assertEqual(os.getpid(), procs.running_pid(self.pidfile))

    def test_corrupt_or_missing_pidfile(self):
        self.assertIsNone(procs.running_pid(self.pidfile))
        for text in ('garbage', '', '1 2 3', '{"pid": "x"}', '[1]',
                     '{"run_id": "r"}', '-5 1', '0'):
            self.write(text)
            self.assertIsNone(procs.read_pidfile(self.pidfile), text)
            self.assertIsNone(procs.running_pid(self.pidfile), text)

    def test_output_goes_to_log(self):
        procs.start(self.pidfile, ['echo', 'hello'], self.log)
        self.wait_for(lambda: not procs.running_pid(self.pidfile), 5)
        with open(self.log) as f:
            self.assertEqual('hello\n', f.read())

    def test_cpu_seconds(self):
        self.assertGreater(procs.cpu_seconds(os.getpid()), 0)
        self.assertEqual(0.0, procs.cpu_seconds(2 ** 22 + 1))
