"""The object-storage profile against a real Swift from PyPI.

The sandbox cloud has no Swift, so this starts one of its own on loopback:
``swift==<the 2026.2 version of the release table>`` in a cached venv, a
proxy with tempauth, one account, container and object server each (one
device, one replica, rings built with ``swift-ring-builder``) and a
memcached for tempauth's tokens.  It checks what the profile assumes about
Swift's API: the ``/info`` document below the endpoint's root names the
release, the observers' probe of the account listing is answered (and a
bad token is classified as ``token_rejected``), and the health validator's
container/object round trip holds (ETag is the MD5 of the data).
"""

import asyncio
import hashlib
import json
import os
import socket
import subprocess

import fixtures
import testtools
import urllib3

from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.observers import service_probe
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import venvs
from upgrade_tempest_plugin.services import evidence
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.services import releases
from upgrade_tempest_plugin.services import version_client
from upgrade_tempest_plugin.store import models

SERIES = '2026.2'
VERSION = releases.HISTORY['object_storage'].read_from[SERIES]
HOST = '127.0.0.1'
SERVERS = ('account', 'container', 'object')


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _listens(port):
    """Whether something accepts connections on HOST:port."""
    try:
        socket.create_connection((HOST, port), timeout=1).close()
    except OSError:
        return False
    return True


def _write(path, text):
    with open(path, 'w') as f:
        f.write(text)


class SwiftFixture(fixtures.Fixture):
    """A real one-node Swift with tempauth, stopped (by pid) on cleanup."""

    def _setUp(self):
        venv = venvs.Venv(layout.Layout().venvs, 'swift-%s' % VERSION,
                          ['swift==%s' % VERSION])
        venv.ensure()
        root = self.useFixture(fixtures.TempDir()).path
        self.etc = os.path.join(root, 'etc')
        devices = os.path.join(root, 'srv')
        os.makedirs(os.path.join(devices, 'd1'))
        os.makedirs(self.etc)
        self.ports = {name: free_port() for name in SERVERS +
                      ('proxy', 'memcached')}
        _write(os.path.join(self.etc, 'swift.conf'),
               '[swift-hash]\nswift_hash_path_prefix = upgrade\n'
               'swift_hash_path_suffix = tempest\n\n'
               '[storage-policy:0]\nname = Policy-0\ndefault = yes\n')
        for name in SERVERS:
            builder = os.path.join(self.etc, '%s.builder' % name)
            ring = venv.bin('swift-ring-builder')
            for args in (['create', '8', '1', '1'],
                         ['add', 'r1z1-%s:%d/d1' % (HOST, self.ports[name]),
                          '1'],
                         ['rebalance']):
                subprocess.run([ring, builder] + args, check=True,
                               stdout=subprocess.DEVNULL)
            _write(os.path.join(self.etc, '%s-server.conf' % name),
                   '[DEFAULT]\nbind_ip = %s\nbind_port = %d\n'
                   'devices = %s\nmount_check = false\nswift_dir = %s\n'
                   'workers = 0\n\n[pipeline:main]\npipeline = %s-server\n\n'
                   '[app:%s-server]\nuse = egg:swift#%s\n' % (
                       HOST, self.ports[name], devices, self.etc, name,
                       name, name))
        filters = ('catch_errors', 'gatekeeper', 'healthcheck', 'cache',
                   'tempauth')
        proxy = [
            '[DEFAULT]', 'bind_ip = %s' % HOST,
            'bind_port = %d' % self.ports['proxy'],
            'swift_dir = %s' % self.etc, 'workers = 0', '',
            '[pipeline:main]', 'pipeline = %s proxy-server' % ' '.join(
                filters), '',
            '[app:proxy-server]', 'use = egg:swift#proxy',
            'account_autocreate = true', '']
        for name in filters:
            proxy += ['[filter:%s]' % name,
                      'use = egg:swift#%s' % name.replace('cache',
                                                          'memcache')]
            if name == 'cache':
                proxy.append('memcache_servers = %s:%d' % (
                    HOST, self.ports['memcached']))
            if name == 'tempauth':
                proxy.append('user_test_tester = testing .admin')
            proxy.append('')
        _write(os.path.join(self.etc, 'proxy-server.conf'),
               '\n'.join(proxy))
        log = open(os.path.join(root, 'swift.log'), 'w')
        self.addCleanup(log.close)
        self.log = log.name
        self._start(['/usr/bin/memcached', '-l', HOST, '-p',
                     str(self.ports['memcached']), '-U', '0', '-m', '16',
                     '-u', 'root'], log)
        for name in SERVERS + ('proxy',):
            self._start([venv.bin('swift-%s-server' % name),
                         os.path.join(self.etc, '%s-server.conf' % name)],
                        log)
        self.url = 'http://%s:%d' % (HOST, self.ports['proxy'])
        self.http = urllib3.PoolManager(retries=False, timeout=10)

        def not_ready():
            """The servers that do not answer yet (the proxy last).

            A healthy proxy is not enough: an account listing sent before
            the account server listens is a 503.
            """
            waiting = [name for name in SERVERS if not _listens(
                self.ports[name])]
            try:
                if self.http.request('GET', self.url +
                                     '/healthcheck').status != 200:
                    waiting.append('proxy')
            except urllib3.exceptions.HTTPError:
                waiting.append('proxy')
            return waiting

        try:
            waits.until(not_ready, 60, 0.3, done=lambda left: not left)
        except waits.TimedOut as exc:
            with open(self.log) as f:
                raise AssertionError('swift %s did not start:\n%s' % (
                    ', '.join(exc.last), f.read()))

    def _start(self, argv, log):
        process = subprocess.Popen(argv, stdout=log, stderr=log,
                                   stdin=subprocess.DEVNULL)

        def stop():
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.addCleanup(stop)

    def token(self):
        """(storage URL, token) of test:tester from tempauth."""
        resp = self.http.request('GET', self.url + '/auth/v1.0', headers={
            'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing'})
        assert resp.status == 200, resp.status
        return resp.headers['X-Storage-Url'], resp.headers['X-Auth-Token']


