"""Push, pull, list, delete and prune bundles on a storage backend.

A remote is written ``SCHEME:LOCATION`` (``dir:/srv/snapshots``,
``swift:snapshots``); a bare path is a directory.  Its backend class is
the ``upgrade_tempest_plugin.snapshot_backends`` entry point named
``SCHEME`` (stevedore).

Retention: a bundle is kept at least :data:`MIN_RETENTION` seconds (48 h)
after it was pushed; ``delete`` of a younger one and ``prune`` with a
shorter age need ``force``.  Ages are measured from the index's
``pushed_at`` with the clock the caller gives, so tests set ages without
waiting.  Blobs no index refers to any more are removed by ``delete`` and
``prune``.
"""

import gzip
import importlib.metadata
import os
import re
import shutil
import tempfile
import time

import stevedore

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot import manifest as manifest_mod

NAMESPACE = 'upgrade_tempest_plugin.snapshot_backends'
REMOTE_ENV = 'UPGRADE_TEMPEST_SNAPSHOT_REMOTE'
MIN_RETENTION = 48 * 3600
SUFFIX = '.tar.gz'
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$')
_DURATION = re.compile(r'^(\d+(?:\.\d+)?)([smhd]?)$')
_UNITS = {'': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400}


def parse_duration(text):
    """Seconds of '90m', '48h', '3d', '3600s' or '3600'."""
    match = _DURATION.match(text.strip())
    if not match:
        raise exceptions.UserError(
            'duration %r: a number with an optional unit s, m, h or d'
            % text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def open_remote(spec):
    """The backend of ``spec`` (None: $UPGRADE_TEMPEST_SNAPSHOT_REMOTE)."""
    spec = spec or os.environ.get(REMOTE_ENV)
    if not spec:
        raise exceptions.UserError('no storage server: give --remote or '
                                   'set $%s' % REMOTE_ENV)
    scheme, sep, location = spec.partition(':')
    if not sep or os.sep in scheme or not scheme:
        scheme, location = 'dir', spec
    if not location:
        raise exceptions.UserError('remote %r names no location' % spec)
    # Checked here rather than through stevedore's missing-entry-point
    # callback, whose spelling changed across stevedore releases (and whose
    # old flag now warns on stderr).
    if scheme not in {ep.name for ep in
                      importlib.metadata.entry_points(group=NAMESPACE)}:
        raise exceptions.UserError('remote %r: no storage backend %r'
                                   % (spec, scheme))
    manager = stevedore.DriverManager(NAMESPACE, scheme, invoke_on_load=True,
                                      invoke_args=(location,))
    return manager.driver


def name_of(path):
    name = os.path.basename(path)
    if name.endswith(SUFFIX):
        name = name[:-len(SUFFIX)]
    return check_name(name)


def check_name(name):
    if not NAME_RE.match(name):
        raise exceptions.UserError('bad bundle name %r' % name[:200])
    return name


def push(backend, path, clock=time.time, max_size=bundle.DEFAULT_MAX_SIZE):
    """Store the bundle at ``path``; returns its index.

    Only files whose content hash the server lacks are uploaded; the
    index is written last, so a bundle is listed once all of it is there.
    """
    name = name_of(path)
    if backend.get_index(name) is not None:
        raise exceptions.UserError('%s is already on %s' % (
            name, backend.where))
    work = tempfile.mkdtemp(prefix='upgrade-tempest-push-')
    try:
        extracted = os.path.join(work, 'bundle')
        manifest = bundle.extract(path, extracted, max_size)
        uploaded = shared = shared_bytes = 0
        for entry in manifest['files']:
            sha = entry['sha256']
            if backend.has_blob(sha):
                shared += 1
                shared_bytes += entry['size']
                continue
            blob = os.path.join(work, sha + '.gz')
            with open(os.path.join(extracted, entry['path']), 'rb') as f, \
                    gzip.open(blob, 'wb', compresslevel=6) as out:
                shutil.copyfileobj(f, out)
            backend.put_blob(sha, blob)
            uploaded += os.path.getsize(blob)
            os.unlink(blob)
        index = {'name': name, 'manifest': manifest, 'pushed_at': clock(),
                 'size': os.path.getsize(path), 'uploaded_bytes': uploaded,
                 'shared_files': shared, 'shared_bytes': shared_bytes}
        backend.put_index(name, index)
        return index
    finally:
        shutil.rmtree(work, ignore_errors=True)


def pull(backend, name, output, max_size=bundle.DEFAULT_MAX_SIZE):
    """Rebuild bundle ``name`` at ``output``; returns (path, manifest).

    The index and every blob are checked (format, paths, sizes, hashes)
    before the bundle is written, atomically.
    """
    index = backend.get_index(check_name(name))
    if index is None:
        raise exceptions.UserError('no bundle %s on %s' % (name,
                                                           backend.where))
    manifest = manifest_mod.check(index.get('manifest'))
    if manifest_mod.total_size(manifest) > max_size:
        raise bundle.BundleError('%s holds %d bytes, more than the %d '
                                 'allowed' % (name, manifest_mod.total_size(
                                     manifest), max_size))
    if os.path.isdir(output):
        output = os.path.join(output, name + SUFFIX)
    work = tempfile.mkdtemp(prefix='upgrade-tempest-pull-')
    try:
        staging = os.path.join(work, 'staging')
        for entry in manifest['files']:
            blob = os.path.join(work, 'blob.gz')
            backend.get_blob(entry['sha256'], blob)
            target = os.path.join(staging, *entry['path'].split('/'))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _inflate(blob, target, entry['size'])
            sha, size = bundle.file_digest(target)
            if (sha, size) != (entry['sha256'], entry['size']):
                raise bundle.BundleError('blob %s of %s does not match its '
                                         'hash' % (entry['sha256'], name))
        bundle.write(output, staging, manifest)
        return os.path.abspath(output), manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _inflate(blob, target, limit):
    """Decompress, refusing to write more than ``limit`` bytes."""
    written = 0
    with gzip.open(blob, 'rb') as f, open(target, 'wb') as out:
        for chunk in iter(lambda: f.read(1024 * 1024), b''):
            written += len(chunk)
            if written > limit:
                raise bundle.BundleError('a blob inflates past its size')
            out.write(chunk)


def age(index, clock=time.time):
    return clock() - index['pushed_at']


def rows(backend, clock=time.time):
    """(name, run, releases, size, created, age, where) of each bundle."""
    result = []
    for index in sorted(backend.list_indexes(),
                        key=lambda i: i['pushed_at']):
        manifest = index['manifest']
        result.append(row(index['name'], manifest, index['size'],
                          clock() - index['pushed_at'], backend.where))
    return result


def row(name, manifest, size, age_seconds, where):
    releases = manifest.get('releases') or {}
    return (name, manifest['run_id'],
            ' -> '.join(releases[k] for k in ('before', 'after')
                        if releases.get(k)) or '-',
            size, _iso(manifest['created_at']), format_age(age_seconds),
            where)


def _iso(epoch):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def format_age(seconds):
    seconds = max(0, int(seconds))
    if seconds >= 86400:
        return '%dd%02dh' % (seconds // 86400, seconds % 86400 // 3600)
    if seconds >= 3600:
        return '%dh%02dm' % (seconds // 3600, seconds % 3600 // 60)
    return '%dm%02ds' % (seconds // 60, seconds % 60)


def delete(backend, name, clock=time.time, force=False):
    """Remove bundle ``name``; a bundle younger than 48 h needs force."""
    index = backend.get_index(check_name(name))
    if index is None:
        raise exceptions.UserError('no bundle %s on %s' % (name,
                                                           backend.where))
    if age(index, clock) < MIN_RETENTION and not force:
        raise exceptions.UserError(
            '%s is %s old, younger than the 48 h kept; --force deletes it'
            % (name, format_age(age(index, clock))))
    backend.delete_index(name)
    return collect_garbage(backend)


def prune(backend, older_than=MIN_RETENTION, clock=time.time, force=False):
    """Remove bundles older than ``older_than``; (names, bytes freed)."""
    if older_than < MIN_RETENTION and not force:
        raise exceptions.UserError(
            '--older-than %s is less than the 48 h every bundle is kept; '
            '--force prunes anyway' % format_age(older_than))
    removed = []
    for index in backend.list_indexes():
        if age(index, clock) >= older_than:
            backend.delete_index(index['name'])
            removed.append(index['name'])
    return removed, collect_garbage(backend)


def collect_garbage(backend):
    """Remove blobs no index refers to; returns the bytes freed.

    Do not run it during a push to the same server: the pushed bundle's
    blobs are not referenced until its index is written.
    """
    wanted = {f['sha256'] for i in backend.list_indexes()
              for f in i['manifest']['files']}
    freed = 0
    for sha, size in backend.list_blobs().items():
        if sha not in wanted:
            backend.delete_blob(sha)
            freed += size
    return freed
