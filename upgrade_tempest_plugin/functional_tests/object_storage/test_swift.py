"""The object-storage profile against the sandbox's real Swift.

The sandbox runs Swift from PyPI at the version of its release (a proxy
with keystonemiddleware's authtoken and Swift's keystoneauth, one account,
container and object server on a plain directory, rings of one device).
Needs a running sandbox at ``UPGRADE_TEMPEST_SANDBOX_DIR`` (or the
default), used read-only apart from a container of its own, as a
non-admin member (clouds.yaml ``sandbox-demo``).  It checks what the
profile assumes about Swift's API: the ``/info`` document below the
endpoint's root names the release the sandbox runs, the observers' probe
of the account listing is answered (and a bad token is classified as
``token_rejected``), the health validator's container/object round trip
holds (ETag is the MD5 of the data), and keystoneauth keeps one project's
member out of another project's account.
"""

import asyncio
import hashlib
import json
import os
import uuid

import testtools
import urllib3

from upgrade_tempest_plugin.functional_tests import sandbox_admin
from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.observers import service_probe
from upgrade_tempest_plugin.sandbox import layout as layout_mod
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import state as statemod
from upgrade_tempest_plugin.services import evidence
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.services import version_client
from upgrade_tempest_plugin.store import models


class SandboxSwift(object):
    """The sandbox's Swift as one of its test accounts sees it."""

    def __init__(self, cloud='sandbox-demo'):
        self.layout = layout_mod.Layout()
        st = statemod.load(self.layout)
        if st is None or 'swift' not in st['services']:
            raise AssertionError(
                'no sandbox with Swift at %s: run "upgrade-tempest sandbox '
                'up --release 2026.1" first' % self.layout.root)
        self.info = st['services']['swift']
        # the sandbox's admin helper, with a member's entry
        self.conn = sandbox_admin.connection(self.layout.path('clouds.yaml'),
                                             cloud)
        self.storage_url = self.conn.object_store.get_endpoint()
        self.token = self.conn.auth_token
        self.http = urllib3.PoolManager(retries=False, timeout=10)

    def close(self):
        self.conn.close()


class SwiftProfileTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.swift = SandboxSwift()
        self.addCleanup(self.swift.close)
        self.profile = registry.load_profiles()['object_storage']
        self.storage_url = self.swift.storage_url
        self.token = self.swift.token

    def test_info_names_the_release(self):
        url = (version_client.unversioned_url(self.storage_url) +
               self.profile.version_path)
        self.assertEqual(self.storage_url.split('/v1/')[0] + '/info', url)
        resp = self.swift.http.request('GET', url)
        self.assertEqual(200, resp.status)
        document = json.loads(resp.data)
        ev = self.profile.parse_version_document(document,
                                                 endpoint=self.storage_url)
        series = self.swift.info['series']
        self.assertEqual(self.swift.info['version'], ev.current_id)
        self.assertEqual(pins.version(series, 'swift'), ev.current_id)
        # the middlewares that register in /info (keystoneauth does not)
        self.assertIn('slo', ev.extensions)
        self.assertNotIn('tempauth', ev.extensions)
        verdict = self.profile.name_release([ev])
        self.assertEqual((evidence.IDENTIFIED, series),
                         (verdict.status, verdict.series), verdict.message)
        self.assertEqual(evidence.PASS, verdict.check(series)[0])
        other = [s for s in pins.series_list() if s != series][-1]
        self.assertEqual(evidence.FAIL, verdict.check(other)[0])

    def test_probe_of_the_account_listing(self):
        url = service_probe.probe_url(self.storage_url, self.profile)
        sample = asyncio.run(probe.http_probe(
            url, {'X-Auth-Token': self.token}, 5.0))
        self.assertEqual(models.OUTCOME_OK, sample['outcome'], sample)
        sample = asyncio.run(probe.http_probe(
            url, {'X-Auth-Token': 'gAAAAABbogus'}, 5.0))
        self.assertEqual(models.OUTCOME_TOKEN_REJECTED, sample['outcome'],
                         sample)

    def test_container_object_round_trip(self):
        http = self.swift.http
        headers = {'X-Auth-Token': self.token}
        container = '%s/upgrade-functional-%s' % (
            self.storage_url, uuid.uuid4().hex)
        obj = container + '/object'
        data = os.urandom(4096)
        self.assertIn(http.request('PUT', container, headers=headers).status,
                      (201, 202))
        self.addCleanup(http.request, 'DELETE', container, headers=headers)
        resp = http.request('PUT', obj, body=data, headers=headers)
        self.assertEqual(201, resp.status)
        self.addCleanup(http.request, 'DELETE', obj, headers=headers)
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

    def test_another_projects_member_is_refused(self):
        other = SandboxSwift('sandbox-demo2')
        self.addCleanup(other.close)
        self.assertNotEqual(self.storage_url, other.storage_url)
        # demo2's member on demo's account: authenticated, not authorized
        resp = self.swift.http.request('GET', self.storage_url, headers={
            'X-Auth-Token': other.token})
        self.assertEqual(403, resp.status)
        resp = self.swift.http.request('GET', other.storage_url, headers={
            'X-Auth-Token': other.token})
        self.assertIn(resp.status, (200, 204))
