"""One way to wait for a condition: poll until it holds or time runs out.

Built on tenacity, the retry library OpenStack uses.  The caller's
``fetch`` does one round of polling and returns what it saw; ``done`` says
whether that is what is waited for.  An exception raised by ``fetch`` ends
the wait at once (fail fast: a dead process, an error status).  At the
timeout :class:`TimedOut` carries the last value seen, so that the caller's
message names what is still missing.  ``clock`` and ``sleep`` can be
injected (unit tests with a fake clock).
"""

import time

import tenacity


class TimedOut(Exception):
    """:func:`until` gave up; ``last`` is the last value ``fetch`` returned."""

    def __init__(self, last, timeout):
        super().__init__('still waiting after %s s (last: %r)'
                         % (timeout, last))
        self.last = last
        self.timeout = timeout


def until(fetch, timeout, interval, done=bool, clock=None, sleep=None):
    """Call ``fetch()`` every ``interval`` s until ``done`` of its value.

    Returns the value that is done.  ``fetch`` is called at least once,
    also when ``timeout`` is 0 or less (a deadline shared by several waits
    that has passed): a condition that holds is never reported as a
    timeout.  Raises :class:`TimedOut` when it still is not done once
    ``timeout`` seconds have passed; whatever ``fetch`` raises goes
    through at once.
    """
    clock = clock or time.monotonic
    deadline = clock() + timeout

    def timed_out(state):
        raise TimedOut(state.outcome.result(), timeout)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_not_result(done),
        stop=lambda state: clock() >= deadline,
        wait=tenacity.wait_fixed(interval),
        sleep=sleep or time.sleep,
        retry_error_callback=timed_out)
    return retrying(fetch)
