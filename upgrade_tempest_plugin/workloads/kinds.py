"""The workload kinds: what each creates, verifies and acts on.

Each kind is a class with ``create_or_verify(ws)`` (one code path: what
the ledger lists and still exists is kept, anything else is created),
``verify(ws)`` (state, attachments, data; returns a list of problems,
reading every resource from the inventory, one list call per type) and
``act(ws)`` (the resource still accepts actions; returns problems).
Resources are recorded in the ledger under the workload's name, so the
destroy phase deletes them in reverse order of creation.
"""

import hashlib
import io

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.workloads import waiters

IMAGE_DATA_SIZE = 64 * 1024
#: Ledger state of a server while the plugin stops and starts it.
STOPPING = 'stop-start'


def image_data(run_id):
    """Known, reproducible image data of a run."""
    seed = ('upgrade-tempest-plugin workload image of run %s\n' %
            run_id).encode()
    return (seed * (IMAGE_DATA_SIZE // len(seed) + 1))[:IMAGE_DATA_SIZE]


def _missing(rtype, entry):
    return '%s %s (%s) is gone' % (rtype, entry['name'],
                                   entry['resource_id'])


def _status(rtype, entry, resource, wanted, field='status'):
    if resource.get(field) not in wanted:
        hint = ''
        if entry.get('state') == STOPPING:
            hint = (' (a stop/start action of an earlier post-upgrade run '
                    'was interrupted)')
        return '%s %s (%s) has %s %r, expected %s%s' % (
            rtype, entry['name'], entry['resource_id'], field,
            resource.get(field), ' or '.join(str(w) for w in wanted), hint)
    return None


class Kind:
    name = None
    service = None
    #: [service_available] flags the kind needs.
    needs = ()
    #: role -> resource type, in creation order.
    roles = ()

    def entries(self, ws):
        """{role: ledger entry} of what the ledger lists for this kind."""
        found = {}
        for role, rtype in self.roles:
            entry = ws.recorded(self.name, role, rtype)
            if entry is not None and entry.get('deleted_at') is None:
                found[role] = entry
        return found

    def check_recorded(self, ws):
        """Problems if the ledger does not list the whole workload."""
        entries = self.entries(ws)
        missing = [role for role, _ in self.roles if role not in entries or
                   not entries[role]['resource_id']]
        if missing:
            return entries, ['workload %s of run %s is not (completely) '
                             'recorded: no %s in the ledger; did the '
                             'pre-upgrade phase run with this run id?' % (
                                 self.name, ws.run_id,
                                 ', '.join(str(m) for m in missing))]
        return entries, []

    def lookup(self, ws, role, rtype, entries, problems):
        entry = entries[role]
        resource = ws.inventory.get(rtype, entry['resource_id'])
        if resource is None:
            problems.append(_missing(rtype, entry))
        return entry, resource


class ServerWithVolume(Kind):
    """A server with a keypair, a security group and an attached volume."""
    name = 'server_with_volume'
    service = 'compute'
    needs = ('nova', 'cinder', 'neutron')
    roles = (('key', 'keypair'), ('secgroup', 'security_group'),
             ('data', 'volume'), ('server', 'server'),
             ('attach', 'volume_attachment'))

    def create_or_verify(self, ws):
        r = ws.resources
        s = ws.settings
        keypair = ws.ensure(
            self.name, 'key', 'keypair',
            lambda name: dict(r.keypairs.create_keypair(name=name)[
                'keypair'], id=name, private_key=None))
        secgroup = ws.ensure(
            self.name, 'secgroup', 'security_group',
            lambda name: _secgroup_with_rule(r, name))
        volume = ws.ensure(
            self.name, 'data', 'volume',
            lambda name: r.volumes.create_volume(
                name=name, size=s.volume_size)['volume'],
            ready=lambda v: r.wait_for('volume', v['id'], ('available',)))
        server = ws.ensure(
            self.name, 'server', 'server',
            lambda name: r.servers.create_server(**_server_args(
                s, name, key_name=keypair['name'],
                security_groups=[{'name': secgroup['name']}]))['server'],
            ready=lambda v: r.wait_for('server', v['id'], ('ACTIVE',)))

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
            problems += filter(None, [_status(
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
            problems += filter(None, [_status('volume', entries['data'],
                                              volume, ('in-use',))])
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

    def act(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        r = ws.resources
        server_id = entries['server']['resource_id']
        if not getattr(ws.settings, 'server_power_actions', True):
            return self._metadata_action(ws, entries, problems)
        name = entries['server']['name']
        try:
            # Recorded, so a verification after an interrupted action says
            # who stopped the server.
            ws.update_attrs('server', name, STOPPING)
            r.servers.stop_server(server_id)
            r.wait_for('server', server_id, ('SHUTOFF',))
            r.servers.start_server(server_id)
            r.wait_for('server', server_id, ('ACTIVE',))
            ws.update_attrs('server', name, 'created')
        except (lib_exc.TempestException, waiters.ErrorStatus) as exc:
            problems.append('server %s (%s) did not stop and start: %s' % (
                entries['server']['name'], server_id, exc))
        return problems

    def _metadata_action(self, ws, entries, problems):
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


class ServerBootFromVolume(Kind):
    """A server booted from a volume made from the image."""
    name = 'server_boot_from_volume'
    service = 'compute'
    needs = ('nova', 'cinder', 'glance', 'neutron')
    roles = (('boot', 'volume'), ('server', 'server'))

    def create_or_verify(self, ws):
        r = ws.resources
        s = ws.settings
        volume = ws.ensure(
            self.name, 'boot', 'volume',
            lambda name: r.volumes.create_volume(
                name=name, size=s.volume_size,
                imageRef=s.image_ref)['volume'],
            ready=lambda v: r.wait_for('volume', v['id'],
                                       ('available', 'in-use')))
        bdm = [{'uuid': volume['id'], 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0,
                'delete_on_termination': False}]
        ws.ensure(
            self.name, 'server', 'server',
            lambda name: r.servers.create_server(**_server_args(
                s, name, image='', block_device_mapping_v2=bdm))['server'],
            ready=lambda v: r.wait_for('server', v['id'], ('ACTIVE',)))

    def verify(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        _, server = self.lookup(ws, 'server', 'server', entries, problems)
        _, volume = self.lookup(ws, 'boot', 'volume', entries, problems)
        if server:
            problems += filter(None, [_status('server', entries['server'],
                                              server, ('ACTIVE',))])
        if volume:
            problems += filter(None, [_status('volume', entries['boot'],
                                              volume, ('in-use',))])
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

    def act(self, ws):
        return ServerWithVolume.act(self, ws)

    def _metadata_action(self, ws, entries, problems):
        return ServerWithVolume._metadata_action(self, ws, entries, problems)


class VolumeWithSnapshot(Kind):
    """A volume with a snapshot."""
    name = 'volume_with_snapshot'
    service = 'volume'
    needs = ('cinder',)
    roles = (('volume', 'volume'), ('snapshot', 'snapshot'))

    def create_or_verify(self, ws):
        r = ws.resources
        s = ws.settings
        volume = ws.ensure(
            self.name, 'volume', 'volume',
            lambda name: r.volumes.create_volume(
                name=name, size=s.volume_size)['volume'],
            ready=lambda v: r.wait_for('volume', v['id'], ('available',)),
            attrs={'size': s.volume_size})
        ws.ensure(
            self.name, 'snapshot', 'snapshot',
            lambda name: r.snapshots.create_snapshot(
                volume_id=volume['id'], name=name)['snapshot'],
            ready=lambda v: r.wait_for('snapshot', v['id'], ('available',)),
            attrs={'volume_id': volume['id'], 'size': volume['size']})

    def verify(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        v_entry, volume = self.lookup(ws, 'volume', 'volume', entries,
                                      problems)
        s_entry, snap = self.lookup(ws, 'snapshot', 'snapshot', entries,
                                    problems)
        if volume:
            problems += filter(None, [_status('volume', v_entry, volume,
                                              ('available',))])
            size = v_entry['attrs'].get('size')
            if size and volume.get('size') != size:
                problems.append('volume %s has size %s, expected %s' % (
                    v_entry['name'], volume.get('size'), size))
        if snap:
            problems += filter(None, [_status('snapshot', s_entry, snap,
                                              ('available',))])
            if snap.get('volume_id') != v_entry['resource_id']:
                problems.append('snapshot %s belongs to volume %s, '
                                'expected %s' % (s_entry['name'],
                                                 snap.get('volume_id'),
                                                 v_entry['resource_id']))
        return problems

    def act(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        r = ws.resources
        v_entry, s_entry = entries['volume'], entries['snapshot']
        # The snapshot's data still makes a volume.
        try:
            restored = ws.ensure(
                self.name, 'restored', 'volume',
                lambda name: r.volumes.create_volume(
                    name=name, snapshot_id=s_entry['resource_id'],
                    size=s_entry['attrs'].get('size') or
                    ws.settings.volume_size)['volume'],
                ready=lambda v: r.wait_for('volume', v['id'],
                                           ('available',)))
            expected = s_entry['attrs'].get('size')
            if expected and restored.get('size') != expected:
                problems.append('volume restored from snapshot %s has size '
                                '%s, expected %s' % (s_entry['name'],
                                                     restored.get('size'),
                                                     expected))
        except (lib_exc.TempestException, waiters.ErrorStatus) as exc:
            problems.append('snapshot %s (%s) could not be restored to a '
                            'new volume: %s' % (s_entry['name'],
                                                s_entry['resource_id'], exc))
        finally:
            restored_entry = ws.recorded(self.name, 'restored', 'volume')
            if restored_entry:
                problems += ws._delete_entries([restored_entry])
        # The volume can still grow.
        new_size = (v_entry['attrs'].get('size') or 1) + 1
        try:
            r.volumes.extend_volume(v_entry['resource_id'],
                                    new_size=new_size)
            waiters.wait_for_status(
                lambda i: r.show('volume', i), v_entry['resource_id'],
                (new_size,), r.timeout, r.interval, field='size',
                what='volume %s' % v_entry['name'])
            r.wait_for('volume', v_entry['resource_id'], ('available',))
            ws.update_attrs('volume', v_entry['name'], 'extended',
                            size=new_size)
        except (lib_exc.TempestException, waiters.ErrorStatus) as exc:
            problems.append('volume %s (%s) could not be extended to %s '
                            'GiB: %s' % (v_entry['name'],
                                         v_entry['resource_id'], new_size,
                                         exc))
        return problems


class ImageWithData(Kind):
    """A private image with known data."""
    name = 'image_with_data'
    service = 'image'
    needs = ('glance',)
    roles = (('image', 'image'),)

    def create_or_verify(self, ws):
        r = ws.resources
        data = image_data(ws.run_id)

        def create(name):
            return r.images.create_image(
                name=name, container_format='bare', disk_format='raw',
                visibility='private')

        def upload(image):
            if image.get('status') == 'queued':
                r.images.store_image_file(image['id'], io.BytesIO(data))
            return r.wait_for('image', image['id'], ('active',))

        ws.ensure(self.name, 'image', 'image', create, ready=upload,
                  attrs={'size': len(data),
                         'sha512': hashlib.sha512(data).hexdigest(),
                         'md5': hashlib.md5(data).hexdigest()})

    def verify(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        entry, image = self.lookup(ws, 'image', 'image', entries, problems)
        if image:
            attrs = entry['attrs']
            problems += filter(None, [_status('image', entry, image,
                                              ('active',))])
            if image.get('size') != attrs.get('size'):
                problems.append('image %s has size %s, expected %s' % (
                    entry['name'], image.get('size'), attrs.get('size')))
            if (image.get('os_hash_value') and
                    image['os_hash_value'] != attrs.get('sha512')):
                problems.append('image %s has hash %s, expected %s' % (
                    entry['name'], image['os_hash_value'],
                    attrs.get('sha512')))
            if image.get('checksum') and \
                    image['checksum'] != attrs.get('md5'):
                problems.append('image %s has checksum %s, expected %s' % (
                    entry['name'], image['checksum'], attrs.get('md5')))
        return problems

    def act(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        entry = entries['image']
        try:
            body = ws.resources.images.show_image_file(entry['resource_id'])
            digest = hashlib.sha512(body.data).hexdigest()
            if digest != entry['attrs'].get('sha512'):
                problems.append('image %s (%s): downloaded data has sha512 '
                                '%s, expected %s' % (
                                    entry['name'], entry['resource_id'],
                                    digest, entry['attrs'].get('sha512')))
        except lib_exc.TempestException as exc:
            problems.append('image %s (%s) could not be downloaded: %s' % (
                entry['name'], entry['resource_id'], exc))
        return problems


class NetworkStack(Kind):
    """A network, a subnet, a router with an interface on it, and a port."""
    name = 'network_stack'
    service = 'network'
    needs = ('neutron',)
    roles = (('net', 'network'), ('subnet', 'subnet'), ('router', 'router'),
             ('rif', 'router_interface'), ('port', 'port'))

    def create_or_verify(self, ws):
        r = ws.resources
        s = ws.settings
        net = ws.ensure(self.name, 'net', 'network',
                        lambda name: r.networks.create_network(
                            name=name)['network'])
        subnet = ws.ensure(self.name, 'subnet', 'subnet',
                           lambda name: r.subnets.create_subnet(
                               name=name, network_id=net['id'],
                               cidr=s.subnet_cidr, ip_version=4)['subnet'],
                           attrs={'cidr': s.subnet_cidr})
        router = ws.ensure(self.name, 'router', 'router',
                           lambda name: r.routers.create_router(
                               name=name)['router'])

        def has_interface(entry):
            for port in ws.inventory.of('port').values():
                if port.get('device_id') == router['id'] and any(
                        ip.get('subnet_id') == subnet['id']
                        for ip in port.get('fixed_ips', [])):
                    return {'id': port['id']}
            return None

        def add_interface(name):
            body = r.routers.add_router_interface(router['id'],
                                                  subnet_id=subnet['id'])
            return {'id': body.get('port_id')}

        ws.ensure(self.name, 'rif', 'router_interface', add_interface,
                  exists=has_interface,
                  attrs={'router_id': router['id'],
                         'subnet_id': subnet['id']})
        ws.ensure(self.name, 'port', 'port',
                  lambda name: r.ports.create_port(
                      name=name, network_id=net['id'])['port'])

    def verify(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        self.lookup(ws, 'net', 'network', entries, problems)
        s_entry, subnet = self.lookup(ws, 'subnet', 'subnet', entries,
                                      problems)
        _, router = self.lookup(ws, 'router', 'router', entries, problems)
        p_entry, port = self.lookup(ws, 'port', 'port', entries, problems)
        net_id = entries['net']['resource_id']
        if subnet:
            if subnet.get('network_id') != net_id:
                problems.append('subnet %s left network %s' % (
                    s_entry['name'], net_id))
            if subnet.get('cidr') != s_entry['attrs'].get('cidr'):
                problems.append('subnet %s has cidr %s, expected %s' % (
                    s_entry['name'], subnet.get('cidr'),
                    s_entry['attrs'].get('cidr')))
        if port and port.get('network_id') != net_id:
            problems.append('port %s left network %s' % (p_entry['name'],
                                                         net_id))
        if router:
            rif = entries['rif']['resource_id']
            rif_port = ws.inventory.get('port', rif)
            if rif_port is None or rif_port.get('device_id') != router['id']:
                problems.append('router %s (%s) lost its interface on '
                                'subnet %s (port %s)' % (
                                    entries['router']['name'], router['id'],
                                    s_entry['name'], rif))
        return problems

    def act(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        r = ws.resources
        try:
            port = ws.ensure(
                self.name, 'newport', 'port',
                lambda name: r.ports.create_port(
                    name=name,
                    network_id=entries['net']['resource_id'])['port'])
            if not port.get('fixed_ips'):
                problems.append('new port on network %s got no address' %
                                entries['net']['name'])
        except lib_exc.TempestException as exc:
            problems.append('network %s (%s) does not accept a new port: '
                            '%s' % (entries['net']['name'],
                                    entries['net']['resource_id'], exc))
        finally:
            entry = ws.recorded(self.name, 'newport', 'port')
            if entry:
                problems += ws._delete_entries([entry])
        return problems


def _secgroup_with_rule(r, name):
    group = r.security_groups.create_security_group(
        name=name, description='upgrade-tempest-plugin workload')[
            'security_group']
    r.clients.security_group_rules_client.create_security_group_rule(
        security_group_id=group['id'], direction='ingress', protocol='tcp',
        port_range_min=22, port_range_max=22, ethertype='IPv4')
    return group


def _server_args(settings, name, image=None, **extra):
    args = dict(name=name, flavorRef=settings.flavor_ref,
                imageRef=settings.image_ref if image is None else image)
    if settings.network_id:
        args['networks'] = [{'uuid': settings.network_id}]
    args.update(extra)
    return args


KINDS = [ServerWithVolume(), ServerBootFromVolume(), VolumeWithSnapshot(),
         ImageWithData(), NetworkStack()]
BY_NAME = {k.name: k for k in KINDS}
