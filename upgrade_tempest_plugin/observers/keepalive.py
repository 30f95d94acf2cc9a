"""Reused-connection probes: a small pool of keep-alive connections.

The new-connection probe (:func:`.probe.http_probe`) opens a connection
for every request, as a new client does.  Long-lived clients (services
talking to each other, SDKs with a connection pool, load balancers) hold
their connections open, and an upgrade hurts them differently: a
restarted API resets their pooled connections while new connections are
accepted at once.  OpenShift's upgrade CI measures every backend both
ways, ``connection/new`` and ``connection/reused``; so do the observers
(``[upgrade_observers] reused_connections``).

A :class:`KeepAlivePool` sends each probe of one target over one of at
most ``size`` HTTP/1.1 keep-alive connections, as a pooling client does:

- an idle connection is reused, the most recently used first;
- a connection is closed, and replaced by a new one on a later probe,
  only after a failure (a reset, a timeout, an error answer) or when the
  server says it closes it (``Connection: close``): a request is never
  retried on a new connection, so a connection the service dropped is a
  failed sample;
- a connection idle for longer than ``idle_timeout`` is closed before it
  would be reused: servers close idle keep-alive connections after a few
  seconds (gunicorn 2 s, Apache 5 s) and that is no outage; keep it below
  the cloud's;
- with every pooled connection busy (a slow service), a probe opens one
  more connection and closes it after its answer, as urllib3's
  non-blocking pool does.
"""

import asyncio
import time
import urllib.parse

import h11

from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.store import models


class _Connection(object):

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(our_role=h11.CLIENT)
        self.idle_since = None

    def close(self):
        self.writer.close()


class KeepAlivePool(object):
    """Keep-alive connections to the host of ``url`` (one target's)."""

    def __init__(self, url, size=2, idle_timeout=1.0, context=None):
        parts = urllib.parse.urlsplit(url)
        self.secure = parts.scheme == 'https'
        self.host = parts.hostname
        self.port = parts.port or (443 if self.secure else 80)
        self.netloc = parts.netloc
        self.target = (parts.path or '/') + (
            '?' + parts.query if parts.query else '')
        self.size = size
        self.idle_timeout = idle_timeout
        self.context = context
        self._idle = []
        #: Connections opened so far (the first, and one per failure).
        self.opened = 0

    async def _acquire(self):
        """(connection, reused?): the newest idle one, else a new one."""
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if now - conn.idle_since <= self.idle_timeout:
                return conn, True
            conn.close()
        reader, writer = await probe.connect(
            self.host, self.port,
            (self.context or probe.ssl_context()) if self.secure else None)
        self.opened += 1
        return _Connection(reader, writer), False

    def _release(self, conn):
        """Keep ``conn`` for the next probe if it can carry one."""
        state = conn.h11
        if (state.our_state is h11.DONE and state.their_state is h11.DONE
                and len(self._idle) < self.size):
            state.start_next_cycle()
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()

    async def get(self, headers, info):
        """GET over a pooled connection: (status, first bytes of body).

        ``info['reused']`` says, as soon as it is known, whether the
        request went over a reused connection.
        """
        conn, info['reused'] = await self._acquire()
        try:
            status, body = await probe.exchange(
                conn.reader, conn.writer, conn.h11, self.target,
                [('Host', self.netloc)] + list(headers.items()))
        except BaseException:
            # Failed, timed out or cancelled: never reused.
            conn.close()
            raise
        if not 200 <= status < 400:
            # An error answer may leave the server's side in any state.
            conn.close()
        else:
            self._release(conn)
        return status, body

    def close(self):
        while self._idle:
            self._idle.pop().close()


async def reused_probe(pool, headers, timeout):
    """GET over ``pool``; a sample dict (detail says which connection)."""
    headers = dict(headers or {})
    headers.setdefault('Accept', 'application/json')
    headers.setdefault('User-Agent', 'upgrade-tempest-observer')
    sent = time.time()
    info = {}
    try:
        status, body = await asyncio.wait_for(pool.get(headers, info),
                                              timeout)
    except Exception as exc:
        where = {True: 'a reused', False: 'a new'}.get(
            info.get('reused'), 'no')
        return probe.unanswered(sent, probe.classify_exception(exc),
                                'on %s connection: %s' % (
                                    where, probe.describe(exc)))
    outcome = probe.classify_status(status, body)
    return probe.answered(
        sent, outcome, status, None if outcome == models.OUTCOME_OK else
        body[:120].decode('utf-8', 'replace'))
