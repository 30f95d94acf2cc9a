"""One HTTP or TCP probe and the classification of its outcome.

A probe never raises: every failure, whatever its class, becomes a sample.
"""

import errno
import http.client
import socket
import ssl
import time

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
                            TimeoutError)):
            return models.OUTCOME_TIMEOUT
        if isinstance(err, (ConnectionRefusedError,)):
            return models.OUTCOME_REFUSED
        if isinstance(err, (ConnectionResetError, BrokenPipeError,
                            ConnectionAbortedError,
                            http.client.RemoteDisconnected,
                            http.client.IncompleteRead,
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


def new_pool_manager(max_in_flight, timeout):
    return urllib3.PoolManager(
        num_pools=32, maxsize=max_in_flight, block=False, retries=False,
        timeout=urllib3.Timeout(connect=timeout, read=timeout))


def http_probe(pool, url, headers, timeout):
    """GET ``url``; returns a sample dict (without run/target fields).

    ``Connection: close`` makes every probe a new connection, the way a new
    client sees the service (and how a restarted service is noticed at
    once, not on the next reuse of a stale pooled connection).
    """
    headers = dict(headers or {})
    headers.setdefault('Connection', 'close')
    headers.setdefault('Accept', 'application/json')
    headers.setdefault('User-Agent', 'upgrade-tempest-observer')
    sent = time.time()
    try:
        resp = pool.request(
            'GET', url, headers=headers, retries=False, redirect=False,
            preload_content=True,
            timeout=urllib3.Timeout(total=timeout, connect=timeout,
                                    read=timeout))
    except Exception as exc:
        return unanswered(sent, classify_exception(exc), describe(exc))
    outcome = classify_status(resp.status, resp.data)
    return answered(sent, outcome, resp.status,
                    None if outcome == models.OUTCOME_OK else
                    resp.data[:120].decode('utf-8', 'replace'))


def tcp_probe(host, port, timeout):
    """TCP connect to host:port; a sample dict (ok when it connects)."""
    sent = time.time()
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except Exception as exc:
        return unanswered(sent, classify_exception(exc), describe(exc))
    sample = answered(sent)
    sock.close()
    return sample
