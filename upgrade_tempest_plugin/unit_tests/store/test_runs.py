"""Runs."""

from upgrade_tempest_plugin.unit_tests.store import fakes


class RunTests(object):

    def test_run_attrs_merge(self):
        self.store.ensure_run(self.run_id, phase='pre-upgrade')
        run = self.store.ensure_run(self.run_id, cloud='sandbox')
        self.assertEqual({'phase': 'pre-upgrade', 'cloud': 'sandbox'},
                         run['attrs'])
        self.assertEqual(run, self.store.get_run(self.run_id))

    def test_list_runs_newest_first(self):
        older, newer = self.run_id + '-a', self.run_id + '-b'
        self.store.ensure_run(older)
        self.store.ensure_run(newer, cloud='sandbox')
        mine = [(r['id'], r['attrs']) for r in self.store.list_runs()
                if r['id'] in (older, newer)]
        self.assertEqual([(newer, {'cloud': 'sandbox'}), (older, {})], mine)
        self.assertEqual(1, len(self.store.list_runs(limit=1)))

    def test_unknown_run(self):
        self.assertIsNone(self.store.get_run(self.run_id))


class SQLiteRunTest(RunTests, fakes.SQLiteCase):
    pass


class PostgreSQLRunTest(RunTests, fakes.PostgreSQLCase):
    pass


class MySQLRunTest(RunTests, fakes.MySQLCase):
    pass
