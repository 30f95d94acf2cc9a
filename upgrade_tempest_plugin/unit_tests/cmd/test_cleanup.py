import json
import os
import subprocess
import sys

import fixtures

from upgrade_tempest_plugin.unit_tests import base


class TestCleanupCommand(base.TestCase):
    """Runs the command in a child process: it loads a tempest.conf."""

    def setUp(self):
        super().setUp()
        try:
            from upgrade_tempest_plugin.store import api as store_api
        except ImportError as exc:
            self.skipTest('store not available: %s' % exc)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.url = 'sqlite:///%s/store.db' % self.tmp
        store = store_api.open_store(self.url)
        store.record_workload('r1', 'workload', 'image_with_data', None,
                              'image')
        store.record_workload('r1', 'image', 'upgrade-r1-image-with-data-'
                              'image', 'img-1', 'image',
                              parent='image_with_data')
        store.record_workload('r1', 'port', 'upgrade-r1-network-stack-port',
                              None, 'network', parent='network_stack')
        store.close()
        self.conf = os.path.join(self.tmp, 'tempest.conf')
        with open(self.conf, 'w') as f:
            f.write('[upgrade]\nstore_url = %s\n' % self.url)

    def cleanup(self, *args):
        exe = os.path.join(os.path.dirname(sys.executable), 'upgrade-tempest')
        return subprocess.run(
            [exe, 'cleanup', '--config-file', self.conf] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=self.tmp, env=dict(os.environ, HOME=self.tmp))

    def test_dry_run_lists_newest_first(self):
        proc = self.cleanup('--run', 'r1', '--dry-run', '-f', 'value')
        self.assertEqual(0, proc.returncode, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(['port upgrade-r1-network-stack-port - would delete',
                          'image upgrade-r1-image-with-data-image img-1 '
                          'would delete'], lines)

    def test_unknown_run_has_nothing_to_do(self):
        proc = self.cleanup('--run', 'nope', '-f', 'value')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual('', proc.stdout)

    def test_needs_the_workload_account(self):
        proc = self.cleanup('--run', 'r1')
        self.assertEqual(2, proc.returncode, proc.stdout)
        self.assertIn('[upgrade_workloads] username', proc.stderr)

    def test_missing_config_file(self):
        os.unlink(self.conf)
        proc = self.cleanup('--run', 'r1')
        self.assertEqual(2, proc.returncode)
        self.assertIn('no such file', proc.stderr)

    def test_json_and_the_recorded_run(self):
        """-f json; without --run, the run recorded in the state dir."""
        state_dir = os.path.join(self.tmp, 'state')
        with open(self.conf, 'a') as f:
            f.write('state_dir = %s\n' % state_dir)
        os.makedirs(state_dir)
        with open(os.path.join(state_dir, 'run_id'), 'w') as f:
            f.write('r1\n')
        proc = self.cleanup('--dry-run', '-f', 'json')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual(
            [{'kind': 'port', 'name': 'upgrade-r1-network-stack-port',
              'resource id': '-', 'result': 'would delete'},
             {'kind': 'image', 'name': 'upgrade-r1-image-with-data-image',
              'resource id': 'img-1', 'result': 'would delete'}],
            json.loads(proc.stdout))
