"""One run analysis: the import -> reconcile -> analyse -> judge pipeline.

:func:`build` is the only place that turns a run's store rows into what
``upgrade-tempest analyse``, the budget validators
(``tests/scenario/test_budgets.py``) and the HTML report show.  It returns
one plain, JSON-serialisable dict, described by the JSON schema
``analysis/schema/run-analysis-v1.json`` shipped in the package
(:func:`validate` checks a structure against it):

``version``
    :data:`VERSION`; it changes when a key changes meaning or goes away.
``run_id``, ``seconds``, ``baseline_seconds``, ``gap_threshold``
    the run, how long the analysis took, the latency baseline asked for
    and the shortest span without samples counted as unobserved.
``services``, ``reused``, ``dataplane``
    the figures of each observed API service (over a new connection per
    probe; ``reused``: over reused keep-alive connections, analysed
    apart) and data-plane target
    (:func:`upgrade_tempest_plugin.analysis.downtime.analyse_target`):
    downtime windows labelled with their upgrade steps, availability,
    latency percentiles and their ratio to the baseline, per-step rows.
``steps``
    the run's upgrade steps (events of a step source), ``end`` null for a
    step without an end that no later step closes.
``honour``
    the honoured-requests summary; ``gaps``: the observers' own gaps
    (store unavailable, buffer overflow); ``unobserved``: the longest
    unobserved time of any service, and each service's.
``events``, ``processes``
    the run's event and observer-process rows, as the store has them.
``verdicts``
    the budget verdicts (:class:`budgets.BudgetVerdict` as dicts), null
    when no budgets were given; a check set as historical
    (:mod:`.history`) has a ``history`` key: the figure of the comparable
    earlier runs it was judged by, how many, and the fixed fallback.
``problems``
    what went wrong without stopping the analysis, each ``{kind,
    message}``: :data:`EVENTS_FILE` (the events file could not be read)
    and :data:`HONOUR_RECONCILE` (the honour ledger could not be
    reconciled).
``timeline``, ``tests``
    only when asked for (``timeline=True``, the HTML report): the samples
    per time bucket (:mod:`.timeline`) and the run's Tempest results as
    the store has them (``upgrade-tempest results import``).
"""

import functools
import json
import math
import os

import jsonschema

from upgrade_tempest_plugin.analysis import budgets as budgets_mod
from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.analysis import history
from upgrade_tempest_plugin.analysis import timeline as timeline_mod

VERSION = 1
SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'schema', 'run-analysis-v1.json')
#: Latency baseline when neither the caller nor the budgets give one.
DEFAULT_BASELINE_SECONDS = 30.0

#: Kinds of problem.
EVENTS_FILE = 'events_file'
HONOUR_RECONCILE = 'honour_reconcile'


def build(store, run_id, baseline_seconds=None, events_file=None,
          honour_settings=None, budgets=None, timeline=False):
    """Analyse run ``run_id`` of ``store``; see the module for the result.

    ``events_file``: a JSON-lines step log (the sandbox's or a campaign's
    ``events.jsonl``) whose steps since the run's first observer started
    are added to the store first.  ``honour_settings``: observer settings
    (``observers.settings``) with which the honour ledger is reconciled
    first, or a function that returns them (settings that cannot be read
    are then a reconcile problem, not an error); None leaves the ledger as
    it is.  ``budgets``: the ``[upgrade_budgets]`` group (or an object with
    its attributes) to judge the run with, and whose ``baseline_seconds``
    applies when ``baseline_seconds`` is None.  ``timeline``: add the
    ``timeline`` and ``tests`` keys.
    """
    problems = []
    if events_file:
        problem = _import_events(store, run_id, events_file)
        if problem:
            problems.append(problem)
    if honour_settings is not None:
        problem = _reconcile_honour(store, run_id, honour_settings)
        if problem:
            problems.append(problem)
    if baseline_seconds is None:
        baseline_seconds = (budgets.baseline_seconds if budgets is not None
                            else DEFAULT_BASELINE_SECONDS)
    recorder = timeline_mod.Recorder(store, run_id) if timeline else None
    result = downtime.analyse_run(recorder or store, run_id,
                                  baseline_seconds=baseline_seconds)
    verdicts = None
    if budgets is not None:
        past = history.load(store, run_id, result, budgets, baseline_seconds)
        verdicts = [v.as_dict() for v in budgets_mod.judge(result, budgets,
                                                           past)]
    result.update(
        version=VERSION, baseline_seconds=float(baseline_seconds),
        steps=[dict(s, end=None if math.isinf(s['end']) else s['end'])
               for s in downtime.step_spans(result['events'])],
        unobserved=_unobserved(result['services']),
        verdicts=verdicts, problems=problems)
    if timeline:
        result.update(timeline=recorder.timeline(result),
                      tests=store.list_test_results(run_id))
    return result


def _import_events(store, run_id, path):
    """Import the steps of ``path`` since the first observer started."""
    started = [p['started_at'] for p in store.list_processes(run_id)]
    try:
        store.import_events_jsonl(run_id, path,
                                  since=min(started) if started else None)
    except OSError as exc:
        return _problem(EVENTS_FILE, '%s: %s' % (path, exc))
    return None


def _reconcile_honour(store, run_id, settings):
    # The honour observer (and its HTTP client) only when asked for.
    from upgrade_tempest_plugin.observers import honour
    try:
        if callable(settings):
            settings = settings()
        honour.reconcile_run(store, settings, run_id)
    except Exception as exc:   # noqa: reported, the analysis goes on
        return _problem(HONOUR_RECONCILE,
                        '%s: %s' % (type(exc).__name__, exc))
    return None


def _problem(kind, message):
    return {'kind': kind, 'message': message}


def problems_of(result, kind):
    """Messages of the problems of ``kind`` in a built structure."""
    return [p['message'] for p in result['problems'] if p['kind'] == kind]


def _unobserved(services):
    per_service = {name: f['unobserved_seconds']
                   for name, f in services.items()}
    return {'longest_seconds': max(per_service.values(), default=0.0),
            'services': per_service}


def verdicts_by_check(result):
    """``{(check, target): verdict}`` of a built structure."""
    return {(v['check'], v['target']): v for v in result['verdicts'] or ()}


@functools.lru_cache(maxsize=1)
def schema():
    """The JSON schema of :func:`build`'s structure."""
    with open(SCHEMA_FILE) as f:
        return json.load(f)


def validate(result):
    """Raise ``jsonschema.ValidationError`` unless ``result`` fits."""
    jsonschema.validate(result, schema())
