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
are identity's downtime, shown on the identity row.  ``skipped`` samples
(not sent: every probe slot was busy) are left out everywhere: they are no
measurement.  A probe answered late, but within the probe timeout, is a
success: slow is latency, not downtime.
"""

import bisect
import functools
import itertools
import math
import operator
import time

from upgrade_tempest_plugin.analysis import ranks
from upgrade_tempest_plugin.analysis import recovery
from upgrade_tempest_plugin import events as events_mod
from upgrade_tempest_plugin.store import models

IDENTITY = 'identity'
#: Where each observer's figures go in :func:`analyse_run`'s result: the
#: reused-connection probes of a service are analysed apart from its
#: new-connection ones.
KEYS = {models.API: 'services', models.API_REUSED: 'reused',
        models.DATAPLANE: 'dataplane'}
#: Labels of the parts of an observation that no step covers.
OUTSIDE_STEPS = ('whole observation', 'before the first step',
                 'between steps', 'after the last step')


def ignored_outcomes(observer, target):
    """Outcomes left out of ``target``'s windows and availability."""
    if observer in (models.API, models.API_REUSED) and target != IDENTITY:
        return (models.OUTCOME_AUTH_FAILED, models.OUTCOME_SKIPPED)
    return (models.OUTCOME_SKIPPED,)


def downtime_windows(series, ignore=()):
    """Downtime windows of one target from :meth:`Store.target_series`.

    Failed samples are grouped into runs with no successful sample between
    them by bisecting each failure into the (sorted) sent times of the
    successful samples: O(failures x log samples), whatever the number of
    successful samples.  Samples whose outcome is in ``ignore`` are left
    out.  Returns the windows; each has the outcome classes of its
    failures.
    """
    ok_sent = series['ok_sent']
    ok_latency = series['ok_latency']
    windows = []
    current = None
    for sent, outcome in zip(series['fail_sent'], series['fail_outcome']):
        if outcome in ignore:
            continue
        index = bisect.bisect_right(ok_sent, sent)
        if current is not None and current['index'] == index:
            current['last'] = sent
            current['outcomes'][outcome] = current['outcomes'].get(
                outcome, 0) + 1
            continue
        if current is not None:
            windows.append(_close(current, ok_sent, ok_latency))
        current = {'index': index, 'first': sent, 'last': sent,
                   'outcomes': {outcome: 1}}
    if current is not None:
        windows.append(_close(current, ok_sent, ok_latency))
    return merge_overlapping(windows)


def merge_overlapping(windows):
    """Merge windows that overlap in time.

    A service that comes back slowly answers some probes and lets others
    time out: in the order they were sent, failures and successes
    alternate, and a run of failures can start before the success that
    ended the previous run was answered.  Such windows are one outage;
    counting them apart would count the overlap twice.
    """
    merged = []
    for window in windows:
        if merged and window['start'] <= merged[-1]['end']:
            last = merged[-1]
            last_fail = max(last['start'] + last['first_to_last'],
                            window['start'] + window['first_to_last'])
            last['end'] = max(last['end'], window['end'])
            last['duration'] = last['end'] - last['start']
            last['first_to_last'] = last_fail - last['start']
            last['precision'] = max(last['precision'], window['precision'])
            last['open'] = last['open'] or window['open']
            for outcome, count in window['outcomes'].items():
                last['outcomes'][outcome] = last['outcomes'].get(
                    outcome, 0) + count
            continue
        merged.append(window)
    return merged


def _close(run, ok_sent, ok_latency):
    index = run['index']
    last_ok = ok_sent[index - 1] if index > 0 else None
    start_slack = run['first'] - last_ok if last_ok is not None else 0.0
    if index < len(ok_sent):
        next_sent = ok_sent[index]
        end = next_sent + ok_latency[index]   # when it was answered
        return {'start': run['first'], 'end': end,
                'duration': end - run['first'],
                'first_to_last': run['last'] - run['first'],
                'precision': max(start_slack, next_sent - run['last']),
                'open': False, 'outcomes': run['outcomes']}
    return {'start': run['first'], 'end': run['last'],
            'duration': run['last'] - run['first'],
            'first_to_last': run['last'] - run['first'],
            'precision': start_slack, 'open': True,
            'outcomes': run['outcomes']}


