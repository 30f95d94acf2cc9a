"""The status API: 202, 400 and 405 over a corpus of requests."""

import base64
import json
import urllib.parse

import fixtures
from sqlalchemy import exc as sa_exc

from upgrade_tempest_plugin.queue import payload
from upgrade_tempest_plugin.queue import records
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.queue import status_api
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.queue import fakes
from upgrade_tempest_plugin.unit_tests.report import fakes as report_fakes

TOKEN = 'tok-0123456789abcdef'
KNOWN = '10.1.2.3'
HEADERS = {reporter.WORKER_HEADER: 'w1', reporter.TOKEN_HEADER: TOKEN}


def _form(test_id='job-1', **document):
    document.setdefault('state', 'running')
    return {'test_id': test_id, 'payload': json.dumps(document)}


# (name, request keyword arguments, expected status, expected message)
CORPUS = [
    ('unknown address', dict(data=_form(), remote=KNOWN.replace('3', '4')),
     405, 'not a known test host'),
    ('no token', dict(data=_form(), headers={reporter.WORKER_HEADER: 'w1'}),
     405, 'not a known test host'),
    ('wrong token', dict(data=_form(), headers={
        reporter.WORKER_HEADER: 'w1', reporter.TOKEN_HEADER: TOKEN + 'x'}),
     405, 'not a known test host'),
    ('token of another worker', dict(data=_form(), headers={
        reporter.WORKER_HEADER: 'w2', reporter.TOKEN_HEADER: TOKEN}),
     405, 'not a known test host'),
    ('GET', dict(method='GET'), 405, 'only POST'),
    ('missing test_id', dict(data={'payload': '{"state": "running"}'}),
     400, 'test_id: missing'),
    ('missing payload', dict(data={'test_id': 'job-1'}),
     400, 'payload: missing'),
    ('path traversal in test_id', dict(data=_form(test_id='../x')),
     400, 'test_id: does not match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    ('payload not JSON', dict(data={'test_id': 'job-1', 'payload': '{'}),
     400, 'payload: not JSON'),
    ('unknown state', dict(data=_form(state='done')),
     400, 'payload.state: must be one of "accepted", "installing", '
     '"running", "passed", "failed", "error", "timeout"'),
    ('worker may not say lost', dict(data=_form(state='lost')),
     400, 'payload.state: must be one of "accepted", "installing", '
     '"running", "passed", "failed", "error", "timeout"'),
    ('total negative', dict(data=_form(total=-1)),
     400, 'payload.total: must be at least 0'),
    ('results as JSON instead of a stream', dict(
        data=_form(results=[{'id': 't', 'status': 'success'}])),
     400, 'payload: unknown field(s) results'),
    ('subunit not base64', dict(data=dict(_form(), subunit='a+b/')),
     400, 'subunit: not URL-safe base64'),
    ('subunit cut short', dict(data=dict(_form(), subunit='abcde')),
     400, 'subunit: not URL-safe base64'),
    ('huge reason', dict(data=_form(reason='r' * 2000)),
     400, 'payload.reason: longer than 1024 characters'),
    ('unknown job', dict(data=_form(test_id='job-2')),
     400, 'test_id: no such job'),
    ('payload an array', dict(data={'test_id': 'job-1', 'payload': '[]'}),
     400, 'payload: must be of type object'),
    ('payload nested too deep', dict(data={'test_id': 'job-1',
                                           'payload': '[' * 15000}),
     400, 'payload: not JSON'),
    ('JSON body instead of a form', dict(data='{"test_id": "job-1"}',
                                         content_type='application/json'),
     400, 'test_id: missing'),
    ('body too large', dict(data={'test_id': 'job-1',
                                  'payload': 'x' * 70000}),
     400, 'body: larger than 65536 bytes'),
]


class StatusApiTest(base.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.store = store_api.open_store('sqlite:///%s/store.db' % tmp)
        self.addCleanup(self.store.close)
        records.add_job(self.store, payload.summary(fakes.payload()))
        self.app = status_api.create_app(
            self.store, [KNOWN, '192.168.0.0/24'], {'w1': TOKEN},
            max_body=65536)
        self.client = self.app.test_client()

    def post(self, data=None, headers=None, remote=KNOWN, method='POST',
             content_type=None):
        return self.client.open(
            status_api.PATH, method=method, data=data,
            headers=HEADERS if headers is None else headers,
            content_type=content_type,
            environ_base={'REMOTE_ADDR': remote})

    def test_corpus(self):
        self.assertGreaterEqual(len(CORPUS), 15)
        for name, kwargs, code, message in CORPUS:
            answer = self.post(**kwargs)
            self.assertEqual((code, message),
                             (answer.status_code, answer.json['message']),
                             name)
        self.assertEqual(['queued'], [s['state'] for s in
                                      records.list_status(self.store,
                                                          'job-1')])

    def test_accepted_report_is_recorded(self):
        answer = self.post(data=_form(total=3), remote='192.168.0.7')
        self.assertEqual(202, answer.status_code)
        job = records.get_job(self.store, 'job-1')
        self.assertEqual(('running', 'w1', 3),
                         (job['state'], job['worker'], job['total']))

    def test_final_report_imports_the_stream_and_wins(self):
        stream = report_fakes.subunit_stream([
            ('a.b.test_x[id-1]', 'success', 0, 0.25, None),
            ('a.b.test_y', 'fail', 1, 3, 'Traceback: boom')])
        form = dict(_form(state='failed', reason='1 failed', passed=1,
                          failed=1, total=2),
                    subunit=base64.urlsafe_b64encode(stream).decode())
        answer = self.post(data=form)
        self.assertEqual((202, 'failed'), (answer.status_code,
                                           answer.json['state']))
        stored = self.store.list_test_results('job-1')
        self.assertEqual(
            [('a.b.test_x', 'success', report_fakes.T0, 0.25, None,
              'queue'),
             ('a.b.test_y', 'fail', report_fakes.T0 + 1, 2.0,
              'Traceback: boom', 'queue')],
            [(r['test_id'], r['status'], r['started_at'], r['duration'],
              r['detail'], r['phase']) for r in stored])
        self.assertIsNotNone(self.store.get_run('job-1'))
        late = self.post(data=_form(state='passed'))
        self.assertEqual((202, 'failed'), (late.status_code,
                                           late.json['state']))
        job = records.get_job(self.store, 'job-1')
        self.assertEqual(('failed', '1 failed', 2),
                         (job['state'], job['reason'], job['done']))

    def test_a_store_that_does_not_answer_is_503(self):
        logger = self.useFixture(fixtures.FakeLogger())
        self.useFixture(fixtures.MockPatch(
            'upgrade_tempest_plugin.queue.records.record',
            side_effect=sa_exc.OperationalError('x', {}, None)))
        answer = self.post(data=_form())
        self.assertEqual((503, 'store unavailable'),
                         (answer.status_code, answer.json['message']))
        self.assertIn('store unavailable: OperationalError', logger.output)

    def test_worker_states_match_the_schema(self):
        schema = payload.schema(status_api.STATUS_SCHEMA)
        self.assertEqual(
            [s for s in reporter.STATES
             if s not in (reporter.QUEUED, reporter.CANCELLED,
                          reporter.LOST)],
            schema['properties']['state']['enum'])


class TokensTest(base.TestCase):

    def test_read_tokens(self):
        path = self.useFixture(fixtures.TempDir()).join('tokens')
        with open(path, 'w') as tokens:
            tokens.write('# worker token\nw1 abc\n\nw2 def\n')
        self.assertEqual({'w1': 'abc', 'w2': 'def'},
                         status_api.read_tokens(path))

    def test_malformed_line_is_named_without_its_token(self):
        path = self.useFixture(fixtures.TempDir()).join('tokens')
        with open(path, 'w') as tokens:
            tokens.write('w1 abc extra\n')
        exc = self.assertRaises(ValueError, status_api.read_tokens, path)
        self.assertEqual('%s:1: expected "NAME TOKEN"' % path, str(exc))


class _Answer:
    status = 202

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class ReporterFormTest(base.TestCase):
    """What the worker's reporter sends is what the status API reads."""

    def test_the_stream_round_trips(self):
        sent = []

        def urlopen(request, timeout):
            sent.append(request.data)
            return _Answer()
        self.useFixture(fixtures.MonkeyPatch('urllib.request.urlopen',
                                             urlopen))
        stream = report_fakes.subunit_stream([
            ('a.b.test_x', 'fail', 0, 1, 'Traceback: ?&=+/ boom')])
        self.assertTrue(reporter.Reporter(
            'http://h/update-test-status/', 'job-1', 'w1', TOKEN).post(
                'failed', stream=stream, failed=1))
        form = {k: v[0] for k, v in
                urllib.parse.parse_qs(sent[0].decode('ascii')).items()}
        self.assertEqual(('job-1', {'state': 'failed', 'failed': 1},
                          stream), status_api.parse_report(form))

    def test_no_stream_no_field(self):
        sent = []
        self.useFixture(fixtures.MonkeyPatch(
            'urllib.request.urlopen',
            lambda request, timeout: sent.append(request.data) or _Answer()))
        reporter.Reporter('http://h/update-test-status/', 'job-1', 'w1',
                          TOKEN).post('running', total=3)
        self.assertNotIn(b'subunit=', sent[0])
