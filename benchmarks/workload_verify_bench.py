#!/usr/bin/env python3
"""Benchmark: verify many persistent workloads at once (prints figures).

The post-upgrade phase verifies workloads from one inventory (one list
call per resource type), not with one GET per resource.  This creates
``--count`` workloads (default 500) of the given kinds on a real cloud --
the sandbox by default -- as the non-admin workload account of its
tempest.conf, then times their verification in one process, and destroys
them.  Creation and destruction run in ``--processes`` processes (each its
own :class:`WorkloadSet` on the same run) because they only prepare the
measurement.

The sandbox's admin (its clouds.yaml ``sandbox-admin``) lifts the
workload project's Neutron and Cinder quotas for the run and puts them
back afterwards; the workloads themselves are non-admin.

Usage::

    python benchmarks/workload_verify_bench.py
        [--tempest-conf SANDBOX/tempest/etc/tempest.conf]
        [--count 500] [--kinds image_with_data,network_stack]
        [--processes 4] [--keep] [--run RUN_ID [--verify-only]]

A workload whose creation fails (a request the cloud did not answer in
time) is counted and left out of the verification.  ``--keep`` leaves the
workloads (and the lifted quotas) in place and prints the run id; ``--run
RUN_ID`` reuses the workloads of that earlier run (creating what is
missing, unless ``--verify-only``), so two versions of the code can be
timed on the same workloads.
"""

import argparse
import json
import multiprocessing
import os
import sys
import time
import traceback
import uuid

DEFAULT_SANDBOX = os.path.expanduser('~/.local/share/upgrade-tempest/sandbox')
NEUTRON_QUOTAS = ('networks', 'subnets', 'routers', 'ports',
                  'security_groups')
CINDER_QUOTAS = ('volumes', 'snapshots', 'gigabytes')


def load_conf(path):
    """Tempest's CONF read from ``path`` (with this plugin's options).

    Read as the commands read it: a file that is not INI text or holds a
    bad value is a one-line UserError.
    """
    from upgrade_tempest_plugin.observers import settings
    return settings.load_tempest_conf(path)


def workload_set(conf, run_id):
    """The run's workload set as the workload account of ``conf``."""
    from upgrade_tempest_plugin.workloads import runtime
    return runtime.open_workload_set(conf, run_id=run_id)


def instances(kinds, count):
    """``count`` kind objects, each with a workload name of its own."""
    from upgrade_tempest_plugin import workloads
    made = []
    installed = workloads.load_kinds()
    for i in range(count):
        kind = type(installed[kinds[i % len(kinds)]])()
        kind.name = '%s_%03d' % (kind.name, i)
        made.append(kind)
    return made


def _create_slice(args):
    conf_path, run_id, kinds, count, index, step = args
    conf = load_conf(conf_path)
    ws = workload_set(conf, run_id)
    done, failed = 0, []
    for kind in instances(kinds, count)[index::step]:
        try:
            with ws.creating(kind.name, kind.service, kind.name):
                kind.create_or_verify(ws)
        except Exception as exc:   # a slow cloud: count it, go on
            failed.append('%s: %s' % (kind.name, exc))
            continue
        done += 1
        if index == 0 and done % 25 == 0:
            print('  created %d workloads (process 1 of %d)' % (done, step),
                  flush=True)
    return done, failed


def _destroy_slice(args):
    conf_path, run_id, kinds, count, index, step = args
    conf = load_conf(conf_path)
    ws = workload_set(conf, run_id)
    problems = []
    for kind in reversed(instances(kinds, count)[index::step]):
        problems += ws.destroy(kind.name)
    return problems


def set_quotas(conn, project_id, values):
    conn.network.update_quota(project_id, **{
        k: values[k] for k in NEUTRON_QUOTAS})
    conn.block_storage.update_quota_set(project_id, **{
        k: values[k] for k in CINDER_QUOTAS})


