#!/usr/bin/env python3
"""What the observers' probes cost the services they measure (prints figures).

For every service of a sandbox, a client of its own (the non-admin account
of the workspace, one request at a time, ``--client-rate`` per second)
sends the observer's probe request and records its latency, and the CPU
time of the service's API processes is read from /proc.  First without an
observer, then with a detached observer probing every service at
``--rate`` over new connections only, then over new and reused keep-alive
connections (``reused_connections``): the last two columns are the load
the reused-connection probes add.  A probe that costs the service a good
part of its capacity shows up as a client's latency that grows when the
observer starts: the measurement then causes what it measures
(doc/source/observers.rst, "Choosing rate and timeout").

``--candidate SERVICE=PATH`` (repeatable) also times other request paths
on the idle cloud (service time), to pick the cheapest meaningful probe.

Usage::

    UPGRADE_TEMPEST_SANDBOX_DIR=DIR python benchmarks/probe_cost_bench.py
        [--seconds 30] [--rate 10] [--client-rate 2]
        [--candidate network=v2.0/extensions ...]
"""

import argparse
import configparser
import json
import os
import shutil
import tempfile
import threading
import time

import urllib3

from upgrade_tempest_plugin.analysis import ranks
from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.observers import credentials
from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.observers import service_probe
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import layout as sb_layout
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.store import api as store_api

#: profile name -> sandbox service of its API process
SANDBOX_SERVICE = {'identity': 'keystone', 'compute': 'nova',
                   'image': 'glance', 'network': 'neutron',
                   'volume': 'cinder', 'placement': 'placement'}


def group_cpu_seconds(pgid):
    return sum(procs.cpu_seconds(pid) for pid in procs.group_members(pgid))


class Client(threading.Thread):
    """One request at a time, ``rate`` per second, latencies recorded."""

    def __init__(self, url, headers, rate, seconds):
        super().__init__(daemon=True)
        self.url, self.headers = url, headers
        self.interval, self.seconds = 1.0 / rate, seconds
        self.latencies, self.failures = [], 0
        self.pool = urllib3.PoolManager(retries=False)

    def run(self):
        end = time.monotonic() + self.seconds
        next_at = time.monotonic()
        while next_at < end:
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += self.interval
            begin = time.monotonic()
            try:
                resp = self.pool.request(
                    'GET', self.url, headers=dict(
                        self.headers, Connection='close'),
                    timeout=urllib3.Timeout(total=30))
                ok = resp.status < 400
            except urllib3.exceptions.HTTPError:
                ok = False
            if ok:
                self.latencies.append(time.monotonic() - begin)
            else:
                self.failures += 1


