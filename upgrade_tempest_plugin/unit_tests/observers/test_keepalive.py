"""Reused-connection probes against keep-alive servers on 127.0.0.1."""

import asyncio

from upgrade_tempest_plugin.observers import keepalive
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.observers import fakes


class KeepAliveTest(base.TestCase):

    def server(self, **kwargs):
        server = fakes.KeepAliveServer(**kwargs)
        self.addCleanup(server.stop)
        return server

    def probes(self, pool, count, between=None, timeout=2.0):
        """``count`` probes one after the other on one event loop."""
        async def run():
            samples = []
            for i in range(count):
                if between is not None:
                    between(i)
                samples.append(await keepalive.reused_probe(
                    pool, {}, timeout))
            pool.close()
            return samples
        return asyncio.run(run())

    def test_one_connection_carries_every_probe(self):
        server = self.server()
        pool = keepalive.KeepAlivePool(server.url, idle_timeout=5.0)
        samples = self.probes(pool, 5)
        self.assertEqual([models.OUTCOME_OK] * 5,
                         [s['outcome'] for s in samples])
        self.assertEqual(1, pool.opened)
        self.assertEqual(1, server.connections)

    def test_a_dropped_connection_is_a_reset_then_replaced(self):
        server = self.server()
        pool = keepalive.KeepAlivePool(server.url, idle_timeout=5.0)
        # Before the third probe the server drops its connections.
        samples = self.probes(pool, 4, between=lambda i: i == 2 and
                              server.drop())
        self.assertEqual([models.OUTCOME_OK, models.OUTCOME_OK,
                          models.OUTCOME_RESET, models.OUTCOME_OK],
                         [s['outcome'] for s in samples])
        self.assertTrue(samples[2]['detail'].startswith(
            'on a reused connection: '), samples[2]['detail'])
        # Reconnected only after the failure: the first and the fourth.
        self.assertEqual(2, pool.opened)
        self.assertEqual(2, server.connections)

    def test_a_server_that_closes_after_each_answer_is_followed(self):
        server = self.server(close_after_answer=True)
        pool = keepalive.KeepAlivePool(server.url, idle_timeout=5.0)
        samples = self.probes(pool, 3)
        self.assertEqual([models.OUTCOME_OK] * 3,
                         [s['outcome'] for s in samples])
        self.assertEqual(3, pool.opened)

    def test_an_idle_connection_past_its_timeout_is_not_reused(self):
        server = self.server()
        pool = keepalive.KeepAlivePool(server.url, idle_timeout=0.0)
        self.probes(pool, 3)
        self.assertEqual(3, pool.opened)

    def test_busy_pool_opens_extra_connections_and_keeps_its_size(self):
        server = self.server()
        pool = keepalive.KeepAlivePool(server.url, size=2, idle_timeout=5.0)

        async def run():
            first = await asyncio.gather(*(
                keepalive.reused_probe(pool, {}, 2.0) for _ in range(3)))
            kept = len(pool._idle)
            await keepalive.reused_probe(pool, {}, 2.0)
            pool.close()
            return first, kept
        first, kept = asyncio.run(run())
        self.assertEqual([models.OUTCOME_OK] * 3,
                         [s['outcome'] for s in first])
        self.assertEqual(3, pool.opened)
        self.assertEqual(2, kept)
        self.assertEqual(3, server.connections)

    def test_refused_and_hanging(self):
        pool = keepalive.KeepAlivePool(
            'http://127.0.0.1:%d/' % fakes.closed_port())
        [sample] = self.probes(pool, 1)
        self.assertEqual(models.OUTCOME_REFUSED, sample['outcome'])
        self.assertTrue(sample['detail'].startswith('on no connection: '),
                        sample['detail'])
        hang = fakes.RawServer('hang')
        self.addCleanup(hang.stop)
        pool = keepalive.KeepAlivePool(hang.url)
        [sample] = self.probes(pool, 1, timeout=0.3)
        self.assertEqual(models.OUTCOME_TIMEOUT, sample['outcome'])
        self.assertTrue(sample['detail'].startswith('on a new connection: '),
                        sample['detail'])
        self.assertEqual([], pool._idle)
