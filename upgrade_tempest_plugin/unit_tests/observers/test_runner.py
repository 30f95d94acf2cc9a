"""The observer runner in-process against a fake cloud on 127.0.0.1."""

import os
import threading
import time

import fixtures

from upgrade_tempest_plugin.observers import honour
from upgrade_tempest_plugin.observers import runner as obs_runner
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.observers import fakes


class RunnerTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.cloud = fakes.FakeCloud().start()
        self.addCleanup(self.cloud.stop)
        self.store = store_api.open_store(
            'sqlite:///' + os.path.join(self.tmp, 'store.db'))
        self.addCleanup(self.store.close)

    def _run(self, settings, seconds, during=None):
        runner = obs_runner.Runner(settings, self.store, mode='attached')
        runner.setup()
        runner.start_observers()
        try:
            if during is not None:
                during(runner)
            time.sleep(seconds)
        finally:
            runner.request_stop('test')
            runner.shutdown()
        return runner

    def _samples(self, target, observer=models.API):
        return self.store.list_samples('run-1', observer=observer,
                                       target=target)

    def test_probes_each_service_open_loop(self):
        # The fake cloud answers in microseconds; the generous timeout only
        # keeps a loaded CI machine (it serves from a thread of this
        # process) from turning a slow answer into a timeout.
        settings = fakes.make_settings(self.tmp, self.cloud,
                                       probe_timeout=2.0)
        runner = self._run(settings, 1.0)
        for service in ('identity', 'compute', 'image'):
            samples = self._samples(service)
            # 20 Hz for ~1 s.
            self.assertGreaterEqual(len(samples), 15, service)
            self.assertLessEqual(len(samples), 25, service)
            self.assertEqual({'ok'}, {s['outcome'] for s in samples})
        process = self.store.list_processes('run-1')[0]
        self.assertEqual('test', process['stop_reason'])
        self.assertEqual(runner.sink.written, process['samples_written'])
        actions = [e['action'] for e in self.store.list_events('run-1')]
        self.assertEqual(['start', 'stop'], actions)
        # One token for the whole run.
        self.assertEqual(1, self.cloud.token_requests)

    def test_each_service_over_reused_connections_too(self):
        runner = self._run(fakes.make_settings(
            self.tmp, self.cloud, reused_connections=True), 1.0)
        for service in ('identity', 'compute', 'image'):
            reused = self._samples(service, models.API_REUSED)
            # Its own series, on the same schedule: 20 Hz for ~1 s.
            self.assertGreaterEqual(len(reused), 15, service)
            self.assertLessEqual(len(reused), 25, service)
            self.assertEqual({'ok'}, {s['outcome'] for s in reused})
        kinds = {t.observer for t in runner.schedulers[0].targets}
        self.assertEqual({models.API, models.API_REUSED}, kinds)
        [start] = [e for e in self.store.list_events('run-1')
                   if e['action'] == 'start']
        self.assertEqual(['identity', 'compute', 'image'],
                         start['detail']['services'])
        self.assertTrue(start['detail']['reused_connections'])

    def test_reused_connections_off_by_default(self):
        runner = self._run(fakes.make_settings(self.tmp, self.cloud), 0.5)
        self.assertEqual([], self.store.list_samples(
            'run-1', observer=models.API_REUSED))
        self.assertTrue(self._samples('compute'))
        self.assertEqual({models.API}, {
            t.observer for t in runner.schedulers[0].targets})
        [start] = [e for e in self.store.list_events('run-1')
                   if e['action'] == 'start']
        self.assertFalse(start['detail']['reused_connections'])

    def test_identity_outage_is_not_blamed_on_services(self):
        settings = fakes.make_settings(self.tmp, self.cloud)

        def during(runner):
            time.sleep(0.3)
            self.cloud.behaviour['identity'] = 503
            self.cloud.behaviour['compute'] = 'keystone-down'
            time.sleep(0.5)
            self.cloud.behaviour['identity'] = 'ok'
            self.cloud.behaviour['compute'] = 'ok'

        self._run(settings, 0.5, during)
        identity = {s['outcome'] for s in self._samples('identity')}
        compute = {s['outcome'] for s in self._samples('compute')}
        self.assertIn(models.OUTCOME_HTTP_5XX, identity)
        self.assertEqual({models.OUTCOME_OK, models.OUTCOME_AUTH_FAILED},
                         compute)
        self.assertEqual({models.OUTCOME_OK},
                         {s['outcome'] for s in self._samples('image')})

    def test_token_renewed_after_401(self):
        settings = fakes.make_settings(self.tmp, self.cloud)

        def during(runner):
            time.sleep(0.3)
            self.cloud.valid_tokens.clear()   # Keystone forgot the token

        self._run(settings, 1.0, during)
        # Whichever service saw the 401 first, the token is renewed.
        outcomes = [s['outcome'] for s in self.store.list_samples('run-1')]
        self.assertIn(models.OUTCOME_TOKEN_REJECTED, outcomes)
        for service in ('identity', 'compute', 'image'):
            self.assertEqual(models.OUTCOME_OK,
                             self._samples(service)[-1]['outcome'])
        self.assertGreaterEqual(self.cloud.token_requests, 2)

    def test_token_renewed_before_expiry(self):
        self.cloud.token_ttl = 2.0
        settings = fakes.make_settings(self.tmp, self.cloud,
                                       token_renew_margin=1.5)
        self._run(settings, 1.5)
        self.assertGreaterEqual(self.cloud.token_requests, 2)
        outcomes = {s['outcome'] for s in self._samples('compute')}
        self.assertEqual({models.OUTCOME_OK}, outcomes)

    def test_dataplane_targets(self):
        port = int(self.cloud.url.rsplit(':', 1)[1])
        closed = fakes.closed_port()
        settings = fakes.make_settings(
            self.tmp, self.cloud, services=['compute'],
            dataplane_targets=['127.0.0.1:%d' % port,
                               '127.0.0.1:%d' % closed])
        self._run(settings, 0.6)
        up = self.store.list_samples('run-1', observer=models.DATAPLANE,
                                     target='127.0.0.1:%d' % port)
        down = self.store.list_samples('run-1', observer=models.DATAPLANE,
                                       target='127.0.0.1:%d' % closed)
        self.assertTrue(up)
        self.assertEqual({models.OUTCOME_OK}, {s['outcome'] for s in up})
        self.assertEqual({models.OUTCOME_REFUSED},
                         {s['outcome'] for s in down})

    def test_no_secret_in_store_or_log(self):
        log = os.path.join(self.tmp, 'obs.log')
        obs_runner.setup_logging(log)
        self.addCleanup(obs_runner.setup_logging, None)
        settings = fakes.make_settings(self.tmp, self.cloud)

        def during(runner):
            time.sleep(0.2)
            self.cloud.valid_tokens.clear()
            self.cloud.behaviour['identity'] = 503
            time.sleep(0.3)
            self.cloud.behaviour['identity'] = 'ok'

        self._run(settings, 0.5, during)
        with open(log) as f:
            text = f.read()
        dump = repr([self.store.list_samples('run-1'),
                     self.store.list_events('run-1'),
                     self.store.list_processes('run-1')])
        for secret in (fakes.PASSWORD, fakes.TOKEN):
            self.assertNotIn(secret, text)
            self.assertNotIn(secret, dump)
        with open(os.path.join(self.tmp, 'store.db'), 'rb') as f:
            raw = f.read()
        self.assertNotIn(fakes.PASSWORD.encode(), raw)
        self.assertNotIn(fakes.TOKEN.encode(), raw)

    def test_identity_down_at_start_is_measured(self):
        self.cloud.behaviour['identity'] = 503
        settings = fakes.make_settings(self.tmp, self.cloud)
        runner = obs_runner.Runner(settings, self.store, mode='attached')
        runner.setup()
        starter = threading.Thread(target=runner.start_observers)
        starter.start()
        time.sleep(0.6)
        self.cloud.behaviour['identity'] = 'ok'
        starter.join(10)
        time.sleep(0.5)
        runner.request_stop('test')
        runner.shutdown()
        identity = [s['outcome'] for s in self._samples('identity')]
        self.assertEqual(models.OUTCOME_AUTH_FAILED, identity[0])
        self.assertEqual(models.OUTCOME_OK, identity[-1])
        self.assertTrue(self._samples('compute'))
        self.assertEqual(models.OUTCOME_OK,
                         self._samples('compute')[0]['outcome'])

    def test_honour_observer_over_http(self):
        self.cloud.services = ('compute', 'network')
        settings = fakes.make_settings(self.tmp, self.cloud,
                                       services=['identity', 'network'],
                                       honour_enabled=True,
                                       honour_kinds=['network'],
                                       honour_interval=0.2, honour_timeout=5)
        runner = obs_runner.Runner(settings, self.store, mode='attached',
                                   honour_factory=obs_runner.honour_factory)
        runner.setup()
        runner.start_observers()
        time.sleep(1.0)
        runner.request_stop('test')
        runner.shutdown()
        rows = honour.reconcile_run(self.store, settings, 'run-1')
        self.assertGreaterEqual(len(rows), 2)
        self.assertEqual({models.HONOUR_HONOURED},
                         {r['outcome'] for r in rows})
        self.assertEqual({}, self.cloud.networks)


