"""Storage servers: push/pull/list/delete/prune, retention, dedup, CLI."""

import gzip
import io
import json
import os

import fixtures

from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot import exporter
from upgrade_tempest_plugin.snapshot import remote_commands
from upgrade_tempest_plugin.snapshot.storage import directory
from upgrade_tempest_plugin.snapshot.storage import remote
from upgrade_tempest_plugin.unit_tests import base

HOUR = 3600.0
T0 = 1_800_000_000.0


def make_bundle(tmp, name, files, created_at=T0):
    """A bundle named ``name`` holding ``files`` {path: bytes}."""
    staging = os.path.join(tmp, 'staging-' + name)
    for rel, data in files.items():
        path = os.path.join(staging, *rel.split('/'))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)
    manifest = bundle.build_manifest(
        staging, run_id='run-' + name, created_at=created_at,
        parts=['run', 'cloud'], releases={'before': '2026.1',
                                          'after': '2026.2'})
    path = os.path.join(tmp, name + remote.SUFFIX)
    bundle.write(path, staging, manifest)
    return path


# A database dump that does not change between two exports, and one that
# does; random bytes so that compression does not hide the sharing.
DUMP = os.urandom(200 * 1024)


class TestDirectoryRemote(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.backend = directory.DirectoryBackend(
            os.path.join(self.tmp, 'server'))
        self.first = make_bundle(self.tmp, 'first', {
            'cloud/db/keystone.sql': DUMP, 'run/store/runs.jsonl': b'1\n'})
        self.second = make_bundle(self.tmp, 'second', {
            'cloud/db/keystone.sql': DUMP, 'run/store/runs.jsonl': b'2\n'})

    def test_push_pull_round_trip(self):
        index = remote.push(self.backend, self.first, clock=lambda: T0)
        self.assertEqual(2, len(index['manifest']['files']))
        out = os.path.join(self.tmp, 'pulled')
        os.makedirs(out)
        path, manifest = remote.pull(self.backend, 'first', out)
        self.assertEqual(os.path.join(out, 'first.tar.gz'), path)
        self.assertEqual(bundle.verify(self.first), bundle.verify(path))
        self.assertEqual(manifest, bundle.verify(path))

    def test_second_push_shares_unchanged_files(self):
        first = remote.push(self.backend, self.first, clock=lambda: T0)
        second = remote.push(self.backend, self.second, clock=lambda: T0)
        self.assertEqual(0, first['shared_files'])
        self.assertEqual(1, second['shared_files'])
        self.assertEqual(len(DUMP), second['shared_bytes'])
        self.assertLess(second['uploaded_bytes'], 1024)
        self.assertGreater(first['uploaded_bytes'], len(DUMP))
        self.assertEqual(3, len(self.backend.list_blobs()))

    def test_push_twice_refused(self):
        remote.push(self.backend, self.first, clock=lambda: T0)
        exc = self.assertRaises(exceptions.UserError, remote.push,
                                self.backend, self.first)
        self.assertIn('already on dir:', str(exc))

    def test_broken_bundle_not_pushed(self):
        with open(self.first, 'r+b') as f:
            f.truncate(100)
        self.assertRaises(bundle.BundleError, remote.push, self.backend,
                          self.first)
        self.assertEqual({}, self.backend.list_blobs())
        self.assertEqual([], self.backend.list_indexes())

    def test_corrupt_blob_refused_on_pull(self):
        index = remote.push(self.backend, self.first, clock=lambda: T0)
        sha = index['manifest']['files'][0]['sha256']
        other = os.path.join(self.tmp, 'other.gz')
        with gzip.open(other, 'wb') as f:
            f.write(b'tampered')
        self.backend.put_blob(sha, other)
        out = os.path.join(self.tmp, 'pulled.tar.gz')
        self.assertRaises(bundle.BundleError, remote.pull, self.backend,
                          'first', out)
        self.assertFalse(os.path.exists(out))

    def test_tampered_index_path_refused_on_pull(self):
        index = remote.push(self.backend, self.first, clock=lambda: T0)
        index['manifest']['files'][0]['path'] = '../../evil'
        self.backend.put_index('first', index)
        exc = self.assertRaises(bundle.BundleError, remote.pull,
                                self.backend, 'first',
                                os.path.join(self.tmp, 'x.tar.gz'))
        self.assertIn('unsafe member path', str(exc))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'evil')))

    def test_retention(self):
        remote.push(self.backend, self.first, clock=lambda: T0)
        remote.push(self.backend, self.second,
                    clock=lambda: T0 + 24 * HOUR)
        now = T0 + 49 * HOUR

        # 'second' is 25 h old: kept by prune, delete needs --force
        removed, freed = remote.prune(self.backend, clock=lambda: now)
        self.assertEqual(['first'], removed)
        # the shared dump stays: 'second' refers to it
        self.assertGreater(freed, 0)
        self.assertLess(freed, 1024)
        self.assertEqual(['second'], [
            i['name'] for i in self.backend.list_indexes()])
        self.assertEqual(2, len(self.backend.list_blobs()))
        exc = self.assertRaises(exceptions.UserError, remote.delete,
                                self.backend, 'second', lambda: now)
        self.assertIn('younger than the 48 h kept', str(exc))
        exc = self.assertRaises(exceptions.UserError, remote.prune,
                                self.backend, HOUR, lambda: now)
        self.assertIn('--force', str(exc))
        remote.delete(self.backend, 'second', lambda: now, force=True)
        self.assertEqual({}, self.backend.list_blobs())
        self.assertEqual([], self.backend.list_indexes())

    def test_parse_duration(self):
        self.assertEqual(48 * HOUR, remote.parse_duration('48h'))
        self.assertEqual(3 * 86400, remote.parse_duration('3d'))
        self.assertEqual(90 * 60, remote.parse_duration('90m'))
        self.assertEqual(10, remote.parse_duration('10'))
        self.assertRaises(exceptions.UserError, remote.parse_duration,
                          '2 weeks')

    def test_open_remote(self):
        self.assertIsInstance(remote.open_remote(self.tmp),
                              directory.DirectoryBackend)
        self.assertEqual('dir:' + self.tmp,
                         remote.open_remote('dir:' + self.tmp).where)
        exc = self.assertRaises(exceptions.UserError, remote.open_remote,
                                'ftp:x')
        self.assertIn("no storage backend 'ftp'", str(exc))
        self.useFixture(fixtures.EnvironmentVariable(remote.REMOTE_ENV))
        exc = self.assertRaises(exceptions.UserError, remote.open_remote,
                                None)
        self.assertIn('give --remote', str(exc))


