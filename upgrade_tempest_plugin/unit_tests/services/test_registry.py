from upgrade_tempest_plugin.services import base as profile_base
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.unit_tests import base

CORE_SERVICES = {'identity', 'compute', 'image', 'network', 'volume',
                 'placement'}


class TestRegistry(base.TestCase):

    def test_core_profiles_are_installed(self):
        profiles = registry.load_profiles()
        self.assertTrue(CORE_SERVICES.issubset(profiles), sorted(profiles))
        for name, profile in profiles.items():
            self.assertIsInstance(profile, profile_base.ServiceProfile)
            self.assertEqual(name, profile.name)
            self.assertTrue(profile.catalog_type)
            self.assertTrue(profile.tempest_group)

    def test_probe_paths_are_relative(self):
        for profile in registry.load_profiles().values():
            self.assertFalse(profile.probe_path.startswith('/'), profile)

    def test_profile_for_catalog_type_knows_aliases(self):
        profiles = registry.load_profiles()
        self.assertEqual(
            'volume',
            registry.profile_for_catalog_type(profiles, 'volumev3').name)
        self.assertEqual(
            'volume',
            registry.profile_for_catalog_type(profiles,
                                              'block-storage').name)
        self.assertIsNone(
            registry.profile_for_catalog_type(profiles, 'dns'))


class TestProfilesKnowTheirReleases(base.TestCase):

    def test_release_keys_match_the_table(self):
        from upgrade_tempest_plugin.services import releases
        for name, profile in registry.load_profiles().items():
            if name not in CORE_SERVICES:
                continue
            self.assertTrue(profile.package, name)
            if profile.release_key is None:
                self.assertNotIn(name, releases.HISTORY)
            else:
                self.assertIn(name, releases.HISTORY)
                self.assertEqual(profile.package,
                                 releases.HISTORY[name].package)
