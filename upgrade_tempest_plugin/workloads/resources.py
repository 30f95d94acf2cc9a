"""Resource types the workloads are made of: list, show, delete, gone.

One :class:`Resources` wraps the workload account's client manager.  Every
resource type can be listed in one call per page (verification reads an
:class:`Inventory`, not one GET per resource), deleted tolerantly (NotFound
is success) and waited for until it is gone.  A resource type of a
plugged-in workload kind is a :class:`ResourceType` the kind brings.
"""

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.workloads import waiters

PAGE = 1000

# Resource type -> the service (profile name) that owns it.
SERVICE = {
    'keypair': 'compute', 'server': 'compute',
    'volume_attachment': 'compute',
    'volume': 'volume', 'snapshot': 'volume',
    'image': 'image',
    'security_group': 'network', 'network': 'network', 'subnet': 'network',
    'router': 'network', 'router_interface': 'network', 'port': 'network',
}


class ResourceType:
    """A resource type a plugged-in workload kind brings.

    The types above are the project's own; a kind of another service names
    its types in its ``resource_types`` with an instance of a subclass, so
    its resources are listed, waited for and deleted (also by
    ``upgrade-tempest cleanup``) like the others.
    """

    #: The service (profile name) that owns the type.
    service = None

    def list(self, clients):
        """Every resource of the type the account sees (with id, name)."""
        raise NotImplementedError

    def show(self, clients, resource_id):
        """The resource; ``tempest.lib`` NotFound once it is gone."""
        raise NotImplementedError

    def delete(self, clients, entry):
        """Send the delete of the ledger ``entry``'s resource."""
        raise NotImplementedError


