"""Child processes of a worker: own session, killed with the worker.

Merge point: the project's process supervisor (common/procs.py) may take
this over; the worker may import only the standard library, though.
"""

import os
import signal
import subprocess
import sys

#: Seconds between SIGTERM and SIGKILL of a timed-out child's group.
KILL_GRACE = 5
_PRELUDE = '\n'.join([
    'import ctypes, os, signal, sys',
    'try:',
    '    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG',
    'except (OSError, AttributeError):',
    '    pass',
    'if os.getppid() != int(sys.argv[1]):',
    '    sys.exit(137)',
    'os.execvp(sys.argv[2], sys.argv[2:])'])


def popen(argv, **kwargs):
    """Start ``argv`` in a session of its own, killed if the worker dies.

    On Linux the child asks the kernel for SIGKILL when the worker process
    dies (prctl PR_SET_PDEATHSIG, kept across exec), so a worker killed
    with -9 leaves no Tempest running against a cloud (Tempest's own
    children then lose their pipe and end).
    It is set by a prelude run in the child, not by preexec_fn, which is
    not safe in a process with threads.
    """
    prelude = [sys.executable, '-c', _PRELUDE, str(os.getpid())]
    return subprocess.Popen(prelude + list(argv), start_new_session=True,
                            **kwargs)


def kill_group(proc):
    """SIGTERM the process group, SIGKILL it after KILL_GRACE."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run(argv, timeout, **kwargs):
    """(returncode, stdout bytes) of ``argv``.

    The returncode is None when ``argv`` took more than ``timeout``
    seconds and was killed.
    """
    proc = popen(argv, stdout=subprocess.PIPE, **kwargs)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.communicate()
        return None, b''
    return proc.returncode, out or b''
