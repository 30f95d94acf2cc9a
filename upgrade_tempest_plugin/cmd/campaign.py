"""``upgrade-tempest campaign ...``: validate, run, roll back and watch an
upgrade campaign (doc/source/campaign.rst)."""

import os

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


def _store_arguments(parser, run_argument=False):
    """``--config-file``, ``--run`` and ``--state-dir``.

    With ``run_argument``, also an optional positional RUN that wins over
    ``--run``.  The run defaults to the one recorded in the state
    directory: the newest campaign's.
    """
    base.add_run_arguments(parser)
    if run_argument:
        parser.add_argument('run', metavar='RUN', nargs='?',
                            help='the campaign run (default: --run)')
    return parser


def _context(args, plan=None):
    from upgrade_tempest_plugin.campaign import session as session_mod
    return session_mod.context(plan or {}, args.config_file, args.state_dir,
                               getattr(args, 'run', None) or args.run_id)


def _operator(app, plan):
    from upgrade_tempest_plugin.campaign import operator_check
    app.stdout.write(operator_check.check(plan) + '\n')


def _listen(text):
    host, _, port = text.rpartition(':')
    if not host or not port.isdigit():
        raise exceptions.UserError('--listen takes HOST:PORT, not %r'
                                   % text)
    return host, int(port)


class Run(base.Command):
    """Run a campaign plan (or resume an interrupted campaign).

    Checks the operator's role once, locks the cloud, then runs the plan's
    phases and steps; exit 0 when the campaign is done and every check
    passed, 1 otherwise, 2 for a bad plan or a cloud held by another
    campaign.
    """

    def get_parser(self, prog_name):
        parser = _store_arguments(super().get_parser(prog_name))
        parser.add_argument('plan', metavar='PLAN', nargs='?',
                            help='the plan (YAML)')
        parser.add_argument('--resume', metavar='RUN',
                            help='continue the interrupted campaign RUN '
                                 'from its first step not done (with its '
                                 'PLAN, the store is the one of the '
                                 "plan's validators)")
        parser.add_argument('--dry-run', action='store_true',
                            help='print what would run; touch nothing')
        parser.add_argument('--force', action='store_true',
                            help='start even when the pre-flight health '
                                 'validators fail')
        parser.add_argument('--listen', metavar='HOST:PORT',
                            help='serve the callback endpoint there')
        from upgrade_tempest_plugin.snapshot import auto as auto_export
        auto_export.add_option(parser, with_cloud=True, cloud_text=(
            ' (and the sandbox cloud, with the sandbox driver)'))
        return parser

    def take_action(self, args):
        from upgrade_tempest_plugin.campaign import runner
        from upgrade_tempest_plugin.campaign import session as session_mod
        if not args.plan and not args.resume:
            raise exceptions.UserError('give a PLAN or --resume RUN')
        if args.run_id:
            raise exceptions.UserError('a new campaign makes its own run; '
                                       '--resume RUN continues one')
        listen = _listen(args.listen) if args.listen else None
        plan = load_plan(self.app, args.plan) if args.plan else None
        if not args.resume:
            if args.dry_run:
                from upgrade_tempest_plugin.campaign import dry_run
                dry_run.show(plan, self.app.stdout)
                return base.OK_EXIT
            _operator(self.app, plan)
            ctx = _context(args, plan)
            session = session_mod.Session.new(ctx, plan, self.app.stdout)
        else:
            # The plan, when given, says where the campaign's store is
            # (the state directory of its validators).
            ctx = _context(args, plan)
            campaign = ctx.store.get_campaign(args.resume)
            if campaign is None:
                raise exceptions.UserError('no campaign run %s in the store '
                                           '%s' % (args.resume,
                                                   ctx.store.url))
            if plan is not None and plan != campaign['plan']:
                raise exceptions.UserError(
                    'campaign %s ran another plan than %s; resume it '
                    'without one' % (args.resume, args.plan))
            if campaign['state'] in runner.FINAL:
                raise exceptions.UserError(
                    'campaign %s ended (%s): nothing to resume'
                    % (args.resume, campaign['state']))
            if args.dry_run:
                from upgrade_tempest_plugin.campaign import dry_run
                dry_run.show(campaign['plan'], self.app.stdout)
                return base.OK_EXIT
            _operator(self.app, campaign['plan'])
            session = session_mod.Session.existing(ctx, args.resume,
                                                   self.app.stdout)
        final = self._run(session, listen, args.force,
                          resuming=bool(args.resume))
        if final != runner.DONE and args.export_on_failure is not None:
            _export(session, args.export_on_failure, self.app.stdout)
        return base.OK_EXIT if final == runner.DONE else base.FAILURE_EXIT

    def _run(self, session, listen, force, resuming):
        from upgrade_tempest_plugin.campaign import rollback
        from upgrade_tempest_plugin.campaign import runner
        self.app.stdout.write('campaign run %s: log %s\n' % (
            session.run_id, session.log.path))
        endpoint = None
        if listen:
            endpoint = _serve(session, listen, self.app.stdout)
        try:
            state = session.ctx.store.get_campaign(session.run_id)['state']
            if resuming and state == runner.ROLLING_BACK:
                final = rollback.Rollback(session.runner).run('resumed')
            else:
                final = session.runner.run(force=force)
        finally:
            if endpoint is not None:
                endpoint.stop()
        self.app.stdout.write('campaign run %s: %s\n' % (session.run_id,
                                                         final))
        return final


