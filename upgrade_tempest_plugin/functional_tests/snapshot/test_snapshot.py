"""A failed run and its cloud, exported, destroyed and imported elsewhere.

Needs a running sandbox at ``UPGRADE_TEMPEST_SANDBOX_DIR`` (or the
default); the test DESTROYS it (that is the point: the CI machine is
recycled) and leaves the restored sandbox, in a directory of its own with
other ports, down.  Run it alone and last (tools/functional-sandbox.sh).

1. The pre-upgrade validators create the run's workloads; an admin
   deletes one workload's image behind the tool's back; the post-upgrade
   validators fail on it: a real failed run.
2. ``snapshot export --with-cloud``: no password or token of the cloud is
   in any file of the bundle.
3. ``sandbox destroy``; ``snapshot import --dir NEW --port-offset N``: the
   cloud comes back at the recorded releases, the run's analysis is the
   original's, the image is still missing and the same validator fails
   the same way.
   An object put into the sandbox's Swift before the export is served by
   the restored Swift.
4. The bundle goes through a directory storage server and back.
"""

import json
import os
import shutil
import subprocess
import sys
import tarfile

import fixtures
import testtools

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.functional_tests import sandbox_admin
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.sandbox import layout as layout_mod
from upgrade_tempest_plugin.store import api as store_api

SCENARIO = r'^upgrade_tempest_plugin\.tests\.scenario\.'
PRE = SCENARIO + r'(test_workloads\.WorkloadsPreUpgrade)'
POST = SCENARIO + r'(test_workloads\.WorkloadsPostUpgrade)'
BROKEN = 'WorkloadsPostUpgradeTest.test_image_with_data'
#: (container, object) put into the sandbox's Swift before the export
CARRIED = ('snapshot-carried', 'object')
IMPORT_OFFSET_ENV = 'UPGRADE_TEMPEST_SNAPSHOT_IMPORT_OFFSET'
REAL_HOME = os.environ.get('HOME', os.path.expanduser('~'))


