"""Keystone."""

from upgrade_tempest_plugin.services import base


class IdentityProfile(base.ServiceProfile):
    name = 'identity'
    catalog_type = 'identity'
    service_available_flag = None   # Tempest always needs identity.
    tempest_group = 'identity'
    # The projects the token is scoped to: validates the token, reads the
    # assignment backend, allowed to every member.
    probe_path = 'auth/projects'
    package = 'keystone'
    # Keystone has reported v3.14 since 2020.
    release_key = 'max_version'
