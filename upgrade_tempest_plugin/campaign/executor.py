"""Run a driver's command as a supervised child that survives the runner.

:func:`start` spawns the command through :mod:`.wrapper` in a session of
its own (:func:`procs.spawn`), its output appended to the step's log, and
returns a handle (pid, start time, result file) the runner writes to the
store.  :func:`wait` polls it until the result file appears, reporting
each poll to a callback (the hanging alarm), and stops it at the timeout.
A resumed runner calls :func:`wait` with the handle it finds in the store:
a command still running is waited for, one that ended is read, neither is
started again.
"""

import json
import os
import sys
import time

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.common import waits

POLL = 0.2
#: Seconds a command has to stop after SIGTERM at its timeout.
STOP_TIMEOUT = 10.0

TIMED_OUT = 'timeout'
LOST = 'lost'


def start(command, log, result, shown=None):
    """Spawn ``command`` (a drivers.base.Command); returns its handle.

    ``shown``: the command line as the log may show it (secrets masked);
    default: the command's arguments.
    """
    for path in (result, result + '.tmp'):
        procs.remove_pidfile(path)
    argv = [sys.executable, '-m', 'upgrade_tempest_plugin.campaign.wrapper',
            result, '--'] + list(command.argv)
    env = command.env if command.env is not None else dict(os.environ)
    with open(log, 'a') as f:
        f.write('$ %s\n' % (shown or ' '.join(command.argv)))
    proc = procs.spawn(argv, log, env=env, cwd=command.cwd)
    return {'pid': proc.pid, 'starttime': procs.start_time(proc.pid),
            'result': result, 'log': log}


def read_result(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def wait(handle, deadline, on_poll=None, clock=time.time):
    """Wait for the command of ``handle`` until ``deadline`` (epoch s).

    Returns its exit code, :data:`TIMED_OUT` (stopped at the deadline) or
    :data:`LOST` (gone without a result: the machine rebooted, or someone
    killed it).  ``on_poll()`` is called at every poll.
    """
    def poll():
        if on_poll is not None:
            on_poll()
        result = read_result(handle['result'])
        if result is not None:
            return result['returncode']
        if not procs.is_running(handle['pid'], handle['starttime']):
            # It may have written its result since the read above.
            result = read_result(handle['result'])
            return LOST if result is None else result['returncode']
        return None

    try:
        return waits.until(poll, deadline - clock(), POLL,
                           done=lambda value: value is not None)
    except waits.TimedOut:
        if procs.is_running(handle['pid'], handle['starttime']):
            procs.terminate(handle['pid'], STOP_TIMEOUT)
        return TIMED_OUT
