"""``upgrade-tempest analyse``: what the observers saw during a run.

Everything is recomputed from the store by
:func:`upgrade_tempest_plugin.analysis.run_analysis.build` (through
:func:`upgrade_tempest_plugin.facade.analyse_run`, as a Python caller
gets it), and rendered here.  The rows are the per-service figures
(``-f table|json|yaml|csv|value``): samples, availability, total and
longest downtime, windows, latency percentiles and their ratio to the
baseline, unobserved time, failures left to identity and the outcomes.
The table form adds the downtime windows (with precision and upgrade
step), the recovery after each window (analysis/recovery.py), the
per-step figures, the data-plane targets, the honoured
requests, the observers' gaps and the verdicts against
``[upgrade_budgets]`` with the basis of each budget (fixed, or the
percentile of comparable earlier runs, analysis/history.py).  ``--json``
(deprecated) prints the whole structure of ``build()`` (its schema:
``analysis/schema/run-analysis-v1.json``).
"""

import json

from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import facade

COLUMNS = ('service', 'connection', 'samples', 'availability %', 'downtime s',
           'longest s', 'windows', 'recovery s', 'p50 ms', 'p95 ms',
           'p99 ms',
           'baseline p95 ms', 'p95 ratio', 'unobserved s',
           'identity-attributed', 'outcomes')


def _ms(value):
    return None if value is None else round(value * 1000, 1)


def _round(value, digits=3):
    return None if value is None else round(float(value), digits)


def _outcomes(counts):
    return ', '.join('%s x%d' % kv for kv in sorted(counts.items()))


def by_connection(result):
    """[(service, connection, figures)]: each service's kinds side by side.

    ``new``: a new connection per probe (``services``); ``reused``: the
    reused keep-alive connections (``reused``).
    """
    rows = [(name, 'new', f) for name, f in result['services'].items()]
    rows += [(name, 'reused', f)
             for name, f in (result.get('reused') or {}).items()]
    return sorted(rows, key=lambda r: (r[0], r[1] != 'new'))


def label(name, connection):
    """A target's name in the tables (and verdicts): see budgets.REUSED."""
    return budgets.REUSED % name if connection == 'reused' else name


def service_rows(result):
    """The rows of :data:`COLUMNS`, one per service and connection kind."""
    return [(name, kind, f['samples'], _round(f['availability']),
             _round(f['total_downtime']), _round(f['longest_downtime']),
             len(f['downtime_windows']),
             _round((f.get('recovery') or {}).get('total_seconds')),
             _ms(f['latency']['p50']),
             _ms(f['latency']['p95']), _ms(f['latency']['p99']),
             _ms(f['baseline_latency']['p95']),
             _round(f['latency_p95_ratio'], 2),
             _round(f['unobserved_seconds'], 1), f['ignored'],
             _outcomes(f['outcomes']))
            for name, kind, f in by_connection(result)]


def basis(verdict):
    """Where a verdict's budget came from: fixed, or the history."""
    info = verdict.get('history')
    if info is None:
        return 'fixed'
    if info['applied']:
        return 'P%g of %d runs' % (info['percentile'], info['runs'])
    return 'fixed (%d of %d runs)' % (info['runs'], info['min_runs'])