def measure(targets, sandbox, rate, seconds):
    """{name: (p50 ms, p90 ms, failures, API CPU % of one core)}."""
    pgids = {name: sandbox.running(SANDBOX_SERVICE[name] + '-api')
             for name in targets}
    cpu0 = {n: group_cpu_seconds(p) for n, p in pgids.items() if p}
    begin = time.monotonic()
    clients = {name: Client(url, headers, rate, seconds)
               for name, (url, headers) in targets.items()}
    for c in clients.values():
        c.start()
    for c in clients.values():
        c.join()
    wall = time.monotonic() - begin
    result = {}
    for name, c in clients.items():
        lat = sorted(c.latencies)
        cpu = (100.0 * (group_cpu_seconds(pgids[name]) - cpu0[name]) / wall
               if name in cpu0 else None)
        result[name] = (1000 * (ranks.percentile(lat, 50) or 0),
                        1000 * (ranks.percentile(lat, 90) or 0),
                        c.failures, cpu)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=30.0)
    parser.add_argument('--rate', type=float, default=None,
                        help='observer probes per second per service '
                             '(default: the tempest.conf value)')
    parser.add_argument('--client-rate', type=float, default=2.0)
    parser.add_argument('--candidate', action='append', default=[],
                        metavar='SERVICE=PATH')
    parser.add_argument('--candidates-only', action='store_true',
                        help='time the candidates, measure nothing else')
    args = parser.parse_args()
    sandbox = cloud.Sandbox(sb_layout.Layout(), out=open(os.devnull, 'w'))
    conf_path = os.path.join(sandbox.layout.workspace, 'etc',
                             'tempest.conf')
    conf = configparser.ConfigParser()
    conf.read(conf_path)
    account = credentials.pick_account(conf.get('auth',
                                                'test_accounts_file'))
    pool = urllib3.PoolManager(retries=False)
    tokens = credentials.TokenManager(conf.get('identity', 'uri_v3'),
                                      account, pool)
    token = tokens.fetch()
    endpoints = credentials.endpoints_from_catalog(token.catalog)
    profiles = registry.load_profiles()
    found, _ = service_probe.resolve_targets(profiles, endpoints,
                                             list(SANDBOX_SERVICE))
    targets = {}
    for profile, url in found:
        headers = dict(profile.probe_headers or {})
        if profile.probe_needs_token:
            headers['X-Auth-Token'] = token.value
        targets[profile.name] = (service_probe.probe_url(url, profile),
                                 headers)

    for spec in args.candidate:
        name, path = spec.split('=', 1)
        profile = profiles[name]
        url = [u for p, u in found if p.name == name][0]
        cand = {name: (url.rstrip('/') + '/' + path.lstrip('/'),
                       dict(targets[name][1]))}
        p50, p90, fails, cpu = measure(cand, sandbox, args.client_rate,
                                       args.seconds / 2)[name]
        print('candidate %-9s %-40s p50 %6.1f ms p90 %6.1f ms '
              'failures %d' % (name, path, p50, p90, fails))

    if args.candidates_only:
        return
    print('measuring %d services without an observer for %.0f s ...'
          % (len(targets), args.seconds))
    idle = measure(targets, sandbox, args.client_rate, args.seconds)

    # The observer with new connections only, then with reused ones too.
    with_new = observed(targets, sandbox, conf_path, args, reused=False)
    with_both = observed(targets, sandbox, conf_path, args, reused=True)

    print('\n%-10s %-28s %17s %17s %17s %20s' % (
        'service', 'probe', 'client p50/p90 ms', 'observer: new',
        'new + reused', 'API CPU % idle/new/both'))
    for name in sorted(targets):
        a, b, c = idle[name], with_new[name], with_both[name]
        print('%-10s %-28s %8.1f/%6.1f %10.1f/%6.1f %10.1f/%6.1f %20s' % (
            name, profiles[name].probe_path or '/', a[0], a[1], b[0], b[1],
            c[0], c[1], '/'.join('%.1f' % x[3] if x[3] is not None else '-'
                                 for x in (a, b, c))))
        if a[2] or b[2] or c[2]:
            print('%-10s client failures: %d idle, %d new, %d new + reused'
                  % ('', a[2], b[2], c[2]))


def observed(targets, sandbox, conf_path, args, reused):
    """:func:`measure` while a detached observer probes every service.

    ``reused``: the observer probes over reused keep-alive connections
    too (``reused_connections``), else over new connections only.
    """
    tmp = tempfile.mkdtemp(prefix='probe-cost-')
    url = 'sqlite:///' + os.path.join(tmp, 'store.db')
    settings = os.path.join(tmp, 'settings.json')
    overrides = {'reused_connections': reused}
    if args.rate:
        overrides['rate'] = args.rate
    with open(settings, 'w') as f:
        json.dump(overrides, f)
    store = store_api.open_store(url)
    run_id = 'probe-cost-%d' % time.time()
    lifecycle.start(store, run_id, tmp, config_file=conf_path,
                    settings_file=settings, store_url=url)
    try:
        lifecycle.wait_probing(store, run_id)
        time.sleep(3)
        rate = [p for p in store.list_processes(run_id)][0]['attrs'].get(
            'rate')
        print('measuring again with the observer at %s Hz, %s ...' % (
            rate, 'new and reused connections' if reused else
            'new connections only'))
        return measure(targets, sandbox, args.client_rate, args.seconds)
    finally:
        lifecycle.stop(store, run_id, tmp, 30)
        store.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
