"""Workload kinds are found through the upgrade_tempest_plugin.workloads
entry points: the project's own and a third party's."""

import ast
import os
import sys
import textwrap
import types

import fixtures

from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.workloads import fakes
from upgrade_tempest_plugin.workloads import kinds
from upgrade_tempest_plugin.workloads.kinds import base as kinds_base
from upgrade_tempest_plugin.workloads import resources
from upgrade_tempest_plugin.workloads import workload_set

THIRD_PARTY = textwrap.dedent('''
    from tempest.lib import exceptions as lib_exc

    from upgrade_tempest_plugin.workloads.kinds import base
    from upgrade_tempest_plugin.workloads import resources

    ZONES = {}


    class ZoneType(resources.ResourceType):
        service = 'dns'

        def list(self, clients):
            return list(ZONES.values())

        def show(self, clients, resource_id):
            if resource_id not in ZONES:
                raise lib_exc.NotFound(resource_id)
            return ZONES[resource_id]

        def delete(self, clients, entry):
            self.show(clients, entry['resource_id'])
            del ZONES[entry['resource_id']]


    def create_zone(name):
        ZONES['z-' + name] = {'id': 'z-' + name, 'name': name}
        return ZONES['z-' + name]


    class DnsZoneOnVolume(base.Kind):
        """A made-up kind of a made-up service, built on the facade."""
        name = 'dns_zone_on_volume'
        service = 'dns'
        roles = (('data', 'volume'), ('zone', 'zone'))
        resource_types = {'zone': ZoneType()}

        def create_or_verify(self, ws):
            ws.ensure_volume(self.name, 'data', attrs={'zone': 'x.test.'})
            ws.ensure(self.name, 'zone', 'zone', create_zone)

        def verify(self, ws):
            entries, problems = self.check_recorded(ws)
            if not problems:
                self.lookup(ws, 'zone', 'zone', entries, problems)
            return problems

        def act(self, ws):
            return []


    class Misnamed(DnsZoneOnVolume):
        name = 'not_its_entry_point_name'
    ''')

ENTRY_POINTS = textwrap.dedent('''
    [upgrade_tempest_plugin.workloads]
    dns_zone_on_volume = fake_dns_workloads:DnsZoneOnVolume
    dns_misnamed = fake_dns_workloads:Misnamed
    dns_broken = fake_dns_workloads_missing:Nothing
    ''')


class BuiltInKindsTest(base.TestCase):

    def test_the_project_kinds_by_name(self):
        loaded = kinds.load()
        self.assertEqual(
            {'image_with_data': 'image', 'network_stack': 'network',
             'server_boot_from_volume': 'compute',
             'server_with_volume': 'compute',
             'volume_with_snapshot': 'volume'},
            {name: kind.service for name, kind in loaded.items()})
        self.assertEqual(sorted(loaded), list(loaded))
        profiles = registry.load_profiles()
        for name, kind in loaded.items():
            self.assertIsInstance(kind, kinds_base.Kind)
            self.assertEqual(name, kind.name)
            self.assertIn(kind.service, profiles, name)


class KindsStayApartTest(base.TestCase):
    """A kind module reaches others only through the workload set."""

    def test_no_kind_imports_another_or_a_private_member(self):
        folder = os.path.dirname(kinds.__file__)
        for filename in sorted(os.listdir(folder)):
            if not filename.endswith('.py'):
                continue
            with open(os.path.join(folder, filename)) as f:
                tree = ast.parse(f.read(), filename)
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == (
                        kinds.__name__):
                    self.assertEqual(['base'],
                                     [a.name for a in node.names], filename)
                if isinstance(node, ast.Attribute):
                    self.assertFalse(
                        node.attr.startswith('_') and
                        not node.attr.startswith('__'),
                        '%s:%d uses %s' % (filename, node.lineno,
                                           node.attr))


class ThirdPartyKindTest(base.TestCase):
    """A kind shipped by another distribution, as its entry point."""

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(tmp, 'fake_dns_workloads.py'), 'w') as f:
            f.write(THIRD_PARTY)
        info = os.path.join(tmp, 'fake_dns_workloads-1.0.dist-info')
        os.mkdir(info)
        with open(os.path.join(info, 'METADATA'), 'w') as f:
            f.write('Metadata-Version: 2.1\nName: fake-dns-workloads\n'
                    'Version: 1.0\n')
        with open(os.path.join(info, 'entry_points.txt'), 'w') as f:
            f.write(ENTRY_POINTS)
        self.useFixture(fixtures.MonkeyPatch('sys.path', [tmp] + sys.path))
        # stevedore keeps the entry points it read, per group, per process.
        self.useFixture(fixtures.MonkeyPatch(
            'stevedore.extension.ExtensionManager.ENTRY_POINT_CACHE', {}))
        self.addCleanup(sys.modules.pop, 'fake_dns_workloads', None)
        self.logger = self.useFixture(fixtures.FakeLogger())

    def test_loaded_next_to_the_project_kinds(self):
        loaded = kinds.load()
        self.assertIn('dns_zone_on_volume', loaded)
        self.assertEqual('dns', loaded['dns_zone_on_volume'].service)
        self.assertIn('server_with_volume', loaded)
        # Misnamed (its ledger names would not match) and broken kinds are
        # left out; the others still load.
        self.assertNotIn('dns_misnamed', loaded)
        self.assertNotIn('not_its_entry_point_name', loaded)
        self.assertNotIn('dns_broken', loaded)
        self.assertIn('workload kind not_its_entry_point_name is registered '
                      'as dns_misnamed; left out', self.logger.output)

    def test_it_builds_on_the_workload_set(self):
        loaded = kinds.load()
        kind = loaded['dns_zone_on_volume']
        zones = sys.modules['fake_dns_workloads'].ZONES
        cloud, store = fakes.FakeCloud(), fakes.FakeStore()

        def new_set():
            return workload_set.WorkloadSet(
                store, 'run1', resources.Resources(
                    cloud.manager(), timeout=1, interval=0.01,
                    types=kinds.resource_types(loaded)),
                types.SimpleNamespace(volume_size=1))
        ws = new_set()
        with ws.creating(kind.name, kind.service, kind.name):
            kind.create_or_verify(ws)
        self.assertEqual([], kind.verify(new_set()))
        self.assertEqual(
            [('volume', 'upgrade-run1-dns-zone-on-volume-data', 'volume',
              {'zone': 'x.test.'}),
             ('zone', 'upgrade-run1-dns-zone-on-volume-zone', 'dns', {})],
            [(e['kind'], e['name'], e['service'], e['attrs'])
             for e in ws.entries(kind.name)])
        zones.clear()
        self.assertEqual(['zone upgrade-run1-dns-zone-on-volume-zone '
                          '(z-upgrade-run1-dns-zone-on-volume-zone) is gone'],
                         kind.verify(new_set()))
        kind.create_or_verify(new_set())
        self.assertEqual(1, len(zones))
        # Its own type is deleted (and confirmed gone) like the others.
        self.assertEqual([], new_set().destroy(kind.name))
        self.assertEqual(({}, {}), (zones, cloud.items['volume']))
        self.assertEqual([], new_set().entries())

    def test_it_cannot_replace_a_project_type(self):
        res = resources.Resources(None, types={
            'volume': resources.ResourceType(),
            'zone': resources.ResourceType()})
        self.assertEqual(['zone'], list(res.types))
        self.assertEqual('volume', res.service_of('volume'))