def _bin(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def cli(*args, ok=(0,)):
    proc = subprocess.run([_bin('upgrade-tempest')] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=dict(os.environ, HOME=REAL_HOME))
    sys.stdout.write(proc.stdout[-5000:])
    if proc.returncode not in ok:
        raise AssertionError('upgrade-tempest %s: rc %d\n%s\n%s' % (
            ' '.join(args), proc.returncode, proc.stdout[-3000:],
            proc.stderr[-3000:]))
    return proc


def write_upgrade_conf(root, state_dir, run_id=None):
    """The sandbox workspace's tempest.conf with this test's [upgrade]."""
    code = ('import sys\n'
            'from upgrade_tempest_plugin.sandbox import cloud, layout\n'
            'sb = cloud.Sandbox(layout.Layout(sys.argv[1]))\n'
            'extra = {"state_dir": sys.argv[2], '
            '"expected_release_before": sb.state()["release"], '
            '"expected_release_after": sb.state()["release"]}\n'
            'if len(sys.argv) > 3: extra["run_id"] = sys.argv[3]\n'
            'sb.write_workspace(sb.state(), sb.secrets(), '
            'extra={"upgrade": extra})\n')
    subprocess.check_call([sys.executable, '-c', code, root, state_dir] +
                          ([run_id] if run_id else []),
                          env=dict(os.environ, HOME=REAL_HOME))
    return os.path.join(root, 'tempest', 'etc', 'tempest.conf')


def validate(conf, workdir, regex):
    os.makedirs(workdir, exist_ok=True)
    proc = cli('validate', '--regex', regex, '--workspace', workdir,
               '--config-file', conf, ok=(0, 1))
    return proc.returncode, proc.stdout


def analysis(state_dir, run_id):
    store = store_api.open_store(run_context.sqlite_url(state_dir))
    try:
        result = run_analysis.build(store, run_id)
    finally:
        store.close()
    result.pop('seconds')
    return result


class TestSnapshotRoundTrip(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.source = layout_mod.Layout()
        if not os.path.isfile(self.source.state_file):
            self.fail('no sandbox at %s: run "upgrade-tempest sandbox up" '
                      'first' % self.source.root)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'HOME', os.path.join(self.tmp, 'home')))
        self.target = os.path.join(os.path.dirname(self.source.root),
                                   'snapshot-restored')
        if os.path.exists(self.target):
            cli('sandbox', 'destroy', '--dir', self.target)
        self.addCleanup(self._down_target)

    def _down_target(self):
        if os.path.exists(self.target):
            cli('sandbox', 'down', '--dir', self.target)

    def test_failed_run_survives_export_destroy_import(self):
        state = os.path.join(self.tmp, 'state')
        conf = write_upgrade_conf(self.source.root, state)
        with open(self.source.state_file) as f:
            releases = {s: i['version']
                        for s, i in json.load(f)['services'].items()}

        # 1. a real failure
        rc, _ = validate(conf, os.path.join(self.tmp, 'v1'), PRE)
        self.assertEqual(0, rc)
        with open(os.path.join(state, 'run_id')) as f:
            run_id = f.read().strip()
        conn = sandbox_admin.connection(self.source.path('clouds.yaml'))
        image = conn.image.find_image(
            'upgrade-%s-image-with-data-image' % run_id)
        self.assertIsNotNone(image)
        conn.image.delete_image(image)
        rc, out = validate(conf, os.path.join(self.tmp, 'v1'), POST)
        self.assertEqual(1, rc)
        self.assertIn(BROKEN, out)
        self.assertIn('is gone', out)
        original = analysis(state, run_id)
        # an object in the sandbox's Swift, which the bundle carries
        carried = os.urandom(2048)
        member = sandbox_admin.connection(self.source.path('clouds.yaml'),
                                          'sandbox-demo')
        member.object_store.create_container(CARRIED[0])
        member.object_store.upload_object(CARRIED[0], CARRIED[1],
                                          data=carried)
        member.close()

        # 2. export, with no secret in any file
        bundle = os.path.join(self.tmp, 'failed.tar.gz')
        cli('snapshot', 'export', '--config-file', conf, '--with-cloud',
            '--sandbox-dir', self.source.root, '--stestr',
            os.path.join(self.tmp, 'v1', '.stestr'), '-o', bundle)
        with open(self.source.path('secrets.json')) as f:
            secrets = list(json.load(f).values())
        with tarfile.open(bundle) as tar:
            for member in tar.getmembers():
                data = tar.extractfile(member).read()
                for secret in secrets:
                    self.assertNotIn(secret.encode(), data, member.name)

        # 3. the CI machine is recycled; the bundle is imported elsewhere
        cli('sandbox', 'destroy', '--dir', self.source.root)
        self.assertFalse(os.path.exists(self.source.root))
        other_state = os.path.join(self.tmp, 'imported-state')
        offset = os.environ.get(IMPORT_OFFSET_ENV, '900')
        cli('snapshot', 'import', bundle, '--dir', self.target,
            '--port-offset', offset, '--state-dir', other_state)
        self.assertEqual(original, analysis(other_state, run_id))
        status = json.loads(cli('sandbox', 'status', '--dir', self.target,
                                '-f', 'json').stdout)
        rows = {r['service']: r for r in status}
        for service, version in releases.items():
            self.assertEqual((version, 'up'), (rows[service]['version'],
                                               rows[service]['state']),
                             service)
        restored_conf = os.path.join(self.target, 'tempest', 'etc',
                                     'tempest.conf')
        rc, out = validate(restored_conf, os.path.join(self.tmp, 'v2'),
                           POST)
        self.assertEqual(1, rc)
        self.assertIn(BROKEN, out)
        self.assertIn('image upgrade-%s-image-with-data-image (%s) is gone'
                      % (run_id, image.id), out)
        conn = sandbox_admin.connection(os.path.join(self.target,
                                                     'clouds.yaml'))
        self.assertIsNone(conn.image.find_image(image.id))
        # Swift's objects came along (its rings rewritten for the new ports)
        member = sandbox_admin.connection(
            os.path.join(self.target, 'clouds.yaml'), 'sandbox-demo')
        self.addCleanup(member.close)
        self.assertEqual(carried, member.object_store.download_object(
            CARRIED[1], container=CARRIED[0]))

        # 4. through a directory storage server and back
        server = 'dir:' + os.path.join(self.tmp, 'server')
        cli('snapshot', 'push', bundle, '--to', server)
        listed = json.loads(cli('snapshot', 'list', '--remote', server,
                                '-f', 'json').stdout)
        self.assertEqual(['failed'], [r['name'] for r in listed])
        self.assertEqual(run_id, listed[0]['run'])
        pulled = os.path.join(self.tmp, 'pulled')
        os.makedirs(pulled)
        cli('snapshot', 'pull', 'failed', '--from', server, '-o', pulled)
        shown = [json.loads(cli('snapshot', 'show', path, '-f',
                                'json').stdout)
                 for path in (bundle, os.path.join(pulled,
                                                   'failed.tar.gz'))]
        self.assertEqual(shown[0], shown[1])
        shutil.rmtree(pulled)
