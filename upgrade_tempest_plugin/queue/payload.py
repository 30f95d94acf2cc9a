"""The job payload: its JSON schema, its validation and its safe summary.

The client validates a payload before it submits it and the worker again
before it runs it (a payload may come from any Gearman client).  A bad
payload is refused with the first problem, located by its JSON path
(``payload.cloud.name: does not match ...``).  Messages never quote the
value: it may be a password or a megabyte of text.

The worker imports this module, so it may use only the standard library
and jsonschema.
"""

import json
import os
import re

import jsonschema

from upgrade_tempest_plugin import validator_phases

VERSION = 1
SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'payload-v1.schema.json')
#: A payload bigger than this is refused before it is parsed.
MAX_BYTES = 1024 * 1024
#: Oldest Tempest the plugin supports (requirements.txt's lower bound).
OLDEST_TEMPEST = (40, 0, 0)
#: Seconds a job may take when its payload does not say.
DEFAULT_TIMEOUT = 3600

_NAME_SHOWN = 64


class PayloadError(ValueError):
    """A payload that is not valid; the message locates the problem."""


def schema(path=SCHEMA_FILE):
    """A JSON schema of the queue (a dict): the payload's by default."""
    with open(path) as schema_file:
        return json.load(schema_file)


_VALIDATORS = {}


def _validator(path):
    if path not in _VALIDATORS:
        document = schema(path)
        cls = jsonschema.validators.validator_for(document)
        cls.check_schema(document)
        _VALIDATORS[path] = cls(document)
    return _VALIDATORS[path]


def _path(parts):
    text = 'payload'
    for part in parts:
        if isinstance(part, int):
            text += '[%d]' % part
        else:
            text += '.' + _shown(part)
    return text


def _shown(name):
    name = str(name)
    if len(name) > _NAME_SHOWN:
        return name[:_NAME_SHOWN] + '...'
    return name


def _describe(error):
    """One line for a jsonschema error, without the offending value."""
    where = _path(error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind == 'required':
        missing = [name for name in expected
                   if isinstance(error.instance, dict)
                   and name not in error.instance]
        return '%s: missing %s' % (where, ', '.join(missing))
    if kind == 'additionalProperties':
        allowed = set(error.schema.get('properties', {}))
        unknown = sorted(_shown(k) for k in error.instance
                         if k not in allowed)
        return '%s: unknown field(s) %s' % (where, ', '.join(unknown))
    if kind == 'type':
        if isinstance(expected, list):
            expected = ' or '.join(expected)
        return '%s: must be of type %s' % (where, expected)
    if kind == 'maxLength':
        return '%s: longer than %d characters' % (where, expected)
    if kind == 'minLength':
        return '%s: must not be empty' % where
    if kind == 'pattern':
        return '%s: does not match %s' % (where, expected)
    if kind in ('minimum', 'maximum'):
        return '%s: must be %s %s' % (
            where, 'at least' if kind == 'minimum' else 'at most', expected)
    if kind == 'const':
        return '%s: must be %s' % (where, json.dumps(expected))
    if kind == 'enum':
        return '%s: must be one of %s' % (
            where, ', '.join(json.dumps(v) for v in expected))
    if kind == 'maxProperties':
        return '%s: more than %d fields' % (where, expected)
    if kind == 'oneOf':
        return '%s: give exactly one of %s' % (where, ', '.join(
            choice['required'][0] for choice in expected))
    return '%s: not valid (%s)' % (where, kind)


def _first(errors):
    """The error to report: the first in document order, deepest first."""
    return min(errors, key=lambda e: ([str(p) for p in e.absolute_path],
                                      -len(e.absolute_path)))


def _version_tuple(text):
    return tuple(int(part) for part in text.split('.'))


def first_problem(document, path=SCHEMA_FILE):
    """The located message of ``document``'s first problem, else None.

    ``path`` names the schema (the payload's by default).
    """
    errors = list(_validator(path).iter_errors(document))
    return _describe(_first(errors)) if errors else None


def check(payload):
    """Raise PayloadError naming the first problem of ``payload`` (a dict)."""
    problem = first_problem(payload)
    if problem:
        raise PayloadError(problem)
    version = payload['tempest_version']
    if _version_tuple(version) < OLDEST_TEMPEST:
        raise PayloadError(
            'payload.tempest_version: unknown Tempest version %s (the '
            'plugin supports %s and later)' % (
                version, '.'.join(map(str, OLDEST_TEMPEST))))
    run = payload['run']
    if 'regex' in run:
        try:
            re.compile(run['regex'])
        except re.error as exc:
            raise PayloadError('payload.run.regex: not a regular '
                               'expression (%s)' % exc)
    if 'phase' in run and run['phase'] not in validator_phases.PHASES:
        raise PayloadError('payload.run.phase: one of %s' % ', '.join(
            sorted(validator_phases.PHASES)))
    if 'plan' in run:
        _check_operator(run['plan'], payload['cloud'])


def _check_operator(plan, cloud):
    """The plan's operator and the payload's operator credentials agree.

    The rest of the plan is the campaign's to check (``campaign
    validate``): the client does it before it submits, the worker in the
    job's venv.
    """
    operator = plan.get('operator')
    has_credentials = 'operator_clouds_yaml' in cloud
    if isinstance(operator, dict) and not has_credentials:
        raise PayloadError('payload.cloud: missing operator_clouds_yaml '
                           '(the plan names an operator)')
    if has_credentials and not isinstance(operator, dict):
        raise PayloadError('payload.cloud.operator_clouds_yaml: the plan '
                           'names no operator')


def parse(data):
    """The payload dict of ``data`` (bytes or str), checked.

    Raises PayloadError for text that is too big, not JSON or not a valid
    payload.
    """
    if isinstance(data, str):
        data = data.encode('utf-8')
    if len(data) > MAX_BYTES:
        raise PayloadError('payload: larger than %d bytes' % MAX_BYTES)
    try:
        payload = json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = getattr(exc, 'msg', None) or type(exc).__name__
        position = getattr(exc, 'pos', None)
        if position is not None:
            detail = '%s at byte %d' % (detail, position)
        raise PayloadError('payload: not JSON (%s)' % detail)
    check(payload)
    return payload


def dumps(payload):
    """The payload as the bytes that go on the Gearman link."""
    return json.dumps(payload, sort_keys=True).encode('utf-8')


def summary(payload):
    """What may be shown and stored about a job: no credentials.

    Test id, cloud label, what runs (the regex, the phase, or ``campaign
    NAME`` for a plan), versions and timeout; never the cloud's
    configuration, accounts or operator credentials.
    """
    run = payload['run']
    if 'plan' in run:
        what = 'campaign %s' % run['plan']['name']
    else:
        what = run.get('regex') or validator_phases.PHASES[run['phase']]
    return {
        'test_id': payload['test_id'],
        'cloud': payload['cloud']['name'],
        'regex': what,
        'phase': run.get('phase'),
        'tempest_version': payload['tempest_version'],
        'plugin_version': payload.get('plugin_version'),
        'timeout': payload.get('timeout', DEFAULT_TIMEOUT),
    }
