"""The identity validators, run by ``tempest run`` against a real cloud.

Needs a running sandbox (``upgrade-tempest sandbox up``) whose directory is
``UPGRADE_TEMPEST_SANDBOX_DIR`` (or the default); tools/functional-sandbox.sh
provides it.
"""

import os
import subprocess
import sys

import fixtures
import testtools
import yaml

from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin import tempest_results

REGEX = r'^upgrade_tempest_plugin\.tests\.scenario\.test_identity\.'


class TestIdentityValidator(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.workspace = layout.Layout().workspace
        self.conf = os.path.join(self.workspace, 'etc', 'tempest.conf')
        if not os.path.isfile(self.conf):
            self.fail('no sandbox Tempest workspace at %s: run '
                      '"upgrade-tempest sandbox up" first' % self.workspace)
        # tempest runs and records its results in a scratch directory,
        # with the sandbox's tempest.conf.
        self.rundir = self.useFixture(fixtures.TempDir()).path
        self.env = dict(os.environ, PYTHON=sys.executable,
                        HOME=os.path.join(self.rundir, 'home'))

    def _last_stream(self):
        stestr = os.path.join(os.path.dirname(sys.executable), 'stestr')
        return subprocess.run([stestr, 'last', '--subunit'],
                              cwd=self.rundir, env=self.env, check=True,
                              stdout=subprocess.PIPE).stdout

    def _passwords(self):
        accounts = os.path.join(self.workspace, 'etc', 'accounts.yaml')
        with open(accounts) as accounts_file:
            return [a['password'] for a in yaml.safe_load(accounts_file)]

    def test_validators_pass_and_record_the_version_document(self):
        summary = tempest_results.run(self.rundir, REGEX,
                                      config_file=self.conf, env=self.env)
        ok, explanation = tempest_results.verdict(summary)
        self.assertTrue(ok, explanation)
        self.assertEqual(2, summary.passed, explanation)
        stream = self._last_stream()
        self.assertIn(b'identity-version-document', stream)
        self.assertIn(b'"v3.', stream)
        for password in self._passwords():
            self.assertNotIn(password.encode(), stream,
                             'a password reached the test results')
