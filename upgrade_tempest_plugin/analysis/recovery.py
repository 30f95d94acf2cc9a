"""Recovery after a downtime window: back to baseline latency, and how slow.

A service that answers again is not yet back: caches are cold, workers
restart, queued requests drain.  Like the recovery of OpenStack's
reliability method (Rally + os-faults), the recovery of a downtime window
is the time from the window's end until the service's latency is back
within its *baseline band*:

- the band: latency up to the service's baseline p95
  (``baseline_latency.p95``, the first ``baseline_seconds`` of the
  observation);
- the rolling median at a successful probe: the median (nearest rank) of
  the latencies of the successful probes sent in the :data:`MEDIAN_SECONDS`
  before it (it included), counting only probes sent after the window's
  end;
- the service is back at the first successful probe, sent after the
  window's end, from which the rolling median stays within the band for
  :data:`HOLD_SECONDS` (every successful probe sent in that span, and the
  span observed to its end before the next downtime window);
- ``seconds``: from the window's end to when that probe was sent (0 when
  the first probe after the window starts the hold; the true moment lies
  within one probe interval before it);
- a window after which the service is not back before the next window
  begins (or the last sample of the observation) is ``recovered: false``
  and its ``seconds`` run to that point;
- degradation: the successful probes sent during the recovery (from the
  window's end until the service is back): their latency summary, their
  mean latency (``mean_latency``), that mean minus the baseline p50
  (``degradation``, seconds) and divided by it (``degradation_ratio``);
  null without such a probe.

An open window (still down at the end) and a service without a latency
baseline have no recovery (null).
"""

import bisect

from upgrade_tempest_plugin.analysis import ranks

#: Span of the rolling median, seconds.
MEDIAN_SECONDS = 2.0
#: How long the rolling median must stay within the band, seconds.
HOLD_SECONDS = 3.0


def _rolling_medians(sent, latency):
    """Rolling median (:data:`MEDIAN_SECONDS`) at each probe of a slice.

    A generator: :func:`back_at` stops at the first hold, seconds after
    the window, and the slice runs to the next window, often hours later
    (computing every median of it made the report twice as slow).
    """
    lo = 0
    for i, at in enumerate(sent):
        while sent[lo] <= at - MEDIAN_SECONDS:
            lo += 1
        yield ranks.percentile(sorted(latency[lo:i + 1]), 50)


def back_at(sent, latency, band, until):
    """Index of the probe from which the service is back, else None.

    ``sent``/``latency``: the successful probes after a window's end;
    ``until``: when the span that can prove a hold ends (the next
    window's start, or the end of the observation).
    """
    start = None
    for i, median in enumerate(_rolling_medians(sent, latency)):
        if median > band:
            start = None
            continue
        if start is None:
            start = i
        if sent[i] - sent[start] >= HOLD_SECONDS:
            return start
    if start is not None and until - sent[start] >= HOLD_SECONDS:
        # Within the band up to the end of what could be observed.
        return start
    return None


def window_recovery(window, ok_sent, ok_latency, baseline, until):
    """The recovery of one closed window (see the module)."""
    lo = bisect.bisect_left(ok_sent, window['end'])
    hi = bisect.bisect_right(ok_sent, until)
    sent, latency = ok_sent[lo:hi], ok_latency[lo:hi]
    index = back_at(sent, latency, baseline['p95'], until)
    if index is None:
        seconds, during = until - window['end'], latency
    else:
        seconds, during = sent[index] - window['end'], latency[:index]
    mean = sum(during) / len(during) if during else None
    return dict(_degradation(mean, baseline['p50']),
                recovered=index is not None, seconds=max(0.0, seconds),
                samples=len(during), mean_latency=mean,
                latency=ranks.summary(during))


def _degradation(mean, base_p50):
    return {'degradation': None if mean is None else mean - base_p50,
            'degradation_ratio': None if mean is None or not base_p50
            else mean / base_p50}


def annotate(windows, ok_sent, ok_latency, baseline, last_sample):
    """Add ``recovery`` to each window; return the target's totals.

    Totals: ``total_seconds``, ``longest_seconds``, ``windows`` (closed
    windows judged), ``unrecovered``, ``samples``, ``degradation`` and
    ``degradation_ratio`` over every probe of every recovery, the band and
    the two spans of the definition; None without a latency baseline.
    """
    if not baseline['p95']:
        for window in windows:
            window['recovery'] = None
        return None
    judged = []
    for i, window in enumerate(windows):
        if window['open']:
            window['recovery'] = None
            continue
        until = windows[i + 1]['start'] if i + 1 < len(windows) else (
            last_sample)
        window['recovery'] = window_recovery(window, ok_sent, ok_latency,
                                             baseline, until)
        judged.append(window['recovery'])
    samples = sum(r['samples'] for r in judged)
    mean = sum(r['mean_latency'] * r['samples'] for r in judged
               if r['samples']) / samples if samples else None
    seconds = [r['seconds'] for r in judged]
    return dict(_degradation(mean, baseline['p50']),
                band=baseline['p95'], median_seconds=MEDIAN_SECONDS,
                hold_seconds=HOLD_SECONDS, windows=len(judged),
                unrecovered=sum(1 for r in judged if not r['recovered']),
                total_seconds=sum(seconds),
                longest_seconds=max(seconds, default=0.0),
                samples=samples, mean_latency=mean)
