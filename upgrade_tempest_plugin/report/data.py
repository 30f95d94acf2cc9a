"""What the HTML report of one run shows, from the run analysis alone.

:func:`build` turns the structure of
:func:`upgrade_tempest_plugin.analysis.run_analysis.build` (asked with
``timeline=True``) into the page's data: a verdict header, the series of
every chart (plain lists the page hands to uPlot unchanged), and the rows
of every table.  Nothing here reads the store; the templates only lay it
out, so each chart's data has a unit test.

Times stay epoch seconds (the page shows them in UTC), latencies become
milliseconds, outcome counts become percents of their bucket.
"""

import re
import time

from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin import events as events_mod
from upgrade_tempest_plugin.store import models

#: Test statuses the page counts as passed and skipped (subunit's).
PASSED = ('success', 'xfail')
SKIPPED = ('skip',)
# unittest's id of a failed class or module fixture
_FIXTURE_ID = re.compile(r'^(\w+) \(([^)]+)\)$')
#: The notes of the release validators (tests/scenario/test_release.py).
RELEASE_BEFORE = 'release-before'
RELEASE_AFTER = 'release-after'


def build(analysis, config=None, now=None):
    """The page data of a run; ``config``: see :mod:`.config_view`."""
    steps = steps_of(analysis)
    phases = phases_of(analysis.get('tests') or [])
    return {
        'run_id': analysis['run_id'],
        'generated': time.time() if now is None else now,
        'header': header(analysis, phases),
        'timeline': timeline_of(analysis),
        'steps': steps,
        'tests_chart': tests_chart(analysis.get('tests') or []),
        'tables': tables(analysis),
        'phases': phases,
        'config': config or {},
        'problems': analysis['problems'],
    }


def header(analysis, phases):
    """Budget verdicts, validator phases and releases, for the top."""
    verdicts = analysis['verdicts']
    return {
        'budgets': None if verdicts is None else all(
            v['passed'] for v in verdicts),
        'verdicts': verdicts or [],
        'phases': [{'phase': p['phase'], 'passed': p['passed'],
                    'counts': p['counts']} for p in phases],
        'releases': releases(analysis['events']),
    }


def releases(events):
    """``[{service, before, after}]``: the release of each service.

    The series the release validators found before and after the upgrade
    (their ``release-before``/``release-after`` notes, per catalog
    service); without them, the first ``from_version`` and the last
    ``to_version`` the upgrade steps of a service recorded.
    """
    found = _release_rows(events, lambda e: (
        e['source'] == events_mod.VALIDATORS and
        e['action'] in (RELEASE_BEFORE, RELEASE_AFTER)),
        lambda e: (e['to_version'] if e['action'] == RELEASE_BEFORE
                   else None, e['to_version'] if e['action'] == RELEASE_AFTER
                   else None))
    return found or _release_rows(events, events_mod.is_step, lambda e: (
        e.get('from_version'), e.get('to_version')))


def _release_rows(events, wanted, versions):
    rows = {}
    for event in events:
        service = event.get('service')
        if not service or not wanted(event):
            continue
        before, after = versions(event)
        row = rows.setdefault(service, {'service': service, 'before': None,
                                        'after': None})
        if row['before'] is None and before:
            row['before'] = before
        if after:
            row['after'] = after
    return [r for r in rows.values() if r['before'] or r['after']]


def steps_of(analysis):
    """The upgrade steps as bands; an open step ends with the observation."""
    end = observation_end(analysis)
    return [{'label': s['label'], 'start': s['start'],
             'end': s['end'] if s['end'] is not None else max(end,
                                                              s['start'])}
            for s in analysis['steps']]


def observation_end(analysis):
    line = analysis['timeline']
    return line['start'] + line['width'] * line['count']


