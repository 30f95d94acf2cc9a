from upgrade_tempest_plugin.store import campaigns
from upgrade_tempest_plugin.unit_tests.store import fakes


class CampaignTests(object):

    def test_campaign_and_state(self):
        self.store.create_campaign(self.run_id, 'plan', 'cloud-a',
                                   {'name': 'plan'})
        self.store.set_campaign_state(self.run_id, 'running', pid=42)
        self.store.set_campaign_state(self.run_id, 'done', result='ok')
        row = self.store.get_campaign(self.run_id)
        self.assertEqual(('done', {'pid': 42, 'result': 'ok'}),
                         (row['state'], row['detail']))
        self.assertIn(self.run_id, [c['run_id'] for c in
                                    self.store.list_campaigns()])
        self.assertEqual('plan', self.store.get_run(
            self.run_id)['attrs']['campaign'])

    def test_one_campaign_per_cloud(self):
        cloud = 'cloud-' + self.run_id
        self.store.acquire_campaign_lock(cloud, self.run_id)
        # The holder may take it again (a resumed campaign).
        self.store.acquire_campaign_lock(cloud, self.run_id)
        exc = self.assertRaises(campaigns.CampaignLocked,
                                self.store.acquire_campaign_lock, cloud,
                                'other')
        self.assertEqual(self.run_id, exc.holder)
        self.assertIn(self.run_id, str(exc))
        # Only the holder releases it.
        self.store.release_campaign_lock(cloud, 'other')
        self.assertEqual(self.run_id,
                         self.store.campaign_lock_holder(cloud))
        self.store.release_campaign_lock(cloud, self.run_id)
        self.store.acquire_campaign_lock(cloud, 'other')
        self.assertEqual('other', self.store.campaign_lock_holder(cloud))
        self.store.release_campaign_lock(cloud, 'other')

    def test_status_table_rows(self):
        self.store.create_campaign(self.run_id, 'plan', 'c', {})
        self.store.set_item(self.run_id, campaigns.STEP, 'b',
                            campaigns.PENDING, position=2)
        self.store.set_item(self.run_id, campaigns.STEP, 'a',
                            campaigns.PENDING, position=1)
        self.store.set_item(self.run_id, campaigns.STEP, 'a',
                            campaigns.RUNNING, started_at=10.0,
                            detail={'pid': 1})
        row = self.store.set_item(self.run_id, campaigns.STEP, 'a',
                                  campaigns.DONE, ended_at=12.5,
                                  detail={'rc': 0})
        self.assertEqual((campaigns.DONE, 10.0, 12.5, 1,
                          {'pid': 1, 'rc': 0}),
                         (row['state'], row['started_at'], row['ended_at'],
                          row['position'], row['detail']))
        self.store.set_item(self.run_id, campaigns.OBJECT, 'a',
                            campaigns.DONE, obj='keystone', position=1)
        self.assertEqual(
            [('a', ''), ('a', 'keystone'), ('b', '')],
            [(r['item'], r['object'])
             for r in self.store.list_items(self.run_id)])
        self.assertEqual(campaigns.PENDING, self.store.get_item(
            self.run_id, campaigns.STEP, 'b')['state'])
        self.assertIsNone(self.store.get_item(self.run_id,
                                              campaigns.STEP, 'c'))


class SQLiteCampaignTest(CampaignTests, fakes.SQLiteCase):
    pass


class PostgreSQLCampaignTest(CampaignTests, fakes.PostgreSQLCase):
    pass


class MySQLCampaignTest(CampaignTests, fakes.MySQLCase):
    pass
