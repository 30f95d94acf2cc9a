"""Export a bundle when validators or the demo fail (``--export-on-failure``).

The bundle is written where the option says (default: the local bundle
directory) and its path printed, so a CI job can keep it as an artifact
or push it before the machine is recycled.  An export that fails does not
hide the failure it was made for: it is reported in one line and the
command keeps its own exit code.
"""

import os

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.snapshot import exporter


def add_option(parser, with_cloud=False, cloud_text=' and the sandbox cloud'):
    """``--export-on-failure [DIR]``; ``cloud_text`` when ``with_cloud``."""
    parser.add_argument(
        '--export-on-failure', nargs='?', const='', default=None,
        metavar='DIR',
        help='on failure, export the run%s to a snapshot bundle in DIR '
             '(default: %s) and print where it is'
             % (cloud_text if with_cloud else '', exporter.local_dir()))
    return parser


def export_failed(option, out, config_file=None, sandbox_dir=None,
                  stestr_dirs=(), run_id=None, state_dir=None):
    """Export after a failure; returns the bundle's path or None."""
    output = option or exporter.local_dir()
    try:
        os.makedirs(output, exist_ok=True)
        ctx = base.RunContext.of(config_file=config_file, run_id=run_id,
                                 state_dir=state_dir)
        path, size, _manifest = exporter.export(
            ctx, output, sandbox_dir,
            [d for d in stestr_dirs if os.path.isfile(
                os.path.join(d, 'format'))])
    except (exceptions.UserError, exceptions.Failure, OSError) as exc:
        out.write('snapshot: could not export the failed run: %s\n'
                  % base.mask_passwords(str(exc)))
        return None
    out.write('snapshot: exported the failed run to %s (%d bytes)\n'
              % (path, size))
    return path
