"""The Python interface of upgrade-tempest-plugin for its consumers (R10).

A deployment tool, a CI job or a campaign runner calls these functions
instead of the ``upgrade-tempest`` command line; each does what the command
named in its docstring does and returns plain data instead of printing.
The functions, their keywords and the documented keys of what they return
are stable (doc/source/facade.rst); every other module of the package is
internal and may change.

Keywords shared by the run functions, as the command line's
``--config-file``, ``--run`` and ``--state-dir``:

``config_file``
    the tempest.conf (default: ``etc/tempest.conf`` of the current
    directory, or ``$TEMPEST_CONFIG_DIR/$TEMPEST_CONFIG``);
``run_id``
    the run (default: ``[upgrade] run_id``, else the run recorded in the
    state directory);
``state_dir``
    the state directory (default: ``[upgrade] state_dir``).

Bad input raises :class:`upgrade_tempest_plugin.exceptions.UserError`, a
failure :class:`upgrade_tempest_plugin.exceptions.Failure` (the command
line's exit codes 2 and 1).
"""

import os
import subprocess
import sys

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import honour
from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin import tempest_results
from upgrade_tempest_plugin import validator_phases

#: The validators of each phase of an upgrade, selected by a token in
#: their class names (see doc/source/validators.rst).
PHASES = validator_phases.PHASES
#: Every validator of the plugin (``upgrade-tempest validate``'s default).
ALL_VALIDATORS = r'^upgrade_tempest_plugin\.'


def run_validators(workspace='.', phase=None, regex=None, concurrency=1,
                   allow_all_skipped=False, config_file=None, env=None):
    """Run validators with ``tempest run``, as ``upgrade-tempest validate``.

    ``phase`` (a key of :data:`PHASES`) or ``regex`` (default: every
    validator) selects the tests; ``workspace`` is the Tempest workspace
    they run in, with its ``etc/tempest.conf`` unless ``config_file``
    names another.  Tempest's output goes to this process's stdout.

    Returns a dict: ``ok`` (no test failed and one passed, or every test
    was skipped and ``allow_all_skipped``), ``explanation`` (one line),
    ``passed`` and ``skipped`` (counts), ``failed`` (test ids),
    ``returncode`` (tempest's), ``stored``: how many results went into the
    run's store (``upgrade-tempest results import`` of the stream tempest
    wrote, with ``phase``), None when they could not (no run recorded, no
    stestr repository).
    """
    if phase is not None and regex is not None:
        raise exceptions.UserError('give a phase or a regex, not both')
    if phase is not None:
        if phase not in PHASES:
            raise exceptions.UserError('unknown phase %r (known: %s)' % (
                phase, ', '.join(sorted(PHASES))))
        regex = PHASES[phase]
    if config_file is None and not os.path.isfile(
            os.path.join(workspace, 'etc', 'tempest.conf')):
        raise exceptions.UserError(
            'not a Tempest workspace (no etc/tempest.conf): %s' % workspace)
    if concurrency < 1:
        raise exceptions.UserError('--concurrency must be at least 1')
    summary = tempest_results.run(workspace, regex or ALL_VALIDATORS,
                                  concurrency, config_file=config_file,
                                  env=env)
    ok, explanation = tempest_results.verdict(summary, allow_all_skipped)
    stored = None
    if summary.passed or summary.failed or summary.skipped:
        stored = _store_results(workspace, phase, config_file, env)
    return {'ok': ok, 'explanation': explanation,
            'passed': summary.passed, 'failed': list(summary.failed),
            'skipped': summary.skipped, 'returncode': summary.returncode,
            'stored': stored}


def _store_results(workspace, phase, config_file, env):
    """Add the results tempest just wrote in ``workspace`` to the run.

    Returns the number of results added to the run's store, or None.  In
    a child process, as ``upgrade-tempest results import``: it loads
    the tempest.conf, which Tempest allows once per process.
    """
    if not os.path.isdir(os.path.join(workspace, '.stestr')):
        return None
    argv = [sys.executable, '-m', 'upgrade_tempest_plugin.cmd.main',
            'results', 'import', workspace, '--config-file',
            config_file or os.path.join(workspace, 'etc', 'tempest.conf'),
            '-f', 'value', '-c', 'added']
    if phase:
        argv += ['--phase', phase]
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    added = proc.stdout.strip()
    return int(added) if proc.returncode == 0 and added.isdigit() else None


def start_observers(config_file=None, run_id=None, state_dir=None,
                    settings_file=None, wait=30.0):
    """Start the run's observers if not running (``observe start``).

    Without ``run_id`` and none recorded, a new run starts.
    ``settings_file``: a JSON file overriding observer settings (then a
    tempest.conf is optional).  Waits up to ``wait`` seconds for the
    observer to register.  Returns the observer's status (a dict with
    ``run_id``, ``state``, ``pid``, ...) with ``started``: False when it
    was already running.
    """
    ctx = base.RunContext.of(config_file, run_id, state_dir,
                             create_run=True,
                             config_required=not settings_file)
    # Bad settings are an error here, not a dead background process.
    if ctx.conf is not None:
        settings = obs_settings.from_tempest_conf(ctx.conf)
        accounts = (obs_settings.accounts_option(ctx.conf), ctx.config_file)
    else:
        settings = obs_settings.defaults()
        accounts = ('accounts_file', settings_file)
    if settings_file:
        before = settings['accounts_file']
        obs_settings.merge_json(settings, settings_file)
        if settings['accounts_file'] != before:
            accounts = ('accounts_file', settings_file)
    obs_settings.check_account(settings, *accounts)
    status, started = lifecycle.start(
        ctx.store, ctx.run_id, ctx.state_dir, config_file=ctx.config_file,
        mode='detached', settings_file=settings_file,
        store_url=ctx.store_url, wait=wait)
    return dict(status, started=started)