class OpenStoreRetryingTest(base.TestCase):
    """The runner waits for a store that is not up yet, within limits."""

    URL = 'postgresql+psycopg2://u:p@127.0.0.1:9/nothing-listens'

    def test_gives_up_after_the_timeout_with_the_last_error(self):
        attempts = []
        real_open = store_api.open_store

        def counting_open(url):
            attempts.append(url)
            return real_open(url)

        self.useFixture(fixtures.MockPatchObject(
            store_api, 'open_store', counting_open))
        self.assertRaises(store_api.StoreUnavailable,
                          obs_runner.open_store_retrying, self.URL,
                          threading.Event(), timeout=1.5)
        self.assertGreaterEqual(len(attempts), 2)

    def test_stop_ends_the_wait_at_once(self):
        stop = threading.Event()
        stop.set()
        began = time.monotonic()
        self.assertRaises(store_api.StoreUnavailable,
                          obs_runner.open_store_retrying, self.URL, stop,
                          timeout=60)
        self.assertLess(time.monotonic() - began, 30)

    def test_a_store_that_comes_up_is_returned(self):
        url = 'sqlite:///' + os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'store.db')
        real_open = store_api.open_store
        calls = []

        def late_open(u):
            calls.append(u)
            if len(calls) < 2:
                raise ConnectionRefusedError('not yet')
            return real_open(u)

        self.useFixture(fixtures.MockPatchObject(
            store_api, 'open_store', late_open))
        store = obs_runner.open_store_retrying(url, threading.Event(),
                                               timeout=30)
        self.addCleanup(store.close)
        self.assertEqual(2, len(calls))
