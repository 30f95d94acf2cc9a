"""Test results."""

from upgrade_tempest_plugin.unit_tests.store import fakes


def row(test_id, status='success', started_at=1.0, duration=0.5,
        detail=None):
    return {'test_id': test_id, 'status': status, 'started_at': started_at,
            'duration': duration, 'detail': detail}


class ResultTests(object):

    def test_test_results(self):
        self.assertEqual(1, self.store.add_test_results(
            self.run_id, [row('a.b.test_x')], phase='pre-upgrade'))
        self.store.add_test_results(
            self.run_id, [row('a.b.test_y', 'fail', None, None, 'Traceback')],
            phase='post-upgrade')
        first = self.store.list_test_results(self.run_id)[0]
        self.assertEqual(('a.b.test_x', 'success', 'pre-upgrade', 1.0, 0.5),
                         (first['test_id'], first['status'], first['phase'],
                          first['started_at'], first['duration']))
        post = self.store.list_test_results(self.run_id, phase='post-upgrade')
        self.assertEqual([('a.b.test_y', 'Traceback')],
                         [(r['test_id'], r['detail']) for r in post])

    def test_the_same_results_twice_are_kept_once(self):
        rows = [row('a.b.test_x'), row('a.b.test_y', started_at=None)]
        self.assertEqual(2, self.store.add_test_results(self.run_id, rows))
        self.assertEqual(0, self.store.add_test_results(self.run_id, rows))
        self.assertEqual(2, len(self.store.list_test_results(self.run_id)))

    def test_another_start_or_phase_is_another_result(self):
        self.store.add_test_results(self.run_id, [row('a.b.test_x')],
                                    phase='pre-upgrade')
        self.assertEqual(1, self.store.add_test_results(
            self.run_id, [row('a.b.test_x')], phase='post-upgrade'))
        self.assertEqual(1, self.store.add_test_results(
            self.run_id, [row('a.b.test_x', started_at=2.0)],
            phase='post-upgrade'))
        self.assertEqual(3, len(self.store.list_test_results(self.run_id)))


class SQLiteResultTest(ResultTests, fakes.SQLiteCase):
    pass


class PostgreSQLResultTest(ResultTests, fakes.PostgreSQLCase):
    pass


class MySQLResultTest(ResultTests, fakes.MySQLCase):
    pass
