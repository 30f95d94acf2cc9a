"""The status API: ``POST /update-test-status/`` from queue workers.

The form fields are ``test_id``, ``payload`` (a JSON document checked
against ``status-v1.schema.json``) and, optionally, ``subunit``: the job's
raw subunit stream in URL-safe base64, imported into the store by the
one results importer (:mod:`upgrade_tempest_plugin.report.subunit_import`,
the code of ``upgrade-tempest results import``) as the run whose id is
the job's test id.  Answers:

- **202** the report was recorded in the store;
- **400** a field is missing or malformed, the job is unknown, or the
  body is larger than the bound (with a located one-line reason);
- **405** the caller is not a known test host: its address is not in the
  configured list, or its worker name has no token, or the token differs
  (compared with :func:`hmac.compare_digest`).  Any other method on the
  URL is 405 too.

Bad input is never a 5xx; a store that does not answer is 503.  The
caller is checked before its body is read.  Nothing a worker sends is
logged but the test id and the state.
Flask is the WSGI framework (the report UI's too).
"""

import base64
import binascii
import hmac
import ipaddress
import json
import logging
import os
import re

import flask
from werkzeug import exceptions as http

from upgrade_tempest_plugin.queue import payload as payload_mod
from upgrade_tempest_plugin.queue import records
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.store import api as store_api

LOG = logging.getLogger(__name__)

STATUS_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             'status-v1.schema.json')
PATH = '/update-test-status/'
DEFAULT_MAX_BODY = 16 * 1024 * 1024
_TEST_ID = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$')
_BASE64 = re.compile(r'^[A-Za-z0-9_-]*={0,2}$')


def read_tokens(path):
    """{worker name: token} from a file of ``NAME TOKEN`` lines.

    Blank lines and lines starting with ``#`` are skipped.  Raises
    ValueError naming the line of a malformed entry (never its token).
    """
    tokens = {}
    with open(path) as tokens_file:
        for number, line in enumerate(tokens_file, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = line.split()
            if len(parts) != 2:
                raise ValueError('%s:%d: expected "NAME TOKEN"' % (
                    path, number))
            tokens[parts[0]] = parts[1]
    return tokens


def networks(addresses):
    """The known hosts: addresses or networks (``10.0.0.0/24``) as text."""
    return [ipaddress.ip_network(address, strict=False)
            for address in addresses]


class _Refused(Exception):
    """405: not a known test host."""


def _caller_is_known(request, known_networks, tokens):
    try:
        address = ipaddress.ip_address(request.remote_addr or '')
    except ValueError:
        return False
    if not any(address in network for network in known_networks):
        return False
    worker = request.headers.get(reporter.WORKER_HEADER, '')
    given = request.headers.get(reporter.TOKEN_HEADER, '')
    expected = tokens.get(worker)
    if expected is None:
        # Compare anyway, so an unknown name takes as long as a bad token.
        hmac.compare_digest(given.encode(), b'x' * len(given.encode()))
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _answer(code, message):
    return flask.jsonify({'code': code, 'message': message}), code


def parse_report(form):
    """(test_id, status document, stream) of a form.

    ``stream`` is the decoded ``subunit`` field (bytes), None without
    one.  ValueError names the first problem.
    """
    test_id = form.get('test_id')
    if test_id is None:
        raise ValueError('test_id: missing')
    if not _TEST_ID.match(test_id):
        raise ValueError('test_id: does not match %s' % _TEST_ID.pattern)
    text = form.get('payload')
    if text is None:
        raise ValueError('payload: missing')
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError('payload: not JSON')
    problem = payload_mod.first_problem(document, STATUS_SCHEMA)
    if problem:
        raise ValueError(problem)
    return test_id, document, _stream(form.get('subunit'))


def _stream(text):
    if text is None:
        return None
    if not _BASE64.match(text):
        raise ValueError('subunit: not URL-safe base64')
    try:
        return base64.urlsafe_b64decode(text)
    except (binascii.Error, ValueError):
        raise ValueError('subunit: not URL-safe base64')


def create_app(store, known_hosts, tokens, max_body=DEFAULT_MAX_BODY):
    """The WSGI application.

    ``store``: an open store; ``known_hosts``: addresses or networks as
    text; ``tokens``: {worker name: token}; ``max_body``: bytes.
    """
    app = flask.Flask(__name__)
    app.config['MAX_CONTENT_LENGTH'] = max_body
    app.config['MAX_FORM_MEMORY_SIZE'] = max_body
    known_networks = networks(known_hosts)

    @app.errorhandler(http.RequestEntityTooLarge)
    def too_large(exc):
        return _answer(400, 'body: larger than %d bytes' % max_body)

    @app.errorhandler(_Refused)
    def refused(exc):
        return _answer(405, 'not a known test host')

    @app.errorhandler(http.MethodNotAllowed)
    def method_not_allowed(exc):
        return _answer(405, 'only POST')

    def store_unavailable(exc):
        LOG.warning('store unavailable: %s', type(exc).__name__)
        return _answer(503, 'store unavailable')

    for error in store_api.StoreUnavailable:
        app.register_error_handler(error, store_unavailable)

    @app.errorhandler(http.BadRequest)
    def bad_request(exc):
        return _answer(400, 'body: not a form')

    @app.route(PATH, methods=['POST'])
    def update_test_status():
        request = flask.request
        if not _caller_is_known(request, known_networks, tokens):
            raise _Refused()
        if (request.content_length or 0) > max_body:
            return too_large(None)
        try:
            test_id, document, stream = parse_report(request.form)
        except ValueError as exc:
            return _answer(400, str(exc))
        worker = request.headers.get(reporter.WORKER_HEADER)
        try:
            state = records.record(store, test_id, document, worker=worker,
                                   stream=stream)
        except records.UnknownJob:
            return _answer(400, 'test_id: no such job')
        LOG.info('job %s: %s from %s', test_id, document['state'], worker)
        return flask.jsonify({'test_id': test_id, 'state': state}), 202

    return app
