"""The pieces of a campaign job: its plan, its operator, its progress.

A payload whose ``run`` has a ``plan`` runs ``upgrade-tempest campaign
validate`` then ``campaign run`` inside the job's venv (where the plugin,
and so the campaign package, is installed), against the payload's cloud:
the plan's ``tempest.workspace`` becomes the job's workspace, whose
tempest.conf and accounts come from the payload.  The plan's operator
credentials (``cloud.operator_clouds_yaml``) go to a clouds.yaml of their
own (mode 0600) that only the campaign process is pointed at
(``OS_CLIENT_CONFIG_FILE``); the campaign runs its validators without it.

Progress is the number of the plan's steps that ended, read from the
campaign's log (``campaign.jsonl``): a step event has the source
``campaign`` and the step's id.

Standard library only (the worker imports it).
"""

import copy
import glob
import json
import os

#: Source of a step event in the campaign log (events.CAMPAIGN).
STEP_SOURCE = 'campaign'
#: ``campaign run``'s exit codes (cmd/base): done, failed; and
#: ``campaign validate``'s for a plan with problems.
DONE_EXIT = 0
FAILED_EXIT = 1
BAD_PLAN_EXIT = 2
#: Why ``campaign validate`` could not say (it needs the plugin).
NO_CAMPAIGN = ('campaign validate exited %d: a plan needs this plugin in '
               "the job's venv (the payload's plugin_version, or the "
               "worker's --plugin-wheel)")


def job_plan(plan, workspace):
    """The plan the job runs: ``plan`` with the job's Tempest workspace.

    A plan without a ``tempest`` section runs no validator, and keeps
    none; ``config_file`` is dropped: it would name a file of the
    submitter's host.
    """
    plan = copy.deepcopy(plan)
    if 'tempest' in plan:
        plan['tempest'].pop('config_file', None)
        plan['tempest']['workspace'] = workspace
    return plan


def operator_clouds(payload):
    """The clouds.yaml document of the plan's operator, or None."""
    operator = payload['run']['plan'].get('operator')
    entry = payload['cloud'].get('operator_clouds_yaml')
    if not operator or entry is None:
        return None
    return {'clouds': {operator['cloud']: entry}}


def venv_extras(payload):
    """What a job's venv needs besides Tempest and the plugin.

    A plan that names an operator: openstacksdk, with which the campaign
    checks the operator's role (the plugin does not require it).
    """
    plan = payload['run'].get('plan')
    if plan and plan.get('operator'):
        return ('openstacksdk',)
    return ()


def without_openstack(env):
    """``env`` without ``OS_*`` (``OS_CLOUD``, ``OS_CLIENT_CONFIG_FILE``...).

    No OpenStack client setting of the worker's host reaches a campaign.
    """
    return {name: value for name, value in env.items()
            if not name.startswith('OS_')}


def step_ids(plan):
    return [step['id'] for step in plan['steps']]


def ended_steps(state_dir, ids):
    """({step ids that ended}, {those that failed}) from the campaign log."""
    ended, failed = set(), set()
    pattern = os.path.join(state_dir, 'campaigns', '*', 'campaign.jsonl')
    for path in glob.glob(pattern):
        with open(path) as log:
            for line in log:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue   # a line being written
                if (record.get('source') != STEP_SOURCE
                        or record.get('step') not in ids):
                    continue
                ended.add(record['step'])
                if record.get('outcome') != 'ok':
                    failed.add(record['step'])
    return ended, failed


def plan_problem(output):
    """The located first problem ``campaign validate`` printed.

    It prints every problem on stdout, one a line, as ``PATH: MESSAGE``
    (PATH in the plan, ``(plan)`` for the plan itself).
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return 'payload.run.plan: not valid'
    first = lines[0][:300]
    if first.startswith('(plan): '):
        return 'payload.run.plan: ' + first[len('(plan): '):]
    return 'payload.run.plan.' + first


def final_line(output):
    """The campaign's last line (``campaign run RUN: STATE``), or ''."""
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1].strip()[:200] if lines else ''
