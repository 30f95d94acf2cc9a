"""``upgrade-tempest validate``: run validators and judge the result."""

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import facade


class Validate(base.Command):
    """Run validators with ``tempest run`` in a workspace and summarise.

    Exits 0 when no test failed and at least one passed (or every test was
    skipped and --allow-all-skipped is given), 1 otherwise.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--workspace', default='.',
                            help='Tempest workspace (default: current '
                                 'directory).')
        base.add_config_argument(parser)
        which = parser.add_mutually_exclusive_group()
        which.add_argument('--phase', choices=sorted(facade.PHASES),
                           help='Run the validators of this phase.')
        which.add_argument('--regex',
                           help='Tests to run (default: %s).'
                                % facade.ALL_VALIDATORS)
        parser.add_argument('--concurrency', type=int, default=1,
                            help='tempest run --concurrency.')
        parser.add_argument('--allow-all-skipped', action='store_true',
                            help='Count a run in which every test was '
                                 'skipped as a success.')
        return parser

    def take_action(self, parsed_args):
        result = facade.run_validators(
            parsed_args.workspace, phase=parsed_args.phase,
            regex=parsed_args.regex, concurrency=parsed_args.concurrency,
            allow_all_skipped=parsed_args.allow_all_skipped,
            config_file=parsed_args.config_file)
        self.app.stdout.write('validators: %s: %s\n' % (
            'PASS' if result['ok'] else 'FAIL', result['explanation']))
        for test_id in result['failed']:
            self.app.stdout.write('  failed: %s\n' % test_id)
        return base.OK_EXIT if result['ok'] else base.FAILURE_EXIT
