import io

import fixtures

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
