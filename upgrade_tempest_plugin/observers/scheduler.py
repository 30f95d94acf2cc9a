"""Open-loop probe scheduling shared by the API and data-plane observers.

Every target has a schedule that starts a probe every ``1/rate`` seconds,
whatever the latency of the earlier probes, at most ``max_in_flight`` per
target.  A probe due while every slot of its target is busy is recorded at
once as ``skipped``, not sent, so the schedule never slips and a slow
service is not sent ever more requests; whether it was down is told by
the probes in flight (answered late: slow; not answered within the probe
timeout: down).

All the schedules and probes of a scheduler run on one asyncio event loop
in one thread.  A probe in flight is a socket and a coroutine, not a
thread: a slow or hanging service raises the number of open sockets for as
long as it is slow, and nothing is kept once it answers again.  (A thread
pool keeps every thread its busiest moment needed, with its stack and
malloc arena, for the life of the process: memory then grows with each
new latency peak.)
"""

import asyncio
import logging
import threading
import time

from upgrade_tempest_plugin.store import models

LOG = logging.getLogger(__name__)


class Target(object):
    """Something to probe: ``await probe()`` returns a sample dict.

    ``probe`` is a coroutine that never raises and ends within its own
    timeout.
    """

    observer = None   # models.API / API_REUSED / DATAPLANE
    name = None

    @property
    def key(self):
        """What the scheduler counts in-flight probes by."""
        return self.observer, self.name

    async def probe(self):
        raise NotImplementedError


def _log_loop_error(loop, context):
    # A connection torn down while being closed is no news to a prober.
    LOG.debug('event loop: %s', context.get('message'))


class OpenLoopScheduler(object):

    def __init__(self, sink, rate=10.0, max_in_flight=32, probe_timeout=2.0):
        self.sink = sink
        self.interval = 1.0 / rate
        self.max_in_flight = max_in_flight
        self.probe_timeout = probe_timeout
        self.targets = []
        self._in_flight = {}
        self._schedules = set()
        self._probes = set()
        self._lock = threading.Lock()
        self._loop = None
        self._thread = None
        self.started = 0
        self.skipped = 0

    def add(self, target):
        """Add a target; it starts at once if the scheduler runs."""
        with self._lock:
            self.targets.append(target)
            self._in_flight[target.key] = 0
            loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._begin, target, 0.0)

    def start(self, expected_targets=None):
        """Start the loop thread and the schedule of every target."""
        count = expected_targets or max(1, len(self.targets))
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(_log_loop_error)
        self._thread = threading.Thread(
            target=self._run_loop, args=(loop,), name='probe-loop',
            daemon=True)
        with self._lock:
            self._loop = loop
            targets = list(self.targets)
        self._thread.start()
        for index, target in enumerate(targets):
            # Spread the targets over one interval.
            loop.call_soon_threadsafe(self._begin, target,
                                      self.interval * index / count)

    def stop(self, timeout=None):
        """Stop scheduling; wait (up to a probe timeout) for probes in flight.

        Probes still in flight then are cancelled and not recorded.
        """
        loop = self._loop
        if loop is None:
            return
        wait = self.probe_timeout + 1.0 if timeout is None else timeout
        future = asyncio.run_coroutine_threadsafe(self._drain(wait), loop)
        try:
            future.result(wait + 5.0)
        except Exception:   # the loop is gone or stuck: nothing to save
            LOG.exception('stopping the probe loop')
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(5.0)

    def _run_loop(self, loop):
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.close()

    def _begin(self, target, offset):
        task = asyncio.get_running_loop().create_task(
            self._schedule(target, offset), name='schedule-%s' % target.name)
        self._schedules.add(task)
        task.add_done_callback(self._schedules.discard)

    async def _drain(self, wait):
        schedules = list(self._schedules)
        for task in schedules:
            task.cancel()
        if self._probes:
            await asyncio.wait(list(self._probes), timeout=wait)
        late = list(self._probes)
        for task in late:
            task.cancel()
        # Let every cancelled task end before the loop stops.
        await asyncio.gather(*(schedules + late), return_exceptions=True)

    async def _run_probe(self, target):
        try:
            sample = await target.probe()
        except asyncio.CancelledError:
            raise
        except Exception as exc:   # a probe must never kill the observer
            LOG.exception('probe of %s raised', target.name)
            now = time.time()
            sample = {'sent_at': now, 'answered_at': None, 'latency': 0.0,
                      'outcome': models.OUTCOME_ERROR, 'status': None,
                      'detail': ('%s: %s' % (type(exc).__name__, exc))[:200]}
        finally:
            self._in_flight[target.key] -= 1
        self.sink.add(target.observer, target.name, sample)

    async def _schedule(self, target, offset):
        loop = asyncio.get_running_loop()
        next_at = loop.time() + offset
        while True:
            delay = next_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            next_at += self.interval
            if loop.time() - next_at > self.interval:
                # Suspended or starved: restart the schedule from now
                # rather than firing a burst of catch-up probes.
                next_at = loop.time() + self.interval
            if self._in_flight[target.key] >= self.max_in_flight:
                self.skipped += 1
                now = time.time()
                self.sink.add(target.observer, target.name, {
                    'sent_at': now, 'answered_at': None, 'latency': 0.0,
                    'outcome': models.OUTCOME_SKIPPED, 'status': None,
                    'detail': 'not sent: %d probes in flight'
                              % self.max_in_flight})
                continue
            self._in_flight[target.key] += 1
            self.started += 1
            task = loop.create_task(self._run_probe(target))
            self._probes.add(task)
            task.add_done_callback(self._probes.discard)
