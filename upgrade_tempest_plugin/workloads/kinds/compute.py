"""Nova's workload kinds: servers with a volume and booted from one.

The volumes and the security group are other services' resources: the
kinds ask the workload set for them (``ensure_volume``,
``ensure_security_group``) and create only the keypair, the server and
the attachment themselves.
"""

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.workloads.kinds import base
from upgrade_tempest_plugin.workloads import waiters


def server_args(settings, name, image=None, **extra):
    """The create_server arguments of a workload server."""
    args = dict(name=name, flavorRef=settings.flavor_ref,
                imageRef=settings.image_ref if image is None else image)
    if settings.network_id:
        args['networks'] = [{'uuid': settings.network_id}]
    args.update(extra)
    return args


class ServerKind(base.Kind):
    """A kind with a ``server`` role: its action stops and starts it."""

    service = 'compute'

    def ensure_server(self, ws, **extra):
        """The workload's server (role ``server``), ACTIVE."""
        r = ws.resources
        return ws.ensure(
            self.name, 'server', 'server',
            lambda name: r.servers.create_server(
                **server_args(ws.settings, name, **extra))['server'],
            ready=lambda v: r.wait_for('server', v['id'], ('ACTIVE',)))

    def act(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        r = ws.resources
        server_id = entries['server']['resource_id']
        if not getattr(ws.settings, 'server_power_actions', True):
            return self.metadata_action(ws, entries, problems)
        name = entries['server']['name']
        try:
            # Recorded, so a verification after an interrupted action says
            # who stopped the server.
            ws.update_attrs('server', name, base.STOPPING)
            r.servers.stop_server(server_id)
            r.wait_for('server', server_id, ('SHUTOFF',))
            r.servers.start_server(server_id)
            r.wait_for('server', server_id, ('ACTIVE',))
            ws.update_attrs('server', name, 'created')
        except (lib_exc.TempestException, waiters.ErrorStatus) as exc:
            problems.append('server %s (%s) did not stop and start: %s' % (
                entries['server']['name'], server_id, exc))
        return problems

    def metadata_action(self, ws, entries, problems):
        """An API-level action for clouds without server power actions."""
        server_id = entries['server']['resource_id']
        servers = ws.resources.servers
        try:
            servers.set_server_metadata_item(server_id, 'upgrade-check',
                                             {'upgrade-check': ws.run_id})
            meta = servers.list_server_metadata(server_id)['metadata']
            if meta.get('upgrade-check') != ws.run_id:
                problems.append('server %s (%s) did not keep its metadata' %
                                (entries['server']['name'], server_id))
        except lib_exc.TempestException as exc:
            problems.append('server %s (%s) does not accept a metadata '
                            'update: %s' % (entries['server']['name'],
                                            server_id, exc))
        return problems


class ServerWithVolume(ServerKind):
    """A server with a keypair, a security group and an attached volume."""
    name = 'server_with_volume'
    needs = ('nova', 'cinder', 'neutron')
    roles = (('key', 'keypair'), ('secgroup', 'security_group'),
             ('data', 'volume'), ('server', 'server'),
             ('attach', 'volume_attachment'))

    def create_or_verify(self, ws):
        r = ws.resources
        keypair = ws.ensure(
            self.name, 'key', 'keypair',
            lambda name: dict(r.keypairs.create_keypair(name=name)[
                'keypair'], id=name, private_key=None))
        secgroup = ws.ensure_security_group(self.name, 'secgroup')
        volume = ws.ensure_volume(self.name, 'data')
        server = self.ensure_server(
            ws, key_name=keypair['name'],
            security_groups=[{'name': secgroup['name']}])

        def attached(entry):
            vol = ws.inventory.get('volume', volume['id'])
            if vol and any(a.get('server_id') == server['id']
                           for a in vol.get('attachments', [])):
                return {'id': volume['id']}
            return None

        def attach(name):
            r.servers.attach_volume(server['id'], volumeId=volume['id'])
            return {'id': volume['id']}

        ws.ensure(self.name, 'attach', 'volume_attachment', attach,
                  ready=lambda v: r.wait_for('volume', v['id'], ('in-use',)),
                  exists=attached, attrs={'server_id': server['id']})

    def verify(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        _, server = self.lookup(ws, 'server', 'server', entries, problems)
        _, volume = self.lookup(ws, 'data', 'volume', entries, problems)
        _, keypair = self.lookup(ws, 'key', 'keypair', entries, problems)
        sg_entry, secgroup = self.lookup(ws, 'secgroup', 'security_group',
                                         entries, problems)
        if server:
            problems += filter(None, [base.status_problem(
                'server', entries['server'], server, ('ACTIVE',))])
            if keypair and server.get('key_name') != keypair['name']:
                problems.append('server %s has key %r, expected %r' % (
                    entries['server']['name'], server.get('key_name'),
                    keypair['name']))
            groups = [g.get('name') for g in
                      server.get('security_groups', [])]
            if secgroup and secgroup['name'] not in groups:
                problems.append('server %s is not in security group %s '
                                '(it has %s)' % (entries['server']['name'],
                                                 secgroup['name'], groups))
        if secgroup and not [
                rule for rule in secgroup.get('security_group_rules', [])
                if rule.get('port_range_min') == 22]:
            problems.append('security group %s lost its ssh rule' %
                            sg_entry['name'])
        if volume:
            problems += filter(None, [base.status_problem(
                'volume', entries['data'], volume, ('in-use',))])
            servers = [a.get('server_id')
                       for a in volume.get('attachments', [])]
            if server and server['id'] not in servers:
                problems.append(
                    'volume %s (%s) is not attached to server %s (%s); '
                    'attached to: %s' % (
                        entries['data']['name'], volume['id'],
                        entries['server']['name'], server['id'],
                        servers or 'nothing'))
        return problems


class ServerBootFromVolume(ServerKind):
    """A server booted from a volume made from the image."""
    name = 'server_boot_from_volume'
    needs = ('nova', 'cinder', 'glance', 'neutron')
    roles = (('boot', 'volume'), ('server', 'server'))

    def create_or_verify(self, ws):
        volume = ws.ensure_volume(self.name, 'boot',
                                  ready=('available', 'in-use'),
                                  imageRef=ws.settings.image_ref)
        bdm = [{'uuid': volume['id'], 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0,
                'delete_on_termination': False}]
        self.ensure_server(ws, image='', block_device_mapping_v2=bdm)

    def verify(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        _, server = self.lookup(ws, 'server', 'server', entries, problems)
        _, volume = self.lookup(ws, 'boot', 'volume', entries, problems)
        if server:
            problems += filter(None, [base.status_problem(
                'server', entries['server'], server, ('ACTIVE',))])
        if volume:
            problems += filter(None, [base.status_problem(
                'volume', entries['boot'], volume, ('in-use',))])
            if str(volume.get('bootable')).lower() != 'true':
                problems.append('volume %s is not bootable any more' %
                                entries['boot']['name'])
            servers = [a.get('server_id')
                       for a in volume.get('attachments', [])]
            if server and server['id'] not in servers:
                problems.append('boot volume %s (%s) is not attached to '
                                'server %s; attached to: %s' % (
                                    entries['boot']['name'], volume['id'],
                                    entries['server']['name'],
                                    servers or 'nothing'))
        return problems
