"""Bundles through the sandbox's real Swift, as a non-admin member.

The CLI pushes, lists and pulls through ``swift:CONTAINER`` with
openstacksdk configured from the environment (the sandbox's clouds.yaml,
``OS_CLOUD=sandbox-demo``: Keystone's catalog names the sandbox's
object-store); prune runs with an injected clock: a bundle younger than
48 h stays, an older one goes, with the blobs only it used.
``X-Delete-After`` is checked on what Swift stored.  Runs before
test_snapshot, which destroys the sandbox; each test has a container of
its own and removes it.
"""

import json
import os
import subprocess
import sys

import uuid

import fixtures
from openstack import exceptions
import testtools

from upgrade_tempest_plugin import exceptions as plugin_exceptions
from upgrade_tempest_plugin.functional_tests.object_storage import (
    test_swift)
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot.storage import remote
from upgrade_tempest_plugin.snapshot.storage import swift

HOUR = 3600.0
CLOUD = 'sandbox-demo'


def make_bundle(tmp, name, files):
    staging = os.path.join(tmp, 'staging-' + name)
    for rel, data in files.items():
        path = os.path.join(staging, *rel.split('/'))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)
    manifest = bundle.build_manifest(staging, run_id='run-' + name,
                                     created_at=1.0e9, parts=['run'])
    path = os.path.join(tmp, name + '.tar.gz')
    bundle.write(path, staging, manifest)
    return path


class TestSwiftStorage(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.swift = test_swift.SandboxSwift(CLOUD)
        self.addCleanup(self.swift.close)
        self.container = 'snapshots-' + uuid.uuid4().hex[:8]
        self.addCleanup(self.remove_container)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env.update(OS_CLIENT_CONFIG_FILE=self.swift.layout.path(
            'clouds.yaml'), OS_CLOUD=CLOUD)
        self.env[swift.DELETE_AFTER_ENV] = '72h'
        dump = os.urandom(512 * 1024)
        self.first = make_bundle(self.tmp, 'first', {
            'cloud/db/nova.sql': dump, 'run/x': b'1'})
        self.second = make_bundle(self.tmp, 'second', {
            'cloud/db/nova.sql': dump, 'run/x': b'2'})

    def remove_container(self):
        store = self.swift.conn.object_store
        try:
            objects = list(store.objects(self.container))
        except exceptions.NotFoundException:
            return
        for obj in objects:
            store.delete_object(obj, container=self.container,
                                ignore_missing=True)
        store.delete_container(self.container, ignore_missing=True)

    def cli(self, *args):
        proc = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable),
                          'upgrade-tempest')] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=self.env)
        self.assertEqual(0, proc.returncode, proc.stderr)
        return json.loads(proc.stdout) if '-f' in args else proc.stdout

    def test_push_list_pull_through_swift(self):
        remote_spec = 'swift:' + self.container
        pushed = self.cli('snapshot', 'push', self.first, '--to',
                          remote_spec, '-f', 'json')
        self.assertEqual(0, pushed['shared_files'])
        pushed = self.cli('snapshot', 'push', self.second, '--to',
                          remote_spec, '-f', 'json')
        self.assertEqual(1, pushed['shared_files'])
        self.assertEqual(512 * 1024, pushed['shared_bytes'])
        listed = self.cli('snapshot', 'list', '--remote', remote_spec,
                          '-f', 'json')
        self.assertEqual(['first', 'second'], [r['name'] for r in listed])
        self.assertEqual({'swift:' + self.container},
                         {r['where'] for r in listed})
        out = os.path.join(self.tmp, 'pulled')
        os.makedirs(out)
        pulled = self.cli('snapshot', 'pull', 'first', '--from',
                          remote_spec, '-o', out, '-f', 'json')
        self.assertEqual(bundle.verify(self.first),
                         bundle.verify(pulled['path']))
        # Swift will expire what was pushed (72 h from the push)
        store = self.swift.conn.object_store
        for obj in store.objects(self.container):
            meta = store.get_object_metadata(obj.name,
                                             container=self.container)
            self.assertIsNotNone(meta.delete_at, obj.name)

    def test_prune_keeps_young_removes_old(self):
        self.useFixture(fixtures.EnvironmentVariable(swift.DELETE_AFTER_ENV))
        backend = swift.SwiftBackend(self.container, self.swift.conn)
        backend.conn.object_store.create_container(self.container)
        t0 = 2.0e9
        remote.push(backend, self.first, clock=lambda: t0)
        remote.push(backend, self.second, clock=lambda: t0 + 30 * HOUR)
        removed, freed = remote.prune(backend,
                                      clock=lambda: t0 + 50 * HOUR)
        self.assertEqual(['first'], removed)
        self.assertGreater(freed, 0)
        self.assertEqual(['second'],
                         [i['name'] for i in backend.list_indexes()])
        self.assertEqual(2, len(backend.list_blobs()))
        self.assertRaises(plugin_exceptions.UserError, remote.delete, backend,
                          'second', lambda: t0 + 50 * HOUR)
        remote.delete(backend, 'second', lambda: t0 + 50 * HOUR,
                      force=True)
        self.assertEqual({}, backend.list_blobs())
