"""The sandbox end to end, on this machine, with no mock.

From no sandbox: ``sandbox up --release 2026.1``; the demo (member) user
creates a server, a volume, a volume-backed server, an image, a network and
a port; Tempest's smoke tests pass in the written workspace; ``sandbox
prepare`` stages 2026.2; ``sandbox upgrade --to 2026.2`` upgrades every
service while the observers probe it and Tempest's smoke tests run in a
loop, and the observers' downtime windows are held against what Tempest
saw; ``status`` shows the new versions; smoke passes again; ``sandbox
down`` leaves no process behind.

The steps depend on each other, so they are one test.  The sandbox lives in
$UPGRADE_TEMPEST_FUNCTIONAL_DIR (default: a ``functional-sandbox`` dir
beside the default sandbox); the venv cache is shared and kept.
"""

import configparser
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import unittest

from upgrade_tempest_plugin.analysis import tempest_witness
from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.functional_tests import sandbox_admin
from upgrade_tempest_plugin.sandbox import layout as layoutmod
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import venvs
from upgrade_tempest_plugin.sandbox import workspace
from upgrade_tempest_plugin.services import neutron_extensions
from upgrade_tempest_plugin import tempest_results

FROM, TO = '2026.1', '2026.2'
DIR_ENV = 'UPGRADE_TEMPEST_FUNCTIONAL_DIR'
# Ports shifted by 100 by default, so the test runs beside a sandbox at
# the default ports (a developer's or the demo's).
OFFSET_ENV = 'UPGRADE_TEMPEST_FUNCTIONAL_PORT_OFFSET'


def sandbox_dir():
    return os.environ.get(DIR_ENV) or os.path.join(
        os.path.dirname(layoutmod.default_dir()), 'functional-sandbox')


def cli(*args, sandbox=True):
    """Run ``upgrade-tempest ARGS`` as a user would; return stdout.

    A sandbox command gets ``--dir`` of the test's sandbox.
    """
    argv = [sys.executable, '-m', 'upgrade_tempest_plugin.cmd.main']
    argv += list(args) + (['--dir', sandbox_dir()] if sandbox else [])
    proc = subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(proc.stdout)
    if proc.returncode:
        raise AssertionError('upgrade-tempest %s: rc %d\n%s'
                             % (' '.join(args), proc.returncode,
                                proc.stdout[-3000:]))
    return proc.stdout


def wait(fetch, ready, what, timeout=180):
    deadline = time.monotonic() + timeout
    while True:
        res = fetch()
        if ready(res):
            return res
        if getattr(res, 'status', '').lower() == 'error':
            raise AssertionError('%s went to ERROR' % what)
        if time.monotonic() > deadline:
            raise AssertionError('%s not ready after %d s (status %s)'
                                 % (what, timeout, getattr(res, 'status',
                                                           None)))
        time.sleep(1)


