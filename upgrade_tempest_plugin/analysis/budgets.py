"""Judge an analysed run against its budgets.

Each check returns a :class:`BudgetVerdict` whose message carries the measured
figure, the budget and the windows behind it, so a failed validator says
what happened without opening the store.  A negative budget means "report
only": the verdict passes and still carries the figure.
"""

import time

DOWNTIME = 'downtime'
AVAILABILITY = 'availability'
LATENCY = 'latency_p95_ratio'
DATAPLANE_LOSS = 'dataplane_loss'
UNHONOURED = 'unhonoured'
UNOBSERVED = 'unobserved'
RECOVERY = 'recovery'
#: How the verdicts of a service's reused-connection probes name it.
REUSED = '%s (connection reused)'


class BudgetVerdict(object):

    def __init__(self, check, target, passed, measured, limit, message):
        self.check = check
        self.target = target
        self.passed = passed
        self.measured = measured
        self.limit = limit
        self.message = message
        #: Set by :func:`judge` on a historical check (see .history).
        self.history = None

    def as_dict(self):
        data = dict(check=self.check, target=self.target,
                    passed=self.passed, measured=self.measured,
                    limit=self.limit, message=self.message)
        if self.history is not None:
            data['history'] = self.history
        return data

    def __repr__(self):
        return '<BudgetVerdict %s %s %s>' % (self.check, self.target,
                                             'pass' if self.passed else 'FAIL')


def when(epoch):
    """UTC time of day with milliseconds."""
    return time.strftime('%H:%M:%S', time.gmtime(epoch)) + (
        '.%03dZ' % int(round((epoch % 1) * 1000) % 1000))


def describe_window(window):
    outcomes = ', '.join('%s x%d' % (k, v) for k, v in sorted(
        (window.get('outcomes') or {}).items()))
    return ('%s-%s %.3f s (first-to-last failure %.3f s, +/-%.3f s%s%s%s)'
            % (when(window['start']), when(window['end']),
               window['duration'], window['first_to_last'],
               window['precision'], ', still down at the end'
               if window['open'] else '',
               '; during "%s"' % window['step'] if window.get('step') else
               '', '; ' + outcomes if outcomes else ''))


def describe_windows(windows, limit=5):
    if not windows:
        return 'no downtime window'
    ordered = sorted(windows, key=lambda w: -w['duration'])
    text = '; '.join(describe_window(w) for w in ordered[:limit])
    if len(windows) > limit:
        text += '; and %d shorter window(s)' % (len(windows) - limit)
    return 'windows: ' + text


def _observed(figures):
    return '%s-%s (%d samples)' % (when(figures['first_sample']),
                                   when(figures['last_sample']),
                                   figures['samples'])


def check_downtime(figures, limit):
    measured = figures['total_downtime']
    passed = limit < 0 or measured <= limit
    message = ('%s: %.3f s of API downtime (longest %.3f s) %s budget '
               '%s; %s; observed %s' % (
                   figures['target'], measured,
                   figures['longest_downtime'],
                   'within' if passed else 'EXCEEDS',
                   'report-only' if limit < 0 else '%.3f s' % limit,
                   describe_windows(figures['downtime_windows']),
                   _observed(figures)))
    if figures.get('unobserved_seconds'):
        message += '; %.1f s unobserved (not counted as uptime)' % (
            figures['unobserved_seconds'])
    return BudgetVerdict(DOWNTIME, figures['target'], passed, measured, limit,
                         message)


def check_availability(figures, limit):
    measured = figures['availability']
    if measured is None:
        return BudgetVerdict(AVAILABILITY, figures['target'], False, None,
                             limit,
                             '%s: no countable sample' % figures['target'])
    passed = limit < 0 or measured >= limit
    failed = figures['counted'] - figures['ok']
    message = ('%s: availability %.3f %% (%d of %d probes failed%s) %s '
               'budget %s; %s' % (
                   figures['target'], measured, failed, figures['counted'],
                   ', %d identity failures left out' % figures['ignored']
                   if figures['ignored'] else '',
                   'meets' if passed else 'BELOW',
                   'report-only' if limit < 0 else '%.3f %%' % limit,
                   describe_windows(figures['downtime_windows'])))
    return BudgetVerdict(AVAILABILITY, figures['target'], passed, measured,
                         limit, message)


def check_latency(figures, limit):
    ratio = figures['latency_p95_ratio']
    lat, base = figures['latency'], figures['baseline_latency']
    if ratio is None:
        return BudgetVerdict(LATENCY, figures['target'], True, None, limit,
                             '%s: no latency baseline (%d baseline samples); '
                             'not judged' % (figures['target'], base['count']))
    passed = limit < 0 or ratio <= limit
    worst = max(figures['steps'],
                key=lambda s: s['latency']['p95'] or 0.0)
    message = ('%s: p95 latency %.1f ms is %.2f x the baseline %.1f ms '
               '(p50 %.1f ms, p99 %.1f ms; baseline until %s, %d samples) '
               '%s budget %s; worst step "%s" p95 %s ms' % (
                   figures['target'], lat['p95'] * 1000, ratio,
                   base['p95'] * 1000, lat['p50'] * 1000, lat['p99'] * 1000,
                   when(figures['baseline_end']), base['count'],
                   'within' if passed else 'EXCEEDS',
                   'report-only' if limit < 0 else '%.2f x' % limit,
                   worst['label'], '%.1f' % (worst['latency']['p95'] * 1000)
                   if worst['latency']['p95'] else 'n/a'))
    return BudgetVerdict(LATENCY, figures['target'], passed, ratio, limit,
                         message)


