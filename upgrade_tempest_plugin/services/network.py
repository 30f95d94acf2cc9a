"""Neutron."""

from upgrade_tempest_plugin.services import base
from upgrade_tempest_plugin.services import evidence as evidence_mod
from upgrade_tempest_plugin.services import neutron_extensions


class NetworkProfile(base.ServiceProfile):
    name = 'network'
    catalog_type = 'network'
    service_available_flag = 'neutron'
    tempest_group = 'network'
    # Neutron's catalog URL carries no version.
    probe_path = 'v2.0/networks?limit=1'
    package = 'neutron'
    # Only v2.0 ever: the version document names no release; the extension
    # list does, in part (see name_release).
    release_key = None
    extensions_path = 'v2.0/extensions'

    def name_release(self, evidences, package_version=None):
        """The release from the extension list (first-shipped series)."""
        return evidence_mod.name_release_from_extensions(
            self.name, evidences, neutron_extensions.FIRST_SEEN,
            neutron_extensions.REMOVED_IN, package_version=package_version)
