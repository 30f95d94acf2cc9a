"""The data feeding each chart and table of the run report."""

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.report import data
from upgrade_tempest_plugin.unit_tests.analysis import fakes as analysis_fakes
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes

T0 = fakes.T0
LABEL = 'sandbox switch:nova-api nova'


class RunDataTest(base.TestCase):

    def setUp(self):
        super().setUp()
        store = fakes.memory_store(self)
        run_id = fakes.observed_run(store)
        self.analysis = run_analysis.build(
            store, run_id, budgets=analysis_fakes.Budgets(), timeline=True)
        self.page = data.build(self.analysis, now=T0 + 100)

    def target(self, name):
        return next(t for t in self.page['timeline']['targets']
                    if t['name'] == name)

    def test_one_bucket_per_second_on_one_axis(self):
        line = self.page['timeline']
        self.assertEqual(60, len(line['x']))
        self.assertEqual((T0, T0 + 59), (line['x'][0], line['x'][-1]))
        self.assertEqual(['compute', 'image', '10.0.0.5:22'],
                         [t['name'] for t in line['targets']])
        self.assertEqual(['service', 'service', 'dataplane'],
                         [t['kind'] for t in line['targets']])
        for target in line['targets']:
            self.assertEqual(60, len(target['p95']))

    def test_latency_in_milliseconds_per_bucket(self):
        compute = self.target('compute')
        self.assertEqual(50.0, compute['p50'][0])
        self.assertEqual(200.0, compute['p95'][45])
        # no successful sample while it refused connections
        self.assertEqual([None] * 3, compute['p50'][20:23])

    def test_failures_in_percent_of_their_bucket_per_class(self):
        failed = self.target('compute')['failed']
        self.assertEqual(['http_5xx', 'refused'], sorted(failed))
        self.assertEqual([100.0] * 3, failed['refused'][20:23])
        self.assertEqual(0.0, failed['refused'][0])
        self.assertEqual(20.0, failed['http_5xx'][40])
        self.assertEqual({}, self.target('image')['failed'])

    def test_downtime_windows_as_bands_coloured_by_outcome(self):
        windows = self.target('compute')['windows']
        self.assertEqual([('refused', LABEL),
                          ('http_5xx', 'after the last step')],
                         [(w['outcome'], w['step']) for w in windows])
        self.assertAlmostEqual(T0 + 20, windows[0]['start'])
        self.assertAlmostEqual(3.0, windows[0]['duration'], places=1)

    def test_steps_as_bands(self):
        self.assertEqual([{'label': LABEL, 'start': T0 + 18,
                           'end': T0 + 30}], self.page['steps'])

    def test_an_open_step_ends_with_the_observation(self):
        self.analysis['steps'][0]['end'] = None
        self.assertEqual(T0 + 60, data.steps_of(self.analysis)[0]['end'])

    def test_tempest_tests_on_the_time_axis(self):
        chart = self.page['tests_chart']
        self.assertEqual([T0 + 50, T0 + 52, T0 + 53], chart['x'])
        self.assertEqual([2.0, None, None], chart['passed'])
        self.assertEqual([None, 1.0, None], chart['failed'])
        self.assertEqual([None, None, 0.0], chart['skipped'])

    def test_header(self):
        header = self.page['header']
        self.assertFalse(header['budgets'])
        self.assertIn(('downtime', 'compute', False), [
            (v['check'], v['target'], v['passed'])
            for v in header['verdicts']])
        self.assertEqual([{'phase': 'post-upgrade', 'passed': False,
                           'counts': {'total': 3, 'passed': 1, 'failed': 1,
                                      'skipped': 1}}], header['phases'])
        self.assertEqual([{'service': 'nova', 'before': '31.0.0',
                           'after': '32.0.0'}], header['releases'])

    def test_releases_the_release_validators_found_come_first(self):
        notes = [{'source': 'validators', 'action': action,
                  'service': 'compute', 'from_version': None,
                  'to_version': series, 'at': at}
                 for action, series, at in (
                     ('release-before', '2026.1', T0),
                     ('release-after', '2026.2', T0 + 70))]
        self.assertEqual([{'service': 'compute', 'before': '2026.1',
                           'after': '2026.2'}],
                         data.releases(self.analysis['events'] + notes))

    def test_without_budgets_there_is_no_budget_verdict(self):
        self.analysis['verdicts'] = None
        self.assertIsNone(data.build(self.analysis)['header']['budgets'])

    def test_tempest_results_per_phase_and_class(self):
        phase, = self.page['phases']
        self.assertEqual(['p.test_api.ApiTest', 'p.test_net.NetTest'],
                         [c['name'] for c in phase['classes']])
        api = phase['classes'][0]
        self.assertEqual({'total': 2, 'passed': 1, 'failed': 1,
                          'skipped': 0}, api['counts'])
        bad = api['tests'][1]
        self.assertEqual(('test_bad', 'failed',
                          'Traceback: the volume stayed in error'),
                         (bad['name'], bad['status'], bad['detail']))

    def test_a_failed_fixture_is_listed_under_its_class(self):
        self.assertEqual(('a.b.Class', 'setUpClass'), data.split_test_id(
            'setUpClass (a.b.Class)'))
        self.assertEqual(('a.b.Class', 'test_x'),
                         data.split_test_id('a.b.Class.test_x'))
        self.assertEqual(('', 'test_x'), data.split_test_id('test_x'))

    def test_a_phase_with_only_skips_did_not_pass(self):
        phases = data.phases_of([{
            'test_id': 'a.B.c', 'status': 'skip', 'phase': None,
            'started_at': None, 'duration': None, 'detail': None}])
        self.assertEqual([('unnamed', False)],
                         [(p['phase'], p['passed']) for p in phases])

    def test_tables(self):
        tables = self.page['tables']
        compute = tables['services'][0]
        self.assertEqual(('compute', 600, 2), (
            compute['name'], compute['samples'], compute['windows']))
        self.assertEqual(['10.0.0.5:22'],
                         [r['name'] for r in tables['dataplane']])
        self.assertIn(('compute', LABEL), [
            (r['target'], r['label']) for r in tables['per_step']])
        self.assertEqual(2, len(tables['windows']))
        self.assertEqual([('workloads', 'create')], [
            (e['source'], e['action']) for e in tables['workloads']])
        self.assertEqual(0, tables['honour']['requests'])

    def test_recovery_table(self):
        # compute is back within its 50 ms baseline p95 at once after the
        # refusals (23.05 s), never after the 5xx (at 200 ms from 30 s):
        # the 196 probes sent from the 5xx window's end (40.4 s) on.
        [row] = self.page['tables']['recovery']
        self.assertEqual(('compute', 2, 1, 196, 50.0, 200.0),
                         (row['name'], row['windows'], row['unrecovered'],
                          row['samples'], row['band'], row['mean']))
        self.assertAlmostEqual(0.05 + 19.5, row['total'])
        self.assertAlmostEqual(19.5, row['longest'])
        self.assertAlmostEqual(150.0, row['degradation'])
        self.assertAlmostEqual(4.0, row['ratio'])
        first, second = self.page['tables']['windows']
        # A window's row keeps what the page shows of its recovery.
        self.assertEqual({'recovered': True, 'seconds': 0.05,
                          'degradation': None}, first['recovery'])
        self.assertEqual({'recovered': False, 'seconds': 19.5,
                          'degradation': 0.15}, second['recovery'])
