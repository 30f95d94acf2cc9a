"""Glance."""

from upgrade_tempest_plugin.services import base


class ImageProfile(base.ServiceProfile):
    name = 'image'
    catalog_type = 'image'
    service_available_flag = 'glance'
    tempest_group = 'image'
    # Glance's catalog URL carries no version.
    probe_path = 'v2/images?limit=1'
    package = 'glance'
    # One version id per minor version, no microversions.
    release_key = 'max_version'