def check_recovery(figures, limit):
    """Total time to get back to baseline latency after the windows."""
    totals = figures.get('recovery')
    if totals is None:
        return BudgetVerdict(RECOVERY, figures['target'], True, None, limit,
                             '%s: no latency baseline; recovery not judged'
                             % figures['target'])
    measured = totals['total_seconds']
    passed = limit < 0 or measured <= limit
    message = ('%s: %.3f s to recover baseline latency after %d downtime '
               'window(s) (longest %.3f s%s) %s budget %s; back = rolling '
               '%g s median within the baseline p95 %.1f ms for %g s' % (
                   figures['target'], measured, totals['windows'],
                   totals['longest_seconds'],
                   ', %d not recovered' % totals['unrecovered']
                   if totals['unrecovered'] else '',
                   'within' if passed else 'EXCEEDS',
                   'report-only' if limit < 0 else '%.3f s' % limit,
                   totals['median_seconds'], totals['band'] * 1000,
                   totals['hold_seconds']))
    if totals['degradation'] is not None:
        message += ('; latency during recovery %.1f ms on average, +%.1f ms '
                    '(%.2f x the baseline p50)' % (
                        totals['mean_latency'] * 1000,
                        totals['degradation'] * 1000,
                        totals['degradation_ratio'] or 0.0))
    return BudgetVerdict(RECOVERY, figures['target'], passed, measured,
                         limit, message)


def check_dataplane(figures, limit):
    loss = 100.0 - figures['availability'] if figures[
        'availability'] is not None else 100.0
    passed = limit < 0 or loss <= limit
    message = ('%s: %.3f %% of connects failed %s budget %s; %s' % (
        figures['target'], loss, 'within' if passed else 'EXCEEDS',
        'report-only' if limit < 0 else '%.3f %%' % limit,
        describe_windows(figures['downtime_windows'])))
    return BudgetVerdict(DATAPLANE_LOSS, figures['target'], passed, loss,
                         limit, message)


def check_unhonoured(honour, limit):
    count = honour['not_honoured'] + honour['pending']
    passed = limit < 0 or count <= limit
    items = '; '.join('%s %s (%s): %s' % (
        r['kind'], r['name'], r['resource_id'], r['reason'])
        for r in honour['not_honoured_list'][:10])
    message = ('%d of %d accepted requests not honoured (%d still '
               'pending) %s budget %s%s' % (
                   count, honour['accepted'], honour['pending'],
                   'within' if passed else 'EXCEEDS', limit,
                   ': ' + items if items else ''))
    return BudgetVerdict(UNHONOURED, 'honour', passed, count, limit, message)


def check_unobserved(analysis, limit):
    worst = 0.0
    parts = []
    for figures in analysis['services'].values():
        if figures['unobserved_seconds']:
            worst = max(worst, figures['unobserved_seconds'])
            parts.append('%s %.1f s (%s)' % (
                figures['target'], figures['unobserved_seconds'],
                ', '.join('%s-%s' % (when(g['start']), when(g['end']))
                          for g in figures['unobserved'][:3])))
    for gap in analysis['gaps']:
        parts.append('%s %s-%s, %d samples lost' % (
            gap['reason'], when(gap['starts_at']), when(gap['ends_at']),
            gap['lost_samples']))
    passed = limit < 0 or worst <= limit
    message = ('longest unobserved time %.1f s %s budget %s%s' % (
        worst, 'within' if passed else 'EXCEEDS', limit,
        ': ' + '; '.join(parts) if parts else ''))
    return BudgetVerdict(UNOBSERVED, 'observers', passed, worst, limit,
                         message)


def downtime_limit(budgets, service):
    per_service = getattr(budgets, 'max_downtime_per_service', None) or {}
    if service in per_service:
        return float(per_service[service])
    return budgets.max_downtime


def judge(analysis, budgets, history=None):
    """Every verdict of a run (``budgets``: the [upgrade_budgets] group).

    ``history``: an :class:`.history.History` that gives the limits of the
    checks set as historical; None judges every check by its fixed budget.
    """
    verdicts = []

    def add(check, function, figures, target, fixed):
        limit, info = (fixed, None) if history is None else history.limit(
            check, target, fixed)
        verdict = function(figures, limit)
        if info is not None:
            verdict.history = info
            verdict.message += '; ' + history.describe(info)
        verdicts.append(verdict)

    services = [(service, service, figures) for service, figures in
                sorted(analysis['services'].items())]
    # A service's reused-connection figures, under the same budgets.
    services += [
        (service, REUSED % service, dict(figures, target=REUSED % service))
        for service, figures in sorted(analysis.get('reused', {}).items())]
    for service, target, figures in services:
        add(DOWNTIME, check_downtime, figures, target,
            downtime_limit(budgets, service))
        add(AVAILABILITY, check_availability, figures, target,
            budgets.min_availability)
        add(LATENCY, check_latency, figures, target,
            budgets.max_latency_p95_ratio)
        add(RECOVERY, check_recovery, figures, target,
            getattr(budgets, 'max_recovery', -1.0))
    for target, figures in sorted(analysis['dataplane'].items()):
        add(DATAPLANE_LOSS, check_dataplane, figures, target,
            budgets.max_dataplane_loss)
    if analysis['honour']['requests']:
        add(UNHONOURED, check_unhonoured, analysis['honour'], 'honour',
            budgets.max_unhonoured)
    add(UNOBSERVED, check_unobserved, analysis, 'observers',
        budgets.max_unobserved)
    return verdicts
