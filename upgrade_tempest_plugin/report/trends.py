"""Runs side by side: is this upgrade better or worse than the last ones?

Runs are compared only with runs of the same *trend key*, the way Rally
groups its trends by a hash of the workload configuration:

``cloud``
    the run attribute ``cloud`` when a tool recorded one, else the region
    the observers probed (their recorded ``region`` setting), else
    ``unknown``;
``from``, ``to``
    the release series the release validators found before and after the
    upgrade, else the versions the upgrade steps moved between (the most
    frequent over the services, :func:`.data.releases`), else
    ``unknown``;
``plan``
    the run attribute ``plan_hash`` (a campaign records the hash of its
    plan), else ``-`` (the sandbox's one upgrade path).

The key is the first 12 hex digits of the SHA-256 of those four values as
sorted JSON; the page shows the values beside it.  Per run and service the
trends show the total downtime, the availability and the latency p95, from
the one run analysis (:func:`run_analysis.build`).
"""

import collections
import hashlib
import json

from upgrade_tempest_plugin.report import data as data_mod

UNKNOWN = 'unknown'
NO_PLAN = '-'


def key_fields(run, analysis):
    """The values the trend key is made of (see the module)."""
    cloud = run['attrs'].get('cloud')
    if not cloud:
        regions = {(p.get('attrs') or {}).get('region')
                   for p in analysis['processes']} - {None, ''}
        cloud = ', '.join(sorted(regions)) or UNKNOWN
    releases = data_mod.releases(analysis['events'])
    return {'cloud': cloud,
            'from': _most_common(r['before'] for r in releases),
            'to': _most_common(r['after'] for r in releases),
            'plan': run['attrs'].get('plan_hash') or NO_PLAN}


def trend_key(fields):
    text = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def run_row(run, analysis):
    """One run's figures for the trends.

    ``{run_id, created_at, key, fields, passed, services: {name:
    {downtime, availability, p95}}}``.
    """
    fields = key_fields(run, analysis)
    verdicts = analysis['verdicts']
    return {
        'run_id': run['id'], 'created_at': run['created_at'],
        'key': trend_key(fields), 'fields': fields,
        'passed': None if verdicts is None else all(
            v['passed'] for v in verdicts),
        'services': {
            name: {'downtime': round(f['total_downtime'], 3),
                   'availability': None if f['availability'] is None
                   else round(f['availability'], 3),
                   'p95': None if f['latency']['p95'] is None
                   else round(f['latency']['p95'] * 1000.0, 2)}
            for name, f in sorted(analysis['services'].items())},
    }


def groups(rows):
    """Rows grouped by trend key, each group oldest run first.

    ``[{key, fields, runs, services, charts}]``, the group with the newest
    run first; ``charts``: ``{figure: {'x': [created_at], service:
    [value or None]}}`` for downtime, availability and p95.
    """
    by_key = collections.OrderedDict()
    for row in sorted(rows, key=lambda r: r['created_at'], reverse=True):
        by_key.setdefault(row['key'], []).append(row)
    out = []
    for key, runs in by_key.items():
        runs = sorted(runs, key=lambda r: r['created_at'])
        services = sorted({s for r in runs for s in r['services']})
        charts = {}
        for figure in ('downtime', 'availability', 'p95'):
            chart = {'x': [r['created_at'] for r in runs]}
            for service in services:
                chart[service] = [
                    (r['services'].get(service) or {}).get(figure)
                    for r in runs]
            charts[figure] = chart
        out.append({'key': key, 'fields': runs[0]['fields'], 'runs': runs,
                    'services': services, 'charts': charts})
    return out


def _most_common(values):
    counts = collections.Counter(v for v in values if v)
    if not counts:
        return UNKNOWN
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
