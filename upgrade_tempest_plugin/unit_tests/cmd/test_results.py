"""``upgrade-tempest results import``."""

import io
import json
import os

import fixtures

from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes

STREAM = [('a.B.test_ok', 'success', 0, 1, None),
          ('a.B.test_bad', 'fail', 1, 2, 'Traceback: boom')]


class ResultsImportTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'TEMPEST_CONFIG_DIR', self.tmp))
        self.stream = os.path.join(self.tmp, 'results.subunit')
        with open(self.stream, 'wb') as f:
            f.write(fakes.subunit_stream(STREAM))

    def cli(self, *argv):
        stdout, stderr = io.StringIO(), io.StringIO()
        with fixtures.MonkeyPatch('sys.stdout', stdout), \
                fixtures.MonkeyPatch('sys.stderr', stderr):
            rc = main.main(list(argv) + ['--state-dir', self.tmp])
        return rc, stdout.getvalue(), stderr.getvalue()

    def stored(self, run_id):
        store = store_api.open_store('sqlite:///%s/store.db' % self.tmp)
        self.addCleanup(store.close)
        return store.list_test_results(run_id)

    def test_import_a_file(self):
        rc, out, err = self.cli('results', 'import', self.stream, '--run',
                                'r1', '--phase', 'post-upgrade', '-f', 'json')
        self.assertEqual(0, rc, err)
        self.assertEqual({'run': 'r1', 'phase': 'post-upgrade', 'tests': 2,
                          'added': 2, 'status': 'fail 1, success 1'},
                         json.loads(out))
        self.assertEqual([('a.B.test_ok', 'success'),
                          ('a.B.test_bad', 'fail')],
                         [(r['test_id'], r['status'])
                          for r in self.stored('r1')])

    def test_import_the_newest_stream_of_a_stestr_repository(self):
        repo = os.path.join(self.tmp, 'ws', '.stestr')
        os.makedirs(repo)
        for number, tests in ((0, STREAM), (1, STREAM[:1])):
            with open(os.path.join(repo, str(number)), 'wb') as f:
                f.write(fakes.subunit_stream(tests))
        rc, out, err = self.cli('results', 'import',
                                os.path.dirname(repo), '--run', 'r1')
        self.assertEqual(0, rc, err)
        self.assertEqual(['a.B.test_ok'],
                         [r['test_id'] for r in self.stored('r1')])

    def test_no_run_is_a_user_error(self):
        rc, out, err = self.cli('results', 'import', self.stream)
        self.assertEqual(2, rc)
        self.assertIn('give --run', err)

    def test_a_missing_file_is_a_user_error(self):
        rc, out, err = self.cli('results', 'import', self.stream + '.x',
                                '--run', 'r1')
        self.assertEqual(2, rc)
        self.assertIn('cannot read', err)

    def test_a_stream_without_results_is_a_user_error(self):
        empty = os.path.join(self.tmp, 'empty')
        open(empty, 'wb').close()
        rc, out, err = self.cli('results', 'import', empty, '--run', 'r1')
        self.assertEqual(2, rc)
        self.assertIn('no test result in', err)
