"""The Tempest plugin entry point of upgrade-tempest-plugin."""

import os

from tempest import config
from tempest.lib import exceptions as lib_exc
from tempest.test_discover import plugins

from upgrade_tempest_plugin import config as project_config
from upgrade_tempest_plugin.services import registry

SERVICE_CLIENTS_MODULE = 'upgrade_tempest_plugin.services.version_client'


class UpgradeTempestPlugin(plugins.TempestPlugin):

    def load_tests(self):
        """Tell Tempest where the validators are.

        Only ``upgrade_tempest_plugin/tests`` is returned, so the unit and
        functional test trees of the project are never discovered by
        ``tempest run``.
        """
        base_path = os.path.split(os.path.dirname(
            os.path.abspath(__file__)))[0]
        test_dir = 'upgrade_tempest_plugin/tests'
        full_test_dir = os.path.join(base_path, test_dir)
        return full_test_dir, base_path

    def register_opts(self, conf):
        """Register every option group of the plugin into Tempest's CONF."""
        for group_name, options in project_config.list_opts():
            group = getattr(project_config, group_name + '_group')
            config.register_opt_group(conf, group, options)

    def get_opt_lists(self):
        """List the plugin's option groups for Tempest's sample config."""
        return project_config.list_opts()

    def get_service_clients(self):
        """Register a version-document client for each service profile.

        The client is registered once per installed service profile
        (``upgrade_identity``, ``upgrade_compute``, ...) with the settings
        of that service's Tempest group, so a test reaches it as
        ``self.os_primary.upgrade_compute.VersionDocumentClient()`` with
        the primary (non-admin) credentials.  A third-party profile whose
        Tempest group is not registered (its own Tempest plugin is not
        installed) gets no client; its validators skip.  Identity has no
        single ``endpoint_type`` option in Tempest, so its v3 endpoint type
        is used.
        """
        registrations = []
        for name, profile in sorted(registry.load_profiles().items()):
            try:
                params = config.service_client_config(profile.tempest_group)
            except lib_exc.UnknownServiceClient:
                continue
            if name == 'identity':
                params['endpoint_type'] = config.CONF.identity.v3_endpoint_type
            params.update(
                name='upgrade_' + name,
                service_version='upgrade.' + name,
                module_path=SERVICE_CLIENTS_MODULE,
                client_names=['VersionDocumentClient'])
            registrations.append(params)
        return registrations
