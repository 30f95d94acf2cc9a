#!/usr/bin/env python3
"""Benchmark: export, storage and import of a sandbox run (prints figures).

Run after ``upgrade-tempest demo --keep-up`` (or any run on a running
sandbox): exports the run with its cloud twice (the second export of the
unchanged cloud shows what a storage server shares), pushes both to a
directory server, then stops the sandbox and imports the first bundle
into a new sandbox directory with another port offset (one sandbox runs
at a time on a small machine), and stops that one too.

Usage::

    python benchmarks/snapshot_bench.py --sandbox-dir DIR
        [--state-dir DIR] [--run RUN] [--stestr DIR]
        [--import-dir DIR] [--import-offset 500] [--work DIR]

Prints one JSON object: export seconds and bundle size (twice), files and
bytes shared by the second push, import seconds, files per part.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def cli(*args):
    argv = [os.path.join(os.path.dirname(sys.executable),
                         'upgrade-tempest')] + list(args)
    begin = time.monotonic()
    proc = subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    seconds = time.monotonic() - begin
    if proc.returncode:
        sys.exit('upgrade-tempest %s: rc %d\n%s' % (
            ' '.join(args), proc.returncode, proc.stdout[-3000:]))
    return proc.stdout, seconds


def last_json(text):
    """The JSON object that ends a command's output (-f json)."""
    return json.loads(text[text.rindex('\n{') + 1 if '\n{' in text
                           else text.index('{'):])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sandbox-dir', required=True)
    parser.add_argument('--state-dir',
                        help='default: SANDBOX/upgrade-state (the demo)')
    parser.add_argument('--run')
    parser.add_argument('--stestr', action='append', default=[],
                        help='default: SANDBOX/validators/.stestr')
    parser.add_argument('--import-dir')
    parser.add_argument('--import-offset', default='500')
    parser.add_argument('--work', default=None)
    args = parser.parse_args()
    sandbox = os.path.abspath(args.sandbox_dir)
    state = args.state_dir or os.path.join(sandbox, 'upgrade-state')
    stestr = args.stestr or [os.path.join(sandbox, 'validators',
                                          '.stestr')]
    work = args.work or tempfile.mkdtemp(prefix='snapshot-bench-')
    os.makedirs(work, exist_ok=True)
    conf = os.path.join(sandbox, 'tempest', 'etc', 'tempest.conf')
    common = ['--config-file', conf, '--state-dir', state, '--with-cloud',
              '--sandbox-dir', sandbox]
    for path in stestr:
        common += ['--stestr', path]
    if args.run:
        common += ['--run', args.run]
    result = {}
    for n in (1, 2):
        bundle = os.path.join(work, 'bench%d.tar.gz' % n)
        out, seconds = cli('snapshot', 'export', '-o', bundle, '-f',
                           'json', *common)
        shown = last_json(out)
        result['export%d_seconds' % n] = round(seconds, 1)
        result['bundle%d_bytes' % n] = shown['size']
        result['bundle%d_files' % n] = shown['files']
    manifest = json.loads(cli('snapshot', 'show', os.path.join(
        work, 'bench1.tar.gz'), '-f', 'json')[0])
    result['uncompressed_bytes'] = manifest['size']
    server = 'dir:' + os.path.join(work, 'server')
    for n in (1, 2):
        out, seconds = cli('snapshot', 'push', os.path.join(
            work, 'bench%d.tar.gz' % n), '--to', server, '-f', 'json')
        pushed = last_json(out)
        result['push%d_seconds' % n] = round(seconds, 1)
        result['push%d_uploaded_bytes' % n] = pushed['uploaded_bytes']
        result['push%d_shared_files' % n] = pushed['shared_files']
        result['push%d_shared_bytes' % n] = pushed['shared_bytes']
    cli('sandbox', 'down', '--dir', sandbox)
    target = args.import_dir or os.path.join(work, 'restored')
    _out, seconds = cli('snapshot', 'import', os.path.join(
        work, 'bench1.tar.gz'), '--dir', target, '--port-offset',
        args.import_offset, '--state-dir', os.path.join(work, 'state'),
        '--as', 'bench-import')
    result['import_seconds'] = round(seconds, 1)
    cli('sandbox', 'down', '--dir', target)
    result['work'] = work
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == '__main__':
    main()
