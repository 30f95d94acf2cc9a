"""The release table, checked offline against recorded PyPI data."""

import json
import os

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.services import releases
from upgrade_tempest_plugin.unit_tests import base

DATA = os.path.join(os.path.dirname(__file__), 'data', 'pypi_versions.json')


def _key(version):
    return tuple(int(p) for p in version.split('.'))


class ReleaseTableTest(base.TestCase):

    def setUp(self):
        super().setUp()
        with open(DATA) as f:
            self.recorded = json.load(f)['versions']

    def test_required_series(self):
        for series in ('2025.1', '2025.2', '2026.1', '2026.2'):
            self.assertIn(series, pins.RELEASES)
            self.assertEqual(set(pins.SERVICES),
                             set(pins.RELEASES[series]))
            self.assertIn(series, pins.PINS)

    def test_versions_are_newest_of_their_series_on_pypi(self):
        for series, versions in pins.RELEASES.items():
            for service, version in versions.items():
                known = self.recorded[pins.PACKAGES[service]]
                self.assertIn(version, known, (series, service))
                same_series = [v for v in known
                               if pins.series_key(service, v) ==
                               pins.series_key(service, version)]
                self.assertEqual(max(same_series, key=_key), version,
                                 (series, service))

    def test_series_key(self):
        self.assertEqual((29,), pins.series_key('keystone', '29.1.0'))
        # Swift is 2.x in every series: its minor names the series.
        self.assertEqual((2, 37), pins.series_key('swift', '2.37.4'))

    def test_each_series_is_one_major_later(self):
        series = pins.series_list()
        for older, newer in zip(series, series[1:]):
            for service in pins.SERVICES:
                old = pins.series_key(service, pins.RELEASES[older][service])
                new = pins.series_key(service, pins.RELEASES[newer][service])
                self.assertEqual(old[:-1] + (old[-1] + 1,), new,
                                 (service, older, newer))

    def test_swift_series_match_the_object_storage_profile(self):
        # the release validators name Swift's series from its minor
        history = releases.HISTORY['object_storage']
        for series, versions in pins.RELEASES.items():
            self.assertEqual(
                pins.series_key('swift', history.read_from[series]),
                pins.series_key('swift', versions['swift']), series)

    def test_tools_are_on_pypi(self):
        for package, version in pins.TOOLS.items():
            self.assertIn(version, self.recorded[package])

    def test_unknown_series(self):
        e = self.assertRaises(exceptions.UserError,
                              pins.check_series, '2024.9')
        self.assertIn('2026.2', str(e))

    def test_services_add_requirements_in_upgrade_order(self):
        self.assertEqual(['keystone', 'placement', 'glance', 'neutron',
                          'nova'], pins.check_services(['nova']))
        self.assertEqual(list(pins.SERVICES),
                         pins.check_services([]))
        self.assertEqual(['keystone'], pins.check_services(['keystone']))
        self.assertEqual(['keystone', 'swift'], pins.check_services(['swift']))

    def test_unknown_service(self):
        self.assertRaises(exceptions.UserError,
                          pins.check_services, ['heat'])

    def test_upgrade_order(self):
        self.assertEqual(('keystone', 'placement', 'glance', 'cinder',
                          'neutron', 'nova', 'swift'), pins.SERVICES)

    def test_upgrade_paths(self):
        self.assertTrue(pins.upgrade_supported('2026.1', '2026.2'))
        self.assertTrue(pins.upgrade_supported('2025.2', '2026.1'))
        self.assertTrue(pins.upgrade_supported('2025.1', '2026.1'))
        self.assertFalse(pins.upgrade_supported('2025.2', '2026.2'))
        self.assertFalse(pins.upgrade_supported('2025.1', '2026.2'))
