"""Percentiles selected across sorted pieces, against sorting.

The analysis sorts each latency once (:mod:`.ranks`) and reads the
timeline's buckets from edge indices; these tests hold both against the
straightforward computation (sort the range, take the nearest rank) on
seeded random data and on a random run read back from a store.
"""

import math
import random

from upgrade_tempest_plugin.analysis import ranks
from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.analysis import fakes
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes as report_fakes


def reference_percentile(values, pct):
    """Nearest rank, as a textbook states it: sort, take the ceil rank."""
    values = sorted(values)
    if not values:
        return None
    return values[max(1, math.ceil(pct / 100.0 * len(values))) - 1]


def reference_summary(values):
    return {'count': len(values),
            'p50': reference_percentile(values, 50),
            'p95': reference_percentile(values, 95),
            'p99': reference_percentile(values, 99),
            'max': max(values) if values else None}


class SelectTest(base.TestCase):

    def test_every_rank_of_random_runs(self):
        rng = random.Random(7)
        for _ in range(50):
            # few distinct values: ties across and within runs
            runs = [sorted(rng.choice((0.01, 0.02, 0.5, rng.random()))
                           for _ in range(rng.randint(0, 30)))
                    for _ in range(rng.randint(1, 6))]
            merged = sorted(v for run in runs for v in run)
            self.assertEqual(merged, [ranks.select(runs, k)
                                      for k in range(1, len(merged) + 1)])

    def test_rank(self):
        self.assertEqual(1, ranks.rank(1, 1))
        self.assertEqual(50, ranks.rank(100, 50))
        self.assertEqual(96, ranks.rank(101, 95))
        self.assertEqual(1, ranks.rank(3, 0))

    def test_percentile(self):
        values = list(range(1, 101))
        self.assertEqual(50, ranks.percentile(values, 50))
        self.assertEqual(95, ranks.percentile(values, 95))
        self.assertEqual(1, ranks.percentile([1], 99))
        self.assertIsNone(ranks.percentile([], 50))


class SortedPiecesTest(base.TestCase):

    def test_any_range_between_cuts_is_as_if_sorted(self):
        rng = random.Random(11)
        values = [round(rng.expovariate(50), 3) for _ in range(2000)]
        cuts = sorted(rng.sample(range(1, 2000), 12))
        pieces = ranks.SortedPieces(values, cuts + [0, 2000, 5000])
        bounds = [0] + cuts + [2000]
        for lo in bounds:
            for hi in bounds:
                self.assertEqual(reference_summary(values[lo:hi]),
                                 pieces.summary(lo, hi), (lo, hi))

    def test_no_values(self):
        self.assertEqual({'count': 0, 'p50': None, 'p95': None, 'p99': None,
                          'max': None}, ranks.SortedPieces([]).summary(0, 0))

    def test_summary_of_one_list(self):
        rng = random.Random(5)
        values = [round(rng.expovariate(50), 3) for _ in range(301)]
        self.assertEqual(reference_summary(values), ranks.summary(values))


class RandomRunTest(base.TestCase):
    """A random observed run, analysed.

    Its latency figures and buckets are those of sorting each range of
    its samples, read back one by one.
    """

    def setUp(self):
        super().setUp()
        self.store = report_fakes.memory_store(self)
        self.store.register_process(fakes.RUN, 1, 'h', 'detached',
                                    attrs={'rate': 10.0})
        rng = random.Random(2026)
        t0 = fakes.T0
        outcomes = ('refused', 'timeout', 'http_5xx',
                    models.OUTCOME_AUTH_FAILED, models.OUTCOME_SKIPPED)
        for target in ('identity', 'compute', 'image'):
            samples = []
            sent = t0 + rng.random()
            while sent < t0 + 3 * 3600:
                ok = rng.random() < 0.97
                latency = round(rng.lognormvariate(-4, 0.7), 5)
                samples.append(dict(
                    run_id=fakes.RUN, observer=models.API, target=target,
                    sent_at=sent, latency=latency,
                    answered_at=sent + latency if ok else None,
                    outcome=models.OUTCOME_OK if ok else rng.choice(
                        outcomes)))
                # now and then off the beat, or a quiet hole
                sent += rng.choice((0.05, 0.2, 3.0)) if rng.random() < (
                    0.002) else 0.5
            self.store.add_samples(samples)
        # overlapping steps with their ends, and one recorded as a point
        for at, length, service in ((1000, 900, 'identity'),
                                    (1500, 2000, 'compute'),
                                    (5000, None, 'image'),
                                    (7000, 600, 'compute')):
            self.store.add_event(
                fakes.RUN, events.SANDBOX, 'switch:%s-api' % service,
                service=service, at=t0 + at, result='ok',
                detail=None if length is None else {
                    'ended_at': t0 + at + length})

    def test_figures_are_those_of_sorting_each_range(self):
        result = run_analysis.build(self.store, fakes.RUN, timeline=True)
        tl = result['timeline']
        self.assertEqual(3, len(result['services']))
        for target, figures in result['services'].items():
            ok = [(s['sent_at'], s['latency']) for s in
                  self.store.list_samples(fakes.RUN, target=target)
                  if s['outcome'] == models.OUTCOME_OK]
            last = figures['last_sample']

            def latencies(start, end):
                return [lat for sent, lat in ok if start <= sent < end]

            self.assertEqual(reference_summary([lat for _, lat in ok]),
                             figures['latency'], target)
            self.assertEqual(
                reference_summary(latencies(-math.inf,
                                            figures['baseline_end'])),
                figures['baseline_latency'], target)
            self.assertGreater(len(figures['steps']), 4)
            for row in figures['steps']:
                end = row['end'] + (1e-6 if row['end'] >= last else 0)
                self.assertEqual(
                    reference_summary(latencies(row['start'], end)),
                    row['latency'], (target, row['label']))
            # each sample into its bucket, walking the buckets' ends
            per_bucket = [[] for _ in range(tl['count'])]
            i = 0
            for sent, lat in ok:
                while sent >= tl['start'] + (i + 1) * tl['width']:
                    i += 1
                per_bucket[i].append(lat)
            buckets = tl['services'][target]
            self.assertEqual([len(v) for v in per_bucket], buckets['ok'])
            for i, values in enumerate(per_bucket):
                for pct in (50, 95):
                    expected = reference_percentile(values, pct)
                    self.assertEqual(
                        None if expected is None else round(expected, 4),
                        buckets['p%d' % pct][i], (target, i))
