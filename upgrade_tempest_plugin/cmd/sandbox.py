"""``upgrade-tempest sandbox ...``: the real mini-cloud on this machine."""

import os
import subprocess
import sys

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import services as svcs
from upgrade_tempest_plugin.sandbox import upgrade

SANDBOX_FAILED = 1


def add_dir_option(parser):
    parser.add_argument(
        '--dir', default=None,
        help='sandbox directory (default: $%s or %s)'
             % (layout.DIR_ENV, '~/.local/share/upgrade-tempest/sandbox'))


def add_port_offset_option(parser):
    parser.add_argument('--port-offset', type=int, metavar='N',
                        help='add N (a multiple of 100) to every port, to '
                             'run beside another sandbox (default: $%s or '
                             '0; a built sandbox keeps its own)'
                             % ports.OFFSET_ENV)


def add_service_option(parser, verb):
    parser.add_argument('--service', action='append', default=[],
                        metavar='NAME', dest='services',
                        help='%s only this service (repeatable)' % verb)


def make_sandbox(parsed_args, out):
    return cloud.Sandbox(layout.Layout(parsed_args.dir), out,
                         getattr(parsed_args, 'port_offset', None))


class SandboxCommand(base.Command):
    """A sandbox command: a failure of the cloud is one line and exit 1."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_dir_option(parser)
        return parser

    def take_action(self, parsed_args):
        try:
            return self.act(parsed_args, make_sandbox(parsed_args,
                                                      self.app.stdout))
        except errors.SandboxError as exc:
            self.app.stderr.write('upgrade-tempest: sandbox failed: %s\n'
                                  % exc)
            return SANDBOX_FAILED


class Up(SandboxCommand):
    """Install (once, cached) and start the sandbox at a release series.

    Without ``--release`` an existing sandbox restarts at its recorded
    releases.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--release', metavar='SERIES',
                            help='release series, e.g. 2026.1 (see '
                                 '"sandbox releases"); needed for a new '
                                 'sandbox, an existing one restarts at '
                                 'its recorded releases')
        parser.add_argument('--services', nargs='+', default=[],
                            metavar='SERVICE',
                            help='services to deploy (default: all of %s; '
                                 'required ones are added)'
                                 % ', '.join(pins.SERVICES))
        add_port_offset_option(parser)
        return parser

    def act(self, parsed_args, sandbox):
        sandbox.up(parsed_args.release, parsed_args.services)
        return 0


class Down(SandboxCommand):
    """Stop every process of the sandbox (by pid); keep its data."""

    def act(self, parsed_args, sandbox):
        if not sandbox.down():
            self.app.stdout.write('no sandbox in %s\n'
                                  % sandbox.layout.root)
        return 0


class Destroy(SandboxCommand):
    """Stop the sandbox and remove its directory."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--all', action='store_true',
                            help='also remove the venv cache (%s)'
                                 % layout.default_cache())
        return parser

    def act(self, parsed_args, sandbox):
        sandbox.destroy(cache=parsed_args.all)
        return 0


class Upgrade(SandboxCommand):
    """Upgrade the sandbox in place, service by service."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--to', required=True, metavar='SERIES',
                            help='target release series')
        add_service_option(parser, 'upgrade')
        parser.add_argument('--mode', choices=('cold', 'rolling'),
                            default='rolling',
                            help='cold: stop, migrate, start; rolling: '
                                 'migrate while the old code serves, then '
                                 'switch (default)')
        return parser

    def act(self, parsed_args, sandbox):
        upgrade.Upgrader(sandbox).run(parsed_args.to, parsed_args.services,
                                      parsed_args.mode)
        return 0


class Prepare(SandboxCommand):
    """Install what an upgrade needs, before the maintenance window.

    Builds (or finds cached) the venvs of the target release for every
    service ``sandbox upgrade`` would upgrade, and stops nothing; the
    upgrade then installs nothing while it is observed.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--release', required=True, metavar='SERIES',
                            help='release series the upgrade will go to')
        add_service_option(parser, 'stage')
        return parser

    def act(self, parsed_args, sandbox):
        upgrade.Upgrader(sandbox).stage(parsed_args.release,
                                        parsed_args.services)
        return 0


class Logs(SandboxCommand):
    """Show the log of a sandbox process (or list the logs)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('process', nargs='?',
                            help='service or process, e.g. nova or '
                                 'nova-compute (default: list the logs)')
        parser.add_argument('-n', '--lines', type=int, default=50,
                            help='last lines to show (default 50)')
        parser.add_argument('-f', '--follow', action='store_true',
                            help='keep following (tail -f)')
        return parser

    def act(self, parsed_args, sandbox):
        logs_dir = sandbox.layout.logs
        names = sorted(f[:-4] for f in os.listdir(logs_dir)
                       if f.endswith('.log')) if os.path.isdir(
            logs_dir) else []
        if not parsed_args.process:
            for name in names:
                self.app.stdout.write('%s\n' % sandbox.layout.log_of(name))
            return 0
        wanted = [parsed_args.process]
        if parsed_args.process in pins.SERVICES:
            wanted = svcs.processes(parsed_args.process)
        missing = [w for w in wanted if w not in names]
        if missing == wanted:
            raise exceptions.UserError(
                'no log for %r (known: %s)' % (parsed_args.process,
                                               ', '.join(names) or 'none'))
        argv = ['tail', '-n', str(parsed_args.lines)]
        if parsed_args.follow:
            argv.append('-f')
        argv += [sandbox.layout.log_of(w) for w in wanted if w in names]
        self.app.stdout.flush()
        return subprocess.call(argv, stdout=sys.stdout)


class Status(base.Lister):
    """Show each part of the sandbox: release, version, pids, port, state."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_dir_option(parser)
        return parser

    def take_action(self, parsed_args):
        sandbox = make_sandbox(parsed_args, self.app.stdout)
        rows = sandbox.status()
        if not rows:
            raise exceptions.UserError('no sandbox in %s'
                                       % sandbox.layout.root)
        return (('service', 'release', 'version', 'pid(s)', 'port', 'state'),
                rows)


class Releases(base.Lister):
    """List the release series the sandbox knows and their versions."""

    def take_action(self, parsed_args):
        columns = ('series',) + tuple(pins.PACKAGES[s]
                                      for s in pins.SERVICES)
        rows = [(series,) + tuple(pins.RELEASES[series][s]
                                  for s in pins.SERVICES)
                for series in pins.series_list()]
        return columns, rows
