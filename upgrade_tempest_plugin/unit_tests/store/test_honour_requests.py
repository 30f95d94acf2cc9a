"""Honour requests."""

from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.store import fakes


class HonourTests(object):

    def test_honour_requests(self):
        rid = self.store.add_honour_request(
            self.run_id, 'network', 'network', 'honour-net-1',
            requested_at=1.0, accepted_at=1.2, status=201,
            resource_id='abc', target_state='ACTIVE')
        self.assertEqual(models.HONOUR_PENDING,
                         self.store.list_honour_requests(
                             self.run_id)[0]['outcome'])
        self.store.update_honour_request(
            rid, outcome=models.HONOUR_HONOURED, final_state='ACTIVE',
            reason='x' * 300)
        rows = self.store.list_honour_requests(self.run_id)
        self.assertEqual(models.HONOUR_HONOURED, rows[0]['outcome'])
        self.assertEqual(255, len(rows[0]['reason']))
        self.assertEqual([], self.store.list_honour_requests(
            self.run_id, outcome=models.HONOUR_PENDING))


class SQLiteHonourTest(HonourTests, fakes.SQLiteCase):
    pass


class PostgreSQLHonourTest(HonourTests, fakes.PostgreSQLCase):
    pass


class MySQLHonourTest(HonourTests, fakes.MySQLCase):
    pass
