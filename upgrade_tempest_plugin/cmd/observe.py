"""``upgrade-tempest observe start|status|stop``: the detached observers.

Run from the Tempest workspace (or give ``--config-file``): the run id,
state directory and store come from ``[upgrade]`` of that tempest.conf, the
observers' settings from ``[upgrade_observers]``.
"""

import time

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import facade

#: Exit code of ``observe status`` when the observer is not running (as
#: ``systemctl is-active``).
NOT_RUNNING_EXIT = 3

STATUS_FIELDS = (
    'run_id', 'state', 'pid', 'mode', 'started_at', 'heartbeat_age',
    'stopped_at', 'stop_reason', 'samples_written', 'samples_dropped',
    'services', 'rate', 'processes')


def status_record(status):
    """(fields, values) of ``lifecycle.status``, for ``observe status``."""
    process = status.get('process') or {}
    attrs = process.get('attrs') or {}
    age = status.get('heartbeat_age')
    values = (
        status['run_id'],
        status['state'],
        status.get('pid') or process.get('pid'),
        process.get('mode'),
        _when(process.get('started_at')),
        None if age is None else round(age, 1),
        _when(process.get('stopped_at')),
        process.get('stop_reason'),
        process.get('samples_written'),
        process.get('samples_dropped'),
        ', '.join(attrs.get('services') or []) or 'catalog',
        attrs.get('rate'),
        status.get('processes', 0),
    )
    return STATUS_FIELDS, values


def _when(epoch):
    if not epoch:
        return None
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


class Start(base.Command):
    """Start the run's observers in the background (if not running)."""

    def get_parser(self, prog_name):
        parser = base.add_run_arguments(super().get_parser(prog_name))
        parser.add_argument(
            '--settings',
            help='JSON file overriding observer settings (rate, services, '
                 'dataplane_targets, ...).')
        parser.add_argument(
            '--wait', type=float, default=30.0,
            help='Seconds to wait for the observer to register.')
        return parser

    def take_action(self, parsed_args):
        status = facade.start_observers(
            parsed_args.config_file, parsed_args.run_id,
            parsed_args.state_dir, settings_file=parsed_args.settings,
            wait=parsed_args.wait)
        self.app.stdout.write('%s observer of run %s (pid %s)\n' % (
            'started' if status['started'] else 'already running',
            status['run_id'], status.get('pid')))
        return base.OK_EXIT


class Status(base.JsonAliasShowOne):
    """Show whether the run's observer lives and what it has written.

    Exits 0 when it is running, 3 otherwise.
    """

    def get_parser(self, prog_name):
        return base.add_run_arguments(super().get_parser(prog_name))

    def take_action(self, parsed_args):
        status = facade.observer_status(parsed_args.config_file,
                                        parsed_args.run_id,
                                        parsed_args.state_dir)
        if status['state'] != 'running':
            self.exit_code = NOT_RUNNING_EXIT
        return status_record(status)


class Stop(base.Command):
    """Stop the run's observers (SIGTERM, then SIGKILL after a timeout)."""

    def get_parser(self, prog_name):
        parser = base.add_run_arguments(super().get_parser(prog_name))
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
        result = facade.stop_observers(
            parsed_args.config_file, parsed_args.run_id,
            parsed_args.state_dir, timeout=parsed_args.timeout,
            reconcile=parsed_args.reconcile)
        self.app.stdout.write('run %s: observer %s\n' % (
            result['run_id'], {'not running': 'was not running',
                               'gone': 'was already gone',
                               'SIGTERM': 'stopped',
                               'SIGKILL': 'killed (SIGKILL)'}.get(
                                   result['how'], result['how'])))
        if 'honour' in result:
            self.app.stdout.write('honour ledger: %s\n' % ', '.join(
                '%s %d' % kv for kv in sorted(result['honour'].items())))
        return base.OK_EXIT
