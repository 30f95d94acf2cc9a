"""The observer keeps probing while a real PostgreSQL store is stopped.

Needs the throwaway PostgreSQL of ``tools/start-test-databases.sh``
(``UPGRADE_TEMPEST_TEST_PG_URL`` and ``UPGRADE_TEMPEST_TEST_DB_DIR``): the
test stops that cluster with ``pg_ctl`` and starts it again.  The cloud is
the local fake of the unit tests, so the sandbox is not needed (the
sandbox variant with a read-only SQLite file is in test_observers.py).
"""

import glob
import json
import os
import subprocess
import time
import uuid

import fixtures
from sqlalchemy.engine import url as sa_url
import testtools

from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.observers import fakes
from upgrade_tempest_plugin.unit_tests.observers import test_runner


def pg_ctl(data_dir, *args):
    binary = sorted(glob.glob('/usr/lib/postgresql/*/bin/pg_ctl'))[-1]
    argv = [binary, '-D', data_dir] + list(args)
    if os.getuid() == 0:
        argv = ['runuser', '-u', 'postgres', '--'] + argv
    subprocess.check_call(argv, stdout=subprocess.DEVNULL)


class PostgreSQLOutageTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.url = os.environ.get('UPGRADE_TEMPEST_TEST_PG_URL')
        db_dir = os.environ.get('UPGRADE_TEMPEST_TEST_DB_DIR')
        if not self.url or not db_dir:
            self.skipTest('UPGRADE_TEMPEST_TEST_PG_URL/_DB_DIR not set')
        self.data_dir = os.path.join(db_dir, 'pg')
        port = sa_url.make_url(self.url).port
        self.pg_options = '-p %d -k %s -c listen_addresses=127.0.0.1' % (
            port, self.data_dir)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.cloud = fakes.FakeCloud().start()
        self.addCleanup(self.cloud.stop)
        self.store = store_api.open_store(self.url)
        self.addCleanup(self.store.close)
        self.run_id = 'pg-outage-' + uuid.uuid4().hex[:8]
        settings = test_runner.make_settings(self.tmp, self.cloud,
                                             rate=10.0)
        settings.pop('run_id')
        self.settings = os.path.join(self.tmp, 'settings.json')
        with open(self.settings, 'w') as f:
            json.dump(settings, f)

    def start_pg(self):
        try:
            pg_ctl(self.data_dir, 'status')
        except subprocess.CalledProcessError:
            pg_ctl(self.data_dir, '-l',
                   os.path.join(self.data_dir, 'server.log'), '-w',
                   '-o', self.pg_options, 'start')

    def test_database_stopped_keeps_probing(self):
        status, _ = lifecycle.start(self.store, self.run_id, self.tmp,
                                    settings_file=self.settings,
                                    store_url=self.url)
        self.addCleanup(lifecycle.stop, self.store, self.run_id, self.tmp,
                        10)
        time.sleep(2)
        self.addCleanup(self.start_pg)
        self.store.engine.dispose()
        pg_ctl(self.data_dir, '-m', 'immediate', '-w', 'stop')
        stopped = time.time()
        time.sleep(4)
        self.assertTrue(lifecycle.pid_alive(status['pid']),
                        'the observer died with the database')
        self.start_pg()
        started = time.time()
        time.sleep(3)
        lifecycle.stop(self.store, self.run_id, self.tmp, 10)
        samples = self.store.list_samples(self.run_id, target='compute')
        during = [s for s in samples
                  if stopped + 0.5 < s['sent_at'] < started - 0.5]
        self.assertGreaterEqual(len(during), 25)
        gaps = [g for g in self.store.list_gaps(self.run_id)
                if g['reason'] == models.GAP_STORE_UNAVAILABLE]
        self.assertEqual(1, len(gaps), gaps)
        self.assertAlmostEqual(started - stopped,
                               gaps[0]['ends_at'] - gaps[0]['starts_at'],
                               delta=2.0)
        process = self.store.list_processes(self.run_id)[0]
        self.assertEqual('SIGTERM', process['stop_reason'])
        self.assertEqual(0, process['samples_dropped'])