class TestCommands(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.server = os.path.join(self.tmp, 'server')
        self.local = os.path.join(self.tmp, 'local')
        self.useFixture(fixtures.EnvironmentVariable(
            exporter.LOCAL_DIR_ENV, self.local))
        self.useFixture(fixtures.EnvironmentVariable(
            remote.REMOTE_ENV, 'dir:' + self.server))
        self.now = T0
        self.useFixture(fixtures.MockPatchObject(
            remote_commands._RemoteCommand, 'clock',
            staticmethod(lambda: self.now)))
        self.stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        os.makedirs(self.local)
        self.bundle = make_bundle(self.local, 'b1', {'run/x': b'x'},
                                  created_at=T0 - HOUR)

    def cli(self, *args):
        self.stdout.seek(0)
        self.stdout.truncate()
        self.stderr.seek(0)
        self.stderr.truncate()
        return main.main(list(args))

    def json_out(self):
        return json.loads(self.stdout.getvalue())

    def test_list_push_pull_prune(self):
        self.assertEqual(0, self.cli('snapshot', 'list', '-f', 'json'))
        self.assertEqual([{'name': 'b1', 'run': 'run-b1',
                           'releases': '2026.1 -> 2026.2',
                           'size': os.path.getsize(self.bundle),
                           'created': '2027-01-15T07:00:00Z',
                           'age': '1h00m', 'where': self.local}],
                         self.json_out())
        self.assertEqual(0, self.cli('snapshot', 'push', self.bundle,
                                     '-f', 'json'))
        self.assertEqual('dir:' + self.server, self.json_out()['where'])
        self.assertEqual(0, self.cli('snapshot', 'list', '--remote',
                                     'dir:' + self.server, '-f', 'json'))
        self.assertEqual(['b1'], [r['name'] for r in self.json_out()])
        self.assertEqual('0m00s', self.json_out()[0]['age'])
        os.unlink(self.bundle)
        self.assertEqual(0, self.cli('snapshot', 'pull', 'b1', '-f',
                                     'json'))
        self.assertEqual(self.bundle, self.json_out()['path'])
        bundle.verify(self.bundle)
        # younger than 48 h: prune keeps it, delete refuses
        self.now = T0 + 47 * HOUR
        self.assertEqual(0, self.cli('snapshot', 'prune', '-f', 'json'))
        self.assertEqual(0, self.json_out()['count'])
        self.assertEqual(2, self.cli('snapshot', 'delete', 'b1'))
        self.assertIn('--force', self.stderr.getvalue())
        self.now = T0 + 49 * HOUR
        self.assertEqual(0, self.cli('snapshot', 'prune', '-f', 'json'))
        self.assertEqual('b1', self.json_out()['removed'])
        self.assertEqual(0, self.cli('snapshot', 'list', '--remote',
                                     self.server, '-f', 'json'))
        self.assertEqual([], self.json_out())

    def test_bad_input_one_line(self):
        for args, text in (
                (('snapshot', 'push', os.path.join(self.tmp, 'nope')),
                 'no such file'),
                (('snapshot', 'pull', 'nope'), 'no bundle nope'),
                (('snapshot', 'pull', '../x'), 'bad bundle name'),
                (('snapshot', 'delete', 'nope'), 'no bundle nope'),
                (('snapshot', 'prune', '--older-than', 'soon'),
                 'duration'),
                (('snapshot', 'prune', '--older-than', '1h'), '--force'),
                (('snapshot', 'list', '--remote', 'ftp:x'),
                 'no storage backend')):
            self.assertEqual(2, self.cli(*args), args)
            lines = self.stderr.getvalue().splitlines()
            self.assertEqual(1, len(lines), lines)
            self.assertIn(text, lines[0])
