from upgrade_tempest_plugin.services import evidence
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.services import releases
from upgrade_tempest_plugin.unit_tests import base

# Version documents as the sandbox's services return them (trimmed).
NOVA_34 = {'versions': [
    {'id': 'v2.0', 'status': 'DEPRECATED', 'version': '', 'min_version': ''},
    {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.104',
     'min_version': '2.1'}]}
NOVA_33 = {'versions': [
    {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.103',
     'min_version': '2.1'}]}
CINDER_29 = {'versions': [
    {'id': 'v3.0', 'status': 'CURRENT', 'version': '3.71',
     'min_version': '3.0'}]}
PLACEMENT_16 = {'versions': [
    {'id': 'v1.0', 'status': 'CURRENT', 'max_version': '1.39',
     'min_version': '1.0'}]}
GLANCE_33 = {'versions': [
    {'id': 'v2.17', 'status': 'CURRENT'}, {'id': 'v2.15',
                                           'status': 'SUPPORTED'},
    {'id': 'v2.9', 'status': 'SUPPORTED'}, {'id': 'v2.0',
                                            'status': 'SUPPORTED'}]}
KEYSTONE = {'versions': {'values': [
    {'id': 'v3.14', 'status': 'stable', 'updated': '2020-04-07T00:00:00Z'}]}}
NEUTRON = {'versions': [{'id': 'v2.0', 'status': 'CURRENT'}]}


class TestReleaseTable(base.TestCase):

    def test_every_series_has_a_value(self):
        for service, history in releases.HISTORY.items():
            self.assertEqual(set(releases.SERIES), set(history.reports),
                             service)
            self.assertEqual(set(releases.SERIES), set(history.read_from),
                             service)
            # The package the number was read from belongs to its series.
            for series, version in history.read_from.items():
                self.assertEqual(
                    series, releases.series_of_package(service, version),
                    (service, version))

    def test_values_never_go_down(self):
        for service, history in releases.HISTORY.items():
            last = ()
            for series in releases.SERIES:
                low = min(releases.parse_version(v)
                          for v in history.reports[series])
                self.assertGreaterEqual(low, last, (service, series))
                last = low

    def test_nova_measured_values(self):
        # sandbox-notes: nova 34.0.0 max 2.104, 33.0.x 2.103, 32.x 2.100.
        self.assertEqual(['2026.2'], releases.candidates('compute', '2.104'))
        self.assertEqual(['2026.1'], releases.candidates('compute', '2.103'))
        self.assertIn('2025.2', releases.candidates('compute', '2.100'))

    def test_parse_version(self):
        self.assertEqual((2, 104), releases.parse_version('v2.104'))
        self.assertGreater(releases.parse_version('2.100'),
                           releases.parse_version('2.96'))
        self.assertIsNone(releases.parse_version(''))
        self.assertIsNone(releases.parse_version('latest'))

    def test_series_of_package(self):
        self.assertEqual('2026.2',
                         releases.series_of_package('compute', '34.0.0'))
        self.assertEqual('2025.1',
                         releases.series_of_package('network', '26.0.6'))
        self.assertIsNone(releases.series_of_package('compute', '12.0.0'))
        self.assertIsNone(releases.series_of_package('dns', '1.0.0'))


