"""The data-plane observer: TCP connects and pings to workload addresses.

Targets are ``host:port`` strings (``[h:v:6]:22`` for IPv6) for a TCP
connect, or ``icmp:host`` for an ICMP echo (IPv4).  A connect or an echo
reply is ``ok``; a refused, reset or unanswered one is classified like an
API probe.  ICMP needs an unprivileged ping socket or a raw socket (root or
CAP_NET_RAW): where neither is permitted the observer refuses the target at
start.
"""

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import icmp
from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.observers import scheduler
from upgrade_tempest_plugin.store import models


def parse_target(text):
    """'host:port' -> (host, port); UserError when malformed."""
    text = text.strip()
    host, sep, port = text.rpartition(':')
    if not sep or not host or not port.isdigit():
        raise exceptions.UserError(
            'data-plane target %r is not host:port' % text)
    if host.startswith('[') and host.endswith(']'):
        host = host[1:-1]
    port = int(port)
    if not 0 < port < 65536:
        raise exceptions.UserError('bad port in %r' % text)
    return host, port


class TcpTarget(scheduler.Target):
    observer = models.DATAPLANE

    def __init__(self, text, timeout):
        self.name = text.strip()
        self.host, self.port = parse_target(text)
        self.timeout = timeout

    async def probe(self):
        return await probe.tcp_probe(self.host, self.port, self.timeout)


class IcmpTarget(scheduler.Target):
    observer = models.DATAPLANE

    def __init__(self, text, timeout):
        self.name = text.strip()
        self.host = self.name[len(ICMP_PREFIX):]
        if not self.host:
            raise exceptions.UserError(
                'data-plane target %r names no host' % text)
        try:
            icmp.open_socket()[0].close()
        except icmp.NotPermitted as exc:
            raise exceptions.UserError('%s: %s' % (self.name, exc))
        self.timeout = timeout

    async def probe(self):
        return await icmp.ping(self.host, self.timeout)


ICMP_PREFIX = 'icmp:'


def make_target(text, timeout):
    """The target a ``dataplane_targets`` entry names."""
    if text.strip().startswith(ICMP_PREFIX):
        return IcmpTarget(text, timeout)
    return TcpTarget(text, timeout)
