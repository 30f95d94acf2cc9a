"""gear's Client, Worker and Server with TCP_NODELAY on every socket.

gear 0.16.0 never sets TCP_NODELAY, so Nagle's algorithm and the peer's
delayed ACK hold back every small packet: each round trip takes ~40 ms,
even on loopback, and a queue dispatches ~22 jobs/s.  Both ends must set
it.  This module is the one place that does: everything in the project
that talks Gearman uses these classes, and ``upgrade-tempest-geard`` runs
gear's own geard with :class:`Server`.
"""

import socket
import types

import gear


def nodelay(sock):
    """Send small packets at once on ``sock`` (a TCP socket)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _NoDelayConnect:
    """Set TCP_NODELAY on each (re)connected socket, before any packet."""

    def _onConnect(self, conn):
        nodelay(conn.conn)
        super()._onConnect(conn)


class Client(_NoDelayConnect, gear.Client):
    """gear.Client with TCP_NODELAY."""


class Worker(_NoDelayConnect, gear.Worker):
    """gear.Worker with TCP_NODELAY."""


class Server(gear.Server):
    """gear.Server with TCP_NODELAY on each accepted connection."""

    def _registerConnection(self, conn):
        nodelay(conn.conn)
        super()._registerConnection(conn)


def geard_main():
    """``upgrade-tempest-geard``: gear's geard, with :class:`Server`.

    Same options as gear's ``geard`` (``-d``, ``-p``, ``--listen-address``,
    ``--ssl-*``, ``--acl``, ...).  geard builds ``gear.Server``; its module
    is given a view of gear whose ``Server`` is the subclass (gear itself
    is left alone: its classes call ``super(Server, self)``).
    """
    from gear.cmd import geard
    view = types.ModuleType(gear.__name__)
    view.__dict__.update(vars(gear))
    view.Server = Server
    geard.gear = view
    return geard.main()
