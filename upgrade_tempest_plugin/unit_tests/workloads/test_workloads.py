import types

from tempest.lib import exceptions as lib_exc
import testtools

from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.workloads import fakes
from upgrade_tempest_plugin.workloads import guard
from upgrade_tempest_plugin.workloads import kinds
from upgrade_tempest_plugin.workloads.kinds import base as kinds_base
from upgrade_tempest_plugin.workloads import resources
from upgrade_tempest_plugin.workloads import workload_set

SETTINGS = types.SimpleNamespace(image_ref='img', flavor_ref='1',
                                 network_id='shared', volume_size=1,
                                 subnet_cidr='10.199.0.0/24')


class WorkloadTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = fakes.FakeCloud()
        self.store = fakes.FakeStore()
        self.kinds = kinds.load()

    def new_set(self, limit=3):
        res = resources.Resources(self.cloud.manager(), timeout=1,
                                  interval=0.01)
        return workload_set.WorkloadSet(self.store, 'run1', res, SETTINGS,
                                        max_failed_creates=limit)

    def create_all(self):
        ws = self.new_set()
        for kind in self.kinds.values():
            with ws.creating(kind.name, kind.service, kind.name):
                kind.create_or_verify(ws)
        return ws

    def resource_count(self):
        return sum(len(v) for v in self.cloud.items.values())


class TestCreateOrVerify(WorkloadTestCase):

    def test_creates_everything_and_records_it(self):
        self.create_all()
        items = self.cloud.items
        self.assertEqual(2, len(items['server']))
        # data volume, boot volume, volume with snapshot
        self.assertEqual(3, len(items['volume']))
        self.assertEqual(1, len(items['snapshot']))
        self.assertEqual(1, len(items['image']))
        self.assertEqual(1, len(items['keypair']))
        self.assertEqual(1, len(items['router']))
        # router interface port + workload port
        self.assertEqual(2, len(items['port']))
        ids = {r['resource_id'] for r in self.store.rows}
        for rtype, found in items.items():
            for rid in found:
                if rtype == 'port' and found[rid].get('device_id'):
                    continue     # the router interface is recorded too
                self.assertIn(rid, ids, rtype)
        self.assertNotIn('secret', str(self.store.rows))

    def test_second_run_creates_nothing(self):
        self.create_all()
        before = self.resource_count()
        self.cloud.calls.clear()
        self.create_all()
        self.assertEqual(before, self.resource_count())
        self.assertEqual([], [c for c in self.cloud.calls
                              if c.startswith(('create', 'attach',
                                               'add_router'))])

    def test_all_verify_clean(self):
        self.create_all()
        ws = self.new_set()
        for kind in self.kinds.values():
            self.assertEqual([], kind.verify(ws), kind.name)

    def test_verify_lists_each_type_once(self):
        self.create_all()
        ws = self.new_set()
        self.cloud.calls.clear()
        for kind in self.kinds.values():
            kind.verify(ws)
        self.assertEqual([], [c for c in self.cloud.calls
                              if c.startswith('show')])
        lists = [c for c in self.cloud.calls if c.startswith('list')]
        self.assertEqual(len(lists), len(set(lists)), lists)

    def test_interrupted_create_is_adopted(self):
        ws = self.new_set()
        kind = self.kinds['image_with_data']
        name = ws.resource_name(kind.name, 'image')
        # The process died after the create request: recorded without id.
        self.store.record_workload('run1', 'image', name, None, 'image',
                                   parent=kind.name)
        self.cloud.add('image', id='img-x', name=name, status='queued')
        with ws.creating(kind.name, kind.service, kind.name):
            kind.create_or_verify(ws)
        self.assertEqual(['img-x'], list(self.cloud.items['image']))
        self.assertEqual('img-x', ws.entry('image', name)['resource_id'])

    def test_create_interrupted_in_flight_is_cleaned_up_later(self):
        """The service carries out a create after the run's undo looked."""
        ws = self.new_set()
        name = ws.resource_name('kind1', 'image')

        def create(name):
            raise KeyboardInterrupt()
        with testtools.ExpectedException(KeyboardInterrupt):
            with ws.creating('kind1', 'image', 'kind1'):
                ws.ensure('kind1', 'image', 'image', create)
        self.assertEqual(name, ws.entry('image', name)['name'])
        self.cloud.add('image', id='img-late', name=name, status='active')
        self.assertEqual([], self.new_set().destroy())
        self.assertEqual({}, self.cloud.items['image'])


