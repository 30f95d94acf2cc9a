"""``upgrade-tempest serve``: a read-only web UI over the store (Flask).

Routes (GET only; nothing here writes to the store):

``/``
    the runs, newest first, with their budget and validator verdicts;
``/runs/<run id>``
    the run's HTML report (the page ``upgrade-tempest report`` writes);
``/trends?last=N``
    the runs grouped by trend key;
``/queue``
    the test queue's jobs: state, worker, progress, counts, reason, and a
    link to the job's run report once its results were uploaded;
``/queue/<test id>``
    one job and every state it reported.

A run or a job the store does not have, or any unknown path, is a 404 page; an
error while building a page is a 500 page with one line (the traceback
goes to the log), never a traceback in the browser.  ``create_app`` is a
WSGI application factory: ``serve`` runs it with Werkzeug's server on
loopback; behind a real WSGI server it can face a network, with the
authentication the server in front provides.
"""

import logging

import flask
from werkzeug import exceptions as http

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin.report import pages
from upgrade_tempest_plugin.report import queue_view

LOG = logging.getLogger(__name__)
LINKS = {'runs': '/', 'trends': '/trends', 'run': '/runs/%s',
         'queue': '/queue', 'job': '/queue/%s'}


def create_app(store, conf=None, budgets=None):
    """The WSGI application over ``store``."""
    app = flask.Flask(__name__)

    def html(text, status=200):
        return flask.Response(text, status=status,
                              mimetype='text/html')

    @app.get('/')
    def runs():
        return html(pages.runs_page(store, budgets=budgets, links=LINKS))

    @app.get('/runs/<run_id>')
    def run(run_id):
        try:
            return html(pages.run_page(store, run_id, conf=conf,
                                       budgets=budgets, links=LINKS))
        except pages.UnknownRun:
            flask.abort(404, 'run %s is not in the store' % run_id)

    @app.get('/trends')
    def trends():
        last = flask.request.args.get('last', type=int)
        if last is not None and last < 1:
            flask.abort(400, 'last must be at least 1')
        return html(pages.trends_page(store, last, budgets=budgets,
                                      links=LINKS))

    @app.get('/queue')
    def queue():
        return html(pages.queue_page(store, LINKS))

    @app.get('/queue/<test_id>')
    def job(test_id):
        try:
            return html(pages.job_page(store, test_id, LINKS))
        except queue_view.UnknownJob:
            flask.abort(404, 'job %s is not in the store' % test_id)

    @app.errorhandler(http.HTTPException)
    def http_error(exc):
        return html(pages.error_page(
            '%d %s' % (exc.code, exc.name), exc.description, LINKS),
            exc.code)

    @app.errorhandler(Exception)
    def failure(exc):
        LOG.exception('%s failed', flask.request.path)
        return html(pages.error_page(
            '500 Internal Server Error',
            base.mask_passwords('%s: %s' % (type(exc).__name__, exc)),
            LINKS), 500)

    return app
