"""The Swift backend against an in-memory object store (openstacksdk's
object_store calls it makes); a real Swift is the functional tests'."""

import os
import types

import fixtures
from openstack import exceptions as os_exc

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot.storage import remote
from upgrade_tempest_plugin.snapshot.storage import swift
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.snapshot import test_storage

HOUR = test_storage.HOUR
T0 = test_storage.T0


class FakeObjectStore(object):
    """Objects of one container: name -> (bytes, headers)."""

    def __init__(self):
        self.objects_ = {}
        self.calls = []

    def create_object(self, container, name, filename=None, data=None,
                      segment_size=None, **headers):
        self.calls.append(('create', name, segment_size))
        if filename is not None:
            with open(filename, 'rb') as f:
                data = f.read()
        elif hasattr(data, 'read'):
            data = data.read()
        self.objects_[name] = (data, dict(headers))

    def get_object_metadata(self, name, container):
        if name not in self.objects_:
            raise os_exc.NotFoundException()
        return self.objects_[name][1]

    def set_object_metadata(self, name, container, delete_after=None):
        self.objects_[name][1]['x-delete-after'] = str(delete_after)

    def stream_object(self, name, container):
        yield self.objects_[name][0]

    def download_object(self, name, container):
        if name not in self.objects_:
            raise os_exc.NotFoundException()
        return self.objects_[name][0]

    def delete_object(self, name, container, ignore_missing=True):
        self.objects_.pop(name, None)

    def objects(self, container, prefix=''):
        return [types.SimpleNamespace(name=n, content_length=None,
                                      _bytes=len(d))
                for n, (d, _h) in sorted(self.objects_.items())
                if n.startswith(prefix)]


class TestSwiftBackend(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            swift.DELETE_AFTER_ENV))
        self.store = FakeObjectStore()

    def backend(self):
        return swift.SwiftBackend(
            'snapshots', types.SimpleNamespace(object_store=self.store))

    def bundles(self):
        return [test_storage.make_bundle(self.tmp, name, {
            'cloud/db/keystone.sql': test_storage.DUMP,
            'run/store/runs.jsonl': name.encode()})
            for name in ('first', 'second')]

    def test_push_pull_dedup_prune(self):
        first, second = self.bundles()
        backend = self.backend()
        self.assertEqual('swift:snapshots', backend.where)
        remote.push(backend, first, clock=lambda: T0)
        index = remote.push(backend, second, clock=lambda: T0 + 24 * HOUR)
        self.assertEqual(1, index['shared_files'])
        self.assertEqual(3, len(backend.list_blobs()))
        # small blobs in one PUT
        self.assertIn(('create', 'blobs/%s.gz' % bundle.verify(
            first)['files'][0]['sha256'], None), self.store.calls)
        out = os.path.join(self.tmp, 'pulled.tar.gz')
        remote.pull(backend, 'first', out)
        self.assertEqual(bundle.verify(first), bundle.verify(out))
        removed, _freed = remote.prune(backend,
                                       clock=lambda: T0 + 49 * HOUR)
        self.assertEqual(['first'], removed)
        self.assertEqual(['second'],
                         [i['name'] for i in backend.list_indexes()])
        self.assertEqual(2, len(backend.list_blobs()))
        self.assertIsNone(backend.get_index('first'))

    def test_delete_after_on_index_and_every_blob_used(self):
        self.useFixture(fixtures.EnvironmentVariable(
            swift.DELETE_AFTER_ENV, '3d'))
        first, second = self.bundles()
        backend = self.backend()
        remote.push(backend, first, clock=lambda: T0)
        for _data, headers in self.store.objects_.values():
            self.assertEqual('259200', headers['x-delete-after'])
        # the shared blob gets the later expiry again at the second push
        for _data, headers in self.store.objects_.values():
            headers['x-delete-after'] = 'old'
        remote.push(backend, second, clock=lambda: T0)
        stale = [n for n, (_d, h) in self.store.objects_.items()
                 if h['x-delete-after'] == 'old']
        self.assertEqual(['blobs/%s.gz' % f['sha256']
                          for f in bundle.verify(first)['files']
                          if f['path'] == 'run/store/runs.jsonl'] +
                         ['bundles/first.json'], sorted(stale))

    def test_large_blob_in_segments(self):
        self.useFixture(fixtures.MockPatchObject(swift, 'SEGMENT_SIZE', 10))
        first, _second = self.bundles()
        remote.push(self.backend(), first, clock=lambda: T0)
        segmented = [c for c in self.store.calls if c[2] == 10]
        self.assertEqual(2, len(segmented))

    def test_delete_after_under_48h_refused(self):
        self.useFixture(fixtures.EnvironmentVariable(
            swift.DELETE_AFTER_ENV, '24h'))
        exc = self.assertRaises(exceptions.UserError, self.backend)
        self.assertIn('less than the 48 h', str(exc))
