"""Hold the observers' downtime windows against what Tempest saw.

A measurement tool must not report what no client saw.  Tempest's own API
tests, run against the same cloud through the same upgrade, are a client
this project did not write: its log has every request it made (status,
URL, duration, when it was answered) and its subunit stream every test
that failed, with the traceback.  Two contradictions are looked for:

- a window of service S that contains a request to S answered quickly
  (within ``fast`` seconds) and successfully (status < 500): the service
  was serving, the window is (at least partly) false;
- a test that failed at the connection level (refused, reset, a
  connection closed without an answer, a read timeout) on S's port, with
  no window of S during the test: the observers missed an outage.
"""

import datetime
import io
import re

import subunit
import testtools

# 2026-11-29 22:03:42.491 7747 INFO tempest.lib.common.rest_client [...]
# Request (Class:test): 200 GET http://127.0.0.1:19696/v2.0/networks 0.057s
_REQUEST = re.compile(
    r'^(?P<when>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) .*? '
    r'Request \((?P<test>[^)]*)\): (?P<status>\d{3}) (?P<method>[A-Z]+) '
    r'(?P<url>\S+) (?P<seconds>[\d.]+)s')
_PORT = re.compile(r"(?:port=|https?://[^/:\s']+:)(\d+)")
#: Exception names of a request that got no HTTP answer.
CONNECTION_ERRORS = ('ConnectionRefusedError', 'ConnectionResetError',
                     'RemoteDisconnected', 'ProtocolError',
                     'NewConnectionError', 'ReadTimeoutError',
                     'BrokenPipeError', 'IncompleteRead')


def parse_log(lines, since=None):
    """Requests of a tempest.log (local times, as oslo.log writes them).

    Returns dicts: ``sent``, ``answered`` (epoch s), ``status``, ``method``,
    ``url``, ``port``, ``seconds``, ``test``.
    """
    requests = []
    for line in lines:
        match = _REQUEST.match(line)
        if not match:
            continue
        answered = datetime.datetime.strptime(
            match.group('when'), '%Y-%m-%d %H:%M:%S.%f').timestamp()
        if since is not None and answered < since:
            continue
        seconds = float(match.group('seconds'))
        port = _PORT.search(match.group('url'))
        requests.append({
            'sent': answered - seconds, 'answered': answered,
            'seconds': seconds, 'status': int(match.group('status')),
            'method': match.group('method'), 'url': match.group('url'),
            'port': int(port.group(1)) if port else None,
            'test': match.group('test')})
    return requests


def connection_failures(subunit_bytes):
    """Failed tests whose traceback is a connection-level error.

    Returns dicts: ``test``, ``start``, ``stop`` (epoch s), ``ports`` (the
    ports the traceback names), ``error`` (the exception name).
    """
    failures = []

    def record(test):
        if test['status'] not in ('fail', 'uxsuccess'):
            return
        text = ''.join(
            detail.as_text() for detail in test['details'].values()
            if detail.content_type.type == 'text')
        errors = [e for e in CONNECTION_ERRORS if e in text]
        if not errors:
            return
        start, stop = test['timestamps']
        failures.append({
            'test': test['id'],
            'start': start.timestamp() if start else None,
            'stop': stop.timestamp() if stop else None,
            'ports': sorted({int(p) for p in _PORT.findall(text)}),
            'error': errors[0]})

    result = testtools.StreamToDict(record)
    result.startTestRun()
    try:
        subunit.ByteStreamToStreamResult(
            io.BytesIO(subunit_bytes), non_subunit_name='stdout').run(result)
    finally:
        result.stopTestRun()
    return failures


def contradictions(windows, requests, failures, service_of_port, fast=1.0):
    """What Tempest saw that the windows deny.

    ``windows``: {service: [window dicts of the run analysis]};
    ``service_of_port``: {port: service}.  Returns (served, missed):
    requests answered quickly and successfully inside a window of their
    service, and connection failures with no window of their service
    during the test.
    """
    served = []
    for req in requests:
        service = service_of_port.get(req['port'])
        if service is None or req['status'] >= 500 or req['seconds'] > fast:
            continue
        for window in windows.get(service, ()):
            if window['start'] <= req['sent'] and \
                    req['answered'] <= window['end']:
                served.append(dict(req, service=service, window=window))
                break
    missed = []
    for failure in failures:
        services = {service_of_port[p] for p in failure['ports']
                    if p in service_of_port}
        for service in sorted(services):
            overlapping = [
                w for w in windows.get(service, ())
                if w['start'] <= failure['stop'] and
                w['end'] >= failure['start']]
            if not overlapping:
                missed.append(dict(failure, service=service))
    return served, missed
