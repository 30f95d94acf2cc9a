#!/usr/bin/env python3
"""Cold against rolling upgrades of the sandbox, per service (prints figures).

For each mode: the sandbox is (re)built at ``--from`` (venvs from the
cache), the target release is staged (``sandbox prepare``), a detached
observer probes every service with the workspace's settings, the sandbox is
upgraded to ``--to`` in that mode, the observer stops and the run is
analysed with the upgrade's events.  Printed per mode and service: total
downtime, windows (with the step each began in), availability, p95
latency.

Usage::

    python benchmarks/upgrade_modes_bench.py --dir DIR [--port-offset N]
        [--from 2026.1] [--to 2026.2] [--modes cold rolling]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import layout as sb_layout
from upgrade_tempest_plugin.sandbox import upgrade
from upgrade_tempest_plugin.store import api as store_api


def one_mode(args, mode):
    sandbox = cloud.Sandbox(sb_layout.Layout(args.dir), sys.stdout,
                            args.port_offset)
    sandbox.destroy()
    sandbox = cloud.Sandbox(sb_layout.Layout(args.dir), sys.stdout,
                            args.port_offset)
    sandbox.up(args.from_series)
    upgrader = upgrade.Upgrader(sandbox)
    upgrader.stage(args.to_series)
    conf = os.path.join(sandbox.layout.workspace, 'etc', 'tempest.conf')
    tmp = tempfile.mkdtemp(prefix='modes-bench-')
    url = 'sqlite:///' + os.path.join(tmp, 'store.db')
    store = store_api.open_store(url)
    run_id = 'modes-%s-%d' % (mode, time.time())
    lifecycle.start(store, run_id, tmp, config_file=conf, store_url=url)
    try:
        lifecycle.wait_probing(store, run_id)
        time.sleep(args.baseline)
        began = time.monotonic()
        upgrader.run(args.to_series, [], mode)
        spent = time.monotonic() - began
        time.sleep(5)
    finally:
        lifecycle.stop(store, run_id, tmp, 30)
    since = min(p['started_at'] for p in store.list_processes(run_id))
    store.import_events_jsonl(run_id, sandbox.layout.events_file,
                              since=since)
    analysis = downtime.analyse_run(store, run_id)
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    sandbox.down()
    return spent, analysis


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--dir', required=True)
    parser.add_argument('--port-offset', type=int, default=0)
    parser.add_argument('--from', dest='from_series', default='2026.1')
    parser.add_argument('--to', dest='to_series', default='2026.2')
    parser.add_argument('--modes', nargs='+', default=['cold', 'rolling'])
    parser.add_argument('--baseline', type=float, default=20.0)
    args = parser.parse_args()
    results = {mode: one_mode(args, mode) for mode in args.modes}
    for mode, (spent, analysis) in results.items():
        print('\n%s %s -> %s: upgrade %.0f s' % (
            mode, args.from_series, args.to_series, spent))
        print('%-10s %10s %8s %9s %8s  %s' % (
            'service', 'downtime s', 'windows', 'avail %', 'p95 ms',
            'windows (step: duration)'))
        for name, f in sorted(analysis['services'].items()):
            print('%-10s %10.1f %8d %9.2f %8.0f  %s' % (
                name, f['total_downtime'], len(f['downtime_windows']),
                f['availability'] or 0.0, (f['latency']['p95'] or 0) * 1000,
                '; '.join('%s: %.1f s %s' % (
                    w['step'], w['duration'], sorted(w['outcomes']))
                    for w in f['downtime_windows'])))


if __name__ == '__main__':
    main()