class SwiftProfileTest(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not os.path.exists('/usr/bin/memcached'):
            raise cls.skipException('memcached is not installed (the '
                                    'sandbox installs it)')

    def setUp(self):
        super().setUp()
        self.swift = self.useFixture(SwiftFixture())
        self.profile = registry.load_profiles()['object_storage']
        self.storage_url, self.token = self.swift.token()

    def test_info_names_the_release(self):
        url = (version_client.unversioned_url(self.storage_url) +
               self.profile.version_path)
        self.assertEqual(self.swift.url + '/info', url)
        resp = self.swift.http.request('GET', url)
        self.assertEqual(200, resp.status)
        document = json.loads(resp.data)
        ev = self.profile.parse_version_document(document,
                                                 endpoint=self.storage_url)
        self.assertEqual(VERSION, ev.current_id)
        self.assertIn('tempauth', ev.extensions)
        verdict = self.profile.name_release([ev])
        self.assertEqual((evidence.IDENTIFIED, SERIES),
                         (verdict.status, verdict.series), verdict.message)
        self.assertEqual(evidence.PASS, verdict.check(SERIES)[0])
        self.assertEqual(evidence.FAIL, verdict.check('2026.1')[0])

    def test_probe_of_the_account_listing(self):
        url = service_probe.probe_url(self.storage_url, self.profile)
        sample = asyncio.run(probe.http_probe(
            url, {'X-Auth-Token': self.token}, 2.0))
        self.assertEqual(models.OUTCOME_OK, sample['outcome'], sample)
        sample = asyncio.run(probe.http_probe(
            url, {'X-Auth-Token': 'AUTH_bogus'}, 2.0))
        self.assertEqual(models.OUTCOME_TOKEN_REJECTED, sample['outcome'],
                         sample)

    def test_container_object_round_trip(self):
        http = self.swift.http
        headers = {'X-Auth-Token': self.token}
        container = self.storage_url + '/upgrade-health-container'
        obj = container + '/object'
        data = os.urandom(4096)
        self.assertIn(http.request('PUT', container, headers=headers).status,
                      (201, 202))
        resp = http.request('PUT', obj, body=data, headers=headers)
        self.assertEqual(201, resp.status)
        self.assertEqual(hashlib.md5(data).hexdigest(),
                         resp.headers['Etag'].strip('"'))
        resp = http.request('GET', obj, headers=headers)
        self.assertEqual(data, resp.data)
        self.assertEqual(204, http.request('DELETE', obj,
                                           headers=headers).status)
        self.assertEqual(404, http.request('GET', obj,
                                           headers=headers).status)
        self.assertEqual(204, http.request('DELETE', container,
                                           headers=headers).status)