class TestEvidence(base.TestCase):

    def test_parse_shapes(self):
        ev = evidence.parse_version_document(NOVA_34, endpoint='e')
        self.assertEqual('2.104', ev.max_microversion)
        self.assertEqual('2.1', ev.min_microversion)
        self.assertEqual('v2.1', ev.current_id)
        ev = evidence.parse_version_document(PLACEMENT_16)
        self.assertEqual('1.39', ev.max_microversion)
        ev = evidence.parse_version_document(GLANCE_33)
        self.assertEqual('2.17', ev.max_version)
        self.assertIsNone(ev.max_microversion)
        ev = evidence.parse_version_document(KEYSTONE)
        self.assertEqual('3.14', ev.max_version)
        ev = evidence.parse_version_document(
            {'version': {'id': 'v3.14', 'status': 'stable'}})
        self.assertEqual('3.14', ev.max_version)
        ev = evidence.parse_version_document(NEUTRON, extensions=['b', 'a'])
        self.assertEqual(['a', 'b'], ev.extensions)
        ev = evidence.parse_version_document('garbage')
        self.assertEqual([], ev.version_ids)

    def _verdict(self, name, *documents, package=None):
        profile = registry.load_profiles()[name]
        evs = [profile.parse_version_document(d, endpoint='ep%d' % i)
               for i, d in enumerate(documents)]
        return profile.name_release(evs, package_version=package)

    def test_nova_identified(self):
        verdict = self._verdict('compute', NOVA_34, NOVA_34)
        self.assertEqual(evidence.IDENTIFIED, verdict.status)
        self.assertEqual('2026.2', verdict.series)
        self.assertEqual(evidence.PASS, verdict.check('2026.2')[0])
        outcome, message = verdict.check('2026.1')
        self.assertEqual(evidence.FAIL, outcome)
        self.assertIn('runs 2026.2, expected 2026.1', message)

    def test_keystone_undecidable_says_why(self):
        verdict = self._verdict('identity', KEYSTONE)
        self.assertEqual(evidence.AMBIGUOUS, verdict.status)
        self.assertEqual(list(releases.SERIES), verdict.candidates)
        outcome, message = verdict.check('2026.2')
        self.assertEqual(evidence.UNDECIDABLE, outcome)
        self.assertIn('cannot tell', message)
        self.assertIn('keystone package version would decide', message)

    def test_cinder_rules_out_old_series(self):
        verdict = self._verdict('volume', CINDER_29)
        outcome, message = verdict.check('2023.2')
        self.assertEqual(evidence.FAIL, outcome)
        self.assertIn('3.71', message)

    def test_package_decides(self):
        verdict = self._verdict('placement', PLACEMENT_16, package='16.0.0')
        self.assertEqual(evidence.PACKAGE, verdict.status)
        self.assertEqual('2026.2', verdict.series)
        self.assertEqual(evidence.PASS, verdict.check('2026.2')[0])
        self.assertEqual(evidence.FAIL, verdict.check('2026.1')[0])

    def test_package_contradicting_api_is_conflict(self):
        verdict = self._verdict('compute', NOVA_34, package='33.0.2')
        self.assertEqual(evidence.CONFLICT, verdict.status)
        self.assertEqual(evidence.FAIL, verdict.check('2026.2')[0])

    def _neutron(self, extensions, package=None):
        profile = registry.load_profiles()['network']
        evs = [profile.parse_version_document(NEUTRON, endpoint='ep',
                                              extensions=extensions)]
        return profile.name_release(evs, package_version=package)

    def test_neutron_without_extension_list(self):
        verdict = self._verdict('network', NEUTRON)
        self.assertEqual(evidence.NO_EVIDENCE, verdict.status)
        self.assertEqual(evidence.UNDECIDABLE, verdict.check('2026.2')[0])
        verdict = self._verdict('network', NEUTRON, package='29.0.0')
        self.assertEqual('2026.2', verdict.series)

    def test_neutron_extension_sets_a_lower_bound(self):
        # measured on the sandbox at 2026.1 (neutron 28, ML2): the newest
        # extension it lists first shipped in 2026.1
        verdict = self._neutron(['network', 'network-ip-availability-details',
                                 'qinq', 'router'])
        self.assertEqual(evidence.AMBIGUOUS, verdict.status)
        self.assertEqual(['2026.1', '2026.2'], verdict.candidates)
        self.assertIn('runs 2026.1 or later', verdict.message)
        self.assertIn('a missing extension proves nothing', verdict.message)
        self.assertEqual(evidence.UNDECIDABLE, verdict.check('2026.2')[0])
        outcome, message = verdict.check('2025.2')
        self.assertEqual(evidence.FAIL, outcome)
        self.assertIn('network-ip-availability-details', message)
        verdict = self._neutron(['network-ip-availability-details'],
                                package='29.0.0')
        self.assertEqual((evidence.PACKAGE, '2026.2'),
                         (verdict.status, verdict.series))
        verdict = self._neutron(['network-ip-availability-details'],
                                package='27.0.4')
        self.assertEqual(evidence.CONFLICT, verdict.status)

    def test_neutron_newest_extension_identifies(self):
        # measured on the sandbox at 2026.2 (neutron 29): it also lists
        # aap-reject-multicast, agent_sort_key and
        # security-groups-default-statefulness, all first in 2026.2
        verdict = self._neutron(['router', 'network-ip-availability-details',
                                 'floating-ip-router-writable'])
        self.assertEqual((evidence.IDENTIFIED, '2026.2'),
                         (verdict.status, verdict.series))
        self.assertEqual(evidence.FAIL, verdict.check('2026.1')[0])

    def test_neutron_old_extensions_only(self):
        verdict = self._neutron(['router', 'my-vendor-extension'])
        self.assertEqual(evidence.AMBIGUOUS, verdict.status)
        self.assertEqual(list(releases.SERIES), verdict.candidates)
        self.assertIn('cannot tell', verdict.message)
        self.assertIn('my-vendor-extension', verdict.message)

    def test_removed_extension_sets_an_upper_bound(self):
        first = {'a': '2023.1', 'b': '2024.1', 'c': '2023.1'}
        verdict = evidence.name_release_from_extensions(
            'network', [evidence.parse_version_document(
                NEUTRON, extensions=['b', 'c'])], first, {'c': '2025.1'})
        self.assertEqual(['2024.1', '2024.2'], verdict.candidates)
        verdict = evidence.name_release_from_extensions(
            'network', [evidence.parse_version_document(
                NEUTRON, extensions=['b', 'c'])], first, {'c': '2024.1'})
        self.assertEqual(evidence.UNKNOWN, verdict.status)
        self.assertEqual(evidence.FAIL, verdict.check('2024.1')[0])

    def test_neutron_table_is_consistent(self):
        from upgrade_tempest_plugin.services import neutron_extensions
        self.assertEqual(set(releases.SERIES),
                         set(neutron_extensions.READ_FROM))
        for series, version in neutron_extensions.READ_FROM.items():
            self.assertEqual(series, releases.series_of_package(
                'network', version))
        self.assertEqual(set(), set(neutron_extensions.FIRST_SEEN.values()) -
                         set(releases.SERIES))

    def test_mixed_cloud(self):
        verdict = self._verdict('compute', NOVA_33, NOVA_34, NOVA_33)
        self.assertEqual(evidence.MIXED, verdict.status)
        self.assertIn('mixed cloud', verdict.message)
        self.assertIn('2.103 (2026.1) from ep0, ep2', verdict.message)
        self.assertIn('2.104 (2026.2) from ep1', verdict.message)
        self.assertEqual(evidence.FAIL, verdict.check('2026.2')[0])
        # A package version never hides a mixed cloud.
        verdict = self._verdict('compute', NOVA_33, NOVA_34, package='34.0.0')
        self.assertEqual(evidence.MIXED, verdict.status)

    def test_newer_than_table(self):
        doc = {'versions': [{'id': 'v2.1', 'status': 'CURRENT',
                             'version': '2.110', 'min_version': '2.1'}]}
        verdict = self._verdict('compute', doc)
        self.assertEqual(evidence.NEWER, verdict.status)
        self.assertEqual(evidence.FAIL, verdict.check('2026.2')[0])
        self.assertEqual(evidence.UNDECIDABLE, verdict.check('2027.1')[0])

    def test_unknown_value(self):
        doc = {'versions': [{'id': 'v2.1', 'status': 'CURRENT',
                             'version': '2.50', 'min_version': '2.1'}]}
        verdict = self._verdict('compute', doc)
        self.assertEqual(evidence.UNKNOWN, verdict.status)
        self.assertEqual(evidence.FAIL, verdict.check('2026.2')[0])

    def test_as_dict(self):
        data = self._verdict('compute', NOVA_34).as_dict()
        self.assertEqual('2026.2', data['series'])
        self.assertEqual('2.104', data['evidence'][0]['max_microversion'])


