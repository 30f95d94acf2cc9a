"""The store API against SQLite always, and against PostgreSQL and MariaDB
when ``UPGRADE_TEMPEST_TEST_PG_URL`` / ``UPGRADE_TEMPEST_TEST_MYSQL_URL``
name a database (``tools/start-test-databases.sh`` starts throwaway ones).
"""

import fixtures
import json
import multiprocessing
import os
import sqlalchemy as sa
import time
import uuid

from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base

PG_ENV = 'UPGRADE_TEMPEST_TEST_PG_URL'
MYSQL_ENV = 'UPGRADE_TEMPEST_TEST_MYSQL_URL'


def _open_in_child(url, queue):
    try:
        store = store_api.open_store(url)
        store.ensure_run('shared-run', child=os.getpid())
        queue.put('ok')
    except Exception as exc:   # reported to the parent
        queue.put(repr(exc))


class StoreTestMixin(object):
    """The tests; subclasses give the URL."""

    def url(self):
        raise NotImplementedError

    def setUp(self):
        super().setUp()
        self.store = store_api.open_store(self.url())
        self.addCleanup(self.store.close)
        # A run id of its own per test, so shared databases need no reset.
        self.run_id = 'test-' + uuid.uuid4().hex[:12]

    def test_schema_is_at_head(self):
        self.assertEqual(store_api.head_revision(),
                         store_api.current_revision(self.store.engine))
        # Opening again is a no-op.
        store_api.open_store(self.url()).close()

    def test_run_attrs_merge(self):
        self.store.ensure_run(self.run_id, phase='pre-upgrade')
        run = self.store.ensure_run(self.run_id, cloud='sandbox')
        self.assertEqual({'phase': 'pre-upgrade', 'cloud': 'sandbox'},
                         run['attrs'])

    def test_events_in_time_order(self):
        self.store.add_event(self.run_id, 'sandbox', 'upgrade-end',
                             service='identity', at=20.5)
        self.store.add_event(self.run_id, 'sandbox', 'upgrade-start',
                             service='identity', from_version='2026.1',
                             to_version='2026.2', result='ok',
                             detail={'step': 1}, at=10.25)
        events = self.store.list_events(self.run_id)
        self.assertEqual(['upgrade-start', 'upgrade-end'],
                         [e['action'] for e in events])
        self.assertEqual(10.25, events[0]['at'])
        self.assertEqual({'step': 1}, events[0]['detail'])
        self.assertEqual('2026.2', events[0]['to_version'])

    def test_event_default_time_is_now(self):
        before = time.time()
        self.store.add_event(self.run_id, 'observer', 'start')
        event = self.store.list_events(self.run_id)[0]
        self.assertGreaterEqual(event['at'], before - 0.001)
        self.assertLessEqual(event['at'], time.time() + 0.001)

    def test_import_events_jsonl(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'events.jsonl')
        with open(path, 'w') as f:
            f.write('{"action": "stop", "service": "keystone", '
                    '"from_version": "29.1.0", "to_version": "30.0.0", '
                    '"result": "ok", "seconds": 1.5, '
                    '"time": "2026-11-22T01:44:23.096+00:00"}\n')
            f.write('not json\n')
            f.write('{"action": "old", "service": "nova", '
                    '"time": "2020-01-01T00:00:00+00:00"}\n')
        since = 1763775000.0   # 2025-11-22: the second line is older
        self.assertEqual(1, self.store.import_events_jsonl(
            self.run_id, path, since=since))
        self.assertEqual(0, self.store.import_events_jsonl(
            self.run_id, path, since=since))
        [event] = self.store.list_events(self.run_id)
        self.assertEqual('sandbox', event['source'])
        self.assertEqual('keystone', event['service'])
        self.assertAlmostEqual(1795311863.096 - 1.5, event['at'], places=3)
        self.assertEqual(1.5, event['detail']['seconds'])

    def test_import_events_with_start_and_end(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'events.jsonl')
        with open(path, 'w') as f:
            for service in ('nova', 'cinder'):
                # Two overlapping steps: each keeps its own start and end.
                f.write(json.dumps({
                    'action': 'stage', 'service': service, 'result': 'ok',
                    'started': '2026-11-22T01:40:00.000+00:00',
                    'time': '2026-11-22T01:44:0%d.000+00:00'
                            % (1 if service == 'nova' else 2),
                    'seconds': 241}) + '\n')
        self.assertEqual(2, self.store.import_events_jsonl(self.run_id,
                                                           path))
        events = self.store.list_events(self.run_id)
        start = 1795311600.0
        self.assertEqual([start, start], [e['at'] for e in events])
        self.assertEqual({start + 241, start + 242},
                         {e['detail']['ended_at'] for e in events})

    def test_workload_upsert(self):
        first = self.store.record_workload(
            self.run_id, 'server', 'vm1', 'id-1', 'compute',
            attrs={'flavor': 'm1.tiny'})
        self.assertEqual('id-1', first['resource_id'])
        self.assertIsNone(first['deleted_at'])
        self.assertIsNone(first['state'])
        second = self.store.record_workload(
            self.run_id, 'server', 'vm1', 'id-2', 'compute',
            attrs={'image': 'cirros'}, parent='net1')
        self.assertEqual('id-2', second['resource_id'])
        self.assertEqual({'flavor': 'm1.tiny', 'image': 'cirros'},
                         second['attrs'])
        self.assertEqual('net1', second['parent'])
        listed = self.store.list_workloads(self.run_id)
        self.assertEqual(1, len(listed))
        self.assertEqual(
            {'run_id', 'kind', 'name', 'resource_id', 'service', 'attrs',
             'parent', 'created_at', 'deleted_at', 'state'},
            set(listed[0]))

    def test_workload_state_delete_and_filters(self):
        self.store.record_workload(self.run_id, 'server', 'vm1', 'a',
                                   'compute')
        self.store.record_workload(self.run_id, 'volume', 'vol1', 'b',
                                   'volume')
        self.assertTrue(self.store.set_workload_state(
            self.run_id, 'server', 'vm1', 'ACTIVE', attrs={'ip': '10.0.0.3'}))
        self.assertFalse(self.store.set_workload_state(
            self.run_id, 'server', 'nope', 'ACTIVE'))
        server = self.store.list_workloads(self.run_id, kind='server')[0]
        self.assertEqual('ACTIVE', server['state'])
        self.assertEqual({'ip': '10.0.0.3'}, server['attrs'])
        self.assertTrue(self.store.mark_workload_deleted(
            self.run_id, 'volume', 'vol1'))
        self.assertEqual(['vm1'], [w['name'] for w in
                                   self.store.list_workloads(self.run_id)])
        everything = self.store.list_workloads(self.run_id,
                                               include_deleted=True)
        self.assertEqual(2, len(everything))
        deleted = [w for w in everything if w['name'] == 'vol1'][0]
        self.assertIsNotNone(deleted['deleted_at'])
        self.assertEqual(deleted, self.store.get_workload(
            self.run_id, 'volume', 'vol1'))
        self.assertIsNone(self.store.get_workload(self.run_id, 'server',
                                                  'vol1'))
        # Recording it again brings it back.
        self.store.record_workload(self.run_id, 'volume', 'vol1', 'c',
                                   'volume')
        self.assertEqual(2, len(self.store.list_workloads(self.run_id)))

    def test_samples_processes_gaps(self):
        pid = self.store.register_process(self.run_id, 123, 'host', 'detached',
                                          attrs={'services': ['compute']})
        now = time.time()
        samples = [dict(run_id=self.run_id, observer=models.API,
                        target='compute', sent_at=now + i * 0.1,
                        answered_at=now + i * 0.1 + 0.01, latency=0.01,
                        outcome='ok', status=200, process_id=pid)
                   for i in range(50)]
        self.store.add_samples(samples, heartbeat={
            'process_id': pid, 'at': now + 5, 'samples_written': 50})
        stored = self.store.list_samples(self.run_id, target='compute')
        self.assertEqual(50, len(stored))
        self.assertAlmostEqual(now + 0.1, stored[1]['sent_at'], places=5)
        process = self.store.get_process(pid)
        self.assertEqual(now + 5, process['heartbeat_at'])
        self.assertEqual(50, process['samples_written'])
        self.store.process_stopped(pid, 'SIGTERM')
        self.assertEqual('SIGTERM', self.store.list_processes(
            self.run_id)[0]['stop_reason'])
        self.store.add_gap(self.run_id, now, now + 3,
                           models.GAP_STORE_UNAVAILABLE, lost_samples=0)
        self.assertEqual(3.0, round(self.store.list_gaps(
            self.run_id)[0]['ends_at'] - now, 6))
        targets = self.store.sample_targets(self.run_id)
        self.assertEqual([('api', 'compute', 50)],
                         [t[:3] for t in targets])

    def test_honour_ledger(self):
        rid = self.store.add_honour_request(
            self.run_id, 'network', 'network', 'honour-net-1',
            requested_at=1.0, accepted_at=1.2, status=201,
            resource_id='abc', target_state='ACTIVE')
        self.store.update_honour_request(
            rid, outcome=models.HONOUR_HONOURED, final_state='ACTIVE')
        rows = self.store.list_honour_requests(self.run_id)
        self.assertEqual(models.HONOUR_HONOURED, rows[0]['outcome'])
        self.assertEqual([], self.store.list_honour_requests(
            self.run_id, outcome=models.HONOUR_PENDING))

    def test_test_results(self):
        self.store.add_test_result(self.run_id, 'a.b.test_x', 'success',
                                   phase='pre-upgrade', started_at=1.0,
                                   duration=0.5)
        self.assertEqual('success', self.store.list_test_results(
            self.run_id)[0]['status'])

    def test_open_from_several_processes(self):
        ctx = multiprocessing.get_context('spawn')
        queue = ctx.Queue()
        children = [ctx.Process(target=_open_in_child,
                                args=(self.url(), queue))
                    for _ in range(3)]
        for child in children:
            child.start()
        results = [queue.get(timeout=60) for _ in children]
        for child in children:
            child.join(30)
        self.assertEqual(['ok'] * 3, results)

    def test_url_hides_password(self):
        self.assertNotIn('s3cret', store_api.safe_url(
            'postgresql://u:s3cret@h/db'))


