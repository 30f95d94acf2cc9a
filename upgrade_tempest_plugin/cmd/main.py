"""The ``upgrade-tempest`` command line, a cliff application.

Commands are stevedore entry points in the ``upgrade_tempest.cli`` group, the
way ``tempest`` itself is built: an underscore in an entry point name becomes
a space on the command line (``sandbox_up`` is ``upgrade-tempest sandbox up``).
"""

import sys

from cliff import app
from cliff import commandmanager

from upgrade_tempest_plugin import version


class UpgradeTempestApp(app.App):

    def __init__(self):
        super().__init__(
            description='Measure what an upgrade did to an OpenStack cloud.',
            version=version.version_string(),
            command_manager=commandmanager.CommandManager(
                'upgrade_tempest.cli'),
            deferred_help=True,
        )

    def clean_up(self, cmd, result, err):
        if err is not None:
            self.LOG.debug('command failed', exc_info=err)


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    return UpgradeTempestApp().run(argv)


if __name__ == '__main__':
    sys.exit(main())
