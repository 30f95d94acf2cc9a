"""A whole queue on loopback: geard, status API, store, workers.

Workers are real ``upgrade-tempest-worker`` processes; their wheel cache
is ``UPGRADE_TEMPEST_QUEUE_CACHE`` (default: the worker's own default), so
only the first run builds a venv from the package index.
"""

import os
import signal
import subprocess
import sys
import threading
import time

import fixtures
from werkzeug import serving

from upgrade_tempest_plugin.cmd import queue as queue_cmd
from upgrade_tempest_plugin.functional_tests.queue import geard
from upgrade_tempest_plugin.queue import client as gear_client
from upgrade_tempest_plugin.queue import records
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.queue import status_api
from upgrade_tempest_plugin.store import api as store_api

CACHE_ENV = 'UPGRADE_TEMPEST_QUEUE_CACHE'
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
#: The one ``pip install --no-deps`` of a stand-alone worker, besides the
#: plugin itself (doc/source/queue.rst).
WORKER_PACKAGES = ('gear', 'six', 'jsonschema', 'jsonschema-specifications',
                   'referencing', 'rpds-py', 'attrs', 'typing-extensions')


def plugin_wheel(directory):
    """A wheel of this checkout, built into ``directory``; its path."""
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
                    '--wheel-dir', directory, TOP], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(directory, os.listdir(directory)[0])


def standalone_worker(directory, wheel):
    """``upgrade-tempest-worker`` of a venv with only what it needs."""
    venv = os.path.join(directory, 'venv')
    subprocess.run([sys.executable, '-m', 'venv', venv], check=True)
    subprocess.run([os.path.join(venv, 'bin', 'pip'), 'install', '-q',
                    '--no-deps', wheel] + list(WORKER_PACKAGES), check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(venv, 'bin', 'upgrade-tempest-worker')


class Pool(fixtures.Fixture):
    """geard + status API + store; :meth:`add_worker` starts workers."""

    def _setUp(self):
        # werkzeug logs each request on stderr.
        self.useFixture(fixtures.FakeLogger('werkzeug'))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.geard = self.useFixture(geard.Geard())
        self.store = store_api.open_store('sqlite:///%s/store.db' % self.tmp)
        self.addCleanup(self.store.close)
        self.tokens = {}
        app = status_api.create_app(self.store, ['127.0.0.1'], self.tokens)
        self.server = serving.make_server('127.0.0.1', 0, app,
                                          threaded=True)
        thread = threading.Thread(target=self.server.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(self.server.shutdown)
        self.report_url = 'http://127.0.0.1:%d%s' % (self.server.server_port,
                                                     status_api.PATH)
        self.client = gear_client.connect([(self.geard.host,
                                            self.geard.port)])
        self.addCleanup(lambda: self.client.shutdown())
        self.workers = {}

    def add_worker(self, name, slots=1, plugin_wheel=None, executable=None):
        """Start ``upgrade-tempest-worker --name name``; its Popen.

        ``executable``: another worker script than this Python's.
        """
        token = 'token-%s-%s' % (name, os.urandom(8).hex())
        self.tokens[name] = token
        token_file = os.path.join(self.tmp, name + '.token')
        with open(token_file, 'w') as token_out:
            token_out.write(token + '\n')
        argv = [executable or os.path.join(os.path.dirname(sys.executable),
                                           'upgrade-tempest-worker'),
                '--gearman', self.geard.address, '--name', name,
                '--slots', str(slots), '--token-file', token_file,
                '--work-dir', os.path.join(self.tmp, 'work-' + name)]
        if os.environ.get(CACHE_ENV):
            argv += ['--cache-dir', os.environ[CACHE_ENV]]
        if plugin_wheel:
            argv += ['--plugin-wheel', plugin_wheel]
        log = open(os.path.join(self.tmp, name + '.log'), 'wb')
        self.addCleanup(log.close)
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(self._stop, proc)
        self.workers[name] = proc
        self.wait(lambda: name in {row[3].rsplit('-', 1)[0] for row in
                                   gear_client.workers(self.client)},
                  30, 'worker %s registered' % name)
        return proc

    def worker_log(self, name):
        with open(os.path.join(self.tmp, name + '.log'), errors='replace') \
                as log:
            return log.read()

    @staticmethod
    def _stop(proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()

    def submit(self, document):
        document = dict(document, report={'url': self.report_url})
        return queue_cmd.submit(self.store, self.client, document)

    def job(self, test_id):
        return records.get_job(self.store, test_id)

    def states(self, test_id):
        return [s['state'] for s in records.list_status(self.store, test_id)]

    def reconcile(self):
        return queue_cmd._reconcile(self.client, self.store)

    def wait_final(self, test_ids, timeout):
        def done():
            self.reconcile()
            return all(self.job(t)['state'] in reporter.FINAL_STATES
                       for t in test_ids)
        self.wait(done, timeout, 'jobs %s finished' % ', '.join(test_ids))

    @staticmethod
    def wait(predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.5)
        raise AssertionError('timed out after %d s waiting until %s' % (
            timeout, what))