class TempestLoop(threading.Thread):
    """Tempest's smoke tests in the workspace, run after run until stopped.

    Each run's subunit stream is kept (``stestr last --subunit``).
    """

    def __init__(self, workspace, tools):
        super().__init__(daemon=True)
        self.workspace, self.tools = workspace, tools
        self.stopping = threading.Event()
        self.streams = []

    def run(self):
        env = dict(os.environ, PYTHON=self.tools.python)
        while not self.stopping.is_set():
            subprocess.run(
                [self.tools.bin('tempest'), 'run', '--smoke',
                 '--concurrency', '2'], cwd=self.workspace, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.streams.append(subprocess.run(
                [self.tools.bin('stestr'), 'last', '--subunit'],
                cwd=self.workspace, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL).stdout)

    def stop(self):
        self.stopping.set()
        self.join(900)


class SandboxLifecycleTest(unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.layout = layoutmod.Layout(sandbox_dir())

    def connect(self, cloud='sandbox-demo'):
        import openstack.config
        import openstack.connection
        config = openstack.config.OpenStackConfig(
            config_files=[self.layout.path('clouds.yaml')])
        return openstack.connection.Connection(
            config=config.get_one(cloud))

    def demo_user_uses_the_cloud(self):
        conn = self.connect()
        name = 'functional-%d' % os.getpid()
        flavor = conn.compute.find_flavor('m1.tiny')
        image = conn.image.find_image('sandbox-image')
        net = conn.network.find_network('shared')
        created = []
        try:
            server = conn.compute.create_server(
                name=name, flavor_id=flavor.id, image_id=image.id,
                networks=[{'uuid': net.id}])
            created.append(server)
            wait(lambda: conn.compute.get_server(server),
                 lambda s: s.status == 'ACTIVE', 'server')

            volume = conn.block_storage.create_volume(name=name, size=1)
            created.append(volume)
            wait(lambda: conn.block_storage.get_volume(volume),
                 lambda v: v.status == 'available', 'volume')

            bfv = conn.compute.create_server(
                name=name + '-bfv', flavor_id=flavor.id,
                networks=[{'uuid': net.id}],
                block_device_mapping=[{
                    'boot_index': 0, 'uuid': image.id,
                    'source_type': 'image', 'destination_type': 'volume',
                    'volume_size': 1, 'delete_on_termination': True}])
            created.append(bfv)
            bfv = wait(lambda: conn.compute.get_server(bfv),
                       lambda s: s.status == 'ACTIVE',
                       'boot-from-volume server')
            self.assertTrue(bfv.attached_volumes)

            uploaded = conn.image.create_image(
                name=name, data=b'\0' * 65536, disk_format='raw',
                container_format='bare', visibility='private',
                allow_duplicates=True)
            created.append(uploaded)
            self.assertEqual('active', conn.image.get_image(uploaded).status)

            own_net = conn.network.create_network(name=name)
            created.append(own_net)
            subnet = conn.network.create_subnet(
                network_id=own_net.id, ip_version=4, cidr='10.200.0.0/24',
                name=name)
            created.append(subnet)
            port = conn.network.create_port(network_id=own_net.id,
                                            name=name)
            created.append(port)
            self.assertTrue(port.fixed_ips)
        finally:
            self.cleanup(conn, created)

    def cleanup(self, conn, created):
        for res in reversed(created):
            kind = type(res).__module__.split('.')[1]
            proxy = {'compute': conn.compute, 'block_storage':
                     conn.block_storage, 'image': conn.image,
                     'network': conn.network}[kind]
            delete = getattr(proxy, 'delete_' + type(res).__name__.lower())
            delete(res, ignore_missing=True)
            if kind == 'compute':
                proxy.wait_for_delete(res, wait=120)

    def tempest_smoke(self):
        tools = venvs.tools_venv(self.layout.venvs)
        # PYTHON picks the interpreter of the test workers: Tempest's own,
        # not the one running this test.
        env = dict(os.environ, PYTHON=tools.python)
        proc = subprocess.run(
            [tools.bin('tempest'), 'run', '--smoke', '--concurrency', '2'],
            cwd=self.layout.workspace, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env=env)
        tail = proc.stdout[-4000:]
        sys.stdout.write(tail)
        self.assertEqual(0, proc.returncode, tail)
        self.assertIn(' - Failed: 0', proc.stdout)

    def listed_network_extensions(self):
        """[network-feature-enabled] api_extensions of the workspace."""
        conf = configparser.ConfigParser()
        conf.read(os.path.join(self.layout.workspace, 'etc',
                               'tempest.conf'))
        return set(conf.get('network-feature-enabled',
                            'api_extensions').split(','))

    def steps(self):
        """The sandbox's upgrade steps (its events.jsonl), parsed."""
        with open(self.layout.events_file) as f:
            return [e for e in map(events.parse, f) if e is not None]

    def upgrade_observed_beside_tempest(self):
        """``sandbox upgrade`` with the observers and Tempest running.

        Checks that nothing was installed while the observers ran (the
        release was staged before), and that the observers' windows agree
        with Tempest: no window holds a request Tempest had answered
        quickly and successfully, and every connection-level failure of a
        Tempest test falls inside a window of that service.
        """
        conf = os.path.join(self.layout.workspace, 'etc', 'tempest.conf')
        state = self.layout.path('observed-upgrade')
        shutil.rmtree(state, ignore_errors=True)
        common = ['--config-file', conf, '--state-dir', state]
        tools = venvs.tools_venv(self.layout.venvs)
        loop = TempestLoop(self.layout.workspace, tools)
        begin = time.time()
        cli('observe', 'start', *common, sandbox=False)
        try:
            loop.start()
            time.sleep(20)   # a latency baseline before the first step
            cli('sandbox', 'upgrade', '--to', TO)
        finally:
            loop.stop()
            cli('observe', 'stop', *common, sandbox=False)
        # The whole analysis is one JSON line; cli() mixes in stderr,
        # where --json says it is deprecated.
        analysis = json.loads([line for line in cli(
            'analyse', '--json', '--no-verdicts', '--import-events',
            self.layout.events_file, *common, sandbox=False).splitlines()
            if line.startswith('{')][-1])
        observed_from = min(p['started_at']
                            for p in analysis['processes'])
        installs = [e for e in self.steps()
                    if str(e['detail']).startswith('installed ')
                    and e['ended'] > observed_from]
        self.assertEqual([], installs)

        with open(self.layout.path('state.json')) as f:
            offset = json.load(f).get('port_offset', 0)
        service_of_port = {
            ports.BASE[sb] + offset: name
            for sb, name in workspace.PROFILES.items()}
        with open(os.path.join(self.layout.workspace, 'logs',
                               'tempest.log')) as f:
            requests = tempest_witness.parse_log(f, since=begin)
        failures = [f for data in loop.streams
                    for f in tempest_witness.connection_failures(data)]
        windows = {name: figures['downtime_windows'] for name, figures in
                   analysis['services'].items()}
        served, missed = tempest_witness.contradictions(
            windows, requests, failures, service_of_port)
        summary = ['%s: %.1f s in %d windows %s' % (
            name, f['total_downtime'], len(f['downtime_windows']),
            ['%s %.1f s' % (w['step'], w['duration'])
             for w in f['downtime_windows']])
            for name, f in sorted(analysis['services'].items())]
        sys.stdout.write('observed upgrade: %d Tempest runs (%s), %d '
                         'requests, %d connection failures\n%s\n' % (
                             len(loop.streams), '; '.join(
                                 '%d passed, %d failed %s' % (
                                     p, len(f), f) for p, f, _ in (
                                     tempest_results.summarize(data)
                                     for data in loop.streams)),
                             len(requests), len(failures),
                             '\n'.join(summary)))
        self.assertGreater(len(requests), 100)
        self.assertEqual([], served)
        self.assertEqual([], missed)

    def status(self):
        rows = json.loads(cli('sandbox', 'status', '-f', 'json'))
        return {r['service']: r for r in rows}

    def assert_usable(self):
        """What a user's first requests need is there, without a wait.

        ``up`` and ``upgrade`` return only once cinder-scheduler has
        cinder-volume's pools (before, a volume create fails: "No valid
        backend") and nova's compute node has an inventory in placement and
        is mapped to a cell (os-hypervisors lists mapped hosts only).
        """
        conn = sandbox_admin.connection(self.layout.path('clouds.yaml'))
        try:
            self.assertTrue(list(conn.block_storage.backend_pools()),
                            'cinder-scheduler has no pool')
            hypervisors = {h.id: h for h in
                           conn.compute.hypervisors(details=True)}
            self.assertTrue(hypervisors, 'no hypervisor listed')
            self.assertEqual({('up', 'enabled')},
                             {(h.state, h.status)
                              for h in hypervisors.values()})
            with_inventory = {
                rp.id for rp in conn.placement.resource_providers()
                if list(conn.placement.resource_provider_inventories(rp))}
            self.assertTrue(set(hypervisors) & with_inventory,
                            'no hypervisor has an inventory in placement')
        finally:
            conn.close()

    def test_up_use_upgrade_down(self):
        cli('sandbox', 'destroy')
        cli('sandbox', 'up', '--release', FROM, '--port-offset',
            os.environ.get(OFFSET_ENV, '100'))
        self.addCleanup(cli, 'sandbox', 'down')
        self.assert_usable()
        before = self.status()
        for service in pins.SERVICES:
            self.assertEqual(pins.version(FROM, service),
                             before[service]['version'])
            self.assertEqual('up', before[service]['state'])
        self.demo_user_uses_the_cloud()
        self.tempest_smoke()
        # Extensions Neutron has only from TO on: tempest.conf names them
        # once Neutron is upgraded, not before.
        newer = {alias for alias, series in
                 neutron_extensions.FIRST_SEEN.items() if series == TO}
        self.assertTrue(newer)
        self.assertEqual(set(), newer & self.listed_network_extensions())

        cli('sandbox', 'prepare', '--release', TO)
        self.upgrade_observed_beside_tempest()
        self.assert_usable()
        after = self.status()
        for service in pins.SERVICES:
            self.assertEqual(pins.version(TO, service),
                             after[service]['version'])
            self.assertEqual(TO, after[service]['release'])
            self.assertEqual('up', after[service]['state'])
        healthy = {e['object'] for e in self.steps()
                   if e['action'] == 'health' and e['outcome'] == 'ok'
                   and e['to_version'] == pins.version(TO, e['object'])}
        self.assertEqual(set(pins.SERVICES), healthy)
        listed = self.listed_network_extensions()
        self.assertTrue(newer & listed, sorted(listed))
        self.demo_user_uses_the_cloud()
        self.tempest_smoke()

        groups = [int(p) for row in after.values()
                  for p in row['pid(s)'].split(',') if p.isdigit()]
        cli('sandbox', 'down')
        left = {g: procs.group_members(g) for g in groups}
        self.assertEqual({}, {g: m for g, m in left.items() if m})
