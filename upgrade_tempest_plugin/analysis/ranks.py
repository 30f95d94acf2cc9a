"""Nearest-rank percentiles of many ranges of one series.

The analysis of a target wants the latency percentiles of its whole
observation, of its baseline and of every step interval: ranges of the
same time-ordered list, which overlap (the whole observation holds every
step).  Sorting each range on its own sorts every sample two or three
times, the costliest part of analysing a long run.  :class:`SortedPieces`
cuts the list at every range's bounds and sorts each piece once; the k-th
smallest value of a range is then *selected* across the sorted pieces it
covers (:func:`select` bisects them, it never merges them).  The figures
are exactly those of sorting the range: the same values, the same ranks.

This module is the analysis's one place for percentiles: :func:`percentile`
and :func:`summary` answer for a single list (a recovery, a history of
budget figures, a benchmark's latencies).
"""

import bisect
import math


def rank(count, pct):
    """The 1-based nearest rank of a percentile of ``count`` values.

    At least 1: the ceiling of ``pct`` % of ``count``.
    """
    return max(1, int(math.ceil(pct / 100.0 * count)))


def percentile(sorted_values, pct):
    """Nearest-rank percentile of an already sorted list (None if empty)."""
    if not sorted_values:
        return None
    return sorted_values[rank(len(sorted_values), pct) - 1]


def select(runs, k):
    """The ``k``-th smallest (1-based) value of the union of sorted lists.

    Each step takes the middle candidate of the list that has the most
    candidates left as a pivot, counts the candidates below and up to it
    in every list (two bisections per list) and keeps only the side the
    answer is on, so that list's candidates at least halve: a few hundred
    bisections for a dozen lists of a million values.
    """
    runs = [run for run in runs if run]
    lo = [0] * len(runs)
    hi = [len(run) for run in runs]
    while True:
        sizes = [h - low for low, h in zip(lo, hi)]
        largest = max(sizes)
        j = sizes.index(largest)
        if largest == sum(sizes):   # one list holds every candidate
            return runs[j][lo[j] + k - 1]
        pivot = runs[j][(lo[j] + hi[j]) // 2]
        below = [bisect.bisect_left(run, pivot, low, h)
                 for run, low, h in zip(runs, lo, hi)]
        n_below = sum(b - low for b, low in zip(below, lo))
        if k <= n_below:
            hi = below
            continue
        upto = [bisect.bisect_right(run, pivot, low, h)
                for run, low, h in zip(runs, lo, hi)]
        n_upto = sum(u - low for u, low in zip(upto, lo))
        if k <= n_upto:
            return pivot
        k -= n_upto
        lo = upto


class SortedPieces(object):
    """``values`` cut at ``cuts`` (indices), each piece sorted once.

    :meth:`summary` answers for any range whose bounds are among the cuts
    (0 and ``len(values)`` always are).
    """

    def __init__(self, values, cuts=()):
        size = len(values)
        self.cuts = sorted({0, size} | {c for c in cuts if 0 < c < size})
        self._piece = {cut: i for i, cut in enumerate(self.cuts)}
        self.pieces = [sorted(values[a:b])
                       for a, b in zip(self.cuts, self.cuts[1:])]

    def summary(self, lo, hi):
        """``{count, p50, p95, p99, max}`` of ``values[lo:hi]``.

        Nearest-rank percentiles, None without values.
        """
        runs = self.pieces[self._piece[lo]:self._piece[hi]] if lo < hi \
            else []
        count = sum(map(len, runs))
        if not count:
            return {'count': 0, 'p50': None, 'p95': None, 'p99': None,
                    'max': None}
        return {'count': count,
                'p50': select(runs, rank(count, 50)),
                'p95': select(runs, rank(count, 95)),
                'p99': select(runs, rank(count, 99)),
                'max': max(run[-1] for run in runs)}


def summary(values):
    """``{count, p50, p95, p99, max}`` of one list (see :meth:`summary`)."""
    return SortedPieces(values).summary(0, len(values))
