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
import itertools

from upgrade_tempest_plugin.analysis import ranks
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
    # edges[i]: the first successful sample at or after bucket i's start
    edges = list(map(bisect.bisect_left, itertools.repeat(ok_sent),
                     [start + i * width for i in range(count + 1)]))
    ok = [hi - lo for lo, hi in zip(edges, edges[1:])]
    # the ranks of every bucket size, once (0-based)
    r50 = [ranks.rank(n, 50) - 1 for n in range(max(ok, default=0) + 1)]
    r95 = [ranks.rank(n, 95) - 1 for n in range(len(r50))]
    p50, p95 = [], []
    for lo, hi in zip(edges, edges[1:]):
        n = hi - lo
        if n:
            values = sorted(latency[lo:hi])
            p50.append(round(values[r50[n]], 4))
            p95.append(round(values[r95[n]], 4))
        else:
            p50.append(None)
            p95.append(None)
    outcomes = {}
    for sent, outcome in zip(series['fail_sent'], series['fail_outcome']):
        i = int((sent - start) // width)
        if 0 <= i < count:
            outcomes.setdefault(outcome, [0] * count)[i] += 1
    return {'ok': ok, 'outcomes': outcomes, 'p50': p50, 'p95': p95}


class Recorder(object):
    """A store whose ``target_series`` also cuts each series into buckets.

    The analysis (:func:`.downtime.analyse_run`) reads every target's
    samples once; handed this instead of the store, it leaves the buckets
    behind, so the timeline costs no second read of millions of samples.
    The buckets' start and width come from the run's first and last
    sample (:meth:`Store.sample_spans`, answered from the index).
    """

    def __init__(self, store, run_id, max_buckets=MAX_BUCKETS):
        self._store = store
        spans = [(first, last) for _o, _t, first, last
                 in store.sample_spans(run_id)]
        if spans:
            self.start = float(int(min(first for first, _ in spans)))
            end = max(last for _, last in spans)
            self.width = bucket_width(end - self.start, max_buckets)
            self.count = int((end - self.start) // self.width) + 1
        else:
            self.start, self.width, self.count = 0.0, 1, 0
        self.buckets = {}

    def __getattr__(self, name):
        return getattr(self._store, name)

    def target_series(self, run_id, observer, target):
        series = self._store.target_series(run_id, observer, target)
        self.buckets[observer, target] = target_buckets(
            series, self.start, self.width, self.count)
        return series

    def timeline(self, analysis):
        """The run's timeline, of the targets ``analysis`` has.

        ``{start, width, count, services: {target: buckets}, dataplane:
        {target: buckets}}``; without samples, ``count`` is 0.
        """
        timeline = {'start': self.start, 'width': self.width,
                    'count': self.count}
        for key, observer in (('services', models.API),
                              ('dataplane', models.DATAPLANE)):
            timeline[key] = {target: self.buckets[observer, target]
                             for target in sorted(analysis[key])}
        return timeline
