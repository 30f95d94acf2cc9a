"""Detached observer process: check-or-start, status, kill -9, stop."""

import json
import os
import signal
import time

import fixtures

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import fixture as obs_fixture
from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.observers import runner
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.observers import fakes


class LifecycleTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.cloud = fakes.FakeCloud().start()
        self.addCleanup(self.cloud.stop)
        self.url = 'sqlite:///' + os.path.join(self.tmp, 'store.db')
        self.store = store_api.open_store(self.url)
        self.addCleanup(self.store.close)
        settings = fakes.make_settings(self.tmp, self.cloud)
        settings.pop('run_id')
        self.settings_file = os.path.join(self.tmp, 'settings.json')
        with open(self.settings_file, 'w') as f:
            json.dump(settings, f)
        self.addCleanup(self._stop_quietly)

    def _stop_quietly(self):
        lifecycle.stop(self.store, 'run-1', self.tmp, timeout=5)

    def _start(self):
        return lifecycle.start(self.store, 'run-1', self.tmp,
                               settings_file=self.settings_file,
                               store_url=self.url)

    def test_wait_probing_returns_the_observer_start(self):
        self.assertIsNone(lifecycle.wait_probing(self.store, 'run-w',
                                                 timeout=0.2,
                                                 interval=0.05))
        self.store.add_event('run-w', 'workloads', 'start')
        self.store.add_event('run-w', 'observer', 'start',
                             detail={'services': ['compute']})
        started = lifecycle.wait_probing(self.store, 'run-w', timeout=5)
        self.assertEqual('observer', started['source'])
        self.assertEqual(['compute'], started['detail']['services'])

    def test_start_is_idempotent_and_stop(self):
        status, started = self._start()
        self.assertTrue(started)
        self.assertTrue(status['alive'])
        pid = status['pid']
        again, started_again = self._start()
        self.assertFalse(started_again)
        self.assertEqual(pid, again['pid'])
        time.sleep(1.0)
        status = lifecycle.status(self.store, 'run-1', self.tmp)
        self.assertEqual('running', status['state'])
        self.assertLess(status['heartbeat_age'], 1.0)
        result = lifecycle.stop(self.store, 'run-1', self.tmp, timeout=10)
        self.assertEqual('SIGTERM', result['how'])
        self.assertFalse(lifecycle.pid_alive(pid))
        status = lifecycle.status(self.store, 'run-1', self.tmp)
        self.assertEqual('stopped', status['state'])
        self.assertEqual('SIGTERM', status['process']['stop_reason'])
        self.assertGreater(status['process']['samples_written'], 20)

    def _pidfile(self):
        return runner.pidfile_path(self.tmp, 'run-1')

    def _rewrite_pidfile(self, **record):
        with open(self._pidfile(), 'w') as f:
            json.dump(record, f)

    def test_pidfile_records_the_start_time(self):
        status, _ = self._start()
        rec = procs.read_pidfile(self._pidfile())
        self.assertEqual(status['pid'], rec.pid)
        self.assertEqual(procs.start_time(status['pid']), rec.starttime)
        self.assertEqual('run-1', rec.info['run_id'])

    def test_a_reused_pid_is_not_signalled(self):
        status, _ = self._start()
        pid = status['pid']
        started = procs.start_time(pid)
        # the pidfile names the pid, but another process's start time
        self._rewrite_pidfile(pid=pid, starttime=started + 1)
        self.assertFalse(lifecycle.status(self.store, 'run-1',
                                          self.tmp)['alive'])
        result = lifecycle.stop(self.store, 'run-1', self.tmp, timeout=5)
        self.assertEqual('not running', result['how'])
        time.sleep(0.3)
        self.assertEqual(started, procs.start_time(pid))
        self._rewrite_pidfile(pid=pid, starttime=started)
        self.assertEqual('SIGTERM', lifecycle.stop(
            self.store, 'run-1', self.tmp, timeout=10)['how'])

    def test_old_pidfile_without_start_time(self):
        status, _ = self._start()
        pid = status['pid']
        self._rewrite_pidfile(pid=pid, run_id='run-1')
        self.assertEqual(pid, lifecycle.status(self.store, 'run-1',
                                               self.tmp)['pid'])
        result = lifecycle.stop(self.store, 'run-1', self.tmp, timeout=10)
        self.assertEqual('SIGTERM', result['how'])
        self.assertFalse(lifecycle.pid_alive(pid))

    def test_kill_9_loses_at_most_a_second_and_restart_continues(self):
        status, _ = self._start()
        time.sleep(1.5)
        os.kill(status['pid'], signal.SIGKILL)
        killed_at = time.time()
        time.sleep(0.3)
        status = lifecycle.status(self.store, 'run-1', self.tmp)
        self.assertFalse(status['alive'])
        last = max(s['sent_at'] for s in self.store.list_samples('run-1'))
        # Flushes every 0.2 s here (0.5 s by default): at most that lost.
        self.assertLess(killed_at - last, 1.0)
        status, started = self._start()
        self.assertTrue(started)
        time.sleep(1.0)
        lifecycle.stop(self.store, 'run-1', self.tmp, timeout=10)
        processes = self.store.list_processes('run-1')
        self.assertEqual(2, len(processes))
        self.assertEqual('killed', processes[0]['stop_reason'])
        self.assertEqual('SIGTERM', processes[1]['stop_reason'])
        targets = {t[1] for t in self.store.sample_targets('run-1')}
        self.assertEqual({'identity', 'compute', 'image'}, targets)

    def test_fixture_attached(self):
        fix = obs_fixture.ObserverFixture(
            mode='attached', run_id='run-1', state_dir=self.tmp,
            store_url=self.url, settings_file=self.settings_file,
            use_tempest_conf=False, stop_timeout=10, heartbeat_timeout=5)
        with fix:
            self.assertTrue(fix.status['alive'])
            time.sleep(0.5)
        status = lifecycle.status(self.store, 'run-1', self.tmp)
        self.assertEqual('stopped', status['state'])

    def test_start_failure_is_reported(self):
        with open(self.settings_file, 'w') as f:
            json.dump({'accounts_file': '/nonexistent', 'state_dir':
                       self.tmp}, f)
        self.assertRaises(exceptions.UserError, self._start)
