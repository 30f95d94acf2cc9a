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

The step's objects are the inventory hosts (LXC containers and metal
hosts) it acts on, resolved at run time from OSA's inventory (its dynamic
inventory script, built from ``openstack_user_config.yml``, read by
``ansible-inventory`` with ``OSA_CONFIG_DIR`` set, :mod:`.inventory`):
the hosts of the step's ``--limit`` (Ansible applies the pattern), else
those of the service's group ``S_all`` (``nova`` -> ``nova_all``) or
group ``S``.  :meth:`OpenStackAnsibleDriver.status` asks them which
systemd units of the step's services run (``systemctl list-units``
through an Ansible ad-hoc command, :mod:`.adhoc`; run the campaign where
``ansible`` reaches OSA's containers, after ``source
/usr/local/bin/openstack-ansible.rc``): a host is ``up`` when every
loaded unit is active.  OSA names no release on the hosts, so the status
has none (a ``status`` check then judges the state only).
"""

import os

from upgrade_tempest_plugin.campaign.drivers import adhoc
from upgrade_tempest_plugin.campaign.drivers import ansible
from upgrade_tempest_plugin.campaign.drivers import base
from upgrade_tempest_plugin.campaign.drivers import inventory

#: OSA's dynamic inventory, where its bootstrap installs it.
DYNAMIC_INVENTORY = '/opt/openstack-ansible/inventory/dynamic_inventory.py'
#: The file the dynamic inventory is built from, in the config dir.
USER_CONFIG = 'openstack_user_config.yml'


def units_command(services):
    """``systemctl`` listing the units of ``services`` (``nova-*``)."""
    return 'systemctl list-units --type=service --all --no-legend ' \
        '--plain ' + ' '.join('%s*.service' % s for s in services)


def host_status(host, answer):
    """The :class:`ObjectStatus` of ``host`` from its unit list."""
    if answer is None:
        return base.ObjectStatus(host, 'no answer', None)
    if not answer.ok:
        return base.ObjectStatus(host, answer.state, None)
    # UNIT LOAD ACTIVE SUB DESCRIPTION
    units = [line.split() for line in answer.stdout.splitlines()
             if len(line.split()) >= 4 and line.split()[1] == 'loaded']
    if not units:
        return base.ObjectStatus(host, 'absent', None)
    active = all(u[2] == 'active' for u in units)
    return base.ObjectStatus(host, 'up' if active else 'down', None)


class OpenStackAnsibleDriver(base.Driver):
    NAME = 'openstack-ansible'
    DESCRIPTION = 'runs openstack-ansible playbooks, one per step'
    REPORTS_STATUS = True
    CONFIG_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'properties': dict({
            'executable': {'type': 'string', 'minLength': 1,
                           'default': 'openstack-ansible'},
            'config_dir': {'type': 'string', 'minLength': 1,
                           'default': '/etc/openstack_deploy'},
            'extra_vars': ansible.EXTRA_VARS_SCHEMA,
            'inventory': {'type': 'array', 'minItems': 1,
                          'items': {'type': 'string', 'minLength': 1},
                          'default': [DYNAMIC_INVENTORY]},
        }, **ansible.TOOLS_SCHEMA),
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

    def _config_dir(self):
        return self.config.get('config_dir', '/etc/openstack_deploy')

    def _inventory(self):
        return list(self.config.get('inventory') or [DYNAMIC_INVENTORY])

    def _env(self):
        return dict(os.environ, OSA_CONFIG_DIR=self._config_dir())

    def validate(self, plan):
        """The inventory sources and openstack_user_config.yml exist."""
        return (ansible.missing_files('inventory', self._inventory()) +
                ansible.missing_files('config_dir', [os.path.join(
                    self._config_dir(), USER_CONFIG)]))

    @staticmethod
    def _limit(step, action):
        # The step's roles are OSA host groups (nova_compute): Ansible
        # resolves them against the inventory.
        return action.get('limit') or ':'.join(step.get('roles') or ())

    def resolve(self, step):
        """The inventory hosts the step's playbook acts on."""
        limit = self._limit(step, step.get('action') or {})
        services = list(step.get('services') or ())
        if not limit and not services:
            return []
        sources = self._inventory()
        tool = self.config.get('ansible_inventory', 'ansible-inventory')
        if limit:
            return inventory.load(sources, tool, limit=limit,
                                  env=self._env()).all_hosts()
        inv = inventory.load(sources, tool, env=self._env())
        groups = [s + '_all' if s + '_all' in inv.groups else s
                  for s in services]
        return inv.select(groups, ', '.join(sources))

    def status(self, step, objects):
        services = list(step.get('services') or ())
        if not objects or not services:
            return []
        answers = adhoc.run(':'.join(objects), units_command(services),
                            self._inventory(),
                            self.config.get('ansible', 'ansible'),
                            env=self._env())
        return [host_status(host, answers.get(host)) for host in objects]

    def command(self, step, action):
        argv = [self.config.get('executable', 'openstack-ansible'),
                action['playbook']]
        limit = self._limit(step, action)
        if limit:
            argv += ['--limit', limit]
        if action.get('tags'):
            argv += ['--tags', ','.join(action['tags'])]
        variables = dict(self.config.get('extra_vars') or {})
        variables.update(action.get('extra_vars') or {})
        argv += ansible.extra_vars(variables)
        return base.Command(argv, self._env())

    def upgrade(self, step, objects):
        return self.command(step, step['action'])

    def rollback(self, step, objects, backup):
        return self.command(step, step['rollback'])

    def outcome(self, returncode):
        return ansible.outcome(returncode, 'openstack-ansible')
