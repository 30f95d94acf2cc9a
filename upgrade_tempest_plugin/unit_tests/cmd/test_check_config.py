import io
import os

import fixtures

from upgrade_tempest_plugin.cmd import check_config
from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin.unit_tests import base


class TestCheckConfig(base.TestCase):

    def _run(self, text):
        path = self.useFixture(fixtures.TempDir()).path + '/tempest.conf'
        if text is not None:
            with open(path, 'w') as conf_file:
                conf_file.write(text)
        stdout = self.useFixture(
            fixtures.MonkeyPatch('sys.stdout', io.StringIO())).new_value
        stderr = self.useFixture(
            fixtures.MonkeyPatch('sys.stderr', io.StringIO())).new_value
        rc = main.main(['check-config', '--config-file', path])
        return rc, stdout.getvalue(), stderr.getvalue()

    def test_valid(self):
        rc, out, err = self._run('[upgrade]\nrequest_timeout = 5\n')
        self.assertEqual(0, rc)
        self.assertIn('valid', out)

    def test_non_numeric_value_is_one_line_exit_2(self):
        rc, out, err = self._run('[upgrade]\nrequest_timeout = ten\n')
        self.assertEqual(2, rc)
        lines = err.strip().splitlines()
        self.assertEqual(1, len(lines), err)
        self.assertIn('[upgrade] request_timeout', lines[0])
        self.assertIn("'ten'", lines[0])

    def test_missing_file(self):
        rc, out, err = self._run(None)
        self.assertEqual(2, rc)
        self.assertIn('no such file', err)

    def _log_conf(self, options, make=()):
        """check-config of a tempest.conf with these [DEFAULT] options.

        ``%(tmp)s`` in a value is a temporary directory, where the
        directories of ``make`` are created first.
        """
        tmp = self.useFixture(fixtures.TempDir()).path
        for name in make:
            os.makedirs(os.path.join(tmp, name))
        text = '[DEFAULT]\n' + ''.join(
            '%s = %s\n' % (k, v % {'tmp': tmp}) for k, v in options.items())
        return self._run(text)

    def test_missing_log_dir_is_one_line_exit_2(self):
        # Tempest itself would fail every test module's import (the first
        # with FileNotFoundError, the others with ArgsAlreadyParsedError).
        rc, out, err = self._log_conf({'log_dir': '%(tmp)s/logs'})
        self.assertEqual(2, rc)
        lines = err.strip().splitlines()
        self.assertEqual(1, len(lines), err)
        self.assertIn('[DEFAULT] log_dir', lines[0])
        self.assertIn('/logs ', lines[0])

    def test_missing_directory_of_log_file(self):
        rc, out, err = self._log_conf(
            {'log_dir': '%(tmp)s/logs', 'log_file': 'sub/tempest.log'},
            make=['logs'])
        self.assertEqual(2, rc)
        self.assertIn('/logs/sub ', err)

    def test_existing_log_dir(self):
        rc, out, err = self._log_conf({'log_dir': '%(tmp)s/logs'},
                                      make=['logs'])
        self.assertEqual((0, ''), (rc, err))

    def test_log_config_append_writes_no_log_file(self):
        rc, out, err = self._log_conf({
            'log_dir': '%(tmp)s/logs',
            'log_config_append': '%(tmp)s/logging.conf'})
        self.assertEqual((0, ''), (rc, err))

    def test_relative_log_dir_is_not_checked(self):
        # Relative to the directory tempest run runs in, unknown here.
        rc, out, err = self._log_conf({'log_dir': 'no-such-logs'})
        self.assertEqual((0, ''), (rc, err))

    def test_logging_conf_beside_tempest_conf_writes_no_log_file(self):
        # Tempest then sets log_config_append to it.
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'tempest.conf')
        with open(path, 'w') as f:
            f.write('[DEFAULT]\nlog_dir = %s/logs\n' % tmp)
        self.assertNotEqual([], check_config.find_problems(path))
        with open(os.path.join(tmp, 'logging.conf'), 'w') as f:
            f.write('[loggers]\nkeys = root\n')
        self.assertEqual([], check_config.find_problems(path))
