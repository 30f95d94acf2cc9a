"""Base class of every ``upgrade-tempest`` command."""

from cliff import command

from upgrade_tempest_plugin import exceptions

USER_ERROR_EXIT = 2


class Command(command.Command):
    """A cliff command that turns :class:`UserError` into exit code 2.

    cliff logs any other exception and exits 1; bad input gets one clear
    line on stderr and exit 2 instead, as operators' scripts expect.
    """

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except exceptions.UserError as exc:
            self.app.stderr.write('upgrade-tempest: error: %s\n' % exc)
            return USER_ERROR_EXIT
