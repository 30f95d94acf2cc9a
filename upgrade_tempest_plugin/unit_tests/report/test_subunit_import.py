"""Tempest results into the store."""

from upgrade_tempest_plugin.report import subunit_import
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes

STREAM = [
    ('a.B.test_ok[id-1,smoke]', 'success', 0, 1.5, None),
    ('a.B.test_bad[id-2]', 'fail', 2, 2.25, 'Traceback: boom'),
    ('a.B.test_skip', 'skip', 3, 3, 'no volume service'),
    ('a.B.listed', 'exists', 4, 4, None),
]


class ParseTest(base.TestCase):

    def test_rows(self):
        rows = subunit_import.parse(fakes.subunit_stream(STREAM))
        self.assertEqual([
            ('a.B.test_ok', 'success', fakes.T0, 1.5, None),
            ('a.B.test_bad', 'fail', fakes.T0 + 2, 0.25, 'Traceback: boom'),
            ('a.B.test_skip', 'skip', fakes.T0 + 3, 0.0,
             'no volume service'),
        ], [(r['test_id'], r['status'], r['started_at'], r['duration'],
             r['detail']) for r in rows])

    def test_text_that_is_no_subunit_is_ignored(self):
        stream = b'some tempest output\n' + fakes.subunit_stream(STREAM[:1])
        self.assertEqual(['a.B.test_ok'], [
            r['test_id'] for r in subunit_import.parse(stream)])

    def test_subunit_v1_as_stestr_keeps_it(self):
        stream = fakes.subunit_v1_stream()
        self.assertTrue(subunit_import.is_v1(stream))
        rows = subunit_import.parse(stream)
        self.assertEqual([
            ('a.B.test_ok', 'success', fakes.T0, 1.5, None),
            ('a.B.test_bad', 'fail', fakes.T0 + 1.5, 0.5,
             'Traceback: boom'),
            ('a.B.test_skip', 'skip', fakes.T0 + 2, 0.0,
             'no volume service'),
        ], [(r['test_id'], r['status'], r['started_at'], r['duration'],
             r['detail']) for r in rows])

    def test_v2_is_not_v1(self):
        self.assertFalse(subunit_import.is_v1(fakes.subunit_stream(STREAM)))
        self.assertFalse(subunit_import.is_v1(b'plain output\n'))

    def test_an_empty_stream_has_no_result(self):
        self.assertEqual([], subunit_import.parse(b''))


class ImportTest(base.TestCase):

    def test_import_counts_and_stores_by_phase(self):
        store = fakes.memory_store(self)
        stream = fakes.subunit_stream(STREAM)
        summary = subunit_import.import_stream(store, 'r1', stream,
                                               phase='post-upgrade')
        self.assertEqual({'tests': 3, 'added': 3, 'status': {
            'success': 1, 'fail': 1, 'skip': 1}}, summary)
        self.assertEqual(
            ['post-upgrade'] * 3,
            [r['phase'] for r in store.list_test_results('r1')])
        again = subunit_import.import_stream(store, 'r1', stream,
                                             phase='post-upgrade')
        self.assertEqual(0, again['added'])
