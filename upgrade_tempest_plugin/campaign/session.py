"""Everything one campaign command works with, put together.

A :class:`Session` holds the run context (state directory, store), the
campaign's run id and directory, its log, its driver and its phases, and
builds the :class:`runner.Runner`.  The commands of ``cmd/campaign.py``
only parse arguments and print.
"""

import os
import uuid

from upgrade_tempest_plugin import campaign as campaign_pkg
from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign import log as log_mod
from upgrade_tempest_plugin.campaign import phases as phases_mod
from upgrade_tempest_plugin.campaign import plan as plan_mod
from upgrade_tempest_plugin.campaign import runner as runner_mod
from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.store import campaigns as recs

CAMPAIGNS_DIR = campaign_pkg.CAMPAIGNS_DIR
LOG_FILE = 'campaign.jsonl'


def tempest_conf_of(plan):
    """The tempest.conf the plan's validators use, if it has one."""
    tempest = plan.get('tempest')
    if not tempest:
        return None
    return tempest.get('config_file') or os.path.join(
        tempest['workspace'], 'etc', 'tempest.conf')


def context(plan, config_file=None, state_dir=None, run_id=None):
    """The run context of a campaign command.

    With a plan that runs validators, the state directory is theirs: the
    ``[upgrade] state_dir`` of the plan's tempest.conf, relative to the
    workspace ``tempest run`` runs in (the campaign records its run there
    and the validators find it there); a ``--state-dir`` naming another
    one is a UserError.
    """
    config_file = config_file or tempest_conf_of(plan)
    if config_file and not os.path.isfile(config_file):
        config_file = None
    ctx = base.RunContext.of(config_file, run_id, state_dir)
    if plan.get('tempest'):
        upgrade_conf = (ctx.conf.upgrade if ctx.conf is not None
                        else run_context.upgrade_conf())
        theirs = os.path.join(plan['tempest']['workspace'],
                              os.path.expanduser(upgrade_conf.state_dir))
        theirs = os.path.abspath(theirs)
        if state_dir is None and ctx.state_dir != theirs:
            ctx = base.RunContext.of(config_file, run_id, theirs)
        elif state_dir is not None and ctx.state_dir != theirs:
            raise exceptions.UserError(
                '--state-dir %s: the validators of the plan use %s'
                % (state_dir, theirs))
    return ctx


def record_run_id(state_dir, run_id):
    """Make ``run_id`` the state directory's run (the validators' run)."""
    path = os.path.join(state_dir, run_context.RUN_ID_FILE)
    with open(path + '.tmp', 'w') as f:
        f.write(run_id + '\n')
    os.replace(path + '.tmp', path)


class Session(object):

    def __init__(self, ctx, plan, run_id, out):
        self.ctx = ctx
        self.plan = plan
        self.run_id = run_id
        self.work_dir = os.path.join(ctx.state_dir, CAMPAIGNS_DIR, run_id)
        os.makedirs(self.work_dir, exist_ok=True)
        self.log = log_mod.CampaignLog(
            os.path.join(self.work_dir, LOG_FILE), run_id, out)
        self.driver = drivers.load(plan, drivers.Context(
            plan['from_release'], plan['to_release'], self.work_dir,
            self.log.say, run_id))
        self.phases = phases_mod.Phases(
            plan.get('tempest'), run_id, ctx.state_dir,
            (plan['from_release'], plan['to_release']), self.work_dir)
        self.runner = runner_mod.Runner(plan, ctx.store, run_id,
                                        self.work_dir, self.driver,
                                        self.log, self.phases)

    @classmethod
    def new(cls, ctx, plan, out):
        """A new campaign: lock the cloud first, then record it."""
        run_id = 'campaign-' + uuid.uuid4().hex[:12]
        try:
            ctx.store.acquire_campaign_lock(plan_mod.cloud_of(plan), run_id)
        except recs.CampaignLocked as exc:
            raise exceptions.UserError(
                'refused: %s (one campaign per cloud; wait for it, or roll '
                'it back)' % exc)
        runner_mod.Runner.create(plan, ctx.store, run_id)
        record_run_id(ctx.state_dir, run_id)
        return cls(ctx, plan, run_id, out)

    @classmethod
    def existing(cls, ctx, run_id, out):
        """The recorded campaign ``run_id``, its cloud locked again.

        Refused while another live process runs it.
        """
        campaign = ctx.store.get_campaign(run_id)
        if campaign is None:
            raise exceptions.UserError('no campaign run %s in the store %s'
                                       % (run_id, ctx.store.url))
        detail = campaign['detail'] or {}
        if detail.get('pid') and detail['pid'] != os.getpid() and \
                procs.is_running(detail['pid'], detail.get('starttime')):
            raise exceptions.UserError(
                'refused: campaign %s is being run by process %d'
                % (run_id, detail['pid']))
        try:
            ctx.store.acquire_campaign_lock(campaign['cloud'], run_id)
        except recs.CampaignLocked as exc:
            raise exceptions.UserError('refused: %s' % exc)
        record_run_id(ctx.state_dir, run_id)
        return cls(ctx, campaign['plan'], run_id, out)

    @staticmethod
    def find(ctx, run_id):
        """The campaign ``run_id``, else the newest one; its row."""
        campaigns = ctx.store.list_campaigns()
        if run_id:
            found = [c for c in campaigns if c['run_id'] == run_id]
        else:
            found = campaigns[-1:]
        if not found:
            raise exceptions.UserError(
                'no campaign %sin the store %s' % (
                    'run %s ' % run_id if run_id else '', ctx.store.url))
        return found[0]
