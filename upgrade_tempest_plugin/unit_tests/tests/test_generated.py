import uuid

from upgrade_tempest_plugin.tests import generated
from upgrade_tempest_plugin.tests.scenario import test_release
from upgrade_tempest_plugin.unit_tests import base


def _id_of(method):
    return [a for a in method.__testtools_attrs if a.startswith('id-')]


class GeneratedTestsTest(base.TestCase):

    def test_profile_names_are_the_entry_points(self):
        self.assertEqual(
            ['compute', 'identity', 'image', 'network', 'object_storage',
             'placement', 'volume'], generated.profile_names())

    def test_plugged_in_profile_gets_a_stable_uuid5_test(self):
        calls = []

        class Validators:
            pass

        generated.add_profile_tests(
            Validators, 'release-before', 'test_{name}_release',
            lambda self, name: calls.append(name), names=['shiny'])
        method = Validators.test_shiny_release
        expected = str(uuid.uuid5(generated.ID_NAMESPACE,
                                  'release-before/shiny'))
        self.assertEqual(['id-' + expected], _id_of(method))
        method(Validators())
        self.assertEqual(['shiny'], calls)
        self.assertEqual('test_shiny_release', method.__name__)

    def test_known_ids_are_kept(self):
        method = test_release.ReleasePreUpgradeTest.test_compute_release
        self.assertEqual(['id-a4ecf572-b3c4-478e-8a62-ab1f9696a6b4'],
                         _id_of(method))

    def test_a_written_method_is_not_replaced(self):
        class Validators:
            def test_shiny_release(self):
                return 'written'

        generated.add_profile_tests(
            Validators, 'release-before', 'test_{name}_release',
            lambda self, name: 'generated', names=['shiny'])
        self.assertEqual('written', Validators().test_shiny_release())


class GeneratedFromAnotherGroupTest(base.TestCase):
    """Workload validators: names from the workload kinds' group."""

    def test_entry_point_names_of_a_group(self):
        self.assertEqual(
            ['image_with_data', 'network_stack', 'server_boot_from_volume',
             'server_with_volume', 'volume_with_snapshot'],
            generated.entry_point_names('upgrade_tempest_plugin.workloads'))
        self.assertEqual(generated.profile_names(),
                         generated.entry_point_names(
                             'upgrade_tempest_plugin.services'))

    def test_a_known_method_name_is_kept(self):
        class Validators:
            pass

        generated.add_profile_tests(
            Validators, 'workload-destroy', 'test_{name}',
            lambda self, name: name, names=['old', 'shiny'],
            known_methods={'old': 'test_compute_old'})
        self.assertEqual('old', Validators().test_compute_old())
        self.assertEqual('shiny', Validators().test_shiny())
        self.assertFalse(hasattr(Validators, 'test_old'))
        self.assertEqual(
            ['id-' + str(uuid.uuid5(generated.ID_NAMESPACE,
                                    'workload-destroy/old'))],
            _id_of(Validators.test_compute_old))

    def test_workload_tests_keep_their_names_and_ids(self):
        from upgrade_tempest_plugin.tests.scenario import test_workloads
        cls = test_workloads.WorkloadsPostUpgradeTest
        self.assertEqual(['id-f5fd86d6-f385-4b88-9ddf-27ab0cb26d3e'],
                         _id_of(cls.test_compute_server_with_volume))
        self.assertEqual(['id-1664e5b1-776b-4cb9-8378-d98eb155e4ce'],
                         _id_of(cls.test_network_stack))
