"""Nova."""

from upgrade_tempest_plugin.services import base


class ComputeProfile(base.ServiceProfile):
    name = 'compute'
    catalog_type = 'compute'
    service_available_flag = 'nova'
    tempest_group = 'compute'
    # Goes through the API, the API database and every cell database.
    probe_path = 'servers?limit=1'
    package = 'nova'
    release_key = 'max_microversion'
