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