def sections(result):
    """[(title, columns, rows)] the table form shows after the services."""
    when = budgets.when
    out = []
    services = [(label(name, kind), f)
                for name, kind, f in by_connection(result)]
    targets = services + sorted(result['dataplane'].items())
    out.append(('downtime windows', (
        'target', 'start', 'end', 'duration s', 'first-to-last s', '+/- s',
        'open', 'step', 'outcomes'), [
        (name, when(w['start']), when(w['end']), _round(w['duration']),
         _round(w['first_to_last']), _round(w['precision']),
         'yes' if w['open'] else '', w['step'] or '',
         _outcomes(w['outcomes']))
        for name, f in targets for w in f['downtime_windows']]))
    out.append(('recovery', (
        'service', 'window end', 'recovered', 'recovery s', 'probes',
        'mean ms', 'degradation ms', 'x baseline p50'), [
        (name, when(w['end']), 'yes' if r['recovered'] else 'NO',
         _round(r['seconds']), r['samples'], _ms(r['mean_latency']),
         _ms(r['degradation']), _round(r['degradation_ratio'], 2))
        for name, f in services
        for w in f['downtime_windows']
        for r in [w.get('recovery')] if r is not None]))
    out.append(('per upgrade step', (
        'service', 'step', 'from', 'to', 'samples', 'availability %',
        'downtime s', 'p95 ms'), [
        (name, s['label'], when(s['start']), when(s['end']), s['samples'],
         _round(s['availability']), _round(s['downtime']),
         _ms(s['latency']['p95']))
        for name, f in sorted(result['services'].items())
        if len(f['steps']) > 1 for s in f['steps']]))
    out.append(('data plane', (
        'target', 'connects', 'reachable %', 'downtime s', 'windows'), [
        (name, f['samples'], _round(f['availability']),
         _round(f['total_downtime']), len(f['downtime_windows']))
        for name, f in sorted(result['dataplane'].items())]))
    honour = result['honour']
    out.append(('honoured requests', (
        'requests', 'accepted', 'honoured', 'not honoured', 'pending'), [
        (honour['requests'], honour['accepted'], honour['honoured'],
         honour['not_honoured'], honour['pending'])]
        if honour['requests'] else []))
    out.append(('observer gaps', ('gap', 'from', 'to', 'lost samples'), [
        (g['reason'], when(g['starts_at']), when(g['ends_at']),
         g['lost_samples']) for g in result['gaps']]))
    out.append(('verdicts', (
        'check', 'target', 'result', 'measured', 'budget', 'basis'), [
        (v['check'], v['target'], 'pass' if v['passed'] else 'FAIL',
         _round(v['measured']), _round(v['limit']), basis(v))
        for v in result['verdicts'] or ()]))
    return [s for s in out if s[2]]


class Analyse(base.Lister):
    """Print the analysis of a run's observations."""

    def get_parser(self, prog_name):
        parser = base.add_run_arguments(super().get_parser(prog_name))
        parser.add_argument(
            '--baseline-seconds', type=float,
            help='Latency baseline length (default: [upgrade_budgets] '
                 'baseline_seconds, else 30).')
        parser.add_argument(
            '--no-verdicts', action='store_true',
            help='Do not judge the run against [upgrade_budgets].')
        parser.add_argument(
            '--fail-on-budget', action='store_true',
            help='Exit 1 when a budget is exceeded.')
        parser.add_argument(
            '--import-events', metavar='JSONL',
            help='First add the upgrade steps of this JSON-lines event log '
                 '(the sandbox\'s events.jsonl) that happened during the '
                 'run, so downtime is tied to the step that caused it.')
        parser.add_argument(
            '--json', action='store_true',
            help='Deprecated: print the whole analysis as JSON (the '
                 'structure of run_analysis.build; -f json prints the '
                 'rows).')
        return parser

    def take_action(self, parsed_args):
        result = facade.analyse_run(
            parsed_args.config_file, parsed_args.run_id,
            parsed_args.state_dir,
            baseline_seconds=parsed_args.baseline_seconds,
            events_file=parsed_args.import_events,
            verdicts=not parsed_args.no_verdicts)
        self.result = result
        if parsed_args.fail_on_budget and not all(
                v['passed'] for v in result['verdicts'] or ()):
            self.exit_code = base.FAILURE_EXIT
        return COLUMNS, service_rows(result)

    def produce_output(self, parsed_args, column_names, data):
        out = self.app.stdout
        if parsed_args.json:
            base.warn_json_alias(self.app)
            out.write(json.dumps(self.result, sort_keys=True) + '\n')
            return
        table = parsed_args.formatter == 'table'
        if table:
            out.write('run %s (analysed in %.2f s)\n' % (
                self.result['run_id'], self.result['seconds']))
        super().produce_output(parsed_args, column_names, data)
        if not table:
            return
        for title, columns, rows in sections(self.result):
            out.write(title + '\n')
            self.formatter.emit_list(columns, rows, out, parsed_args)
        for verdict in self.result['verdicts'] or ():
            if not verdict['passed']:
                out.write('FAIL %s\n' % verdict['message'])