class SQLiteStoreTest(StoreTestMixin, base.TestCase):

    def url(self):
        if not hasattr(self, '_dir'):
            self._dir = self.useFixture(fixtures.TempDir()).path
        return 'sqlite:///' + os.path.join(self._dir, 'sub', 'store.db')

    def test_wal_mode(self):
        with self.store.engine.connect() as conn:
            mode = conn.execute(sa.text('PRAGMA journal_mode')).scalar()
        self.assertEqual('wal', mode)

    def test_fresh_schema_matches_models(self):
        # The migrations create exactly what models.py declares.
        from alembic import autogenerate
        from alembic.runtime import migration
        with self.store.engine.connect() as conn:
            ctx = migration.MigrationContext.configure(
                conn, opts={'compare_type': True})
            diff = autogenerate.compare_metadata(ctx, models.metadata)
        self.assertEqual([], diff)


class PostgreSQLStoreTest(StoreTestMixin, base.TestCase):

    def url(self):
        url = os.environ.get(PG_ENV)
        if not url:
            self.skipTest('%s is not set' % PG_ENV)
        return url


class MySQLStoreTest(StoreTestMixin, base.TestCase):

    def url(self):
        url = os.environ.get(MYSQL_ENV)
        if not url:
            self.skipTest('%s is not set' % MYSQL_ENV)
        return url
