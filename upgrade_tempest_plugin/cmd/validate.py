"""``upgrade-tempest validate``: run validators and judge the result."""

import os

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin import tempest_results

DEFAULT_REGEX = r'^upgrade_tempest_plugin\.'


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
        parser.add_argument('--regex', default=DEFAULT_REGEX,
                            help='Tests to run (default: %(default)s).')
        parser.add_argument('--concurrency', type=int, default=1,
                            help='tempest run --concurrency.')
        parser.add_argument('--allow-all-skipped', action='store_true',
                            help='Count a run in which every test was '
                                 'skipped as a success.')
        return parser

    def take_action(self, parsed_args):
        conf = os.path.join(parsed_args.workspace, 'etc', 'tempest.conf')
        if not os.path.isfile(conf):
            raise exceptions.UserError(
                'not a Tempest workspace (no etc/tempest.conf): %s'
                % parsed_args.workspace)
        if parsed_args.concurrency < 1:
            raise exceptions.UserError('--concurrency must be at least 1')
        summary = tempest_results.run(parsed_args.workspace,
                                      parsed_args.regex,
                                      parsed_args.concurrency)
        ok, explanation = tempest_results.verdict(
            summary, parsed_args.allow_all_skipped)
        self.app.stdout.write('validators: %s: %s\n' % (
            'PASS' if ok else 'FAIL', explanation))
        for test_id in summary.failed:
            self.app.stdout.write('  failed: %s\n' % test_id)
        return 0 if ok else 1
