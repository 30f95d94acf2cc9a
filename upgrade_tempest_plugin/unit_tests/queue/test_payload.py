"""The payload schema and its located messages: the bad-payload corpus."""

import json

from upgrade_tempest_plugin.queue import payload
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.queue import fakes


def _without(document, *path):
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return document


def _with(document, value, *path):
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return document


def _clouds_entry():
    return {'auth': {'auth_url': 'http://127.0.0.1:1/identity',
                     'username': 'demo', 'password': fakes.SECRET}}


# (name, payload, the message it must be refused with)
CORPUS = [
    ('missing test_id', _without(fakes.payload(), 'test_id'),
     'payload: missing test_id'),
    ('missing cloud', _without(fakes.payload(), 'cloud'),
     'payload: missing cloud'),
    ('missing accounts', _without(fakes.payload(), 'cloud', 'accounts_yaml'),
     'payload.cloud: missing accounts_yaml'),
    ('nothing to run', fakes.payload(run={}),
     'payload.run: give exactly one of regex, phase, plan'),
    ('regex and phase', fakes.payload(run={'regex': 'x',
                                           'phase': 'pre-upgrade'}),
     'payload.run: give exactly one of regex, phase, plan'),
    ('unknown phase', fakes.payload(run={'phase': 'mid-upgrade'}),
     'payload.run.phase: one of destroy, post-upgrade, pre-upgrade'),
    ('no cloud configuration',
     _without(fakes.payload(), 'cloud', 'tempest_conf'),
     'payload.cloud: give exactly one of clouds_yaml, tempest_conf'),
    ('both cloud configurations',
     _with(fakes.payload(), _clouds_entry(), 'cloud', 'clouds_yaml'),
     'payload.cloud: give exactly one of clouds_yaml, tempest_conf'),
    ('wrong version', fakes.payload(version=2), 'payload.version: must be 1'),
    ('timeout as a string', fakes.payload(timeout='600'),
     'payload.timeout: must be of type integer'),
    ('timeout too long', fakes.payload(timeout=10 ** 6),
     'payload.timeout: must be at most 86400'),
    ('concurrency zero', fakes.payload(run={'regex': 'x', 'concurrency': 0}),
     'payload.run.concurrency: must be at least 1'),
    ('regex a list', fakes.payload(run={'regex': ['a']}),
     'payload.run.regex: must be of type string'),
    ('huge regex', fakes.payload(run={'regex': 'a' * 5000}),
     'payload.run.regex: longer than 4096 characters'),
    ('huge tempest.conf',
     _with(fakes.payload(), 'x' * 300000, 'cloud', 'tempest_conf'),
     'payload.cloud.tempest_conf: longer than 262144 characters'),
    ('path traversal in test_id', fakes.payload(test_id='../../etc'),
     'payload.test_id: does not match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    ('slash in test_id', fakes.payload(test_id='a/b'),
     'payload.test_id: does not match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    ('path traversal in cloud name',
     _with(fakes.payload(), '../x', 'cloud', 'name'),
     'payload.cloud.name: does not match '
     '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    ('tempest version not a version',
     fakes.payload(tempest_version='latest'),
     'payload.tempest_version: does not match '
     '^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$'),
    ('unknown old tempest version', fakes.payload(tempest_version='12.0.0'),
     'payload.tempest_version: unknown Tempest version 12.0.0 (the plugin '
     'supports 40.0.0 and later)'),
    ('unknown field', fakes.payload(extra=1),
     'payload: unknown field(s) extra'),
    ('huge unknown field name', fakes.payload(**{'k' * 200: 1}),
     'payload: unknown field(s) ' + 'k' * 64 + '...'),
    ('report URL with a password',
     fakes.payload(report={'url': 'http://u:p@h/update-test-status/'}),
     'payload.report.url: does not match '
     '^https?://[^/?#@\\s]+/([^?#\\s]*/)?update-test-status/$'),
    ('report URL not the status API',
     fakes.payload(report={'url': 'http://h/elsewhere'}),
     'payload.report.url: does not match '
     '^https?://[^/?#@\\s]+/([^?#\\s]*/)?update-test-status/$'),
    ('clouds.yaml entry without auth_url',
     _with(_without(fakes.payload(), 'cloud', 'tempest_conf'),
           {'auth': {'username': 'u', 'password': fakes.SECRET}},
           'cloud', 'clouds_yaml'),
     'payload.cloud.clouds_yaml.auth: missing auth_url'),
    ('password of the wrong type',
     _with(_without(fakes.payload(), 'cloud', 'tempest_conf'),
           {'auth': {'auth_url': 'http://h/', 'password': [fakes.SECRET]}},
           'cloud', 'clouds_yaml'),
     'payload.cloud.clouds_yaml.auth.password: must be of type string'),
    ('regex that does not compile', fakes.payload(run={'regex': '(('}),
     'payload.run.regex: not a regular expression (missing ), unterminated '
     'subpattern at position 1)'),
    ('not an object', [], 'payload: must be of type object'),
    # Campaign plans: what the payload schema sees of them.
    ('regex and plan', fakes.payload(run={'regex': 'x',
                                          'plan': fakes.plan()}),
     'payload.run: give exactly one of regex, phase, plan'),
    ('plan not a mapping', fakes.payload(run={'plan': ['steps']}),
     'payload.run.plan: must be of type object'),
    ('plan without steps',
     fakes.plan_payload(_without(fakes.plan(), 'steps'), operator=False),
     'payload.run.plan: missing steps'),
    ('plan with no step', fakes.plan_payload(fakes.plan(steps=[]),
                                             operator=False),
     'payload.run.plan.steps: not valid (minItems)'),
    ('path traversal in plan name',
     fakes.plan_payload(fakes.plan(name='../x'), operator=False),
     'payload.run.plan.name: does not match '
     '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    ('plan operator without credentials',
     fakes.plan_payload(operator=False),
     'payload.cloud: missing operator_clouds_yaml (the plan names an '
     'operator)'),
    ('operator credentials without an operator',
     fakes.plan_payload(fakes.plan()),
     'payload.cloud.operator_clouds_yaml: the plan names no operator'),
    ('operator password of the wrong type',
     _with(fakes.plan_payload(), [fakes.SECRET], 'cloud',
           'operator_clouds_yaml', 'auth', 'password'),
     'payload.cloud.operator_clouds_yaml.auth.password: must be of type '
     'string'),
]