def _export(session, option, out):
    """Export the campaign's run (and the sandbox) after it failed."""
    from upgrade_tempest_plugin.campaign import session as session_mod
    from upgrade_tempest_plugin.snapshot import auto as auto_export
    plan = session.plan
    config_file = session_mod.tempest_conf_of(plan)
    driver = plan['driver']
    auto_export.export_failed(
        option, out,
        config_file=config_file if config_file and os.path.isfile(
            config_file) else None,
        sandbox_dir=(driver.get('config') or {}).get('dir')
        if driver['name'] == 'sandbox' else None,
        run_id=session.run_id, state_dir=session.ctx.state_dir)


def _serve(session, listen, out):
    from upgrade_tempest_plugin.campaign import callback
    token = callback.token_for(session.work_dir)
    session.log.add_secret(token)
    endpoint = callback.Endpoint(listen[0], listen[1], callback.make_app(
        session.ctx.store, session.run_id, token, session.log)).start()
    out.write('callback endpoint: POST http://%s:%d/runs/%s/events with '
              '"Authorization: Bearer" the token in %s\n' % (
                  listen[0], endpoint.port, session.run_id,
                  os.path.join(session.work_dir, callback.TOKEN_FILE)))
    return endpoint


class Rollback(base.Command):
    """Undo a campaign's steps in reverse order, then check the cloud."""

    def get_parser(self, prog_name):
        return _store_arguments(super().get_parser(prog_name), True)

    def take_action(self, args):
        from upgrade_tempest_plugin.campaign import rollback
        from upgrade_tempest_plugin.campaign import runner
        from upgrade_tempest_plugin.campaign import session as session_mod
        ctx = _context(args)
        run_id = session_mod.Session.find(ctx, ctx.require_run())['run_id']
        campaign = ctx.store.get_campaign(run_id)
        if campaign['state'] == runner.ROLLED_BACK:
            raise exceptions.UserError('campaign %s is already rolled back'
                                       % run_id)
        _operator(self.app, campaign['plan'])
        session = session_mod.Session.existing(ctx, run_id, self.app.stdout)
        final = rollback.Rollback(session.runner).run(
            'campaign rollback %s' % run_id)
        self.app.stdout.write('campaign run %s: %s\n' % (run_id, final))
        return (base.OK_EXIT if final == runner.ROLLED_BACK
                else base.FAILURE_EXIT)


class Pause(base.Command):
    """Pause a running campaign before its next group of steps.

    The steps running go on to their end; ``campaign continue RUN`` lets
    the campaign go on.
    """

    def get_parser(self, prog_name):
        parser = _store_arguments(super().get_parser(prog_name))
        parser.add_argument('run', metavar='RUN', help='the campaign run')
        return parser

    def take_action(self, args):
        from upgrade_tempest_plugin.campaign import runner
        from upgrade_tempest_plugin.campaign import session as session_mod
        ctx = _context(args)
        campaign = session_mod.Session.find(ctx, args.run)
        if campaign['state'] not in (runner.RUNNING, runner.PAUSED):
            raise exceptions.UserError('campaign %s is not running (%s)'
                                       % (args.run, campaign['state']))
        _operator(self.app, campaign['plan'])
        ctx.store.set_campaign_state(args.run, campaign['state'],
                                     pause_requested=True)
        self.app.stdout.write('campaign %s pauses before its next group\n'
                              % args.run)
        return base.OK_EXIT


