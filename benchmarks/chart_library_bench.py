"""Which chart library draws the report's timeline: size and speed.

Draws one line chart of N points (a latency-like series) with each
library given on the command line, in headless Chromium (Debian's
``chromium`` and ``chromium-driver``), and prints the size of the
library's minified JS (raw and gzip) and the time from the page's first
script to the chart drawn (median of ``--repeat`` loads).  The libraries
are the minified files of their npm packages, for instance::

    npm pack uplot@1.6.32 echarts@6.1.0 plotly.js-dist-min@4.1.2
    python benchmarks/chart_library_bench.py --points 200000 \\
        uplot=package/dist/uPlot.iife.min.js \\
        echarts=package/dist/echarts.min.js \\
        plotly=package/plotly.min.js

doc/source/report.rst quotes the figures this printed when uPlot was
chosen.  Not a test: a measurement.
"""

import argparse
import gzip
import json
import os
import statistics
import tempfile

from selenium import webdriver
from selenium.webdriver.support import ui

#: How each library draws ``data = {x: [...], y: [...]}`` into ``#c``.
DRAW = {
    'uplot': """new uPlot({width: 1200, height: 300,
        series: [{}, {stroke: 'red'}]}, [data.x, data.y],
        document.getElementById('c'));""",
    'echarts': """var chart = echarts.init(document.getElementById('c'),
        null, {width: 1200, height: 300, renderer: 'canvas'});
      chart.setOption({animation: false, xAxis: {type: 'value',
        min: 'dataMin'}, yAxis: {type: 'value'}, series: [{type: 'line',
        showSymbol: false, sampling: 'lttb',
        data: data.x.map(function (x, i) { return [x, data.y[i]]; })}]});""",
    'plotly': """Plotly.newPlot('c', [{x: data.x, y: data.y, type: 'scattergl',
        mode: 'lines'}], {width: 1200, height: 300});""",
}

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script>var t0 = performance.now();</script>
<script>%(lib)s</script></head><body><div id="c"></div>
<script>var data = %(data)s;
%(draw)s
requestAnimationFrame(function () { setTimeout(function () {
  document.title = 'drawn ' + (performance.now() - t0).toFixed(1); }, 0); });
</script></body></html>"""


def points(count):
    x = [1_800_000_000 + i * 0.1 for i in range(count)]
    y = [round(0.02 + 0.01 * ((i * 7919) % 97) / 97, 4) for i in range(count)]
    return {'x': x, 'y': y}


def browser():
    """Debian's chromium through its chromedriver (never a download)."""
    os.environ.setdefault('SE_AVOID_STATS', 'true')
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage'):
        options.add_argument(arg)
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(
        executable_path='/usr/bin/chromedriver'))


def measure(driver, path, repeat):
    times = []
    for _ in range(repeat):
        driver.get('file://' + path)
        ui.WebDriverWait(driver, 300).until(
            lambda d: d.title.startswith('drawn '))
        times.append(float(driver.title.split()[1]))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--points', type=int, default=200_000)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('libraries', nargs='+', metavar='NAME=MIN_JS',
                        help='NAME one of %s' % ', '.join(sorted(DRAW)))
    args = parser.parse_args()
    data = json.dumps(points(args.points))
    driver = browser()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print('%-8s %10s %10s %12s' % ('library', 'min.js B', 'gzip B',
                                           'draw ms'))
            for spec in args.libraries:
                name, js_path = spec.split('=', 1)
                with open(js_path, 'rb') as f:
                    lib = f.read()
                page = os.path.join(tmp, name + '.html')
                with open(page, 'w') as f:
                    f.write(PAGE % {'lib': lib.decode(), 'data': data,
                                    'draw': DRAW[name]})
                print('%-8s %10d %10d %12.1f' % (
                    name, len(lib), len(gzip.compress(lib)),
                    measure(driver, page, args.repeat)))
    finally:
        driver.quit()


if __name__ == '__main__':
    main()
