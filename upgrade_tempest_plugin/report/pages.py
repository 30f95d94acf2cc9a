"""The pages of the report, from a store: what the CLI and ``serve`` share.

Each function returns the HTML text of one page (a pure function of the
store, like Rally's exporters: the caller decides where it goes).
``budgets``/``conf`` are the tempest.conf's ``[upgrade_budgets]`` group and
CONF, when the caller has them: the runs are judged against those budgets
and the configuration section shows the plugin's options.
"""

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.report import config_view
from upgrade_tempest_plugin.report import data
from upgrade_tempest_plugin.report import queue_view
from upgrade_tempest_plugin.report import render
from upgrade_tempest_plugin.report import trends


class UnknownRun(exceptions.UserError):
    """The run is not in the store."""


def analyse(store, run_id, budgets=None, events_file=None, timeline=False):
    """The run analysis of ``run_id``; UnknownRun if the store lacks it."""
    if store.get_run(run_id) is None:
        raise UnknownRun('run %s is not in the store %s' % (run_id,
                                                            store.url))
    return run_analysis.build(store, run_id, budgets=budgets,
                              events_file=events_file, timeline=timeline)


def run_page(store, run_id, conf=None, budgets=None, events_file=None,
             links=None):
    """The HTML report of one run."""
    analysis = analyse(store, run_id, budgets, events_file, timeline=True)
    return render.run_report(
        data.build(analysis, config_view.build(analysis, conf)), links)


def trend_rows(store, last=None, budgets=None):
    """:func:`trends.run_row` of the ``last`` newest runs."""
    return [trends.run_row(run, analyse(store, run['id'], budgets))
            for run in store.list_runs(limit=last)]


def trends_page(store, last=None, budgets=None, links=None):
    """Runs grouped by trend key, with their charts and a table."""
    groups = trends.groups(trend_rows(store, last, budgets))
    return render.page('trends.html', links=links, groups=groups, last=last,
                       data_json=render.to_json(groups))


def runs_page(store, last=None, budgets=None, links=None):
    """The list of runs with their verdicts (``serve``'s home page)."""
    rows = trend_rows(store, last, budgets)
    for row in rows:
        row['phases'] = data.phases_of(
            store.list_test_results(row['run_id']))
    return render.page('runs.html', links=links, runs=rows)


def queue_page(store, links):
    """The queue's jobs, with a link to each job and to its run report."""
    return render.page('queue.html', links=links,
                       jobs=queue_view.jobs(store))


def job_page(store, test_id, links):
    """One job and every state it reported (queue_view.UnknownJob)."""
    return render.page('job.html', links=links,
                       job=queue_view.job(store, test_id))


def error_page(status, message, links=None):
    return render.page('error.html', links=links, status=status,
                       message=message)
