"""``upgrade-tempest observe start|status|stop``: the detached observers.

Run from the Tempest workspace (or give ``--config-file``): the run id,
state directory and store come from ``[upgrade]`` of that tempest.conf, the
observers' settings from ``[upgrade_observers]``.
"""

import json
import os
import time

from sqlalchemy import exc as sa_exc

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import honour
from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.store import api as store_api


def add_common_arguments(parser):
    parser.add_argument(
        '--config-file',
        help='tempest.conf (default: etc/tempest.conf of the current '
             'workspace, or $TEMPEST_CONFIG_DIR/$TEMPEST_CONFIG).')
    parser.add_argument(
        '--run', dest='run_id',
        help='Run id (default: [upgrade] run_id, else the run recorded in '
             'the state directory).')
    parser.add_argument(
        '--state-dir',
        help='State directory (default: [upgrade] state_dir).')
    parser.add_argument(
        '--json', action='store_true',
        help='Print JSON instead of a table.')
    return parser


class Context(object):
    """Run id, state dir and store of the command, from its arguments."""

    def __init__(self, parsed_args, create_run=False):
        self.config_file = None
        conf = None
        path = os.path.abspath(parsed_args.config_file or
                               obs_settings.tempest_config_path())
        if os.path.isfile(path):
            conf = obs_settings.load_tempest_conf(path)
            self.config_file = path
        elif parsed_args.config_file:
            raise exceptions.UserError('no such file: %s' % path)
        self.conf = conf
        if conf is not None:
            upgrade_conf = conf.upgrade
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

    @property
    def store(self):
        """The run's store, opened on first use.

        A URL that is not one, or names a database kind or driver that is
        not installed, is bad input (UserError naming the option); a
        database that does not answer is a Failure.  Neither message
        shows the URL's password.
        """
        if self._store is None:
            self._store = open_store(self.store_url, self.store_option)
        return self._store


def open_store(url, option):
    """The store at ``url``, read from ``option``; see Context.store."""
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
    def __init__(self, base_conf, **values):
        self._base = base_conf
        self._values = values

    def __getattr__(self, name):
        if name in self._values:
            return self._values[name]
        return getattr(self._base, name)


def status_rows(status):
    process = status.get('process') or {}
    attrs = process.get('attrs') or {}
    age = status.get('heartbeat_age')
    return [
        ('run', status['run_id']),
        ('state', status['state']),
        ('pid', status.get('pid') or process.get('pid') or ''),
        ('mode', process.get('mode', '')),
        ('started', _when(process.get('started_at'))),
        ('heartbeat age (s)', '' if age is None else '%.1f' % age),
        ('stopped', _when(process.get('stopped_at'))),
        ('stop reason', process.get('stop_reason') or ''),
        ('samples written', process.get('samples_written', '')),
        ('samples dropped', process.get('samples_dropped', '')),
        ('services', ', '.join(attrs.get('services') or []) or 'catalog'),
        ('rate (Hz)', attrs.get('rate', '')),
        ('processes of the run', status.get('processes', 0)),
    ]


def _when(epoch):
    if not epoch:
        return ''
    return time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(epoch)) + 'Z'


def _print_status(app, status, as_json):
    if as_json:
        app.stdout.write(json.dumps(status, sort_keys=True, default=str)
                         + '\n')
        return
    rows = status_rows(status)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        app.stdout.write('%-*s  %s\n' % (width, key, value))


