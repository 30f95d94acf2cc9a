"""The validators across a real upgrade of the sandbox cloud.

Needs a running sandbox (``upgrade-tempest sandbox up --release 2026.1``)
whose directory is ``UPGRADE_TEMPEST_SANDBOX_DIR`` (or the default).  The
tests change the sandbox (the cycle upgrades it to 2026.2), so run them
alone: ``flock <sandbox>/.functional.lock stestr run ...`` (the lock is
the convention of every functional test that uses the shared sandbox).
With ``UPGRADE_TEMPEST_FUNCTIONAL_RESET=1`` a sandbox that is not at 2026.1
is rebuilt at 2026.1 first.

The upgrade cycle is also a real run for the report: the observers probe
the cloud from the pre-upgrade validators through the upgrade, the budget
validators stop them and add the upgrade's steps, and every phase's
results go into the run's store (a broken workload's failure among them).
With ``UPGRADE_TEMPEST_REPORT_STATE_DIR`` set, the cycle leaves a copy of
its state there (``store.db``, ``run_id``), whatever its outcome, for the
report's browser tests (``functional_tests/report``, ``RealRunTest``).

The sandbox's admin credentials (clouds.yaml ``sandbox-admin``) are used
here only, to break a workload and to count what the plugin left behind;
the validators themselves run as non-admin users.
"""

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import fixtures
import testtools

from upgrade_tempest_plugin.cmd import discover
from upgrade_tempest_plugin import events as events_mod
from upgrade_tempest_plugin.functional_tests import sandbox_admin
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin import tempest_results

BEFORE, AFTER = '2026.1', '2026.2'
WORKLOAD_USER = 'demo4'
SCENARIO = r'^upgrade_tempest_plugin\.tests\.scenario\.'
PRE_UPGRADE = SCENARIO + (r'(test_health\.|test_release\.ReleasePreUpgrade|'
                          r'test_workloads\.WorkloadsPreUpgrade|'
                          r'test_observers\.ObserversPreUpgrade)')
POST_UPGRADE = SCENARIO + (r'(test_health\.|test_release\.ReleasePostUpgrade|'
                           r'test_workloads\.WorkloadsPostUpgrade)')
WORKLOADS_PRE = SCENARIO + r'test_workloads\.WorkloadsPreUpgrade'
WORKLOADS_POST = SCENARIO + r'test_workloads\.WorkloadsPostUpgrade'
DESTROY = SCENARIO + r'test_workloads\.WorkloadsDestroy'
BUDGETS = SCENARIO + r'test_budgets\.BudgetsPostUpgrade'
#: Where the upgrade cycle leaves a copy of its run for the report tests.
REPORT_STATE_ENV = 'UPGRADE_TEMPEST_REPORT_STATE_DIR'
UNDECIDABLE_SERVICES = ('identity', 'image', 'placement', 'volume')


# The sandbox keeps its venv cache under the real HOME; the tests point
# HOME at a scratch directory for Tempest only.
REAL_HOME = os.environ.get('HOME', os.path.expanduser('~'))


def _bin(name):
    return os.path.join(os.path.dirname(sys.executable), name)


class Sandbox:
    def __init__(self):
        self.layout = layout.Layout()
        self.root = self.layout.root
        self.workspace = self.layout.workspace
        self.clouds_yaml = self.layout.path('clouds.yaml')

    def release(self):
        try:
            with open(self.layout.state_file) as f:
                return json.load(f).get('release')
        except (OSError, ValueError):
            return None

    def command(self, *args):
        return subprocess.call([_bin('upgrade-tempest'), 'sandbox'] +
                               list(args) + ['--dir', self.root],
                               env=dict(os.environ, HOME=REAL_HOME))

    def tempest_conf(self):
        with open(os.path.join(self.workspace, 'etc', 'tempest.conf')) as f:
            return f.read()

    def admin(self):
        return sandbox_admin.connection(self.clouds_yaml)


