"""Observer processes and their heartbeats."""

from upgrade_tempest_plugin.unit_tests.store import fakes


class ProcessTests(object):

    def test_register_heartbeat_stop(self):
        pid = self.store.register_process(self.run_id, 123, 'host',
                                          'detached', at=100.0,
                                          attrs={'services': ['compute']})
        process = self.store.get_process(pid)
        self.assertEqual((100.0, 100.0, 0, {'services': ['compute']}),
                         (process['started_at'], process['heartbeat_at'],
                          process['samples_written'], process['attrs']))
        self.store.heartbeat(pid, at=105.0, samples_written=50,
                             samples_dropped=2)
        process = self.store.get_process(pid)
        self.assertEqual((105.0, 50, 2), (process['heartbeat_at'],
                                          process['samples_written'],
                                          process['samples_dropped']))
        self.store.process_stopped(pid, 'SIGTERM')
        [listed] = self.store.list_processes(self.run_id)
        self.assertEqual('SIGTERM', listed['stop_reason'])
        self.assertIsNotNone(listed['stopped_at'])
        self.assertIsNotNone(self.store.get_run(self.run_id))

    def test_unknown_process(self):
        self.assertIsNone(self.store.get_process(-1))


class SQLiteProcessTest(ProcessTests, fakes.SQLiteCase):
    pass


class PostgreSQLProcessTest(ProcessTests, fakes.PostgreSQLCase):
    pass


class MySQLProcessTest(ProcessTests, fakes.MySQLCase):
    pass
