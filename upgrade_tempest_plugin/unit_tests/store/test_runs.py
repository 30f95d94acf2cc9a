"""Runs."""

from upgrade_tempest_plugin.unit_tests.store import fakes


class RunTests(object):

    def test_run_attrs_merge(self):
        self.store.ensure_run(self.run_id, phase='pre-upgrade')
        run = self.store.ensure_run(self.run_id, cloud='sandbox')
        self.assertEqual({'phase': 'pre-upgrade', 'cloud': 'sandbox'},
                         run['attrs'])
        self.assertEqual(run, self.store.get_run(self.run_id))

    def test_unknown_run(self):
        self.assertIsNone(self.store.get_run(self.run_id))


class SQLiteRunTest(RunTests, fakes.SQLiteCase):
    pass


class PostgreSQLRunTest(RunTests, fakes.PostgreSQLCase):
    pass


class MySQLRunTest(RunTests, fakes.MySQLCase):
    pass
