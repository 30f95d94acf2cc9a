"""Samples -> downtime windows, availability, latency percentiles.

Everything is computed from the store, so it can be recomputed later.

A *downtime window* of a target is a run of consecutive failed probes
(ordered by the time they were sent):

- ``start``: when the first failed probe was sent;
- ``end``: when the next successful probe was answered (a probe sent while
  a service was frozen is answered only when it thaws, so this is when the
  service served again); an outage still going on at the end of the
  observation is ``open`` and ends at its last failed probe;
- ``duration`` = end - start ("first failure to next success");
- ``first_to_last``: from the first to the last failed probe sent, the
  shortest the outage can have been;
- ``precision``: the true start lies between the last successful probe
  and the first failed one, the true end between the last failed probe
  and the next successful one; the larger of those two spans bounds the
  error of ``duration`` (one probe interval when nothing was lost).

For every service but identity, ``auth_failed`` samples (no token could be
had, or the service said it could not reach Keystone) are left out: they
are identity's downtime, shown on the identity row.
"""

import bisect
import math
import time

from upgrade_tempest_plugin.store import models

IDENTITY = 'identity'
#: Event sources that are not upgrade steps (they do not cut the
#: observation into event windows).
NON_STEP_SOURCES = ('observer', 'validators')


def percentile(sorted_values, pct):
    """Nearest-rank percentile of an already sorted list (None if empty)."""
    if not sorted_values:
        return None
    rank = max(1, int(math.ceil(pct / 100.0 * len(sorted_values))))
    return sorted_values[rank - 1]


def latency_summary(values):
    values = sorted(values)
    return {'count': len(values),
            'p50': percentile(values, 50),
            'p95': percentile(values, 95),
            'p99': percentile(values, 99),
            'max': values[-1] if values else None}


def ignored_outcomes(observer, target):
    if observer == models.API and target != IDENTITY:
        return (models.OUTCOME_AUTH_FAILED,)
    return ()


def downtime_windows(transitions, last_sent=None):
    """Windows from the rows of :meth:`Store.transitions`."""
    windows = []
    current = None
    for sent, answered, ok, prev_ok, prev_sent in transitions:
        if not ok:
            current = {'start': sent, 'last_ok_sent': prev_sent}
        elif current is not None:
            end = answered if answered is not None else sent
            last_fail = prev_sent
            start_slack = (current['start'] - current['last_ok_sent']
                           if current['last_ok_sent'] is not None else 0.0)
            windows.append({
                'start': current['start'], 'end': end,
                'duration': end - current['start'],
                'first_to_last': last_fail - current['start'],
                'precision': max(start_slack, sent - last_fail),
                'open': False})
            current = None
    if current is not None:
        last = last_sent if last_sent is not None else current['start']
        windows.append({
            'start': current['start'], 'end': last,
            'duration': last - current['start'],
            'first_to_last': last - current['start'],
            'precision': (current['start'] - current['last_ok_sent']
                          if current['last_ok_sent'] is not None else 0.0),
            'open': True})
    return windows


def event_windows(events, start, end):
    """Cut [start, end] at each upgrade-step event: labelled intervals."""
    steps = [e for e in events if e['source'] not in NON_STEP_SOURCES]
    intervals = []
    label = 'before the first step' if steps else 'whole observation'
    cursor = start
    for event in steps:
        at = event['at']
        if at > cursor and at <= end:
            intervals.append({'label': label, 'start': cursor, 'end': at})
            cursor = at
        label = ' '.join(str(p) for p in (
            event['source'], event['action'], event.get('service') or '')
            if p).strip()
    if end > cursor or not intervals:
        intervals.append({'label': label, 'start': cursor, 'end': end})
    return intervals


def _label_for(intervals, at):
    for interval in intervals:
        if interval['start'] <= at < interval['end']:
            return interval['label']
    return intervals[-1]['label'] if intervals else None


