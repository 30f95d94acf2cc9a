"""Write a bundle atomically; read one only after checking all of it.

:func:`write` packs a staging directory (the exporter copies what it takes
there first, so a log that grows meanwhile cannot make the checksum lie)
into ``manifest.json`` followed by every file, in a temporary file beside
the target that is renamed over it at the end: a crash leaves no half
bundle under the target name.

:func:`verify` reads the whole bundle without writing anything and raises
:class:`~.manifest.BundleError` (one line, exit code 2) for a path outside
the bundle's root (``../``, absolute), a member that is not a regular
file (symlink, hardlink, device, directory), a member the manifest does
not list or one it lists that is missing, a size or SHA-256 mismatch, a
truncated or corrupt archive, an unknown format version, or more bytes
than ``max_size``.  :func:`extract` verifies first, then extracts into a
new directory, checking again as it writes (the file may have changed
between the two reads); on any error that directory is removed.
"""

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib

from upgrade_tempest_plugin.snapshot import manifest as manifest_mod

BundleError = manifest_mod.BundleError
#: Default size cap of a bundle, compressed and uncompressed.
DEFAULT_MAX_SIZE = 8 * 1024 ** 3
#: The manifest itself is small; a larger one is refused before parsing.
MAX_MANIFEST_SIZE = 16 * 1024 ** 2
_CHUNK = 1024 * 1024


def file_digest(path):
    """(sha256 hex, size) of the file at ``path``."""
    digest = hashlib.sha256()
    size = 0
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(_CHUNK), b''):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def staged_files(staging):
    """Relative paths of the regular files under ``staging``, sorted."""
    found = []
    for top, dirs, files in os.walk(staging):
        for name in dirs + files:
            full = os.path.join(top, name)
            if os.path.islink(full):
                raise ValueError('staging holds a symlink: %s' % full)
        for name in files:
            rel = os.path.relpath(os.path.join(top, name), staging)
            found.append(manifest_mod.check_path(rel.replace(os.sep, '/')))
    return sorted(found)


def build_manifest(staging, **fields):
    """The manifest of the files under ``staging`` plus ``fields``."""
    files = []
    for rel in staged_files(staging):
        sha, size = file_digest(os.path.join(staging, rel))
        files.append({'path': rel, 'sha256': sha, 'size': size})
    manifest = dict(fields, format_version=manifest_mod.FORMAT_VERSION,
                    files=files)
    return manifest_mod.check(manifest)


def _tarinfo(name, size, mtime):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o644
    info.type = tarfile.REGTYPE
    return info


def write(path, staging, manifest):
    """Pack ``staging`` (described by ``manifest``) into ``path`` atomically.

    Returns the bundle's size in bytes.
    """
    path = os.path.abspath(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path),
                               prefix='.%s.' % os.path.basename(path),
                               suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as raw:
            with tarfile.open(fileobj=raw, mode='w:gz', compresslevel=6,
                              format=tarfile.PAX_FORMAT) as tar:
                data = json.dumps(manifest, indent=1,
                                  sort_keys=True).encode()
                tar.addfile(_tarinfo(manifest_mod.NAME, len(data),
                                     manifest['created_at']),
                            _BytesReader(data))
                for entry in manifest['files']:
                    with open(os.path.join(staging, entry['path']),
                              'rb') as f:
                        tar.addfile(_tarinfo(entry['path'], entry['size'],
                                             manifest['created_at']), f)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return os.path.getsize(path)


class _BytesReader(object):
    def __init__(self, data):
        self._data = data
        self._pos = 0

    def read(self, size=-1):
        end = len(self._data) if size < 0 else self._pos + size
        chunk = self._data[self._pos:end]
        self._pos += len(chunk)
        return chunk


def _kind(member):
    if member.issym():
        return 'a symlink'
    if member.islnk():
        return 'a hardlink'
    if member.isdir():
        return 'a directory'
    return 'a special file'


