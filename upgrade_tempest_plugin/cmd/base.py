"""Base class of every ``upgrade-tempest`` command."""

import logging
import re
import traceback

from cliff import command
from oslo_config import cfg

from upgrade_tempest_plugin import exceptions

USER_ERROR_EXIT = 2
FAILURE_EXIT = 1

LOG = logging.getLogger(__name__)

# user:password@ in a URL, wherever an error message quotes one.
_URL_PASSWORD = re.compile(r'(\w+://[^:/@\s]*:)[^@\s]*@')


def describe(exc):
    """(one line for the terminal, exit code) of a command's exception.

    Bad input (:class:`UserError`, a configuration file that oslo.config
    cannot read or whose value does not fit its option) is exit code 2;
    anything else is a failure, exit code 1.
    """
    if isinstance(exc, exceptions.UserError):
        text, code = str(exc), USER_ERROR_EXIT
    elif isinstance(exc, exceptions.Failure):
        text, code = str(exc), FAILURE_EXIT
    elif isinstance(exc, cfg.ConfigFileValueError):
        # "Value for option X from LocationInfo(...detail='F') is not
        # valid: R": the group is not in the message, see settings.py.
        text = re.sub(r'^Value for option (\S+) from .*?detail=\'(.*?)\'\) '
                      r'is not valid: ', r"\2: option \1: ", str(exc))
        code = USER_ERROR_EXIT
    elif isinstance(exc, cfg.Error):
        text, code = str(exc), USER_ERROR_EXIT
    else:
        text = '%s: %s (--debug shows the traceback)' % (
            type(exc).__name__, exc)
        code = FAILURE_EXIT
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return mask_passwords(' '.join(lines) or type(exc).__name__), code


def mask_passwords(text):
    """``text`` with the password of every URL in it masked."""
    return _URL_PASSWORD.sub(r'\1***@', text)


class Command(command.Command):
    """A cliff command whose every error is one line on stderr.

    Bad input exits 2, any other failure 1.  The line is written to the
    application's stderr, not logged: loading a tempest.conf sets up
    oslo.log, which replaces cliff's stderr handler (with a file when the
    file sets ``log_file``), so cliff's own report of an exception would
    not reach the terminal.  The traceback goes to the log at debug level,
    and to stderr with ``--debug``.
    """

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except BrokenPipeError:
            raise
        except Exception as exc:
            text, code = describe(exc)
            LOG.debug('%s failed', self.cmd_name, exc_info=True)
            if getattr(self.app_args, 'debug', False):
                self.app.stderr.write(mask_passwords(traceback.format_exc()))
            self.app.stderr.write('upgrade-tempest: error: %s\n' % text)
            self.app.stderr.flush()
            return code
