"""Samples per time bucket: what the report's timeline draws.

A run at 10 Hz over 24 h holds close to a million samples per service; a
page cannot carry them, and a chart cannot show more points than it has
pixels anyway.  The observation is cut into equal buckets of a width from
:data:`WIDTHS` (the smallest that gives at most :data:`MAX_BUCKETS`: one
second for runs up to two hours), the same for every target, so that the
charts of all services share one time axis.  Per target and bucket:

``ok``
    the number of successful samples;
``outcomes``
    ``{outcome class: [count per bucket]}`` of the other samples (only
    the classes that occur; ``skipped`` and ``auth_failed`` included, the
    report says which ones the analysis leaves out);
``p50``, ``p95``
    nearest-rank percentiles of the latency of the successful samples
    (seconds, to 0.1 ms), None for a bucket without one.

Bucket ``i`` spans ``[start + i * width, start + (i + 1) * width)``.
"""

import bisect

from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.store import models

#: At most this many buckets per target.
MAX_BUCKETS = 7200
#: Bucket widths to choose from, seconds.
WIDTHS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def bucket_width(span, max_buckets=MAX_BUCKETS):
    """The width of the buckets of an observation ``span`` seconds long.

    The smallest of :data:`WIDTHS` that cuts it into at most
    ``max_buckets`` buckets (the largest width if none does).
    """
    for width in WIDTHS:
        if span / width <= max_buckets:
            return width
    return WIDTHS[-1]


def target_buckets(series, start, width, count):
    """The buckets of one target (:meth:`Store.target_series`)."""
    ok_sent, latency = series['ok_sent'], series['ok_latency']
    ok, p50, p95 = [], [], []
    lo = bisect.bisect_left(ok_sent, start)
    for i in range(count):
        hi = bisect.bisect_left(ok_sent, start + (i + 1) * width, lo)
        values = sorted(latency[lo:hi])
        ok.append(len(values))
        p50.append(_round(downtime.percentile(values, 50)))
        p95.append(_round(downtime.percentile(values, 95)))
        lo = hi
    outcomes = {}
    for sent, outcome in zip(series['fail_sent'], series['fail_outcome']):
        i = int((sent - start) // width)
        if 0 <= i < count:
            outcomes.setdefault(outcome, [0] * count)[i] += 1
    return {'ok': ok, 'outcomes': outcomes, 'p50': p50, 'p95': p95}


def build(store, run_id, analysis, max_buckets=MAX_BUCKETS):
    """The timeline of a run, from its analysis (``run_analysis.build``).

    Returns ``{'start', 'width', 'count', 'services': {target: buckets},
    'dataplane': {target: buckets}}``; with no sample, ``count`` is 0.
    """
    figures = list(analysis['services'].values()) + list(
        analysis['dataplane'].values())
    if not figures:
        return {'start': 0.0, 'width': 1, 'count': 0, 'services': {},
                'dataplane': {}}
    start = float(int(min(f['first_sample'] for f in figures)))
    end = max(f['last_sample'] for f in figures)
    width = bucket_width(end - start, max_buckets)
    count = int((end - start) // width) + 1
    timeline = {'start': start, 'width': width, 'count': count}
    for key, observer in (('services', models.API),
                          ('dataplane', models.DATAPLANE)):
        timeline[key] = {
            target: target_buckets(
                store.target_series(run_id, observer, target),
                start, width, count)
            for target in sorted(analysis[key])}
    return timeline


def _round(seconds):
    return None if seconds is None else round(seconds, 4)
