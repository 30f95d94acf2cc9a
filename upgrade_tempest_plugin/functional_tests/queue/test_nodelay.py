"""TCP_NODELAY on every gear socket, measured through a real geard.

Without TCP_NODELAY on both ends each round trip waits ~40 ms for
Nagle's algorithm and the delayed ACK; with it, well under a millisecond
on loopback.  The control case (gear's stock classes and geard) shows
the test can tell the two apart.
"""

import socket
import statistics
import threading
import time

import gear
import testtools

from upgrade_tempest_plugin.functional_tests.queue import geard
from upgrade_tempest_plugin.queue import gearsock

ECHO = 'echo'
ROUNDS = 25


def _connect(cls, name, address):
    host, port = address.rsplit(':', 1)
    node = cls(name)
    node.addServer(host, int(port))
    node.waitForServer(10)
    return node


def _echo(worker):
    while True:
        try:
            job = worker.getJob()
        except gear.InterruptedError:
            return
        job.sendWorkComplete(job.arguments)


def round_trips(address, client_class, worker_class):
    """Seconds each of ROUNDS sequential echo jobs took, one by one."""
    worker = _connect(worker_class, 'echo-worker', address)
    worker.registerFunction(ECHO)
    thread = threading.Thread(target=_echo, args=(worker,), daemon=True)
    thread.start()
    client = _connect(client_class, 'echo-client', address)
    times = []
    try:
        for number in range(ROUNDS + 1):
            job = gear.Job(ECHO.encode(), b'ping')
            started = time.monotonic()
            client.submitJob(job)
            while not job.complete:
                time.sleep(0.0002)
            if number:
                times.append(time.monotonic() - started)
    finally:
        client.shutdown()
        worker.stopWaitingForJobs()
        thread.join(10)
        worker.shutdown()
    return times


class NoDelayTest(testtools.TestCase):

    def test_project_sockets_set_nodelay(self):
        server = self.useFixture(geard.Geard())
        times = round_trips(server.address, gearsock.Client,
                            gearsock.Worker)
        self.assertLess(statistics.median(times), 0.015,
                        'median round trip %.1f ms' % (
                            1000 * statistics.median(times)))

    def test_stock_gear_waits_for_nagle(self):
        server = self.useFixture(geard.Geard(stock=True))
        times = round_trips(server.address, gear.Client, gear.Worker)
        self.assertGreater(statistics.median(times), 0.030)

    def test_client_socket_option_is_set(self):
        server = self.useFixture(geard.Geard())
        client = gearsock.Client('probe')
        client.addServer('127.0.0.1', server.port)
        client.waitForServer(10)
        self.addCleanup(client.shutdown)
        conn = client.active_connections[0].conn
        self.assertEqual(1, conn.getsockopt(socket.IPPROTO_TCP,
                                            socket.TCP_NODELAY))