def leftovers(conn, marker):
    """'type name id' of every resource whose name contains ``marker``."""
    found = []

    def add(kind, items):
        for item in items:
            if marker in (item.name or ''):
                found.append('%s %s %s' % (kind, item.name, item.id))

    add('server', conn.compute.servers(all_projects=True))
    add('volume', conn.block_storage.volumes(all_projects=True))
    add('snapshot', conn.block_storage.snapshots(all_projects=True))
    add('image', conn.image.images())
    add('network', conn.network.networks())
    add('subnet', conn.network.subnets())
    add('router', conn.network.routers())
    add('port', conn.network.ports())
    add('security_group', conn.network.security_groups())
    user = conn.identity.find_user(WORKLOAD_USER)
    if user is not None:
        add('keypair', conn.compute.keypairs(user_id=user.id))
    return found


class ValidatorsTestCase(testtools.TestCase):
    """A scratch Tempest workspace on the sandbox, one run per test."""

    def setUp(self):
        super().setUp()
        self.sandbox = Sandbox()
        conf = os.path.join(self.sandbox.workspace, 'etc', 'tempest.conf')
        if not os.path.isfile(conf):
            self.fail('no sandbox Tempest workspace at %s: run '
                      '"upgrade-tempest sandbox up" first'
                      % self.sandbox.workspace)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'HOME', os.path.join(self.tmp, 'home')))
        self.ws = os.path.join(self.tmp, 'ws')
        subprocess.check_call(
            [_bin('tempest'), 'init', '--workspace-path',
             os.path.join(self.tmp, 'workspaces.yaml'), self.ws],
            stdout=subprocess.DEVNULL)
        self.base_conf = self.sandbox.tempest_conf()
        self.state = os.path.join(self.tmp, 'state')
        os.makedirs(os.path.join(self.tmp, 'logs'))
        self.configure()
        # Whatever happens, nothing this test's run made may stay.
        self.addCleanup(self._cleanup_if_started)

    def _cleanup_if_started(self):
        if os.path.exists(os.path.join(self.state, 'run_id')):
            self.cleanup_run()

    def configure(self, **overrides):
        settings = {
            'DEFAULT': {'log_dir': os.path.join(self.tmp, 'logs')},
            'upgrade': {'state_dir': self.state,
                        'expected_release_before': BEFORE,
                        'expected_release_after': AFTER},
            # Nova's fake driver forgets its servers when nova-compute
            # restarts, so they cannot be stopped after the upgrade.
            'upgrade_workloads': {'username': WORKLOAD_USER,
                                  'project_name': WORKLOAD_USER,
                                  'build_timeout': 180,
                                  'server_power_actions': False},
        }
        for section, options in overrides.items():
            settings.setdefault(section, {}).update(options)
        with open(os.path.join(self.ws, 'etc', 'tempest.conf'), 'w') as f:
            f.write(discover.set_options(self.base_conf, settings))

    def run_tempest(self, regex, phase=None):
        """``tempest run --regex regex`` in the workspace.

        ``phase``: then its results go into the run's store under that
        phase, as ``upgrade-tempest validate`` stores them.
        """
        summary = tempest_results.run(self.ws, regex)
        if phase is not None:
            subprocess.check_call(
                [_bin('upgrade-tempest'), 'results', 'import', self.ws,
                 '--phase', phase, '--config-file', self.conf()],
                cwd=self.ws, stdout=subprocess.DEVNULL)
        return summary

    def conf(self):
        return os.path.join(self.ws, 'etc', 'tempest.conf')

    def last_stream(self):
        return subprocess.run([_bin('stestr'), 'last', '--subunit'],
                              cwd=self.ws, stdout=subprocess.PIPE).stdout

    def run_id(self):
        with open(os.path.join(self.state, 'run_id')) as f:
            return f.read().strip()

    def store(self):
        store = store_api.open_store(
            'sqlite:///' + os.path.join(self.state, 'store.db'))
        self.addCleanup(store.close)
        return store

    def cleanup_run(self):
        return subprocess.call(
            [_bin('upgrade-tempest'), 'cleanup', '--run', self.run_id(),
             '--config-file', os.path.join(self.ws, 'etc', 'tempest.conf')],
            cwd=self.ws)

    def assert_nothing_left(self, conn=None):
        conn = conn or self.sandbox.admin()
        marker = 'upgrade-%s-' % self.run_id()
        self.assertEqual([], leftovers(conn, marker))
        self.assertEqual([], leftovers(conn, 'upgrade-health-'))

    def assert_ok(self, summary):
        ok, why = tempest_results.verdict(summary)
        self.assertTrue(ok, '%s; failed: %s' % (why, summary.failed))


