"""The ledger, through the store's workload methods."""

from upgrade_tempest_plugin.unit_tests.store import fakes


class LedgerTests(object):

    def test_workload_upsert(self):
        first = self.store.record_workload(
            self.run_id, 'server', 'vm1', 'id-1', 'compute',
            attrs={'flavor': 'm1.tiny'})
        self.assertEqual('id-1', first['resource_id'])
        self.assertIsNone(first['deleted_at'])
        self.assertIsNone(first['state'])
        second = self.store.record_workload(
            self.run_id, 'server', 'vm1', 'id-2', 'compute',
            attrs={'image': 'cirros'}, parent='net1')
        self.assertEqual('id-2', second['resource_id'])
        self.assertEqual({'flavor': 'm1.tiny', 'image': 'cirros'},
                         second['attrs'])
        self.assertEqual('net1', second['parent'])
        listed = self.store.list_workloads(self.run_id)
        self.assertEqual(1, len(listed))
        self.assertEqual(
            {'run_id', 'kind', 'name', 'resource_id', 'service', 'attrs',
             'parent', 'created_at', 'deleted_at', 'state'},
            set(listed[0]))
        self.assertEqual(('server', 'vm1', 'compute'),
                         (listed[0]['kind'], listed[0]['name'],
                          listed[0]['service']))

    def test_workload_state_delete_and_filters(self):
        self.store.record_workload(self.run_id, 'server', 'vm1', 'a',
                                   'compute')
        self.store.record_workload(self.run_id, 'volume', 'vol1', 'b',
                                   'volume')
        self.assertTrue(self.store.set_workload_state(
            self.run_id, 'server', 'vm1', 'ACTIVE', attrs={'ip': '10.0.0.3'}))
        self.assertFalse(self.store.set_workload_state(
            self.run_id, 'server', 'nope', 'ACTIVE'))
        server = self.store.list_workloads(self.run_id, kind='server')[0]
        self.assertEqual('ACTIVE', server['state'])
        self.assertEqual({'ip': '10.0.0.3'}, server['attrs'])
        self.assertTrue(self.store.mark_workload_deleted(
            self.run_id, 'volume', 'vol1'))
        self.assertFalse(self.store.mark_workload_deleted(
            self.run_id, 'volume', 'nope'))
        self.assertEqual(['vm1'], [w['name'] for w in
                                   self.store.list_workloads(self.run_id)])
        everything = self.store.list_workloads(self.run_id,
                                               include_deleted=True)
        self.assertEqual(2, len(everything))
        deleted = [w for w in everything if w['name'] == 'vol1'][0]
        self.assertIsNotNone(deleted['deleted_at'])
        self.assertEqual(deleted, self.store.get_workload(
            self.run_id, 'volume', 'vol1'))
        self.assertIsNone(self.store.get_workload(self.run_id, 'server',
                                                  'vol1'))
        # Recording it again brings it back.
        self.store.record_workload(self.run_id, 'volume', 'vol1', 'c',
                                   'volume')
        self.assertEqual(2, len(self.store.list_workloads(self.run_id)))

    def test_listed_in_creation_order(self):
        for name in ('net', 'subnet', 'port'):
            self.store.record_workload(self.run_id, name, name, None,
                                       'network', parent='stack')
        self.assertEqual(['net', 'subnet', 'port'], [
            e['name'] for e in self.store.list_workloads(self.run_id)])


class SQLiteLedgerTest(LedgerTests, fakes.SQLiteCase):
    pass


class PostgreSQLLedgerTest(LedgerTests, fakes.PostgreSQLCase):
    pass


class MySQLLedgerTest(LedgerTests, fakes.MySQLCase):
    pass
