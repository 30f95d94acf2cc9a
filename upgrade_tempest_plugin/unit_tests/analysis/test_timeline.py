"""Samples per time bucket (the report's timeline)."""

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.analysis import timeline
from upgrade_tempest_plugin.unit_tests.analysis import fakes
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes as report_fakes


class WidthTest(base.TestCase):

    def test_one_second_up_to_max_buckets(self):
        self.assertEqual(1, timeline.bucket_width(7200))
        self.assertEqual(2, timeline.bucket_width(7201))

    def test_a_day_is_cut_into_fifteen_seconds(self):
        self.assertEqual(15, timeline.bucket_width(24 * 3600))

    def test_beyond_the_widest_width(self):
        self.assertEqual(3600, timeline.bucket_width(10 ** 9))


class BucketTest(base.TestCase):

    def test_counts_and_percentiles_per_bucket(self):
        series = {'ok_sent': [10.0, 10.2, 10.4, 10.6, 12.1],
                  'ok_latency': [0.01, 0.02, 0.03, 0.04, 0.5],
                  'fail_sent': [11.0, 11.5, 12.5],
                  'fail_outcome': ['refused', 'refused', 'http_5xx']}
        buckets = timeline.target_buckets(series, 10.0, 1, 3)
        self.assertEqual([4, 0, 1], buckets['ok'])
        # nearest rank: p50 of 4 values is the 2nd, p95 the 4th
        self.assertEqual([0.02, None, 0.5], buckets['p50'])
        self.assertEqual([0.04, None, 0.5], buckets['p95'])
        self.assertEqual({'refused': [0, 2, 0], 'http_5xx': [0, 0, 1]},
                         buckets['outcomes'])

    def test_latency_rounded_to_a_tenth_of_a_millisecond(self):
        series = {'ok_sent': [0.5], 'ok_latency': [0.0123456],
                  'fail_sent': [], 'fail_outcome': []}
        self.assertEqual([0.0123],
                         timeline.target_buckets(series, 0.0, 1, 1)['p50'])


class BuildTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = report_fakes.memory_store(self)
        t0 = fakes.T0

        def outage(sent):
            return 'refused' if t0 + 20 <= sent < t0 + 23 else 'ok'
        self.store.add_samples(
            fakes.series('compute', t0, t0 + 60, outage) +
            fakes.series('image', t0 + 30, t0 + 90, lambda s: 'ok') +
            fakes.series('10.0.0.5:22', t0, t0 + 60, lambda s: 'ok',
                         observer='dataplane', step=1.0))
        self.store.add_test_results(fakes.RUN, [{
            'test_id': 'a.B.test_x', 'status': 'fail', 'started_at': t0 + 5,
            'duration': 1.0, 'detail': 'Traceback'}], phase='post-upgrade')

    def test_one_time_axis_for_every_target(self):
        result = run_analysis.build(self.store, fakes.RUN, timeline=True)
        run_analysis.validate(result)
        line = result['timeline']
        self.assertEqual((fakes.T0, 1, 90),
                         (line['start'], line['width'], line['count']))
        compute = line['services']['compute']
        self.assertEqual([10] * 20 + [0] * 3 + [10] * 37 + [0] * 30,
                         compute['ok'])
        self.assertEqual([0] * 20 + [10] * 3 + [0] * 67,
                         compute['outcomes']['refused'])
        image = line['services']['image']
        self.assertEqual([0] * 30 + [10] * 60, image['ok'])
        self.assertEqual([None] * 30 + [0.01] * 60, image['p95'])
        self.assertEqual([1] * 60 + [0] * 30,
                         line['dataplane']['10.0.0.5:22']['ok'])
        self.assertEqual([('a.B.test_x', 'fail', 'post-upgrade')],
                         [(t['test_id'], t['status'], t['phase'])
                          for t in result['tests']])

    def test_without_timeline_the_structure_has_none(self):
        result = run_analysis.build(self.store, fakes.RUN)
        self.assertNotIn('timeline', result)
        self.assertNotIn('tests', result)

    def test_a_run_without_samples_has_no_bucket(self):
        result = run_analysis.build(self.store, 'empty-run', timeline=True)
        run_analysis.validate(result)
        self.assertEqual(0, result['timeline']['count'])
