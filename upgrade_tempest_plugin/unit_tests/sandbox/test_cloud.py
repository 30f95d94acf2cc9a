"""The sandbox's port offset and what ``up`` plans to start."""

import io

import fixtures

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import state
from upgrade_tempest_plugin.unit_tests import base


class PortOffsetTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(ports.use_offset, 0)
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)

    def test_new_sandbox_takes_the_offset(self):
        sb = cloud.Sandbox(self.layout, io.StringIO(), 300)
        self.assertEqual(300, sb.port_offset)
        self.assertEqual(ports.BASE['keystone'] + 300,
                         ports.PORTS['keystone'])

    def test_built_sandbox_keeps_its_offset(self):
        state.save(self.layout, state.new('2026.1', ['keystone'], 200))
        self.assertEqual(200, cloud.Sandbox(self.layout).port_offset)
        self.assertEqual(ports.BASE['mariadb'] + 200, ports.PORTS['mariadb'])
        e = self.assertRaises(exceptions.UserError, cloud.Sandbox,
                              self.layout, io.StringIO(), 0)
        self.assertIn('port offset 200', str(e))

    def test_environment_default(self):
        self.useFixture(fixtures.EnvironmentVariable(ports.OFFSET_ENV,
                                                     '100'))
        self.assertEqual(100, cloud.Sandbox(self.layout).port_offset)


class UpPlanTest(base.TestCase):

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)
        self.sandbox = cloud.Sandbox(self.layout, io.StringIO())
        self.useFixture(fixtures.MockPatchObject(ports, 'in_use',
                                                 return_value=False))
        self.useFixture(fixtures.MockPatchObject(cloud, 'DISK_BUILD', 0))

    def test_new_sandbox(self):
        self.assertEqual({'keystone': '2026.1', 'glance': '2026.1'},
                         self.sandbox.plan_up('2026.1', ['glance']))

    def test_partly_upgraded_sandbox_keeps_each_series(self):
        st = state.new('2026.1', ['keystone', 'glance'])
        st['services'] = {
            'keystone': {'series': '2026.2', 'version': '30.0.0'},
            'glance': {'series': '2026.1', 'version': '32.0.0'}}
        state.save(self.layout, st)
        expected = {'keystone': '2026.2', 'glance': '2026.1'}
        self.assertEqual(expected, self.sandbox.plan_up('2026.1', []))
        self.assertEqual(expected, self.sandbox.plan_up('2026.2', []))
        e = self.assertRaises(exceptions.UserError, self.sandbox.plan_up,
                              '2025.2', [])
        self.assertIn('sandbox upgrade', str(e))
        e = self.assertRaises(exceptions.UserError, self.sandbox.plan_up,
                              '2026.1', ['nova'])
        self.assertIn('destroy it', str(e))


class SwiftPortsTest(base.TestCase):
    """Every Swift server's port is checked; its API waits for them."""

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.sandbox = cloud.Sandbox(layout.Layout(root, root),
                                     io.StringIO())
        self.useFixture(fixtures.MockPatchObject(cloud, 'DISK_BUILD', 0))

    def test_a_busy_storage_server_port_refuses_up(self):
        busy = ports.PORTS['swift-container']
        self.useFixture(fixtures.MockPatchObject(
            ports, 'in_use', side_effect=lambda port: port == busy))
        e = self.assertRaises(exceptions.UserError, self.sandbox.plan_up,
                              '2026.1', ['swift'])
        self.assertIn('%d (swift-container)' % busy, str(e))

    def test_proxy_not_ready_while_a_storage_server_is_down(self):
        accepting = {ports.PORTS['swift-object'], ports.PORTS['swift'],
                     ports.PORTS['swift-account']}
        self.useFixture(fixtures.MockPatchObject(
            ports, 'accepts', side_effect=accepting.__contains__))
        status = self.useFixture(fixtures.MockPatchObject(
            ports, 'http_status', return_value=200)).mock
        self.assertFalse(self.sandbox.api_ready('swift'))
        accepting.add(ports.PORTS['swift-container'])
        self.assertTrue(self.sandbox.api_ready('swift'))
        status.assert_called_with(
            'http://127.0.0.1:%d/healthcheck' % ports.PORTS['swift'])