# The shape of Swift's /info (swift/proxy/server.py register_swift_info and
# the middlewares' own registrations), trimmed.
SWIFT_INFO = {
    'swift': {'version': '2.38.3', 'strict_cors_mode': True,
              'policies': [{'name': 'Policy-0', 'default': True}],
              'max_file_size': 5368709122},
    'slo': {'max_manifest_segments': 1000},
    'tempurl': {'methods': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE']},
}


class TestObjectStorageRelease(base.TestCase):

    def _verdict(self, version, package=None):
        profile = registry.load_profiles()['object_storage']
        document = dict(SWIFT_INFO, swift=dict(SWIFT_INFO['swift'],
                                               version=version))
        ev = profile.parse_version_document(document, endpoint='ep')
        return profile.name_release([ev], package_version=package), ev

    def test_info_is_parsed(self):
        _, ev = self._verdict('2.38.3')
        self.assertEqual('2.38', ev.max_version)
        self.assertEqual('2.38.3', ev.current_id)
        self.assertEqual(['slo', 'tempurl'], ev.extensions)

    def test_each_minor_names_one_series(self):
        for version, series in (('2.31.1', '2023.1'), ('2.35.0', '2025.1'),
                                ('2.37.2', '2026.1'), ('2.38.3', '2026.2')):
            verdict, _ = self._verdict(version)
            self.assertEqual((evidence.IDENTIFIED, series),
                             (verdict.status, verdict.series), version)
        verdict, _ = self._verdict('2.38.3')
        self.assertEqual(evidence.FAIL, verdict.check('2026.1')[0])

    def test_newer_and_garbage(self):
        verdict, _ = self._verdict('2.39.0')
        self.assertEqual(evidence.NEWER, verdict.status)
        profile = registry.load_profiles()['object_storage']
        ev = profile.parse_version_document({'error': 'disabled'})
        self.assertIsNone(ev.max_version)
        verdict = profile.name_release([ev])
        self.assertEqual(evidence.UNKNOWN, verdict.status)

    def test_package_series_by_minor(self):
        self.assertEqual('2025.2', releases.series_of_package(
            'object_storage', '2.36.2'))
        self.assertIsNone(releases.series_of_package('object_storage',
                                                     '3.0.0'))
        self.assertIsNone(releases.series_of_package('object_storage',
                                                     '2.30.0'))
        verdict, _ = self._verdict('2.38.3', package='2.37.2')
        self.assertEqual(evidence.CONFLICT, verdict.status)
