"""``upgrade-tempest version``."""

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import version


class Version(base.ShowOne):
    """Show the version of upgrade-tempest-plugin."""

    def take_action(self, parsed_args):
        return ('name', 'version'), ('upgrade-tempest-plugin',
                                     version.version_string())
