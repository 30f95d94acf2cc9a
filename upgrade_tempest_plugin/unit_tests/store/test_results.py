"""Test results."""

from upgrade_tempest_plugin.unit_tests.store import fakes


class ResultTests(object):

    def test_test_results(self):
        self.store.add_test_result(self.run_id, 'a.b.test_x', 'success',
                                   phase='pre-upgrade', started_at=1.0,
                                   duration=0.5)
        self.store.add_test_result(self.run_id, 'a.b.test_y', 'fail',
                                   phase='post-upgrade')
        self.assertEqual('success', self.store.list_test_results(
            self.run_id)[0]['status'])
        self.assertEqual(['a.b.test_y'], [
            r['test_id'] for r in self.store.list_test_results(
                self.run_id, phase='post-upgrade')])


class SQLiteResultTest(ResultTests, fakes.SQLiteCase):
    pass


class PostgreSQLResultTest(ResultTests, fakes.PostgreSQLCase):
    pass


class MySQLResultTest(ResultTests, fakes.MySQLCase):
    pass
