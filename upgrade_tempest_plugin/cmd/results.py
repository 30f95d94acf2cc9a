"""``upgrade-tempest results import SUBUNIT``: Tempest results into the store.

``SUBUNIT`` is a subunit v2 stream: a file (``stestr last --subunit >
F``), ``-`` for standard input, or a stestr repository (a ``.stestr``
directory, or the Tempest workspace holding one), whose newest stream is
read.  The rows go to the run's store with ``--phase`` (the
``tempest run`` invocation they came from: ``pre-upgrade``,
``post-upgrade``...), where ``upgrade-tempest report`` shows them.
"""

import os
import sys

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.report import subunit_import


def read_stream(source):
    """The bytes of ``source`` (see the module); UserError if unreadable."""
    if source == '-':
        return sys.stdin.buffer.read()
    if os.path.isdir(source):
        source = newest_stream(source)
    try:
        with open(source, 'rb') as f:
            return f.read()
    except OSError as exc:
        raise exceptions.UserError('cannot read %s: %s' % (
            source, exc.strerror or exc))


def newest_stream(path):
    """The newest stream of the stestr repository at (or in) ``path``."""
    repo = path
    if os.path.isdir(os.path.join(path, '.stestr')):
        repo = os.path.join(path, '.stestr')
    streams = [int(name) for name in os.listdir(repo) if name.isdigit()]
    if not streams:
        raise exceptions.UserError('no stestr stream in %s' % repo)
    return os.path.join(repo, str(max(streams)))


class ResultsImport(base.ShowOne):
    """Add the test results of a subunit v2 stream to a run's store."""

    def get_parser(self, prog_name):
        parser = base.add_run_arguments(super().get_parser(prog_name))
        parser.add_argument(
            'subunit', metavar='SUBUNIT',
            help='subunit v2 file, - for stdin, or a stestr repository '
                 '(its newest stream)')
        parser.add_argument(
            '--phase', help='the tempest run these results came from '
                            '(pre-upgrade, post-upgrade, ...)')
        return parser

    def take_action(self, parsed_args):
        ctx = base.RunContext(parsed_args)
        run_id = ctx.require_run()
        stream = read_stream(parsed_args.subunit)
        summary = subunit_import.import_stream(ctx.store, run_id, stream,
                                               phase=parsed_args.phase)
        if not summary['tests']:
            raise exceptions.UserError('no test result in %s'
                                       % parsed_args.subunit)
        status = ', '.join('%s %d' % kv
                           for kv in sorted(summary['status'].items()))
        return (('run', 'phase', 'tests', 'added', 'status'),
                (run_id, parsed_args.phase or '', summary['tests'],
                 summary['added'], status))
