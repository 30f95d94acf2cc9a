"""One run analysis: build() on a store, and its JSON schema."""

import copy
import json
import os

import fixtures
import jsonschema

from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.analysis import fakes
from upgrade_tempest_plugin.unit_tests import base

RUN = fakes.RUN
T0 = fakes.T0


def verdict(result, check, target):
    return run_analysis.verdicts_by_check(result).get((check, target))


class BuildTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.store = store_api.open_store(
            'sqlite:///' + os.path.join(self.tmp, 'store.db'))
        self.addCleanup(self.store.close)
        # The observer started at T0 and probed compute at 10 Hz for 30 s;
        # compute failed from T0+12 to T0+13 and was slow from T0+10 to
        # T0+20.
        self.store.register_process(RUN, 1, 'h', 'detached',
                                    attrs={'rate': 10.0}, at=T0)

        def outcome(t):
            return 'http_5xx' if T0 + 12 <= t < T0 + 13 else 'ok'

        def latency(t):
            return 0.05 if T0 + 10 <= t < T0 + 20 else 0.01
        self.store.add_samples(fakes.series('compute', T0, T0 + 30, outcome,
                                            latency))
        self.store.add_samples(fakes.series(
            '10.0.0.5:22', T0, T0 + 30, lambda t: 'ok',
            observer=models.DATAPLANE))

    def write_events(self, *steps):
        path = os.path.join(self.tmp, 'events.jsonl')
        with open(path, 'w') as f:
            for step in steps:
                f.write(events.dumps(step) + '\n')
        return path

    def build(self, **kwargs):
        result = run_analysis.build(self.store, RUN, **kwargs)
        run_analysis.validate(result)
        # Plain JSON: no NaN, no infinity, no object json cannot write.
        json.dumps(result, allow_nan=False)
        return result

    def test_events_file_steps_label_windows_and_verdicts_judge(self):
        path = self.write_events(
            # Before the observer started: not imported.
            events.step('sandbox', 'compute', 'prepare', 'ok', T0 - 60,
                        T0 - 50),
            events.step('sandbox', 'compute', 'switch', 'ok', T0 + 10,
                        T0 + 20))
        result = self.build(events_file=path, budgets=fakes.Budgets)
        self.assertEqual(run_analysis.VERSION, result['version'])
        self.assertEqual(RUN, result['run_id'])
        self.assertEqual([], result['problems'])
        self.assertEqual([{'label': 'sandbox switch compute',
                           'start': T0 + 10, 'end': T0 + 20}],
                         result['steps'])
        compute = result['services']['compute']
        [window] = compute['downtime_windows']
        self.assertEqual('sandbox switch compute', window['step'])
        self.assertEqual({'http_5xx': 10}, window['outcomes'])
        self.assertEqual(['before the first step', 'sandbox switch compute',
                          'after the last step'],
                         [s['label'] for s in compute['steps']])
        # The baseline ends where the step begins.
        self.assertAlmostEqual(T0 + 10, compute['baseline_end'])
        self.assertAlmostEqual(5.0, compute['latency_p95_ratio'])
        self.assertEqual(['10.0.0.5:22'], list(result['dataplane']))
        self.assertEqual({'longest_seconds': 0.0,
                          'services': {'compute': 0.0}},
                         result['unobserved'])

        down = verdict(result, budgets.DOWNTIME, 'compute')
        self.assertFalse(down['passed'])
        self.assertIn('during "sandbox switch compute"', down['message'])
        self.assertIn('EXCEEDS budget 1.000 s', down['message'])
        self.assertFalse(
            verdict(result, budgets.LATENCY, 'compute')['passed'])
        self.assertTrue(
            verdict(result, budgets.DATAPLANE_LOSS, '10.0.0.5:22')['passed'])
        self.assertTrue(
            verdict(result, budgets.UNOBSERVED, 'observers')['passed'])
        # No honour request: no honour verdict.
        self.assertIsNone(verdict(result, budgets.UNHONOURED, 'honour'))
        self.assertEqual(
            [(v.check, v.target, v.passed, v.message)
             for v in budgets.judge(result, fakes.Budgets)],
            [(v['check'], v['target'], v['passed'], v['message'])
             for v in result['verdicts']])

    def test_notes_of_non_step_sources_label_nothing(self):
        self.store.add_event(RUN, events.WORKLOADS, 'cascade-stop',
                             at=T0 + 11.5)
        self.store.add_event(RUN, events.CLEANUP, 'cleanup', at=T0 + 5)
        result = self.build(baseline_seconds=8.0)
        self.assertEqual([], result['steps'])
        compute = result['services']['compute']
        self.assertEqual('whole observation',
                         compute['downtime_windows'][0]['step'])
        self.assertEqual(['whole observation'],
                         [s['label'] for s in compute['steps']])
        # The baseline runs its full 8 s: the notes do not cut it.
        self.assertAlmostEqual(T0 + 8.0, compute['baseline_end'])
        self.assertEqual(8.0, result['baseline_seconds'])
        self.assertEqual(2, len(result['events']))

    def test_step_without_end_is_null_not_infinity(self):
        self.store.add_event(RUN, events.SANDBOX, 'upgrade', at=T0 + 11)
        result = self.build()
        self.assertEqual([{'label': 'sandbox upgrade', 'start': T0 + 11,
                           'end': None}], result['steps'])

    def test_without_budgets_no_verdicts_and_default_baseline(self):
        result = self.build()
        self.assertIsNone(result['verdicts'])
        self.assertEqual(run_analysis.DEFAULT_BASELINE_SECONDS,
                         result['baseline_seconds'])
        result = self.build(budgets=fakes.Budgets, baseline_seconds=5.0)
        self.assertEqual(5.0, result['baseline_seconds'])
        self.assertAlmostEqual(
            T0 + 5.0, result['services']['compute']['baseline_end'])

    def test_unreadable_events_file_is_a_problem_not_an_error(self):
        path = os.path.join(self.tmp, 'missing.jsonl')
        result = self.build(events_file=path)
        [message] = run_analysis.problems_of(result,
                                             run_analysis.EVENTS_FILE)
        self.assertTrue(message.startswith(path + ': '), message)
        self.assertIn('No such file', message)
        self.assertIn('compute', result['services'])

    def test_honour_ledger_reconciled_before_the_summary(self):
        request = self.store.add_honour_request(
            RUN, 'network', 'network', 'n1', T0 + 1, accepted_at=T0 + 1,
            resource_id='r1')
        calls = []

        def reconcile(store, settings, run_id):
            calls.append((settings, run_id))
            store.update_honour_request(request,
                                        outcome=models.HONOUR_HONOURED)
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.observers.honour.reconcile_run',
            reconcile))
        result = self.build(honour_settings={'s': 1},
                            budgets=fakes.Budgets)
        self.assertEqual([({'s': 1}, RUN)], calls)
        self.assertEqual(1, result['honour']['honoured'])
        self.assertEqual(0, result['honour']['pending'])
        self.assertTrue(
            verdict(result, budgets.UNHONOURED, 'honour')['passed'])

    def test_honour_reconcile_failure_is_a_problem(self):
        self.store.add_honour_request(RUN, 'network', 'network', 'n1',
                                      T0 + 1, accepted_at=T0 + 1)

        def reconcile(store, settings, run_id):
            raise RuntimeError('keystone said no')
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.observers.honour.reconcile_run',
            reconcile))
        result = self.build(honour_settings={})
        self.assertEqual(
            ['RuntimeError: keystone said no'],
            run_analysis.problems_of(result, run_analysis.HONOUR_RECONCILE))
        self.assertEqual(1, result['honour']['pending'])

    def test_settings_that_cannot_be_read_are_a_reconcile_problem(self):
        def settings():
            raise exceptions.UserError('[upgrade_observers] rate: too low')
        result = self.build(honour_settings=settings)
        self.assertEqual(
            ['UserError: [upgrade_observers] rate: too low'],
            run_analysis.problems_of(result, run_analysis.HONOUR_RECONCILE))

    def test_honour_left_alone_without_settings(self):
        def reconcile(store, settings, run_id):
            raise AssertionError('reconciled without settings')
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.observers.honour.reconcile_run',
            reconcile))
        self.assertEqual([], self.build()['problems'])


