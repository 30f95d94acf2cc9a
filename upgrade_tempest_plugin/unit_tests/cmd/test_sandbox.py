"""``upgrade-tempest sandbox``: bad input is one line and exit 2.

Each fails before anything is made.
"""

import json
from unittest import mock

from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.unit_tests.cmd import fakes


class SandboxCommandTest(fakes.SandboxCliTestCase):

    def test_unknown_release(self):
        self.assertUserError("unknown release '2099.1'",
                             'sandbox', 'up', '--release', '2099.1')

    def test_unknown_service(self):
        self.assertUserError('unknown service heat', 'sandbox', 'up',
                             '--release', '2026.1', '--services', 'heat')

    def test_port_in_use(self):
        busy = ports.PORTS['keystone']
        with mock.patch.object(ports, 'in_use', lambda p: p == busy):
            self.assertUserError('port %d (keystone)' % busy,
                                 'sandbox', 'up', '--release', '2026.1')

    def test_disk_too_small(self):
        with mock.patch.object(cloud, 'DISK_BUILD', 1 << 60):
            self.assertUserError('GiB free', 'sandbox', 'up',
                                 '--release', '2026.1')

    def test_bad_port_offset(self):
        self.assertUserError('port offset 150', 'sandbox', 'up',
                             '--release', '2026.1', '--port-offset', '150')

    def test_upgrade_without_sandbox(self):
        self.assertUserError('no sandbox', 'sandbox', 'upgrade',
                             '--to', '2026.2')

    def test_status_without_sandbox(self):
        self.assertUserError('no sandbox', 'sandbox', 'status')


class SandboxStatusTest(fakes.SandboxCliTestCase):

    def test_json(self):
        rows = [('mariadb', '-', '-', '11', 3306, 'up'),
                ('keystone', '2026.1', '29.1.0', '12,13', 5000, 'down')]
        with mock.patch.object(cloud.Sandbox, 'status', autospec=True,
                               return_value=rows):
            self.assertEqual(0, self.run_cli('sandbox', 'status',
                                             '-f', 'json'))
        self.assertEqual(
            [{'service': 'mariadb', 'release': '-', 'version': '-',
              'pid(s)': '11', 'port': 3306, 'state': 'up'},
             {'service': 'keystone', 'release': '2026.1',
              'version': '29.1.0', 'pid(s)': '12,13', 'port': 5000,
              'state': 'down'}],
            json.loads(self.stdout.getvalue()))
