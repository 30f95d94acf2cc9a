"""The ``command`` driver: each action is a command template of the plan.

``action: {command: "ssh deploy@bastion ./upgrade.sh $service $to_release"}``
(or a list of arguments) is expanded with :class:`string.Template`
(``$name`` or ``${name}``) and split like a shell would, but run without
one.  Names: ``step``, ``service`` (the step's first service),
``services`` and ``objects`` (comma-separated), ``from_release``,
``to_release``, and the plan's ``driver.config.variables``.  The runner
runs it with the step's timeout, its output to the step's log.
"""

import shlex
import string

from upgrade_tempest_plugin.campaign.drivers import base
from upgrade_tempest_plugin.campaign import plan as plan_mod

#: Names every template may use (besides the plan's variables).
NAMES = ('step', 'service', 'services', 'objects', 'from_release',
         'to_release')


def identifiers(template):
    """The names a template uses."""
    names = []
    for match in string.Template.pattern.finditer(template):
        name = match.group('named') or match.group('braced')
        if name:
            names.append(name)
    return names


class CommandDriver(base.Driver):
    NAME = 'command'
    DESCRIPTION = 'runs a command template per step'
    CONFIG_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'properties': {
            'variables': {'type': 'object',
                          'additionalProperties': {'type': 'string'}},
            'cwd': {'type': 'string', 'minLength': 1},
        },
    }
    ACTION_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'required': ['command'],
        'properties': {
            'command': {'oneOf': [
                {'type': 'string', 'minLength': 1},
                {'type': 'array', 'minItems': 1,
                 'items': {'type': 'string'}}]},
        },
    }

    def validate(self, plan):
        known = set(NAMES) | set(self.config.get('variables') or ())
        found = []
        for index, step in enumerate(plan['steps']):
            for key in ('action', 'rollback'):
                if key not in step:
                    continue
                command = step[key]['command']
                parts = [command] if isinstance(command, str) else command
                for name in sorted({n for p in parts
                                    for n in identifiers(p)} - known):
                    found.append(plan_mod.Problem(
                        'steps[%d].%s.command' % (index, key),
                        'unknown template name $%s (known: %s)'
                        % (name, ', '.join(sorted(known)))))
        return found

    def argv(self, step, objects, action):
        services = list(step.get('services') or ())
        values = dict(self.config.get('variables') or {})
        values.update(
            step=step['id'], service=services[0] if services else '',
            services=','.join(services), objects=','.join(objects),
            from_release=self.context.from_release,
            to_release=self.context.to_release)
        command = action['command']
        if isinstance(command, str):
            return shlex.split(string.Template(command).substitute(values))
        return [string.Template(part).substitute(values)
                for part in command]

    def upgrade(self, step, objects):
        return base.Command(self.argv(step, objects, step['action']),
                            cwd=self.config.get('cwd'))

    def rollback(self, step, objects, backup):
        return base.Command(self.argv(step, objects, step['rollback']),
                            cwd=self.config.get('cwd'))
