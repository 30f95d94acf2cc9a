"""The data-plane observer against a host of its own in a network namespace.

The sandbox has no guest data plane, so the test makes one: a network
namespace joined to this host by a veth pair, with a TCP listener inside.
While the observer pings and connects to it, the test takes the link down
for a window it measures itself and checks the observer's downtime of both
targets against it.  Needs root and iproute2 (``ip netns``); everything is
removed in cleanups.  The API side of the observer is a loopback fake: only
the data plane is under test here.
"""

import os
import subprocess
import sys
import time

import fixtures
import testtools

from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.observers import runner as obs_runner
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.unit_tests.observers import fakes

RATE = 10.0
PORT = 8022
LISTENER = (
    'import socket, sys\n'
    's = socket.socket()\n'
    's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n'
    's.bind((sys.argv[1], int(sys.argv[2])))\n'
    's.listen(64)\n'
    'while True:\n'
    '    s.accept()[0].close()\n')


def ip(*args):
    subprocess.check_call(('ip',) + args)


class NetnsHost(fixtures.Fixture):
    """A namespace at 10.231.N.2 reached through a veth from 10.231.N.1."""

    def _setUp(self):
        n = os.getpid() % 250 + 1
        self.netns = 'utp-dp-%d' % os.getpid()
        self.host_if, self.ns_if = 'utpa%d' % n, 'utpb%d' % n
        self.address = '10.231.%d.2' % n
        ip('netns', 'add', self.netns)
        self.addCleanup(ip, 'netns', 'delete', self.netns)
        ip('link', 'add', self.host_if, 'type', 'veth', 'peer', 'name',
           self.ns_if)
        self.addCleanup(subprocess.call, ['ip', 'link', 'delete',
                                          self.host_if])
        ip('link', 'set', self.ns_if, 'netns', self.netns)
        ip('addr', 'add', '10.231.%d.1/30' % n, 'dev', self.host_if)
        ip('link', 'set', self.host_if, 'up')
        self.in_ns('ip', 'addr', 'add', self.address + '/30', 'dev',
                   self.ns_if)
        self.in_ns('ip', 'link', 'set', self.ns_if, 'up')
        self.in_ns('ip', 'link', 'set', 'lo', 'up')
        listener = subprocess.Popen(
            ['ip', 'netns', 'exec', self.netns, sys.executable, '-c',
             LISTENER, self.address, str(PORT)])
        self.addCleanup(listener.wait)
        self.addCleanup(listener.kill)

    def in_ns(self, *args):
        ip('netns', 'exec', self.netns, *args)

    def link(self, state):
        self.in_ns('ip', 'link', 'set', self.ns_if, state)


class DataplaneObserverTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.fail('the data-plane functional test needs root '
                      '(network namespaces)')
        self.host = self.useFixture(NetnsHost())
        self.tmp = self.useFixture(fixtures.TempDir()).path
        cloud = fakes.FakeCloud().start()
        self.addCleanup(cloud.stop)
        accounts = os.path.join(self.tmp, 'accounts.yaml')
        fakes.write_accounts(accounts)
        self.targets = ['icmp:' + self.host.address,
                        '%s:%d' % (self.host.address, PORT)]
        self.settings = dict(obs_settings.DEFAULTS)
        self.settings.update(
            run_id='dp', state_dir=self.tmp, accounts_file=accounts,
            identity_uri=cloud.url + '/identity/v3', services=['identity'],
            rate=RATE, dataplane_rate=RATE, probe_timeout=0.5,
            flush_interval=0.2, dataplane_targets=self.targets)
        self.store = store_api.open_store(
            'sqlite:///' + os.path.join(self.tmp, 'store.db'))
        self.addCleanup(self.store.close)

    def test_link_down_window_is_measured_on_both_targets(self):
        runner = obs_runner.Runner(self.settings, self.store,
                                   mode='attached')
        runner.setup()
        runner.start_observers()
        try:
            time.sleep(1.5)
            down_at = time.time()
            self.host.link('down')
            time.sleep(2.0)
            self.host.link('up')
            up_at = time.time()
            time.sleep(1.5)
        finally:
            runner.request_stop('test')
            runner.shutdown()
        measured = up_at - down_at
        analysis = downtime.analyse_run(self.store, 'dp',
                                        baseline_seconds=1.0)
        tolerance = max(1.0 / RATE, 0.1)
        for target in self.targets:
            figures = analysis['dataplane'][target]
            self.assertEqual(1, len(figures['downtime_windows']),
                             (target, figures['downtime_windows']))
            window = figures['downtime_windows'][0]
            self.assertLessEqual(
                abs(window['duration'] - measured), tolerance,
                '%s: observer %.3f s, link down %.3f s' % (
                    target, window['duration'], measured))
            self.assertLessEqual(abs(window['start'] - down_at), tolerance,
                                 target)