class Continue(base.Command):
    """Let a paused campaign go on, or confirm a step.

    Without STEP: a campaign paused by ``campaign pause``.  With STEP: a
    step marked ``pause``, or a step the operator did (``manual``).
    """

    def get_parser(self, prog_name):
        parser = _store_arguments(super().get_parser(prog_name))
        parser.add_argument('run', metavar='RUN', help='the campaign run')
        parser.add_argument('step', metavar='STEP', nargs='?',
                            help='the step id')
        parser.add_argument('--failed', action='store_true',
                            help='report the step failed instead')
        return parser

    def take_action(self, args):
        from upgrade_tempest_plugin.campaign import session as session_mod
        from upgrade_tempest_plugin.store import campaigns as recs
        ctx = _context(args)
        campaign = session_mod.Session.find(ctx, args.run)
        if args.step is None:
            if not (campaign['detail'] or {}).get('pause_requested'):
                raise exceptions.UserError('campaign %s is not paused'
                                           % args.run)
            _operator(self.app, campaign['plan'])
            ctx.store.set_campaign_state(args.run, campaign['state'],
                                         pause_requested=False)
            self.app.stdout.write('campaign %s goes on\n' % args.run)
            return base.OK_EXIT
        row = ctx.store.get_item(args.run, recs.STEP, args.step)
        if row is None:
            raise exceptions.UserError('campaign %s has no step %s'
                                       % (args.run, args.step))
        waiting = (row['detail'] or {}).get('waiting_for')
        if not waiting:
            raise exceptions.UserError('step %s waits for nobody (%s)'
                                       % (args.step, row['state']))
        _operator(self.app, campaign['plan'])
        ctx.store.set_item(args.run, recs.STEP, args.step, row['state'],
                           detail={'confirmed': 'failed' if args.failed
                                   else 'done', 'by': 'campaign continue',
                                   'waiting_for': None})
        self.app.stdout.write('step %s of %s: %s confirmed\n' % (
            args.step, args.run, waiting))
        return base.OK_EXIT


def _time(epoch):
    from upgrade_tempest_plugin import events
    return events.iso(epoch)[:19].replace('T', ' ') if epoch else ''


class Status(base.Lister):
    """The status table of a campaign (default: the newest)."""

    COLUMNS = ('kind', 'item', 'object', 'state', 'started', 'ended',
               'seconds', 'error code')

    def get_parser(self, prog_name):
        parser = _store_arguments(super().get_parser(prog_name), True)
        parser.add_argument('--watch', action='store_true',
                            help='refresh until the campaign ends')
        parser.add_argument('--interval', type=float, default=2.0,
                            help='seconds between refreshes (--watch)')
        return parser

    def rows(self, store, run_id):
        rows = []
        for r in store.list_items(run_id):
            seconds = ('%.1f' % (r['ended_at'] - r['started_at'])
                       if r['started_at'] and r['ended_at'] else '')
            rows.append((r['kind'], r['item'], r['object'], r['state'],
                         _time(r['started_at']), _time(r['ended_at']),
                         seconds, r['error_code'] or ''))
        return rows

    def take_action(self, args):
        import time

        from upgrade_tempest_plugin.campaign import runner
        from upgrade_tempest_plugin.campaign import session as session_mod
        ctx = _context(args)
        campaign = session_mod.Session.find(ctx, ctx.run_id)
        run_id = campaign['run_id']
        while args.watch and campaign['state'] not in runner.FINAL:
            self.app.stdout.write('\x1b[2J\x1b[H%s: %s\n' % (
                run_id, campaign['state']))
            self.produce_output(args, self.COLUMNS,
                                self.rows(ctx.store, run_id))
            time.sleep(args.interval)
            campaign = ctx.store.get_campaign(run_id)
        if campaign['state'] in runner.FINAL and campaign['state'] not in (
                runner.DONE, runner.ROLLED_BACK):
            self.exit_code = base.FAILURE_EXIT
        self.app.stderr.write('%s: %s\n' % (run_id, campaign['state']))
        return self.COLUMNS, self.rows(ctx.store, run_id)


class List(base.Lister):
    """The campaigns in the store."""

    def get_parser(self, prog_name):
        return _store_arguments(super().get_parser(prog_name))

    def take_action(self, args):
        ctx = _context(args)
        return (('run', 'name', 'cloud', 'state', 'created', 'updated'),
                [(c['run_id'], c['name'], c['cloud'], c['state'],
                  _time(c['created_at']), _time(c['updated_at']))
                 for c in ctx.store.list_campaigns()])
