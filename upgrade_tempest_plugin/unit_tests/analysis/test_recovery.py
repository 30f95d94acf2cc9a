"""Recovery and degradation after downtime windows: known answers.

The samples are 0.25 s apart from an integral T0, so every sent time and
every span of the rolling median is exact in binary floating point.
Baseline latency 10 ms (p50 = p95 = band), slow 50 ms.
"""

from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.analysis import recovery
from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.analysis import fakes
from upgrade_tempest_plugin.unit_tests import base

T0 = fakes.T0
FAST, SLOW = 0.01, 0.05


def within(t, *spans):
    return any(T0 + a <= t < T0 + b for a, b in spans)


class RecoveryTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = self.sqlite_store()

    def figures(self, down, slow, end=30, spikes=()):
        """compute for ``end`` s: refused in ``down``, slow in ``slow``."""
        def outcome(t):
            return 'refused' if within(t, *down) else 'ok'

        def latency(t):
            if any(t == T0 + s for s in spikes):
                return 1.0
            return SLOW if within(t, *slow) else FAST
        self.store.add_samples(fakes.series('compute', T0, T0 + end,
                                            outcome, latency, step=0.25))
        return downtime.analyse_target(self.store, fakes.RUN, models.API,
                                       'compute', baseline_seconds=10.0)

    def test_back_when_the_rolling_median_holds_within_the_band(self):
        figures = self.figures(down=[(12, 13)], slow=[(13, 16)])
        [window] = figures['downtime_windows']
        self.assertAlmostEqual(T0 + 13.05, window['end'])
        back = window['recovery']
        self.assertTrue(back['recovered'])
        # At 16.75 the 2 s median (15.0-16.75: 4 slow, 4 fast) is 10 ms.
        self.assertAlmostEqual(16.75 - 13.05, back['seconds'])
        # 13.25-16.5: 11 slow probes and 3 fast ones.
        self.assertEqual(14, back['samples'])
        mean = (11 * SLOW + 3 * FAST) / 14
        self.assertAlmostEqual(mean, back['mean_latency'])
        self.assertAlmostEqual(mean - FAST, back['degradation'])
        self.assertAlmostEqual(mean / FAST, back['degradation_ratio'])
        self.assertEqual(SLOW, back['latency']['p95'])
        totals = figures['recovery']
        self.assertEqual(
            (FAST, recovery.MEDIAN_SECONDS, recovery.HOLD_SECONDS, 1, 0,
             14), (totals['band'], totals['median_seconds'],
                   totals['hold_seconds'], totals['windows'],
                   totals['unrecovered'], totals['samples']))
        self.assertAlmostEqual(3.7, totals['total_seconds'])
        self.assertAlmostEqual(3.7, totals['longest_seconds'])
        self.assertAlmostEqual(mean - FAST, totals['degradation'])

    def test_never_back_runs_to_the_last_sample(self):
        figures = self.figures(down=[(12, 13)], slow=[(13, 30)])
        back = figures['downtime_windows'][0]['recovery']
        self.assertFalse(back['recovered'])
        self.assertAlmostEqual(29.75 - 13.05, back['seconds'])
        self.assertEqual(67, back['samples'])
        self.assertAlmostEqual(SLOW - FAST, back['degradation'])
        self.assertAlmostEqual(5.0, back['degradation_ratio'])
        self.assertEqual(1, figures['recovery']['unrecovered'])

    def test_back_at_once_is_one_probe_interval_without_degradation(self):
        figures = self.figures(down=[(12, 13)], slow=[])
        back = figures['downtime_windows'][0]['recovery']
        self.assertTrue(back['recovered'])
        self.assertAlmostEqual(13.25 - 13.01, back['seconds'])
        self.assertEqual(0, back['samples'])
        self.assertIsNone(back['degradation'])
        self.assertIsNone(figures['recovery']['degradation'])

    def test_one_slow_probe_does_not_break_the_hold(self):
        figures = self.figures(down=[(12, 13)], slow=[], spikes=[14.0])
        back = figures['downtime_windows'][0]['recovery']
        self.assertAlmostEqual(13.25 - 13.01, back['seconds'])

    def test_the_next_window_ends_an_unfinished_recovery(self):
        figures = self.figures(down=[(12, 13), (15, 16)], slow=[(13, 15)])
        first, second = figures['downtime_windows']
        self.assertFalse(first['recovery']['recovered'])
        self.assertAlmostEqual(15.0 - 13.05, first['recovery']['seconds'])
        self.assertEqual(7, first['recovery']['samples'])
        self.assertTrue(second['recovery']['recovered'])
        self.assertAlmostEqual(16.25 - 16.01, second['recovery']['seconds'])
        totals = figures['recovery']
        self.assertEqual((2, 1, 7), (totals['windows'],
                                     totals['unrecovered'],
                                     totals['samples']))
        self.assertAlmostEqual(1.95 + 0.24, totals['total_seconds'])
        self.assertAlmostEqual(1.95, totals['longest_seconds'])

    def test_a_hold_cut_short_by_the_end_is_not_a_recovery(self):
        figures = self.figures(down=[(12, 13)], slow=[], end=15)
        back = figures['downtime_windows'][0]['recovery']
        self.assertFalse(back['recovered'])
        self.assertAlmostEqual(14.75 - 13.01, back['seconds'])

    def test_open_window_and_missing_baseline_have_no_recovery(self):
        figures = self.figures(down=[(25, 30)], slow=[])
        self.assertIsNone(figures['downtime_windows'][0]['recovery'])
        self.assertEqual(0, figures['recovery']['windows'])
        self.assertEqual(0.0, figures['recovery']['total_seconds'])
        self.store.add_samples(fakes.series(
            'image', T0, T0 + 30,
            lambda t: 'refused' if t < T0 + 12 else 'ok', step=0.25))
        image = downtime.analyse_target(self.store, fakes.RUN, models.API,
                                        'image', baseline_seconds=10.0)
        self.assertIsNone(image['recovery'])
        self.assertIsNone(image['downtime_windows'][0]['recovery'])
        verdict = budgets.check_recovery(image, 1.0)
        self.assertTrue(verdict.passed)
        self.assertIsNone(verdict.measured)
        self.assertIn('no latency baseline', verdict.message)

    def test_budget_and_schema(self):
        self.figures(down=[(12, 13)], slow=[(13, 16)])
        group = type('B', (fakes.Budgets,), {'max_recovery': 1.0})
        result = run_analysis.build(self.store, fakes.RUN, budgets=group,
                                    baseline_seconds=10.0)
        run_analysis.validate(result)
        verdict = run_analysis.verdicts_by_check(result)[
            (budgets.RECOVERY, 'compute')]
        self.assertFalse(verdict['passed'])
        self.assertAlmostEqual(3.7, verdict['measured'])
        self.assertIn('compute: 3.700 s to recover baseline latency after 1 '
                      'downtime window(s) (longest 3.700 s) EXCEEDS budget '
                      '1.000 s; back = rolling 2 s median within the '
                      'baseline p95 10.0 ms for 3 s; latency during '
                      'recovery 41.4 ms on average, +31.4 ms (4.14 x the '
                      'baseline p50)', verdict['message'])
        report_only = run_analysis.build(self.store, fakes.RUN,
                                         budgets=fakes.Budgets,
                                         baseline_seconds=10.0)
        self.assertTrue(run_analysis.verdicts_by_check(report_only)[
            (budgets.RECOVERY, 'compute')]['passed'])
