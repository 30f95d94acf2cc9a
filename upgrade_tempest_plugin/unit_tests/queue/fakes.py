"""Payloads for the queue's tests."""

import copy

SECRET = 'S3cret-never-shown'

TEMPEST_CONF = """[identity]
uri_v3 = http://127.0.0.1:1/identity/v3
[auth]
use_dynamic_credentials = False
"""

ACCOUNTS_YAML = """- username: demo
  project_name: demo
  password: %s
""" % SECRET


def payload(**overrides):
    """A valid payload; ``overrides`` replace top-level fields."""
    document = {
        'version': 1,
        'test_id': 'job-1',
        'cloud': {'name': 'cloud-a', 'tempest_conf': TEMPEST_CONF,
                  'accounts_yaml': ACCOUNTS_YAML},
        'run': {'regex': '^tempest\\.api\\.identity'},
        'tempest_version': '47.0.0',
        'report': {'url': 'http://127.0.0.1:8999/update-test-status/'},
        'timeout': 600,
    }
    document.update(copy.deepcopy(overrides))
    return document


def plan(**overrides):
    """A valid campaign plan of two ``command`` steps (no validator)."""
    document = {
        'version': 1, 'name': 'qplan', 'from_release': '2026.1',
        'to_release': '2026.2',
        'driver': {'name': 'command', 'config': {}},
        'steps': [
            {'id': 'one', 'action': {'command': ['true']},
             'services': ['keystone'], 'expected_seconds': 5,
             'timeout_seconds': 60},
            {'id': 'two', 'action': {'command': ['true']},
             'services': ['glance'], 'expected_seconds': 5,
             'timeout_seconds': 60},
        ],
    }
    document.update(copy.deepcopy(overrides))
    return document


OPERATOR_ENTRY = {'auth': {'auth_url': 'http://127.0.0.1:1/identity',
                           'username': 'admin', 'project_name': 'admin',
                           'password': 'Op3rator-' + SECRET}}


def plan_payload(plan_document=None, operator=True, **overrides):
    """A valid payload that runs a campaign plan (with an operator)."""
    plan_document = plan_document or plan(
        operator={'cloud': 'op', 'role': 'admin'})
    document = payload(run={'plan': plan_document}, **overrides)
    if operator:
        document['cloud']['operator_clouds_yaml'] = copy.deepcopy(
            OPERATOR_ENTRY)
    return document
