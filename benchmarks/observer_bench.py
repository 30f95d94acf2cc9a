#!/usr/bin/env python3
"""Benchmark of the observers, the store and the analysis (prints figures).

1. Observer cost: a detached observer probes every service of a cloud
   (the sandbox by default) at 10 Hz for ``--observer-seconds`` (600 = the
   10 minutes of the target); CPU % of one core (total and per service) and
   RSS and threads over time, read from /proc.  Target: <= 2 % of a core
   per service, flat memory.
2. Store insert rate: samples written the way the observer writes them
   (one transaction per flush) and in large batches, to SQLite and, with
   ``--pg-url`` or $UPGRADE_TEMPEST_TEST_PG_URL, PostgreSQL.
3. Analysis time over 1.728 million synthetic samples (24 h at 20 Hz of
   one service, with outages).  Target: <= 5 s.

Usage::

    python benchmarks/observer_bench.py [--observer-seconds 600]
        [--tempest-conf SANDBOX/tempest/etc/tempest.conf] [--pg-url URL]
        [--freeze SERVICE [--freeze-seconds 10] [--freeze-every 120]]
        [--skip-observer] [--skip-store] [--skip-analysis]

``--freeze`` needs the sandbox ($UPGRADE_TEMPEST_SANDBOX_DIR) whose
tempest.conf is used.
"""

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time

from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.store import api as store_api


def _status_field(pid, name):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(name + ':'):
                return int(line.split()[1])
    return 0


def rss_mib(pid):
    return _status_field(pid, 'VmRSS') / 1024.0


def threads(pid):
    return _status_field(pid, 'Threads')


class Freezer(object):
    """Freezes one sandbox API (SIGSTOP) for a while, every so often.

    Probes of a frozen service hang until their timeout: the latency peak
    an upgrade causes, which is when an observer's memory could grow.
    """

    def __init__(self, service, seconds, every):
        from upgrade_tempest_plugin.sandbox import cloud
        from upgrade_tempest_plugin.sandbox import layout
        sandbox = cloud.Sandbox(layout.Layout(), out=open(os.devnull, 'w'))
        self.pid = sandbox.running(service + '-api')
        if self.pid is None:
            raise SystemExit('%s-api is not running in the sandbox at %s'
                             % (service, sandbox.layout.root))
        self.service = service
        self.seconds = seconds
        self.every = every
        self.next_at = time.monotonic() + every / 2.0
        self.frozen_until = None
        self.count = 0

    def tick(self):
        now = time.monotonic()
        if self.frozen_until is not None and now >= self.frozen_until:
            os.killpg(self.pid, signal.SIGCONT)
            self.frozen_until = None
        elif self.frozen_until is None and now >= self.next_at:
            os.killpg(self.pid, signal.SIGSTOP)
            self.frozen_until = now + self.seconds
            self.next_at = now + self.every
            self.count += 1

    def release(self):
        if self.frozen_until is not None:
            os.killpg(self.pid, signal.SIGCONT)
            self.frozen_until = None


