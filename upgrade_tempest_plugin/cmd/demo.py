"""``upgrade-tempest demo``: the whole story on the embedded sandbox.

Sandbox up at N-1, N's packages staged (before the observed window, as
operators pull images before theirs), the plugin's validators, an in-place
upgrade to N, the validators again, a summary.  Runs on a fresh machine
with nothing but this package installed (the sandbox installs the rest,
cached).
"""

import os
import sys
import time

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin.cmd import sandbox as sandbox_cmd
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin import facade
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import state as statemod
from upgrade_tempest_plugin.sandbox import upgrade
from upgrade_tempest_plugin import tempest_results


class Demo(base.Command):
    """Sandbox at N-1, validators, upgrade to N, validators, summary."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        sandbox_cmd.add_dir_option(parser)
        sandbox_cmd.add_port_offset_option(parser)
        newest = pins.series_list()
        parser.add_argument('--from', dest='from_series', default=newest[-2],
                            metavar='SERIES',
                            help='release to start at (default %(default)s)')
        parser.add_argument('--to', dest='to_series', default=newest[-1],
                            metavar='SERIES',
                            help='release to upgrade to (default %(default)s)')
        parser.add_argument('--mode', choices=upgrade.MODES,
                            default='rolling', help='upgrade mode')
        parser.add_argument('--keep-up', action='store_true',
                            help='leave the sandbox running at the end')
        return parser

    def take_action(self, parsed_args):
        src = pins.check_series(parsed_args.from_series)
        dst = pins.check_series(parsed_args.to_series)
        if dst <= src:
            raise exceptions.UserError('--to %s must be after --from %s'
                                       % (dst, src))
        if not pins.upgrade_supported(src, dst):
            raise exceptions.UserError(
                '%s -> %s is neither one release nor a skip-level upgrade '
                'between SLURP releases' % (src, dst))
        sb = sandbox_cmd.make_sandbox(parsed_args, self.app.stdout)
        steps = []
        try:
            self.run_demo(sb, src, dst, parsed_args.mode, steps)
        except errors.SandboxError as exc:
            steps.append(('sandbox', 'failed', 0.0, str(exc)))
        finally:
            if not parsed_args.keep_up:
                sb.down()
        self.summary(sb, src, dst, steps)
        return 0 if all(s[1] != 'failed' for s in steps) else 1

    def _timed(self, steps, name, func, *args):
        begin = time.monotonic()
        result = func(*args)
        steps.append((name, 'ok', time.monotonic() - begin, ''))
        return result

    def run_demo(self, sb, src, dst, mode, steps):
        st = sb.state()
        running = {src}
        if st is not None:
            running = {i['series'] for i in st['services'].values() if i}
        if running != {src}:
            sb.say('the sandbox in %s is at %s: rebuilding it at %s '
                   '(the venv cache is kept)' % (
                       sb.layout.root, ', '.join(sorted(running)) or 'none',
                       src))
            sb.destroy()
        self._timed(steps, 'sandbox up %s' % src, sb.up, src)
        upgrader = upgrade.Upgrader(sb)
        self._timed(steps, 'sandbox prepare %s' % dst, upgrader.stage, dst)
        # a new run (the plugin keeps the current run id in its state
        # dir; the store there keeps the earlier runs)
        run_context.new_run(run_context.upgrade_conf(
            state_dir=sb.layout.path('upgrade-state')))
        self.write_conf(sb, src, dst)
        self.validators(sb, 'pre-upgrade', steps)
        self._timed(steps, 'upgrade %s -> %s (%s)' % (src, dst, mode),
                    upgrader.run, dst, [], mode)
        self.write_conf(sb, src, dst)
        self.validators(sb, 'post-upgrade', steps)
        self.validators(sb, 'destroy', steps)

    def write_conf(self, sb, src, dst):
        st = sb.state()
        sb.write_workspace(st, sb.secrets(), extra={
            'upgrade': {
                'expected_release_before': src,
                'expected_release_after': dst,
                'state_dir': sb.layout.path('upgrade-state'),
            },
            # The demo also checks that writes accepted during the upgrade
            # are carried out (R16).
            'upgrade_observers': {'honour_enabled': True},
        })

    def validators(self, sb, phase, steps):
        """Run the plugin's validators with this environment's tempest.

        They run in their own directory (tempest writes a .stestr.conf
        that points at its own installation) with the sandbox's
        tempest.conf.
        """
        rundir = sb.layout.path('validators')
        os.makedirs(rundir, exist_ok=True)
        conf = os.path.join(sb.layout.workspace, 'etc', 'tempest.conf')
        sb.say('%s validators: tempest run --regex %r'
               % (phase, facade.PHASES[phase]))
        begin = time.monotonic()
        self.app.stdout.flush()
        summary = tempest_results.run(
            rundir, facade.PHASES[phase], config_file=conf,
            env=dict(os.environ, PYTHON=sys.executable))
        detail = '%d passed, %d failed, %d skipped' % (
            summary.passed, len(summary.failed), summary.skipped)
        steps.append(('validators ' + phase, tempest_results.outcome(summary),
                      time.monotonic() - begin, detail))

    def summary(self, sb, src, dst, steps):
        out = self.app.stdout
        out.write('\nSummary (%s -> %s, sandbox %s)\n'
                  % (src, dst, sb.layout.root))
        for name, result, seconds, detail in steps:
            out.write('  %-36s %-8s %7.1f s  %s\n' % (name, result, seconds,
                                                      detail))
        st = sb.state()
        if st:
            for service in statemod.deployed(st):
                info = st['services'][service]
                out.write('  %-10s %s %s\n' % (service, info['series'],
                                               info['version']))
        out.write('  events: %s\n' % sb.layout.events_file)
        conf = os.path.join(sb.layout.workspace, 'etc', 'tempest.conf')
        if os.path.isfile(conf):
            out.write('\nWhat the observers measured during the upgrade '
                      '(upgrade-tempest analyse --config-file %s):\n' % conf)
            out.flush()
            self.app.run_subcommand(['analyse', '--config-file', conf])
