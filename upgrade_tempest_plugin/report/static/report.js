/* The charts of the upgrade-tempest HTML report, drawn with uPlot.
 *
 * The data is the JSON document #report-data (report/data.py builds it;
 * its unit tests say what each series holds).  Every chart shares one time
 * axis: the cursor and the zoom follow from one chart to the others.
 * window.reportCharts lists the charts drawn (the browser test reads it).
 */
(function () {
  'use strict';
  var R = JSON.parse(document.getElementById('report-data').textContent);
  var COLOURS = {
    refused: '#d62728', reset: '#8c564b', timeout: '#9467bd',
    http_5xx: '#ff7f0e', http_4xx: '#bcbd22', dns: '#e377c2',
    tls: '#7f7f7f', auth_failed: '#17becf', token_rejected: '#1f77b4',
    error: '#000000', skipped: '#c7c7c7'
  };
  var charts = [];
  window.reportCharts = charts;

  function colour(outcome) { return COLOURS[outcome] || '#555555'; }

  function utcDate(ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); }

  function width() {
    return Math.max(600, document.getElementById('timeline').clientWidth - 20);
  }

  // Bands behind the series: upgrade steps (grey, labelled) and the
  // target's downtime windows (its outcome class's colour).
  function bandsHook(windows, labelSteps) {
    return function (u) {
      var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
      var left = u.bbox.left, right = left + u.bbox.width;
      function band(start, end, fill) {
        var x0 = Math.max(left, u.valToPos(start, 'x', true));
        var x1 = Math.min(right, u.valToPos(end, 'x', true));
        if (x1 < left || x0 > right) { return null; }
        ctx.fillStyle = fill;
        ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
        return x0;
      }
      ctx.save();
      ctx.font = (10 * devicePixelRatio) + 'px sans-serif';
      var rowEnds = [left, left, left, left];   // where each label row is free
      R.steps.forEach(function (s, i) {
        var x0 = band(s.start, s.end, i % 2 ? 'rgba(0,0,0,0.06)' : 'rgba(0,0,0,0.10)');
        if (!labelSteps || x0 === null) { return; }
        // a label goes in the first row where it does not overlap another;
        // none when every row is taken there (hover shows the time)
        var width = ctx.measureText(s.label).width;
        for (var row = 0; row < rowEnds.length; row++) {
          if (rowEnds[row] <= x0) {
            ctx.fillStyle = '#444';
            ctx.fillText(s.label, x0 + 2, top + (10 + 11 * row) * devicePixelRatio);
            rowEnds[row] = x0 + width + 8;
            return;
          }
        }
      });
      windows.forEach(function (w) {
        band(w.start, w.end, colour(w.outcome) + '55');
      });
      ctx.restore();
    };
  }

  // Zoom one chart, zoom them all.
  function syncZoom(u, key) {
    if (key !== 'x' || syncZoom.busy) { return; }
    syncZoom.busy = true;
    var min = u.scales.x.min, max = u.scales.x.max;
    charts.forEach(function (other) {
      if (other !== u) { other.setScale('x', {min: min, max: max}); }
    });
    syncZoom.busy = false;
  }

  // The span every chart shows when not zoomed: the samples' buckets and
  // the Tempest tests, which may run before or after the observation.
  function fullSpan() {
    var lo = Infinity, hi = -Infinity, x = R.timeline.x, t = R.tests_chart;
    if (x.length) { lo = x[0]; hi = x[x.length - 1] + R.timeline.width; }
    t.x.forEach(function (start, i) {
      var length = t.passed[i] || t.failed[i] || t.skipped[i] || 0;
      lo = Math.min(lo, start);
      hi = Math.max(hi, start + length);
    });
    return [lo, hi];
  }
  var SPAN = fullSpan();

  // Auto-ranging (first draw, double-click) gives the chart's own data
  // span: show the full span instead; a zoom keeps what it asked for.
  function xRange(u, min, max) {
    var x = u.data[0];
    if (!x.length || (min === x[0] && max === x[x.length - 1])) {
      return SPAN.slice();
    }
    return [min, max];
  }

  function base(title, series, windows, labelSteps, height) {
    return {
      title: title, width: width(), height: height || 200, tzDate: utcDate,
      cursor: {sync: {key: 'timeline'}, drag: {x: true, y: false}},
      scales: {x: {time: true, range: xRange}},
      series: [{}].concat(series),
      hooks: {drawClear: [bandsHook(windows, labelSteps)],
              setScale: [syncZoom]}
    };
  }

  function targetChart(target, index, x, box) {
    var series = [
      {label: 'p50 ms', scale: 'ms', stroke: '#1f77b4', width: 1},
      {label: 'p95 ms', scale: 'ms', stroke: '#2ca02c', width: 1}
    ];
    var data = [x, target.p50, target.p95];
    Object.keys(target.failed).forEach(function (outcome) {
      series.push({label: outcome + ' %', scale: 'pct', stroke: colour(outcome),
                   fill: colour(outcome) + '66', width: 1,
                   paths: uPlot.paths.stepped({align: 1})});
      data.push(target.failed[outcome]);
    });
    var opts = base(target.name + (target.kind === 'dataplane' ? ' (data plane)' : ''),
                    series, target.windows, index === 0);
    opts.scales.pct = {range: [0, 100]};
    opts.axes = [{}, {scale: 'ms', label: 'ms'},
                 {scale: 'pct', side: 1, label: 'failed %', grid: {show: false}}];
    var div = document.createElement('div');
    div.className = 'chart-box';
    div.id = 'chart-' + target.name.replace(/[^A-Za-z0-9_-]/g, '_');
    box.appendChild(div);
    return new uPlot(opts, data, div);
  }

  function testsChart(box) {
    var t = R.tests_chart;
    var points = {show: true, size: 6};
    var none = function () { return null; };
    var opts = base('Tempest tests (duration s at their start)', [
      {label: 'passed', stroke: '#2e7d32', paths: none, points: points},
      {label: 'failed', stroke: '#c62828', paths: none, points: points},
      {label: 'skipped', stroke: '#b8860b', paths: none, points: points}
    ], [], false, 160);
    return new uPlot(opts, [t.x, t.passed, t.failed, t.skipped], box);
  }

  function legend() {
    var seen = {};
    R.timeline.targets.forEach(function (t) {
      Object.keys(t.failed).forEach(function (o) { seen[o] = true; });
      t.windows.forEach(function (w) { seen[w.outcome] = true; });
    });
    var box = document.getElementById('legend');
    Object.keys(seen).sort().forEach(function (o) {
      var span = document.createElement('span');
      var swatch = document.createElement('i');
      swatch.style.background = colour(o);
      span.appendChild(swatch);
      span.appendChild(document.createTextNode(o));
      box.appendChild(span);
    });
  }

  function tempestFilters() {
    var section = document.getElementById('tempest');
    var buttons = section.querySelectorAll('.filters button');
    function show(filter) {
      section.className = 'show-' + filter;
      buttons.forEach(function (b) {
        b.classList.toggle('active', b.getAttribute('data-filter') === filter);
      });
    }
    buttons.forEach(function (b) {
      b.addEventListener('click', function () { show(b.getAttribute('data-filter')); });
    });
    show(section.querySelector('tr.test.failed') ? 'failed' : 'summary');
  }

  var box = document.getElementById('charts');
  R.timeline.targets.forEach(function (target, i) {
    charts.push(targetChart(target, i, R.timeline.x, box));
  });
  if (R.tests_chart.x.length) {
    charts.push(testsChart(document.getElementById('tests-chart')));
  }
  legend();
  tempestFilters();
  // when the charts were drawn, ms after navigation (the benchmark reads it)
  window.reportReadyMs = performance.now();
  window.addEventListener('resize', function () {
    charts.forEach(function (u) { u.setSize({width: width(), height: u.height}); });
  });
}());
