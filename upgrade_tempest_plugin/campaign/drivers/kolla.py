"""The ``kolla-ansible`` driver: one kolla-ansible command per step.

A step's action names the kolla-ansible command (``upgrade``, ``pull``,
``prechecks``, ``post-deploy``, ...) and the services it acts on; the
services become ``--tags`` (each role of ``ansible/site.yml`` is tagged
with its name), never ``--limit`` (hosts are the inventory's business;
kolla-ansible calls ``--limit`` "not recommended", LP#2054348).  The
command line is the one its documentation gives::

    kolla-ansible upgrade -i INVENTORY [--configdir DIR] [--passwords F]
        -e openstack_release=TO [-e K=V ...] --tags nova,placement

``openstack_release`` is the plan's target unless the action sets its own
(a rollback redeploys the old release's images: ``command: deploy`` with
``extra_vars: {openstack_release: FROM}``; kolla-ansible has no rollback
of its own).  Exit codes are ``ansible-playbook``'s (:mod:`.ansible`).
"""

from upgrade_tempest_plugin.campaign.drivers import ansible
from upgrade_tempest_plugin.campaign.drivers import base

COMMANDS = ('upgrade', 'deploy', 'pull', 'prechecks', 'post-deploy',
            'validate-config', 'check', 'reconfigure', 'stop', 'genconfig',
            'bootstrap-servers')


class KollaAnsibleDriver(base.Driver):
    NAME = 'kolla-ansible'
    DESCRIPTION = 'runs kolla-ansible commands, one per step'
    CONFIG_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'required': ['inventory'],
        'properties': {
            'executable': {'type': 'string', 'minLength': 1,
                           'default': 'kolla-ansible'},
            'inventory': {'type': 'string', 'minLength': 1},
            'configdir': {'type': 'string', 'minLength': 1},
            'passwords': {'type': 'string', 'minLength': 1},
            'extra_vars': ansible.EXTRA_VARS_SCHEMA,
            'set_release': {'type': 'boolean', 'default': True},
        },
    }
    ACTION_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'required': ['command'],
        'properties': {
            'command': {'enum': list(COMMANDS)},
            'tags': {'type': 'array', 'items': {'type': 'string'}},
            'skip_tags': {'type': 'array', 'items': {'type': 'string'}},
            'extra_vars': ansible.EXTRA_VARS_SCHEMA,
        },
    }

    def argv(self, step, action):
        config = self.config
        argv = [config.get('executable', 'kolla-ansible'), action['command'],
                '-i', config['inventory']]
        if config.get('configdir'):
            argv += ['--configdir', config['configdir']]
        if config.get('passwords'):
            argv += ['--passwords', config['passwords']]
        variables = dict(config.get('extra_vars') or {})
        if config.get('set_release', True) and self.context is not None:
            variables['openstack_release'] = self.context.to_release
        variables.update(action.get('extra_vars') or {})
        argv += ansible.extra_vars(variables)
        tags = action.get('tags', step.get('services') or [])
        if tags:
            argv += ['--tags', ','.join(tags)]
        if action.get('skip_tags'):
            argv += ['--skip-tags', ','.join(action['skip_tags'])]
        return argv

    def upgrade(self, step, objects):
        return base.Command(self.argv(step, step['action']))

    def rollback(self, step, objects, backup):
        return base.Command(self.argv(step, step['rollback']))

    def outcome(self, returncode):
        return ansible.outcome(returncode, 'kolla-ansible')
