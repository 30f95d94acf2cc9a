"""Export a run (and the sandbox cloud) into a bundle; import one back.

Export stages copies in a private temporary directory, blanks every
secret it knows in every staged file, refuses to go on if a scan still
finds one, then writes the bundle atomically.  Import verifies the whole
bundle before extracting it (:mod:`.bundle`), then restores the run part
into the local store and, with ``sandbox_dir``, the cloud part into a new
sandbox.
"""

import datetime
import importlib.metadata
import os
import shutil
import tempfile
import time

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import layout as layout_mod
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot import run_part
from upgrade_tempest_plugin.snapshot import scrub
from upgrade_tempest_plugin import version

SUFFIX = '.tar.gz'
LOCAL_DIR_ENV = 'UPGRADE_TEMPEST_SNAPSHOT_DIR'


def local_dir():
    """Where bundles are written when no ``-o`` is given."""
    return os.environ.get(LOCAL_DIR_ENV) or os.path.expanduser(
        '~/.local/share/upgrade-tempest/snapshots')


def bundle_name(run_id, created_at):
    stamp = datetime.datetime.fromtimestamp(
        created_at, datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
    return '%s-%s' % (run_id, stamp)


def _package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def export(ctx, output=None, sandbox_dir=None, stestr_dirs=(),
           clock=time.time):
    """Write the bundle of ``ctx``'s run; returns (path, size, manifest).

    ``sandbox_dir`` adds the cloud part of the sandbox there.
    """
    if output is not None and not os.path.isdir(output) and \
            not os.path.isdir(os.path.dirname(os.path.abspath(output))):
        raise exceptions.UserError('-o %s: no such directory' % (
            os.path.dirname(os.path.abspath(output))))
    created_at = clock()
    staging = tempfile.mkdtemp(prefix='upgrade-tempest-snapshot-')
    try:
        info, secrets = run_part.stage(ctx, staging, stestr_dirs)
        parts = ['run']
        fields = {}
        if sandbox_dir:
            # imported here: the cloud part needs the sandbox's modules
            from upgrade_tempest_plugin.snapshot import cloud_part
            cloud_info, cloud_secrets = cloud_part.stage(
                layout_mod.Layout(sandbox_dir), staging)
            parts.append('cloud')
            fields['cloud'] = cloud_info
            secrets += cloud_secrets
        scrub.blank_tree(staging, secrets)
        hits = scrub.scan(staging, secrets)
        if hits:
            raise exceptions.Failure(
                'a secret is still in %s after scrubbing; no bundle '
                'written' % hits[0][0])
        manifest = bundle.build_manifest(
            staging, run_id=info['run_id'], created_at=created_at,
            plugin_version=version.version_string(),
            tempest_version=_package_version('tempest'),
            releases=info['releases'], parts=parts, rows=info['rows'],
            **fields)
        if output is None:
            os.makedirs(local_dir(), exist_ok=True)
            output = os.path.join(local_dir(), bundle_name(
                info['run_id'], created_at) + SUFFIX)
        elif os.path.isdir(output):
            output = os.path.join(output, bundle_name(
                info['run_id'], created_at) + SUFFIX)
        size = bundle.write(output, staging, manifest)
        return os.path.abspath(output), size, manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def import_bundle(path, make_ctx, new_id=None, sandbox_dir=None,
                  port_offset=None, max_size=bundle.DEFAULT_MAX_SIZE,
                  out=None):
    """Verify and import the bundle at ``path``.

    ``make_ctx()`` gives the run context to import into; it is called
    once the whole bundle is verified, since it may create the state
    directory: nothing is written before.  Returns {'run_id', 'files',
    'manifest', 'sandbox', 'store'}.
    """
    if not os.path.isfile(path):
        raise exceptions.UserError('no such file: %s' % path)
    work = tempfile.mkdtemp(prefix='upgrade-tempest-import-')
    try:
        extracted = os.path.join(work, 'bundle')
        manifest = bundle.extract(path, extracted, max_size)
        cloud = 'cloud' in manifest['parts'] and sandbox_dir
        if cloud:
            from upgrade_tempest_plugin.snapshot import cloud_part
            cloud_part.check_target(sandbox_dir, port_offset)
        ctx = make_ctx()
        run_id, files = run_part.restore(extracted, ctx.store,
                                         ctx.state_dir, new_id)
        result = {'run_id': run_id, 'files': files, 'manifest': manifest,
                  'sandbox': None, 'store': ctx.store.url}
        if cloud:
            upgrade = {'state_dir': ctx.state_dir, 'run_id': run_id}
            for name, value in manifest.get('releases', {}).items():
                upgrade['expected_release_' + name] = value
            if ctx.store_option == '[upgrade] store_url':
                upgrade['store_url'] = ctx.store_url
            from upgrade_tempest_plugin.sandbox import errors
            try:
                result['sandbox'] = cloud_part.restore(
                    extracted, manifest, sandbox_dir, port_offset, out,
                    {'upgrade': upgrade})
            except errors.SandboxError as exc:
                raise exceptions.Failure(
                    'the run was imported as %s, but rebuilding the cloud '
                    'failed: %s ("upgrade-tempest sandbox destroy --dir %s" '
                    'removes what was built)' % (run_id, exc, sandbox_dir))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