class Start(base.Command):
    """Start the run's observers in the background (if not running)."""

    def get_parser(self, prog_name):
        parser = add_common_arguments(super().get_parser(prog_name))
        parser.add_argument(
            '--settings',
            help='JSON file overriding observer settings (rate, services, '
                 'dataplane_targets, ...).')
        parser.add_argument(
            '--wait', type=float, default=30.0,
            help='Seconds to wait for the observer to register.')
        return parser

    def take_action(self, parsed_args):
        ctx = Context(parsed_args, create_run=True)
        if ctx.config_file is None and not parsed_args.settings:
            raise exceptions.UserError(
                'no tempest.conf found (run from the Tempest workspace or '
                'give --config-file)')
        # Bad settings are a one-line error here, not a dead background
        # process.
        if ctx.conf is not None:
            settings = obs_settings.from_tempest_conf(ctx.conf)
            accounts = (obs_settings.accounts_option(ctx.conf),
                        ctx.config_file)
        else:
            settings = obs_settings.defaults()
            accounts = ('accounts_file', parsed_args.settings)
        if parsed_args.settings:
            before = settings['accounts_file']
            obs_settings.merge_json(settings, parsed_args.settings)
            if settings['accounts_file'] != before:
                accounts = ('accounts_file', parsed_args.settings)
        obs_settings.check_account(settings, *accounts)
        status, started = lifecycle.start(
            ctx.store, ctx.run_id, ctx.state_dir,
            config_file=ctx.config_file, mode='detached',
            settings_file=parsed_args.settings, store_url=ctx.store_url,
            wait=parsed_args.wait)
        if not parsed_args.json:
            self.app.stdout.write('%s observer of run %s (pid %s)\n' % (
                'started' if started else 'already running', ctx.run_id,
                status.get('pid')))
        _print_status(self.app, status, parsed_args.json)
        return 0


class Status(base.Command):
    """Show whether the run's observer lives and what it has written."""

    def get_parser(self, prog_name):
        return add_common_arguments(super().get_parser(prog_name))

    def take_action(self, parsed_args):
        ctx = Context(parsed_args)
        if not ctx.run_id:
            raise exceptions.UserError('no run recorded in %s; give --run'
                                       % ctx.state_dir)
        heartbeat_timeout = obs_settings.option_default(
            'heartbeat_timeout')
        if ctx.conf is not None:
            heartbeat_timeout = ctx.conf.upgrade_observers.heartbeat_timeout
        status = lifecycle.status(ctx.store, ctx.run_id, ctx.state_dir,
                                  heartbeat_timeout)
        _print_status(self.app, status, parsed_args.json)
        # Like "systemctl is-active": 0 running, 3 anything else.
        return 0 if status['state'] == 'running' else 3


class Stop(base.Command):
    """Stop the run's observers (SIGTERM, then SIGKILL after a timeout)."""

    def get_parser(self, prog_name):
        parser = add_common_arguments(super().get_parser(prog_name))
        parser.add_argument(
            '--timeout', type=float,
            help='Seconds to wait after SIGTERM (default: '
                 '[upgrade_observers] stop_timeout).')
        parser.add_argument(
            '--reconcile', action='store_true',
            help='Then decide every pending request of the honour ledger '
                 'and delete what the honour observer created (waits up '
                 'to [upgrade_observers] honour_timeout).')
        return parser

    def take_action(self, parsed_args):
        ctx = Context(parsed_args)
        if not ctx.run_id:
            raise exceptions.UserError('no run recorded in %s; give --run'
                                       % ctx.state_dir)
        timeout = parsed_args.timeout
        if timeout is None:
            timeout = (ctx.conf.upgrade_observers.stop_timeout
                       if ctx.conf is not None
                       else obs_settings.option_default('stop_timeout'))
        result = lifecycle.stop(ctx.store, ctx.run_id, ctx.state_dir,
                                timeout)
        if parsed_args.reconcile:
            if ctx.conf is None:
                raise exceptions.UserError(
                    '--reconcile needs the tempest.conf of the run')
            rows = honour.reconcile_run(
                ctx.store, obs_settings.from_tempest_conf(ctx.conf),
                ctx.run_id)
            result['honour'] = {}
            for row in rows:
                result['honour'][row['outcome']] = result['honour'].get(
                    row['outcome'], 0) + 1
        if parsed_args.json:
            self.app.stdout.write(json.dumps(result, sort_keys=True) + '\n')
        else:
            self.app.stdout.write('run %s: observer %s\n' % (
                ctx.run_id, {'not running': 'was not running',
                             'gone': 'was already gone',
                             'SIGTERM': 'stopped',
                             'SIGKILL': 'killed (SIGKILL)'}.get(
                                 result['how'], result['how'])))
            if 'honour' in result:
                self.app.stdout.write('honour ledger: %s\n' % ', '.join(
                    '%s %d' % kv for kv in sorted(result['honour'].items())))
        return 0