class TestVerifyFindsDamage(WorkloadTestCase):

    def test_deleted_attached_volume_is_named(self):
        self.create_all()
        ws = self.new_set()
        entry = ws.recorded('server_with_volume', 'data', 'volume')
        del self.cloud.items['volume'][entry['resource_id']]
        problems = self.kinds['server_with_volume'].verify(ws)
        self.assertEqual(1, len(problems), problems)
        self.assertIn('volume upgrade-run1-server-with-volume-data',
                      problems[0])
        self.assertIn('is gone', problems[0])

    def test_detached_volume(self):
        self.create_all()
        ws = self.new_set()
        entry = ws.recorded('server_with_volume', 'data', 'volume')
        self.cloud.items['volume'][entry['resource_id']].update(
            status='available', attachments=[])
        problems = self.kinds['server_with_volume'].verify(ws)
        self.assertTrue(any('not attached' in p for p in problems))

    def test_reading_reads_the_ledger_once(self):
        self.create_all()
        ws = self.new_set()
        lists = []
        real = self.store.list_workloads

        def counted(*args, **kwargs):
            lists.append(args)
            return real(*args, **kwargs)
        self.store.list_workloads = counted
        with ws.reading():
            for kind in self.kinds.values():
                self.assertEqual([], kind.verify(ws))
        self.assertEqual(1, len(lists))
        # Outside reading(), another set's write is seen at once.
        kind = self.kinds['image_with_data']
        entry = ws.recorded(kind.name, 'image', 'image')
        self.new_set().update_attrs('image', entry['name'], 'elsewhere')
        self.assertEqual('elsewhere',
                         ws.recorded(kind.name, 'image', 'image')['state'])

    def test_interrupted_stop_is_explained(self):
        self.create_all()
        ws = self.new_set()
        kind = self.kinds['server_boot_from_volume']
        entry = ws.recorded(kind.name, 'server', 'server')
        # The stop went out, then the run died before the start.
        ws.update_attrs('server', entry['name'], kinds_base.STOPPING)
        self.cloud.items['server'][entry['resource_id']]['status'] = 'SHUTOFF'
        problems = kind.verify(ws)
        self.assertIn("has status 'SHUTOFF', expected ACTIVE (a stop/start "
                      "action of an earlier post-upgrade run was "
                      "interrupted)", problems[0])
        # A complete action leaves the ledger state as it was.
        self.cloud.items['server'][entry['resource_id']]['status'] = 'ACTIVE'
        self.assertEqual([], kind.act(self.new_set()))
        self.assertEqual('created',
                         ws.recorded(kind.name, 'server', 'server')['state'])

    def test_image_data_changed(self):
        self.create_all()
        ws = self.new_set()
        entry = ws.recorded('image_with_data', 'image', 'image')
        self.cloud.image_data[entry['resource_id']] = b'other'
        problems = self.kinds['image_with_data'].act(ws)
        self.assertIn('downloaded data has sha512', problems[0])

    def test_nothing_recorded(self):
        ws = self.new_set()
        problems = self.kinds['network_stack'].verify(ws)
        self.assertIn('not (completely) recorded', problems[0])


class TestActions(WorkloadTestCase):

    def test_actions_pass_and_leave_no_extra(self):
        self.create_all()
        before = self.resource_count()
        ws = self.new_set()
        for kind in self.kinds.values():
            self.assertEqual([], kind.act(ws), kind.name)
        self.assertEqual(before, self.resource_count())
        # The extended size is the new expectation; verify stays clean.
        ws = self.new_set()
        for kind in self.kinds.values():
            self.assertEqual([], kind.verify(ws), kind.name)
        vol = ws.recorded('volume_with_snapshot', 'volume', 'volume')
        self.assertEqual(2, vol['attrs']['size'])

    def test_metadata_instead_of_power_actions(self):
        self.create_all()
        ws = self.new_set()
        ws.settings = types.SimpleNamespace(**dict(
            vars(SETTINGS), server_power_actions=False))
        self.cloud.calls.clear()
        for name in ('server_with_volume', 'server_boot_from_volume'):
            self.assertEqual([], self.kinds[name].act(ws))
        self.assertNotIn('stop_server', self.cloud.calls)
        self.assertEqual(2, self.cloud.calls.count('set_server_metadata_item'))


