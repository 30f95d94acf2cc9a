"""Start processes with a pidfile, stop them by pid.

Every process is started in its own session, so its pid is also its process
group id and ``stop`` reaches the children it forks (gunicorn workers,
Erlang helpers).  The pidfile also records the process start time, so a pid
reused by an unrelated process after a reboot is never signalled.  Nothing is
ever stopped by name.
"""

import os
import signal
import subprocess
import time


def _start_time(pid):
    """The start time of ``pid`` in clock ticks since boot, or None."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may contain spaces: split after it.
    fields = stat.rsplit(')', 1)[1].split()
    if fields[0] == 'Z':
        return None
    return int(fields[19])


def read_pidfile(pidfile):
    """(pid, start time) from ``pidfile`` or None when missing/corrupt."""
    try:
        with open(pidfile) as f:
            pid, started = f.read().split()
        return int(pid), int(started)
    except (OSError, ValueError):
        return None


def running_pid(pidfile):
    """The pid recorded in ``pidfile`` if that very process still runs."""
    rec = read_pidfile(pidfile)
    if rec is None:
        return None
    pid, started = rec
    if _start_time(pid) != started:
        return None
    return pid


def start(pidfile, argv, log, env=None, cwd=None):
    """Start ``argv`` detached, output appended to ``log``; return the pid."""
    with open(log, 'ab') as out:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, env=env, cwd=cwd,
            start_new_session=True, close_fds=True)
    started = _start_time(proc.pid)
    tmp = pidfile + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d %d\n' % (proc.pid, started or 0))
    os.replace(tmp, pidfile)
    return proc.pid


def group_members(pgid):
    """Live pids whose process group is ``pgid``."""
    members = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if fields[0] != 'Z' and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def _reap(pid):
    """Collect ``pid`` if it is our own child (no zombie left)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def stop(pidfile, timeout=30.0, group_grace=10.0):
    """Stop the process of ``pidfile`` and its process group.

    SIGTERM goes to the leader first (gunicorn and oslo.service parents
    then stop their workers gracefully; oslo.service workers signalled
    twice hang), to the whole group once the leader is gone or after
    ``group_grace`` seconds, and SIGKILL to the group after ``timeout``.
    Returns True if something was running.  The pidfile is removed.
    """
    pid = running_pid(pidfile)
    if pid is None:
        _remove(pidfile)
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    begin = time.monotonic()
    group_termed = False
    while True:
        _reap(pid)
        members = group_members(pid)
        if not members:
            break
        waited = time.monotonic() - begin
        if waited > timeout:
            _signal_group(pid, signal.SIGKILL)
            for _ in range(50):
                _reap(pid)
                if not group_members(pid):
                    break
                time.sleep(0.1)
            break
        if not group_termed and (pid not in members or waited > group_grace):
            _signal_group(pid, signal.SIGTERM)
            group_termed = True
        time.sleep(0.1)
    _remove(pidfile)
    return True


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def rss_kib(pid):
    """Resident memory of ``pid``'s process group in KiB."""
    total = 0
    for member in group_members(pid):
        try:
            with open('/proc/%d/status' % member) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total
