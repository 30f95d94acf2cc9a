"""``upgrade-tempest campaign ...``: validate, run, roll back and watch an
upgrade campaign (doc/source/campaign.rst)."""

from upgrade_tempest_plugin.campaign import plan as plan_mod
from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions


def load_plan(app, path):
    """The checked plan of ``path``; its problems printed one a line.

    A plan with problems is a UserError (exit 2) after every problem was
    printed on stdout with its path in the plan.
    """
    from upgrade_tempest_plugin.campaign import validate
    try:
        return validate.load(path)
    except plan_mod.InvalidPlan as exc:
        for problem in exc.problems:
            app.stdout.write(plan_mod.format_problem(problem) + '\n')
        app.stdout.flush()
        raise exceptions.UserError('%s: %d problem%s' % (
            path, len(exc.problems), '' if len(exc.problems) == 1 else 's'))


class Validate(base.Command):
    """Check a campaign plan offline; touches nothing.

    Every problem is printed with its path in the plan; exit 2 when there
    is one.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('plan', metavar='PLAN', help='the plan (YAML)')
        return parser

    def take_action(self, args):
        plan = load_plan(self.app, args.plan)
        self.app.stdout.write('%s: valid (%d steps in %d groups, driver '
                              '%s)\n' % (args.plan, len(plan['steps']),
                                         len(plan_mod.groups(plan)),
                                         plan['driver']['name']))
        return base.OK_EXIT
