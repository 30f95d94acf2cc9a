"""The open-loop scheduler with in-process targets (no network)."""

import asyncio
import threading
import time

from upgrade_tempest_plugin.observers import scheduler
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base


class ListSink(object):

    def __init__(self):
        self.samples = []
        self._lock = threading.Lock()

    def add(self, observer, target, sample):
        with self._lock:
            self.samples.append(dict(sample, target=target,
                                     observer=observer))

    def of(self, target, detail_prefix=None):
        return [s for s in self.samples if s['target'] == target and (
            detail_prefix is None or
            (s['detail'] or '').startswith(detail_prefix))]


class SlowTarget(scheduler.Target):
    """Answers ok after ``delay`` seconds; ``raises`` makes it fail."""

    observer = models.API

    def __init__(self, name, delay, raises=False):
        self.name = name
        self.delay = delay
        self.raises = raises
        self.running = 0
        self.most_running = 0

    async def probe(self):
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        sent = time.time()
        try:
            await asyncio.sleep(self.delay)
            if self.raises:
                raise ValueError('boom')
        finally:
            self.running -= 1
        return {'sent_at': sent, 'answered_at': time.time(),
                'latency': time.time() - sent, 'outcome': models.OUTCOME_OK,
                'status': 200, 'detail': None}


class OpenLoopSchedulerTest(base.TestCase):

    def _run(self, targets, seconds, rate=20.0, max_in_flight=32,
             during=None):
        sink = ListSink()
        sched = scheduler.OpenLoopScheduler(
            sink, rate=rate, max_in_flight=max_in_flight, probe_timeout=1.0)
        for target in targets:
            sched.add(target)
        threads_before = threading.active_count()
        sched.start()
        try:
            time.sleep(seconds / 2)
            threads_during = threading.active_count()
            if during is not None:
                during(sched)
            time.sleep(seconds / 2)
        finally:
            sched.stop()
        return sink, sched, threads_during - threads_before

    def test_probes_start_on_schedule_whatever_the_latency(self):
        # Each probe takes 0.4 s; at 20 Hz eight are in flight at once,
        # and the schedule does not wait for them.
        slow = SlowTarget('slow', 0.4)
        sink, sched, extra_threads = self._run([slow], 2.0)
        sent = sorted(s['sent_at'] for s in sink.of('slow'))
        self.assertGreaterEqual(len(sent), 30)
        self.assertGreaterEqual(slow.most_running, 6)
        gaps = [b - a for a, b in zip(sent, sent[1:])]
        self.assertLess(max(gaps), 0.4)
        # Every probe in flight shares the one loop thread.
        self.assertEqual(1, extra_threads)

    def test_busy_target_records_unsent_probes_as_skipped(self):
        hang = SlowTarget('hang', 30.0)
        sink, sched, _ = self._run([hang], 1.0, max_in_flight=3)
        self.assertEqual(3, hang.most_running)
        unsent = sink.of('hang', 'not sent')
        self.assertGreaterEqual(len(unsent), 10)
        self.assertEqual({models.OUTCOME_SKIPPED},
                         {s['outcome'] for s in unsent})
        # The three hanging probes were cancelled at stop, not recorded.
        self.assertEqual(len(unsent), len(sink.of('hang')))
        self.assertEqual(0, hang.running)

    def test_a_raising_probe_is_an_error_sample(self):
        bad = SlowTarget('bad', 0.0, raises=True)
        good = SlowTarget('good', 0.0)
        sink, _, _ = self._run([bad, good], 1.0)
        errors = sink.of('bad')
        self.assertGreaterEqual(len(errors), 10)
        self.assertEqual({models.OUTCOME_ERROR},
                         {s['outcome'] for s in errors})
        self.assertIn('ValueError: boom', errors[0]['detail'])
        self.assertGreaterEqual(len(sink.of('good')), 10)

    def test_target_added_while_running(self):
        late = SlowTarget('late', 0.0)
        sink, _, _ = self._run([SlowTarget('early', 0.0)], 1.0,
                               during=lambda sched: sched.add(late))
        self.assertGreaterEqual(len(sink.of('late')), 5)

    def test_stop_waits_for_probes_in_flight(self):
        slow = SlowTarget('slow', 0.5)
        sink, sched, _ = self._run([slow], 1.0)
        # Every probe started was answered and recorded before stop ended.
        self.assertEqual(sched.started, len(sink.of('slow')))
        self.assertEqual(0, slow.running)

    def test_kinds_of_one_service_have_their_own_slots(self):
        # A service's new- and reused-connection probes share its name:
        # one hanging kind must not use up the other's slots.
        hang = SlowTarget('compute', 30.0)
        fine = SlowTarget('compute', 0.0)
        fine.observer = models.API_REUSED
        sink, _, _ = self._run([hang, fine], 1.0, max_in_flight=3)
        self.assertEqual(3, hang.most_running)
        reused = [s for s in sink.samples
                  if s['observer'] == models.API_REUSED]
        self.assertGreaterEqual(len(reused), 10)
        self.assertEqual({models.OUTCOME_OK},
                         {s['outcome'] for s in reused})