class PayloadTest(base.TestCase):

    def test_a_valid_payload_passes(self):
        payload.check(fakes.payload())
        clouds = _with(_without(fakes.payload(), 'cloud', 'tempest_conf'),
                       _clouds_entry(), 'cloud', 'clouds_yaml')
        payload.check(clouds)

    def test_the_corpus_is_large_enough(self):
        self.assertGreaterEqual(len(CORPUS), 15)

    def test_each_bad_payload_is_refused_with_its_located_message(self):
        for name, document, message in CORPUS:
            exc = self.assertRaises(payload.PayloadError, payload.check,
                                    document)
            self.assertEqual(message, str(exc), name)
            self.assertNotIn(fakes.SECRET, str(exc), name)

    def test_parse_refuses_what_is_not_json(self):
        exc = self.assertRaises(payload.PayloadError, payload.parse,
                                b'{"version": 1,')
        self.assertEqual('payload: not JSON (Expecting property name '
                         'enclosed in double quotes at byte 14)', str(exc))

    def test_parse_refuses_a_deep_document(self):
        exc = self.assertRaises(payload.PayloadError, payload.parse,
                                '[' * 100000 + ']' * 100000)
        self.assertEqual('payload: not JSON (RecursionError)', str(exc))

    def test_parse_refuses_a_huge_document_before_parsing_it(self):
        exc = self.assertRaises(payload.PayloadError, payload.parse,
                                b' ' * (payload.MAX_BYTES + 1))
        self.assertEqual('payload: larger than 1048576 bytes', str(exc))

    def test_parse_round_trips_dumps(self):
        document = fakes.payload()
        self.assertEqual(document, payload.parse(payload.dumps(document)))

    def test_a_phase_or_a_plan_passes(self):
        payload.check(fakes.payload(run={'phase': 'post-upgrade'}))
        payload.check(fakes.plan_payload())
        payload.check(fakes.plan_payload(fakes.plan(), operator=False))

    def test_summary_of_a_phase_names_its_regex(self):
        summary = payload.summary(fakes.payload(run={'phase': 'destroy'}))
        self.assertEqual(('^upgrade_tempest_plugin\\..*Destroy', 'destroy'),
                         (summary['regex'], summary['phase']))

    def test_summary_of_a_plan_holds_no_operator_credentials(self):
        summary = payload.summary(fakes.plan_payload())
        self.assertEqual(('campaign qplan', None),
                         (summary['regex'], summary['phase']))
        self.assertNotIn(fakes.SECRET, json.dumps(summary))
        self.assertNotIn('Op3rator', json.dumps(summary))

    def test_summary_holds_no_credentials(self):
        summary = payload.summary(fakes.payload())
        self.assertEqual({'test_id': 'job-1', 'cloud': 'cloud-a',
                          'regex': '^tempest\\.api\\.identity', 'phase': None,
                          'tempest_version': '47.0.0',
                          'plugin_version': None, 'timeout': 600}, summary)
        self.assertNotIn(fakes.SECRET, json.dumps(summary))

    def test_the_schema_is_versioned(self):
        document = payload.schema()
        self.assertEqual({'const': payload.VERSION},
                         document['properties']['version'])
        self.assertIn('payload-v1', document['$id'])
