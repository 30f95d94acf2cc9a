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
import json
import os
import signal
import subprocess
import sys
import time

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import runner
from upgrade_tempest_plugin.observers import settings as obs_settings

RUNNER_MODULE = 'upgrade_tempest_plugin.observers.runner'


def _read_pidfile(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except OSError:
        return ''


def process_alive(pid):
    """True when ``pid`` is a live process (not a zombie)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        with open('/proc/%d/stat' % pid) as f:
            if f.read().rsplit(')', 1)[1].split()[0] == 'Z':
                return False
    except (OSError, IndexError):
        pass
    return True


def pid_alive(pid):
    """True when ``pid`` is a live (not zombie) observer process."""
    return process_alive(pid) and RUNNER_MODULE in _cmdline(pid)


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
    info = _read_pidfile(runner.pidfile_path(state_dir, run_id)) or {}
    pid = info.get('pid')
    alive = pid_alive(pid)
    processes = store.list_processes(run_id) if store is not None else []
    latest = processes[-1] if processes else None
    now = time.time()
    result = {'run_id': run_id, 'pid': pid if alive else None,
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
        before = len(store.list_processes(run_id))
        with open(log_path, 'a') as log, open(os.devnull) as devnull:
            child = subprocess.Popen(
                argv, stdin=devnull, stdout=log, stderr=log,
                start_new_session=True, close_fds=True, env=env)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            code = child.poll()
            if code is not None:
                raise exceptions.UserError(
                    'the observer exited at once with code %s; see %s'
                    % (code, log_path))
            info = _read_pidfile(runner.pidfile_path(state_dir, run_id))
            if (info and info.get('pid') == child.pid and
                    len(store.list_processes(run_id)) > before):
                # The child lives in its own session; a late exit is reaped
                # by init, not left as our zombie, once we return.
                return status(store, run_id, state_dir,
                              heartbeat_timeout), True
            time.sleep(0.1)
        stop_pid(child.pid, 5.0)
        raise exceptions.UserError(
            'the observer did not register within %.0f s; see %s'
            % (wait, log_path))


def wait_probing(store, run_id, timeout=60.0, interval=0.5):
    """The observer's ``start`` event once it probes, else None.

    The event is written once the token and catalog are read; None after
    ``timeout`` seconds without it.
    """
    deadline = time.monotonic() + timeout
    while True:
        started = [e for e in store.list_events(run_id)
                   if e['source'] == events.OBSERVER and
                   e['action'] == 'start']
        if started or time.monotonic() >= deadline:
            return started[-1] if started else None
        time.sleep(interval)


def stop_pid(pid, timeout):
    """SIGTERM, wait up to ``timeout``, SIGKILL; returns how it ended."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return 'gone'
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not pid_alive(pid):
            return 'SIGTERM'
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return 'SIGTERM'
    for _ in range(50):
        _reap(pid)
        if not pid_alive(pid):
            break
        time.sleep(0.1)
    return 'SIGKILL'


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop(store, run_id, state_dir, timeout=None):
    """Stop the run's observer; returns a dict of what happened.

    ``timeout`` (seconds after SIGTERM) defaults to the option's default.
    """
    if timeout is None:
        timeout = obs_settings.option_default('stop_timeout')
    state_dir = os.path.abspath(state_dir)
    pidfile = runner.pidfile_path(state_dir, run_id)
    info = _read_pidfile(pidfile) or {}
    pid = info.get('pid')
    result = {'run_id': run_id, 'pid': pid, 'how': 'not running'}
    if pid and pid_alive(pid):
        result['how'] = stop_pid(pid, timeout)
    # A process that was killed (-9, or here) could not record its end.
    for process in store.list_processes(run_id):
        if process['stopped_at'] is None and not pid_alive(process['pid']):
            store.process_stopped(
                process['id'],
                'killed' if result['how'] != 'SIGKILL' or
                process['pid'] != pid else 'SIGKILL after %.0f s' % timeout,
                at=process['heartbeat_at'])
    try:
        os.unlink(pidfile)
    except FileNotFoundError:
        pass
    return result
