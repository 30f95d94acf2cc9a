"""Neutron."""

from upgrade_tempest_plugin.services import base


class NetworkProfile(base.ServiceProfile):
    name = 'network'
    catalog_type = 'network'
    service_available_flag = 'neutron'
    tempest_group = 'network'
    # Neutron's catalog URL carries no version.
    probe_path = 'v2.0/networks?limit=1'
    package = 'neutron'
    # Only v2.0 ever: the version document names no release.
    release_key = None
    extensions_path = 'v2.0/extensions'
    workload_kinds = ('network_stack',)
