"""Which run this process belongs to, and where that run's state lives.

A run spans several ``tempest run`` invocations and the detached observer
processes between them; they find each other only through the state
directory and the store.  The run id comes from ``[upgrade] run_id`` when
set, else from the file ``<state_dir>/run_id``, which the first invocation
creates.
"""

import os
import types
import uuid

from upgrade_tempest_plugin import exceptions

RUN_ID_FILE = 'run_id'
STORE_FILE = 'store.db'
#: Default of ``[upgrade] state_dir`` (and of ``--state-dir`` without a
#: tempest.conf).
DEFAULT_STATE_DIR = '.upgrade-tempest'


def upgrade_conf(state_dir=DEFAULT_STATE_DIR, run_id=None, store_url=None):
    """An ``[upgrade]`` group's values, for callers without a CONF."""
    return types.SimpleNamespace(state_dir=state_dir, run_id=run_id,
                                 store_url=store_url)


def state_dir(upgrade_conf, option='[upgrade] state_dir'):
    """Absolute path of the state directory (created if missing).

    A directory that cannot be created is a UserError naming ``option``.
    """
    path = os.path.abspath(os.path.expanduser(upgrade_conf.state_dir))
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise exceptions.UserError('%s: cannot create %s' % (
            option, os_error(exc)))
    return path


def os_error(exc):
    """What went wrong, in words: '<file>: Not a directory', say."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError):
        # os.makedirs(exist_ok=True) of a path that is a file.
        reason = 'Not a directory'
    if exc.filename:
        return '%s: %s' % (exc.filename, reason)
    return reason


def sqlite_url(path):
    """The default store: SQLite in the state directory ``path``."""
    return 'sqlite:///' + os.path.join(os.path.abspath(path), STORE_FILE)


def store_url(upgrade_conf):
    """The store's SQLAlchemy URL: the option, or SQLite in state_dir."""
    if upgrade_conf.store_url:
        return upgrade_conf.store_url
    return sqlite_url(state_dir(upgrade_conf))


def recorded_run_id(upgrade_conf):
    """The run id of the option or the state directory, else None.

    Unlike :func:`run_id` this never starts a run.
    """
    if upgrade_conf.run_id:
        return upgrade_conf.run_id
    path = os.path.join(state_dir(upgrade_conf), RUN_ID_FILE)
    try:
        with open(path) as run_id_file:
            return run_id_file.read().strip() or None
    except FileNotFoundError:
        return None


def run_id(upgrade_conf):
    """The current run id; created and recorded on first use."""
    recorded = recorded_run_id(upgrade_conf)
    if recorded:
        return recorded
    path = os.path.join(state_dir(upgrade_conf), RUN_ID_FILE)
    new_id = uuid.uuid4().hex[:12]
    # O_EXCL: two processes racing to create the run agree on one id.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return run_id(upgrade_conf)
    with os.fdopen(fd, 'w') as run_id_file:
        run_id_file.write(new_id + '\n')
    return new_id


def new_run(upgrade_conf):
    """Forget the recorded run id so the next use starts a new run."""
    try:
        os.unlink(os.path.join(state_dir(upgrade_conf), RUN_ID_FILE))
    except FileNotFoundError:
        pass
