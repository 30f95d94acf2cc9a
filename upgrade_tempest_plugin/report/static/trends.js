/* The charts of the trends page: one per trend key and figure, one line
 * per service, one point per run (report/trends.py builds the data).
 * window.reportCharts lists the charts drawn (the browser test reads it).
 */
(function () {
  'use strict';
  var groups = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
                 '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var TITLES = {downtime: 'total downtime (s)', availability: 'availability (%)',
                p95: 'latency p95 (ms)'};
  var charts = [];
  window.reportCharts = charts;
  // A little room around the runs; an hour each side of a single run.
  function padded(u, min, max) {
    var pad = min === max ? 3600 : (max - min) * 0.05;
    return [min - pad, max + pad];
  }
  function utcDate(ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); }

  document.querySelectorAll('.trend-charts').forEach(function (box) {
    var group = groups[Number(box.getAttribute('data-group'))];
    Object.keys(TITLES).forEach(function (figure) {
      var chart = group.charts[figure];
      var series = [{}], data = [chart.x];
      group.services.forEach(function (service, i) {
        series.push({label: service, stroke: PALETTE[i % PALETTE.length],
                     width: 2, spanGaps: true, points: {show: true, size: 6}});
        data.push(chart[service]);
      });
      var div = document.createElement('div');
      div.className = 'chart-box';
      box.appendChild(div);
      charts.push(new uPlot({title: TITLES[figure], width: 560, height: 220,
                             tzDate: utcDate,
                             scales: {x: {time: true, range: padded}},
                             series: series}, data, div));
    });
  });
}());