class SchemaTest(base.TestCase):
    """The schema is a contract: it refuses what build() never returns."""

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        store = store_api.open_store('sqlite:///' + os.path.join(
            tmp, 'store.db'))
        self.addCleanup(store.close)
        store.add_samples(fakes.series(
            'compute', T0, T0 + 10,
            lambda t: 'refused' if T0 + 2 <= t < T0 + 3 else 'ok'))
        self.result = run_analysis.build(store, RUN, budgets=fakes.Budgets)

    def assertInvalid(self, result):
        self.assertRaises(jsonschema.ValidationError,
                          run_analysis.validate, result)

    def test_a_built_structure_is_valid(self):
        run_analysis.validate(self.result)

    def test_a_window_without_its_step_is_invalid(self):
        result = copy.deepcopy(self.result)
        del result['services']['compute']['downtime_windows'][0]['step']
        self.assertInvalid(result)

    def test_an_undocumented_figure_is_invalid(self):
        result = copy.deepcopy(self.result)
        result['services']['compute']['mystery'] = 1
        self.assertInvalid(result)

    def test_another_version_is_invalid(self):
        result = copy.deepcopy(self.result)
        result['version'] = 2
        self.assertInvalid(result)

    def test_a_verdict_needs_its_message(self):
        result = copy.deepcopy(self.result)
        del result['verdicts'][0]['message']
        self.assertInvalid(result)

    def test_the_schema_is_of_this_version(self):
        self.assertEqual(run_analysis.VERSION, run_analysis.schema()[
            'properties']['version']['const'])
