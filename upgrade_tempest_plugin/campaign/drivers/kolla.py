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

The step's objects are hosts, resolved at run time from the inventory
(read by ``ansible-inventory``, :mod:`.inventory`): a service ``S`` is
the hosts of the inventory group ``S`` and of its service groups
``S-*`` (``nova`` -> ``nova``, ``nova-api``, ``nova-compute``...: the
control and the compute hosts), a role is the hosts of the group of that
name (``compute``).  :meth:`KollaAnsibleDriver.status` asks those hosts
which containers run (``docker ps --all --format json`` through an
Ansible ad-hoc command, :mod:`.adhoc`): a host is ``up`` when every
container of the step's services on it is running, and its release is
the one of their image tags (``2025.2-ubuntu-noble`` -> ``2025.2``).
"""

import json

from upgrade_tempest_plugin.campaign.drivers import adhoc
from upgrade_tempest_plugin.campaign.drivers import ansible
from upgrade_tempest_plugin.campaign.drivers import base
from upgrade_tempest_plugin.campaign.drivers import inventory

COMMANDS = ('upgrade', 'deploy', 'pull', 'prechecks', 'post-deploy',
            'validate-config', 'check', 'reconfigure', 'stop', 'genconfig',
            'bootstrap-servers')

#: What the hosts are asked (Docker, Kolla-Ansible's default container
#: engine; ``--format json``: one JSON object a container, Docker >= 23).
CONTAINERS_COMMAND = 'docker ps --all --format json'


def containers(text):
    """The containers of ``docker ps --format json`` output.

    Lines that are not a JSON object (a warning on stderr) are skipped.
    """
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('{'):
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
    return found


def belongs(name, services):
    """Whether container ``name`` is one of ``services``' (``nova_api``)."""
    for service in services:
        key = service.replace('-', '_')
        if name == key or name.startswith(key + '_'):
            return True
    return False


def release_of(image):
    """The release of an image tag (``...nova-api:2025.2-ubuntu-noble``)."""
    name = image.rsplit('/', 1)[-1]
    if ':' not in name:
        return None
    return name.split(':', 1)[1].split('-', 1)[0] or None


def host_status(host, answer, services):
    """The :class:`ObjectStatus` of ``host`` from its ``docker ps``."""
    if answer is None:
        return base.ObjectStatus(host, 'no answer', None)
    if not answer.ok:
        return base.ObjectStatus(host, answer.state, None)
    mine = [c for c in containers(answer.stdout)
            if belongs(c.get('Names', ''), services)]
    if not mine:
        return base.ObjectStatus(host, 'absent', None)
    running = all(c.get('State') == 'running' for c in mine)
    releases = {release_of(c.get('Image', '')) for c in mine}
    return base.ObjectStatus(host, 'up' if running else 'down',
                             releases.pop() if len(releases) == 1
                             else 'mixed')


class KollaAnsibleDriver(base.Driver):
    NAME = 'kolla-ansible'
    DESCRIPTION = 'runs kolla-ansible commands, one per step'
    REPORTS_STATUS = True
    CONFIG_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'required': ['inventory'],
        'properties': dict({
            'executable': {'type': 'string', 'minLength': 1,
                           'default': 'kolla-ansible'},
            'inventory': {'type': 'string', 'minLength': 1},
            'configdir': {'type': 'string', 'minLength': 1},
            'passwords': {'type': 'string', 'minLength': 1},
            'extra_vars': ansible.EXTRA_VARS_SCHEMA,
            'set_release': {'type': 'boolean', 'default': True},
        }, **ansible.TOOLS_SCHEMA),
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

    def validate(self, plan):
        """The inventory, configdir and passwords files exist."""
        return [problem for key in ('inventory', 'configdir', 'passwords')
                if key in self.config
                for problem in ansible.missing_files(key,
                                                     [self.config[key]])]

    def _services(self, step):
        return list(step.get('services') or
                    (step.get('action') or {}).get('tags') or ())

    def resolve(self, step):
        """The hosts of the step's services and roles, from the inventory."""
        services, roles = self._services(step), list(step.get('roles') or ())
        if not services and not roles:
            return []
        source = self.config['inventory']
        inv = inventory.load([source], self.config.get(
            'ansible_inventory', 'ansible-inventory'))
        groups = list(roles)
        for service in services:
            mine = [g for g in sorted(inv.groups)
                    if g == service or g.startswith(service + '-')]
            if not mine:
                raise base.DriverError('%s has no group %s (nor %s-*)' % (
                    source, service, service))
            groups += mine
        return inv.select(groups, source)

    def status(self, step, objects):
        if not objects:
            return []
        answers = adhoc.run(':'.join(objects), CONTAINERS_COMMAND,
                            [self.config['inventory']],
                            self.config.get('ansible', 'ansible'))
        services = self._services(step)
        return [host_status(host, answers.get(host), services)
                for host in objects]

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
