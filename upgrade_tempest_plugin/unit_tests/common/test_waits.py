"""``waits.until``: polls, fails fast, times out with the last value."""

from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin.unit_tests import base


class FakeClock(object):

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class UntilTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.time = FakeClock()

    def until(self, fetch, timeout=10, interval=2, **kw):
        return waits.until(fetch, timeout, interval, clock=self.time.clock,
                           sleep=self.time.sleep, **kw)

    def test_returns_the_first_value_that_is_done(self):
        values = iter([0, None, '', 'ready', 'later'])
        self.assertEqual('ready', self.until(lambda: next(values)))
        self.assertEqual([2, 2, 2], self.time.sleeps)

    def test_done_at_once_never_sleeps(self):
        self.assertEqual(1, self.until(lambda: 1))
        self.assertEqual([], self.time.sleeps)

    def test_custom_done(self):
        values = iter([[3, 2], [1], []])
        self.assertEqual([], self.until(lambda: next(values),
                                        done=lambda v: not v))
        self.assertEqual(2, len(self.time.sleeps))

    def test_timeout_carries_the_last_value(self):
        calls = []

        def fetch():
            calls.append(self.time.now)
            return ['still', len(calls)]

        e = self.assertRaises(waits.TimedOut, self.until, fetch,
                              done=lambda v: False)
        # polled at 0, 2, ..., 10 s: the last poll is at the deadline
        self.assertEqual([100, 102, 104, 106, 108, 110], calls)
        self.assertEqual(['still', 6], e.last)
        self.assertEqual(10, e.timeout)
        self.assertIn("after 10 s (last: ['still', 6])", str(e))

    def test_an_exception_fails_at_once(self):
        calls = []

        def fetch():
            calls.append(1)
            if len(calls) == 3:
                raise ValueError('dead')
            return False

        e = self.assertRaises(ValueError, self.until, fetch)
        self.assertEqual('dead', str(e))
        self.assertEqual(3, len(calls))
        self.assertEqual([2, 2], self.time.sleeps)

    def test_a_passed_deadline_still_polls_once(self):
        self.assertEqual('up', self.until(lambda: 'up', timeout=-5))
        e = self.assertRaises(waits.TimedOut, self.until, lambda: None,
                              timeout=0)
        self.assertIsNone(e.last)
        self.assertEqual([], self.time.sleeps)

    def test_real_clock_by_default(self):
        values = iter([False, True])
        self.assertTrue(waits.until(lambda: next(values), 5, 0.01))
