"""Start detached processes, recognise them by PID and start time, stop them.

Every process is started in its own session, so it survives the command
that started it, its pid is also its process group id, and :func:`stop`
reaches the children it forks (gunicorn workers, Erlang helpers).  A
pidfile records the PID *and* the process start time (the ``starttime``
field of ``/proc/PID/stat``, clock ticks after boot): a PID reused by an
unrelated process, after a reboot or a crash, never matches, so it is never
signalled.  Nothing is ever stopped by name.

A pidfile is a JSON object ``{"pid": ..., "starttime": ..., ...}`` (callers
may add their own keys).  Pidfiles written before this module existed are
still read: the sandbox's ``PID STARTTIME`` text, and the observer's JSON
without a start time.  A PID without a start time is recognised the way it
was then: a live process whose command line contains the caller's
``marker`` (the observer's module name); with no marker it is not
recognised.
"""

import collections
import json
import operator
import os
import signal
import subprocess
import time

from upgrade_tempest_plugin.common import waits

CLK_TCK = os.sysconf('SC_CLK_TCK')
#: Seconds to wait for a process group to be gone after SIGKILL.
KILL_WAIT = 5.0
POLL = 0.1

#: A pidfile's content; ``starttime`` is None in an old observer pidfile,
#: ``info`` holds the keys its writer added.
Pidfile = collections.namedtuple('Pidfile', 'pid starttime info')


def _stat(pid):
    """The fields of ``/proc/PID/stat`` after the command name, or None.

    ``fields[0]`` is the state (field 3), so field N is ``fields[N - 3]``.
    """
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except (OSError, TypeError):
        return None
    # The command name (field 2) may contain spaces and ')': split after
    # its last ')'.
    return stat.rsplit(')', 1)[1].split()


def start_time(pid):
    """The start time of live ``pid`` in clock ticks after boot, or None.

    None also for a zombie: it has exited.
    """
    fields = _stat(pid)
    if fields is None or fields[0] == 'Z':
        return None
    return int(fields[19])


def cpu_seconds(pid):
    """CPU seconds (user + system) ``pid`` has used; 0 when it is gone."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / float(CLK_TCK)


def argv(pid):
    """The command line of ``pid`` as a list ([] when unreadable)."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            raw = f.read()
    except (OSError, TypeError):
        return []
    return raw.decode('utf-8', 'replace').split('\0')[:-1]


def is_running(pid, starttime=None, marker=None):
    """True when ``pid`` is still the process that was recorded.

    With ``starttime``: the live process with that PID started then.
    Without (an old pidfile, a PID from elsewhere): a live process whose
    command line contains ``marker``; with no marker, False.
    """
    if not pid:
        return False
    if starttime is not None:
        return start_time(pid) == starttime
    return (marker is not None and start_time(pid) is not None and
            marker in ' '.join(argv(pid)))


def read_pidfile(path):
    """The :data:`Pidfile` at ``path``, or None when missing or corrupt."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        info = None
    if isinstance(info, dict):
        pid, starttime = info.pop('pid', None), info.pop('starttime', None)
    else:
        # the sandbox's older "PID STARTTIME" text (or a bare PID)
        parts = text.split()
        if not 1 <= len(parts) <= 2:
            return None
        pid, starttime = parts[0], (parts[1:] or [None])[0]
        info = {}
    try:
        pid = int(pid)
        starttime = None if starttime is None else int(starttime)
    except (TypeError, ValueError):
        return None
    if pid <= 0:
        return None
    return Pidfile(pid, starttime, info)


def write_pidfile(path, pid, info=None):
    """Record ``pid`` and its start time at ``path`` (atomically).

    ``info`` adds keys of the caller's (never 'pid' or 'starttime').
    """
    fields = _stat(pid)
    record = dict(info or {})
    # A child that has exited already (a zombie) keeps its start time.
    record.update(pid=pid, starttime=int(fields[19]) if fields else None)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(record, f)
        f.write('\n')
    os.replace(tmp, path)


def running_pid(path, marker=None):
    """The PID of ``path``'s pidfile if that very process still runs."""
    rec = read_pidfile(path)
    if rec is None or not is_running(rec.pid, rec.starttime, marker):
        return None
    return rec.pid


def spawn(argv, log, env=None, cwd=None):
    """Start ``argv`` in its own session, output appended to ``log``.

    Returns the :class:`subprocess.Popen`; no pidfile is written (the
    observer writes its own once it has registered).
    """
    with open(log, 'ab') as out:
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, env=env, cwd=cwd,
            start_new_session=True, close_fds=True)


def start(pidfile, argv, log, env=None, cwd=None):
    """:func:`spawn` ``argv`` and write its pidfile; return the pid."""
    proc = spawn(argv, log, env=env, cwd=cwd)
    write_pidfile(pidfile, proc.pid)
    return proc.pid


def group_members(pgid):
    """Live pids whose process group is ``pgid``."""
    members = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        fields = _stat(int(entry))
        if fields and fields[0] != 'Z' and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def _left(pid):
    """What is left of ``pid`` and its group; reaps it if it is our child."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    members = group_members(pid)
    if pid not in members and start_time(pid) is not None:
        members.append(pid)   # not a group leader
    return members


def _signal(pid, sig, group):
    try:
        if group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def terminate(pid, timeout=30.0, group_grace=10.0):
    """Stop ``pid`` and its process group: SIGTERM, wait, SIGKILL.

    SIGTERM goes to the leader first (gunicorn and oslo.service parents
    then stop their workers gracefully; oslo.service workers signalled
    twice hang), to the whole group once the leader is gone or after
    ``group_grace`` seconds, and SIGKILL to the group after ``timeout``.
    Returns how it ended: 'SIGTERM' or 'SIGKILL'.  The caller has checked
    that ``pid`` is its process (:func:`is_running`).
    """
    _signal(pid, signal.SIGTERM, group=False)
    group_term_at = time.monotonic() + group_grace
    group_termed = []

    def left_after_term():
        members = _left(pid)
        if members and not group_termed and (
                pid not in members or time.monotonic() > group_term_at):
            _signal(pid, signal.SIGTERM, group=True)
            group_termed.append(True)
        return members

    try:
        waits.until(left_after_term, timeout, POLL, done=operator.not_)
        return 'SIGTERM'
    except waits.TimedOut:
        pass
    _signal(pid, signal.SIGKILL, group=True)
    _signal(pid, signal.SIGKILL, group=False)
    try:
        waits.until(lambda: _left(pid), KILL_WAIT, POLL, done=operator.not_)
    except waits.TimedOut:
        pass   # unkillable (D state): nothing more can be done
    return 'SIGKILL'


def stop(pidfile, timeout=30.0, group_grace=10.0, marker=None):
    """Stop the process of ``pidfile`` (see :func:`terminate`).

    Returns how it ended, None when it was not running.  The pidfile is
    removed either way (a stale one too).
    """
    pid = running_pid(pidfile, marker)
    how = None if pid is None else terminate(pid, timeout, group_grace)
    remove_pidfile(pidfile)
    return how


def remove_pidfile(path):
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
