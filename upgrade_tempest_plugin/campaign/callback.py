"""The callback endpoint: the deployment tool tells the campaign.

``campaign run --listen 127.0.0.1:PORT`` serves, in a thread of the
runner, ``POST /runs/<run>/events`` with the header ``Authorization:
Bearer TOKEN``; the token is made per run and written (mode 0600) to
``callback-token`` in the campaign's directory, never printed or logged.
The body is one event in the JSON-lines form of
:mod:`upgrade_tempest_plugin.events` (``source`` defaults to ``driver``)
and may name a ``step`` of the campaign with ``done: true`` or ``done:
false``: the step is then reported done (or failed), which ends a step
waiting for it (the ``manual`` driver).  Answers: 202 recorded, 400 bad
body, 401 bad token, 404 unknown run.
"""

import hmac
import json
import os
import secrets
import threading

import flask
from werkzeug import serving

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.store import campaigns as recs

TOKEN_FILE = 'callback-token'


def token_for(work_dir):
    """The run's token, made on first use (a resumed run keeps it)."""
    path = os.path.join(work_dir, TOKEN_FILE)
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(24)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600),
              'w') as f:
        f.write(token + '\n')
    return token


def make_app(store, run_id, token, log):
    app = flask.Flask('upgrade_tempest_campaign')

    @app.post('/runs/<run>/events')
    def post_event(run):
        given = flask.request.headers.get('Authorization', '')
        if not hmac.compare_digest(given.encode(),
                                   ('Bearer ' + token).encode()):
            return {'error': 'bad token'}, 401
        if run != run_id:
            return {'error': 'unknown run %s' % run}, 404
        body = flask.request.get_json(silent=True)
        if not isinstance(body, dict):
            return {'error': 'the body is not a JSON object'}, 400
        body = log.redact(body)
        step_id = body.get('step')
        if step_id is not None and store.get_item(
                run_id, recs.STEP, str(step_id)) is None:
            return {'error': 'unknown step %s' % step_id}, 400
        if 'done' in body and (step_id is None or
                               not isinstance(body['done'], bool)):
            return {'error': 'done needs a step and true or false'}, 400
        recorded = None
        if body.get('action'):
            event = events.parse(json.dumps(body), source=events.DRIVER)
            if event is None:
                return {'error': 'not an event: it needs time and '
                        'action'}, 400
            recorded = store.add_event(
                run_id, event['source'], event['action'][:64],
                service=event['object'], from_version=event['from_version'],
                to_version=event['to_version'], result=event['outcome'],
                detail={'ended_at': event['ended'], 'step': step_id,
                        'detail': event['detail'],
                        'error_code': event['error_code']},
                at=event['started'])['id']
        if 'done' in body:
            store.set_item(run_id, recs.STEP, str(step_id),
                           store.get_item(run_id, recs.STEP,
                                          str(step_id))['state'],
                           detail={'confirmed': 'done' if body['done']
                                   else 'failed', 'by': 'the callback'})
        log.note('callback', 'recorded', step=step_id,
                 detail=body.get('action') or 'step %s reported %s' % (
                     step_id, 'done' if body.get('done') else 'failed'))
        return {'recorded': recorded, 'step': step_id}, 202

    return app


class _QuietHandler(serving.WSGIRequestHandler):
    """Requests go to the campaign log (:func:`make_app`), not stderr."""

    def log_request(self, *args, **kwargs):
        pass


class Endpoint(object):
    """The endpoint served in a daemon thread; :meth:`stop` ends it."""

    def __init__(self, host, port, app):
        self.server = serving.make_server(host, port, app, threaded=True,
                                          request_handler=_QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)

    @property
    def port(self):
        return self.server.server_port

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