class TestDestroy(WorkloadTestCase):

    def test_destroy_everything_in_reverse(self):
        self.create_all()
        ws = self.new_set()
        self.cloud.calls.clear()
        self.assertEqual([], ws.destroy())
        self.assertEqual(0, self.resource_count())
        self.assertEqual([], ws.entries())
        deletes = [c for c in self.cloud.calls
                   if c.startswith(('delete', 'detach', 'remove'))]
        # The attachment goes before its server, the server before its
        # volume; the router interface before the router.
        last_server = len(deletes) - 1 - deletes[::-1].index('delete_server')
        self.assertLess(deletes.index('detach_volume'), last_server)
        self.assertLess(deletes.index('remove_router_interface'),
                        deletes.index('delete_router'))

    def test_destroy_one_workload(self):
        self.create_all()
        ws = self.new_set()
        self.assertEqual([], ws.destroy('image_with_data'))
        self.assertEqual({}, self.cloud.items['image'])
        self.assertEqual(2, len(self.cloud.items['server']))

    def test_destroy_tolerates_already_gone(self):
        self.create_all()
        self.cloud.items['image'].clear()
        ws = self.new_set()
        self.assertEqual([], ws.destroy())
        self.assertEqual(0, self.resource_count())


class TestCascadeStop(WorkloadTestCase):

    def test_guard_trips_after_k(self):
        g = guard.CreateGuard(2)

        def boom():
            raise RuntimeError('no valid host')
        self.assertRaises(RuntimeError, g.create, 'a', boom)
        self.assertRaises(guard.CascadeStop, g.create, 'b', boom)
        # Tripped: nothing more is even tried.
        self.assertRaises(guard.CascadeStop, g.create, 'c', lambda: 1)
        self.assertIn('no valid host', g.report())

    def test_success_resets(self):
        g = guard.CreateGuard(2)

        def boom():
            raise RuntimeError('x')
        self.assertRaises(RuntimeError, g.create, 'a', boom)
        self.assertEqual(1, g.create('b', lambda: 1))
        self.assertRaises(RuntimeError, g.create, 'c', boom)

    def test_failed_creates_undo_and_stop(self):
        # Volumes come up, servers fail: the partial workload is undone.
        self.cloud.fail_creates = {'server'}
        ws = self.new_set(limit=2)
        kind = self.kinds['server_with_volume']
        self.assertRaises(lib_exc.ServerFault, self._create, ws, kind)
        self.assertEqual({}, self.cloud.items['volume'])
        self.assertEqual([], ws.entries())
        # Everything fails: the second failure in a row stops the run.
        self.cloud.fail_creates = {'server', 'volume', 'keypair',
                                   'security_group'}
        ws = self.new_set(limit=2)
        results = []
        for kind in [self.kinds[name] for name in (
                'server_with_volume', 'server_boot_from_volume',
                'volume_with_snapshot')]:
            try:
                self._create(ws, kind)
            except Exception as exc:
                results.append(exc)
        self.assertNotIsInstance(results[0], guard.CascadeStop)
        self.assertIsInstance(results[1], guard.CascadeStop)
        self.assertIsInstance(results[2], guard.CascadeStop)
        self.assertIn('2 consecutive create requests failed',
                      results[2].report)
        # The partial workloads were undone.
        self.assertEqual({}, self.cloud.items['volume'])
        self.assertEqual({}, self.cloud.items['keypair'])
        self.assertTrue(any(e['action'] == 'cascade-stop'
                            for e in self.store.events))
        # A later process of the same run does not create at all.
        self.cloud.fail_creates = set()
        ws = self.new_set(limit=2)
        kind = self.kinds['image_with_data']
        self.assertRaises(guard.CascadeStop, self._create, ws, kind)
        self.assertEqual({}, self.cloud.items['image'])

    def _create(self, ws, kind):
        with ws.creating(kind.name, kind.service, kind.name):
            kind.create_or_verify(ws)


class TestWithTheRealStore(WorkloadTestCase):
    """The same life cycle against the project's SQLite store."""

    def setUp(self):
        super().setUp()
        try:
            from upgrade_tempest_plugin.store import api as store_api
        except ImportError as exc:     # the store is another issue's work
            self.skipTest('store not available: %s' % exc)
        import fixtures
        tmp = self.useFixture(fixtures.TempDir()).path
        self.store = store_api.open_store('sqlite:///%s/store.db' % tmp)
        self.addCleanup(self.store.close)

    def test_life_cycle(self):
        self.create_all()
        count = self.resource_count()
        self.create_all()
        self.assertEqual(count, self.resource_count())
        ws = self.new_set()
        for kind in self.kinds.values():
            self.assertEqual([], kind.verify(ws), kind.name)
            self.assertEqual([], kind.act(ws), kind.name)
        self.assertEqual([], self.new_set().destroy())
        self.assertEqual(0, self.resource_count())
        self.assertEqual([], self.store.list_workloads('run1'))
