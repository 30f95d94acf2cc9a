"""``upgrade-tempest cleanup --run ID``: remove what a run's ledger lists.

Deletes, in reverse order of creation and as the workload account, every
resource the run's ledger still lists (also those an interrupted create
recorded only by name), waits until each is gone and marks it deleted.
Exit 0 when nothing is left, 1 when something could not be deleted.
"""

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import events


class Cleanup(base.Lister):
    """Delete what the ledger of a run still lists.

    Needs the tempest.conf with the workload account.
    """

    def get_parser(self, prog_name):
        parser = base.add_run_arguments(super().get_parser(prog_name))
        parser.add_argument('--store-url', metavar='URL',
                            help='store (default: [upgrade] store_url, '
                                 'else the state directory\'s)')
        parser.add_argument('--dry-run', action='store_true',
                            help='list what would be deleted')
        return parser

    def take_action(self, args):
        from upgrade_tempest_plugin.workloads import runtime
        ctx = base.RunContext(args, config_required=True)
        run_id = ctx.require_run()
        if args.store_url:
            store = base.open_store(args.store_url, '--store-url')
        else:
            store = ctx.store
        columns = ('kind', 'name', 'resource id', 'result')
        entries = [e for e in store.list_workloads(run_id)
                   if e['kind'] != 'workload']
        if args.dry_run:
            return columns, [(e['kind'], e['name'], e['resource_id'] or '-',
                              'would delete') for e in reversed(entries)]
        if not entries:
            return columns, []
        # An unusable workload account is an AccountError: a UserError.
        ws = runtime.open_workload_set(ctx.conf, store=store, run_id=run_id)
        problems = ws.destroy()
        left = {e['name'] for e in store.list_workloads(run_id)}
        rows = [(e['kind'], e['name'], e['resource_id'] or '-',
                 'LEFT' if e['name'] in left else 'deleted')
                for e in reversed(entries)]
        for problem in problems:
            self.app.stderr.write('upgrade-tempest: %s\n' % problem)
        if problems:
            self.app.stderr.write('upgrade-tempest: cleanup of run %s left '
                                  '%d problem(s)\n' % (run_id,
                                                       len(problems)))
            self.exit_code = base.FAILURE_EXIT
        store.add_event(run_id, events.CLEANUP, 'cleanup',
                        result='fail' if problems else 'pass',
                        detail='\n'.join(problems) or None)
        return columns, rows