def timeline_of(analysis):
    """``{'x': [bucket start], 'targets': [...]}``, one entry per target.

    A target: ``name``, ``kind`` (``service`` or ``dataplane``), ``p50``
    and ``p95`` (ms per bucket, None without a successful sample),
    ``failed`` (``{outcome: [percent of the bucket's samples]}``, None in
    a bucket without samples), ``windows`` (downtime windows as bands:
    ``start``, ``end``, ``outcome``: the most frequent class, ``step``,
    ``duration``).
    """
    line = analysis['timeline']
    x = [line['start'] + i * line['width'] for i in range(line['count'])]
    targets = []
    for key, kind in (('services', 'service'), ('dataplane', 'dataplane')):
        for name in sorted(line[key]):
            buckets = line[key][name]
            targets.append({
                'name': name, 'kind': kind,
                'p50': [_ms(v) for v in buckets['p50']],
                'p95': [_ms(v) for v in buckets['p95']],
                'failed': failed_percent(buckets),
                'windows': bands(analysis[key][name]['downtime_windows']),
            })
    return {'x': x, 'width': line['width'], 'targets': targets}


def failed_percent(buckets):
    """``{outcome: [percent]}`` of every failure class of one target."""
    totals = list(buckets['ok'])
    for counts in buckets['outcomes'].values():
        totals = [t + c for t, c in zip(totals, counts)]
    return {outcome: [round(100.0 * c / t, 2) if t else None
                      for c, t in zip(counts, totals)]
            for outcome, counts in sorted(buckets['outcomes'].items())}


def bands(windows):
    return [{'start': w['start'], 'end': w['end'],
             'outcome': max(sorted(w['outcomes']), key=w['outcomes'].get)
             if w['outcomes'] else models.OUTCOME_ERROR,
             'step': w['step'], 'duration': w['duration'],
             'open': w['open']}
            for w in windows]


def tests_chart(tests):
    """The Tempest tests on the time axis: one point per test.

    ``{'x': [start], 'passed': [...], 'failed': [...], 'skipped': [...]}``:
    each test's duration (seconds) in the series of its status, None in
    the others; tests without a start are left out.
    """
    timed = sorted((t for t in tests if t['started_at'] is not None),
                   key=lambda t: t['started_at'])
    chart = {'x': [], 'passed': [], 'failed': [], 'skipped': [],
             'names': []}
    for test in timed:
        chart['x'].append(test['started_at'])
        chart['names'].append(test['test_id'])
        group = status_group(test['status'])
        for series in ('passed', 'failed', 'skipped'):
            chart[series].append(round(test['duration'] or 0.0, 3)
                                 if series == group else None)
    return chart


def status_group(status):
    if status in PASSED:
        return 'passed'
    if status in SKIPPED:
        return 'skipped'
    return 'failed'


def phases_of(tests):
    """Tempest results per phase and test class (subunit2html's table).

    ``[{'phase', 'passed', 'counts', 'classes': [{'name', 'counts',
    'tests': [...]}]}]`` in the order the phases first ran; ``passed``: no
    failure and at least one test passed.
    """
    phases = {}
    for test in tests:
        phase = phases.setdefault(test['phase'] or 'unnamed', {})
        group, name = split_test_id(test['test_id'])
        cls = phase.setdefault(group, [])
        cls.append({'id': test['test_id'], 'name': name,
                    'status': status_group(test['status']),
                    'subunit_status': test['status'],
                    'started_at': test['started_at'],
                    'duration': test['duration'],
                    'detail': test['detail']})
    out = []
    for phase, classes in phases.items():
        rows = [{'name': cls, 'counts': _counts(tests),
                 'tests': tests} for cls, tests in sorted(classes.items())]
        counts = _counts([t for c in classes.values() for t in c])
        out.append({'phase': phase, 'classes': rows, 'counts': counts,
                    'passed': counts['failed'] == 0 and counts['passed'] > 0})
    return out


def split_test_id(test_id):
    """(test class, test name) of a test id.

    ``a.b.Class.test_x`` -> ``('a.b.Class', 'test_x')``; a fixture that
    failed, ``setUpClass (a.b.Class)`` -> ``('a.b.Class', 'setUpClass')``.
    """
    fixture = _FIXTURE_ID.match(test_id)
    if fixture:
        return fixture.group(2), fixture.group(1)
    parts = test_id.rsplit('.', 1)
    return (parts[0], parts[1]) if len(parts) > 1 else ('', test_id)


