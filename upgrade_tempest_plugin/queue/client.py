"""The client's side of Gearman: submit, job status, cancel, admin views.

Jobs are background jobs of the function ``upgrade_tempest_run`` with the
test id as their unique id, so geard merges a second submission of a
queued test id into the first.  A job is located as ``HOST:PORT/HANDLE``
(the geard that took it and its handle there).  Job status is gear's
GET_STATUS (known, running, numerator, denominator); ``workers``, the
function ``status`` and ``cancel job`` are geard's admin protocol.
"""

import threading
import time

import gear

from upgrade_tempest_plugin.queue import gearsock
from upgrade_tempest_plugin.queue import payload as payload_mod
from upgrade_tempest_plugin.queue import worker as worker_mod

FUNCTION = worker_mod.FUNCTION


class QueueError(Exception):
    """geard cannot be reached or refused a request; one line, no secret."""


class Client(gearsock.Client):
    """A gear client that also answers GET_STATUS for foreign handles.

    gear matches STATUS_RES to the jobs this client submitted; a status
    command asks about jobs submitted by another process, so answers are
    kept by handle here.
    """

    def __init__(self, client_id='upgrade-tempest'):
        super().__init__(client_id)
        self._answers = {}
        self._answered = threading.Condition()

    def handleStatusRes(self, packet):
        handle = packet.getArgument(0)
        with self._answered:
            self._answers[handle] = {
                'known': packet.getArgument(1) == b'1',
                'running': packet.getArgument(2) == b'1',
                'numerator': packet.getArgument(3).decode() or None,
                'denominator': packet.getArgument(4).decode() or None}
            self._answered.notify_all()

    def job_status(self, connection, handle, timeout=10):
        with self._answered:
            self._answers.pop(handle, None)
        connection.sendPacket(gear.Packet(gear.constants.REQ,
                                          gear.constants.GET_STATUS, handle))
        with self._answered:
            if not self._answered.wait_for(lambda: handle in self._answers,
                                           timeout):
                raise QueueError('geard did not answer GET_STATUS within '
                                 '%d s' % timeout)
            return self._answers.pop(handle)


def connect(servers, timeout=10, ssl=None):
    """A :class:`Client` connected to every ``(host, port)`` of servers."""
    client = Client()
    for host, port in servers:
        client.addServer(host, port, **(ssl or {}))
    try:
        client.waitForServer(timeout)
        # waitForServer returns at the first connection; admin views need
        # every server.
        deadline = time.monotonic() + timeout
        while client.inactive_connections and time.monotonic() < deadline:
            time.sleep(0.05)
    except gear.TimeoutError:
        client.shutdown()
        raise QueueError('no geard answers at %s' % ', '.join(
            '%s:%d' % server for server in servers))
    return client


def _connection(client, location):
    address, _, handle = location.partition('/')
    for conn in client.active_connections:
        if '%s:%d' % (conn.host, conn.port) == address:
            return conn, handle.encode()
    raise QueueError('job %s: its geard %s is not among the servers given'
                     % (location, address))


def submit(client, payload, timeout=30):
    """Submit a payload as a background job; its location."""
    job = gear.Job(FUNCTION.encode(), payload_mod.dumps(payload),
                   unique=payload['test_id'].encode())
    try:
        client.submitJob(job, background=True, timeout=timeout)
    except (gear.GearmanError, gear.TimeoutError,
            gear.NoConnectedServersError) as exc:
        raise QueueError('geard did not take the job: %s' % (
            type(exc).__name__))
    conn = job.connection
    return '%s:%d/%s' % (conn.host, conn.port, job.handle.decode())


def job_status(client, location):
    """geard's view of a job: known, running, numerator, denominator."""
    conn, handle = _connection(client, location)
    return client.job_status(conn, handle)


def cancel(client, location):
    """Remove a queued job from geard; QueueError if it is not queued."""
    conn, handle = _connection(client, location)
    request = gear.CancelJobAdminRequest(handle)
    conn.sendAdminRequest(request, timeout=10)
    answer = request.response.decode().strip()
    if answer != 'OK':
        raise QueueError('geard did not cancel job %s: %s (only a job '
                         'still queued can be cancelled)' % (location,
                                                             answer))


def _admin_lines(client, request_class):
    rows = []
    for conn in client.active_connections:
        request = request_class()
        conn.sendAdminRequest(request, timeout=10)
        for line in request.response.decode().splitlines():
            if line and line != '.':
                rows.append(('%s:%d' % (conn.host, conn.port), line))
    return rows


def workers(client):
    """(server, fd, address, client id, functions) per geard connection.

    Only connections that registered a function are workers.
    """
    rows = []
    for server, line in _admin_lines(client, gear.WorkersAdminRequest):
        head, _, functions = line.partition(' : ')
        fd, address, client_id = (head.split(' ', 2) + ['', ''])[:3]
        if functions.strip():
            rows.append((server, fd, address, client_id, functions.strip()))
    return rows


def functions(client):
    """(server, function, jobs, running, workers) from geard's status."""
    rows = []
    for server, line in _admin_lines(client, gear.StatusAdminRequest):
        name, total, running, available = line.split('\t')
        rows.append((server, name, int(total), int(running), int(available)))
    return rows
