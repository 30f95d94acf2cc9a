"""The step event: its JSON-lines form, the old form, what is a step."""

import io
import json
import os

import fixtures

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.unit_tests import base


class EventsTest(base.TestCase):

    def test_json_lines_and_printed(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'e')
        out = io.StringIO()
        log = events.EventLog(path, out)
        log.emit('nova', 'migrate', '33.0.2', '34.0.0', 'ok', 1.23456)
        log.emit('nova', 'start', '33.0.2', '34.0.0', 'failed')
        with open(path) as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual(['migrate', 'start'], [e['action'] for e in lines])
        self.assertEqual({'source', 'object', 'action', 'outcome', 'started',
                          'time', 'seconds', 'from_version', 'to_version'},
                         set(lines[0]))
        self.assertEqual(('sandbox', 'nova', 'ok'), (
            lines[0]['source'], lines[0]['object'], lines[0]['outcome']))
        self.assertEqual(1.235, lines[0]['seconds'])
        parsed = events.parse(json.dumps(lines[0]))
        self.assertAlmostEqual(1.235, parsed['ended'] - parsed['started'],
                               delta=0.002)
        self.assertIn('33.0.2 -> 34.0.0: failed', out.getvalue())

    def test_step_started_earlier_ends_after_its_own_seconds(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'e')
        event = events.EventLog(path, io.StringIO()).emit(
            'glance', 'stage', '32.0.0', '33.0.0', 'ok', 42.0,
            detail='installed glance-33.0.0', started=1000.0)
        self.assertEqual('1970-01-01T00:16:40.000+00:00', event['started'])
        self.assertEqual('1970-01-01T00:17:22.000+00:00', event['time'])

    def test_round_trip(self):
        event = events.step(events.CAMPAIGN, 'compute', 'upgrade', 'failed',
                            100.0, 112.5, error_code='timeout',
                            detail='step ran past 10 s')
        parsed = events.parse(events.dumps(event))
        self.assertEqual(
            {'source': 'campaign', 'object': 'compute', 'action': 'upgrade',
             'outcome': 'failed', 'started': 100.0, 'ended': 112.5,
             'from_version': None, 'to_version': None,
             'error_code': 'timeout', 'detail': 'step ran past 10 s',
             'seconds': 12.5}, parsed)

    def test_old_form_still_parses(self):
        # events.jsonl as the sandbox wrote it before: "service" and
        # "result", no "started" (start = end - seconds), no "source".
        parsed = events.parse(
            '{"action": "stop", "service": "keystone", "result": "ok", '
            '"seconds": 1.5, "time": "2026-11-22T01:44:23.096+00:00"}',
            source='sandbox')
        self.assertEqual(('sandbox', 'keystone', 'ok'), (
            parsed['source'], parsed['object'], parsed['outcome']))
        self.assertAlmostEqual(1795311863.096 - 1.5, parsed['started'],
                               places=3)

    def test_lines_that_are_no_event(self):
        for line in ('', 'not json', '[]', '{"time": "2026-01-01T00:00"}',
                     '{"action": "x"}', '{"action": "x", "time": 5}'):
            self.assertIsNone(events.parse(line), line)

    def test_only_step_sources_are_steps(self):
        self.assertEqual(
            [events.SANDBOX, events.CAMPAIGN, events.DRIVER],
            [s for s in events.SOURCES if events.is_step({'source': s})])
        # A source added later is a note until it is listed as a step.
        self.assertFalse(events.is_step({'source': 'report'}))
