#!/usr/bin/env python3
"""What the test queue costs (prints figures; not a test).

1. Dispatch of no-op jobs through a real geard on loopback, with a worker
   in another process that completes each job at once:

   * nodelay: ``upgrade-tempest-geard`` and the project's gear classes
     (TCP_NODELAY on every socket, queue/gearsock.py);
   * stock: gear's own ``geard``, ``gear.Client`` and ``gear.Worker``.

   For each: the round trip of ``--jobs`` sequential jobs (submit, wait
   for WORK_COMPLETE; mean, p50, p99 in ms) and the rate of the same
   number of jobs submitted all at once then awaited (jobs/s).  Target
   with TCP_NODELAY: at least 1,000 jobs/s.  The stock run uses
   ``--stock-jobs`` (default 100): each of its round trips waits ~40 ms.

2. Time to the first test of a job (``--first-test``): a real job
   (queue/job.py) whose regex selects three Tempest identity tests
   against a closed port, run twice on one fresh wheel cache: cold (pip
   fetches Tempest's wheels from the package index, then builds the
   template venv) and warm (the job copies the template).  Prints the
   seconds until the venv was ready, until ``running`` and until the
   first test result.

Usage::

    python benchmarks/queue_bench.py [--jobs 1000] [--stock-jobs 100]
        [--first-test]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import gear

from upgrade_tempest_plugin.queue import gearsock

FUNCTION = b'noop'

WORKER = r'''
import sys
import gear
from upgrade_tempest_plugin.queue import gearsock
cls = gear.Worker if sys.argv[1] == 'stock' else gearsock.Worker
worker = cls('bench-worker')
worker.addServer('127.0.0.1', int(sys.argv[2]))
worker.waitForServer(10)
worker.registerFunction('noop')
print('ready', flush=True)
while True:
    job = worker.getJob()
    job.sendWorkComplete(b'')
'''


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _start_geard(stock, port, tmp):
    script = os.path.join(os.path.dirname(sys.executable),
                          'geard' if stock else 'upgrade-tempest-geard')
    proc = subprocess.Popen(
        [script, '-d', '-p', str(port), '--listen-address', '127.0.0.1',
         '--pidfile', os.path.join(tmp, 'geard.pid')],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket
    for _ in range(200):
        try:
            socket.create_connection(('127.0.0.1', port), 1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise SystemExit('geard did not start')


def _wait(jobs, timeout=600):
    deadline = time.monotonic() + timeout
    for job in jobs:
        while not job.complete:
            if time.monotonic() > deadline:
                raise SystemExit('jobs did not complete')
            time.sleep(0.0001)


def dispatch(stock, jobs):
    """(round trips in seconds, pipelined jobs per second)."""
    tmp = tempfile.mkdtemp(prefix='queue-bench-')
    port = free_port()
    geard = _start_geard(stock, port, tmp)
    worker = subprocess.Popen(
        [sys.executable, '-c', WORKER, 'stock' if stock else 'nodelay',
         str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    client = (gear.Client if stock else gearsock.Client)('bench-client')
    try:
        worker.stdout.readline()
        client.addServer('127.0.0.1', port)
        client.waitForServer(10)
        _wait([_submit(client)])
        trips = []
        for _ in range(jobs):
            started = time.perf_counter()
            job = _submit(client)
            _wait([job])
            trips.append(time.perf_counter() - started)
        started = time.perf_counter()
        batch = [_submit(client) for _ in range(jobs)]
        _wait(batch)
        rate = jobs / (time.perf_counter() - started)
    finally:
        client.shutdown()
        for proc in (worker, geard):
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return trips, rate


def _submit(client):
    job = gear.Job(FUNCTION, b'')
    client.submitJob(job)
    return job


def _ms(seconds):
    return '%.2f' % (seconds * 1000)


def print_dispatch(name, trips, rate):
    trips = sorted(trips)
    print('%-8s %5d jobs  round trip ms: mean %s p50 %s p99 %s  '
          'pipelined: %.0f jobs/s' % (
              name, len(trips), _ms(statistics.mean(trips)),
              _ms(trips[len(trips) // 2]),
              _ms(trips[min(len(trips) - 1, int(len(trips) * 0.99))]), rate))


class _Report:
    def __init__(self, started):
        self.started = started
        self.marks = {}

    def post(self, state, **details):
        self.marks.setdefault(state, time.monotonic() - self.started)


def first_test(cache_dir, work_dir, test_id):
    """(venv, running, first test, final state) of one job.

    Seconds from the job's start: until its template venv was ready,
    until ``running`` and until the first test result.
    """
    import importlib.metadata

    from upgrade_tempest_plugin.queue import job
    from upgrade_tempest_plugin.queue import venvs
    payload = {
        'version': 1, 'test_id': test_id,
        'cloud': {'name': 'nowhere',
                  'tempest_conf': '[identity]\nuri_v3 = '
                                  'http://127.0.0.1:9/identity/v3\n',
                  'accounts_yaml': '- username: u\n  project_name: p\n'
                                   '  password: bench\n'},
        'run': {'regex': r'^tempest\.api\.identity\.v3\.test_tokens\.'},
        'tempest_version': importlib.metadata.version('tempest'),
        'report': {'url': 'http://127.0.0.1:9/update-test-status/'},
        'timeout': 1800}
    started = time.monotonic()
    report = _Report(started)
    first = []

    def progress(done, total):
        if done and not first:
            first.append(time.monotonic() - started)
    cache = venvs.Cache(cache_dir)
    template_started = time.monotonic()
    cache.template(payload['tempest_version'])
    venv_ready = time.monotonic() - template_started
    outcome = job.Job(payload, cache, work_dir, report, progress).run()
    return (venv_ready, report.marks.get('running'),
            first[0] if first else None, outcome.state)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--jobs', type=int, default=1000)
    parser.add_argument('--stock-jobs', type=int, default=100)
    parser.add_argument('--first-test', action='store_true')
    args = parser.parse_args()
    trips, rate = dispatch(False, args.jobs)
    print_dispatch('nodelay', trips, rate)
    trips, rate = dispatch(True, args.stock_jobs)
    print_dispatch('stock', trips, rate)
    if args.first_test:
        tmp = tempfile.mkdtemp(prefix='queue-bench-cache-')
        try:
            for name in ('cold', 'warm'):
                venv, running, first, state = first_test(
                    os.path.join(tmp, 'cache'), tmp, 'bench-' + name)
                print('%s wheel cache: venv %.1f s, running at %.1f s, '
                      'first test at %.1f s (job %s)' % (
                          name, venv, running, first, state))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
