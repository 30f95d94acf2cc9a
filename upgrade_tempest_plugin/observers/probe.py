"""One HTTP or TCP probe and the classification of its outcome.

A probe never raises: every failure, whatever its class, becomes a sample.
Probes are coroutines: every probe of an observer process runs on one
event loop (see :mod:`.scheduler`), so a probe in flight costs a socket
and a few kilobytes, not a thread.  HTTP/1.1 framing is h11's.
"""

import asyncio
import errno
import functools
import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse

import h11
import urllib3
from urllib3 import exceptions as u3exc

from upgrade_tempest_plugin.store import models

# Bodies of keystonemiddleware's answers when it cannot reach Keystone to
# validate the token: the service is fine, identity is not.
_KEYSTONE_UNAVAILABLE_MARKERS = (b'keystone service is temporarily unavail',
                                 b'keystone unavailable')

_REFUSED_ERRNOS = {errno.ECONNREFUSED, errno.EHOSTUNREACH,
                   errno.ENETUNREACH, errno.EADDRNOTAVAIL}
_RESET_ERRNOS = {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED}
# How much of an answer's body a probe keeps (to classify it).
_BODY_KEPT = 4096


def _errno_of(exc):
    """The OS errno behind a (possibly wrapped) exception, or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno:
            return exc.errno
        for arg in getattr(exc, 'args', ()):
            if isinstance(arg, OSError) and arg.errno:
                return arg.errno
        exc = exc.__cause__ or exc.__context__
    return None


def _chain(exc):
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        for arg in getattr(exc, 'args', ()):
            if isinstance(arg, BaseException) and arg not in seen:
                seen.append(arg)
        exc = exc.__cause__ or exc.__context__
    return seen


def classify_exception(exc):
    """Outcome class of a failed connection/request (never raises)."""
    chain = _chain(exc)
    for err in chain:
        if isinstance(err, (u3exc.NameResolutionError, socket.gaierror)):
            return models.OUTCOME_DNS
    for err in chain:
        if isinstance(err, (u3exc.SSLError, ssl.SSLError)):
            return models.OUTCOME_TLS
    code = _errno_of(exc)
    if code in _REFUSED_ERRNOS:
        return models.OUTCOME_REFUSED
    if code in _RESET_ERRNOS:
        return models.OUTCOME_RESET
    if code == errno.ETIMEDOUT:
        return models.OUTCOME_TIMEOUT
    for err in chain:
        if isinstance(err, (u3exc.TimeoutError, socket.timeout,
                            TimeoutError, asyncio.TimeoutError)):
            return models.OUTCOME_TIMEOUT
        if isinstance(err, (ConnectionRefusedError,)):
            return models.OUTCOME_REFUSED
        if isinstance(err, (ConnectionResetError, BrokenPipeError,
                            ConnectionAbortedError,
                            http.client.RemoteDisconnected,
                            http.client.IncompleteRead,
                            h11.RemoteProtocolError,
                            u3exc.ProtocolError)):
            return models.OUTCOME_RESET
    return models.OUTCOME_ERROR


def classify_status(status, body=b''):
    """Outcome class of an HTTP answer."""
    if 200 <= status < 400:
        return models.OUTCOME_OK
    lowered = (body or b'')[:2048].lower()
    if status in (401, 503) and any(
            m in lowered for m in _KEYSTONE_UNAVAILABLE_MARKERS):
        return models.OUTCOME_AUTH_FAILED
    if status == 401:
        return models.OUTCOME_TOKEN_REJECTED
    if 400 <= status < 500:
        return models.OUTCOME_HTTP_4XX
    return models.OUTCOME_HTTP_5XX


def describe(exc):
    """A short, secret-free description of an exception."""
    text = '%s: %s' % (type(exc).__name__, exc)
    return text[:200]


def answered(sent, outcome=models.OUTCOME_OK, status=None, detail=None):
    """A sample for a probe sent at ``sent`` that got an answer just now."""
    now = time.time()
    return {'sent_at': sent, 'answered_at': now, 'latency': now - sent,
            'outcome': outcome, 'status': status, 'detail': detail}


def unanswered(sent, outcome, detail):
    """A sample for a probe sent at ``sent`` that failed just now."""
    return {'sent_at': sent, 'answered_at': None,
            'latency': time.time() - sent, 'outcome': outcome,
            'status': None, 'detail': detail}


def new_pool_manager(max_in_flight, timeout, insecure=False, ca_certs=None):
    """A urllib3 pool for the observers' blocking calls (tokens, honour).

    ``insecure``/``ca_certs``: the same TLS settings as :func:`ssl_context`.
    """
    tls = {}
    if insecure:
        tls['cert_reqs'] = 'CERT_NONE'
    elif ca_certs:
        tls['ca_certs'] = ca_certs
    return urllib3.PoolManager(
        num_pools=32, maxsize=max_in_flight, block=False, retries=False,
        timeout=urllib3.Timeout(connect=timeout, read=timeout), **tls)


@functools.lru_cache(maxsize=8)
def ssl_context(insecure=False, ca_certs=None):
    """The TLS context of the HTTPS probes (made once per setting)."""
    context = ssl.create_default_context(cafile=ca_certs or None)
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


async def connect(host, port, context=None):
    """Open a stream to host:port, trying each address like urllib3 does.

    Numeric addresses are not resolved; names are resolved by the event
    loop's small fixed executor.  The last address's error is raised, so
    a refused connection stays ``refused`` when a name has several.
    """
    loop = asyncio.get_running_loop()
    try:
        ipaddress.ip_address(host)
        addresses = [(host, port)]
    except ValueError:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [info[4][:2] for info in infos]
    error = OSError(errno.EADDRNOTAVAIL, 'no address for %s' % host)
    for address in addresses:
        try:
            return await asyncio.open_connection(
                address[0], address[1], ssl=context,
                server_hostname=host if context else None)
        except OSError as exc:
            error = exc
    raise error


async def exchange(reader, writer, conn, target, headers):
    """One GET over an open stream: (status, first bytes of the body).

    ``conn``: the h11 connection state of the stream (a new one, or one
    that has started its next cycle).  A connection closed before the
    answer's end raises ``RemoteDisconnected`` (a ``reset``).
    """
    request = h11.Request(method='GET', target=target, headers=headers)
    writer.write(conn.send(request) + conn.send(h11.EndOfMessage()))
    await writer.drain()
    status, body = None, bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body += event.data[:max(0, _BODY_KEPT - len(body))]
        elif isinstance(event, h11.EndOfMessage):
            return status, bytes(body)
        elif isinstance(event, h11.ConnectionClosed):
            raise http.client.RemoteDisconnected('closed mid-answer')


async def _get(url, headers, context):
    """GET ``url`` over one new connection: (status, first bytes of body)."""
    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme == 'https'
    port = parts.port or (443 if secure else 80)
    target = (parts.path or '/') + ('?' + parts.query if parts.query else '')
    reader, writer = await connect(
        parts.hostname, port,
        (context or ssl_context()) if secure else None)
    try:
        return await exchange(reader, writer,
                              h11.Connection(our_role=h11.CLIENT), target,
                              [('Host', parts.netloc)] +
                              list(headers.items()))
    finally:
        writer.close()


async def http_probe(url, headers, timeout, context=None):
    """GET ``url``; returns a sample dict (without run/target fields).

    ``Connection: close`` makes every probe a new connection, the way a new
    client sees the service (and how a restarted service is noticed at
    once, not on the next reuse of a stale pooled connection).  The whole
    exchange (resolve, connect, TLS, answer) must end within ``timeout``.
    """
    headers = dict(headers or {})
    headers.setdefault('Connection', 'close')
    headers.setdefault('Accept', 'application/json')
    headers.setdefault('User-Agent', 'upgrade-tempest-observer')
    sent = time.time()
    try:
        status, body = await asyncio.wait_for(_get(url, headers, context),
                                              timeout)
    except Exception as exc:
        return unanswered(sent, classify_exception(exc), describe(exc))
    outcome = classify_status(status, body)
    return answered(sent, outcome, status,
                    None if outcome == models.OUTCOME_OK else
                    body[:120].decode('utf-8', 'replace'))


async def tcp_probe(host, port, timeout):
    """TCP connect to host:port; a sample dict (ok when it connects)."""
    sent = time.time()
    try:
        _reader, writer = await asyncio.wait_for(connect(host, port),
                                                 timeout)
    except Exception as exc:
        return unanswered(sent, classify_exception(exc), describe(exc))
    sample = answered(sent)
    writer.close()
    return sample
