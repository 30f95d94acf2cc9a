"""A real geard on a free loopback port, for the queue's tests."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import fixtures


def free_port():
    """A TCP port nothing listens on now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


class Geard(fixtures.Fixture):
    """``upgrade-tempest-geard`` (or gear's stock ``geard``) on loopback.

    ``address`` is ``127.0.0.1:PORT``; the server is killed at cleanup.
    """

    def __init__(self, stock=False):
        super().__init__()
        self.stock = stock

    def _setUp(self):
        self.port = free_port()
        self.host = '127.0.0.1'
        self.address = '%s:%d' % (self.host, self.port)
        self.tmp = tempfile.mkdtemp(prefix='geard-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.log_path = os.path.join(self.tmp, 'geard.log')
        self.addCleanup(self.stop)
        self._start()

    def _start(self):
        script = _script('geard' if self.stock else 'upgrade-tempest-geard')
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(
                [script, '-d', '-p', str(self.port), '--listen-address',
                 self.host, '--pidfile', os.path.join(self.tmp, 'pid')],
                stdout=log, stderr=subprocess.STDOUT)
        self._wait_listening()

    def restart(self):
        """Kill geard (its queue is lost) and start it on the same port."""
        self.stop()
        self._start()

    def _wait_listening(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('geard exited: %s' % self.log())
            try:
                socket.create_connection((self.host, self.port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('geard does not listen: %s' % self.log())

    def log(self):
        with open(self.log_path, errors='replace') as log:
            return log.read()[-4000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()
