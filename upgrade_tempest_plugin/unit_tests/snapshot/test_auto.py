"""--export-on-failure: validate exports a bundle when it fails."""

import io
import os

import fixtures

from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin import facade
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.snapshot import fakes
from upgrade_tempest_plugin.unit_tests.snapshot import test_run_part


def _result(ok):
    return {'ok': ok, 'explanation': 'x', 'passed': 1, 'skipped': 0,
            'failed': [] if ok else ['t.test_a'], 'returncode': int(not ok)}


class TestValidateExportOnFailure(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.state = os.path.join(self.tmp, 'state')
        store = fakes.open_store(self.state)
        fakes.fill_run(store)
        store.close()
        with open(os.path.join(self.state, 'run_id'), 'w') as f:
            f.write(fakes.RUN + '\n')
        self.conf = fakes.workspace(os.path.join(self.tmp, 'ws'),
                                    self.state)
        test_run_part.fake_conf(self, self.state)
        self.stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.out = os.path.join(self.tmp, 'bundles')

    def validate(self, ok, *extra):
        self.useFixture(fixtures.MockPatchObject(
            facade, 'run_validators', return_value=_result(ok)))
        return main.main(['validate', '--workspace',
                          os.path.join(self.tmp, 'ws'), '--config-file',
                          self.conf] + list(extra))

    def test_failure_exports_and_says_where(self):
        self.assertEqual(1, self.validate(False, '--export-on-failure',
                                          self.out))
        written = os.listdir(self.out)
        self.assertEqual(1, len(written))
        path = os.path.join(self.out, written[0])
        self.assertIn('snapshot: exported the failed run to %s' % path,
                      self.stdout.getvalue())
        manifest = bundle.verify(path)
        self.assertEqual(fakes.RUN, manifest['run_id'])
        self.assertIn('run/stestr/0/0',
                      [f['path'] for f in manifest['files']])

    def test_success_or_no_option_exports_nothing(self):
        self.assertEqual(0, self.validate(True, '--export-on-failure',
                                          self.out))
        self.assertFalse(os.path.exists(self.out))
        self.assertNotIn('snapshot:', self.stdout.getvalue())

    def test_failed_export_keeps_the_exit_code(self):
        os.unlink(os.path.join(self.state, 'store.db'))
        self.assertEqual(1, self.validate(False, '--export-on-failure',
                                          self.out))
        self.assertIn('snapshot: could not export the failed run: no run '
                      '%s' % fakes.RUN, self.stdout.getvalue())
