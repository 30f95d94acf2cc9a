"""``upgrade-tempest observe start|status|stop`` and ``analyse``."""

import json
import os
import time

import fixtures

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.unit_tests.analysis import fakes as analysis_fakes
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.cmd import fakes as cmd_fakes
from upgrade_tempest_plugin.unit_tests.observers import fakes


class ObserveCommandTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'TEMPEST_CONFIG_DIR', self.tmp))
        self.cloud = fakes.FakeCloud().start()
        self.addCleanup(self.cloud.stop)
        self.settings = fakes.write_settings_file(self.tmp, self.cloud)
        self.common = ['--state-dir', self.tmp, '--run', 'cli-run']
        self.addCleanup(self.cli, 'observe', 'stop', '--timeout', '5')

    def cli(self, *argv):
        return cmd_fakes.capture_cli(*(list(argv) + self.common))

    def test_start_status_analyse_stop(self):
        rc, out, err = self.cli('observe', 'start', '--settings',
                                self.settings)
        self.assertEqual(0, rc, err)
        self.assertIn('started observer of run cli-run', out)
        rc, out, err = self.cli('observe', 'start', '--settings',
                                self.settings)
        self.assertEqual(0, rc, err)
        self.assertIn('already running', out)
        time.sleep(1.5)
        self.cloud.behaviour['compute'] = 500
        time.sleep(0.5)
        self.cloud.behaviour['compute'] = 'ok'
        time.sleep(0.5)
        rc, out, err = self.cli('observe', 'status')
        self.assertEqual(0, rc, err)
        self.assertIn('running', out)
        rc, out, err = self.cli('observe', 'stop')
        self.assertEqual(0, rc, err)
        self.assertIn('observer stopped', out)
        rc, out, err = self.cli('observe', 'status', '--json')
        self.assertEqual(3, rc)
        self.assertEqual('stopped', json.loads(out)['state'])
        rc, out, err = self.cli('analyse')
        self.assertEqual(0, rc, err)
        self.assertIn('| compute', out)
        self.assertIn('http_5xx', out)
        rc, out, err = self.cli('analyse', '--json')
        data = json.loads(out)
        self.assertAlmostEqual(
            0.5, data['services']['compute']['total_downtime'], delta=0.2)
        for text in (out, err):
            self.assertNotIn(fakes.PASSWORD, text)
            self.assertNotIn(fakes.TOKEN, text)

    def test_status_of_unknown_run(self):
        self.common = ['--state-dir', self.tmp]
        rc, out, err = self.cli('observe', 'status')
        self.assertEqual(2, rc)
        self.assertIn('no run recorded', err)

    def test_start_without_config(self):
        rc, out, err = self.cli('observe', 'start')
        self.assertEqual(2, rc)
        self.assertIn('no tempest.conf', err)


