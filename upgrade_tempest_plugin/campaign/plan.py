"""A campaign plan: load it, check it against its JSON schema.

A plan is YAML (doc/source/campaign.rst); its schema ships in the package
(``schema/plan-v1.json``, :data:`SCHEMA_FILE`) and names its own version.
:func:`load` reads a file and reports what is wrong with it as
:class:`Problem` s located by their path in the plan
(``steps[3].checks[0]: ...``); :mod:`.validate` adds the checks a schema
cannot express.
"""

import collections
import functools
import json
import os

import jsonschema
import yaml

from upgrade_tempest_plugin import exceptions

VERSION = 1
SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'schema', 'plan-v%d.json' % VERSION)
DEFAULT_HANG_FACTOR = 2.0
DEFAULT_MAX_FAILURES = 1

#: What is wrong with a plan: where (``steps[3].checks[0]``) and what.
Problem = collections.namedtuple('Problem', 'path message')


class InvalidPlan(exceptions.UserError):
    """A plan with problems; the message lists every one, one a line."""

    def __init__(self, source, problems):
        self.source = source
        self.problems = list(problems)
        super().__init__('%s: %d problem%s\n%s' % (
            source, len(self.problems),
            '' if len(self.problems) == 1 else 's',
            '\n'.join(format_problem(p) for p in self.problems)))


def format_problem(problem):
    return '%s: %s' % (problem.path or '(plan)', problem.message)


def path_of(parts):
    """``['steps', 3, 'checks', 0]`` as ``steps[3].checks[0]``."""
    text = ''
    for part in parts:
        if isinstance(part, int):
            text += '[%d]' % part
        else:
            text += ('.' if text else '') + str(part)
    return text


@functools.lru_cache(maxsize=1)
def schema():
    with open(SCHEMA_FILE) as f:
        return json.load(f)


def schema_problems(document, schema_doc, prefix=()):
    """The schema errors of ``document`` as problems, in document order."""
    validator = jsonschema.Draft7Validator(schema_doc)
    errors = sorted(validator.iter_errors(document),
                    key=lambda e: [str(p) for p in e.absolute_path])
    return [Problem(path_of(list(prefix) + list(e.absolute_path)),
                    _message(e)) for e in errors]


def _message(error):
    if error.validator == 'additionalProperties':
        return error.message.replace('Additional properties are not '
                                     'allowed', 'unknown key(s)')
    return error.message


def read(path):
    """The YAML document of ``path`` (UserError when it cannot be read)."""
    try:
        with open(path) as f:
            return yaml.safe_load(f)
    except OSError as exc:
        raise exceptions.UserError('cannot read the plan %s: %s'
                                   % (path, exc.strerror))
    except yaml.YAMLError as exc:
        raise exceptions.UserError('%s is not YAML: %s' % (
            path, ' '.join(str(exc).split())))


def groups(plan):
    """The plan's steps as ``[(group, [step, ...]), ...]`` in run order.

    Groups run in the order they first appear; a step without a group is
    a group of its own.
    """
    order = []
    members = {}
    for index, step in enumerate(plan['steps']):
        key = step.get('group', '#%d' % index)
        if key not in members:
            order.append(key)
            members[key] = []
        members[key].append(step)
    return [(key, members[key]) for key in order]


def hang_factor(plan):
    return plan.get('hang_factor', DEFAULT_HANG_FACTOR)


def max_failures(plan):
    return plan.get('max_failures', DEFAULT_MAX_FAILURES)


def backup_enabled(plan):
    return plan.get('backup', {}).get('enabled', 'backup' in plan)


def cloud_of(plan):
    """The name the campaign lock is taken on."""
    return plan.get('cloud') or plan['name']
