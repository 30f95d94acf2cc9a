"""``upgrade-tempest cleanup --run ID``: remove what a run's ledger lists.

Deletes, in reverse order of creation and as the workload account, every
resource the run's ledger still lists (also those an interrupted create
recorded only by name), waits until each is gone and marks it deleted.
Exit 0 when nothing is left, 1 when something could not be deleted.
"""

import os

from cliff import lister

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import settings as obs_settings

LEFT_OVER = 1


def load_tempest_config(path):
    """Tempest's CONF read from ``path``, as every command reads it.

    A file that is not INI text or holds a bad value is a one-line
    UserError (see settings.load_tempest_conf).
    """
    if not os.path.isfile(path):
        raise exceptions.UserError('no such file: %s' % path)
    return obs_settings.load_tempest_conf(path)


class Cleanup(base.Command, lister.Lister):
    """Delete what the ledger of a run still lists."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--run', required=True, metavar='ID',
                            help='the run id (see [upgrade] state_dir/'
                                 'run_id)')
        parser.add_argument('--config-file', metavar='TEMPEST_CONF',
                            default=os.path.join('etc', 'tempest.conf'),
                            help='tempest.conf with the workload account '
                                 'and store (default: etc/tempest.conf)')
        parser.add_argument('--store-url', metavar='URL',
                            help='store (default: from tempest.conf)')
        parser.add_argument('--dry-run', action='store_true',
                            help='list what would be deleted')
        return parser

    def take_action(self, args):
        conf = load_tempest_config(args.config_file)
        from upgrade_tempest_plugin import run_context
        from upgrade_tempest_plugin.workloads import account
        from upgrade_tempest_plugin.workloads import runtime
        store = base.open_store(
            args.store_url or run_context.store_url(conf.upgrade),
            '--store-url' if args.store_url else '[upgrade] store_url')
        columns = ('kind', 'name', 'resource id', 'result')
        entries = [e for e in store.list_workloads(args.run)
                   if e['kind'] != 'workload']
        if args.dry_run:
            return columns, [(e['kind'], e['name'], e['resource_id'] or '-',
                              'would delete') for e in reversed(entries)]
        if not entries:
            return columns, []
        try:
            ws = runtime.open_workload_set(conf, store=store,
                                           run_id=args.run)
        except account.NotConfigured as exc:
            raise exceptions.UserError(str(exc))
        problems = ws.destroy()
        left = {e['name'] for e in store.list_workloads(args.run)}
        rows = [(e['kind'], e['name'], e['resource_id'] or '-',
                 'LEFT' if e['name'] in left else 'deleted')
                for e in reversed(entries)]
        for problem in problems:
            self.app.stderr.write('upgrade-tempest: %s\n' % problem)
        if problems:
            self.app.stderr.write('upgrade-tempest: cleanup of run %s left '
                                  '%d problem(s)\n' % (args.run,
                                                       len(problems)))
            self.exit_code = LEFT_OVER
        store.add_event(args.run, events.CLEANUP, 'cleanup',
                        result='fail' if problems else 'pass',
                        detail='\n'.join(problems) or None)
        return columns, rows

    def run(self, parsed_args):
        self.exit_code = 0
        result = super().run(parsed_args)
        return result or self.exit_code
