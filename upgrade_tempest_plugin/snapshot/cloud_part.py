"""The cloud part of a bundle: the sandbox itself, and rebuilding it.

Staged under ``cloud/``:

``state.json``, ``events.jsonl``
    the sandbox's state (release, services, their series and package
    versions, seeded resources) and its step events;
``db/``
    one consistent dump of every service database, taken by a single
    ``mariadb-dump --single-transaction`` over all of them (one snapshot
    for all databases) and split into one file per database, plus the
    dump's preamble and postamble, so an unchanged database gives a
    byte-identical file that storage servers share (``--skip-dump-date``);
``pip/<service>.txt``
    ``pip freeze`` of each service's virtualenv (the virtualenvs are never
    carried: import rebuilds them, from the cache, at the recorded
    versions);
``etc/``, ``data/``, ``logs/``
    the services' configuration (secret options redacted), their data
    (glance's image files, nova's compute node id, Swift's device: its
    objects and its account and container databases; never keystone's
    fernet and credential keys) and logs.  Swift's SQLite databases are
    copied through SQLite's backup API, a consistent copy even while the
    running Swift writes them.  Its rings are not needed: the restored
    sandbox writes them for its own ports, and with one device and the
    sandbox's fixed hash salt every object lands in the partition it was
    carried in.  Swift's object metadata is in extended attributes of its
    files, which the tar does not hold: ``swift-xattrs.json`` carries
    them (only ``user.swift.*``, base64), and import sets them again.

Secrets are never carried: the sandbox's generated passwords are blanked
in every file.  Import builds a new sandbox in a new directory, with new
passwords and its own port offset: it starts MariaDB, loads the dumps,
points what the databases hold at the new ports, directory and passwords
(keystone's catalog, nova's cell mappings, glance's image locations),
resets the admin's password with ``keystone-manage bootstrap`` and every
other account's with the sandbox's identity seeding, then starts the
services at their recorded versions.
"""

import base64
import json
import os
import shutil
import sqlite3
import subprocess
import sys

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import configs
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import infra
from upgrade_tempest_plugin.sandbox import layout as layout_mod
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import state as statemod
from upgrade_tempest_plugin.sandbox import venvs
from upgrade_tempest_plugin.snapshot import scrub

PREFIX = 'cloud'
PREAMBLE = '_preamble.sql'
POSTAMBLE = '_postamble.sql'
_DB_MARKER = '-- Current Database: `'
_POSTAMBLE_START = '/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;'
#: Data never carried: keys (secrets), locks, temporary files.
SKIP_DATA = {'keystone', 'mariadb', 'rabbitmq'}
SKIP_DATA_DIRS = {'lock', 'tmp'}
INI_SUFFIXES = ('.conf', '.ini')
SQLITE_SUFFIX = '.db'
#: Swift keeps each object's metadata (name, etag, content type) in
#: extended attributes of its files, which a tar made by Python's tarfile
#: does not carry: they travel in this file beside ``data/``.
XATTRS_FILE = 'swift-xattrs.json'
XATTR_PREFIX = 'user.swift.'


def _my_cnf(layout):
    return os.path.join(layout.etc, 'mariadb', 'my.cnf')


def databases(st):
    return [db for s in statemod.deployed(st) for db in configs.DATABASES[s]]


