"""Placement."""

from upgrade_tempest_plugin.services import base


class PlacementProfile(base.ServiceProfile):
    name = 'placement'
    catalog_type = 'placement'
    service_available_flag = None   # Placement has no Tempest flag.
    tempest_group = 'placement'
    # Every Placement API but the root document is admin- or service-only
    # under the default policy, so a member can only read the root.  It
    # still goes through the WSGI application.
    probe_path = ''
    probe_needs_token = False
    package = 'openstack-placement'
    release_key = 'max_microversion'
