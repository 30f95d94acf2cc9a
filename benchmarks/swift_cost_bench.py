#!/usr/bin/env python3
"""What Swift adds to the sandbox and to the demo (prints figures).

With the venvs in the cache (warm; the first ``up`` builds what is
missing, run it once before), ``--repeat`` times each:

1. ``sandbox up`` of Keystone alone, then of Keystone and Swift, each on a
   destroyed sandbox: the difference is what Swift adds to ``up`` (its
   configuration and rings, its four servers, its service user and
   catalog entry, the wait for its ports).
2. On the Keystone + Swift sandbox: the object-storage validators of one
   demo phase (health round trip and release check), as ``upgrade-tempest
   validate`` runs them.
3. ``sandbox upgrade --to TO --service swift`` (staged first, as the demo
   stages): Swift's share of the demo's upgrade.

The sandbox is destroyed at the end.

Usage::

    python benchmarks/swift_cost_bench.py --dir DIR [--port-offset N]
        [--from 2026.1] [--to 2026.2] [--repeat 2] [--mode rolling]
"""

import argparse
import statistics
import sys
import tempfile
import time

from upgrade_tempest_plugin import facade
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import layout as sb_layout
from upgrade_tempest_plugin.sandbox import upgrade

VALIDATORS = (r'^upgrade_tempest_plugin\.tests\.scenario\.'
              r'(test_health\.ObjectStorageHealthTest|'
              r'test_release\.ReleasePreUpgradeTest\.'
              r'test_object_storage_release)')


def sandbox(args):
    return cloud.Sandbox(sb_layout.Layout(args.dir), sys.stdout,
                         args.port_offset)


def timed_up(args, services):
    sandbox(args).destroy()
    sb = sandbox(args)
    began = time.monotonic()
    sb.up(args.from_series, services)
    return time.monotonic() - began, sb


def validators(args, sb):
    state = tempfile.mkdtemp(prefix='swift-bench-')
    sb.write_workspace(sb.state(), sb.secrets(), extra={'upgrade': {
        'expected_release_before': args.from_series,
        'expected_release_after': args.to_series,
        'state_dir': state}})
    began = time.monotonic()
    result = facade.run_validators(workspace=sb.layout.workspace,
                                   regex=VALIDATORS)
    spent = time.monotonic() - began
    if not result['ok'] or result['passed'] != 2:
        raise SystemExit('object-storage validators: %s' % result)
    return spent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--dir', required=True)
    parser.add_argument('--port-offset', type=int, default=0)
    parser.add_argument('--from', dest='from_series', default='2026.1')
    parser.add_argument('--to', dest='to_series', default='2026.2')
    parser.add_argument('--repeat', type=int, default=2)
    parser.add_argument('--mode', choices=upgrade.MODES, default='rolling')
    args = parser.parse_args()
    ups = {'keystone': [], 'keystone+swift': []}
    checks = []
    sb = None
    for _ in range(args.repeat):
        ups['keystone'].append(timed_up(args, ['keystone'])[0])
        spent, sb = timed_up(args, ['keystone', 'swift'])
        ups['keystone+swift'].append(spent)
        checks.append(validators(args, sb))
    upgrader = upgrade.Upgrader(sb)
    upgrader.stage(args.to_series, ['swift'])
    began = time.monotonic()
    upgrader.run(args.to_series, ['swift'], args.mode)
    upgraded = time.monotonic() - began
    sb.destroy()
    print('\nwhat Swift adds (%s, warm cache, %d runs each)'
          % (args.from_series, args.repeat))
    for name, times in ups.items():
        print('sandbox up %-16s %s s (median %.1f s)' % (
            name, ', '.join('%.1f' % t for t in times),
            statistics.median(times)))
    print('Swift adds to up: %.1f s' % (statistics.median(
        ups['keystone+swift']) - statistics.median(ups['keystone'])))
    print('object-storage validators, one phase: %s s' % ', '.join(
        '%.1f' % t for t in checks))
    print('sandbox upgrade --service swift (%s, %s -> %s): %.1f s' % (
        args.mode, args.from_series, args.to_series, upgraded))


if __name__ == '__main__':
    main()
