"""``upgrade-tempest report``, ``report trends`` and ``serve``."""

import io
import os

import fixtures

from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin.cmd import report
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes


class ReportCommandTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'TEMPEST_CONFIG_DIR', self.tmp))
        store = store_api.open_store('sqlite:///%s/store.db' % self.tmp)
        fakes.observed_run(store)
        store.close()

    def cli(self, *argv):
        stdout, stderr = io.StringIO(), io.StringIO()
        with fixtures.MonkeyPatch('sys.stdout', stdout), \
                fixtures.MonkeyPatch('sys.stderr', stderr):
            rc = main.main(list(argv) + ['--state-dir', self.tmp])
        return rc, stdout.getvalue(), stderr.getvalue()

    def test_report_writes_the_file_and_prints_its_path(self):
        rc, out, err = self.cli('report', '--run', 'run-r')
        self.assertEqual(0, rc, err)
        path = os.path.join(self.tmp, 'report-run-r.html')
        self.assertEqual(path + '\n', out)
        with open(path) as f:
            self.assertIn('Run run-r', f.read())

    def test_report_to_a_file_of_ones_choice(self):
        path = os.path.join(self.tmp, 'r.html')
        rc, out, err = self.cli('report', '--run', 'run-r', '-o', path)
        self.assertEqual((0, path + '\n'), (rc, out), err)
        self.assertTrue(os.path.isfile(path))

    def test_unknown_run_is_a_user_error(self):
        rc, out, err = self.cli('report', '--run', 'nope')
        self.assertEqual(2, rc)
        self.assertIn('run nope is not in the store', err)

    def test_no_run_is_a_user_error(self):
        rc, out, err = self.cli('report')
        self.assertEqual(2, rc)
        self.assertIn('give --run', err)

    def test_an_unwritable_file_is_a_user_error(self):
        rc, out, err = self.cli('report', '--run', 'run-r', '-o',
                                os.path.join(self.tmp, 'no', 'r.html'))
        self.assertEqual(2, rc)
        self.assertIn('cannot write', err)

    def test_trends(self):
        rc, out, err = self.cli('report', 'trends', '--last', '3')
        self.assertEqual(0, rc, err)
        self.assertEqual(os.path.join(self.tmp, 'trends.html') + '\n', out)

    def test_trends_last_must_be_positive(self):
        rc, out, err = self.cli('report', 'trends', '--last', '0')
        self.assertEqual(2, rc)
        self.assertIn('--last must be at least 1', err)


class ListenTest(base.TestCase):

    def test_host_and_port(self):
        self.assertEqual(('127.0.0.1', 8080),
                         report.listen_address('127.0.0.1:8080'))
        self.assertEqual(('::1', 9000), report.listen_address('[::1]:9000'))

    def test_bad_addresses(self):
        for text in ('8080', 'host:', ':80', 'host:http', 'host:70000'):
            self.assertRaises(exceptions.UserError, report.listen_address,
                              text)

    def test_serve_listens_on_loopback_by_default(self):
        calls = []
        self.useFixture(fixtures.MonkeyPatch(
            'werkzeug.serving.run_simple',
            lambda host, port, app, **kw: calls.append((host, port))))
        tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'TEMPEST_CONFIG_DIR', tmp))
        with fixtures.MonkeyPatch('sys.stdout', io.StringIO()):
            self.assertEqual(0, main.main(['serve', '--state-dir', tmp]))
        self.assertEqual([('127.0.0.1', 8080)], calls)
