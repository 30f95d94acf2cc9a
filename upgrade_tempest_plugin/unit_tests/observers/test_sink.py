"""The sample writer keeps probing data through a store outage."""

from sqlalchemy import exc as sa_exc

from upgrade_tempest_plugin.observers import sink as obs_sink
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base


class FlakyStore(object):
    """Delegates to a real store, failing writes while ``down``."""

    def __init__(self, store):
        self.store = store
        self.down = False

    def add_samples(self, samples, heartbeat=None):
        if self.down:
            raise sa_exc.OperationalError('INSERT', {}, Exception(
                'attempt to write a readonly database'))
        return self.store.add_samples(samples, heartbeat)

    def add_gap(self, *args, **kwargs):
        if self.down:
            raise sa_exc.OperationalError('INSERT', {}, Exception('ro'))
        return self.store.add_gap(*args, **kwargs)


def sample(t):
    return {'sent_at': t, 'answered_at': t + 0.01, 'latency': 0.01,
            'outcome': models.OUTCOME_OK, 'status': 200, 'detail': None}


class SinkTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.real = self.sqlite_store()
        self.pid = self.real.register_process('r', 1, 'h', 'detached')
        self.store = FlakyStore(self.real)

    def test_outage_buffers_and_records_gap(self):
        sink = obs_sink.SampleSink(self.store, 'r', self.pid,
                                   buffer_size=1000)
        for i in range(10):
            sink.add('api', 'compute', sample(100 + i))
        self.assertTrue(sink.flush())
        self.store.down = True
        for i in range(10, 30):
            sink.add('api', 'compute', sample(100 + i))
        self.assertFalse(sink.flush())
        self.assertFalse(sink.flush())
        self.assertEqual(20, sink.pending())
        self.store.down = False
        self.assertTrue(sink.flush())
        self.assertEqual(30, len(self.real.list_samples('r')))
        gaps = self.real.list_gaps('r')
        self.assertEqual([models.GAP_STORE_UNAVAILABLE],
                         [g['reason'] for g in gaps])
        self.assertEqual(0, gaps[0]['lost_samples'])

    def test_overflow_drops_oldest_and_counts(self):
        sink = obs_sink.SampleSink(self.store, 'r', self.pid,
                                   buffer_size=100)
        self.store.down = True
        for i in range(250):
            sink.add('api', 'compute', sample(100 + i))
            if i % 50 == 0:
                sink.flush()
        self.assertEqual(100, sink.pending())
        self.assertEqual(150, sink.dropped)
        self.store.down = False
        self.assertTrue(sink.flush())
        stored = self.real.list_samples('r')
        self.assertEqual(100, len(stored))
        self.assertEqual(250.0, stored[0]['sent_at'])
        gaps = {g['reason']: g for g in self.real.list_gaps('r')}
        overflow = gaps[models.GAP_BUFFER_OVERFLOW]
        self.assertEqual(150, overflow['lost_samples'])
        self.assertEqual(100.0, overflow['starts_at'])
        self.assertEqual(249.0, overflow['ends_at'])
        self.assertIn(models.GAP_STORE_UNAVAILABLE, gaps)
        self.assertEqual(150, self.real.get_process(
            self.pid)['samples_dropped'])

    def test_stop_flushes(self):
        sink = obs_sink.SampleSink(self.store, 'r', self.pid,
                                   flush_interval=10)
        sink.start()
        for i in range(5):
            sink.add('api', 'compute', sample(100 + i))
        self.assertTrue(sink.stop(timeout=5))
        self.assertEqual(5, len(self.real.list_samples('r')))
