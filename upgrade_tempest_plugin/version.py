"""The installed version of the plugin, from pbr."""

import pbr.version

version_info = pbr.version.VersionInfo('upgrade-tempest-plugin')


def version_string():
    return version_info.version_string()
