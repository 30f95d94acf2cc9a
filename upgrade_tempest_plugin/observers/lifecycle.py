"""Start, check and stop the detached observer process of a run.

``start`` is check-or-start: when the run's observer lives it is left
alone, else a new process is started in its own session (it survives the
``tempest run`` or shell that started it) and continues the same run.  The
pidfile in the state directory names the process; its heartbeat in the
store says whether it still works.  ``stop`` sends SIGTERM, waits, then
SIGKILL, and records the stop when the process could not.
"""

import contextlib
import fcntl
import os
import sys
import time

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import runner
from upgrade_tempest_plugin.observers import settings as obs_settings

#: In the observer's command line; recognises an observer whose pidfile
#: has no start time (written before the start time was recorded) or whose
#: PID comes from the store.
RUNNER_MODULE = 'upgrade_tempest_plugin.observers.runner'


def pid_alive(pid):
    """True when ``pid`` is a live (not zombie) observer process."""
    return procs.is_running(pid, marker=RUNNER_MODULE)


def _running_pid(state_dir, run_id):
    return procs.running_pid(runner.pidfile_path(state_dir, run_id),
                             RUNNER_MODULE)


@contextlib.contextmanager
def _start_lock(state_dir, run_id):
    path = os.path.join(state_dir, 'observers-%s.lock' % run_id)
    with open(path, 'a') as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def status(store, run_id, state_dir, heartbeat_timeout=None):
    """The observer of ``run_id`` as a dict.

    ``state`` is running, stale (alive, old heartbeat), dead (gone without
    recording its stop), stopped or never.  ``heartbeat_timeout`` defaults
    to the option's default.
    """
    if heartbeat_timeout is None:
        heartbeat_timeout = obs_settings.option_default('heartbeat_timeout')
    pid = _running_pid(state_dir, run_id)
    alive = pid is not None
    processes = store.list_processes(run_id) if store is not None else []
    latest = processes[-1] if processes else None
    now = time.time()
    result = {'run_id': run_id, 'pid': pid,
              'alive': alive, 'process': latest,
              'processes': len(processes),
              'heartbeat_age': None, 'state': 'never'}
    if latest is not None:
        result['heartbeat_age'] = now - latest['heartbeat_at']
    if alive:
        fresh = (result['heartbeat_age'] is not None and
                 result['heartbeat_age'] <= heartbeat_timeout)
        result['state'] = 'running' if fresh else 'stale'
    elif latest is not None:
        result['state'] = 'stopped' if latest['stopped_at'] else 'dead'
    return result


def start(store, run_id, state_dir, config_file=None, mode='detached',
          settings_file=None, store_url=None, wait=20.0,
          heartbeat_timeout=None, extra_env=None):
    """Check-or-start; returns (status dict, started: bool)."""
    state_dir = os.path.abspath(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    with _start_lock(state_dir, run_id):
        current = status(store, run_id, state_dir, heartbeat_timeout)
        if current['alive']:
            return current, False
        argv = [sys.executable, '-m', RUNNER_MODULE, '--run-id', run_id,
                '--mode', mode, '--state-dir', state_dir]
        if config_file:
            argv += ['--config-file', os.path.abspath(config_file)]
        else:
            argv += ['--no-tempest-conf']
        if settings_file:
            argv += ['--settings', os.path.abspath(settings_file)]
        env = dict(os.environ)
        env.update(extra_env or {})
        if store_url:
            env[obs_settings.STORE_URL_ENV] = store_url
        log_path = runner.logfile_path(state_dir, run_id)
        pidfile = runner.pidfile_path(state_dir, run_id)
        before = len(store.list_processes(run_id))
        child = procs.spawn(argv, log_path, env=env)

        def registered():
            code = child.poll()
            if code is not None:
                raise exceptions.UserError(
                    'the observer exited at once with code %s; see %s'
                    % (code, log_path))
            # the observer writes its pidfile once it has registered
            rec = procs.read_pidfile(pidfile)
            return (rec is not None and rec.pid == child.pid and
                    len(store.list_processes(run_id)) > before)

        try:
            waits.until(registered, wait, 0.1)
        except waits.TimedOut:
            procs.terminate(child.pid, 5.0)
            raise exceptions.UserError(
                'the observer did not register within %.0f s; see %s'
                % (wait, log_path))
        # The child lives in its own session; a late exit is reaped by
        # init, not left as our zombie, once we return.
        return status(store, run_id, state_dir, heartbeat_timeout), True


def wait_probing(store, run_id, timeout=60.0, interval=0.5):
    """The observer's ``start`` event once it probes, else None.

    The event is written once the token and catalog are read; None after
    ``timeout`` seconds without it.
    """
    def started():
        return [e for e in store.list_events(run_id)
                if e['source'] == events.OBSERVER and e['action'] == 'start']

    try:
        return waits.until(started, timeout, interval)[-1]
    except waits.TimedOut:
        return None


def stop(store, run_id, state_dir, timeout=None):
    """Stop the run's observer; returns a dict of what happened.

    ``timeout`` (seconds after SIGTERM) defaults to the option's default.
    """
    if timeout is None:
        timeout = obs_settings.option_default('stop_timeout')
    state_dir = os.path.abspath(state_dir)
    pidfile = runner.pidfile_path(state_dir, run_id)
    pid = _running_pid(state_dir, run_id)
    result = {'run_id': run_id, 'pid': pid, 'how': 'not running'}
    if pid is not None:
        result['how'] = procs.terminate(pid, timeout)
    # A process that was killed (-9, or here) could not record its end.
    for process in store.list_processes(run_id):
        if process['stopped_at'] is None and not pid_alive(process['pid']):
            store.process_stopped(
                process['id'],
                'killed' if result['how'] != 'SIGKILL' or
                process['pid'] != pid else 'SIGKILL after %.0f s' % timeout,
                at=process['heartbeat_at'])
    procs.remove_pidfile(pidfile)
    return result
