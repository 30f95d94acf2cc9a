"""``upgrade-tempest observe start|status|stop`` and ``analyse``."""

import io
import json
import os
import time

import fixtures

from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.observers import fakes


class ObserveCommandTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'TEMPEST_CONFIG_DIR', self.tmp))
        self.cloud = fakes.FakeCloud().start()
        self.addCleanup(self.cloud.stop)
        settings = fakes.make_settings(self.tmp, self.cloud)
        settings.pop('run_id')
        self.settings = os.path.join(self.tmp, 'settings.json')
        with open(self.settings, 'w') as f:
            json.dump(settings, f)
        self.common = ['--state-dir', self.tmp, '--run', 'cli-run']
        self.addCleanup(self.cli, 'observe', 'stop', '--timeout', '5')

    def cli(self, *argv):
        stdout = io.StringIO()
        stderr = io.StringIO()
        with fixtures.MonkeyPatch('sys.stdout', stdout), \
                fixtures.MonkeyPatch('sys.stderr', stderr):
            rc = main.main(list(argv) + self.common)
        return rc, stdout.getvalue(), stderr.getvalue()

    def test_start_status_analyse_stop(self):
        rc, out, err = self.cli('observe', 'start', '--settings',
                                self.settings)
        self.assertEqual(0, rc, err)
        self.assertIn('started observer of run cli-run', out)
        rc, out, err = self.cli('observe', 'start', '--settings',
                                self.settings)
        self.assertEqual(0, rc, err)
        self.assertIn('already running', out)
        time.sleep(1.5)
        self.cloud.behaviour['compute'] = 500
        time.sleep(0.5)
        self.cloud.behaviour['compute'] = 'ok'
        time.sleep(0.5)
        rc, out, err = self.cli('observe', 'status')
        self.assertEqual(0, rc, err)
        self.assertIn('running', out)
        rc, out, err = self.cli('observe', 'stop')
        self.assertEqual(0, rc, err)
        self.assertIn('observer stopped', out)
        rc, out, err = self.cli('observe', 'status', '--json')
        self.assertEqual(3, rc)
        self.assertEqual('stopped', json.loads(out)['state'])
        rc, out, err = self.cli('analyse')
        self.assertEqual(0, rc, err)
        self.assertIn('| compute', out)
        self.assertIn('http_5xx', out)
        rc, out, err = self.cli('analyse', '--json')
        data = json.loads(out)
        self.assertAlmostEqual(
            0.5, data['services']['compute']['total_downtime'], delta=0.2)
        for text in (out, err):
            self.assertNotIn(fakes.PASSWORD, text)
            self.assertNotIn(fakes.TOKEN, text)

    def test_status_of_unknown_run(self):
        self.common = ['--state-dir', self.tmp]
        rc, out, err = self.cli('observe', 'status')
        self.assertEqual(2, rc)
        self.assertIn('no run recorded', err)

    def test_start_without_config(self):
        rc, out, err = self.cli('observe', 'start')
        self.assertEqual(2, rc)
        self.assertIn('no tempest.conf', err)
