"""A deployment's Ansible inventory, read with Ansible's own parser.

Both Kolla-Ansible and OpenStack-Ansible describe the deployment as an
Ansible inventory: Kolla-Ansible as an INI file (``multinode``: host
groups ``control``, ``network``, ``compute``, ``storage`` and service
groups that are their children, ``[nova-api:children] nova``), OSA as the
output of its dynamic inventory script (``inventory/dynamic_inventory.py``
built from ``openstack_user_config.yml``: groups such as ``nova_all``,
``nova_compute``, ``galera_all``).  Rather than parse either format here,
:func:`load` runs ``ansible-inventory -i SOURCE... --list`` (ansible-core)
and reads its JSON: the groups with their ``hosts`` and ``children``, and
``_meta.hostvars``.  Without ansible-core the driver cannot resolve a
step, and says so; there is no fallback parser.
"""

import json

from upgrade_tempest_plugin.campaign.drivers import ansible
from upgrade_tempest_plugin.campaign.drivers import base

#: Seconds ``ansible-inventory`` may take (a dynamic inventory runs code).
TIMEOUT = 300


def load(sources, executable='ansible-inventory', limit=None, env=None):
    """The :class:`Inventory` of ``sources`` (paths), read by Ansible.

    ``limit``: an Ansible host pattern (``nova_compute:!compute1``) that
    Ansible applies, so only the hosts it selects are listed.
    """
    argv = [executable]
    for source in sources:
        argv += ['-i', source]
    argv.append('--list')
    if limit:
        argv += ['--limit', limit]
    proc = ansible.run_tool(argv, 'reads the inventory', TIMEOUT,
                            env=env)
    if proc.returncode:
        raise base.DriverError('%s exited %d: %s' % (
            ' '.join(argv), proc.returncode, ansible.last_line(proc.stderr)))
    try:
        return Inventory(json.loads(proc.stdout))
    except ValueError:
        raise base.DriverError('%s printed no JSON' % ' '.join(argv))


class Inventory(object):
    """Groups and hosts of an ``ansible-inventory --list`` document."""

    def __init__(self, document):
        self.hostvars = (document.get('_meta') or {}).get('hostvars') or {}
        self.groups = {name: value for name, value in document.items()
                       if name != '_meta' and isinstance(value, dict)}
        # A group without hosts is listed only as a child of another.
        for value in list(self.groups.values()):
            for child in value.get('children') or ():
                self.groups.setdefault(child, {})

    def hosts(self, group):
        """Every host of ``group`` and of its children, sorted."""
        return sorted(self._closure(group, set()))

    def _closure(self, group, seen):
        if group in seen:
            return set()
        seen.add(group)
        entry = self.groups.get(group) or {}
        found = set(entry.get('hosts') or ())
        for child in entry.get('children') or ():
            found |= self._closure(child, seen)
        return found

    def all_hosts(self):
        found = set(self.hostvars)
        for name in self.groups:
            found |= set(self.groups[name].get('hosts') or ())
        return sorted(found)

    def select(self, groups, source):
        """The hosts of ``groups``; unknown groups are a DriverError."""
        unknown = [g for g in groups if g not in self.groups]
        if unknown:
            raise base.DriverError('%s has no group %s' % (
                source, ', '.join(unknown)))
        return sorted({h for g in groups for h in self.hosts(g)})
