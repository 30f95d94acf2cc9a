import json
import os

import fixtures

from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.cmd import fakes

CONF = """# written by a deployment tool
[DEFAULT]
log_dir = /tmp/logs

[upgrade]
# the run's state
state_dir = /old
"""


class TestConfigSet(base.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'tempest.conf')
        with open(self.path, 'w') as f:
            f.write(CONF)

    def text(self):
        with open(self.path) as f:
            return f.read()

    def test_sets_in_place_and_appends_missing_groups(self):
        rc, out, err = fakes.capture_cli(
            'config', 'set', '--config-file', self.path,
            '--json', json.dumps({
                'upgrade': {'expected_release_after': '2026.2'},
                'upgrade_budgets': {'max_downtime': 120,
                                    'max_downtime_per_service':
                                        {'identity': 0, 'compute': 30}},
                'upgrade_workloads': {'server_power_actions': False},
                'upgrade_observers': {}}),
            'upgrade.state_dir=/new', '-f', 'value')
        self.assertEqual(0, rc, err)
        self.assertEqual(
            "# written by a deployment tool\n[DEFAULT]\nlog_dir = /tmp/logs"
            "\n\n[upgrade]\n# the run's state\nstate_dir = /new\n"
            "expected_release_after = 2026.2\n\n"
            "[upgrade_budgets]\nmax_downtime = 120\n"
            "max_downtime_per_service = compute:30,identity:0\n\n"
            "[upgrade_workloads]\nserver_power_actions = false\n",
            self.text())
        self.assertEqual(
            '%s\nTrue\nupgrade.expected_release_after upgrade.state_dir '
            'upgrade_budgets.max_downtime '
            'upgrade_budgets.max_downtime_per_service '
            'upgrade_workloads.server_power_actions\n' % self.path, out)

    def test_setting_again_changes_nothing(self):
        args = ('config', 'set', '--config-file', self.path,
                'upgrade.expected_release_before=2026.1')
        self.assertEqual(0, fakes.capture_cli(*args)[0])
        once = self.text()
        rc, out, err = fakes.capture_cli(*args + ('-f', 'json'))
        self.assertEqual(0, rc, err)
        self.assertFalse(json.loads(out)['changed'])
        self.assertEqual(once, self.text())

    def assert_refused(self, *args, message):
        rc, out, err = fakes.capture_cli(
            'config', 'set', '--config-file', self.path, *args)
        self.assertEqual(2, rc)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn(message, err)
        self.assertEqual(CONF, self.text())

    def test_unknown_group(self):
        self.assert_refused('compute.flavor_ref=1',
                            message='not an option group of the plugin: '
                                    '[compute]')

    def test_unknown_option(self):
        self.assert_refused('upgrade_budgets.max_dowtime=5',
                            message='[upgrade_budgets] has no option '
                                    'max_dowtime')

    def test_bad_value(self):
        self.assert_refused('--json', '{"upgrade_budgets": '
                                      '{"min_availability": "high"}}',
                            message='[upgrade_budgets] min_availability')

    def test_not_an_assignment(self):
        self.assert_refused('upgrade=1', message='expected '
                                                 'GROUP.OPTION=VALUE')

    def test_bad_json(self):
        self.assert_refused('--json', '[1]', message='expected an object')

    def test_missing_file(self):
        os.unlink(self.path)
        rc, out, err = fakes.capture_cli(
            'config', 'set', '--config-file', self.path, 'upgrade.run_id=x')
        self.assertEqual(2, rc)
        self.assertIn('cannot read', err)
