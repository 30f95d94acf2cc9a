"""The data-plane observer: TCP connects to workload addresses.

Targets are ``host:port`` strings (``[h:v:6]:22`` for IPv6).  ICMP needs
raw sockets (root or CAP_NET_RAW) and the sandbox has no guest data plane,
so only TCP is implemented; a connect that succeeds is ``ok``, a refused,
reset or unanswered one is classified like an API probe.
"""

from upgrade_tempest_plugin import exceptions
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

    def probe(self):
        return probe.tcp_probe(self.host, self.port, self.timeout)
