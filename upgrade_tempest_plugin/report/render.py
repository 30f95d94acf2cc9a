"""HTML pages from the report's data: Jinja2 templates of this package.

Every page is one self-contained file: the styles, uPlot and the page's
script are read from ``static/`` and inlined, and the data travels as one
JSON document in a ``<script type="application/json">`` element, so a
report opens from disk or an artifact store with no network (the way
Rally's ``html-static`` report does, with one library instead of three).

``links`` (``serve`` gives them) turns run ids into links and shows the
site's navigation; a file written by ``upgrade-tempest report`` has none.
"""

import functools
import json
import os
import time

import jinja2
import markupsafe

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static')


@functools.lru_cache(maxsize=None)
def static(name):
    """The text of ``static/NAME``, to inline as it is."""
    with open(os.path.join(STATIC, name), encoding='utf-8') as f:
        return markupsafe.Markup(f.read())


def to_json(value):
    """``value`` as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, separators=(',', ':'), allow_nan=False)
    return markupsafe.Markup(text.replace('<', '\\u003c').replace(
        '>', '\\u003e').replace('&', '\\u0026'))


def utc(epoch):
    """Epoch seconds as ``YYYY-MM-DD HH:MM:SSZ`` (empty for None)."""
    if epoch is None:
        return ''
    return time.strftime('%Y-%m-%d %H:%M:%SZ', time.gmtime(epoch))


def num(value, digits=2):
    """A number rounded for a table cell (empty for None)."""
    if value is None:
        return ''
    if isinstance(value, float):
        return ('%.*f' % (digits, value)).rstrip('0').rstrip('.') or '0'
    return str(value)


def _outcomes(counts):
    return ', '.join('%s %d' % kv for kv in sorted(counts.items()))


def release_row(r):
    return (r['service'], r['before'] or '?', r['after'] or '?')


def target_row(r):
    return (r['name'], r['samples'], num(r['availability'], 3),
            num(r['downtime'], 3), num(r['longest'], 3), r['windows'],
            num(r['p50'], 1), num(r['p95'], 1), num(r['p99'], 1),
            num(r['baseline_p95'], 1), num(r['p95_ratio']),
            num(r['unobserved'], 1), _outcomes(r['outcomes']))


def step_row(r):
    return (r['target'], r['label'], utc(r['start']), utc(r['end']),
            r['samples'], num(r['availability'], 3), num(r['downtime'], 3),
            r['windows'], num(r['p50'], 1), num(r['p95'], 1))


def window_row(w):
    back = w.get('recovery')
    return (w['target'], utc(w['start']), utc(w['end']),
            num(w['duration'], 3), num(w['first_to_last'], 3),
            num(w['precision'], 3), 'yes' if w['open'] else '',
            w['step'] or '', _outcomes(w['outcomes']),
            '' if back is None else num(back['seconds'], 3) + (
                '' if back['recovered'] else ' (not recovered)'),
            '' if back is None or back['degradation'] is None
            else num(back['degradation'] * 1000.0, 1))


def recovery_row(r):
    return (r['name'], r['windows'], r['unrecovered'], num(r['total'], 3),
            num(r['longest'], 3), r['samples'], num(r['mean'], 1),
            num(r['degradation'], 1), num(r['ratio']), num(r['band'], 1))


def not_honoured_row(r):
    return (r['kind'], r['name'] or '', r['resource_id'] or '',
            utc(r['accepted_at']), r['final_state'] or '', r['reason'] or '')


def event_row(e):
    detail = e.get('detail')
    if isinstance(detail, (dict, list)):
        detail = json.dumps(detail, sort_keys=True)
    return (utc(e['at']), e['source'], e['action'], e.get('service') or '',
            e.get('result') or '', detail or '')


def gap_row(g):
    return (g['reason'], utc(g['starts_at']), utc(g['ends_at']),
            g['lost_samples'])


def config_row(item):
    key, value = item
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True)
    return (key, '' if value is None else value)


@functools.lru_cache(maxsize=1)
def environment():
    env = jinja2.Environment(
        loader=jinja2.PackageLoader('upgrade_tempest_plugin.report',
                                    'templates'),
        autoescape=jinja2.select_autoescape(['html']),
        undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    env.globals['static'] = static
    env.filters.update(
        utc=utc, num=num, release_row=release_row, target_row=target_row,
        step_row=step_row, window_row=window_row, recovery_row=recovery_row,
        not_honoured_row=not_honoured_row, event_row=event_row,
        gap_row=gap_row, config_row=config_row)
    return env


def page(template, links=None, generated=None, **context):
    """Render ``template`` with ``context``; the text of the page."""
    return environment().get_template(template).render(
        links=links, generated=time.time() if generated is None
        else generated, **context)


def run_report(data, links=None):
    """The HTML report of one run (``data``: :func:`.data.build`)."""
    return page('report.html', links=links, generated=data['generated'],
                d=data, data_json=to_json(data))
