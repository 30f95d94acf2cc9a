"""Cinder."""

from upgrade_tempest_plugin.services import base


class VolumeProfile(base.ServiceProfile):
    name = 'volume'
    catalog_type = 'block-storage'
    catalog_aliases = ('volumev3', 'volume')
    service_available_flag = 'cinder'
    tempest_group = 'volume'
    # The catalog URL is .../v3/<project id>.
    probe_path = 'volumes?limit=1'
    package = 'cinder'
    release_key = 'max_microversion'