def long_steps(values, threshold, block=8):
    """``[(a, b)]``: consecutive sorted values more than ``threshold`` apart.

    Blocks of ``block`` steps are checked first, in one C-level pass: no
    step inside a block is longer than the block (rounding is monotonic,
    so this holds for the computed differences too), and only the blocks
    longer than ``threshold`` are looked into step by step.
    """
    longer = functools.partial(operator.lt, threshold)
    starts = itertools.compress(itertools.count(0, block), map(longer, map(
        operator.sub, itertools.islice(values, block, None, block),
        itertools.islice(values, 0, None, block))))
    tail = (len(values) - 1) // block * block if values else 0
    steps = []
    for start in itertools.chain(starts, [tail]):
        part = values[start:start + block + 1]
        steps.extend((a, b) for a, b in zip(part, part[1:]) if b - a >
                     threshold)
    return steps


def unobserved_spans(series, threshold):
    """Spans longer than ``threshold`` s in which no sample was taken."""
    ok_sent = series['ok_sent']
    fail_sent = series['fail_sent']
    # Candidates from the successful samples, then split by any failed
    # sample taken inside them.
    candidates = long_steps(ok_sent, threshold)
    if fail_sent:
        if ok_sent:
            if fail_sent[0] < ok_sent[0]:
                candidates.insert(0, (fail_sent[0], ok_sent[0]))
            if fail_sent[-1] > ok_sent[-1]:
                candidates.append((ok_sent[-1], fail_sent[-1]))
        else:
            candidates = [(fail_sent[0], fail_sent[-1])]
    spans = []
    for a, b in candidates:
        lo = bisect.bisect_right(fail_sent, a)
        hi = bisect.bisect_left(fail_sent, b)
        points = [a] + fail_sent[lo:hi] + [b]
        for x, y in zip(points, points[1:]):
            if y - x > threshold:
                spans.append({'start': x, 'end': y, 'duration': y - x})
    return spans


def step_spans(events):
    """Upgrade steps as labelled time spans ``{label, start, end}``.

    A step recorded with its end (``detail['ended_at']``, as every sandbox
    and campaign step is) spans [start, end]; steps may overlap (the
    sandbox prepares every service at once).  A step recorded as a point
    (older stores) lasts until the next step starts, as it always did.
    """
    steps = sorted((e for e in events if events_mod.is_step(e)),
                   key=lambda e: e['at'])
    spans = []
    for i, event in enumerate(steps):
        ended = (event.get('detail') or {}).get('ended_at') if isinstance(
            event.get('detail'), dict) else None
        if ended is None:
            following = [e['at'] for e in steps[i + 1:]
                         if e['at'] > event['at']]
            ended = following[0] if following else None
        spans.append({'label': ' '.join(str(p) for p in (
            event['source'], event['action'], event.get('service') or '')
            if p).strip(), 'start': event['at'],
            'end': ended if ended is not None else math.inf})
    return spans


def event_windows(events, start, end):
    """The observation [start, end] as labelled intervals.

    One interval per upgrade step that overlaps the observation (clipped
    to it; intervals of overlapping steps overlap), and one for each part
    of the observation no step covers: "before the first step", "between
    steps", "after the last step" ("whole observation" without steps).
    """
    spans = [s for s in step_spans(events)
             if s['end'] >= start and s['start'] <= end]
    if not spans:
        return [{'label': 'whole observation', 'start': start, 'end': end}]
    intervals = []
    cursor = start
    first = min(s['start'] for s in spans)
    for span in sorted(spans, key=lambda s: s['start']):
        if span['start'] > cursor:
            intervals.append({
                'label': ('before the first step' if cursor == start and
                          span['start'] == first else 'between steps'),
                'start': cursor, 'end': span['start']})
        cursor = max(cursor, min(span['end'], end))
        intervals.append({'label': span['label'],
                          'start': max(span['start'], start),
                          'end': min(span['end'], end)})
    if end > cursor:
        intervals.append({'label': 'after the last step', 'start': cursor,
                          'end': end})
    return intervals


def _steps_at(intervals, at):
    """Labels of the steps running at ``at`` (start <= at <= end)."""
    return [i['label'] for i in intervals
            if i['label'] not in OUTSIDE_STEPS and
            i['start'] <= at <= i['end']]


def _label_for(intervals, at):
    """Every step running at ``at``, else the uncovered part it is in."""
    steps = _steps_at(intervals, at)
    if steps:
        return ', '.join(steps)
    for interval in intervals:
        if interval['start'] <= at <= interval['end']:
            return interval['label']
    return intervals[-1]['label'] if intervals else None


def _count_between(sorted_values, start, end):
    return (bisect.bisect_left(sorted_values, end) -
            bisect.bisect_left(sorted_values, start))


