"""Open-loop probe scheduling shared by the API and data-plane observers.

Each target has its own schedule thread that starts a probe every
``1/rate`` seconds, whatever the latency of the earlier probes: probes run
on a shared thread pool, at most ``max_in_flight`` per target.  A probe due
while every slot of its target is busy is recorded at once as a timeout
(the earlier probes have not been answered) instead of queueing, so the
schedule never slips and a hanging service cannot exhaust the pool.
"""

import concurrent.futures
import logging
import math
import threading
import time

from upgrade_tempest_plugin.store import models

LOG = logging.getLogger(__name__)


class Target(object):
    """Something to probe: ``probe()`` returns a sample dict, never raises."""

    observer = None   # models.API / models.DATAPLANE
    name = None

    def probe(self):
        raise NotImplementedError


class OpenLoopScheduler(object):

    def __init__(self, sink, rate=10.0, max_in_flight=32, pool_size=None,
                 probe_timeout=None):
        self.sink = sink
        self.interval = 1.0 / rate
        self.max_in_flight = max_in_flight
        # A target never has more probes in flight than start within one
        # probe timeout: no thread is created for more.
        self.per_target = max_in_flight
        if probe_timeout:
            self.per_target = max(1, min(max_in_flight, int(
                math.ceil(rate * probe_timeout)) + 2))
        self.pool_size = pool_size
        self.targets = []
        self._in_flight = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._pool = None
        self.started = 0
        self.skipped = 0

    def add(self, target):
        """Add a target; it starts at once if the scheduler runs."""
        with self._lock:
            self.targets.append(target)
            self._in_flight[target.name] = 0
        if self._pool is not None:
            self._spawn(target, 0.0)

    def _spawn(self, target, offset):
        thread = threading.Thread(
            target=self._schedule, args=(target, offset),
            name='schedule-%s' % target.name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _run_probe(self, target):
        try:
            sample = target.probe()
        except Exception as exc:   # a probe must never kill the observer
            LOG.exception('probe of %s raised', target.name)
            now = time.time()
            sample = {'sent_at': now, 'answered_at': None, 'latency': 0.0,
                      'outcome': models.OUTCOME_ERROR, 'status': None,
                      'detail': ('%s: %s' % (type(exc).__name__, exc))[:200]}
        finally:
            with self._lock:
                self._in_flight[target.name] -= 1
        self.sink.add(target.observer, target.name, sample)

    def _schedule(self, target, offset):
        next_at = time.monotonic() + offset
        while not self._stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            next_at += self.interval
            late = time.monotonic() - next_at
            if late > self.interval:
                # Suspended or starved: restart the schedule from now
                # rather than firing a burst of catch-up probes.
                next_at = time.monotonic() + self.interval
            with self._lock:
                busy = self._in_flight[target.name] >= self.max_in_flight
                if not busy:
                    self._in_flight[target.name] += 1
            if busy:
                self.skipped += 1
                now = time.time()
                self.sink.add(target.observer, target.name, {
                    'sent_at': now, 'answered_at': None, 'latency': 0.0,
                    'outcome': models.OUTCOME_TIMEOUT, 'status': None,
                    'detail': 'not sent: %d probes in flight'
                              % self.max_in_flight})
                continue
            self.started += 1
            try:
                self._pool.submit(self._run_probe, target)
            except RuntimeError:   # pool shut down while stopping
                break

    def start(self, expected_targets=None):
        count = expected_targets or max(1, len(self.targets))
        size = self.pool_size or max(4, min(256, count * self.per_target))
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=size, thread_name_prefix='probe')
        for index, target in enumerate(list(self.targets)):
            # Spread the targets over one interval.
            self._spawn(target, self.interval * index / count)

    def stop(self, timeout=5.0):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        if self._pool is not None:
            # Probes in flight end within their own timeout.
            self._pool.shutdown(wait=True, cancel_futures=True)