def read_quotas(conn, project_id):
    net = conn.network.get_quota(project_id)
    vol = conn.block_storage.get_quota_set(project_id)
    values = {k: getattr(net, k) for k in NEUTRON_QUOTAS}
    values.update({k: getattr(vol, k) for k in CINDER_QUOTAS})
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tempest-conf')
    parser.add_argument('--count', type=int, default=500)
    parser.add_argument('--kinds', default='image_with_data,network_stack')
    parser.add_argument('--processes', type=int, default=4)
    parser.add_argument('--keep', action='store_true')
    parser.add_argument('--run', help='reuse the workloads of this run')
    parser.add_argument('--verify-only', action='store_true',
                        help='with --run: create nothing, only verify')
    args = parser.parse_args()
    sandbox_dir = os.environ.get('UPGRADE_TEMPEST_SANDBOX_DIR',
                                 DEFAULT_SANDBOX)
    conf_path = os.path.abspath(args.tempest_conf or os.path.join(
        sandbox_dir, 'tempest', 'etc', 'tempest.conf'))
    if not os.path.isfile(conf_path):
        sys.exit('workload bench: no tempest.conf at %s' % conf_path)
    kinds = args.kinds.split(',')
    from upgrade_tempest_plugin import exceptions
    try:
        conf = load_conf(conf_path)
    except exceptions.UserError as exc:
        sys.exit('workload bench: %s' % exc)
    from upgrade_tempest_plugin.workloads import workload_set as \
        workload_set_mod
    run_id = args.run or 'bench-workloads-' + uuid.uuid4().hex[:8]
    ws = workload_set(conf, run_id)
    project_id = ws.resources.project_id
    from upgrade_tempest_plugin.functional_tests import sandbox_admin
    conn = sandbox_admin.connection(os.path.join(sandbox_dir,
                                                 'clouds.yaml'))
    saved_file = os.path.join(os.path.dirname(conf_path),
                              'bench-quotas-%s.json' % run_id)
    if args.run and os.path.exists(saved_file):
        with open(saved_file) as f:
            saved = json.load(f)
    else:
        saved = read_quotas(conn, project_id)
        with open(saved_file, 'w') as f:
            json.dump(saved, f)
    set_quotas(conn, project_id, {k: -1 for k in saved})
    slices = [(conf_path, run_id, kinds, args.count, i, args.processes)
              for i in range(args.processes)]
    try:
        if not args.verify_only:
            print('workloads: creating (or verifying) %d workloads (%s) in '
                  'run %s with %d processes' % (
                      args.count, ', '.join(kinds), run_id, args.processes),
                  flush=True)
            begin = time.monotonic()
            with multiprocessing.Pool(args.processes) as pool:
                results = pool.map(_create_slice, slices)
            failed = [f for _, fs in results for f in fs]
            print('workloads: %d created or verified in %.1f s, %d failed%s'
                  % (sum(n for n, _ in results), time.monotonic() - begin,
                     len(failed), (': ' + failed[0]) if failed else ''),
                  flush=True)

        ws = workload_set(conf, run_id)
        complete = {e['name'] for e in ws.store.list_workloads(
            run_id, kind=workload_set_mod.WORKLOAD)
            if e['state'] == 'created'}
        verified = [k for k in instances(kinds, args.count)
                    if k.name in complete]
        resources = len(ws.entries())
        for attempt in (1, 2, 3):
            ws = workload_set(conf, run_id)
            begin = time.monotonic()
            problems = []
            with ws.reading():
                for kind in verified:
                    problems += kind.verify(ws)
            took = time.monotonic() - begin
            print('workloads: verify #%d of %d workloads (%d resources) '
                  'took %.2f s with %d list calls; %d problems%s' % (
                      attempt, len(verified), resources, took,
                      ws.inventory.calls, len(problems),
                      (': ' + '; '.join(problems[:3])) if problems else ''),
                  flush=True)
    finally:
        if args.keep:
            print('workloads: kept; verify again with --run %s' % run_id)
        else:
            try:
                begin = time.monotonic()
                with multiprocessing.Pool(args.processes) as pool:
                    left = [p for ps in pool.map(_destroy_slice, slices)
                            for p in ps]
                print('workloads: destroyed in %.1f s; %d problems%s' % (
                    time.monotonic() - begin, len(left),
                    (': ' + '; '.join(left[:3])) if left else ''))
            finally:
                set_quotas(conn, project_id, saved)
                os.unlink(saved_file)


if __name__ == '__main__':
    try:
        main()
    except Exception:
        # oslo.log (loaded with Tempest) replaces sys.excepthook with one
        # that logs where this script does not look.
        traceback.print_exc()
        sys.exit(1)
