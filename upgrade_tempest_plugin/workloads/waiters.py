"""Small waiters of our own.

``tempest.common.waiters`` is not a stable plugin interface.  Each waiter
polls a ``show`` callable until the resource has the wanted value, and
raises at once on an error status (any status that starts with "error",
in any case: ERROR, error, error_extending, error_deleting,
error_restoring, ...) or at the timeout.  Messages format every value with
``str``: a wanted value may be a size, a status may be None.
"""

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.common import waits


class WaitTimeout(lib_exc.TimeoutException):
    message = '%(what)s'


class ErrorStatus(Exception):
    """The resource reached an error status while we waited."""


def is_error_status(status, extra=()):
    """True for an error status of any service (or one of ``extra``)."""
    return isinstance(status, str) and (
        status.lower().startswith('error') or status in extra)


def is_failed_operation(status):
    """True for the status of a failed operation: error_deleting, ...

    A plain ERROR is not one: nova keeps a server being deleted in ERROR
    until it is gone.
    """
    return isinstance(status, str) and status.lower().startswith('error_')


def _values(values):
    return '/'.join(str(v) for v in values)


def wait_for_status(show, resource_id, wanted, timeout, interval,
                    field='status', error_statuses=(), what=None,
                    status_field='status', clock=None, sleep=None):
    """Poll ``show(resource_id)`` until ``field`` is in ``wanted``.

    ``show`` returns the resource as a dict.  Returns the last resource.
    Raises :class:`ErrorStatus` as soon as ``status_field`` holds an
    error status (see :func:`is_error_status`; ``error_statuses`` adds
    others, e.g. glance's 'killed'), also while waiting for another field
    (a volume's size during an extend).  A wanted status is no error:
    waiting for ('available', 'error') ends at 'error'.  ``clock`` and
    ``sleep`` default to the monotonic clock and ``time.sleep``.
    """
    wanted = (wanted,) if isinstance(wanted, (str, bytes, int)) else tuple(
        wanted)
    what = what or resource_id

    def fetch():
        resource = show(resource_id)
        last = resource.get(field)
        status = resource.get(status_field)
        if last not in wanted and is_error_status(status, error_statuses):
            if field == status_field:
                raise ErrorStatus('%s reached status %s while waiting for '
                                  '%s' % (what, status, _values(wanted)))
            raise ErrorStatus('%s reached status %s while waiting for %s '
                              '%s (it has %s)' % (what, status, field,
                                                  _values(wanted), last))
        return resource

    try:
        return waits.until(fetch, timeout, interval,
                           done=lambda r: r.get(field) in wanted,
                           clock=clock, sleep=sleep)
    except waits.TimedOut as exc:
        last, status = exc.last.get(field), exc.last.get(status_field)
        if field == status_field:
            detail = 'status %s' % (last,)
        else:
            detail = '%s %s (status %s)' % (field, last, status)
        raise WaitTimeout(what='%s still has %s after %ss, expected %s'
                          % (what, detail, timeout, _values(wanted)))


#: What ``show`` of a deleted resource gives: it raised NotFound.
_GONE = object()


def wait_until_gone(show, resource_id, timeout, interval, what=None,
                    gone_statuses=('deleted', 'DELETED'),
                    clock=None, sleep=None):
    """Poll ``show(resource_id)`` until it raises NotFound.

    Raises :class:`ErrorStatus` as soon as the status tells that the
    delete failed (error_deleting, see :func:`is_failed_operation`).
    """
    what = what or resource_id

    def status():
        try:
            resource = show(resource_id)
        except lib_exc.NotFound:
            return _GONE
        found = (resource.get('status') if isinstance(resource, dict)
                 else None)
        if is_failed_operation(found):
            raise ErrorStatus('%s reached status %s while waiting for it '
                              'to be gone' % (what, found))
        return found

    try:
        waits.until(status, timeout, interval,
                    done=lambda found: found is _GONE or
                    found in gone_statuses,
                    clock=clock, sleep=sleep)
    except waits.TimedOut as exc:
        raise WaitTimeout(what='%s is still there after %ss (status '
                          '%s)' % (what, timeout, exc.last))
