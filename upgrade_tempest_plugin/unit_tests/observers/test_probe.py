"""Outcome classification against real sockets on 127.0.0.1."""

import asyncio

import fixtures
import urllib3

from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.observers import fakes


class ProbeTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = fakes.FakeCloud().start()
        self.addCleanup(self.cloud.stop)

    def _probe(self, url, timeout=1.0, headers=None):
        return asyncio.run(probe.http_probe(url, headers or {}, timeout))

    def test_ok(self):
        self.cloud.valid_tokens.add('t')
        sample = self._probe(self.cloud.url + '/compute/servers',
                             headers={'X-Auth-Token': 't'})
        self.assertEqual(models.OUTCOME_OK, sample['outcome'])
        self.assertEqual(200, sample['status'])
        self.assertGreaterEqual(sample['answered_at'], sample['sent_at'])
        self.assertIsNone(sample['detail'])

    def test_token_rejected(self):
        sample = self._probe(self.cloud.url + '/compute/servers',
                             headers={'X-Auth-Token': 'bad'})
        self.assertEqual(models.OUTCOME_TOKEN_REJECTED, sample['outcome'])

    def test_5xx_and_4xx(self):
        self.cloud.behaviour['compute'] = 500
        self.assertEqual(models.OUTCOME_HTTP_5XX, self._probe(
            self.cloud.url + '/compute')['outcome'])
        self.cloud.behaviour['compute'] = 404
        self.assertEqual(models.OUTCOME_HTTP_4XX, self._probe(
            self.cloud.url + '/compute')['outcome'])

    def test_keystone_unavailable_is_auth_failed(self):
        self.cloud.behaviour['compute'] = 'keystone-down'
        self.assertEqual(models.OUTCOME_AUTH_FAILED, self._probe(
            self.cloud.url + '/compute')['outcome'])

    def test_refused(self):
        sample = self._probe('http://127.0.0.1:%d/' % fakes.closed_port())
        self.assertEqual(models.OUTCOME_REFUSED, sample['outcome'])
        self.assertIsNone(sample['answered_at'])

    def test_reset(self):
        server = fakes.RawServer('reset')
        self.addCleanup(server.stop)
        self.assertEqual(models.OUTCOME_RESET,
                         self._probe(server.url)['outcome'])

    def test_timeout(self):
        server = fakes.RawServer('hang')
        self.addCleanup(server.stop)
        sample = self._probe(server.url, timeout=0.3)
        self.assertEqual(models.OUTCOME_TIMEOUT, sample['outcome'])
        self.assertGreaterEqual(sample['latency'], 0.29)
        self.assertLess(sample['latency'], 1.5)

    def test_dns(self):
        sample = self._probe('http://no-such-host.invalid/', timeout=0.5)
        self.assertEqual(models.OUTCOME_DNS, sample['outcome'])

    def test_tls(self):
        # A TLS handshake against a plain-HTTP server fails.
        url = self.cloud.url.replace('http://', 'https://') + '/compute'
        self.assertEqual(models.OUTCOME_TLS, self._probe(url)['outcome'])

    def test_https(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        cert, key = fakes.self_signed_certificate(tmp)
        cloud = fakes.FakeCloud().use_tls(cert, key).start()
        self.addCleanup(cloud.stop)
        url = cloud.url + '/compute'
        cloud.behaviour['compute'] = 404

        def outcome(context):
            return asyncio.run(
                probe.http_probe(url, {}, 2.0, context))['outcome']

        # An unknown issuer is a TLS failure, not an answer ...
        self.assertEqual(models.OUTCOME_TLS, outcome(None))
        # ... unless its CA is given, or verification is off.
        self.assertEqual(models.OUTCOME_HTTP_4XX,
                         outcome(probe.ssl_context(ca_certs=cert)))
        self.assertEqual(models.OUTCOME_HTTP_4XX,
                         outcome(probe.ssl_context(insecure=True)))
        # The blocking pool (tokens, honour requests) takes the same
        # settings.
        for tls in ({'ca_certs': cert}, {'insecure': True}):
            pool = probe.new_pool_manager(2, 2.0, **tls)
            self.assertEqual(404, pool.request('GET', url).status)
        self.assertRaises(urllib3.exceptions.SSLError,
                          probe.new_pool_manager(2, 2.0).request, 'GET', url,
                          retries=False)

    def test_tcp_probe(self):
        port = int(self.cloud.url.rsplit(':', 1)[1])
        self.assertEqual(models.OUTCOME_OK, asyncio.run(probe.tcp_probe(
            '127.0.0.1', port, 1.0))['outcome'])
        self.assertEqual(models.OUTCOME_REFUSED, asyncio.run(probe.tcp_probe(
            '127.0.0.1', fakes.closed_port(), 1.0))['outcome'])

    def test_classify_status(self):
        self.assertEqual(models.OUTCOME_OK, probe.classify_status(204))
        self.assertEqual(models.OUTCOME_OK, probe.classify_status(300))
        self.assertEqual(models.OUTCOME_AUTH_FAILED, probe.classify_status(
            401, b'{"error": "Keystone unavailable: boom"}'))
        self.assertEqual(models.OUTCOME_HTTP_5XX,
                         probe.classify_status(503, b'busy'))


class ProbeUrlTest(base.TestCase):

    def test_paths_and_queries(self):
        from upgrade_tempest_plugin.observers import service_probe
        from upgrade_tempest_plugin.services import registry
        profiles = registry.load_profiles()
        self.assertEqual(
            'http://h:8774/v2.1/servers?limit=1',
            service_probe.probe_url('http://h:8774/v2.1/',
                                    profiles['compute']))
        self.assertEqual(
            'http://h:8778', service_probe.probe_url('http://h:8778',
                                                     profiles['placement']))
        self.assertEqual(
            'http://h:8080/v1/AUTH_abc?limit=1&format=json',
            service_probe.probe_url('http://h:8080/v1/AUTH_abc',
                                    profiles['object_storage']))