def _counts(tests):
    counts = {'total': len(tests), 'passed': 0, 'failed': 0, 'skipped': 0}
    for test in tests:
        counts[test['status']] += 1
    return counts


def side_by_side(analysis):
    """[(label, figures)] of every service, each connection kind.

    A service's new-connection figures (``services``) come first, under
    its name, then its reused-connection ones (``reused``), under
    ``budgets.REUSED`` (``compute (connection reused)``).
    """
    rows = [((name, 0), name, f)
            for name, f in analysis['services'].items()]
    rows += [((name, 1), budgets.REUSED % name, f)
             for name, f in (analysis.get('reused') or {}).items()]
    return [(label, f) for _key, label, f in sorted(rows,
                                                    key=lambda r: r[0])]


def tables(analysis):
    """The rows of the report's tables (see the template for columns)."""
    services = analysis['services']
    both = side_by_side(analysis)
    return {
        'services': [_target_row(name, f) for name, f in both],
        'dataplane': [_target_row(name, f) for name, f in
                      sorted(analysis['dataplane'].items())],
        'per_step': [dict(_step_row(s), target=name)
                     for name, f in sorted(services.items())
                     for s in f['steps']],
        'windows': [_window_row(name, w)
                    for name, f in both + sorted(
                        analysis['dataplane'].items())
                    for w in f['downtime_windows']],
        'recovery': [recovery_row(name, f['recovery'])
                     for name, f in both
                     if f.get('recovery') and f['recovery']['windows']],
        'honour': analysis['honour'],
        'workloads': [e for e in analysis['events'] if _is_workload(e)],
        'gaps': analysis['gaps'],
        'unobserved': analysis['unobserved'],
    }


def _target_row(name, figures):
    latency = figures['latency']
    return {'name': name, 'samples': figures['samples'],
            'availability': figures['availability'],
            'downtime': figures['total_downtime'],
            'longest': figures['longest_downtime'],
            'windows': len(figures['downtime_windows']),
            'p50': _ms(latency['p50']), 'p95': _ms(latency['p95']),
            'p99': _ms(latency['p99']),
            'baseline_p95': _ms(figures['baseline_latency']['p95']),
            'p95_ratio': figures['latency_p95_ratio'],
            'unobserved': figures['unobserved_seconds'],
            'outcomes': figures['outcomes']}


def _window_row(name, window):
    """A window with only what the page shows of its recovery.

    The whole recovery (a latency summary per window) made a long run's
    page a quarter bigger; seconds are kept to the millisecond and the
    degradation to the tenth of one, as shown.
    """
    row = dict(window, target=name)
    back = row.get('recovery')
    if back:
        row['recovery'] = {
            'recovered': back['recovered'],
            'seconds': round(back['seconds'], 3),
            'degradation': None if back['degradation'] is None
            else round(back['degradation'], 4)}
    return row


def recovery_row(name, totals):
    """A service's recovery totals (analysis/recovery.py), in ms."""
    return {'name': name, 'windows': totals['windows'],
            'unrecovered': totals['unrecovered'],
            'total': totals['total_seconds'],
            'longest': totals['longest_seconds'],
            'samples': totals['samples'],
            'mean': _ms(totals['mean_latency']),
            'degradation': _ms(totals['degradation']),
            'ratio': totals['degradation_ratio'],
            'band': _ms(totals['band'])}


def _step_row(step):
    return {'label': step['label'], 'start': step['start'],
            'end': step['end'], 'samples': step['samples'],
            'availability': step['availability'],
            'downtime': step['downtime'], 'windows': step['windows'],
            'p50': _ms(step['latency']['p50']),
            'p95': _ms(step['latency']['p95'])}


def _is_workload(event):
    return (event['source'] == events_mod.WORKLOADS or
            event['action'].startswith('workloads'))


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 2)