def dump_databases(layout, names, directory):
    """Dump ``names`` in one transaction; one file per database."""
    proc = subprocess.run(
        ['mariadb-dump', '--defaults-file=' + _my_cnf(layout),
         '--single-transaction', '--skip-dump-date', '--hex-blob',
         '--routines', '--triggers', '--databases'] + list(names),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode:
        raise exceptions.Failure('mariadb-dump failed: %s' % (
            proc.stderr.decode(errors='replace').strip().splitlines()
            or ['rc %d' % proc.returncode])[-1])
    split_dump(proc.stdout.decode(), directory)


def split_dump(text, directory):
    """Write the dump ``text`` as preamble, one file a database, postamble.

    Each database section starts at its ``-- Current Database`` comment
    block; the postamble at the statement that restores the time zone.
    """
    os.makedirs(directory, exist_ok=True)
    lines = text.splitlines(True)
    starts = [i for i, line in enumerate(lines)
              if line.startswith(_DB_MARKER)]
    if not starts:
        raise exceptions.Failure('the database dump holds no database')
    # the comment block opens one line before the marker ("--")
    bounds = [i - 1 for i in starts]
    end = next((i for i in range(starts[-1], len(lines))
                if lines[i].startswith(_POSTAMBLE_START)), len(lines))
    files = {PREAMBLE: lines[:bounds[0]], POSTAMBLE: lines[end:]}
    for n, first in enumerate(bounds):
        last = bounds[n + 1] if n + 1 < len(bounds) else end
        name = lines[starts[n]][len(_DB_MARKER):].split('`')[0]
        files[name + '.sql'] = lines[first:last]
    for name, chunk in files.items():
        with open(os.path.join(directory, name), 'w') as f:
            f.writelines(chunk)
    return sorted(files)


def copy_sqlite(path, target):
    """A consistent copy of the SQLite database ``path``.

    A Swift account or container database, maybe being written.
    """
    source = sqlite3.connect('file:%s?mode=ro' % path, uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _copy_tree(src, dst, skip_dirs=(), redact_ini=False, sqlite=False):
    found = []
    for top, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d not in skip_dirs]
        for name in files:
            path = os.path.join(top, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            target = os.path.join(dst, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if sqlite and name.endswith(SQLITE_SUFFIX):
                copy_sqlite(path, target)
            elif redact_ini and name.endswith(INI_SUFFIXES):
                with open(path, errors='replace') as f:
                    text, secrets = scrub.redact_ini(f.read())
                found += secrets
                with open(target, 'w') as f:
                    f.write(text)
            else:
                shutil.copyfile(path, target)
    return found


def save_xattrs(src, path):
    """Write Swift's extended attributes of the files under ``src``.

    JSON: {path relative to ``src``: {attribute: base64 value}}.
    """
    found = {}
    for top, _dirs, files in os.walk(src):
        for name in files:
            full = os.path.join(top, name)
            attrs = {a: base64.b64encode(os.getxattr(full, a)).decode()
                     for a in os.listxattr(full)
                     if a.startswith(XATTR_PREFIX)}
            if attrs:
                found[os.path.relpath(full, src)] = attrs
    with open(path, 'w') as f:
        json.dump(found, f, sort_keys=True)


def restore_xattrs(path, dst):
    """Set the attributes ``save_xattrs`` wrote on the files in ``dst``.

    Only Swift's own attributes, only on files that were restored under
    ``dst`` (a name leading elsewhere is refused).
    """
    with open(path) as f:
        found = json.load(f)
    top = os.path.realpath(dst)
    for rel, attrs in sorted(found.items()):
        full = os.path.realpath(os.path.join(top, rel))
        if not full.startswith(top + os.sep) or not os.path.isfile(full):
            raise exceptions.UserError(
                '%s names %s, not a restored file of %s' % (
                    XATTRS_FILE, rel, dst))
        for name, value in sorted(attrs.items()):
            if not name.startswith(XATTR_PREFIX):
                raise exceptions.UserError('%s: %s is not an attribute of '
                                           'Swift' % (XATTRS_FILE, name))
            os.setxattr(full, name, base64.b64decode(value))


def stage(layout, staging):
    """Stage the sandbox in ``layout``; (manifest info, its secrets)."""
    st = statemod.load(layout)
    if st is None:
        raise exceptions.UserError('no sandbox in %s' % layout.root)
    if not os.path.exists(os.path.join(layout.root, 'secrets.json')):
        raise exceptions.UserError('the sandbox in %s has no secrets.json'
                                   % layout.root)
    secrets = list(statemod.load_secrets(layout).values())
    root = os.path.join(staging, PREFIX)
    os.makedirs(root)
    shutil.copyfile(layout.state_file, os.path.join(root, 'state.json'))
    if os.path.isfile(layout.events_file):
        shutil.copyfile(layout.events_file,
                        os.path.join(root, 'events.jsonl'))
    ports.use_offset(st.get('port_offset', 0))
    if not ports.accepts(ports.PORTS['mariadb']):
        raise exceptions.UserError(
            "the sandbox's MariaDB in %s is not running; run "
            '"upgrade-tempest sandbox up --dir %s" first'
            % (layout.root, layout.root))
    names = databases(st)
    dump_databases(layout, names, os.path.join(root, 'db'))
    for service in statemod.deployed(st):
        info = st['services'][service] or {}
        venv = venvs.service_venv(layout.venvs, service, info.get('series'))
        if venv.ready:
            freeze = subprocess.run([venv.python, '-m', 'pip', 'freeze'],
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL)
            os.makedirs(os.path.join(root, 'pip'), exist_ok=True)
            with open(os.path.join(root, 'pip', service + '.txt'),
                      'wb') as f:
                f.write(freeze.stdout)
        if service not in SKIP_DATA and os.path.isdir(
                layout.data_of(service)):
            _copy_tree(layout.data_of(service),
                       os.path.join(root, 'data', service), SKIP_DATA_DIRS,
                       sqlite=service == 'swift')
            if service == 'swift':
                save_xattrs(layout.data_of(service),
                            os.path.join(root, XATTRS_FILE))
    secrets += _copy_tree(layout.etc, os.path.join(root, 'etc'),
                          redact_ini=True)
    _copy_tree(layout.logs, os.path.join(root, 'logs'))
    series = sorted({(i or {}).get('series') for i in st['services'].values()
                     if i})
    info = {'release': st['release'], 'series': series,
            'port_offset': st.get('port_offset', 0), 'root': layout.root,
            'databases': names,
            'services': {s: st['services'][s] for s in statemod.deployed(st)}}
    return info, secrets


def check_target(sandbox_dir, port_offset=None):
    """A new (or empty) directory and free ports, before anything is done.

    ``port_offset`` None: $UPGRADE_TEMPEST_SANDBOX_PORT_OFFSET or 0, as
    for a new sandbox.
    """
    if os.path.exists(sandbox_dir) and os.listdir(sandbox_dir):
        raise exceptions.UserError(
            '%s is not empty: a cloud is rebuilt in a new directory'
            % sandbox_dir)
    if port_offset is None:
        port_offset = int(os.environ.get(ports.OFFSET_ENV) or 0)
    ports.use_offset(ports.check_offset(port_offset))
    ports.check_free(sorted(ports.PORTS))


def _sql_quote(text):
    return "'%s'" % text.replace('\\', '\\\\').replace("'", "\\'")


def fixups(recorded, old_root, new_root, secrets, names):
    """SQL pointing the restored databases at the new sandbox.

    ``recorded``: the old port offset.  Keystone's endpoints get the new
    ports, nova's cell mappings the new database and message-queue URLs
    (with the new passwords), glance's image locations the new directory.
    """
    statements = []
    if 'keystone' in names:
        url = 'url'
        for name, base in ports.BASE.items():
            url = 'REPLACE(%s, %s, %s)' % (
                url, _sql_quote('%s:%d' % (ports.HOST, base + recorded)),
                _sql_quote('%s:%d' % (ports.HOST, ports.PORTS[name])))
        statements.append('UPDATE keystone.endpoint SET url = %s' % url)
    if 'nova_api' in names:
        statements.append(
            "UPDATE nova_api.cell_mappings SET database_connection = %s "
            "WHERE name = 'cell0'"
            % _sql_quote(configs.db_url(secrets, 'nova_cell0')))
        statements.append(
            "UPDATE nova_api.cell_mappings SET database_connection = %s, "
            "transport_url = %s WHERE name <> 'cell0'"
            % (_sql_quote(configs.db_url(secrets, 'nova')),
               _sql_quote(configs.transport_url(secrets))))
    if 'glance' in names:
        statements.append(
            'UPDATE glance.image_locations SET value = REPLACE(value, %s, '
            '%s)' % (_sql_quote('file://' + old_root + '/'),
                     _sql_quote('file://' + new_root + '/')))
    return statements


def _mariadb(layout, stdin_path=None, text=None):
    argv = ['mariadb', '--defaults-file=' + _my_cnf(layout)]
    if stdin_path:
        with open(stdin_path, 'rb') as f:
            proc = subprocess.run(argv, stdin=f, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
    else:
        proc = subprocess.run(argv, input=text.encode(),
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    if proc.returncode:
        raise errors.SandboxError('restoring the databases failed: %s' % (
            proc.stderr.decode(errors='replace').strip().splitlines()
            or ['rc %d' % proc.returncode])[-1])


def load_dumps(layout, db_dir, names):
    """Preamble, each database, postamble: one session, as dumped."""
    combined = os.path.join(layout.run, 'restore.sql')
    with open(combined, 'wb') as out:
        for name in [PREAMBLE] + [n + '.sql' for n in names] + [POSTAMBLE]:
            with open(os.path.join(db_dir, name), 'rb') as f:
                shutil.copyfileobj(f, out)
    try:
        _mariadb(layout, stdin_path=combined)
    finally:
        os.unlink(combined)


def restore(extracted, manifest, sandbox_dir, port_offset=None, out=None,
            workspace_extra=None):
    """Rebuild the bundle's sandbox in ``sandbox_dir``; returns its root.

    The sandbox comes back at the recorded series (virtualenvs from the
    cache), with the recorded databases and data, new passwords and the
    port offset given.  ``workspace_extra`` goes into its tempest.conf
    (the imported run's ``[upgrade]`` options).
    """
    root = os.path.join(extracted, PREFIX)
    with open(os.path.join(root, 'state.json')) as f:
        recorded = json.load(f)
    layout = layout_mod.Layout(sandbox_dir)
    check_target(layout.root, port_offset)
    sb = cloud.Sandbox(layout, out or sys.stdout, port_offset)
    names = databases(recorded)
    plan = {s: (recorded['services'][s] or {}).get('series',
                                                   recorded['release'])
            for s in statemod.deployed(recorded)}
    venvs.ensure_all([sb.venv(s, plan[s]) for s in plan] + [sb.tools()],
                     sb.out)
    layout.make_dirs()
    st = dict(recorded, port_offset=sb.port_offset, identity_seeded=False)
    statemod.save(layout, st)
    if os.path.isfile(os.path.join(root, 'events.jsonl')):
        shutil.copyfile(os.path.join(root, 'events.jsonl'),
                        layout.events_file)
    if os.path.isdir(os.path.join(root, 'data')):
        _copy_tree(os.path.join(root, 'data'), layout.data)
    if os.path.isfile(os.path.join(root, XATTRS_FILE)):
        restore_xattrs(os.path.join(root, XATTRS_FILE),
                       layout.data_of('swift'))
    secrets = sb.secrets()
    infra.start(layout, secrets, sb.out)
    infra.create_databases(layout, secrets, names)
    sb.say('restoring databases %s' % ', '.join(names))
    load_dumps(layout, os.path.join(root, 'db'), names)
    _mariadb(layout, text=';\n'.join(fixups(
        recorded.get('port_offset', 0), manifest['cloud']['root'],
        layout.root, secrets, names)) + ';\n')
    if 'keystone' in plan:
        # new fernet and credential keys; bootstrap resets the admin's
        # password (the identity seeding in up() resets the others')
        venv = sb.venv('keystone', plan['keystone'])
        sb.prepare_service('keystone', venv, secrets)
        sb.deploy_schema('keystone', venv, secrets)
    sb.up()
    if workspace_extra:
        sb.write_workspace(statemod.load(layout), secrets, workspace_extra)
    return layout.root
