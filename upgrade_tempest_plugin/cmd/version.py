"""``upgrade-tempest version``."""

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import version


class Version(base.Command):
    """Print the version of upgrade-tempest-plugin."""

    def take_action(self, parsed_args):
        self.app.stdout.write(version.version_string() + '\n')
        return 0
