from oslo_serialization import jsonutils as json
from tempest.lib import exceptions as lib_exc
from tempest.tests.lib import fake_auth_provider
from tempest.tests.lib import fake_http

from upgrade_tempest_plugin.services import version_client
from upgrade_tempest_plugin.unit_tests import base


class TestUnversionedUrl(base.TestCase):

    def test_cases(self):
        cases = {
            'http://h:8774/v2.1/abc': 'http://h:8774/',
            'http://h:8774/v2.1': 'http://h:8774/',
            'http://h/identity/v3': 'http://h/identity/',
            'http://h/identity/v3/': 'http://h/identity/',
            'http://h:8778': 'http://h:8778/',
            'http://h:8778/placement': 'http://h:8778/placement/',
            'https://h:9696/v2.0/': 'https://h:9696/',
            'http://h:8776/v3/0123abcd': 'http://h:8776/',
            'http://h:8080/v1/AUTH_0123abcd': 'http://h:8080/',
        }
        for given, expected in cases.items():
            self.assertEqual(expected, version_client.unversioned_url(given),
                             given)


class TestVersionDocumentClient(base.TestCase):

    def _client(self, status, document):
        client = version_client.VersionDocumentClient(
            fake_auth_provider.FakeAuthProvider(), 'identity', 'regionOne')
        calls = []

        def fake_raw_request(url, method, headers=None, body=None, **kw):
            calls.append((url, method, headers))
            resp = fake_http.fake_http_response(
                {'content-type': 'application/json'}, status=status)
            return resp, json.dumps(document).encode()

        client.raw_request = fake_raw_request
        return client, calls

    def test_reads_root_with_token(self):
        document = {'versions': {'values': [{'id': 'v3.14',
                                             'status': 'stable'}]}}
        client, calls = self._client(300, document)
        result = client.show_version_document()
        self.assertEqual(document, dict(result))
        url, method, headers = calls[0]
        self.assertEqual('GET', method)
        self.assertTrue(url.endswith('/'))
        self.assertEqual('faketoken', headers['X-Auth-Token'])

    def test_error_status_raises(self):
        client, _ = self._client(
            500, {'error': {'message': 'down', 'code': 500}})
        self.assertRaises(lib_exc.ServerFault, client.show_version_document)

    def test_reads_a_path_below_the_root(self):
        client, calls = self._client(200, {'swift': {'version': '2.38.3'}})
        client.show_version_document(
            endpoint_url='http://h:8080/v1/AUTH_abc', path='info')
        self.assertEqual('http://h:8080/info', calls[0][0])
