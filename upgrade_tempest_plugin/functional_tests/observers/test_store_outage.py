"""The observer keeps probing while its store cannot be written.

Three real outages, one scenario: a detached observer probes (10 per
second) and writes to the store; the store goes away for a few seconds and
comes back; the observer must still be alive, must have kept the samples
it took meanwhile (bounded buffer, written once the store is back) and
must have recorded the outage as one ``store-unavailable`` gap of the
right length.

- PostgreSQL stopped (``pg_ctl stop -m immediate``) and started again;
- MariaDB killed (SIGKILL, as a crash) and started again by
  ``tools/start-test-databases.sh``;
- a SQLite store on a full file system (a small tmpfs this test mounts,
  filled up, then freed).

The databases are the throwaway ones of ``tools/start-test-databases.sh``
(``UPGRADE_TEMPEST_TEST_PG_URL`` / ``_MYSQL_URL`` / ``_DB_DIR``); the cloud
is the local fake of the unit tests, so the sandbox is not needed (the
sandbox variant with a read-only SQLite file is in test_observers.py).
"""

import errno
import glob
import json
import os
import signal
import subprocess
import time
import uuid

import fixtures
from sqlalchemy.engine import url as sa_url
import testtools

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.observers import fakes

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
RATE = 10.0


def pg_ctl(data_dir, *args):
    binary = sorted(glob.glob('/usr/lib/postgresql/*/bin/pg_ctl'))[-1]
    argv = [binary, '-D', data_dir] + list(args)
    if os.getuid() == 0:
        argv = ['runuser', '-u', 'postgres', '--'] + argv
    subprocess.check_call(argv, stdout=subprocess.DEVNULL)


class StoreOutageScenario:
    """The outage scenario; the TestCase names the store and its outage.

    It defines store_url(), break_store() and repair_store().
    """

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.url = self.store_url()
        self.cloud = fakes.FakeCloud().start()
        self.addCleanup(self.cloud.stop)
        self.store = store_api.open_store(self.url)
        self.addCleanup(self.store.close)
        self.run_id = 'outage-' + uuid.uuid4().hex[:8]
        settings = fakes.make_settings(self.tmp, self.cloud, rate=RATE)
        settings.pop('run_id')
        self.settings = os.path.join(self.tmp, 'settings.json')
        with open(self.settings, 'w') as f:
            json.dump(settings, f)

    def test_store_outage_keeps_probing(self):
        status, _ = lifecycle.start(self.store, self.run_id, self.tmp,
                                    settings_file=self.settings,
                                    store_url=self.url)
        self.addCleanup(lifecycle.stop, self.store, self.run_id, self.tmp,
                        10)
        time.sleep(2)
        self.addCleanup(self.repair_store)
        self.store.engine.dispose()
        broken = time.time()
        self.break_store()
        time.sleep(4)
        self.assertTrue(lifecycle.pid_alive(status['pid']),
                        'the observer died with the store')
        self.repair_store()
        repaired = time.time()
        time.sleep(3)
        lifecycle.stop(self.store, self.run_id, self.tmp, 10)
        samples = self.store.list_samples(self.run_id, target='compute')
        during = [s for s in samples
                  if broken + 0.5 < s['sent_at'] < repaired - 0.5]
        # Probing went on and nothing taken meanwhile was lost.
        self.assertGreaterEqual(len(during), int(3 * RATE) - 5)
        gaps = [g for g in self.store.list_gaps(self.run_id)
                if g['reason'] == models.GAP_STORE_UNAVAILABLE]
        self.assertEqual(1, len(gaps), gaps)
        self.assertAlmostEqual(repaired - broken,
                               gaps[0]['ends_at'] - gaps[0]['starts_at'],
                               delta=2.0)
        process = self.store.list_processes(self.run_id)[0]
        self.assertEqual('SIGTERM', process['stop_reason'])
        self.assertEqual(0, process['samples_dropped'])


class PostgreSQLOutageTest(StoreOutageScenario, testtools.TestCase):
    """The PostgreSQL server is stopped and started again."""

    def store_url(self):
        url = os.environ.get('UPGRADE_TEMPEST_TEST_PG_URL')
        db_dir = os.environ.get('UPGRADE_TEMPEST_TEST_DB_DIR')
        if not url or not db_dir:
            self.skipTest('UPGRADE_TEMPEST_TEST_PG_URL/_DB_DIR not set')
        self.data_dir = os.path.join(db_dir, 'pg')
        self.pg_options = '-p %d -k %s -c listen_addresses=127.0.0.1' % (
            sa_url.make_url(url).port, self.data_dir)
        return url

    def break_store(self):
        pg_ctl(self.data_dir, '-m', 'immediate', '-w', 'stop')

    def repair_store(self):
        try:
            pg_ctl(self.data_dir, 'status')
        except subprocess.CalledProcessError:
            pg_ctl(self.data_dir, '-l',
                   os.path.join(self.data_dir, 'server.log'), '-w',
                   '-o', self.pg_options, 'start')


class MariaDBOutageTest(StoreOutageScenario, testtools.TestCase):
    """The MariaDB server crashes (SIGKILL) and is started again."""

    def store_url(self):
        url = os.environ.get('UPGRADE_TEMPEST_TEST_MYSQL_URL')
        self.db_dir = os.environ.get('UPGRADE_TEMPEST_TEST_DB_DIR')
        if not url or not self.db_dir:
            self.skipTest('UPGRADE_TEMPEST_TEST_MYSQL_URL/_DB_DIR not set')
        self.port = sa_url.make_url(url).port
        return url

    def mariadb_pid(self):
        try:
            with open(os.path.join(self.db_dir, 'mysql.pid')) as f:
                pid = int(f.read())
        except (OSError, ValueError):
            return None
        return pid if procs.start_time(pid) is not None else None

    def break_store(self):
        pid = self.mariadb_pid()
        self.assertIsNotNone(pid, 'the test MariaDB is not running')
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            if procs.start_time(pid) is None:
                return
            time.sleep(0.1)
        self.fail('MariaDB pid %d did not die' % pid)

    def repair_store(self):
        if self.mariadb_pid():
            return
        # The same script that started it (it reuses the data directory).
        subprocess.check_call(
            [os.path.join(TOP, 'tools', 'start-test-databases.sh'),
             self.db_dir],
            stdout=subprocess.DEVNULL,
            env=dict(os.environ, UPGRADE_TEMPEST_TEST_NO_PG='1',
                     UPGRADE_TEMPEST_TEST_MYSQL_PORT=str(self.port)))


class DiskFullOutageTest(StoreOutageScenario, testtools.TestCase):
    """The file system of a SQLite store fills up and is freed again."""

    def store_url(self):
        if os.getuid() != 0:
            self.skipTest('mounting a tmpfs needs root')
        mount = self.useFixture(fixtures.TempDir()).path
        subprocess.check_call(['mount', '-t', 'tmpfs', '-o', 'size=8m',
                               'upgrade-tempest-full', mount])
        self.addCleanup(subprocess.call, ['umount', '-l', mount])
        self.filler = os.path.join(mount, 'filler')
        return 'sqlite:///' + os.path.join(mount, 'store.sqlite')

    def break_store(self):
        chunk = b'\0' * 65536
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, chunk)
        except OSError as exc:
            self.assertEqual(errno.ENOSPC, exc.errno)
        finally:
            os.close(fd)

    def repair_store(self):
        try:
            os.unlink(self.filler)
        except FileNotFoundError:
            pass
