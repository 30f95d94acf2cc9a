"""The ``manual`` driver: the operator does the step.

The runner prints the step's instruction and waits until
``upgrade-tempest campaign continue RUN STEP`` (or the deployment tool,
through the callback endpoint) says the step is done, or its timeout.
"""

from upgrade_tempest_plugin.campaign.drivers import base


class ManualDriver(base.Driver):
    NAME = 'manual'
    DESCRIPTION = 'prints an instruction and waits for the operator'
    CONFIG_SCHEMA = {'type': 'object', 'additionalProperties': False,
                     'properties': {}}
    ACTION_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'required': ['instruction'],
        'properties': {'instruction': {'type': 'string', 'minLength': 1}},
    }

    def _ask(self, step, what, action):
        self.context.say('%s %s: %s (then: upgrade-tempest campaign '
                         'continue %s %s)' % (what, step['id'],
                                              action['instruction'],
                                              self.context.run_id or 'RUN',
                                              step['id']))
        return base.WAIT

    def upgrade(self, step, objects):
        return self._ask(step, 'do step', step['action'])

    def rollback(self, step, objects, backup):
        return self._ask(step, 'undo step', step['rollback'])
