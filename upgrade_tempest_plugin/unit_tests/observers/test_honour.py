"""The honour ledger: requests, their steps, reconciliation and sweep."""

import uuid

from upgrade_tempest_plugin.observers import honour
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base


class FakeClient(object):
    """A cloud in memory: resources go to ``final`` after ``polls`` GETs."""

    def __init__(self, final='active', delete_works=True, create=201):
        self.final = final
        self.delete_works = delete_works
        self.create = create
        self.resources = {}
        self.calls = []
        self.bodies = []

    def call(self, method, kind, path, body=None):
        self.calls.append((method, path))
        if body is not None:
            self.bodies.append(body)
        if method == 'POST':
            if self.create >= 300 or self.create == 0:
                if self.create == 0:
                    # Timed out, yet created.
                    rid = str(uuid.uuid4())
                    name = (body.get(kind.wrapper) or {}).get('name') \
                        if kind.wrapper else body['name']
                    self.resources[rid] = {'id': rid, 'name': name,
                                           'status': self.final}
                    return None, {}, 'timeout (ReadTimeoutError)'
                return self.create, {}, None
            rid = str(uuid.uuid4())
            name = (body[kind.wrapper]['name'] if kind.wrapper
                    else body['name'])
            self.resources[rid] = {'id': rid, 'name': name,
                                   'status': 'build'}
            data = {'id': rid, 'status': 'build'}
            return self.create, ({kind.wrapper: data} if kind.wrapper
                                 else data), None
        if '?name=' in path:
            name = path.split('?name=')[1]
            key = kind.collection.rsplit('/', 1)[-1]
            return 200, {key: [r for r in self.resources.values()
                               if r['name'] == name]}, None
        rid = path.rsplit('/', 1)[1]
        if rid not in self.resources:
            return 404, {}, None
        if method == 'DELETE':
            if self.delete_works:
                del self.resources[rid]
            return 204, {}, None
        res = self.resources[rid]
        res['status'] = self.final
        return 200, ({kind.wrapper: res} if kind.wrapper else res), None


class HonourTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = self.sqlite_store()
        self.run_id = 'r1'
        self.store.ensure_run(self.run_id)

    def observer(self, client, kinds=('network', 'volume', 'image'),
                 **context):
        return honour.HonourObserver(self.store, self.run_id, None, client,
                                     kinds, interval=1, timeout=30,
                                     **context)

    def test_port_and_server_honoured(self):
        client = FakeClient(final='active')
        client.resources['net-1'] = {'id': 'net-1', 'name': 'shared',
                                     'status': 'active'}
        obs = self.observer(client, ['port', 'server'], image_ref='img-1',
                            flavor_ref='42', network='shared')
        for kind in ('port', 'server'):
            self.assertEqual(models.HONOUR_PENDING,
                             obs.request(honour.WRITE_KINDS[kind])['outcome'])
        port_body, server_body = client.bodies
        self.assertEqual('net-1', port_body['port']['network_id'])
        self.assertEqual({'imageRef': 'img-1', 'flavorRef': '42',
                          'networks': [{'uuid': 'net-1'}]},
                         {k: v for k, v in server_body['server'].items()
                          if k != 'name'})
        rows = honour.reconcile(self.store, client, self.run_id, 30,
                                poll=0)
        self.assertEqual([models.HONOUR_HONOURED] * 2,
                         [r['outcome'] for r in rows])
        self.assertEqual(['net-1'], list(client.resources))
        # one network lookup for both kinds
        self.assertEqual(1, len([c for c in client.calls
                                 if 'networks?name=' in c[1]]))

    def test_kind_without_what_it_needs_is_skipped_once(self):
        client = FakeClient(final='active')
        obs = self.observer(client, ['server'], flavor_ref='42')
        self.assertIsNone(obs.request(honour.WRITE_KINDS['server']))
        self.assertIsNone(obs.request(honour.WRITE_KINDS['server']))
        self.assertEqual([], self.store.list_honour_requests(self.run_id))
        self.assertEqual([], client.calls)
        skips = [e for e in self.store.list_events(self.run_id)
                 if e['action'] == 'honour-skip']
        self.assertEqual(1, len(skips))
        self.assertIn('no image_ref', skips[0]['detail'])

    def test_unknown_kind_is_a_user_error(self):
        from upgrade_tempest_plugin import exceptions
        from upgrade_tempest_plugin.observers import settings
        bad = dict(settings.DEFAULTS, honour_kinds=['network', 'flavour'])
        error = self.assertRaises(exceptions.UserError, settings.check, bad)
        self.assertIn('unknown honour kind(s) flavour', str(error))

    def outcomes(self):
        return [(r['kind'], r['outcome'], r['reason'])
                for r in self.store.list_honour_requests(self.run_id)]

    def test_honoured_after_create_state_delete(self):
        client = FakeClient(final='available')
        obs = self.observer(client, ['volume'])
        row = obs.request(honour.WRITE_KINDS['volume'])
        self.assertEqual(models.HONOUR_PENDING, row['outcome'])
        rows = honour.reconcile(self.store, client, self.run_id, 30,
                                poll=0)
        self.assertEqual(models.HONOUR_HONOURED, rows[0]['outcome'])
        self.assertEqual('deleted', rows[0]['final_state'])
        self.assertIsNotNone(rows[0]['reached_at'])
        self.assertEqual({}, client.resources)

    def test_error_state_is_not_honoured_and_cleaned(self):
        client = FakeClient(final='error')
        obs = self.observer(client, ['network'])
        obs.request(honour.WRITE_KINDS['network'])
        rows = honour.reconcile(self.store, client, self.run_id, 30,
                                poll=0)
        self.assertEqual(models.HONOUR_NOT_HONOURED, rows[0]['outcome'])
        self.assertEqual('went to error', rows[0]['reason'])

    def test_every_error_state_is_decided_at_once(self):
        # not only the kind's listed states: any "error..." in any case
        for final, kind in (('error_restoring', 'volume'),
                            ('ERROR_EXTENDING', 'volume'),
                            ('killed', 'image'), ('ERROR', 'network')):
            client = FakeClient(final=final)
            row = self.observer(client, [kind]).request(
                honour.WRITE_KINDS[kind])
            self.assertTrue(honour.step(self.store, client, row, 30))
            self.assertEqual(models.HONOUR_NOT_HONOURED, row['outcome'])
            self.assertEqual('went to %s' % final.lower(), row['reason'])

    def test_error_while_deleting_is_decided_at_once(self):
        client = FakeClient(final='available', delete_works=False)
        row = self.observer(client, ['volume']).request(
            honour.WRITE_KINDS['volume'])
        self.assertFalse(honour.step(self.store, client, row, 30))
        client.final = 'error_deleting'
        self.assertTrue(honour.step(self.store, client, row, 30))
        self.assertEqual('delete accepted but it went to error_deleting',
                         row['reason'])

    def test_stuck_times_out(self):
        client = FakeClient(final='build')
        obs = self.observer(client, ['network'])
        obs.request(honour.WRITE_KINDS['network'])
        rows = honour.reconcile(self.store, client, self.run_id, 0.0,
                                poll=0)
        self.assertEqual(models.HONOUR_NOT_HONOURED, rows[0]['outcome'])
        self.assertIn('stuck in build', rows[0]['reason'])

    def test_delete_not_carried_out(self):
        client = FakeClient(final='active', delete_works=False)
        obs = self.observer(client, ['network'])
        row = obs.request(honour.WRITE_KINDS['network'])
        self.assertFalse(honour.step(self.store, client, row, 30))
        self.assertIsNotNone(row['delete_requested_at'])
        self.assertTrue(honour.step(self.store, client, row, 30,
                                    now=row['delete_requested_at'] + 31))
        self.assertIn('still there', row['reason'])

    def test_vanished(self):
        client = FakeClient(final='active')
        obs = self.observer(client, ['image'])
        row = obs.request(honour.WRITE_KINDS['image'])
        client.resources.clear()
        honour.step(self.store, client, row, 30)
        self.assertEqual(models.HONOUR_NOT_HONOURED, row['outcome'])
        self.assertIn('vanished', row['reason'])

    def test_rejected_request_is_not_counted_but_leftover_deleted(self):
        client = FakeClient(final='active', create=0)
        obs = self.observer(client, ['network'])
        row = obs.request(honour.WRITE_KINDS['network'])
        self.assertEqual(honour.REJECTED, row['outcome'])
        self.assertEqual(1, len(client.resources))
        honour.reconcile(self.store, client, self.run_id, 30, poll=0)
        self.assertEqual({}, client.resources)
        [stored] = self.store.list_honour_requests(self.run_id)
        self.assertIn('found by name and deleted', stored['reason'])

    def test_answer_never_recorded_found_by_name(self):
        # The observer was killed between the ledger row and the answer.
        client = FakeClient(final='active')
        name = honour.resource_name(self.run_id, 'network', 7)
        self.store.add_honour_request(self.run_id, 'network', 'network',
                                      name, requested_at=1.0)
        client.call('POST', honour.WRITE_KINDS['network'], 'v2.0/networks',
                    {'network': {'name': name}})
        rows = honour.reconcile(self.store, client, self.run_id, 30,
                                poll=0)
        self.assertEqual(models.HONOUR_HONOURED, rows[0]['outcome'])
        self.assertEqual({}, client.resources)

    def test_answer_never_recorded_nothing_created(self):
        client = FakeClient()
        self.store.add_honour_request(
            self.run_id, 'network', 'network',
            honour.resource_name(self.run_id, 'network', 8),
            requested_at=1.0)
        rows = honour.reconcile(self.store, client, self.run_id, 30,
                                poll=0)
        self.assertEqual(honour.REJECTED, rows[0]['outcome'])


class ClientEndpointTest(base.TestCase):
    """The endpoint of a kind comes from its service profile's types."""

    def test_catalog_types_of_the_profiles(self):
        client = honour.Client(None, {'volumev3': 'http://c/v3/p/',
                                      'volume': 'http://old/v2/p'}, None)
        self.assertEqual('http://c/v3/p',
                         client.endpoint(honour.WRITE_KINDS['volume']))
        self.assertIsNone(client.endpoint(honour.WRITE_KINDS['network']))
        for kind in honour.WRITE_KINDS.values():
            self.assertIn(kind.service, client.catalog_types, kind.name)

    def test_a_plugged_in_profile_names_new_types(self):
        client = honour.Client(None, {'blockstore': 'http://b'}, None,
                               catalog_types={'volume': ('blockstore',)})
        self.assertEqual('http://b',
                         client.endpoint(honour.WRITE_KINDS['volume']))
