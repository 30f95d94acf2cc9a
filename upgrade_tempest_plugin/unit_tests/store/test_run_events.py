"""Events of a run, and the import of a JSON-lines event log."""

import json
import os
import time

import fixtures

from upgrade_tempest_plugin.unit_tests.store import fakes


class EventTests(object):

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


class SQLiteEventTest(EventTests, fakes.SQLiteCase):
    pass


class PostgreSQLEventTest(EventTests, fakes.PostgreSQLCase):
    pass


class MySQLEventTest(EventTests, fakes.MySQLCase):
    pass
