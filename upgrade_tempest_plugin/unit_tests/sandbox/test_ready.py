"""``wait_healthy`` waits until the cloud can serve a user's first request.

Against a fake admin API and a fake clock: cinder-scheduler's pools, nova's
compute node in placement and in a cell, the timeout and its message.
"""

import io
import os
import types
from unittest import mock
import urllib.error

import fixtures

from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin.sandbox import admin_client
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.unit_tests import base

RP = '0b5c5d1e-0000-4000-8000-000000000001'


class FakeClock(object):

    def __init__(self):
        self.now = 1000.0
        self.slept = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.slept += seconds


class FakeAdminAPI(object):
    """The admin's view of the sandbox's APIs, changing with the clock.

    Each fact is a value or a function of the seconds elapsed.
    """

    project_id = 'admin-project'

    def __init__(self, clock, pools=('sandbox-block@fake#fake',),
                 providers=None, mapped=True, hypervisor_state='up',
                 errors=None):
        self.clock = clock
        self.start = clock.now
        self.pools = pools
        self.providers = ({RP: 'sandbox-compute'} if providers is None
                          else providers)
        self.mapped = mapped
        self.hypervisor_state = hypervisor_state
        # path -> list of HTTP codes answered first, one per call
        self.errors = errors or {}
        self.calls = []

    def _value(self, fact):
        if callable(fact):
            return fact(self.clock.now - self.start)
        return fact

    def get(self, service_type, path, headers=None):
        self.calls.append((service_type, path))
        codes = self.errors.get(path)
        if codes:
            code = codes.pop(0)
            raise urllib.error.HTTPError(path, code, 'fake %d' % code, {},
                                         None)
        if path == '/os-services':
            binaries = {'compute': ('nova-compute', 'nova-conductor',
                                    'nova-scheduler'),
                        'block-storage': ('cinder-volume',
                                          'cinder-scheduler')}[service_type]
            return {'services': [{'binary': b, 'host': 'h', 'state': 'up'}
                                 for b in binaries]}
        if path == '/%s/scheduler-stats/get_pools' % self.project_id:
            return {'pools': [{'name': n} for n in self._value(self.pools)]}
        providers = self._value(self.providers)
        if path == '/resource_providers':
            return {'resource_providers': [
                {'uuid': u, 'name': n} for u, n in providers.items()]}
        if path.startswith('/resource_providers/'):
            return {'inventories': {'VCPU': {'total': 1000}}}
        if path == '/os-hypervisors/detail':
            assert headers == admin_client.COMPUTE_2_53
            if not self._value(self.mapped):
                return {'hypervisors': []}
            return {'hypervisors': [
                {'id': u, 'hypervisor_hostname': n,
                 'state': self._value(self.hypervisor_state),
                 'status': 'enabled'} for u, n in providers.items()]}
        raise AssertionError('unexpected GET %s %s' % (service_type, path))


class WaitUsableTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(ports.use_offset, 0)
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)
        self.out = io.StringIO()
        self.sandbox = cloud.Sandbox(self.layout, self.out)
        self.clock = FakeClock()
        fake_time = types.SimpleNamespace(monotonic=self.clock.monotonic,
                                          sleep=self.clock.sleep)
        self.useFixture(fixtures.MockPatchObject(cloud, 'time', fake_time))
        self.useFixture(fixtures.MockPatchObject(waits, 'time', fake_time))
        self.useFixture(fixtures.MockPatchObject(
            self.sandbox, 'running', return_value=1234))
        self.useFixture(fixtures.MockPatchObject(
            self.sandbox, 'api_ready', return_value=True))
        self.venv = types.SimpleNamespace(name='nova-33.0.2')
        self.useFixture(fixtures.MockPatchObject(
            self.sandbox, '_running_venv', return_value=self.venv))
        self.manage = self.useFixture(fixtures.MockPatchObject(
            self.sandbox, 'manage')).mock
        self.logins = 0

    def use(self, fake):
        def admin(secrets):
            self.assertEqual({'admin': 'pw'}, secrets)
            self.logins += 1
            return fake
        self.useFixture(fixtures.MockPatchObject(admin_client, 'admin', admin))
        return fake

    def wait(self, services=('keystone', 'glance', 'cinder', 'nova'),
             timeout=180):
        self.sandbox.wait_healthy(list(services), {'admin': 'pw'},
                                  timeout=timeout)

    def test_ready_at_once_says_nothing(self):
        fake = self.use(FakeAdminAPI(self.clock))
        self.wait()
        self.assertEqual('', self.out.getvalue())
        self.assertEqual(0, self.clock.slept)
        self.manage.assert_not_called()
        self.assertIn(('block-storage',
                       '/admin-project/scheduler-stats/get_pools'),
                      fake.calls)
        self.assertIn(('compute', '/os-hypervisors/detail'), fake.calls)

    def test_waits_for_the_pools(self):
        self.use(FakeAdminAPI(
            self.clock, pools=lambda t: ['b@fake#fake'] if t >= 20 else []))
        self.wait()
        self.assertEqual(20, self.clock.slept)
        self.assertEqual('waiting for cinder-scheduler pools ...\n'
                         'cinder-scheduler pools ready after 20 s\n',
                         self.out.getvalue())

    def test_no_pools_times_out_naming_what_is_missing(self):
        self.use(FakeAdminAPI(self.clock, pools=()))
        e = self.assertRaises(errors.SandboxError, self.wait, timeout=30)
        self.assertLessEqual(30, self.clock.slept)
        self.assertLess(self.clock.slept, 33)
        msg = str(e)
        self.assertIn('not ready after 30 s', msg)
        self.assertIn("cinder-scheduler has no pool: it has not received "
                      "cinder-volume's capabilities", msg)
        self.assertIn(self.layout.log_of('cinder-volume'), msg)
        self.assertIn(self.layout.log_of('cinder-scheduler'), msg)
        self.assertNotIn('compute node', msg)
        self.assertNotIn('nova-compute.log', msg)
        self.assertEqual('waiting for cinder-scheduler pools ...\n',
                         self.out.getvalue())

    def test_the_timeout_is_shared_with_the_service_checks(self):
        self.use(FakeAdminAPI(self.clock, pools=()))
        self.sandbox.api_ready.side_effect = (
            lambda s: self.clock.slept >= 25)
        self.assertRaises(errors.SandboxError, self.wait, timeout=30)
        self.assertLess(self.clock.slept, 33)

    def test_unmapped_compute_node_is_discovered(self):
        fake = self.use(FakeAdminAPI(self.clock, mapped=False))

        def discover(service, venv, args):
            self.assertEqual(('nova', self.venv,
                              ['cell_v2', 'discover_hosts']),
                             (service, venv, args))
            fake.mapped = True
        self.manage.side_effect = discover
        self.wait()
        self.assertEqual(1, self.manage.call_count)
        self.assertIn("waiting for nova's compute node in placement and "
                      "in a cell ...", self.out.getvalue())

    def test_unmapped_compute_node_times_out(self):
        self.sandbox._running_venv.return_value = None
        self.use(FakeAdminAPI(self.clock, mapped=False))
        e = self.assertRaises(errors.SandboxError, self.wait,
                              ('keystone', 'nova'), 60)
        self.assertIn('the compute node sandbox-compute is not mapped to '
                      'a cell', str(e))
        self.assertIn(self.layout.log_of('nova-compute'), str(e))
        self.manage.assert_not_called()

    def test_discover_hosts_at_most_every_ten_seconds(self):
        self.use(FakeAdminAPI(self.clock, mapped=False))
        self.assertRaises(errors.SandboxError, self.wait, ('nova',), 35)
        self.assertEqual(4, self.manage.call_count)

    def test_no_compute_node_in_placement(self):
        self.use(FakeAdminAPI(self.clock, providers={}))
        e = self.assertRaises(errors.SandboxError, self.wait, ('nova',), 20)
        self.assertIn('nova-compute has not reported its compute node to '
                      'placement', str(e))
        self.manage.assert_not_called()

    def test_compute_node_appears_later(self):
        self.use(FakeAdminAPI(
            self.clock, providers=lambda t: {RP: 'c1'} if t >= 7 else {}))
        self.wait(('nova',))
        self.assertEqual(7, self.clock.slept)
        self.assertIn('ready after 7 s', self.out.getvalue())

    def test_hypervisor_down(self):
        self.use(FakeAdminAPI(self.clock, hypervisor_state='down'))
        e = self.assertRaises(errors.SandboxError, self.wait, ('nova',), 5)
        self.assertIn('hypervisor sandbox-compute is down and enabled',
                      str(e))

    def test_http_errors_are_retried_and_401_logs_in_again(self):
        path = '/admin-project/scheduler-stats/get_pools'
        fake = self.use(FakeAdminAPI(self.clock,
                                     errors={path: [500, 401, 503]}))
        self.wait(('cinder',))
        self.assertEqual(3, self.clock.slept)
        self.assertEqual(2, self.logins)
        self.assertEqual(4, fake.calls.count(('block-storage', path)))

    def test_keystone_error_is_named(self):
        fake = FakeAdminAPI(self.clock, errors={
            '/admin-project/scheduler-stats/get_pools': [401]})
        # the token expires, then keystone stops answering
        self.useFixture(fixtures.MockPatchObject(
            admin_client, 'admin', side_effect=[fake] + [
                ConnectionRefusedError(111, 'refused')] * 10))
        e = self.assertRaises(errors.SandboxError, self.wait, ('cinder',), 3)
        self.assertIn('keystone:', str(e))

    def test_a_dead_process_fails_at_once(self):
        self.use(FakeAdminAPI(self.clock, pools=()))
        self.sandbox.running.side_effect = (
            lambda p: None if p == 'cinder-volume' and self.clock.slept > 4
            else 1)
        e = self.assertRaises(errors.SandboxError, self.wait, ('cinder',))
        self.assertIn('cinder-volume is not running', str(e))
        self.assertLess(self.clock.slept, 7)

    def test_services_without_readiness_make_no_call(self):
        fake = self.use(FakeAdminAPI(self.clock, pools=()))
        self.wait(('keystone', 'glance', 'neutron', 'placement'))
        self.assertEqual([], fake.calls)

    def test_without_secrets_only_the_apis(self):
        with mock.patch.object(admin_client, 'admin', autospec=True) as admin:
            self.sandbox.wait_healthy(['cinder', 'nova'])
        admin.assert_not_called()


class RunningVenvTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(ports.use_offset, 0)
        root = self.useFixture(fixtures.TempDir()).path
        self.layout = layout.Layout(root, root)
        self.sandbox = cloud.Sandbox(self.layout, io.StringIO())

    def test_the_venv_of_the_running_process(self):
        # this very process stands for nova-compute: the venv whose bin
        # directory holds its interpreter is the one found
        with open('/proc/self/cmdline', 'rb') as f:
            argv0 = f.read().split(b'\0')[0].decode()
        path = os.path.dirname(os.path.dirname(argv0))
        venvs = {s: types.SimpleNamespace(path='/nowhere/%s' % s)
                 for s in pins.series_list()}
        venvs['2026.1'].path = path
        with mock.patch.object(self.sandbox, 'running', autospec=True,
                               return_value=os.getpid()), \
                mock.patch.object(self.sandbox, 'venv', autospec=True,
                                  side_effect=lambda svc, s: venvs[s]):
            found = self.sandbox._running_venv('nova', 'nova-compute')
        self.assertIs(venvs['2026.1'], found)

    def test_not_running(self):
        with mock.patch.object(self.sandbox, 'running', autospec=True,
                               return_value=None):
            self.assertIsNone(
                self.sandbox._running_venv('nova', 'nova-compute'))
