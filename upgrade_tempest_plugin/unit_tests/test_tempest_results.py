import io

import subunit

from upgrade_tempest_plugin import tempest_results
from upgrade_tempest_plugin.unit_tests import base


def _stream(outcomes):
    buf = io.BytesIO()
    writer = subunit.StreamResultToBytes(buf)
    for test_id, status in outcomes:
        writer.status(test_id=test_id, test_status='inprogress')
        writer.status(test_id=test_id, test_status=status)
    return buf.getvalue()


class TestSummarize(base.TestCase):

    def test_counts(self):
        data = _stream([('a', 'success'), ('b', 'fail'), ('c', 'skip'),
                        ('d', 'success'), ('e', 'xfail')])
        passed, failed, skipped = tempest_results.summarize(data)
        self.assertEqual(3, passed)
        self.assertEqual(['b'], failed)
        self.assertEqual(1, skipped)

    def test_empty_stream(self):
        self.assertEqual((0, [], 0), tempest_results.summarize(b''))


class TestVerdict(base.TestCase):

    def _summary(self, rc, passed, failed, skipped):
        return tempest_results.Summary(rc, passed, failed, skipped, failed)

    def test_pass(self):
        ok, text = tempest_results.verdict(self._summary(0, 3, [], 1))
        self.assertTrue(ok)
        self.assertEqual('3 passed, 0 failed, 1 skipped', text)

    def test_failure(self):
        ok, _ = tempest_results.verdict(self._summary(1, 3, ['x'], 0))
        self.assertFalse(ok)

    def test_all_skipped_is_a_failure_unless_allowed(self):
        summary = self._summary(1, 0, [], 4)
        ok, text = tempest_results.verdict(summary)
        self.assertFalse(ok)
        self.assertIn('nothing validated', text)
        ok, _ = tempest_results.verdict(summary, allow_all_skipped=True)
        self.assertTrue(ok)

    def test_broken_discovery(self):
        ok, text = tempest_results.verdict(self._summary(100, 0, [], 0))
        self.assertFalse(ok)
        self.assertIn('exited 100', text)

    def test_nonzero_exit_without_failures_is_not_ok(self):
        ok, _ = tempest_results.verdict(self._summary(2, 5, [], 0))
        self.assertFalse(ok)

    def test_outcome_words(self):
        self.assertEqual('passed', tempest_results.outcome(
            self._summary(0, 3, [], 1)))
        self.assertEqual('skipped', tempest_results.outcome(
            self._summary(1, 0, [], 4)))
        self.assertEqual('failed', tempest_results.outcome(
            self._summary(1, 2, ['x'], 0)))
        self.assertEqual('failed', tempest_results.outcome(
            self._summary(100, 0, [], 0)))