def _scan(path, max_size, sink=None):
    """Read and check every member; ``sink(rel, chunks)`` may write them."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise BundleError('%s: %s' % (path, exc.strerror))
    if size > max_size:
        raise BundleError('%s is %d bytes, more than the %d allowed'
                          % (path, size, max_size))
    try:
        with tarfile.open(path, mode='r|gz') as tar:
            return _scan_members(tar, max_size, sink)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BundleError('%s is truncated or not a bundle (%s)'
                          % (path, str(exc)[:200] or type(exc).__name__))


def _scan_members(tar, max_size, sink):
    manifest = None
    expected = {}
    seen = set()
    read_total = 0
    for member in tar:
        if manifest is None:
            manifest = _read_manifest(tar, member)
            if manifest_mod.total_size(manifest) > max_size:
                raise BundleError(
                    'the bundle holds %d bytes, more than the %d allowed'
                    % (manifest_mod.total_size(manifest), max_size))
            expected = {e['path']: e for e in manifest['files']}
            continue
        name = member.name
        if not member.isreg():
            raise BundleError('member %r is %s' % (name[:200],
                                                   _kind(member)))
        manifest_mod.check_path(name)
        entry = expected.get(name)
        if entry is None:
            raise BundleError('member %r is not in the manifest'
                              % name[:200])
        if name in seen:
            raise BundleError('member %r appears twice' % name)
        seen.add(name)
        if member.size != entry['size']:
            raise BundleError('member %r is %d bytes, the manifest says %d'
                              % (name, member.size, entry['size']))
        read_total += member.size
        if read_total > max_size:
            raise BundleError('the bundle holds more than the %d bytes '
                              'allowed' % max_size)
        digest = hashlib.sha256()
        f = tar.extractfile(member)
        chunks = _hashed_chunks(f, digest)
        if sink is None:
            for _chunk in chunks:
                pass
        else:
            sink(name, chunks)
        if digest.hexdigest() != entry['sha256']:
            raise BundleError('checksum mismatch in member %r' % name)
    if manifest is None:
        raise BundleError('empty archive, no manifest')
    missing = sorted(set(expected) - seen)
    if missing:
        raise BundleError('truncated bundle: %d listed file(s) missing, '
                          'first %r' % (len(missing), missing[0]))
    return manifest


def _hashed_chunks(f, digest):
    for chunk in iter(lambda: f.read(_CHUNK), b''):
        digest.update(chunk)
        yield chunk


def _read_manifest(tar, member):
    if member.name != manifest_mod.NAME or not member.isreg():
        raise BundleError('the first member is %r, not %s'
                          % (member.name[:200], manifest_mod.NAME))
    if member.size > MAX_MANIFEST_SIZE:
        raise BundleError('the manifest is %d bytes, more than %d'
                          % (member.size, MAX_MANIFEST_SIZE))
    try:
        data = json.loads(tar.extractfile(member).read().decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError('the manifest is not JSON (%s)' % str(exc)[:200])
    return manifest_mod.check(data)


def read_manifest(path):
    """The manifest alone (first member), checked; for listings only."""
    try:
        with tarfile.open(path, mode='r|gz') as tar:
            for member in tar:
                return _read_manifest(tar, member)
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise BundleError('%s is not a bundle (%s)'
                          % (path, str(exc)[:200] or type(exc).__name__))
    raise BundleError('%s: empty archive, no manifest' % path)


def verify(path, max_size=DEFAULT_MAX_SIZE):
    """The manifest of the bundle at ``path`` once all of it is checked."""
    return _scan(path, max_size)


def extract(path, dest, max_size=DEFAULT_MAX_SIZE):
    """Verify, then extract into ``dest`` (created; must not exist).

    Returns the manifest.  On any error ``dest`` is removed again.
    """
    verify(path, max_size)
    os.makedirs(dest)
    dest_fd_root = os.path.abspath(dest)

    def sink(rel, chunks):
        target = os.path.join(dest_fd_root, *rel.split('/'))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL |
                     os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, 'wb') as f:
            for chunk in chunks:
                f.write(chunk)

    try:
        return _scan(path, max_size, sink)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