class Test1Interrupted(ValidatorsTestCase):

    def test_sigint_then_cleanup_leaves_nothing(self):
        proc = subprocess.Popen(
            [tempest_results.tempest_command(), 'run', '--concurrency', '1',
             '--regex', WORKLOADS_PRE], cwd=self.ws, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        recorded = []
        while time.time() < deadline and proc.poll() is None:
            if os.path.exists(os.path.join(self.state, 'store.db')):
                try:
                    recorded = [w for w in self.store().list_workloads(
                        self.run_id()) if w['kind'] != 'workload']
                except Exception:
                    recorded = []
                if len(recorded) >= 3:
                    break
            time.sleep(0.5)
        self.assertIsNone(proc.poll(), 'the run ended before the SIGINT')
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.assertEqual(0, self.cleanup_run())
        self.assert_nothing_left()


class Test2CascadeStop(ValidatorsTestCase):

    def test_failed_creates_stop_clean_up_and_report(self):
        self.configure(compute={'flavor_ref': 'no-such-flavor'},
                       upgrade_workloads={
                           'max_consecutive_failed_creates': 1})
        summary = self.run_tempest(SCENARIO + r'test_workloads\.'
                                   r'WorkloadsPreUpgradeTest\.test_compute_')
        self.assertEqual(2, len(summary.failed), summary)
        stream = self.last_stream()
        self.assertIn(b'cascade stop', stream)
        self.assertIn(b'no more resources are created', stream)
        events = [e['action'] for e in self.store().list_events(
            self.run_id())]
        self.assertIn('cascade-stop', events)
        self.assert_nothing_left()


class Test3UpgradeCycle(ValidatorsTestCase):

    def setUp(self):
        super().setUp()
        release = self.sandbox.release()
        if release != BEFORE:
            if os.environ.get('UPGRADE_TEMPEST_FUNCTIONAL_RESET') != '1':
                self.fail('the sandbox runs %s, the cycle starts at %s: set '
                          'UPGRADE_TEMPEST_FUNCTIONAL_RESET=1 to rebuild it, '
                          'or run "upgrade-tempest sandbox destroy" and '
                          '"sandbox up --release %s"' % (release, BEFORE,
                                                         BEFORE))
            self.assertEqual(0, self.sandbox.command('destroy'))
            self.assertEqual(0, self.sandbox.command('up', '--release',
                                                     BEFORE))
            self.base_conf = self.sandbox.tempest_conf()
            self.configure()

    def keep_run(self):
        """A copy of the run's state in $UPGRADE_TEMPEST_REPORT_STATE_DIR.

        SQLite's backup: a consistent copy of the store (WAL included).
        """
        dest = os.environ.get(REPORT_STATE_ENV)
        run_id = os.path.join(self.state, 'run_id')
        if not dest or not os.path.exists(run_id):
            return
        os.makedirs(dest, exist_ok=True)
        with contextlib.closing(sqlite3.connect(
                os.path.join(self.state, 'store.db'))) as src, \
                contextlib.closing(sqlite3.connect(
                    os.path.join(dest, 'store.db'))) as copy:
            src.backup(copy)
        shutil.copy(run_id, dest)

    def stop_observers(self):
        """Stop the run's observers, whatever the test did (idempotent)."""
        subprocess.call(
            [_bin('upgrade-tempest'), 'observe', 'stop', '--config-file',
             self.conf()], cwd=self.ws, stdout=subprocess.DEVNULL)

    def release_events(self, phase):
        return {e['service']: e for e in self.store().list_events(
            self.run_id()) if e['action'] == 'release-' + phase}

    def test_pre_upgrade_upgrade_post_upgrade_break_destroy(self):
        conn = self.sandbox.admin()
        # Cleanups run last-added first: the observers stop, then the run
        # is kept, before the run's resources are cleaned up.
        self.addCleanup(self.keep_run)
        self.addCleanup(self.stop_observers)
        # Pre-upgrade at 2026.1 passes; the observers start.
        self.assert_ok(self.run_tempest(PRE_UPGRADE, 'pre-upgrade'))
        events = self.release_events('before')
        self.assertEqual(('pass', BEFORE), (events['compute']['result'],
                                            events['compute']['to_version']))
        # Neutron 28's extension list says "2026.1 or later"
        # (network-ip-availability-details first shipped in 2026.1).
        network = json.loads(events['network']['detail'])
        self.assertEqual(['2026.1', '2026.2'], network['candidates'])
        self.assertIn('network-ip-availability-details', network['message'])
        marker = 'upgrade-%s-' % self.run_id()
        created = sorted(leftovers(conn, marker))
        self.assertEqual(13, len(created), created)
        # Pre-upgrade again: nothing new.
        self.assert_ok(self.run_tempest(WORKLOADS_PRE))
        self.assertEqual(created, sorted(leftovers(conn, marker)))

        # The upgrade.
        self.assertEqual(0, self.sandbox.command('upgrade', '--to', AFTER))

        # Post-upgrade passes, names nova's release from its microversion
        # and says which services the API cannot tell apart (the sandbox
        # rewrote tempest.conf with the new package versions, which then
        # decide those).
        self.base_conf = self.sandbox.tempest_conf()
        self.configure()
        self.assert_ok(self.run_tempest(POST_UPGRADE, 'post-upgrade'))
        # The budget validators stop the observers and add the upgrade's
        # steps (the sandbox's events file) to the run.  Their verdicts
        # depend on how loaded this machine is: the report shows them,
        # this test does not judge them.
        self.run_tempest(BUDGETS, 'post-upgrade')
        steps = [e for e in self.store().list_events(self.run_id())
                 if events_mod.is_step(e)]
        self.assertNotEqual([], steps)
        observed = {t for _o, t, _first, _last in
                    self.store().sample_spans(self.run_id())}
        self.assertTrue({'identity', 'compute', 'network'} <= observed,
                        observed)
        events = self.release_events('after')
        compute = json.loads(events['compute']['detail'])
        self.assertEqual(('pass', AFTER), (events['compute']['result'],
                                           events['compute']['to_version']))
        self.assertEqual(('identified', '2.104'),
                         (compute['status'], compute['value']))
        for service in UNDECIDABLE_SERVICES:
            verdict = json.loads(events[service]['detail'])
            self.assertIn(events[service]['result'], ('pass', 'undecidable'),
                          service)
            self.assertIn(verdict['status'], ('decided-by-package',
                                              'ambiguous', 'no-evidence'),
                          service)
            self.assertTrue('cannot tell' in verdict['message'] or
                            'publishes no release evidence' in
                            verdict['message'], verdict['message'])
        # Neutron 29 lists extensions that first shipped in 2026.2
        # (floating-ip-router-writable, ...): its API names the release.
        network = json.loads(events['network']['detail'])
        self.assertEqual(('pass', 'identified', AFTER), (
            events['network']['result'], network['status'],
            network['series']))
        self.assertIn('floating-ip-router-writable', network['value'])

        # Break one workload: its attached volume goes away.
        name = marker + 'server-with-volume-data'
        volume = conn.block_storage.find_volume(name, all_projects=True)
        server = conn.compute.find_server(marker + 'server-with-volume-'
                                          'server', all_projects=True)
        conn.compute.delete_volume_attachment(server, volume)
        conn.block_storage.wait_for_status(volume, 'available', wait=180)
        conn.block_storage.delete_volume(volume)
        conn.block_storage.wait_for_delete(volume, wait=180)
        summary = self.run_tempest(WORKLOADS_POST,
                                   'post-upgrade-broken-workload')
        self.assertEqual(1, len(summary.failed), summary)
        self.assertIn('test_compute_server_with_volume', summary.failed[0])
        stream = self.last_stream()
        self.assertIn(('volume %s (%s) is gone' % (name, volume.id)).encode(),
                      stream)

        # Destroy leaves nothing.
        self.assert_ok(self.run_tempest(DESTROY, 'destroy'))
        self.assert_nothing_left(conn)
        self.assertEqual([], [w for w in self.store().list_workloads(
            self.run_id())])