class AnalyseTestBase(base.TestCase):
    """A store with a run: compute failed 1 s during a sandbox step."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'TEMPEST_CONFIG_DIR', self.tmp))
        # The store analyse finds with --state-dir.
        store = store_api.open_store(run_context.sqlite_url(self.tmp))
        self.addCleanup(store.close)
        t0 = analysis_fakes.T0
        store.register_process(analysis_fakes.RUN, 1, 'h', 'detached',
                               attrs={'rate': 10.0}, at=t0)
        store.add_samples(analysis_fakes.series(
            'compute', t0, t0 + 30,
            lambda t: 'http_5xx' if t0 + 12 <= t < t0 + 13 else 'ok'))
        self.events = os.path.join(self.tmp, 'events.jsonl')
        with open(self.events, 'w') as f:
            f.write(events.dumps(events.step(
                'sandbox', 'compute', 'switch', 'ok', t0 + 10,
                t0 + 20)) + '\n')
        self.common = ['--state-dir', self.tmp, '--run', analysis_fakes.RUN]


class AnalyseCommandTest(AnalyseTestBase):
    """``analyse`` renders run_analysis.build() of a store."""

    def cli(self, *argv):
        return cmd_fakes.capture_cli(*(list(argv) + self.common))

    def test_table_has_the_services_and_the_windows_with_their_step(self):
        rc, out, err = self.cli('analyse', '--import-events', self.events)
        self.assertEqual(0, rc, err)
        self.assertIn('run run-a (analysed in ', out)
        self.assertIn('| compute', out)
        self.assertIn('http_5xx x10', out)
        self.assertIn('downtime windows', out)
        self.assertIn('| sandbox switch compute |', out)
        self.assertIn('per upgrade step', out)
        self.assertNotIn('verdicts', out)
        # Back within the 10 ms baseline at the first probe after the
        # window's end (13.01 s, next probe 13.1 s).
        self.assertIn('recovery\n', out)
        self.assertIn('| compute | 13:46:53.010Z | yes       |       0.09 |'
                      '      0 | None    | None           |', out)

    def test_formats_print_the_service_rows(self):
        rc, out, err = self.cli('analyse', '-f', 'json')
        self.assertEqual(0, rc, err)
        [row] = json.loads(out)
        self.assertEqual('compute', row['service'])
        self.assertEqual(300, row['samples'])
        self.assertAlmostEqual(1.01, row['downtime s'], places=3)
        self.assertEqual('http_5xx x10, ok x290', row['outcomes'])
        self.assertAlmostEqual(0.09, row['recovery s'], places=3)
        rc, out, err = self.cli('analyse', '-f', 'value', '-c', 'service',
                                '-c', 'windows')
        self.assertEqual(0, rc, err)
        self.assertEqual('compute 1\n', out)

    def test_json_alias_prints_the_whole_analysis(self):
        rc, out, err = self.cli('analyse', '--json', '--import-events',
                                self.events)
        self.assertEqual(0, rc, err)
        data = json.loads(out)
        run_analysis.validate(data)
        self.assertEqual(analysis_fakes.RUN, data['run_id'])
        self.assertEqual('sandbox switch compute', data['services'][
            'compute']['downtime_windows'][0]['step'])
        self.assertIn('--json is deprecated, use -f json', err)

    def test_unreadable_events_file(self):
        missing = os.path.join(self.tmp, 'missing.jsonl')
        rc, out, err = self.cli('analyse', '--import-events', missing)
        self.assertEqual(2, rc)
        self.assertIn('upgrade-tempest: error: cannot read %s: ' % missing,
                      err)

    def test_run_not_in_the_store(self):
        self.common = ['--state-dir', self.tmp, '--run', 'other']
        rc, out, err = self.cli('analyse')
        self.assertEqual(2, rc)
        self.assertIn('run other is not in the store', err)


class AnalyseBudgetsTest(AnalyseTestBase):
    """With a tempest.conf: verdicts, and --fail-on-budget's exit code.

    Tempest's CONF is loaded once per process: these run in a child.
    """

    budgets = 'max_downtime = 0.5\n'

    def cli(self, *argv):
        conf = os.path.join(self.tmp, 'tempest.conf')
        with open(conf, 'w') as f:
            f.write('[upgrade_budgets]\n' + self.budgets)
        return cmd_fakes.cli_subprocess(
            self.tmp, *(list(argv) + self.common + ['--config-file', conf]))

    def test_table_has_the_verdicts(self):
        rc, out, err = self.cli('analyse', '--import-events', self.events)
        self.assertEqual(0, rc, err)
        self.assertIn('verdicts', out)
        self.assertIn('| downtime          | compute   | FAIL   |', out)
        self.assertIn('FAIL compute: 1.010 s of API downtime (longest '
                      '1.010 s) EXCEEDS budget 0.500 s', out)

    def test_verdicts_name_the_basis_of_their_budget(self):
        self.budgets += 'historical_budgets = downtime\n'
        rc, out, err = self.cli('analyse')
        self.assertEqual(0, rc, err)
        self.assertIn('| downtime          | compute   | FAIL   |     1.01 '
                      '|    0.5 | fixed (0 of 5 runs) |', out)
        self.assertIn('| availability      | compute   | pass   |', out)
        self.assertIn('| fixed               |', out)
        self.assertIn('EXCEEDS budget 0.500 s', out)
        self.assertIn('historical budget not applied: 0 comparable run(s) '
                      'measured this', out)

    def test_fail_on_budget(self):
        rc, out, err = self.cli('analyse', '--fail-on-budget')
        self.assertEqual(1, rc, err)
        rc, out, err = self.cli('analyse', '--fail-on-budget',
                                '--no-verdicts')
        self.assertEqual(0, rc, err)
        self.assertNotIn('verdicts', out)
