"""``upgrade-tempest analyse``: what the observers saw during a run.

Prints per service the downtime windows (each with its precision), total
and longest downtime, availability, latency percentiles and their ratio to
the baseline, the same per upgrade step, the data-plane targets, the
honoured requests and the verdicts against ``[upgrade_budgets]``; or all of
it as JSON.  Everything is recomputed from the store.
"""

import json

from upgrade_tempest_plugin.analysis import budgets as budgets_mod
from upgrade_tempest_plugin.analysis import downtime
from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin.cmd import observe
from upgrade_tempest_plugin import exceptions


def _ms(value):
    return '' if value is None else '%.1f' % (value * 1000)


def _pct(value):
    return '' if value is None else '%.3f' % value


def table(headers, rows):
    """A plain text table (no dependency on a table library)."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    line = '+' + '+'.join('-' * (w + 2) for w in widths) + '+'
    out = [line, '| ' + ' | '.join(
        h.ljust(w) for h, w in zip(headers, widths)) + ' |', line]
    for row in rows:
        out.append('| ' + ' | '.join(
            c.ljust(w) for c, w in zip(row, widths)) + ' |')
    out.append(line)
    return '\n'.join(out) + '\n'


def render(analysis, verdicts=None):
    out = ['run %s (analysed in %.2f s)\n' % (analysis['run_id'],
                                              analysis['seconds'])]
    rows = []
    for name, f in sorted(analysis['services'].items()):
        rows.append([
            name, f['samples'], _pct(f['availability']),
            '%.3f' % f['total_downtime'], '%.3f' % f['longest_downtime'],
            len(f['downtime_windows']), _ms(f['latency']['p50']),
            _ms(f['latency']['p95']), _ms(f['latency']['p99']),
            _ms(f['baseline_latency']['p95']),
            '' if f['latency_p95_ratio'] is None
            else '%.2f' % f['latency_p95_ratio'],
            '%.1f' % f['unobserved_seconds'], f['ignored']])
    out.append(table(['service', 'samples', 'avail %', 'downtime s',
                      'longest s', 'windows', 'p50 ms', 'p95 ms', 'p99 ms',
                      'base p95 ms', 'p95 ratio', 'unobserved s',
                      'identity-attributed'], rows))
    rows = []
    for name, f in sorted(analysis['services'].items()) + sorted(
            analysis['dataplane'].items()):
        for w in f['downtime_windows']:
            rows.append([
                name, budgets_mod.when(w['start']),
                budgets_mod.when(w['end']), '%.3f' % w['duration'],
                '%.3f' % w['first_to_last'], '%.3f' % w['precision'],
                'yes' if w['open'] else '', w.get('step') or '',
                ', '.join('%s x%d' % kv for kv in sorted(
                    w['outcomes'].items()))])
    if rows:
        out.append('downtime windows\n')
        out.append(table(['target', 'start', 'end', 'duration s',
                          'first-to-last s', '+/- s', 'open', 'step',
                          'outcomes'], rows))
    rows = []
    for name, f in sorted(analysis['services'].items()):
        if len(f['steps']) < 2:
            continue
        for s in f['steps']:
            rows.append([name, s['label'], budgets_mod.when(s['start']),
                         budgets_mod.when(s['end']), s['samples'],
                         _pct(s['availability']), '%.3f' % s['downtime'],
                         _ms(s['latency']['p95'])])
    if rows:
        out.append('per upgrade step\n')
        out.append(table(['service', 'step', 'from', 'to', 'samples',
                          'avail %', 'downtime s', 'p95 ms'], rows))
    if analysis['dataplane']:
        rows = [[t, f['samples'], _pct(f['availability']),
                 '%.3f' % f['total_downtime'], len(f['downtime_windows'])]
                for t, f in sorted(analysis['dataplane'].items())]
        out.append('data plane\n')
        out.append(table(['target', 'connects', 'reachable %',
                          'downtime s', 'windows'], rows))
    honour = analysis['honour']
    if honour['requests']:
        out.append('honour: %d requests, %d accepted, %d honoured, %d not '
                   'honoured, %d pending\n' % (
                       honour['requests'], honour['accepted'],
                       honour['honoured'], honour['not_honoured'],
                       honour['pending']))
    if analysis['gaps']:
        out.append(table(['gap', 'from', 'to', 'lost samples'], [
            [g['reason'], budgets_mod.when(g['starts_at']),
             budgets_mod.when(g['ends_at']), g['lost_samples']]
            for g in analysis['gaps']]))
    if verdicts:
        out.append('verdicts\n')
        out.append(table(['check', 'target', 'result', 'measured',
                          'budget'], [
            [v.check, v.target, 'pass' if v.passed else 'FAIL',
             '' if v.measured is None else '%.3f' % v.measured, v.limit]
            for v in verdicts]))
        for v in verdicts:
            if not v.passed:
                out.append('FAIL %s\n' % v.message)
    return ''.join(out)


class Analyse(base.Command):
    """Print the analysis of a run's observations (tables or JSON)."""

    def get_parser(self, prog_name):
        parser = observe.add_common_arguments(super().get_parser(prog_name))
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
        return parser

    def take_action(self, parsed_args):
        ctx = observe.Context(parsed_args)
        if not ctx.run_id:
            raise exceptions.UserError('no run recorded in %s; give --run'
                                       % ctx.state_dir)
        budgets = ctx.conf.upgrade_budgets if ctx.conf is not None else None
        baseline = parsed_args.baseline_seconds or (
            budgets.baseline_seconds if budgets is not None else 30.0)
        if ctx.store.get_run(ctx.run_id) is None:
            raise exceptions.UserError('run %s is not in the store %s' % (
                ctx.run_id, ctx.store.url))
        if parsed_args.import_events:
            processes = ctx.store.list_processes(ctx.run_id)
            since = min([p['started_at'] for p in processes] or [None])
            try:
                ctx.store.import_events_jsonl(ctx.run_id,
                                              parsed_args.import_events,
                                              since=since)
            except OSError as exc:
                raise exceptions.UserError('cannot read %s: %s' % (
                    parsed_args.import_events, exc))
        analysis = downtime.analyse_run(ctx.store, ctx.run_id,
                                        baseline_seconds=baseline)
        verdicts = None
        if budgets is not None and not parsed_args.no_verdicts:
            verdicts = budgets_mod.judge(analysis, budgets)
        if parsed_args.json:
            analysis['verdicts'] = [v.as_dict() for v in verdicts or []]
            self.app.stdout.write(json.dumps(analysis, sort_keys=True,
                                             default=str) + '\n')
        else:
            self.app.stdout.write(render(analysis, verdicts))
        if parsed_args.fail_on_budget and verdicts and not all(
                v.passed for v in verdicts):
            return 1
        return 0
