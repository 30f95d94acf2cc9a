import os
import types

import fixtures

from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.unit_tests import base


class TestRunContext(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.conf = types.SimpleNamespace(run_id=None, store_url=None,
                                          state_dir=self.dir + '/state')

    def test_run_id_is_created_once_and_reused(self):
        first = run_context.run_id(self.conf)
        self.assertEqual(first, run_context.run_id(self.conf))

    def test_option_wins(self):
        self.conf.run_id = 'gate-42'
        self.assertEqual('gate-42', run_context.run_id(self.conf))

    def test_new_run_gives_new_id(self):
        first = run_context.run_id(self.conf)
        run_context.new_run(self.conf)
        self.assertNotEqual(first, run_context.run_id(self.conf))

    def test_default_store_is_sqlite_in_state_dir(self):
        self.assertEqual('sqlite:///%s/state/store.db' % self.dir,
                         run_context.store_url(self.conf))
        self.conf.store_url = 'postgresql://u@h/db'
        self.assertEqual('postgresql://u@h/db',
                         run_context.store_url(self.conf))


class TestRunIdResolution(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.conf = run_context.upgrade_conf(state_dir=self.dir + '/state')

    def test_recorded_run_id_never_starts_a_run(self):
        self.assertIsNone(run_context.recorded_run_id(self.conf))
        self.assertFalse(os.path.exists(
            os.path.join(self.dir, 'state', run_context.RUN_ID_FILE)))

    def test_recorded_run_id_reads_the_state_dir(self):
        created = run_context.run_id(self.conf)
        self.assertEqual(created, run_context.recorded_run_id(self.conf))

    def test_option_wins_over_the_file(self):
        run_context.run_id(self.conf)
        self.conf.run_id = 'gate-7'
        self.assertEqual('gate-7', run_context.recorded_run_id(self.conf))
        self.assertEqual('gate-7', run_context.run_id(self.conf))

    def test_empty_file_is_no_run(self):
        os.makedirs(os.path.join(self.dir, 'state'))
        with open(os.path.join(self.dir, 'state',
                               run_context.RUN_ID_FILE), 'w') as f:
            f.write('\n')
        self.assertIsNone(run_context.recorded_run_id(self.conf))

    def test_new_run_of_a_state_dir(self):
        # What the demo does between runs.
        first = run_context.run_id(self.conf)
        run_context.new_run(run_context.upgrade_conf(
            state_dir=self.dir + '/state'))
        self.assertIsNone(run_context.recorded_run_id(self.conf))
        self.assertNotEqual(first, run_context.run_id(self.conf))

    def test_new_run_without_a_run(self):
        run_context.new_run(self.conf)
        self.assertIsNone(run_context.recorded_run_id(self.conf))

    def test_defaults(self):
        conf = run_context.upgrade_conf()
        self.assertEqual('.upgrade-tempest', conf.state_dir)
        self.assertIsNone(conf.run_id)
        self.assertIsNone(conf.store_url)
