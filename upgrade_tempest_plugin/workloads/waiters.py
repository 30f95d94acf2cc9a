"""Small waiters of our own.

``tempest.common.waiters`` is not a stable plugin interface.  Each waiter
polls a ``show`` callable until the resource has the wanted status, and
raises on an error status or at the timeout.
"""

import time

from tempest.lib import exceptions as lib_exc


class WaitTimeout(lib_exc.TimeoutException):
    message = '%(what)s'


class ErrorStatus(Exception):
    """The resource reached an error status while we waited."""


def wait_for_status(show, resource_id, wanted, timeout, interval,
                    field='status', error_statuses=('ERROR', 'error'),
                    what=None, clock=time.monotonic, sleep=time.sleep):
    """Poll ``show(resource_id)`` until ``field`` is in ``wanted``.

    ``show`` returns the resource as a dict.  Returns the last resource.
    """
    wanted = (wanted,) if isinstance(wanted, str) else tuple(wanted)
    what = what or resource_id
    deadline = clock() + timeout
    last = None
    while True:
        resource = show(resource_id)
        last = resource.get(field)
        if last in wanted:
            return resource
        if last in error_statuses:
            raise ErrorStatus('%s reached status %s while waiting for %s' % (
                what, last, '/'.join(wanted)))
        if clock() >= deadline:
            raise WaitTimeout(what='%s still has status %s after %ss, '
                              'expected %s' % (what, last, timeout,
                                               '/'.join(wanted)))
        sleep(interval)


def wait_until_gone(show, resource_id, timeout, interval, what=None,
                    gone_statuses=('deleted', 'DELETED'),
                    clock=time.monotonic, sleep=time.sleep):
    """Poll ``show(resource_id)`` until it raises NotFound."""
    what = what or resource_id
    deadline = clock() + timeout
    while True:
        try:
            resource = show(resource_id)
        except lib_exc.NotFound:
            return
        if isinstance(resource, dict) and resource.get(
                'status') in gone_statuses:
            return
        if clock() >= deadline:
            raise WaitTimeout(what='%s is still there after %ss (status '
                              '%s)' % (what, timeout,
                                       (resource or {}).get('status')))
        sleep(interval)
