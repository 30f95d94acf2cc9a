"""observe's run id and state dir come from run_context."""

import argparse
import os

import fixtures

from upgrade_tempest_plugin.cmd import base as cmd_base
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.unit_tests import base


class ContextRunIdTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        # No tempest.conf here.
        self.useFixture(fixtures.EnvironmentVariable('TEMPEST_CONFIG_DIR',
                                                     self.dir))
        self.state = os.path.join(self.dir, 'state')

    def context(self, run_id=None, create_run=False):
        args = argparse.Namespace(config_file=None, run_id=run_id,
                                  state_dir=self.state)
        return cmd_base.RunContext(args, create_run=create_run)

    def test_no_run_recorded(self):
        ctx = self.context()
        self.assertIsNone(ctx.run_id)
        self.assertIsNone(run_context.recorded_run_id(
            run_context.upgrade_conf(state_dir=self.state)))

    def test_start_creates_the_run_status_finds_it(self):
        created = self.context(create_run=True).run_id
        self.assertTrue(created)
        self.assertEqual(created, self.context().run_id)

    def test_run_argument_wins(self):
        self.context(create_run=True)
        self.assertEqual('r-1', self.context(run_id='r-1').run_id)

    def test_store_url_is_run_contexts(self):
        ctx = self.context()
        self.assertEqual(run_context.sqlite_url(self.state), ctx.store_url)
        self.assertEqual('--state-dir', ctx.store_option)