def analyse_target(store, run_id, observer, target, events=(),
                   baseline_seconds=30.0, gap_threshold=1.0):
    """The figures of one observed target (service or data-plane host)."""
    ignore = ignored_outcomes(observer, target)
    series = store.target_series(run_id, observer, target)
    ok_sent, latency = series['ok_sent'], series['ok_latency']
    fail_sent = series['fail_sent']
    if not ok_sent and not fail_sent:
        return None
    first = min(ok_sent[:1] + fail_sent[:1])
    last = max(ok_sent[-1:] + fail_sent[-1:])
    outcomes = {}
    for outcome in series['fail_outcome']:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    ok = len(ok_sent)
    if ok:
        outcomes[models.OUTCOME_OK] = ok
    skipped = outcomes.get(models.OUTCOME_SKIPPED, 0)
    # "ignored": failures blamed on identity (shown on its row).
    ignored = sum(outcomes.get(o, 0) for o in ignore) - skipped
    total = ok + len(fail_sent)
    counted = total - ignored - skipped
    # Failures that count (ignored ones left out), for per-step figures.
    counted_fail = ([t for t, o in zip(fail_sent, series['fail_outcome'])
                     if o not in ignore] if ignore else fail_sent)
    windows = downtime_windows(series, ignore)
    intervals = event_windows(events, first, last)
    for window in windows:
        window['step'] = _label_for(intervals, window['start'])
        window['steps'] = _steps_at(intervals, window['start'])
    gaps = unobserved_spans(series, gap_threshold)
    step_starts = [e['at'] for e in events if events_mod.is_step(e)]
    baseline_end = first + baseline_seconds
    if step_starts and min(step_starts) > first:
        baseline_end = min(baseline_end, min(step_starts))
    cut = bisect.bisect_left(ok_sent, baseline_end)
    # Each interval's successful samples: ok_sent[lo:hi].  An interval
    # that ends the observation includes its last sample.
    bounds = []
    for interval in intervals:
        end = interval['end'] + (1e-6 if interval['end'] >= last else 0)
        bounds.append((end, bisect.bisect_left(ok_sent, interval['start']),
                       bisect.bisect_left(ok_sent, end)))
    # Every latency sorted once, for the whole, the baseline and the steps.
    pieces = ranks.SortedPieces(latency, [cut] + [
        i for _end, lo, hi in bounds for i in (lo, hi)])
    overall = pieces.summary(0, ok)
    baseline = pieces.summary(0, cut)
    recovered = recovery.annotate(windows, ok_sent, latency, baseline, last)
    ratio = None
    if baseline['p95'] and overall['p95'] is not None:
        ratio = overall['p95'] / baseline['p95']
    per_step = []
    for interval, (end, lo, hi) in zip(intervals, bounds):
        good = hi - lo
        n = good + _count_between(counted_fail, interval['start'], end)
        if not n:
            continue   # no sample in it (an instant step, a 1 ms gap)
        if interval['label'] in OUTSIDE_STEPS:
            in_step = [w for w in windows if w['step'] == interval['label']]
        else:
            in_step = [w for w in windows
                       if interval['label'] in w['steps']]
        per_step.append({
            'label': interval['label'], 'start': interval['start'],
            'end': interval['end'], 'samples': n,
            'availability': 100.0 * good / n if n else None,
            'downtime': sum(w['duration'] for w in in_step),
            'windows': len(in_step),
            'latency': pieces.summary(lo, hi)})
    durations = [w['duration'] for w in windows]
    return {
        'observer': observer, 'target': target,
        'first_sample': first, 'last_sample': last,
        'samples': total, 'counted': counted, 'ok': ok,
        'ignored': ignored, 'skipped': skipped, 'outcomes': outcomes,
        'availability': 100.0 * ok / counted if counted else None,
        'downtime_windows': windows,
        'total_downtime': sum(durations),
        'longest_downtime': max(durations) if durations else 0.0,
        'unobserved': gaps,
        'unobserved_seconds': sum(g['duration'] for g in gaps),
        'latency': overall, 'baseline_latency': baseline,
        'baseline_end': baseline_end,
        'latency_p95_ratio': ratio,
        'recovery': recovered,
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
              'reused': {},
              'events': events, 'processes': processes,
              'gaps': store.list_gaps(run_id),
              'gap_threshold': gap_threshold}
    for observer, target, _first, _last in store.sample_spans(run_id):
        figures = analyse_target(store, run_id, observer, target, events,
                                 baseline_seconds, gap_threshold)
        if figures is None:
            continue
        result[KEYS[observer]][target] = figures
    result['honour'] = honour_summary(store, run_id)
    result['seconds'] = time.time() - started
    return result
