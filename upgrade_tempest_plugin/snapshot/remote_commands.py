"""``upgrade-tempest snapshot push|pull|list|delete|prune``.

A remote is ``SCHEME:LOCATION`` (``dir:/srv/snapshots``,
``swift:CONTAINER``) or a directory path; without ``--remote``/``--to``/
``--from`` the one in $UPGRADE_TEMPEST_SNAPSHOT_REMOTE.
"""

import glob
import os
import time

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot import commands
from upgrade_tempest_plugin.snapshot import exporter
from upgrade_tempest_plugin.snapshot.storage import remote

COLUMNS = ('name', 'run', 'releases', 'size', 'created', 'age', 'where')


def add_remote_option(parser, flag='--remote'):
    parser.add_argument(
        flag, dest='remote', metavar='REMOTE',
        help='storage server: dir:PATH, swift:CONTAINER or a directory '
             '(default: $%s)' % remote.REMOTE_ENV)


class _RemoteCommand(object):
    #: The clock ages are measured with (tests replace it).
    clock = staticmethod(time.time)


class Push(_RemoteCommand, base.ShowOne):
    """Copy a bundle to a storage server (unchanged files are shared)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('bundle', metavar='FILE')
        add_remote_option(parser, '--to')
        commands.add_max_size_option(parser)
        return parser

    def take_action(self, parsed_args):
        if not os.path.isfile(parsed_args.bundle):
            raise exceptions.UserError('no such file: %s'
                                       % parsed_args.bundle)
        backend = remote.open_remote(parsed_args.remote)
        index = remote.push(backend, parsed_args.bundle, self.clock,
                            parsed_args.max_size)
        return (('name', 'where', 'size', 'uploaded_bytes', 'shared_files',
                 'shared_bytes'),
                (index['name'], backend.where, index['size'],
                 index['uploaded_bytes'], index['shared_files'],
                 index['shared_bytes']))


class Pull(_RemoteCommand, base.ShowOne):
    """Copy a bundle from a storage server to this machine."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        add_remote_option(parser, '--from')
        parser.add_argument('-o', '--output', metavar='FILE',
                            help='where to write it (default: %s)'
                                 % exporter.local_dir())
        commands.add_max_size_option(parser)
        return parser

    def take_action(self, parsed_args):
        backend = remote.open_remote(parsed_args.remote)
        output = parsed_args.output
        if output is None:
            os.makedirs(exporter.local_dir(), exist_ok=True)
            output = exporter.local_dir()
        path, manifest = remote.pull(backend, parsed_args.name, output,
                                     parsed_args.max_size)
        return (('path', 'run', 'files', 'size'),
                (path, manifest['run_id'], len(manifest['files']),
                 os.path.getsize(path)))


class List(_RemoteCommand, base.Lister):
    """Bundles on this machine, or on a storage server with --remote."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_remote_option(parser)
        return parser

    def take_action(self, parsed_args):
        if parsed_args.remote:
            return COLUMNS, remote.rows(remote.open_remote(
                parsed_args.remote), self.clock)
        found = []
        for path in sorted(glob.glob(os.path.join(
                exporter.local_dir(), '*' + exporter.SUFFIX))):
            try:
                manifest = bundle.read_manifest(path)
            except bundle.BundleError as exc:
                self.app.stderr.write('upgrade-tempest: warning: %s\n'
                                      % exc)
                continue
            found.append(remote.row(
                os.path.basename(path)[:-len(exporter.SUFFIX)], manifest,
                os.path.getsize(path), self.clock() - manifest['created_at'],
                os.path.dirname(path)))
        return COLUMNS, found


class Delete(_RemoteCommand, base.Command):
    """Delete a bundle from a storage server (48 h old at least)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        add_remote_option(parser)
        parser.add_argument('--force', action='store_true',
                            help='delete even a bundle younger than 48 h')
        return parser

    def take_action(self, parsed_args):
        backend = remote.open_remote(parsed_args.remote)
        freed = remote.delete(backend, parsed_args.name, self.clock,
                              parsed_args.force)
        self.app.stdout.write('deleted %s from %s (%d bytes of unshared '
                              'files freed)\n' % (parsed_args.name,
                                                  backend.where, freed))
        return base.OK_EXIT


class Prune(_RemoteCommand, base.ShowOne):
    """Delete the bundles older than --older-than (default, minimum 48 h)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_remote_option(parser)
        parser.add_argument('--older-than', default='48h',
                            metavar='DURATION',
                            help='age, e.g. 72h or 3d (default %(default)s;'
                                 ' less than 48h needs --force)')
        parser.add_argument('--force', action='store_true',
                            help='allow --older-than under 48 h')
        return parser

    def take_action(self, parsed_args):
        older_than = remote.parse_duration(parsed_args.older_than)
        backend = remote.open_remote(parsed_args.remote)
        removed, freed = remote.prune(backend, older_than, self.clock,
                                      parsed_args.force)
        return (('removed', 'count', 'freed_bytes', 'where'),
                (','.join(removed) or '-', len(removed), freed,
                 backend.where))
