"""Base classes and shared arguments of every ``upgrade-tempest`` command.

Every command derives from :class:`Command` (one-line errors, exit codes),
a read command from :class:`Lister` or :class:`ShowOne` (cliff's
``-f table|json|yaml|csv|value`` and ``-c``).  A command that works on a
run takes :func:`add_run_arguments` and resolves them with
:class:`RunContext`, so ``--config-file``, ``--run`` and ``--state-dir``
mean the same everywhere.
"""

import argparse
import logging
import os
import re
import traceback

from cliff import command
from cliff import lister
from cliff import show
from oslo_config import cfg

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin import run_context

#: Exit codes shared by every command (doc/source/cli.rst lists them all).
OK_EXIT = 0
FAILURE_EXIT = 1
USER_ERROR_EXIT = 2

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


class _DeprecatedJson(object):
    """The ``--json`` of a read command: ``-f json`` under its old name."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--json', action='store_true',
                            help='Deprecated: use -f json.')
        return parser

    def run(self, parsed_args):
        if parsed_args.json:
            warn_json_alias(self.app)
            parsed_args.formatter = 'json'
        return super().run(parsed_args)


def warn_json_alias(app):
    """Tell on stderr that ``--json`` is deprecated (stdout stays JSON)."""
    app.stderr.write('upgrade-tempest: warning: --json is deprecated, '
                     'use -f json\n')


class _Display(Command):
    """A read command; ``take_action`` may set ``self.exit_code``.

    cliff's display commands return 0 once the output is written; a read
    command whose answer is also its exit code (``observe status``,
    ``cleanup``) sets ``exit_code`` instead.
    """

    def run(self, parsed_args):
        self.exit_code = OK_EXIT
        return super().run(parsed_args) or self.exit_code


class Lister(_Display, lister.Lister):
    """A read command printing rows (``-f table|json|yaml|csv|value``)."""


class ShowOne(_Display, show.ShowOne):
    """A read command printing one record (``-f table|json|yaml|...``)."""


class JsonAliasShowOne(_DeprecatedJson, ShowOne):
    """A :class:`ShowOne` that had a ``--json`` before ``-f json``."""


def add_config_argument(parser):
    """Add ``--config-file`` (default: the tempest.conf Tempest reads)."""
    parser.add_argument(
        '--config-file', metavar='TEMPEST_CONF',
        help='tempest.conf (default: etc/tempest.conf of the current '
             'workspace, or $TEMPEST_CONFIG_DIR/$TEMPEST_CONFIG).')
    return parser


def add_run_arguments(parser):
    """Add ``--config-file``, ``--run`` and ``--state-dir``.

    :class:`RunContext` resolves them.
    """
    add_config_argument(parser)
    parser.add_argument(
        '--run', dest='run_id', metavar='ID',
        help='Run id (default: [upgrade] run_id, else the run recorded in '
             'the state directory).')
    parser.add_argument(
        '--state-dir',
        help='State directory (default: [upgrade] state_dir, else %s).'
             % run_context.DEFAULT_STATE_DIR)
    return parser


def config_path(parsed_args):
    """Absolute path of the tempest.conf the arguments name or imply."""
    return os.path.abspath(parsed_args.config_file or
                           obs_settings.tempest_config_path())


def load_config(parsed_args, required=False):
    """(path, Tempest's CONF) of ``--config-file``, or (None, None).

    A ``--config-file`` that does not exist is a UserError; so is a
    missing default file when ``required``.  A file that is not INI text
    or holds a bad value is a one-line UserError (see
    settings.load_tempest_conf).
    """
    path = config_path(parsed_args)
    if os.path.isfile(path):
        return path, obs_settings.load_tempest_conf(path)
    if parsed_args.config_file:
        raise exceptions.UserError('no such file: %s' % path)
    if required:
        raise exceptions.UserError(
            'no tempest.conf found (run from the Tempest workspace or give '
            '--config-file)')
    return None, None


class RunContext(object):
    """Config file, run id, state dir and store of a command's run.

    Built from the arguments of :func:`add_run_arguments`: the tempest.conf
    (optional: without one, the ``[upgrade]`` defaults), then ``--state-dir``
    and ``--run`` over its ``[upgrade]`` values.  ``create_run`` starts a
    run when none is recorded (``observe start``); otherwise ``run_id`` is
    None then.
    """

    def __init__(self, parsed_args, create_run=False, config_required=False):
        self.config_file, self.conf = load_config(parsed_args,
                                                  config_required)
        if self.conf is not None:
            upgrade_conf = self.conf.upgrade
        else:
            upgrade_conf = run_context.upgrade_conf()
        option = '[upgrade] state_dir'
        if parsed_args.state_dir:
            upgrade_conf = _Override(upgrade_conf,
                                     state_dir=parsed_args.state_dir)
            option = '--state-dir'
        self.state_dir = run_context.state_dir(upgrade_conf, option)
        self.store_url = run_context.store_url(upgrade_conf)
        self.store_option = ('[upgrade] store_url' if upgrade_conf.store_url
                             else option)
        if parsed_args.run_id:
            self.run_id = parsed_args.run_id
        elif create_run:
            self.run_id = run_context.run_id(upgrade_conf)
        else:
            self.run_id = run_context.recorded_run_id(upgrade_conf)
        self._store = None

    @classmethod
    def of(cls, config_file=None, run_id=None, state_dir=None, **kwargs):
        """The context of these argument values (for Python callers)."""
        return cls(argparse.Namespace(config_file=config_file,
                                      run_id=run_id, state_dir=state_dir),
                   **kwargs)

    def require_run(self):
        """The run id; a UserError when none is given or recorded."""
        if not self.run_id:
            raise exceptions.UserError('no run recorded in %s; give --run'
                                       % self.state_dir)
        return self.run_id

    @property
    def store(self):
        """The run's store, opened on first use (see :func:`open_store`)."""
        if self._store is None:
            self._store = open_store(self.store_url, self.store_option)
        return self._store


def open_store(url, option):
    """The store at ``url``, a value of ``option``.

    A URL that is not one, or names a database kind or driver that is not
    installed, is bad input (UserError naming the option); a database that
    does not answer is a Failure.  Neither message shows the URL's
    password.
    """
    # The store (SQLAlchemy, alembic) is imported by the commands that
    # use it, not by every command.
    from sqlalchemy import exc as sa_exc

    from upgrade_tempest_plugin.store import api as store_api
    try:
        shown = store_api.safe_url(url)
    except sa_exc.ArgumentError:
        raise exceptions.UserError('%s is not an SQLAlchemy database URL'
                                   % option)
    try:
        return store_api.open_store(url)
    except sa_exc.ArgumentError as exc:
        raise exceptions.UserError('%s %s: %s' % (option, shown,
                                                  _reason(exc)))
    except ImportError as exc:
        raise exceptions.UserError('%s %s: its driver is not installed '
                                   '(%s)' % (option, shown, _reason(exc)))
    except OSError as exc:
        # A SQLite file whose directory cannot be made or opened.
        raise exceptions.UserError('%s %s: %s' % (option, shown,
                                                  _reason(exc)))
    except store_api.StoreUnavailable as exc:
        raise exceptions.Failure('cannot open the store %s: %s' % (
            shown, _reason(exc)))


def _reason(exc):
    """The first line of what the database (driver) said."""
    if isinstance(exc, OSError):
        text = run_context.os_error(exc)
    else:
        text = str(getattr(exc, 'orig', None) or exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


class _Override(object):
    """An ``[upgrade]`` group with some values replaced by arguments."""

    def __init__(self, base_conf, **values):
        self._base = base_conf
        self._values = values

    def __getattr__(self, name):
        if name in self._values:
            return self._values[name]
        return getattr(self._base, name)
