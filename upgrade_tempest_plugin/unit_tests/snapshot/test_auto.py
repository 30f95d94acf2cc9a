"""--export-on-failure: validate exports a bundle when it fails."""

import io
import os
from unittest import mock

import fixtures

from upgrade_tempest_plugin.cmd import demo
from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin import facade
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.snapshot import auto
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.snapshot import fakes
from upgrade_tempest_plugin.unit_tests.snapshot import test_run_part


def _result(ok):
    return {'ok': ok, 'explanation': 'x', 'passed': 1, 'skipped': 0,
            'failed': [] if ok else ['t.test_a'], 'returncode': int(not ok),
            'stored': None}


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


class TestDemoExportOnFailure(base.TestCase):
    """The demo exports the run and the cloud before the sandbox goes down."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.calls = []
        sb = mock.Mock()
        sb.layout = layout.Layout(os.path.join(self.tmp, 'sb'))
        sb.state.return_value = None
        sb.down.side_effect = lambda: self.calls.append('down')
        self.useFixture(fixtures.MockPatch(
            'upgrade_tempest_plugin.cmd.sandbox.make_sandbox',
            return_value=sb))
        self.useFixture(fixtures.MockPatchObject(
            auto, 'export_failed',
            side_effect=lambda *a, **k: self.calls.append(('export', a, k))))
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', io.StringIO()))

    def run_demo(self, failed, *extra):
        def run_demo(cmd, sb, src, dst, mode, steps):
            steps.append(('validators post-upgrade',
                          'failed' if failed else 'passed', 1.0, ''))
        self.useFixture(fixtures.MockPatchObject(
            demo.Demo, 'run_demo', run_demo))
        self.useFixture(fixtures.MockPatchObject(demo.Demo, 'summary'))
        return main.main(['demo'] + list(extra))

    def test_failed_demo_exports_before_down(self):
        self.assertEqual(1, self.run_demo(True, '--export-on-failure',
                                          self.tmp))
        self.assertEqual('export', self.calls[0][0])
        self.assertEqual('down', self.calls[1])
        args, kwargs = self.calls[0][1], self.calls[0][2]
        self.assertEqual(self.tmp, args[0])
        root = os.path.join(self.tmp, 'sb')
        self.assertEqual(root, kwargs['sandbox_dir'])
        self.assertEqual(os.path.join(root, 'tempest', 'etc',
                                      'tempest.conf'), kwargs['config_file'])
        self.assertEqual(os.path.join(root, 'upgrade-state'),
                         kwargs['state_dir'])

    def test_passed_demo_exports_nothing(self):
        self.assertEqual(0, self.run_demo(False, '--export-on-failure'))
        self.assertEqual(['down'], self.calls)

    def test_no_option(self):
        self.assertEqual(1, self.run_demo(True))
        self.assertEqual(['down'], self.calls)
