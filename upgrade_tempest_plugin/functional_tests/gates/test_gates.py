"""The gate roles and the Grenade hooks, run for real on the sandbox cloud.

Needs the shared sandbox (``UPGRADE_TEMPEST_SANDBOX_DIR``) at 2026.1:
tools/functional-sandbox.sh runs this suite right after bringing it up,
before the validators suite.  With ``UPGRADE_TEMPEST_FUNCTIONAL_RESET=1``
a sandbox at another release is rebuilt at 2026.1 first.  In order:

0. A tempest.conf whose log directory does not exist stops the play in
   the config role, naming the option and the directory, before any
   validator runs (Tempest itself would fail every import at discovery
   with an error that names neither).
1. ``ansible-playbook`` (ansible-core, on localhost) applies
   upgrade-tempest-pre, upgrades the sandbox to 2026.2 (``upgrade-tempest
   sandbox upgrade``), takes the tempest.conf the upgrade wrote, and
   applies upgrade-tempest-post and upgrade-tempest-artifacts
   (playbook.yaml).  The job's log directory then holds the post-upgrade
   subunit stream (the one ``stestr last`` in the workspace gives), the
   destroy phase's stream, the HTML report, the store export (a snapshot
   bundle) and the observer log; the budgets were judged against the
   budgets the play set; nothing the run created is left.
2. The Grenade hooks (devstack/upgrade/resources.sh create, verify
   pre-upgrade, verify_noapi, upgrade.sh, verify post-upgrade, destroy)
   with a stub of the grenade files they source (grenade_stub/: grenade
   itself needs devstack), an "old" and a "new" Tempest workspace on the
   sandbox and no upgrade between them (the sandbox is at its newest
   release by then).

Leaves the sandbox at 2026.2 (the validators suite rebuilds it at 2026.1).
"""

import glob
import io
import json
import os
import subprocess
import sys

import fixtures
import subunit
import testtools

from upgrade_tempest_plugin.cmd import discover
from upgrade_tempest_plugin.functional_tests import sandbox_admin
from upgrade_tempest_plugin.functional_tests.validators import \
    test_validators as validators
from upgrade_tempest_plugin.store import api as store_api

BEFORE, AFTER = validators.BEFORE, validators.AFTER
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
WORKLOADS = {'username': validators.WORKLOAD_USER,
             'project_name': validators.WORKLOAD_USER,
             'build_timeout': 180,
             # Nova's fake driver forgets its servers when nova-compute
             # restarts, so they cannot be stopped after the upgrade.
             'server_power_actions': False}
#: The budgets the play sets; a cold upgrade stops each API for tens of
#: seconds, and the verdicts must carry these figures.
BUDGETS = {'max_downtime': 300.0, 'min_availability': 10.0,
           'max_latency_p95_ratio': 100.0}
PHASES = ('pre-upgrade', 'post-upgrade', 'destroy')
PREFIX = r'^upgrade_tempest_plugin\..*'
IMAGE_WORKLOAD = 'test_image_with_data'


