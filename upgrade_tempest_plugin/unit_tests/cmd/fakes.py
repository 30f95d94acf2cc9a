"""Helpers of the command-line unit tests."""

import io
import os

import fixtures

from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.unit_tests import base


class SandboxCliTestCase(base.TestCase):
    """Runs ``upgrade-tempest`` in-process on a sandbox directory.

    The sandbox directory and the venv cache are in a temporary directory
    that nothing creates unless a command does.
    """

    def setUp(self):
        super().setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        self.dir = os.path.join(self.root, 'sandbox')
        self.useFixture(fixtures.EnvironmentVariable(
            layout.CACHE_ENV, os.path.join(self.root, 'cache')))
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value

    def run_cli(self, *args):
        return main.main(list(args) + ['--dir', self.dir])

    def assertUserError(self, text, *args):
        """Exit 2, one line naming ``text``, nothing made on disk."""
        self.assertEqual(2, self.run_cli(*args))
        lines = self.stderr.getvalue().strip().splitlines()
        self.assertEqual(1, len(lines), lines)
        self.assertIn(text, lines[0])
        self.assertFalse(os.path.exists(self.dir))
        self.assertFalse(os.path.exists(os.path.join(self.root, 'cache')))
