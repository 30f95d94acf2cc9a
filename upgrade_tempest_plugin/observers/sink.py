"""Writes samples and the heartbeat to the store, at least once a second.

Probe threads only append to an in-memory buffer; one writer thread flushes
it every ``flush_interval`` in a single transaction that also updates the
process's heartbeat.  When the store cannot be written (database stopped,
read-only file, disk full) the buffer keeps the samples, bounded by
``buffer_size``: beyond it the oldest samples are dropped and counted.
When the store is back, the samples are written and the period is recorded
as a gap (``store_unavailable``, and ``buffer_overflow`` with the number of
samples lost), so the analysis never counts it as uptime.
"""

import collections
import logging
import threading
import time

from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models

LOG = logging.getLogger(__name__)


class SampleSink(object):

    def __init__(self, store, run_id, process_id, flush_interval=0.5,
                 buffer_size=200000, max_batch=20000):
        self.store = store
        self.run_id = run_id
        self.process_id = process_id
        self.flush_interval = flush_interval
        self.buffer_size = buffer_size
        self.max_batch = max_batch
        self._buffer = collections.deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        self.written = 0
        self.dropped = 0
        self.flushes = 0
        self.failed_flushes = 0
        # Store outage being tracked: (first failure time, reason text).
        self._outage = None
        # Dropped samples not yet recorded as a gap: [first, last, count].
        self._drop_span = None
        self.last_error = None

    def add(self, observer, target, sample):
        """Queue one sample (a dict from :mod:`.probe`)."""
        sample['run_id'] = self.run_id
        sample['observer'] = observer
        sample['target'] = target
        sample['process_id'] = self.process_id
        with self._lock:
            self._buffer.append(sample)
            while len(self._buffer) > self.buffer_size:
                lost = self._buffer.popleft()
                self.dropped += 1
                if self._drop_span is None:
                    self._drop_span = [lost['sent_at'], lost['sent_at'], 0]
                self._drop_span[1] = lost['sent_at']
                self._drop_span[2] += 1

    def pending(self):
        return len(self._buffer)

    def flush(self):
        """Write what is buffered; False when the store refused it."""
        with self._lock:
            batch = [self._buffer.popleft() for _ in
                     range(min(len(self._buffer), self.max_batch))]
        now = time.time()
        try:
            self.store.add_samples(batch, heartbeat={
                'process_id': self.process_id, 'at': now,
                'samples_written': self.written + len(batch),
                'samples_dropped': self.dropped})
        except store_api.StoreUnavailable as exc:
            with self._lock:
                self._buffer.extendleft(reversed(batch))
                while len(self._buffer) > self.buffer_size:
                    lost = self._buffer.popleft()
                    self.dropped += 1
                    if self._drop_span is None:
                        self._drop_span = [lost['sent_at'], lost['sent_at'],
                                           0]
                    self._drop_span[1] = lost['sent_at']
                    self._drop_span[2] += 1
            self.failed_flushes += 1
            self.last_error = '%s' % type(exc).__name__
            if self._outage is None:
                self._outage = (now, self.last_error)
                LOG.warning('store unavailable (%s); buffering samples',
                            self.last_error)
            return False
        self.written += len(batch)
        self.flushes += 1
        self._record_gaps(now)
        return True

    def _record_gaps(self, now):
        try:
            if self._outage is not None:
                since, reason = self._outage
                self.store.add_gap(
                    self.run_id, since, now, models.GAP_STORE_UNAVAILABLE,
                    process_id=self.process_id, detail=reason)
                LOG.warning('store available again after %.1f s',
                            now - since)
                self._outage = None
            with self._lock:
                span, self._drop_span = self._drop_span, None
            if span is not None:
                try:
                    self.store.add_gap(
                        self.run_id, span[0], span[1],
                        models.GAP_BUFFER_OVERFLOW,
                        process_id=self.process_id, lost_samples=span[2],
                        detail='buffer of %d samples full'
                        % self.buffer_size)
                except store_api.StoreUnavailable:
                    with self._lock:
                        if self._drop_span is None:
                            self._drop_span = span
                        else:
                            self._drop_span[0] = span[0]
                            self._drop_span[2] += span[2]
                    raise
        except store_api.StoreUnavailable as exc:
            LOG.warning('could not record a gap yet: %s',
                        type(exc).__name__)

    def _loop(self):
        next_flush = time.monotonic()
        while not self._stop.is_set():
            next_flush += self.flush_interval
            try:
                ok = self.flush()
                while ok and len(self._buffer) >= self.max_batch:
                    ok = self.flush()
            except Exception:   # never let the writer die
                LOG.exception('unexpected error while flushing samples')
            delay = next_flush - time.monotonic()
            if delay < 0:
                next_flush = time.monotonic()
                delay = 0
            self._stop.wait(delay)

    def start(self):
        self._thread = threading.Thread(target=self._loop,
                                        name='sample-writer', daemon=True)
        self._thread.start()

    def stop(self, timeout=10.0):
        """Stop the writer after a last flush (retried until ``timeout``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            waits.until(lambda: self.flush() and not self._buffer,
                        timeout, 0.2)
        except waits.TimedOut:
            LOG.error('%d samples could not be written', len(self._buffer))
            return False
        except Exception:
            LOG.exception('unexpected error in the last flush')
            return False
        return True
