"""The ``openstack-ansible`` driver: one OSA playbook per step.

A step's action names a playbook of the ``openstack.osa`` collection
(``openstack.osa.nova``, ``openstack.osa.setup_infrastructure``, ...) and
optionally host groups (``limit``, default: the step's ``roles``, such
as ``nova_compute``: roles, never hosts) and tags; the command line is
the one OSA's upgrade guides give::

    openstack-ansible openstack.osa.nova --limit nova_compute
        --tags nova-install -e package_state=latest

run with ``OSA_CONFIG_DIR`` set.  The wrapper exits with the playbook's
code (:mod:`.ansible`).  OSA's own ``scripts/run-upgrade.sh`` runs five
such playbooks in order; a plan spells them out as steps so that checks
run between them.  OSA has no rollback: a step's ``rollback`` action is
another playbook run.
"""

import os

from upgrade_tempest_plugin.campaign.drivers import ansible
from upgrade_tempest_plugin.campaign.drivers import base


class OpenStackAnsibleDriver(base.Driver):
    NAME = 'openstack-ansible'
    DESCRIPTION = 'runs openstack-ansible playbooks, one per step'
    CONFIG_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'properties': {
            'executable': {'type': 'string', 'minLength': 1,
                           'default': 'openstack-ansible'},
            'config_dir': {'type': 'string', 'minLength': 1,
                           'default': '/etc/openstack_deploy'},
            'extra_vars': ansible.EXTRA_VARS_SCHEMA,
        },
    }
    ACTION_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'required': ['playbook'],
        'properties': {
            'playbook': {'type': 'string',
                         'pattern': r'^[A-Za-z0-9_.\-/]+$'},
            'limit': {'type': 'string', 'minLength': 1},
            'tags': {'type': 'array', 'items': {'type': 'string'}},
            'extra_vars': ansible.EXTRA_VARS_SCHEMA,
        },
    }

    def command(self, step, action):
        argv = [self.config.get('executable', 'openstack-ansible'),
                action['playbook']]
        # The step's roles are OSA host groups (nova_compute): Ansible
        # resolves them against the inventory when the playbook runs.
        limit = action.get('limit') or ':'.join(step.get('roles') or ())
        if limit:
            argv += ['--limit', limit]
        if action.get('tags'):
            argv += ['--tags', ','.join(action['tags'])]
        variables = dict(self.config.get('extra_vars') or {})
        variables.update(action.get('extra_vars') or {})
        argv += ansible.extra_vars(variables)
        env = dict(os.environ, OSA_CONFIG_DIR=self.config.get(
            'config_dir', '/etc/openstack_deploy'))
        return base.Command(argv, env)

    def upgrade(self, step, objects):
        return self.command(step, step['action'])

    def rollback(self, step, objects, backup):
        return self.command(step, step['rollback'])

    def outcome(self, returncode):
        return ansible.outcome(returncode, 'openstack-ansible')
