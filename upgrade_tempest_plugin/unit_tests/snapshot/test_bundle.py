"""The bundle: written atomically, read back, and a corpus it refuses."""

import gzip
import hashlib
import io
import json
import os
import tarfile

import fixtures
from testtools import content

from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot import manifest as manifest_mod
from upgrade_tempest_plugin.unit_tests import base


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def _manifest(contents, **extra):
    manifest = {'format_version': manifest_mod.FORMAT_VERSION,
                'run_id': 'r1', 'created_at': 1000.0, 'parts': ['run'],
                'files': [{'path': p, 'sha256': _sha(d), 'size': len(d)}
                          for p, d in contents]}
    manifest.update(extra)
    return manifest


def _member(name, data=b'', **attrs):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    return info, data


def _pack(path, members, compress=True):
    """A tar(.gz) of ``members``: (TarInfo, data) pairs, as given."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if info.isreg() else None)
    data = raw.getvalue()
    with open(path, 'wb') as f:
        f.write(gzip.compress(data) if compress else data)


def _manifest_member(manifest):
    return _member(manifest_mod.NAME, json.dumps(manifest).encode())


GOOD = [('run/store/runs.jsonl', b'{"id": "r1"}\n'),
        ('run/logs/observer.log', b'probe ok\n' * 100)]


class TestWriteRead(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.staging = os.path.join(self.tmp, 'staging')
        for rel, data in GOOD:
            path = os.path.join(self.staging, *rel.split('/'))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(data)

    def test_round_trip(self):
        manifest = bundle.build_manifest(self.staging, run_id='r1',
                                         created_at=1000.0, parts=['run'])
        out = os.path.join(self.tmp, 'b.tar.gz')
        size = bundle.write(out, self.staging, manifest)
        self.assertEqual(os.path.getsize(out), size)
        self.assertEqual(manifest, bundle.verify(out))
        dest = os.path.join(self.tmp, 'dest')
        bundle.extract(out, dest)
        for rel, data in GOOD:
            with open(os.path.join(dest, rel), 'rb') as f:
                self.assertEqual(data, f.read())
        self.assertEqual(
            sorted(p for p, _ in GOOD),
            [e['path'] for e in manifest['files']])
        # nothing but the bundle is left beside it (no temporary file)
        self.assertEqual(['b.tar.gz', 'dest', 'staging'],
                         sorted(os.listdir(self.tmp)))

    def test_failed_write_leaves_nothing(self):
        manifest = bundle.build_manifest(self.staging, run_id='r1',
                                         created_at=1000.0, parts=['run'])
        os.unlink(os.path.join(self.staging, 'run', 'logs',
                               'observer.log'))
        out = os.path.join(self.tmp, 'b.tar.gz')
        self.assertRaises(FileNotFoundError, bundle.write, out,
                          self.staging, manifest)
        self.assertEqual(['staging'], os.listdir(self.tmp))

    def test_staging_symlink_refused(self):
        os.symlink('/etc/passwd', os.path.join(self.staging, 'run', 'x'))
        self.assertRaises(ValueError, bundle.build_manifest, self.staging,
                          run_id='r1', created_at=1.0, parts=['run'])


def _corpus():
    """name -> (members or raw bytes, text the refusal must contain)."""
    good = [_manifest_member(_manifest(GOOD))] + [
        _member(p, d) for p, d in GOOD]
    evil = b'owned\n'
    corpus = {
        'dotdot': ([_manifest_member(_manifest(GOOD + [('../evil', evil)]))]
                   + good[1:] + [_member('../evil', evil)],
                   'unsafe member path'),
        'dotdot_unlisted': (good + [_member('run/../../evil', evil)],
                            'unsafe member path'),
        'absolute': (good + [_member('/tmp/evil', evil)],
                     'unsafe member path'),
        'symlink_out': (good + [_member('run/link', type=tarfile.SYMTYPE,
                                        linkname='/etc/passwd')],
                        'is a symlink'),
        'hardlink_out': (good + [_member('run/hard', type=tarfile.LNKTYPE,
                                         linkname='/etc/shadow')],
                         'is a hardlink'),
        'device': (good + [_member('run/dev', type=tarfile.CHRTYPE)],
                   'is a special file'),
        'directory': (good + [_member('run/dir', type=tarfile.DIRTYPE)],
                      'is a directory'),
        'checksum': ([good[0], good[1],
                      _member(GOOD[1][0], b'probe KO\n' * 100)],
                     'checksum mismatch'),
        'size_mismatch': ([good[0], good[1],
                           _member(GOOD[1][0], b'short')],
                          'the manifest says'),
        'missing_member': (good[:2], 'truncated bundle'),
        'unlisted': (good + [_member('run/extra', evil)],
                     'not in the manifest'),
        'duplicate': (good + [good[1]], 'appears twice'),
        'unknown_version': ([_manifest_member(_manifest(
            GOOD, format_version=99))] + good[1:],
            'unknown bundle format version 99'),
        'no_manifest_first': (good[1:] + good[:1], 'not manifest.json'),
        'manifest_not_json': ([_member(manifest_mod.NAME, b'{nope')]
                              + good[1:], 'not JSON'),
        'manifest_schema': ([_manifest_member(_manifest(
            GOOD, files=[{'path': 'a', 'sha256': 'x', 'size': 1}]))],
            'invalid manifest'),
        'manifest_dup_path': ([_manifest_member(_manifest(GOOD + GOOD))]
                              + good[1:], 'twice'),
        'empty': ([], 'no manifest'),
    }
    return corpus


class TestRefused(base.TestCase):
    """Each bundle of the corpus is refused and nothing is written."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(self.tmp, 'bad.tar.gz')
        self.dest = os.path.join(self.tmp, 'dest')

    def assertRefused(self, text, max_size=bundle.DEFAULT_MAX_SIZE):
        before = sorted(os.listdir(self.tmp))
        exc = self.assertRaises(bundle.BundleError, bundle.extract,
                                self.path, self.dest, max_size)
        self.assertIn(text, str(exc))
        self.assertNotIn('\n', str(exc))
        self.assertEqual(before, sorted(os.listdir(self.tmp)))
        self.assertFalse(os.path.exists(self.dest))
        for outside in ('/tmp/evil', os.path.join(self.tmp, 'evil')):
            self.assertFalse(os.path.exists(outside))

    def test_corpus(self):
        corpus = _corpus()
        self.assertGreaterEqual(len(corpus), 10)
        for name, (members, text) in corpus.items():
            _pack(self.path, members)
            try:
                self.assertRefused(text)
            except Exception:
                self.addDetail('case', content.text_content(name))
                raise

    def test_truncated(self):
        _pack(self.path, [_manifest_member(_manifest(GOOD))] + [
            _member(p, d) for p, d in GOOD])
        with open(self.path, 'rb') as f:
            data = f.read()
        with open(self.path, 'wb') as f:
            f.write(data[:len(data) // 2])
        self.assertRefused('truncated or not a bundle')

    def test_not_gzip(self):
        _pack(self.path, [_manifest_member(_manifest(GOOD))], compress=False)
        self.assertRefused('truncated or not a bundle')

    def test_over_size_cap(self):
        _pack(self.path, [_manifest_member(_manifest(GOOD))] + [
            _member(p, d) for p, d in GOOD])
        self.assertRefused('more than the 100 allowed', max_size=100)

    def test_bomb_over_size_cap(self):
        # Small compressed, large once inflated: the manifest's sizes sum
        # over the cap.
        big = b'\0' * (1024 * 1024)
        files = [('run/zeros', big)]
        _pack(self.path, [_manifest_member(_manifest(files)),
                          _member('run/zeros', big)])
        self.assertLess(os.path.getsize(self.path), 64 * 1024)
        self.assertRefused('more than the 65536 allowed', max_size=65536)

    def test_changed_between_verify_and_extract(self):
        good = [_manifest_member(_manifest(GOOD))] + [
            _member(p, d) for p, d in GOOD]
        _pack(self.path, good)
        real_scan = bundle._scan
        calls = []

        def scan(path, max_size, sink=None):
            if calls:
                # the file is swapped after the first (verifying) read
                _pack(self.path, good[:2] + [
                    _member(GOOD[1][0], b'probe KO\n' * 100)])
            calls.append(sink)
            return real_scan(path, max_size, sink)

        self.useFixture(fixtures.MockPatchObject(bundle, '_scan', scan))
        exc = self.assertRaises(bundle.BundleError, bundle.extract,
                                self.path, self.dest)
        self.assertIn('checksum mismatch', str(exc))
        self.assertFalse(os.path.exists(self.dest))
