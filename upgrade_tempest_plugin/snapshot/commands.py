"""``upgrade-tempest snapshot export|import|show``: bundles on this machine.

The storage-server commands (push, pull, list, delete, prune) are in
:mod:`.remote_commands`.
"""

import os

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot import exporter


def add_max_size_option(parser):
    parser.add_argument(
        '--max-size', type=int, default=bundle.DEFAULT_MAX_SIZE,
        metavar='BYTES',
        help='refuse a bundle larger than this, compressed or not '
             '(default %(default)d)')


def _releases(manifest):
    releases = manifest.get('releases') or {}
    return ' -> '.join(releases[k] for k in ('before', 'after')
                       if releases.get(k)) or '-'


class Export(base.ShowOne):
    """Export a run, and with --with-cloud the sandbox cloud, to a bundle."""

    def get_parser(self, prog_name):
        parser = base.add_run_arguments(super().get_parser(prog_name))
        parser.add_argument('-o', '--output', metavar='FILE',
                            help='bundle to write (a directory: a file '
                                 'named after the run in it; default: %s)'
                                 % exporter.local_dir())
        parser.add_argument('--with-cloud', action='store_true',
                            help='add the sandbox cloud (databases, '
                                 'configuration, versions, state, events)')
        parser.add_argument('--sandbox-dir', metavar='DIR',
                            help='the sandbox of --with-cloud (default: '
                                 'the sandbox directory default)')
        parser.add_argument('--stestr', action='append', default=[],
                            metavar='DIR', dest='stestr_dirs',
                            help='a stestr repository to add (repeatable; '
                                 "the workspace's .stestr is always added)")
        return parser

    def take_action(self, parsed_args):
        ctx = base.RunContext(parsed_args)
        sandbox_dir = None
        if parsed_args.with_cloud:
            from upgrade_tempest_plugin.sandbox import layout
            sandbox_dir = layout.Layout(parsed_args.sandbox_dir).root
            if not os.path.isfile(os.path.join(sandbox_dir, 'state.json')):
                raise exceptions.UserError('no sandbox in %s' % sandbox_dir)
        elif parsed_args.sandbox_dir:
            raise exceptions.UserError('--sandbox-dir needs --with-cloud')
        path, size, manifest = exporter.export(
            ctx, parsed_args.output, sandbox_dir, parsed_args.stestr_dirs)
        return (('path', 'run', 'parts', 'releases', 'files', 'size'),
                (path, manifest['run_id'], ','.join(manifest['parts']),
                 _releases(manifest), len(manifest['files']), size))


class Import(base.ShowOne):
    """Verify a bundle and import its run (and cloud, with --dir)."""

    def get_parser(self, prog_name):
        parser = base.add_run_arguments(super().get_parser(prog_name))
        parser.add_argument('bundle', metavar='FILE')
        parser.add_argument('--as', dest='new_id', metavar='NEW_ID',
                            help='import the run under this id (a run id '
                                 'the store has is refused otherwise)')
        parser.add_argument('--dir', dest='sandbox_dir', metavar='DIR',
                            help='rebuild the cloud part as a sandbox in '
                                 'this new directory')
        parser.add_argument('--port-offset', type=int, metavar='N',
                            help='port offset of the rebuilt sandbox')
        add_max_size_option(parser)
        return parser

    def take_action(self, parsed_args):
        if parsed_args.new_id is not None and not (
                0 < len(parsed_args.new_id) <= 64):
            raise exceptions.UserError('--as: 1 to 64 characters')
        result = exporter.import_bundle(
            parsed_args.bundle, lambda: base.RunContext(parsed_args),
            parsed_args.new_id,
            parsed_args.sandbox_dir, parsed_args.port_offset,
            parsed_args.max_size, self.app.stdout)
        manifest = result['manifest']
        return (('run', 'from_run', 'files', 'store', 'sandbox',
                 'releases'),
                (result['run_id'], manifest['run_id'], result['files'],
                 result['store'], result['sandbox'] or '-',
                 _releases(manifest)))


class Show(base.ShowOne):
    """Verify a bundle and show its manifest."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('bundle', metavar='FILE')
        add_max_size_option(parser)
        return parser

    def take_action(self, parsed_args):
        if not os.path.isfile(parsed_args.bundle):
            raise exceptions.UserError('no such file: %s'
                                       % parsed_args.bundle)
        manifest = bundle.verify(parsed_args.bundle, parsed_args.max_size)
        return (('format_version', 'run', 'created_at', 'parts',
                 'releases', 'plugin_version', 'tempest_version', 'files',
                 'size'),
                (manifest['format_version'], manifest['run_id'],
                 manifest['created_at'], ','.join(manifest['parts']),
                 _releases(manifest), manifest.get('plugin_version'),
                 manifest.get('tempest_version'), len(manifest['files']),
                 sum(f['size'] for f in manifest['files'])))
