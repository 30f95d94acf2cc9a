"""Cascade stop (R12): stop creating after K consecutive failed creates."""


class CascadeStop(Exception):
    """Raised instead of creating once the guard has tripped."""

    def __init__(self, report):
        super().__init__(report)
        self.report = report


class CreateGuard:
    """Counts consecutive failed create requests.

    Every create goes through :meth:`create`.  A success resets the count;
    a failure adds one; when the count reaches ``limit`` the guard trips:
    the failing call and every later one raise :class:`CascadeStop`, so the
    run never keeps piling resources onto a sick cloud.  ``on_trip`` is
    called once with the report (the workload set uses it to record an
    event in the store).
    """

    def __init__(self, limit, on_trip=None):
        self.limit = limit
        self.consecutive = 0
        self.failures = []
        self.tripped = False
        self.on_trip = on_trip

    def create(self, what, func, *args, **kwargs):
        if self.tripped:
            raise CascadeStop(self.report())
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            self.record_failure(what, exc)
            raise
        self.consecutive = 0
        return result

    def record_failure(self, what, exc):
        self.consecutive += 1
        self.failures.append('%s: %s: %s' % (
            what, type(exc).__name__, ' '.join(str(exc).split())[:300]))
        if self.consecutive >= self.limit and not self.tripped:
            self.tripped = True
            if self.on_trip:
                self.on_trip(self.report())
            raise CascadeStop(self.report()) from exc

    def trip(self, reason):
        """Trip from outside (another process of the run already did)."""
        if not self.tripped:
            self.tripped = True
            self.failures.append(reason)

    def report(self):
        return ('cascade stop: %d consecutive create requests failed '
                '(limit %d); no more resources are created in this run.\n'
                '  %s' % (self.consecutive, self.limit,
                          '\n  '.join(self.failures[-self.limit:]
                                      or ['(none)'])))