def analyse_target(store, run_id, observer, target, events=(),
                   baseline_seconds=30.0, gap_threshold=1.0):
    """The figures of one observed target (service or data-plane host)."""
    ignore = ignored_outcomes(observer, target)
    counts = store.outcome_counts(run_id, observer, target)
    if not counts:
        return None
    first = min(c[1] for c in counts.values())
    last = max(c[2] for c in counts.values())
    ignored = sum(counts[o][0] for o in ignore if o in counts)
    ok = counts.get(models.OUTCOME_OK, (0,))[0]
    total = sum(c[0] for c in counts.values())
    counted = total - ignored
    last_counted = max([c[2] for o, c in counts.items() if o not in ignore]
                       or [last])
    windows = downtime_windows(
        store.transitions(run_id, observer, target, ignore), last_counted)
    intervals = event_windows(events, first, last)
    for window in windows:
        window['step'] = _label_for(intervals, window['start'])
        window['outcomes'] = store.failure_breakdown(
            run_id, observer, target, window['start'], window['end'],
            ignore)
    gaps = [{'start': a, 'end': b, 'duration': b - a}
            for a, b in store.sample_spacing_gaps(
                run_id, observer, target, gap_threshold)]
    sent, latency = store.ok_latencies(run_id, observer, target)
    overall = latency_summary(latency)
    step_starts = [e['at'] for e in events
                   if e['source'] not in NON_STEP_SOURCES]
    baseline_end = first + baseline_seconds
    if step_starts and min(step_starts) > first:
        baseline_end = min(baseline_end, min(step_starts))
    cut = bisect.bisect_left(sent, baseline_end)
    baseline = latency_summary(latency[:cut])
    ratio = None
    if baseline['p95'] and overall['p95'] is not None:
        ratio = overall['p95'] / baseline['p95']
    per_step = []
    for interval in intervals:
        lo = bisect.bisect_left(sent, interval['start'])
        hi = bisect.bisect_left(sent, interval['end'])
        n, good = store.count_between(run_id, observer, target,
                                      interval['start'], interval['end'],
                                      ignore)
        in_step = [w for w in windows if w['step'] == interval['label']]
        per_step.append({
            'label': interval['label'], 'start': interval['start'],
            'end': interval['end'], 'samples': n,
            'availability': 100.0 * good / n if n else None,
            'downtime': sum(w['duration'] for w in in_step),
            'windows': len(in_step),
            'latency': latency_summary(latency[lo:hi])})
    durations = [w['duration'] for w in windows]
    return {
        'observer': observer, 'target': target,
        'first_sample': first, 'last_sample': last,
        'samples': total, 'counted': counted, 'ok': ok,
        'ignored': ignored, 'outcomes': {o: c[0] for o, c in counts.items()},
        'availability': 100.0 * ok / counted if counted else None,
        'downtime_windows': windows,
        'total_downtime': sum(durations),
        'longest_downtime': max(durations) if durations else 0.0,
        'unobserved': gaps,
        'unobserved_seconds': sum(g['duration'] for g in gaps),
        'latency': overall, 'baseline_latency': baseline,
        'baseline_end': baseline_end,
        'latency_p95_ratio': ratio,
        'steps': per_step,
    }


def honour_summary(store, run_id):
    rows = store.list_honour_requests(run_id)
    summary = {'requests': len(rows), 'accepted': 0,
               models.HONOUR_HONOURED: 0, models.HONOUR_NOT_HONOURED: 0,
               models.HONOUR_PENDING: 0, 'not_honoured_list': []}
    for row in rows:
        if row['accepted_at'] is None:
            continue
        summary['accepted'] += 1
        summary[row['outcome']] = summary.get(row['outcome'], 0) + 1
        if row['outcome'] == models.HONOUR_NOT_HONOURED:
            summary['not_honoured_list'].append({
                k: row[k] for k in ('kind', 'name', 'resource_id',
                                    'accepted_at', 'final_state',
                                    'reason')})
    return summary


def analyse_run(store, run_id, baseline_seconds=30.0, gap_threshold=None):
    """Everything the store knows about one run's observation."""
    started = time.time()
    events = store.list_events(run_id)
    processes = store.list_processes(run_id)
    rate = None
    for process in processes:
        rate = (process.get('attrs') or {}).get('rate') or rate
    if gap_threshold is None:
        # Ten missed probes, and never less than a second.
        gap_threshold = max(1.0, 10.0 / rate) if rate else 1.0
    result = {'run_id': run_id, 'services': {}, 'dataplane': {},
              'events': events, 'processes': processes,
              'gaps': store.list_gaps(run_id),
              'gap_threshold': gap_threshold}
    for observer, target, _n, _a, _b in sorted(store.sample_targets(run_id)):
        figures = analyse_target(store, run_id, observer, target, events,
                                 baseline_seconds, gap_threshold)
        if figures is None:
            continue
        key = 'services' if observer == models.API else 'dataplane'
        result[key][target] = figures
    result['honour'] = honour_summary(store, run_id)
    result['seconds'] = time.time() - started
    return result
