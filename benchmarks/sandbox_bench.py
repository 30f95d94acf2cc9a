#!/usr/bin/env python3
"""Benchmark the sandbox (a script, not a test).

Prints: time to ``up`` from nothing and from cache, peak memory of the
cloud, time to upgrade one service and all services, and Keystone's
refused-connection window during a cold and a rolling upgrade, measured by
a probe that starts a request every 50 ms (20/s) against GET /v3.

    python benchmarks/sandbox_bench.py [--dir DIR] [--fresh-cache]

--fresh-cache builds every venv in an empty cache (about 5 more minutes);
otherwise "from nothing" means an empty sandbox dir with the venv cache
kept.  The sandbox in DIR is destroyed first and left down at the end.
"""

import argparse
import concurrent.futures
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from upgrade_tempest_plugin.common import procs  # noqa: E402
from upgrade_tempest_plugin.sandbox import cloud  # noqa: E402
from upgrade_tempest_plugin.sandbox import configs  # noqa: E402
from upgrade_tempest_plugin.sandbox import infra  # noqa: E402
from upgrade_tempest_plugin.sandbox import layout  # noqa: E402
from upgrade_tempest_plugin.sandbox import services  # noqa: E402
from upgrade_tempest_plugin.sandbox import upgrade  # noqa: E402

FROM, TO = '2026.1', '2026.2'


class MemorySampler(threading.Thread):
    """Peak of the summed RSS of every sandbox process group."""

    def __init__(self, lay):
        super().__init__(daemon=True)
        self.layout = lay
        self.peak_kib = 0
        self.stopping = threading.Event()

    def run(self):
        names = list(infra.PROCESSES) + [
            p for s in services.DAEMONS for p in services.DAEMONS[s]] + [
            s + '-api' for s in configs.DATABASES]
        while not self.stopping.wait(0.5):
            total = 0
            for name in names:
                pid = procs.running_pid(self.layout.pidfile(name))
                if pid:
                    total += procs.rss_kib(pid)
            self.peak_kib = max(self.peak_kib, total)


class Probe(object):
    """Open-loop prober: one request started every ``interval`` s."""

    def __init__(self, url, interval=0.05, timeout=5):
        self.url = url
        self.interval = interval
        self.timeout = timeout
        self.results = []
        self.stopping = threading.Event()
        self.pool = concurrent.futures.ThreadPoolExecutor(64)
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _one(self, sent):
        try:
            with urllib.request.urlopen(self.url,
                                        timeout=self.timeout) as resp:
                outcome = 'ok' if resp.status < 500 else 'http-5xx'
        except urllib.error.HTTPError as exc:
            outcome = 'ok' if exc.code < 500 else 'http-5xx'
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ConnectionRefusedError):
                outcome = 'refused'
            elif isinstance(reason, ConnectionResetError):
                outcome = 'reset'
            else:
                outcome = 'error'
        except ConnectionResetError:
            outcome = 'reset'
        except OSError:
            outcome = 'timeout'
        self.results.append((sent, outcome))

    def _loop(self):
        next_at = time.monotonic()
        while not self.stopping.is_set():
            self.pool.submit(self._one, time.monotonic())
            next_at += self.interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        time.sleep(1)
        self.stopping.set()
        self.thread.join()
        self.pool.shutdown(wait=True)

    def summary(self):
        failed = sorted(s for s, o in self.results if o != 'ok')
        refused = sorted(s for s, o in self.results if o == 'refused')
        window = (refused[-1] - refused[0] + self.interval) if refused else 0
        return len(self.results), len(failed), len(refused), window


def timed(func, *args):
    begin = time.monotonic()
    func(*args)
    return time.monotonic() - begin


def keystone_upgrade(sb, mode):
    url = configs.identity_url()
    with Probe(url) as probe:
        time.sleep(2)
        seconds = timed(upgrade.Upgrader(sb).run, TO, ['keystone'], mode)
        time.sleep(2)
    return seconds, probe.summary()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dir', default=os.path.join(
        tempfile.gettempdir(), 'upgrade-tempest-bench'))
    parser.add_argument('--fresh-cache', action='store_true')
    parser.add_argument('--port-offset', type=int, default=200,
                        help='port offset of the benchmark sandbox '
                             '(default %(default)s: beside a default one)')
    args = parser.parse_args()
    cache = tempfile.mkdtemp() if args.fresh_cache else None
    lay = layout.Layout(args.dir, cache)
    log = open(os.path.join(tempfile.gettempdir(), 'sandbox-bench.log'), 'w')
    # whatever ran in DIR before goes, with the port offset it had
    cloud.Sandbox(lay, log).destroy()
    sb = cloud.Sandbox(lay, log, args.port_offset)
    report = []

    sampler = MemorySampler(lay)
    sampler.start()
    report.append(('up from nothing%s' % (
        ' (empty venv cache)' if cache else ' (venv cache kept)'),
        '%.1f s' % timed(sb.up, FROM)))
    sb.down()
    report.append(('up from cache (after down)',
                   '%.1f s' % timed(sb.up, FROM)))

    seconds, (sent, failed, refused, window) = keystone_upgrade(
        sb, 'rolling')
    report.append(('upgrade one service (keystone, rolling)',
                   '%.1f s' % seconds))
    report.append(('keystone rolling: requests/failed/refused/window',
                   '%d/%d/%d/%.2f s' % (sent, failed, refused, window)))
    rest = timed(upgrade.Upgrader(sb).run, TO, [], 'rolling')
    report.append(('upgrade all services (rolling, keystone + rest)',
                   '%.1f s' % (seconds + rest)))
    report.append(('peak memory of the cloud (RSS, all processes)',
                   '%.0f MiB' % (sampler.peak_kib / 1024)))

    sb.destroy()
    sb.up(FROM)
    seconds, (sent, failed, refused, window) = keystone_upgrade(sb, 'cold')
    report.append(('upgrade one service (keystone, cold)',
                   '%.1f s' % seconds))
    report.append(('keystone cold: requests/failed/refused/window',
                   '%d/%d/%d/%.2f s' % (sent, failed, refused, window)))
    sampler.stopping.set()
    sb.down()

    if cache:
        shutil.rmtree(cache, ignore_errors=True)

    width = max(len(k) for k, _ in report)
    for key, value in report:
        print('%-*s  %s' % (width, key, value))
    print('(progress log: %s)' % log.name)


if __name__ == '__main__':
    main()
