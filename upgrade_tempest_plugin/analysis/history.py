"""Budgets from history: judge a run against its comparable predecessors.

A budget named in ``[upgrade_budgets] historical_budgets`` is not a fixed
number but "no worse than the P\\ *q* of the last *N* comparable runs in
the store":

- *comparable*: the runs of the store with the same trend key as this run
  (:func:`upgrade_tempest_plugin.report.trends.key_fields`: cloud, from
  and to release, plan hash), created before it, newest first; at most
  ``history_runs`` (*N*) of them;
- the historical figure of a check and target is the nearest-rank
  percentile ``history_percentile`` (*q*, default 95) of what those runs
  measured (each run analysed as :func:`run_analysis.build` would, with
  the same latency baseline); for availability, where lower is worse, it
  is the P(100 - *q*);
- the run fails when it is worse than that figure (strictly: equal
  passes);
- with fewer than ``history_min_runs`` comparable runs that measured the
  figure, the fixed budget applies and the verdict says so.

Every historical verdict carries a ``history`` dict (the figure, how many
runs it came from and which, the percentile, the fixed fallback and
whether the history applied) and says the same in its message.
"""

from upgrade_tempest_plugin.analysis import budgets as budgets_mod
from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.analysis import ranks
from upgrade_tempest_plugin.report import trends

DEFAULT_PERCENTILE = 95.0
DEFAULT_RUNS = 20
DEFAULT_MIN_RUNS = 5
#: Checks where a lower figure is worse.
LOWER_IS_WORSE = (budgets_mod.AVAILABILITY,)


class Settings(object):
    """The history options of a budgets group (or their defaults)."""

    def __init__(self, checks, percentile=DEFAULT_PERCENTILE,
                 runs=DEFAULT_RUNS, min_runs=DEFAULT_MIN_RUNS):
        self.checks = frozenset(checks)
        self.percentile = float(percentile)
        self.runs = int(runs)
        self.min_runs = int(min_runs)

    @classmethod
    def of(cls, budgets):
        """The settings of ``budgets``; None when no budget is historical."""
        checks = getattr(budgets, 'historical_budgets', None) or ()
        if not checks:
            return None
        return cls(checks,
                   getattr(budgets, 'history_percentile', DEFAULT_PERCENTILE),
                   getattr(budgets, 'history_runs', DEFAULT_RUNS),
                   getattr(budgets, 'history_min_runs', DEFAULT_MIN_RUNS))


def run_key(run, view):
    """Trend key of ``run`` (a store row or None) given its events."""
    run = run or {'attrs': {}}
    return trends.trend_key(trends.key_fields(run, view))


def comparable_runs(store, run_id, analysis, limit):
    """(trend key, ids of the ``limit`` newest comparable earlier runs)."""
    run = store.get_run(run_id)
    key = run_key(run, analysis)
    created = run['created_at'] if run else None
    found = []
    for other in store.list_runs():
        if other['id'] == run_id or (created is not None and
                                     other['created_at'] > created):
            continue
        view = {'processes': store.list_processes(other['id']),
                'events': store.list_events(other['id'])}
        if run_key(other, view) == key:
            found.append(other['id'])
            if len(found) >= limit:
                break
    return key, found


def past_figures(store, run_ids, budgets, baseline_seconds):
    """``{(check, target): [(run_id, measured)]}`` of the given runs."""
    figures = {}
    for run_id in run_ids:
        past = downtime.analyse_run(store, run_id,
                                    baseline_seconds=baseline_seconds)
        for verdict in budgets_mod.judge(past, budgets):
            if verdict.measured is not None:
                figures.setdefault((verdict.check, verdict.target),
                                   []).append((run_id, verdict.measured))
    return figures


class History(object):
    """The limits of the historical checks of one run."""

    def __init__(self, settings, key, figures):
        self.settings = settings
        self.key = key
        self.figures = figures

    def limit(self, check, target, fixed):
        """(limit to judge with, history dict or None if not historical)."""
        if check not in self.settings.checks:
            return fixed, None
        past = self.figures.get((check, target), [])
        q = self.settings.percentile
        if check in LOWER_IS_WORSE:
            q = 100.0 - q
        applied = len(past) >= self.settings.min_runs
        figure = ranks.percentile(sorted(v for _r, v in past), q)
        info = {'key': self.key, 'percentile': q,
                'runs': len(past), 'run_ids': [r for r, _v in past],
                'wanted_runs': self.settings.runs,
                'min_runs': self.settings.min_runs,
                'figure': figure, 'fixed': fixed, 'applied': applied}
        return (figure if applied else fixed), info

    @staticmethod
    def describe(info):
        return describe(info)


def load(store, run_id, analysis, budgets, baseline_seconds):
    """The :class:`History` of a run, None when no budget is historical."""
    settings = Settings.of(budgets)
    if settings is None:
        return None
    key, run_ids = comparable_runs(store, run_id, analysis, settings.runs)
    return History(settings, key,
                   past_figures(store, run_ids, budgets, baseline_seconds))


def describe(info):
    """The sentence a historical verdict's message ends with."""
    if info['applied']:
        return ('historical budget: P%g of the last %d comparable runs '
                '(trend key %s) = %.3f; fixed fallback %s not applied' % (
                    info['percentile'], info['runs'], info['key'],
                    info['figure'], _fixed(info['fixed'])))
    return ('historical budget not applied: %d comparable run(s) measured '
            'this (trend key %s), fewer than the %d required%s; the fixed '
            'budget %s applies' % (
                info['runs'], info['key'], info['min_runs'],
                ', their P%g %.3f' % (info['percentile'], info['figure'])
                if info['figure'] is not None else '',
                _fixed(info['fixed'])))


def _fixed(limit):
    return 'report-only' if limit < 0 else '%g' % limit
