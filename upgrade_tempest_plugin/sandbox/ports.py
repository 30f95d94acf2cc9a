"""The sandbox's TCP ports on 127.0.0.1 and checks on them.

None is a default port of the service behind it, so a sandbox runs beside a
MariaDB, RabbitMQ, memcached or OpenStack already on the machine.
"""

import errno
import socket
import urllib.error
import urllib.request

from upgrade_tempest_plugin import exceptions

HOST = '127.0.0.1'
OFFSET_ENV = 'UPGRADE_TEMPEST_SANDBOX_PORT_OFFSET'
BASE = {
    'mariadb': 13306,
    'rabbitmq': 16672,
    'rabbitmq-dist': 16673,
    'epmd': 16369,
    'memcached': 11311,
    'keystone': 15000,
    'placement': 18778,
    'glance': 19292,
    'cinder': 18776,
    'neutron': 19696,
    'nova': 18774,
    # Swift: the proxy (the catalog's object-store) and its storage
    # servers, one device each on the ring.
    'swift': 18080,
    'swift-object': 16208,
    'swift-container': 16209,
    'swift-account': 16210,
}
# The ports of the sandbox this process works on (see use_offset).
PORTS = dict(BASE)


def check_offset(offset):
    """Offsets are multiples of 100 so two sandboxes never share a port."""
    if not 0 <= offset <= 4000 or offset % 100:
        raise exceptions.UserError(
            'port offset %d: use a multiple of 100 from 0 to 4000' % offset)
    return offset


def use_offset(offset):
    """Shift every port by ``offset``: one more sandbox on the machine.

    A process works on one sandbox at a time; its offset is recorded in
    the sandbox's state on its first ``up``.
    """
    check_offset(offset)
    PORTS.clear()
    PORTS.update({name: port + offset for name, port in BASE.items()})


def in_use(port):
    """True if something accepts connections or holds ``port``."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # connections in TIME_WAIT from a previous run do not make it busy.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((HOST, port))
    except OSError as exc:
        return exc.errno == errno.EADDRINUSE
    finally:
        s.close()
    return False


def check_free(names):
    """Raise UserError naming the first port of ``names`` in use."""
    for name in names:
        if in_use(PORTS[name]):
            raise exceptions.UserError(
                'port %d (%s) on %s is in use by another program'
                % (PORTS[name], name, HOST))


def accepts(port):
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def http_status(url, timeout=5):
    """HTTP status of GET ``url``, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None
