"""Budgets from history: a store holding synthetic comparable runs."""

import itertools
import json

import fixtures

from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin.analysis import history
from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin import config
from upgrade_tempest_plugin.unit_tests.analysis import fakes
from upgrade_tempest_plugin.unit_tests import base

T0 = fakes.T0


class HistoryBudgets(fakes.Budgets):
    max_downtime = 10.0
    max_downtime_per_service = {}
    historical_budgets = [budgets.DOWNTIME, budgets.AVAILABILITY]
    history_percentile = 95.0
    history_runs = 20
    history_min_runs = 5


def budgets_with(**attrs):
    return type('Budgets', (HistoryBudgets,), attrs)


class HistoryTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = self.sqlite_store()
        # Runs are created one clock tick apart, in the order added.
        clock = itertools.count(1)
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.store.engine.now',
            lambda: float(next(clock))))

    def add_run(self, run_id, outage=1.0, cloud='cloud-a', extra=None):
        """A run probing compute at 10 Hz for 30 s, down ``outage`` s.

        Every run has the same sample times, so equal outages give equal
        figures.  ``extra``: another outage (start offset, seconds).
        """
        self.store.ensure_run(run_id, cloud=cloud)
        self.store.register_process(run_id, 1, 'h', 'detached',
                                    attrs={'rate': 10.0}, at=T0)

        def outcome(t):
            if T0 + 12 <= t < T0 + 12 + outage:
                return 'refused'
            if extra and T0 + extra[0] <= t < T0 + extra[0] + extra[1]:
                return 'refused'
            return 'ok'
        samples = fakes.series('compute', T0, T0 + 30, outcome)
        for sample in samples:
            sample['run_id'] = run_id
        self.store.add_samples(samples)

    def build(self, run_id, budget_group=HistoryBudgets):
        result = run_analysis.build(self.store, run_id,
                                    budgets=budget_group)
        run_analysis.validate(result)
        json.dumps(result, allow_nan=False)
        return run_analysis.verdicts_by_check(result)

    def add_history(self, count, cloud='cloud-a'):
        for i in range(count):
            self.add_run('past-%s-%d' % (cloud, i), cloud=cloud)

    def test_a_run_like_its_predecessors_passes(self):
        self.add_history(6)
        self.add_run('now')
        down = self.build('now')[(budgets.DOWNTIME, 'compute')]
        self.assertTrue(down['passed'], down['message'])
        info = down['history']
        self.assertTrue(info['applied'])
        self.assertEqual(6, info['runs'])
        self.assertEqual(['past-cloud-a-%d' % i for i in range(5, -1, -1)],
                         info['run_ids'])
        self.assertEqual(95.0, info['percentile'])
        self.assertEqual(10.0, info['fixed'])
        # 10 refused probes, ended by the next probe's answer.
        self.assertAlmostEqual(1.01, info['figure'])
        self.assertEqual(info['figure'], down['limit'])
        self.assertEqual(down['measured'], info['figure'])

    def test_an_extra_outage_fails_and_the_verdict_names_the_history(self):
        self.add_history(6)
        self.add_run('now', extra=(20, 2.0))
        down = self.build('now')[(budgets.DOWNTIME, 'compute')]
        self.assertFalse(down['passed'])
        self.assertAlmostEqual(3.02, down['measured'])
        # Within the fixed budget of 10 s, still worse than its history.
        self.assertIn('historical budget: P95 of the last 6 comparable '
                      'runs (trend key %s) = 1.010; fixed fallback 10 not '
                      'applied' % down['history']['key'], down['message'])
        self.assertIn('EXCEEDS budget 1.010 s', down['message'])
        avail = self.build('now')[(budgets.AVAILABILITY, 'compute')]
        self.assertFalse(avail['passed'])
        # Lower is worse: the P5 of the past availabilities.
        self.assertEqual(5.0, avail['history']['percentile'])
        self.assertAlmostEqual(290 / 300 * 100, avail['history']['figure'])

    def test_too_few_runs_fall_back_to_the_fixed_budget(self):
        self.add_history(4)
        self.add_run('now', extra=(20, 2.0))
        down = self.build('now')[(budgets.DOWNTIME, 'compute')]
        # 3.02 s within the fixed 10 s: passes, and says why.
        self.assertTrue(down['passed'])
        self.assertEqual(10.0, down['limit'])
        self.assertFalse(down['history']['applied'])
        self.assertEqual(4, down['history']['runs'])
        self.assertIn('historical budget not applied: 4 comparable run(s) '
                      'measured this', down['message'])
        self.assertIn('fewer than the 5 required, their P95 1.010; the '
                      'fixed budget 10 applies', down['message'])
        strict = self.build('now', budgets_with(max_downtime=1.0))
        self.assertFalse(strict[(budgets.DOWNTIME, 'compute')]['passed'])

    def test_without_any_history_the_fixed_budget_applies(self):
        self.add_run('now', extra=(20, 2.0))
        down = self.build('now')[(budgets.DOWNTIME, 'compute')]
        self.assertEqual(0, down['history']['runs'])
        self.assertIsNone(down['history']['figure'])
        self.assertIn('0 comparable run(s) measured this (trend key %s), '
                      'fewer than the 5 required; the fixed budget 10 '
                      'applies' % down['history']['key'], down['message'])

    def test_only_comparable_earlier_runs_count(self):
        self.add_history(3)
        # Another cloud: another trend key, however bad.
        self.add_history(5, cloud='cloud-b')
        self.add_run('now')
        # Created after the judged run: not its history.
        self.add_history(5)
        down = self.build('now')[(budgets.DOWNTIME, 'compute')]
        self.assertEqual(['past-cloud-a-2', 'past-cloud-a-1',
                          'past-cloud-a-0'], down['history']['run_ids'])
        self.assertFalse(down['history']['applied'])

    def test_the_newest_history_runs_only(self):
        for i in range(4):
            self.add_run('old-%d' % i, outage=5.0)
        self.add_history(5)
        self.add_run('now', outage=2.0)
        verdicts = self.build('now', budgets_with(history_runs=5))
        down = verdicts[(budgets.DOWNTIME, 'compute')]
        self.assertEqual(5, down['history']['runs'])
        self.assertNotIn('old-0', down['history']['run_ids'])
        self.assertFalse(down['passed'])
        # With the older, worse runs the P95 allows the 2 s outage.
        verdicts = self.build('now', budgets_with(history_runs=9))
        self.assertTrue(verdicts[(budgets.DOWNTIME, 'compute')]['passed'])

    def test_percentile_and_minimum_are_settings(self):
        for i, outage in enumerate((1.0, 1.5, 2.0, 2.5, 3.0)):
            self.add_run('past-%d' % i, outage=outage)
        self.add_run('now', outage=2.0)
        median = self.build('now', budgets_with(history_percentile=50.0))
        down = median[(budgets.DOWNTIME, 'compute')]
        self.assertAlmostEqual(2.01, down['limit'])
        self.assertTrue(down['passed'])
        low = self.build('now', budgets_with(history_percentile=20.0))
        self.assertFalse(low[(budgets.DOWNTIME, 'compute')]['passed'])
        fixed = self.build('now', budgets_with(history_min_runs=6,
                                               max_downtime=1.5))
        down = fixed[(budgets.DOWNTIME, 'compute')]
        self.assertEqual(1.5, down['limit'])
        self.assertFalse(down['passed'])

    def test_checks_not_named_stay_fixed_and_carry_no_history(self):
        self.add_history(6)
        self.add_run('now')
        verdicts = self.build('now')
        self.assertNotIn('history', verdicts[(budgets.LATENCY, 'compute')])
        self.assertNotIn('history',
                         verdicts[(budgets.UNOBSERVED, 'observers')])
        plain = self.build('now', fakes.Budgets)
        self.assertNotIn('history', plain[(budgets.DOWNTIME, 'compute')])

    def test_config_names_every_check_judge_makes(self):
        self.add_run('now')
        self.store.add_honour_request('now', 'network', 'network', 'n1',
                                      T0 + 1, accepted_at=T0 + 1)
        checks = {check for check, _target in self.build('now')}
        # The data plane is judged only with a data-plane target.
        checks.add(budgets.DATAPLANE_LOSS)
        self.assertEqual(checks, set(config.HISTORICAL_CHECKS))


class SettingsTest(base.TestCase):

    def test_no_historical_budget_no_settings(self):
        self.assertIsNone(history.Settings.of(fakes.Budgets))

    def test_defaults(self):
        settings = history.Settings.of(type(
            'B', (), {'historical_budgets': ['downtime']}))
        self.assertEqual((95.0, 20, 5), (settings.percentile, settings.runs,
                                         settings.min_runs))
