"""Trends: runs grouped by key, the data of their charts."""

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.report import trends
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes


def release_notes(before, after):
    return [{'source': 'validators', 'action': action, 'service': service,
             'to_version': series, 'from_version': None, 'at': 0.0}
            for service in ('compute', 'image')
            for action, series in (('release-before', before),
                                   ('release-after', after))]


class KeyTest(base.TestCase):

    def analysis(self, region='RegionOne', before='2026.1', after='2026.2'):
        return {'processes': [{'attrs': {'region': region}}],
                'events': release_notes(before, after)}

    def run_of(self, **attrs):
        return {'id': 'r', 'created_at': 0.0, 'attrs': attrs}

    def test_fields(self):
        self.assertEqual({'cloud': 'RegionOne', 'from': '2026.1',
                          'to': '2026.2', 'plan': '-'},
                         trends.key_fields(self.run_of(), self.analysis()))

    def test_recorded_cloud_and_plan_come_first(self):
        run = self.run_of(cloud='lab-2', plan_hash='ab12')
        fields = trends.key_fields(run, self.analysis())
        self.assertEqual(('lab-2', 'ab12'), (fields['cloud'],
                                             fields['plan']))

    def test_nothing_known(self):
        self.assertEqual({'cloud': 'unknown', 'from': 'unknown',
                          'to': 'unknown', 'plan': '-'},
                         trends.key_fields(self.run_of(), {
                             'processes': [], 'events': []}))

    def test_same_fields_same_key_and_any_field_changes_it(self):
        key = trends.trend_key(trends.key_fields(self.run_of(),
                                                 self.analysis()))
        self.assertEqual(key, trends.trend_key(trends.key_fields(
            self.run_of(), self.analysis())))
        self.assertEqual(12, len(key))
        for other in (self.analysis(region='R2'),
                      self.analysis(before='2025.2'),
                      self.analysis(after='2027.1')):
            self.assertNotEqual(key, trends.trend_key(
                trends.key_fields(self.run_of(), other)))
        self.assertNotEqual(key, trends.trend_key(trends.key_fields(
            self.run_of(plan_hash='x'), self.analysis())))


class GroupTest(base.TestCase):

    def setUp(self):
        super().setUp()
        store = fakes.memory_store(self)
        self.rows = []
        for number, run_id in enumerate(('run-1', 'run-2', 'run-3')):
            fakes.observed_run(store, run_id)
            run = dict(store.get_run(run_id), created_at=100.0 + number)
            if run_id == 'run-3':
                run['attrs'] = {'cloud': 'other'}
            self.rows.append(trends.run_row(
                run, run_analysis.build(store, run_id)))

    def test_run_row(self):
        row = self.rows[0]
        self.assertEqual(['compute', 'image'], sorted(row['services']))
        compute = row['services']['compute']
        # 20 s to 23.05 s (refused) and 40 s to 40.4 s (5xx)
        self.assertAlmostEqual(3.45, compute['downtime'], places=2)
        self.assertEqual(200.0, compute['p95'])
        self.assertIsNone(row['passed'])

    def test_groups_newest_first_runs_oldest_first(self):
        groups = trends.groups(self.rows)
        self.assertEqual([['run-3'], ['run-1', 'run-2']],
                         [[r['run_id'] for r in g['runs']] for g in groups])
        self.assertEqual('other', groups[0]['fields']['cloud'])

    def test_chart_series_per_service(self):
        chart = trends.groups(self.rows)[1]['charts']['availability']
        self.assertEqual([100.0, 101.0], chart['x'])
        self.assertEqual([100.0, 100.0], chart['image'])
        self.assertEqual(2, len(chart['compute']))

    def test_a_service_missing_in_a_run_is_a_gap(self):
        del self.rows[1]['services']['image']
        chart = trends.groups(self.rows)[1]['charts']['p95']
        self.assertEqual([10.0, None], chart['image'])
