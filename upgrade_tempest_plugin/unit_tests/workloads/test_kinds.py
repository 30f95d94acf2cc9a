"""Workload kinds are found through the upgrade_tempest_plugin.workloads
entry points: the project's own and a third party's."""

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
    from upgrade_tempest_plugin.workloads.kinds import base


    class DnsZoneOnVolume(base.Kind):
        """A made-up kind of a made-up service, built from the facade."""
        name = 'dns_zone_on_volume'
        service = 'dns'
        roles = (('data', 'volume'),)

        def create_or_verify(self, ws):
            ws.ensure_volume(self.name, 'data', attrs={'zone': 'x.test.'})

        def verify(self, ws):
            return self.check_recorded(ws)[1]

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
        kind = kinds.load()['dns_zone_on_volume']
        cloud, store = fakes.FakeCloud(), fakes.FakeStore()
        ws = workload_set.WorkloadSet(
            store, 'run1', resources.Resources(cloud.manager(), timeout=1,
                                               interval=0.01),
            types.SimpleNamespace(volume_size=1))
        with ws.creating(kind.name, kind.service, kind.name):
            kind.create_or_verify(ws)
        self.assertEqual([], kind.verify(ws))
        [entry] = ws.entries(kind.name)
        self.assertEqual(('volume', 'upgrade-run1-dns-zone-on-volume-data',
                          {'zone': 'x.test.'}),
                         (entry['kind'], entry['name'], entry['attrs']))
        self.assertEqual([], ws.destroy(kind.name))
        self.assertEqual({}, cloud.items['volume'])
