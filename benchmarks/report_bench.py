"""How big and how slow is the HTML report of a long run?

Builds a synthetic store (default: 24 h at 10 Hz for 6 services, about 5.2
million samples, with an outage of each service during its upgrade step,
a few slow minutes and 300 Tempest results) unless ``--store`` names one
made before, then times ``upgrade-tempest report``'s work (the run
analysis with its timeline, the page data, the HTML) and prints the file's
size and the process's peak resident memory (with ``--store``, that of
the report alone).  The requirement (issue 12): under 5 MB, under 10 s.
Not a test: a measurement; doc/source/report.rst quotes it.

    python benchmarks/report_bench.py [--hours 24] [--rate 10]
        [--services 6] [--store sqlite:////tmp/report-bench.db] [-o FILE]
"""

import argparse
import os
import random
import resource
import tempfile
import time

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.report import pages
from upgrade_tempest_plugin.store import api as store_api

RUN = 'report-bench'
SERVICES = ('identity', 'compute', 'image', 'network', 'volume',
            'placement', 'object-store', 'orchestration')
T0 = 1_800_000_000.0
BATCH = 50_000


def fill(store, hours, rate, services):
    """Write the synthetic run; returns the number of samples."""
    rng = random.Random(42)
    span = hours * 3600.0
    step = 1.0 / rate
    total = 0
    for number, service in enumerate(services):
        # each service is upgraded in its own tenth of the run, and is
        # down for 20 s (refused) in the middle of its step
        begin = span * (0.1 + 0.8 * number / len(services))
        store.add_event(RUN, events.SANDBOX, 'switch:%s-api' % service,
                        service=service, from_version='1.0.0',
                        to_version='2.0.0', result='ok',
                        detail={'ended_at': T0 + begin + 120},
                        at=T0 + begin)
        down = (T0 + begin + 60, T0 + begin + 80)
        slow = (T0 + begin + 80, T0 + begin + 380)
        batch = []
        for i in range(int(span * rate)):
            sent = T0 + i * step
            if down[0] <= sent < down[1]:
                outcome, latency = 'refused', None
            elif rng.random() < 0.0005:
                outcome, latency = 'http_5xx', 0.02
            else:
                outcome = 'ok'
                latency = rng.uniform(0.01, 0.03) * (
                    5 if slow[0] <= sent < slow[1] else 1)
            batch.append({'run_id': RUN, 'observer': 'api',
                          'target': service, 'sent_at': sent,
                          'answered_at': None if latency is None
                          else sent + latency, 'latency': latency,
                          'outcome': outcome})
            if len(batch) == BATCH:
                store.add_samples(batch)
                total += len(batch)
                batch = []
        store.add_samples(batch)
        total += len(batch)
    store.add_test_results(RUN, [
        {'test_id': 'bench.test_api.Test%d.test_%d' % (i // 10, i),
         'status': 'fail' if i % 50 == 0 else 'success',
         'started_at': T0 + span - 3600 + i * 10, 'duration': 2.0,
         'detail': 'Traceback: boom' if i % 50 == 0 else None}
        for i in range(300)], phase='post-upgrade')
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hours', type=float, default=24)
    parser.add_argument('--rate', type=float, default=10)
    parser.add_argument('--services', type=int, default=6)
    parser.add_argument('--store', help='a store made by an earlier run '
                                        'of this script (skips filling)')
    parser.add_argument('-o', '--output', help='keep the report here')
    parser.add_argument('--browser', action='store_true',
                        help='open the report in headless Chromium')
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.store or 'sqlite:///%s' % os.path.join(tmp, 'store.db')
    store = store_api.open_store(url)
    if not args.store:
        begin = time.monotonic()
        total = fill(store, args.hours, args.rate,
                     SERVICES[:args.services])
        print('store: %d samples written in %.1f s (%s)' % (
            total, time.monotonic() - begin, url))
    begin, cpu = time.monotonic(), time.process_time()
    html = pages.run_page(store, RUN)
    seconds, cpu = time.monotonic() - begin, time.process_time() - cpu
    path = args.output or os.path.join(tmp, 'report.html')
    with open(path, 'w') as f:
        f.write(html)
    size = os.path.getsize(path)
    # ru_maxrss: kilobytes on Linux
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print('report: %.2f MB (%d bytes) rendered in %.1f s (CPU %.1f s, '
          'peak RSS %.0f MB): %s' % (size / 1e6, size, seconds, cpu, peak,
                                     path))
    print('limits: 5 MB %s, 10 s %s' % (
        'ok' if size < 5e6 else 'EXCEEDED',
        'ok' if seconds < 10 else 'EXCEEDED'))
    if args.browser:
        browse(path)


# uPlot redraws in a microtask: the zoom is timed to the next frame.
ZOOM = """
var done = arguments[arguments.length - 1];
var charts = window.reportCharts, u = charts[0], t0 = performance.now();
u.setScale('x', {min: u.scales.x.min + 3600, max: u.scales.x.min + 7200});
requestAnimationFrame(function () {
  done([charts.length, performance.now() - t0]); });
"""


def browse(path):
    """Open the report in headless Chromium; print how fast it draws."""
    from selenium import webdriver
    from selenium.webdriver.support import ui
    os.environ.setdefault('SE_AVOID_STATS', 'true')
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', '--window-size=1400,1000'):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(
        executable_path='/usr/bin/chromedriver'))
    try:
        driver.get('file://' + path)
        ready = ui.WebDriverWait(driver, 120).until(
            lambda d: d.execute_script('return window.reportReadyMs'))
        charts, zoom = driver.execute_async_script(ZOOM)
        print('browser: %d charts drawn %.0f ms after navigation; a zoom '
              'redrew them all in %.0f ms' % (charts, ready, zoom))
    finally:
        driver.quit()


if __name__ == '__main__':
    main()