class Resources:
    """Typed operations on the workload account's resources.

    ``types`` are the :class:`ResourceType` of plugged-in kinds, by name;
    they cannot replace a type of the project.
    """

    def __init__(self, clients, timeout=300, interval=1.0, types=None):
        self.clients = clients
        self.timeout = timeout
        self.interval = interval
        self.types = {name: rtype for name, rtype in (types or {}).items()
                      if name not in SERVICE}

    def service_of(self, rtype):
        """The service (profile name) that owns ``rtype``, or None."""
        if rtype in self.types:
            return self.types[rtype].service
        return SERVICE.get(rtype)

    # Clients, looked up lazily so a cloud without a service still works
    # for the others.
    @property
    def servers(self):
        return self.clients.servers_client

    @property
    def keypairs(self):
        return self.clients.keypairs_client

    @property
    def volumes(self):
        return self.clients.volumes_client_latest

    @property
    def snapshots(self):
        return self.clients.snapshots_client_latest

    @property
    def images(self):
        return self.clients.image_client_v2

    @property
    def networks(self):
        return self.clients.networks_client

    @property
    def subnets(self):
        return self.clients.subnets_client

    @property
    def routers(self):
        return self.clients.routers_client

    @property
    def ports(self):
        return self.clients.ports_client

    @property
    def security_groups(self):
        return self.clients.security_groups_client

    @property
    def project_id(self):
        return self.clients.credentials.project_id

    # Listing: one call (per page) per type ------------------------------

    def list(self, rtype):
        """{id: resource} of every resource of ``rtype`` the account sees."""
        if rtype in self.types:
            found = self.types[rtype].list(self.clients)
        else:
            found = getattr(self, '_list_' + rtype)()
        return {r['id']: r for r in found}

    def _paged(self, call, key):
        found, marker = [], None
        while True:
            params = {'limit': PAGE}
            if marker:
                params['marker'] = marker
            page = call(params)[key]
            found.extend(page)
            if len(page) < PAGE:
                return found
            marker = page[-1]['id']

    def _list_server(self):
        return self._paged(
            lambda p: self.servers.list_servers(detail=True, **p), 'servers')

    def _list_volume(self):
        return self._paged(
            lambda p: self.volumes.list_volumes(detail=True, params=p),
            'volumes')

    def _list_snapshot(self):
        return self._paged(
            lambda p: self.snapshots.list_snapshots(detail=True, **p),
            'snapshots')

    def _list_image(self):
        return self._paged(
            lambda p: self.images.list_images(
                params=dict(p, owner=self.project_id)), 'images')

    def _list_keypair(self):
        keypairs = self.keypairs.list_keypairs()['keypairs']
        return [dict(k['keypair'], id=k['keypair']['name'])
                for k in keypairs]

    def _list_security_group(self):
        return self.security_groups.list_security_groups(
            project_id=self.project_id)['security_groups']

    def _list_network(self):
        return self.networks.list_networks(
            project_id=self.project_id)['networks']

    def _list_subnet(self):
        return self.subnets.list_subnets(
            project_id=self.project_id)['subnets']

    def _list_router(self):
        return self.routers.list_routers(
            project_id=self.project_id)['routers']

    def _list_port(self):
        return self.ports.list_ports(project_id=self.project_id)['ports']

    # Show (for waiters) -------------------------------------------------

    def show(self, rtype, resource_id):
        if rtype == 'server':
            return self.servers.show_server(resource_id)['server']
        if rtype in ('volume', 'volume_attachment'):
            return self.volumes.show_volume(resource_id)['volume']
        if rtype == 'snapshot':
            return self.snapshots.show_snapshot(resource_id)['snapshot']
        if rtype == 'image':
            return self.images.show_image(resource_id)
        if rtype == 'keypair':
            return self.keypairs.show_keypair(resource_id)['keypair']
        if rtype == 'security_group':
            return self.security_groups.show_security_group(
                resource_id)['security_group']
        if rtype == 'network':
            return self.networks.show_network(resource_id)['network']
        if rtype == 'subnet':
            return self.subnets.show_subnet(resource_id)['subnet']
        if rtype == 'router':
            return self.routers.show_router(resource_id)['router']
        if rtype == 'port':
            return self.ports.show_port(resource_id)['port']
        if rtype in self.types:
            return self.types[rtype].show(self.clients, resource_id)
        raise ValueError('unknown resource type %s' % rtype)

    def wait_for(self, rtype, resource_id, wanted, what=None,
                 error_statuses=('killed',)):
        """Wait until ``rtype`` ``resource_id`` has a ``wanted`` status.

        Fails at once on any status starting with "error" (ERROR,
        error_extending, error_restoring, ...) and on ``error_statuses``
        (glance's 'killed').
        """
        return waiters.wait_for_status(
            lambda i: self.show(rtype, i), resource_id, wanted,
            self.timeout, self.interval, error_statuses=error_statuses,
            what=what or '%s %s' % (rtype, resource_id))

    def wait_gone(self, rtype, resource_id, what=None):
        waiters.wait_until_gone(
            lambda i: self.show(rtype, i), resource_id, self.timeout,
            self.interval, what=what or '%s %s' % (rtype, resource_id))

    # Delete: tolerant, and confirmed --------------------------------------

    def delete(self, entry):
        """Delete the ledger ``entry``'s resource and wait until it is gone.

        NotFound is success.  Returns True when something was deleted.
        """
        rtype, rid = entry['kind'], entry['resource_id']
        attrs = entry.get('attrs') or {}
        what = '%s %s (%s)' % (rtype, entry['name'], rid)
        try:
            if rtype == 'volume_attachment':
                self.servers.detach_volume(attrs['server_id'], rid)
                self.wait_for('volume', rid, ('available',), what=what)
                return True
            if rtype == 'router_interface':
                self.routers.remove_router_interface(
                    attrs['router_id'], subnet_id=attrs['subnet_id'])
                return True
            if rtype == 'volume':
                # A boot volume is in-use until its server is gone.
                volume = self.show('volume', rid)
                if volume.get('status') in ('in-use', 'detaching',
                                            'attaching', 'reserved'):
                    self.wait_for('volume', rid,
                                  ('available', 'error'), what=what)
                self.volumes.delete_volume(rid)
            elif rtype == 'server':
                self.servers.delete_server(rid)
            elif rtype == 'snapshot':
                self.snapshots.delete_snapshot(rid)
            elif rtype == 'image':
                self.images.delete_image(rid)
            elif rtype == 'keypair':
                self.keypairs.delete_keypair(rid)
            elif rtype == 'security_group':
                self.security_groups.delete_security_group(rid)
            elif rtype == 'network':
                self.networks.delete_network(rid)
            elif rtype == 'subnet':
                self.subnets.delete_subnet(rid)
            elif rtype == 'router':
                self.routers.delete_router(rid)
            elif rtype == 'port':
                self.ports.delete_port(rid)
            elif rtype in self.types:
                self.types[rtype].delete(self.clients, entry)
            else:
                raise ValueError('unknown resource type %s' % rtype)
        except lib_exc.NotFound:
            return False
        except waiters.ErrorStatus:
            # A detach that ends in error leaves nothing to detach.
            if rtype != 'volume_attachment':
                raise
            return True
        self.wait_gone(rtype, rid, what=what)
        return True

    def find_by_name(self, rtype, name):
        """Resources of ``rtype`` named ``name``.

        Used to adopt or clean up an interrupted create whose id never
        reached the ledger.
        """
        if rtype in ('volume_attachment', 'router_interface'):
            return []
        return [r for r in self.list(rtype).values()
                if r.get('name') == name]


class Inventory:
    """Lists each resource type at most once and answers lookups from it."""

    def __init__(self, resources):
        self.resources = resources
        self._cache = {}
        self.calls = 0

    def of(self, rtype):
        if rtype not in self._cache:
            self.calls += 1
            self._cache[rtype] = self.resources.list(rtype)
        return self._cache[rtype]

    def get(self, rtype, resource_id):
        return self.of(rtype).get(resource_id)

    def forget(self, rtype=None):
        if rtype is None:
            self._cache.clear()
        else:
            self._cache.pop(rtype, None)