def bench_observer(args):
    conf = args.tempest_conf or os.path.join(
        os.environ.get('UPGRADE_TEMPEST_SANDBOX_DIR',
                       os.path.expanduser(
                           '~/.local/share/upgrade-tempest/sandbox')),
        'tempest', 'etc', 'tempest.conf')
    if not os.path.isfile(conf):
        print('observer: skipped, no tempest.conf at %s' % conf)
        return
    tmp = tempfile.mkdtemp(prefix='observer-bench-')
    url = 'sqlite:///' + os.path.join(tmp, 'store.db')
    settings = os.path.join(tmp, 'settings.json')
    with open(settings, 'w') as f:
        json.dump({'rate': args.rate}, f)
    store = store_api.open_store(url)
    run_id = 'bench-%d' % time.time()
    status, _ = lifecycle.start(store, run_id, tmp, config_file=conf,
                                settings_file=settings, store_url=url)
    pid = status['pid']
    try:
        # Wait until every service is probed (token + catalog).
        started = lifecycle.wait_probing(store, run_id)
        services = (started['detail'] or {}).get('services', []) \
            if started else []
        n = max(1, len(services))
        print('observer: pid %d, %d services %s at %.0f Hz for %d s' % (
            pid, len(services), services, args.rate, args.observer_seconds))
        time.sleep(5)   # warm up
        freezer = None
        if args.freeze:
            freezer = Freezer(args.freeze, args.freeze_seconds,
                              args.freeze_every)
            print('observer: freezing %s for %d s every %d s' % (
                args.freeze, args.freeze_seconds, args.freeze_every))
        start_cpu, start_t = procs.cpu_seconds(pid), time.monotonic()
        rss, nthreads = [rss_mib(pid)], [threads(pid)]
        samples_before = sum(t[2] for t in store.sample_targets(run_id))
        step = min(30.0, args.observer_seconds / 10.0)
        end = start_t + args.observer_seconds
        next_read = start_t + step
        try:
            while time.monotonic() < end:
                time.sleep(0.25)
                if freezer is not None:
                    freezer.tick()
                if time.monotonic() >= next_read:
                    next_read += step
                    rss.append(rss_mib(pid))
                    nthreads.append(threads(pid))
        finally:
            if freezer is not None:
                freezer.release()
        rss.append(rss_mib(pid))
        nthreads.append(threads(pid))
        cpu = procs.cpu_seconds(pid) - start_cpu
        wall = time.monotonic() - start_t
        samples = sum(t[2] for t in store.sample_targets(run_id)) - \
            samples_before
        pct = 100.0 * cpu / wall
        print('observer: CPU %.2f %% of one core in total, %.2f %% per '
              'service (target <= 2 %%)' % (pct, pct / n))
        print('observer: RSS MiB start %.1f, end %.1f, min %.1f, max %.1f '
              '(series: %s)' % (rss[0], rss[-1], min(rss), max(rss),
                                ' '.join('%.1f' % r for r in rss)))
        half = rss[len(rss) // 2:]
        print('observer: RSS change over the second half %+.1f MiB '
              '(%d readings, target: flat)' % (half[-1] - half[0], len(half)))
        print('observer: threads start %d, max %d, end %d' % (
            nthreads[0], max(nthreads), nthreads[-1]))
        if freezer is not None:
            print('observer: %s frozen %d times' % (freezer.service,
                                                    freezer.count))
        print('observer: %d samples in %.0f s = %.1f samples/s '
              '(%.2f Hz per service)' % (samples, wall, samples / wall,
                                         samples / wall / n))
    finally:
        lifecycle.stop(store, run_id, tmp, 30)
        store.close()
        shutil.rmtree(tmp, ignore_errors=True)


def synthetic(run_id, target, start, count, step, rate_fail=None):
    """Samples of one target: ok with random latency, some outages."""
    rnd = random.Random(42)
    outages = [(start + step * k, start + step * (k + rnd.randint(5, 600)))
               for k in sorted(rnd.sample(range(count), 40))]
    outage_iter = iter(outages)
    current = next(outage_iter, None)
    rows = []
    for i in range(count):
        sent = start + i * step
        while current is not None and sent > current[1]:
            current = next(outage_iter, None)
        failed = current is not None and current[0] <= sent <= current[1]
        latency = rnd.lognormvariate(-4.0, 0.4)
        rows.append({'run_id': run_id, 'observer': 'api', 'target': target,
                     'sent_at': sent,
                     'answered_at': None if failed else sent + latency,
                     'latency': latency,
                     'outcome': 'refused' if failed else 'ok',
                     'status': None if failed else 200, 'process_id': 1,
                     'detail': None})
    return rows


def bench_store(url, label, total=60000):
    store = store_api.open_store(url)
    run_id = 'insert-%s-%d' % (label, time.time())
    rows = synthetic(run_id, 'compute', 1e9, total, 0.05)
    # As the observer writes: one transaction per flush of 0.5 s of 6
    # services at 10 Hz = 30 samples, with the heartbeat.
    pid = store.register_process(run_id, 1, 'bench', 'bench')
    begin = time.perf_counter()
    flushes = 0
    for i in range(0, 12000, 30):
        store.add_samples(rows[i:i + 30], heartbeat={'process_id': pid})
        flushes += 1
    small = time.perf_counter() - begin
    begin = time.perf_counter()
    for i in range(12000, total, 5000):
        store.add_samples(rows[i:i + 5000])
    big = time.perf_counter() - begin
    print('store %s: %.0f samples/s in flushes of 30 (+heartbeat; %.0f '
          'flushes/s), %.0f samples/s in batches of 5000' % (
              label, 12000 / small, flushes / small,
              (total - 12000) / big))
    store.close()


def bench_analysis(url, label, count=1728000):
    store = store_api.open_store(url)
    run_id = 'analysis-%s-%d' % (label, time.time())
    store.register_process(run_id, 1, 'bench', 'bench', attrs={'rate': 20})
    begin = time.perf_counter()
    rows = synthetic(run_id, 'compute', 1.7e9, count, 0.05)
    for i in range(0, count, 50000):
        store.add_samples(rows[i:i + 50000])
    del rows
    print('analysis %s: %d samples generated and stored in %.1f s' % (
        label, count, time.perf_counter() - begin))
    begin = time.perf_counter()
    result = downtime.analyse_run(store, run_id)
    took = time.perf_counter() - begin
    figures = result['services']['compute']
    print('analysis %s: %.2f s for %d samples (target <= 5 s): %d windows, '
          '%.1f s downtime, availability %.3f %%, p95 %.1f ms' % (
              label, took, figures['samples'],
              len(figures['downtime_windows']), figures['total_downtime'],
              figures['availability'], figures['latency']['p95'] * 1000))
    store.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--observer-seconds', type=float, default=600)
    parser.add_argument('--rate', type=float, default=10.0)
    parser.add_argument('--tempest-conf')
    parser.add_argument('--pg-url',
                        default=os.environ.get('UPGRADE_TEMPEST_TEST_PG_URL'))
    parser.add_argument('--freeze', metavar='SERVICE',
                        help='SIGSTOP this sandbox API now and then '
                             '(e.g. glance), for latency peaks')
    parser.add_argument('--freeze-seconds', type=float, default=10.0)
    parser.add_argument('--freeze-every', type=float, default=120.0)
    parser.add_argument('--skip-observer', action='store_true')
    parser.add_argument('--skip-store', action='store_true')
    parser.add_argument('--skip-analysis', action='store_true')
    args = parser.parse_args()
    # SIGTERM too stops the observer and thaws a frozen service.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = tempfile.mkdtemp(prefix='store-bench-')
    try:
        if not args.skip_store:
            bench_store('sqlite:///' + os.path.join(tmp, 'insert.db'),
                        'sqlite')
            if args.pg_url:
                bench_store(args.pg_url, 'postgresql')
        if not args.skip_analysis:
            bench_analysis('sqlite:///' + os.path.join(tmp, 'analysis.db'),
                           'sqlite')
            if args.pg_url:
                bench_analysis(args.pg_url, 'postgresql')
        if not args.skip_observer:
            bench_observer(args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
