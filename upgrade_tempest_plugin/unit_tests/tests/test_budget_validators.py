"""The budget validators: generated per profile, rendered from build()."""

import os
import types

import fixtures

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.tests import generated
from upgrade_tempest_plugin.tests.scenario import test_budgets
from upgrade_tempest_plugin.unit_tests.analysis import fakes
from upgrade_tempest_plugin.unit_tests import base


def _id_of(name):
    method = getattr(test_budgets.BudgetsPostUpgradeTest, name)
    return [a for a in method.__testtools_attrs if a.startswith('id-')]


class GeneratedBudgetTestsTest(base.TestCase):

    def test_every_profile_has_its_four_budget_tests(self):
        for name in generated.profile_names():
            for budget in ('downtime', 'availability', 'latency',
                           'recovery'):
                self.assertTrue(callable(getattr(
                    test_budgets.BudgetsPostUpgradeTest,
                    'test_%s_%s' % (name, budget), None)),
                    '%s %s' % (name, budget))

    def test_todays_ids_are_kept(self):
        self.assertEqual(['id-c707168d-a4fe-4d0e-a751-55fe43a3f3d1'],
                         _id_of('test_compute_downtime'))
        self.assertEqual(['id-3c3ee2bb-7010-49c0-a519-f56f6c1c99cd'],
                         _id_of('test_placement_availability'))
        self.assertEqual(['id-cdce7318-4f8c-46e5-81c9-760bccba653a'],
                         _id_of('test_identity_latency'))

    def test_a_profile_without_a_known_id_gets_uuid5(self):
        self.assertEqual(
            ['id-' + generated.test_id('budget-latency', 'object_storage')],
            _id_of('test_object_storage_latency'))
        ids = [_id_of(n)[0] for n in dir(test_budgets.BudgetsPostUpgradeTest)
               if n.startswith('test_')]
        self.assertEqual(len(ids), len(set(ids)))


class RenderTest(base.TestCase):
    """A validator fails with the message of build()'s verdict."""

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.store = store = store_api.open_store(
            'sqlite:///' + os.path.join(tmp, 'store.db'))
        self.addCleanup(store.close)
        store.add_samples(fakes.series(
            'compute', fakes.T0, fakes.T0 + 10,
            lambda t: 'refused' if t < fakes.T0 + 3 else 'ok'))
        self.analysis = run_analysis.build(store, fakes.RUN,
                                           budgets=fakes.Budgets)
        conf = types.SimpleNamespace(
            upgrade_observers=types.SimpleNamespace(services=[],
                                                    honour_enabled=False))
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.tests.scenario.test_budgets.CONF', conf))
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.tests.base.profiles',
            lambda: {'compute': object()}))
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.tests.base.ValidatorTest'
            '.skip_unless_usable', lambda self, profile: None))

    def call(self, name):
        """Test ``name`` of the class, on the analysis (no setUpClass)."""
        test = test_budgets.BudgetsPostUpgradeTest(name)
        test.analysis = self.analysis
        test.verdicts = run_analysis.verdicts_by_check(self.analysis)
        test.run_id = fakes.RUN
        test.stop_result = {'stopped': True}
        test.events_error = ''
        test.honour_error = ''
        return test, getattr(test, name)

    def test_downtime_fails_with_the_verdict_message(self):
        test, method = self.call('test_compute_downtime')
        error = self.assertRaises(AssertionError, method)
        self.assertIn('compute: 3.010 s of API downtime', str(error))
        self.assertIn('EXCEEDS budget 1.000 s', str(error))
        self.assertIn('"check": "downtime"',
                      test.getDetails()['verdict'].as_text())

    def test_availability_fails_below_its_budget(self):
        # 30 of 100 probes failed: below 95 %.
        _, method = self.call('test_compute_availability')
        error = self.assertRaises(AssertionError, method)
        self.assertIn('availability 70.000 %', str(error))

    def test_service_without_samples_fails(self):
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.tests.base.profiles',
            lambda: {'image': object()}))
        _, method = self.call('test_image_latency')
        error = self.assertRaises(AssertionError, method)
        self.assertIn('run run-a has no image samples', str(error))

    def test_recovery_reports_its_figure(self):
        # Report-only by default: passes, and carries the figure.
        test, method = self.call('test_compute_recovery')
        method()
        verdict = test.getDetails()['verdict'].as_text()
        self.assertIn('"check": "recovery"', verdict)
        self.assertIn('to recover baseline latency after 1 downtime '
                      'window(s)', verdict)
        self.assertIn('budget report-only', verdict)

    def test_a_historical_budget_names_its_history(self):
        budget_group = type('B', (fakes.Budgets,), {
            'historical_budgets': ['downtime']})
        self.analysis = run_analysis.build(self.store, fakes.RUN,
                                           budgets=budget_group)
        _, method = self.call('test_compute_downtime')
        error = self.assertRaises(AssertionError, method)
        self.assertIn('historical budget not applied: 0 comparable run(s) '
                      'measured this', str(error))
        self.assertIn('the fixed budget 1 applies', str(error))

    def test_both_connection_kinds_side_by_side(self):
        # Reused connections reset for 1 s more than new ones refused.
        self.store.add_samples(fakes.series(
            'compute', fakes.T0, fakes.T0 + 10,
            lambda t: 'reset' if t < fakes.T0 + 4 else 'ok',
            observer=models.API_REUSED))
        self.analysis = run_analysis.build(self.store, fakes.RUN,
                                           budgets=fakes.Budgets)
        test, method = self.call('test_compute_downtime')
        error = str(self.assertRaises(AssertionError, method))
        self.assertIn('connection new: compute: 3.010 s of API downtime',
                      error)
        self.assertIn('; connection reused: compute (connection reused): '
                      '4.010 s of API downtime', error)
        self.assertIn('"check": "downtime"',
                      test.getDetails()['verdicts'].as_text())
        # A kind within its budget is not in the message.
        _, method = self.call('test_compute_latency')
        method()

    def test_observation_complete_passes(self):
        test, method = self.call('test_observation_complete')
        method()
        self.assertIn('"passed": true',
                      test.getDetails()['verdict'].as_text())
