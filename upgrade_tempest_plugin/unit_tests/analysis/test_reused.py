"""Reused-connection series: analysed apart, judged and shown beside."""

from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.cmd import analyse
from upgrade_tempest_plugin.report import data
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.analysis import fakes
from upgrade_tempest_plugin.unit_tests import base

T0 = fakes.T0


class ReusedTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = self.sqlite_store()
        # New connections: compute never fails.  Reused ones: reset from
        # 12 s to 12.5 s (a restart that new connections did not see),
        # and identity's outage at 20 s is not compute's.
        self.store.add_samples(fakes.series('compute', T0, T0 + 30,
                                            lambda t: 'ok'))

        def reused(t):
            if T0 + 12 <= t < T0 + 12.5:
                return models.OUTCOME_RESET
            if T0 + 20 <= t < T0 + 21:
                return models.OUTCOME_AUTH_FAILED
            return 'ok'
        self.store.add_samples(fakes.series(
            'compute', T0, T0 + 30, reused, observer=models.API_REUSED))
        self.result = run_analysis.build(self.store, fakes.RUN,
                                         budgets=fakes.Budgets)
        run_analysis.validate(self.result)

    def test_analysed_apart(self):
        self.assertEqual([], self.result['services']['compute'][
            'downtime_windows'])
        reused = self.result['reused']['compute']
        self.assertEqual(models.API_REUSED, reused['observer'])
        [window] = reused['downtime_windows']
        self.assertEqual({models.OUTCOME_RESET: 5}, window['outcomes'])
        self.assertAlmostEqual(0.51, window['duration'])
        # identity's failures are left out, as on the new-connection row.
        self.assertEqual(10, reused['ignored'])

    def test_judged_under_the_service_budgets(self):
        verdicts = run_analysis.verdicts_by_check(self.result)
        self.assertTrue(verdicts[(budgets.DOWNTIME, 'compute')]['passed'])
        reused = verdicts[(budgets.DOWNTIME,
                           'compute (connection reused)')]
        self.assertTrue(reused['passed'])
        self.assertTrue(reused['message'].startswith(
            'compute (connection reused): 0.510 s of API downtime'),
            reused['message'])
        strict = type('B', (fakes.Budgets,), {'max_downtime': 0.1})
        verdicts = run_analysis.verdicts_by_check(run_analysis.build(
            self.store, fakes.RUN, budgets=strict))
        self.assertTrue(verdicts[(budgets.DOWNTIME, 'compute')]['passed'])
        self.assertFalse(verdicts[(budgets.DOWNTIME,
                                   'compute (connection reused)')]['passed'])

    def test_side_by_side_in_analyse_and_the_report(self):
        rows = analyse.service_rows(self.result)
        self.assertEqual([('compute', 'new', 0), ('compute', 'reused', 1)],
                         [(r[0], r[1], r[6]) for r in rows])
        [windows] = [s for s in analyse.sections(self.result)
                     if s[0] == 'downtime windows']
        self.assertEqual(['compute (connection reused)'],
                         [r[0] for r in windows[2]])
        tables = data.tables(self.result)
        self.assertEqual(['compute', 'compute (connection reused)'],
                         [r['name'] for r in tables['services']])
        self.assertEqual(['compute (connection reused)'],
                         [w['target'] for w in tables['windows']])

    def test_without_reused_samples_nothing_changes(self):
        self.store.add_samples(fakes.series('image', T0, T0 + 30,
                                            lambda t: 'ok'))
        result = run_analysis.build(self.store, fakes.RUN)
        self.assertNotIn('image', result['reused'])
        self.assertEqual([('compute', 'new'), ('compute', 'reused'),
                          ('image', 'new')],
                         [r[:2] for r in analyse.service_rows(result)])
