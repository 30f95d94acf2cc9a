import os

from oslo_config import cfg
from tempest import config as tempest_config

from upgrade_tempest_plugin import config
from upgrade_tempest_plugin import plugin
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.unit_tests import base


class TestPlugin(base.TestCase):

    def setUp(self):
        super().setUp()
        self.plugin = plugin.UpgradeTempestPlugin()

    def test_load_tests_points_at_validators_only(self):
        test_dir, top_dir = self.plugin.load_tests()
        self.assertTrue(os.path.isdir(test_dir))
        self.assertEqual(
            os.path.join(top_dir, 'upgrade_tempest_plugin', 'tests'),
            test_dir)
        self.assertTrue(os.path.isfile(os.path.join(
            top_dir, 'upgrade_tempest_plugin', 'plugin.py')))

    def test_register_opts(self):
        conf = cfg.ConfigOpts()
        self.plugin.register_opts(conf)
        for group_name, options in config.list_opts():
            for option in options:
                self.assertIn(option.dest, conf[group_name])

    def test_get_opt_lists_matches_list_opts(self):
        self.assertEqual(config.list_opts(), self.plugin.get_opt_lists())

    def test_service_clients_cover_core_services(self):
        # Tempest's own groups must be registered to build the parameters.
        tempest_config.CONF._config = None
        registrations = self.plugin.get_service_clients()
        names = {r['name'] for r in registrations}
        self.assertEqual(
            {'upgrade_' + s for s in registry.load_profiles()}, names)
        by_name = {r['name']: r for r in registrations}
        self.assertEqual('identity', by_name['upgrade_identity']['service'])
        self.assertEqual('placement',
                         by_name['upgrade_placement']['service'])
        self.assertEqual('object-store',
                         by_name['upgrade_object_storage']['service'])
        for registration in registrations:
            self.assertEqual(plugin.SERVICE_CLIENTS_MODULE,
                             registration['module_path'])
            self.assertIn('endpoint_type', registration)
