"""The run part of a bundle: what one run left behind, without secrets.

Staged under ``run/``:

``store/<table>.jsonl``
    the run's rows (:mod:`.run_rows`);
``etc/tempest.conf``, ``etc/accounts.yaml``
    the run's configuration, secret options and passwords redacted;
``logs/``
    Tempest's log (``[DEFAULT] log_dir``/``log_file`` of tempest.conf);
``stestr/<n>/``
    each stestr repository (its subunit streams), the workspace's and
    those given;
``state/``
    the files of the state directory named after the run (the observer's
    log);
``campaign/``
    a campaign's log (``campaign.jsonl``) and its steps' output
    (``STEP.log``) -- never its backup, its validators' tempest.conf copy
    or its callback token.

Restoring puts the rows into the local store and the files into
``<state_dir>/imported/<run id>/``.
"""

import configparser
import os
import shutil

from upgrade_tempest_plugin import campaign
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.snapshot import run_rows
from upgrade_tempest_plugin.snapshot import scrub

PREFIX = 'run'
IMPORTED = 'imported'
#: Options of tempest.conf that name an accounts file.
ACCOUNTS_OPTIONS = (('auth', 'test_accounts_file'),
                    ('upgrade_workloads', 'accounts_file'),
                    ('upgrade_observers', 'accounts_file'))


def _read_ini(path):
    parser = configparser.RawConfigParser(strict=False,
                                          interpolation=None)
    try:
        parser.read(path)
    except configparser.Error as exc:
        raise exceptions.UserError('%s: %s' % (path, str(exc).split('\n')[0]))
    return parser


def _copy_text(src, dst, redact):
    with open(src, errors='replace') as f:
        text, found = redact(f.read())
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, 'w') as f:
        f.write(text)
    return found


def stage(ctx, staging, stestr_dirs=()):
    """Stage the run of ``ctx`` (a cmd.base.RunContext) under ``staging``.

    Returns (info for the manifest, secrets found).  Secrets are
    redacted in the configuration copies; the caller blanks them in every
    staged file and scans for them before writing the bundle.
    """
    run_id = ctx.require_run()
    root = os.path.join(staging, PREFIX)
    counts = run_rows.export(ctx.store, run_id, os.path.join(root, 'store'))
    secrets = []
    info = {'run_id': run_id, 'rows': counts, 'releases': {},
            'stestr': []}
    workspace = None
    if ctx.config_file:
        workspace = os.path.dirname(os.path.dirname(ctx.config_file))
        secrets += _copy_text(ctx.config_file,
                              os.path.join(root, 'etc', 'tempest.conf'),
                              scrub.redact_ini)
        conf = _read_ini(ctx.config_file)
        for name in ('before', 'after'):
            value = conf.get('upgrade', 'expected_release_' + name,
                             fallback=None)
            if value:
                info['releases'][name] = value
        accounts = {conf.get(s, o, fallback=None)
                    for s, o in ACCOUNTS_OPTIONS} - {None, ''}
        for path in sorted(accounts):
            if os.path.isfile(path):
                secrets += _copy_text(path, os.path.join(
                    root, 'etc', os.path.basename(path)),
                    scrub.redact_yaml_passwords)
        log_dir = conf.get('DEFAULT', 'log_dir', fallback=None)
        log_file = conf.get('DEFAULT', 'log_file', fallback=None)
        if log_file:
            log = os.path.join(log_dir or workspace, log_file)
            if os.path.isfile(log):
                _copy(log, os.path.join(root, 'logs',
                                        os.path.basename(log)))
    candidates = list(stestr_dirs)
    if workspace:
        candidates.append(os.path.join(workspace, '.stestr'))
    seen = set()
    for path in candidates:
        real = os.path.realpath(path)
        if real in seen or not os.path.isfile(os.path.join(path, 'format')):
            if path in stestr_dirs and real not in seen:
                raise exceptions.UserError('%s is not a stestr repository'
                                           % path)
            continue
        seen.add(real)
        _copy_tree(path, os.path.join(root, 'stestr',
                                      str(len(info['stestr']))))
        info['stestr'].append(real)
    for name in sorted(os.listdir(ctx.state_dir)):
        path = os.path.join(ctx.state_dir, name)
        if run_id in name and os.path.isfile(path) and \
                not name.endswith(('.pid', '.lock')):
            _copy(path, os.path.join(root, 'state', name))
    campaign_dir = os.path.join(ctx.state_dir, campaign.CAMPAIGNS_DIR,
                                run_id)
    if os.path.isdir(campaign_dir):
        for name in sorted(os.listdir(campaign_dir)):
            path = os.path.join(campaign_dir, name)
            if name.endswith(('.jsonl', '.log')) and os.path.isfile(path):
                _copy(path, os.path.join(root, 'campaign', name))
    return info, secrets


def _copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)


def _copy_tree(src, dst):
    """Regular files only: a symlink in a repository is not followed."""
    for top, _dirs, files in os.walk(src):
        for name in files:
            path = os.path.join(top, name)
            if os.path.isfile(path) and not os.path.islink(path):
                _copy(path, os.path.join(dst, os.path.relpath(path, src)))


def restore(extracted, store, state_dir, new_id=None):
    """Import the run part of the bundle extracted at ``extracted``.

    Returns (run id, directory holding the run's files).  A run id that
    the store has is refused before anything is written.
    """
    root = os.path.join(extracted, PREFIX)
    rows = run_rows.read(os.path.join(root, 'store'))
    run_id = new_id or run_rows.run_id_of(rows)
    if store.get_run(run_id) is not None:
        raise exceptions.UserError(
            'run %s is already in the store %s; give --as NEW_ID'
            % (run_id, store.url))
    target = os.path.join(state_dir, IMPORTED, run_id)
    if os.path.exists(target):
        raise exceptions.UserError('%s exists; give --as NEW_ID' % target)
    shutil.copytree(root, target, ignore=shutil.ignore_patterns('store'))
    try:
        run_rows.load(store, rows, run_id)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return run_id, target