def _bin(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def stream_tests(stream):
    """{test id: (status, {detail name: text})} of a subunit v2 stream."""
    tests = {}

    def record(test):
        if test['status'] in ('success', 'fail', 'skip', 'xfail',
                              'uxsuccess'):
            tests[test['id'].split('[')[0]] = (
                test['status'],
                {k: v.as_text() for k, v in test['details'].items()})

    result = testtools.StreamToDict(record)
    result.startTestRun()
    subunit.ByteStreamToStreamResult(
        io.BytesIO(stream), non_subunit_name='stdout').run(result)
    result.stopTestRun()
    return tests


class GatesTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.sandbox = validators.Sandbox()
        if not os.path.isfile(os.path.join(self.sandbox.workspace, 'etc',
                                           'tempest.conf')):
            self.fail('no sandbox at %s: run "upgrade-tempest sandbox up '
                      '--release %s" first' % (self.sandbox.root, BEFORE))
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def workspace(self, path, log_dir=None):
        """A new Tempest workspace with the sandbox's tempest.conf.

        Tempest's log goes to ``log_dir``, by default the workspace's own
        ``logs`` (``tempest init`` makes it).  A log directory that does
        not exist fails every test module's import at discovery.
        """
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.check_call(
            [_bin('tempest'), 'init', '--workspace-path',
             os.path.join(self.tmp, 'workspaces.yaml'),
             '--name', os.path.relpath(path, self.tmp).replace('/', '-'),
             path], stdout=subprocess.DEVNULL)
        conf = os.path.join(path, 'etc', 'tempest.conf')
        with open(conf, 'w') as f:
            f.write(discover.set_options(self.sandbox.tempest_conf(), {
                'DEFAULT': {'log_dir': log_dir or os.path.join(path,
                                                               'logs')}}))
        return conf

    def play(self, variables):
        """ansible-playbook of playbook.yaml with these variables."""
        path = os.path.join(self.tmp, 'vars.json')
        with open(path, 'w') as f:
            json.dump(variables, f)
        ansible = os.path.join(self.tmp, 'ansible')
        env = dict(os.environ, HOME=validators.REAL_HOME,
                   ANSIBLE_ROLES_PATH=os.path.join(TOP, 'roles'),
                   ANSIBLE_HOME=ansible,
                   ANSIBLE_LOCAL_TEMP=os.path.join(ansible, 'tmp'),
                   ANSIBLE_REMOTE_TEMP=os.path.join(ansible, 'tmp'),
                   ANSIBLE_NOCOLOR='1')
        proc = subprocess.run(
            [_bin('ansible-playbook'), '-i', 'localhost,',
             '-e', 'ansible_python_interpreter=' + sys.executable,
             '-e', '@' + path, os.path.join(HERE, 'playbook.yaml')],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        sys.stdout.write(proc.stdout)
        return proc

    def store(self, state_dir):
        store = store_api.open_store(
            'sqlite:///' + os.path.join(state_dir, 'store.db'))
        self.addCleanup(store.close)
        return store

    def run_id(self, state_dir):
        with open(os.path.join(state_dir, 'run_id')) as f:
            return f.read().strip()

    def cleanup_run(self, conf, state_dir):
        """Whatever happened, nothing the run made may stay."""
        if os.path.exists(os.path.join(state_dir, 'run_id')):
            subprocess.call([_bin('upgrade-tempest'), 'cleanup', '--run',
                             self.run_id(state_dir), '--config-file', conf])
            subprocess.call([_bin('upgrade-tempest'), 'observe', 'stop',
                             '--config-file', conf])

    def assert_phases_stored(self, state_dir):
        store = self.store(state_dir)
        run_id = self.run_id(state_dir)
        counts = {phase: len(store.list_test_results(run_id, phase=phase))
                  for phase in PHASES}
        self.assertEqual([], [p for p, n in counts.items() if not n],
                         counts)
        return run_id

    def assert_budgets_judged(self, tests, limits):
        """Every budget verdict carries its measure and these limits."""
        judged = {}
        for test_id, (status, details) in tests.items():
            if 'BudgetsPostUpgradeTest' in test_id and 'verdict' in details:
                judged[test_id.rsplit('.', 1)[-1]] = (
                    status, json.loads(details['verdict']))
        for service in ('identity', 'compute', 'image', 'network',
                        'volume', 'placement'):
            for check, limit in limits.items():
                status, verdict = judged['test_%s_%s' % (service, check)]
                self.assertEqual(limit, verdict['limit'], verdict)
                self.assertIsInstance(verdict['measured'], (int, float),
                                      verdict)
                self.assertEqual('success', status, verdict['message'])
        self.assertEqual('success',
                         judged['test_observation_complete'][0])

    def assert_nothing_left(self, run_id):
        conn = sandbox_admin.connection(self.sandbox.clouds_yaml)
        self.assertEqual([], validators.leftovers(
            conn, 'upgrade-%s-' % run_id))
        self.assertEqual([], validators.leftovers(conn, 'upgrade-health-'))


class Test0ConfigCheck(GatesTestCase):

    def test_missing_log_dir_stops_the_play_naming_it(self):
        # Tempest would fail at discovery with oslo.config's
        # ArgsAlreadyParsedError, which names neither the option nor the
        # directory; the roles stop before any validator runs, naming both.
        ws = os.path.join(self.tmp, 'workspace')
        missing = os.path.join(self.tmp, 'no-logs')
        self.workspace(ws, log_dir=missing)
        proc = self.play({
            'sandbox_dir': self.sandbox.root,
            'sandbox_upgrade_mode': 'cold',
            'upgrade_tempest_venv': sys.prefix,
            'upgrade_tempest_workspace': ws,
            'upgrade_tempest_expected_release_after': AFTER,
        })
        self.assertNotEqual(0, proc.returncode)
        self.assertIn('Check tempest.conf before Tempest reads it',
                      proc.stdout)
        self.assertIn('[DEFAULT] log_dir/log_file: no directory %s '
                      % missing, proc.stdout)
        self.assertNotIn('ArgsAlreadyParsedError', proc.stdout)
        # No tempest run: the workspace's stestr repository is as
        # "tempest init" made it, with no stream.
        self.assertEqual(['format', 'next-stream'],
                         sorted(os.listdir(os.path.join(ws, '.stestr'))))
        self.assertFalse(os.path.exists(os.path.join(ws, '.upgrade-tempest',
                                                     'run_id')))


class Test1Roles(GatesTestCase):

    def setUp(self):
        super().setUp()
        release = self.sandbox.release()
        if release != BEFORE:
            if os.environ.get('UPGRADE_TEMPEST_FUNCTIONAL_RESET') != '1':
                self.fail('the sandbox runs %s, the roles start at %s: set '
                          'UPGRADE_TEMPEST_FUNCTIONAL_RESET=1 to rebuild it'
                          % (release, BEFORE))
            self.assertEqual(0, self.sandbox.command('destroy'))
            self.assertEqual(0, self.sandbox.command('up', '--release',
                                                     BEFORE))
        # The new release's packages are installed before the observers
        # start, as operators pull images before their window (and as
        # "upgrade-tempest demo" does).
        self.assertEqual(0, self.sandbox.command('prepare', '--release',
                                                 AFTER))

    def test_pre_upgrade_post_artifacts_around_an_upgrade(self):
        ws = os.path.join(self.tmp, 'workspace')
        conf = self.workspace(ws)
        state_dir = os.path.join(ws, '.upgrade-tempest')
        logs = os.path.join(self.tmp, 'job-logs', 'upgrade-tempest')
        self.addCleanup(self.cleanup_run, conf, state_dir)
        proc = self.play({
            'sandbox_dir': self.sandbox.root,
            'sandbox_upgrade_mode': 'cold',
            'upgrade_tempest_venv': sys.prefix,
            'upgrade_tempest_workspace': ws,
            # A role default is not visible to the play's own tasks
            # (include_role): the copy of the new tempest.conf needs it.
            'upgrade_tempest_config_file': conf,
            'upgrade_tempest_expected_release_before': BEFORE,
            'upgrade_tempest_expected_release_after': AFTER,
            'upgrade_tempest_budgets': dict(
                BUDGETS, events_file=self.sandbox.layout.events_file),
            'upgrade_tempest_options': {'upgrade_workloads': WORKLOADS},
            'upgrade_tempest_log_dir': logs,
        })
        self.assertEqual(0, proc.returncode, proc.stdout[-3000:])
        self.assertEqual(AFTER, self.sandbox.release())
        run_id = self.assert_phases_stored(state_dir)

        # The post-upgrade role set the budgets again in the tempest.conf
        # the upgrade wrote.
        with open(conf) as f:
            self.assertIn('max_downtime = 300.0', f.read())

        # "stestr last" in the workspace: the post-upgrade results, the
        # same stream as the one in the logs.
        last = subprocess.run([_bin('stestr'), 'last', '--subunit'],
                              cwd=ws, stdout=subprocess.PIPE,
                              check=True).stdout
        tests = stream_tests(last)
        with open(os.path.join(logs, 'post-upgrade.subunit'), 'rb') as f:
            self.assertEqual(sorted(tests), sorted(stream_tests(f.read())))
        self.assertTrue(any('WorkloadsPostUpgrade' in t for t in tests))
        self.assertEqual([], [t for t in tests if 'PreUpgrade' in t or
                              'Destroy' in t])
        self.assert_budgets_judged(tests, {
            'downtime': BUDGETS['max_downtime'],
            'availability': BUDGETS['min_availability'],
            'latency': BUDGETS['max_latency_p95_ratio']})
        with open(os.path.join(logs, 'destroy.subunit'), 'rb') as f:
            destroyed = stream_tests(f.read())
        self.assertTrue(destroyed)
        self.assertEqual([], [t for t in destroyed if 'Destroy' not in t])

        # The report, the store export, the observer log.
        with open(os.path.join(logs, 'report.html')) as f:
            report = f.read()
        self.assertIn(run_id, report)
        self.assertIn('BudgetsPostUpgradeTest', report)
        bundles = glob.glob(os.path.join(logs, run_id + '-*.tar.gz'))
        self.assertEqual(1, len(bundles), os.listdir(logs))
        show = json.loads(subprocess.run(
            [_bin('upgrade-tempest'), 'snapshot', 'show', bundles[0],
             '-f', 'json'], stdout=subprocess.PIPE, check=True).stdout)
        self.assertEqual((run_id, '%s -> %s' % (BEFORE, AFTER)),
                         (show['run'], show['releases']))
        with open(os.path.join(logs, 'observers-%s.log' % run_id)) as f:
            self.assertIn(run_id, f.read())
        self.assert_nothing_left(run_id)


class Test2GrenadeHooks(GatesTestCase):

    def hook(self, env, script, *args):
        proc = subprocess.run(
            ['bash', os.path.join(TOP, 'devstack', 'upgrade', script)] +
            list(args), env=env, cwd=self.tmp, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        sys.stdout.write(proc.stdout)
        self.assertEqual(0, proc.returncode, '%s %s: %s' % (
            script, ' '.join(args), proc.stdout[-3000:]))

    def test_create_verify_upgrade_verify_destroy(self):
        root = os.path.join(self.tmp, 'stack')
        confs = []
        for side in ('old', 'new'):
            tempest = os.path.join(root, side, 'tempest')
            confs.append(self.workspace(tempest))
            # The side's Tempest venv: this one, which has the plugin.
            os.makedirs(os.path.join(tempest, '.tox'))
            os.symlink(sys.prefix, os.path.join(tempest, '.tox', 'tempest'))
        state_dir = os.path.join(root, 'upgrade-tempest')
        self.addCleanup(self.cleanup_run, confs[1], state_dir)
        release = self.sandbox.release()
        env = dict(
            os.environ, GRENADE_DIR=os.path.join(HERE, 'grenade_stub'),
            STUB_STACK_ROOT=root,
            STUB_BASE_BRANCH='stable/' + release,
            STUB_TARGET_BRANCH='stable/' + release,
            UPGRADE_TEMPEST_OPTIONS=' '.join(
                'upgrade_workloads.%s=%s' % (k, v)
                for k, v in WORKLOADS.items()),
            # One workload kind and no health checks: the full phases ran
            # in Test1; this keeps the suite short and shows the regex
            # settings are used.
            UPGRADE_TEMPEST_PRE_REGEX=PREFIX + (
                r'(ObserversPreUpgradeTest|ReleasePreUpgrade|'
                r'WorkloadsPreUpgradeTest\.%s)' % IMAGE_WORKLOAD),
            UPGRADE_TEMPEST_POST_REGEX=PREFIX + (
                r'(ReleasePostUpgrade|BudgetsPostUpgradeTest|'
                r'WorkloadsPostUpgradeTest\.%s)' % IMAGE_WORKLOAD),
            UPGRADE_TEMPEST_DESTROY_REGEX=PREFIX + (
                r'WorkloadsDestroyTest\.%s' % IMAGE_WORKLOAD))
        self.hook(env, 'resources.sh', 'create')
        self.hook(env, 'resources.sh', 'verify', 'pre-upgrade')
        self.hook(env, 'resources.sh', 'verify_noapi', 'pre-upgrade')
        self.hook(env, 'upgrade.sh')
        self.hook(env, 'resources.sh', 'verify', 'post-upgrade')
        self.hook(env, 'resources.sh', 'destroy')
        run_id = self.assert_phases_stored(state_dir)

        # Each side's tempest.conf got the settings: the shared state
        # directory, the series of the stub's branches, report-only
        # budgets, the options of UPGRADE_TEMPEST_OPTIONS.
        for conf in confs:
            with open(conf) as f:
                text = f.read()
            for line in ('state_dir = ' + state_dir,
                         'expected_release_after = ' + release,
                         'max_downtime = -1',
                         'username = ' + validators.WORKLOAD_USER):
                self.assertIn(line, text)
        new_ws = os.path.join(root, 'new', 'tempest')
        last = subprocess.run([_bin('stestr'), 'last', '--subunit'],
                              cwd=new_ws, stdout=subprocess.PIPE,
                              check=True).stdout
        tests = stream_tests(last)
        self.assertEqual(
            ['WorkloadsPostUpgradeTest.' + IMAGE_WORKLOAD],
            [t.split('.', 4)[-1] for t in tests if 'Workloads' in t])
        self.assertEqual([], [t for t in tests if 'Health' in t])
        self.assert_budgets_judged(tests, {'downtime': -1.0,
                                           'availability': -1.0,
                                           'latency': -1.0})
        self.assertTrue(os.path.isdir(os.path.join(state_dir, 'destroy',
                                                   '.stestr')))
        self.assert_nothing_left(run_id)
