"""Downtime windows, availability, latency and budgets from a store."""

import random

from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.analysis import fakes
from upgrade_tempest_plugin.unit_tests import base

RUN = fakes.RUN
T0 = fakes.T0


class AnalysisTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = self.sqlite_store()
        self.store.register_process(RUN, 1, 'h', 'detached',
                                    attrs={'rate': 10.0})

    def test_window_bounds_and_precision(self):
        def outcome(t):
            # Refused from T0+20.05 up to and including T0+25.0 (+-eps).
            return 'refused' if T0 + 20.0 < t < T0 + 25.01 else 'ok'
        self.store.add_samples(fakes.series('compute', T0, T0 + 60, outcome))
        figures = downtime.analyse_target(self.store, RUN, models.API,
                                          'compute')
        [window] = figures['downtime_windows']
        self.assertAlmostEqual(T0 + 20.1, window['start'], places=6)
        # Next success sent at 25.1 and answered 10 ms later.
        self.assertAlmostEqual(T0 + 25.11, window['end'], places=6)
        self.assertAlmostEqual(5.01, window['duration'], places=6)
        self.assertAlmostEqual(4.9, window['first_to_last'], places=6)
        self.assertAlmostEqual(0.1, window['precision'], places=6)
        self.assertFalse(window['open'])
        self.assertEqual({'refused': 50}, window['outcomes'])
        self.assertAlmostEqual(100.0 * 550 / 600, figures['availability'])
        self.assertEqual(window['duration'], figures['total_downtime'])

    def test_overlapping_windows_are_one_outage(self):
        # A slow restart: probes sent at 10.0-10.3 time out after 2 s
        # while the one sent at 10.2 is answered at 11.0.
        rows = []
        for sent, outcome, latency in [
                (9.9, 'ok', 0.01), (10.0, 'refused', 0.001),
                (10.1, 'timeout', 2.0), (10.2, 'ok', 0.8),
                (10.3, 'timeout', 2.0), (10.4, 'ok', 0.3),
                (10.5, 'ok', 0.01)]:
            rows.append(dict(
                run_id=RUN, observer=models.API, target='compute',
                sent_at=T0 + sent, latency=latency, outcome=outcome,
                answered_at=T0 + sent + latency if outcome == 'ok'
                else None))
        self.store.add_samples(rows)
        figures = downtime.analyse_target(self.store, RUN, models.API,
                                          'compute')
        [window] = figures['downtime_windows']
        self.assertAlmostEqual(T0 + 10.0, window['start'], places=6)
        self.assertAlmostEqual(T0 + 11.0, window['end'], places=6)
        self.assertAlmostEqual(0.3, window['first_to_last'], places=6)
        self.assertEqual({'refused': 1, 'timeout': 2}, window['outcomes'])
        self.assertAlmostEqual(1.0, figures['total_downtime'], places=6)

    def test_open_window_and_first_sample_failed(self):
        def outcome(t):
            return 'timeout' if t < T0 + 1 or t > T0 + 5 else 'ok'
        self.store.add_samples(fakes.series('image', T0, T0 + 8, outcome))
        figures = downtime.analyse_target(self.store, RUN, models.API,
                                          'image')
        first, second = figures['downtime_windows']
        self.assertAlmostEqual(T0, first['start'])
        self.assertAlmostEqual(0.1, first['precision'], places=6)
        self.assertTrue(second['open'])
        self.assertAlmostEqual(T0 + 7.9, second['end'], places=6)

    def test_identity_outage_not_blamed_on_compute(self):
        def identity(t):
            return 'refused' if T0 + 10 <= t < T0 + 13 else 'ok'

        def compute(t):
            return 'auth_failed' if T0 + 10 <= t < T0 + 13 else 'ok'
        self.store.add_samples(fakes.series('identity', T0, T0 + 30, identity))
        self.store.add_samples(fakes.series('compute', T0, T0 + 30, compute))
        result = downtime.analyse_run(self.store, RUN)
        self.assertEqual(1, len(
            result['services']['identity']['downtime_windows']))
        self.assertAlmostEqual(3.0, result['services']['identity'][
            'total_downtime'], delta=0.02)
        compute_figures = result['services']['compute']
        self.assertEqual([], compute_figures['downtime_windows'])
        self.assertEqual(30, compute_figures['ignored'])
        self.assertEqual(100.0, compute_figures['availability'])

    def test_steps_baseline_and_latency_ratio(self):
        self.store.add_event(RUN, 'sandbox', 'upgrade-start',
                             service='compute', at=T0 + 10)
        self.store.add_event(RUN, 'sandbox', 'upgrade-end',
                             service='compute', at=T0 + 20)
        self.store.add_event(RUN, 'observer', 'start', at=T0 + 15)

        def latency(t):
            return 0.05 if T0 + 10 <= t < T0 + 20 else 0.01

        def outcome(t):
            return 'http_5xx' if T0 + 12 <= t < T0 + 13 else 'ok'
        self.store.add_samples(fakes.series('compute', T0, T0 + 30,
                                            outcome, latency))
        result = downtime.analyse_run(self.store, RUN, baseline_seconds=30)
        figures = result['services']['compute']
        # The baseline stops at the first step.
        self.assertAlmostEqual(T0 + 10, figures['baseline_end'])
        self.assertAlmostEqual(0.01, figures['baseline_latency']['p95'])
        self.assertAlmostEqual(0.05, figures['latency']['p95'])
        self.assertAlmostEqual(5.0, figures['latency_p95_ratio'])
        labels = [s['label'] for s in figures['steps']]
        self.assertEqual(['before the first step',
                          'sandbox upgrade-start compute',
                          'sandbox upgrade-end compute'], labels)
        self.assertEqual('sandbox upgrade-start compute',
                         figures['downtime_windows'][0]['step'])
        self.assertEqual(1, figures['steps'][1]['windows'])
        self.assertEqual(0, figures['steps'][0]['windows'])

        verdicts = {(v.check, v.target): v
                    for v in budgets.judge(result, fakes.Budgets)}
        down = verdicts[(budgets.DOWNTIME, 'compute')]
        self.assertFalse(down.passed)
        self.assertIn('EXCEEDS budget 1.000 s', down.message)
        self.assertIn('during "sandbox upgrade-start compute"',
                      down.message)
        self.assertIn('http_5xx x10', down.message)
        self.assertFalse(verdicts[(budgets.LATENCY, 'compute')].passed)
        self.assertIn('5.00 x the baseline',
                      verdicts[(budgets.LATENCY, 'compute')].message)
        self.assertTrue(verdicts[(budgets.AVAILABILITY, 'compute')].passed)
        self.assertTrue(verdicts[(budgets.UNOBSERVED, 'observers')].passed)

    def test_overlapping_steps_label_windows_with_every_running_step(self):
        # Every service prepared at once from T0+10 to T0+20, then the
        # compute switch from T0+22 to T0+24; steps end where they say.
        for service in ('compute', 'network', 'volume'):
            self.store.add_event(RUN, 'sandbox', 'prepare', service=service,
                                 at=T0 + 10, detail={'ended_at': T0 + 20})
        self.store.add_event(RUN, 'sandbox', 'switch', service='compute',
                             at=T0 + 22, detail={'ended_at': T0 + 24})
        # An instant step (a health check that passed at once).
        self.store.add_event(RUN, 'sandbox', 'health', service='compute',
                             at=T0 + 25.05, detail={'ended_at': T0 + 25.05})
        # Not upgrade steps: they cut nothing and label nothing.
        self.store.add_event(RUN, 'workloads', 'cascade-stop', at=T0 + 5)
        self.store.add_event(RUN, 'cleanup', 'cleanup', at=T0 + 6)

        def outcome(t):
            if T0 + 3 <= t < T0 + 4 or T0 + 12 <= t < T0 + 13:
                return 'refused'
            if T0 + 21 <= t < T0 + 21.5 or T0 + 23 <= t < T0 + 23.5:
                return 'refused'
            return 'ok' if t < T0 + 27 or t >= T0 + 28 else 'timeout'
        self.store.add_samples(fakes.series('compute', T0, T0 + 30, outcome))
        figures = downtime.analyse_run(self.store, RUN)['services'][
            'compute']
        labels = [w['step'] for w in figures['downtime_windows']]
        self.assertEqual([
            'before the first step',
            'sandbox prepare compute, sandbox prepare network, '
            'sandbox prepare volume',
            'between steps', 'sandbox switch compute',
            'after the last step'], labels)
        self.assertEqual(['sandbox prepare compute',
                          'sandbox prepare network',
                          'sandbox prepare volume'],
                         figures['downtime_windows'][1]['steps'])
        steps = {s['label']: s for s in figures['steps']}
        for service in ('compute', 'network', 'volume'):
            step = steps['sandbox prepare %s' % service]
            self.assertEqual((T0 + 10, T0 + 20), (step['start'],
                                                  step['end']))
            self.assertEqual(1, step['windows'])
        self.assertEqual(1, steps['sandbox switch compute']['windows'])
        self.assertEqual(1, steps['between steps']['windows'])
        # No sample fell in the instant step: it has no row.
        self.assertNotIn('sandbox health compute', steps)
        # The baseline ends where the first step begins.
        self.assertAlmostEqual(T0 + 10, figures['baseline_end'])

    def test_slow_is_latency_skipped_is_no_sample(self):
        """Late answers are successes; unsent probes are left out."""
        def outcome(t):
            # 5 s of probes not sent (every slot busy) and one probe
            # that timed out at 10 s: one window, not five seconds of
            # unsent "failures".
            if T0 + 10 <= t < T0 + 15:
                return 'skipped'
            return 'timeout' if abs(t - (T0 + 20)) < 0.05 else 'ok'

        def latency(t):
            return 4.0 if T0 + 5 <= t < T0 + 10 else 0.01
        self.store.add_samples(fakes.series('image', T0, T0 + 30,
                                            outcome, latency))
        figures = downtime.analyse_run(self.store, RUN)['services']['image']
        [window] = figures['downtime_windows']
        self.assertEqual({'timeout': 1}, window['outcomes'])
        self.assertEqual(50, figures['skipped'])
        self.assertEqual(0, figures['ignored'])
        self.assertEqual(250, figures['counted'])
        self.assertAlmostEqual(100.0 * 249 / 250, figures['availability'])
        self.assertAlmostEqual(4.0, figures['latency']['max'])

    def test_unobserved_gap_reported(self):
        def outcome(t):
            return 'ok'
        self.store.add_samples(fakes.series('compute', T0, T0 + 5, outcome))
        self.store.add_samples(fakes.series('compute', T0 + 12, T0 + 15,
                                            outcome))
        result = downtime.analyse_run(self.store, RUN)
        figures = result['services']['compute']
        self.assertAlmostEqual(7.1, figures['unobserved_seconds'],
                               places=5)
        verdict = budgets.check_unobserved(result, 5.0)
        self.assertFalse(verdict.passed)
        self.assertIn('compute 7.1 s', verdict.message)

    def test_report_only_budget_passes_with_figure(self):
        def outcome(t):
            return 'refused' if t < T0 + 3 else 'ok'
        self.store.add_samples(fakes.series('compute', T0, T0 + 10, outcome))
        figures = downtime.analyse_run(self.store, RUN)['services'][
            'compute']
        verdict = budgets.check_downtime(figures, -1)
        self.assertTrue(verdict.passed)
        self.assertIn('report-only', verdict.message)
        self.assertAlmostEqual(3.01, verdict.measured, places=5)

    def test_dataplane_loss(self):
        def outcome(t):
            return 'refused' if T0 + 1 <= t < T0 + 2 else 'ok'
        self.store.add_samples(fakes.series('10.0.0.5:22', T0, T0 + 10,
                                            outcome,
                                            observer=models.DATAPLANE))
        result = downtime.analyse_run(self.store, RUN)
        verdict = budgets.check_dataplane(
            result['dataplane']['10.0.0.5:22'], 5.0)
        self.assertFalse(verdict.passed)
        self.assertAlmostEqual(10.0, verdict.measured)

    def test_long_steps_as_every_step_compared(self):
        rng = random.Random(3)
        for _ in range(200):
            values = sorted(round(rng.uniform(0, 60), rng.choice((1, 6)))
                            for _ in range(rng.randint(0, 120)))
            threshold = rng.choice((0.0, 0.5, 1, 2.5))
            expected = [(a, b) for a, b in zip(values, values[1:])
                        if b - a > threshold]
            for block in (1, 3, 8, 200):
                self.assertEqual(expected, downtime.long_steps(
                    values, threshold, block))
