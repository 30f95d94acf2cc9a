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