def observer_status(config_file=None, run_id=None, state_dir=None):
    """Whether the run's observer lives (``observe status``).

    Returns a dict: ``run_id``, ``state`` (``running``; ``stale``: alive
    with an old heartbeat; ``dead``: gone without recording its end;
    ``stopped``; ``never``: no observer ever registered), ``alive``,
    ``pid``, ``heartbeat_age`` (seconds), ``process`` (the newest
    observer process of the run as the store has it) and ``processes``
    (how many).
    """
    ctx = base.RunContext.of(config_file, run_id, state_dir)
    run_id = ctx.require_run()
    heartbeat_timeout = None    # lifecycle's default: the option's
    if ctx.conf is not None:
        heartbeat_timeout = ctx.conf.upgrade_observers.heartbeat_timeout
    return lifecycle.status(ctx.store, run_id, ctx.state_dir,
                            heartbeat_timeout)


def stop_observers(config_file=None, run_id=None, state_dir=None,
                   timeout=None, reconcile=False):
    """Stop the run's observers (``observe stop``).

    SIGTERM, then SIGKILL after ``timeout`` seconds (default:
    ``[upgrade_observers] stop_timeout``).  ``reconcile`` then decides
    every pending request of the honour ledger (needs the tempest.conf).
    Returns a dict: ``run_id``, ``pid``, ``how`` (``not running``,
    ``gone``, ``SIGTERM`` or ``SIGKILL``) and, with ``reconcile``,
    ``honour``: the number of requests per outcome.
    """
    ctx = base.RunContext.of(config_file, run_id, state_dir)
    run_id = ctx.require_run()
    if reconcile and ctx.conf is None:
        raise exceptions.UserError(
            '--reconcile needs the tempest.conf of the run')
    if timeout is None:
        timeout = (ctx.conf.upgrade_observers.stop_timeout
                   if ctx.conf is not None
                   else obs_settings.option_default('stop_timeout'))
    result = lifecycle.stop(ctx.store, run_id, ctx.state_dir, timeout)
    if reconcile:
        counts = {}
        for row in honour.reconcile_run(
                ctx.store, obs_settings.from_tempest_conf(ctx.conf), run_id):
            counts[row['outcome']] = counts.get(row['outcome'], 0) + 1
        result['honour'] = counts
    return result


def analyse_run(config_file=None, run_id=None, state_dir=None,
                baseline_seconds=None, events_file=None, verdicts=True):
    """What the observers saw during a run (``analyse``).

    Returns the structure of
    :func:`upgrade_tempest_plugin.analysis.run_analysis.build` (its JSON
    schema ships in the package).  ``baseline_seconds`` defaults to
    ``[upgrade_budgets] baseline_seconds`` of the tempest.conf, else 30.
    ``events_file``: the upgrade steps (a JSON-lines event log, the
    sandbox's ``events.jsonl``) to import first; one that cannot be read
    is a UserError.  ``verdicts``: judge the run against
    ``[upgrade_budgets]`` of the tempest.conf (when there is one).
    """
    ctx = base.RunContext.of(config_file, run_id, state_dir)
    run_id = ctx.require_run()
    if ctx.store.get_run(run_id) is None:
        raise exceptions.UserError('run %s is not in the store %s' % (
            run_id, ctx.store.url))
    limits = ctx.conf.upgrade_budgets if ctx.conf is not None else None
    if baseline_seconds is None and limits is not None:
        baseline_seconds = limits.baseline_seconds
    result = run_analysis.build(ctx.store, run_id,
                                baseline_seconds=baseline_seconds,
                                events_file=events_file,
                                budgets=limits if verdicts else None)
    unread = run_analysis.problems_of(result, run_analysis.EVENTS_FILE)
    if unread:
        raise exceptions.UserError('cannot read %s' % unread[0])
    return result


def campaign_problems(plan_file):
    """The problems of a campaign plan (``campaign validate``).

    Returns a list of ``{'path', 'message'}`` (``path``: where in the plan,
    ``steps[3].checks[0]``; empty for the plan as a whole); an empty list
    for a plan without problem.  A file that cannot be read or is not YAML
    is a UserError.
    """
    from upgrade_tempest_plugin.campaign import plan as plan_mod
    from upgrade_tempest_plugin.campaign import validate
    return [{'path': p.path, 'message': p.message}
            for p in validate.problems(plan_mod.read(plan_file))]


def campaign_status(config_file=None, run_id=None, state_dir=None):
    """A campaign and its status table (``campaign status``).

    ``run_id`` defaults to the run recorded in the state directory (the
    newest campaign's).  Returns ``{'run_id', 'name', 'cloud', 'state',
    'detail', 'items'}``; each item is ``{'kind', 'item', 'object',
    'state', 'started_at', 'ended_at', 'error_code', 'detail'}`` (kinds:
    ``phase``, ``backup``, ``step``, ``object``, ``check``, ``rollback``;
    states: ``pending``, ``running``, ``done``, ``failed``, ``hanging``,
    ``rolled back``).
    """
    from upgrade_tempest_plugin.campaign import session
    ctx = base.RunContext.of(config_file, run_id, state_dir)
    campaign = session.Session.find(ctx, ctx.run_id)
    keys = ('kind', 'item', 'object', 'state', 'started_at', 'ended_at',
            'error_code', 'detail')
    return {
        'run_id': campaign['run_id'], 'name': campaign['name'],
        'cloud': campaign['cloud'], 'state': campaign['state'],
        'detail': campaign['detail'] or {},
        'items': [{k: row[k] for k in keys}
                  for row in ctx.store.list_items(campaign['run_id'])]}
