"""An in-memory store (the ledger contract) and an in-memory cloud that
answers the Tempest client calls the workloads make."""

import hashlib
import itertools
import types

from tempest.lib import exceptions as lib_exc


class FakeStore:
    """The store API subset the workloads use, in memory."""

    def __init__(self):
        self.rows = []
        self.events = []
        self.runs = {}
        self._clock = itertools.count(1)

    def ensure_run(self, run_id, **attrs):
        self.runs.setdefault(run_id, {}).update(attrs)

    def add_event(self, run_id, source, action, service=None,
                  from_version=None, to_version=None, result=None,
                  detail=None, at=None):
        self.events.append(dict(run_id=run_id, source=source, action=action,
                                service=service, result=result,
                                detail=detail))

    def list_events(self, run_id):
        return [e for e in self.events if e['run_id'] == run_id]

    def _find(self, run_id, kind, name):
        for row in self.rows:
            if (row['run_id'], row['kind'], row['name']) == (run_id, kind,
                                                             name):
                return row
        return None

    def record_workload(self, run_id, kind, name, resource_id, service,
                        attrs=None, parent=None):
        row = self._find(run_id, kind, name)
        if row is None:
            row = dict(run_id=run_id, kind=kind, name=name, attrs={},
                       created_at=next(self._clock), deleted_at=None,
                       state=None)
            self.rows.append(row)
        elif row['deleted_at'] is not None:
            row.update(deleted_at=None, created_at=next(self._clock))
        row.update(resource_id=resource_id, service=service, parent=parent)
        row['attrs'].update(attrs or {})
        return dict(row, attrs=dict(row['attrs']))

    def list_workloads(self, run_id, kind=None, include_deleted=False):
        rows = [r for r in self.rows if r['run_id'] == run_id and
                (kind is None or r['kind'] == kind) and
                (include_deleted or r['deleted_at'] is None)]
        return [dict(r, attrs=dict(r['attrs']))
                for r in sorted(rows, key=lambda r: r['created_at'])]

    def get_workload(self, run_id, kind, name):
        row = self._find(run_id, kind, name)
        return None if row is None else dict(row, attrs=dict(row['attrs']))

    def mark_workload_deleted(self, run_id, kind, name, at=None):
        row = self._find(run_id, kind, name)
        if row is None:
            return False
        row['deleted_at'] = next(self._clock)
        return True

    def set_workload_state(self, run_id, kind, name, state, attrs=None):
        row = self._find(run_id, kind, name)
        if row is None:
            return False
        row['state'] = state
        row['attrs'].update(attrs or {})
        return True


class FakeCloud:
    """Resources by type; every call is counted in ``calls``."""

    def __init__(self):
        self.items = {t: {} for t in (
            'server', 'volume', 'snapshot', 'image', 'keypair',
            'security_group', 'network', 'subnet', 'router', 'port')}
        self.calls = []
        self.image_data = {}
        self.fail_creates = set()     # resource types whose create fails
        self._ids = itertools.count(1)

    def new_id(self, prefix):
        return '%s-%04d' % (prefix, next(self._ids))

    def add(self, rtype, **fields):
        if rtype in self.fail_creates:
            raise lib_exc.ServerFault('create %s failed' % rtype)
        fields.setdefault('id', self.new_id(rtype))
        self.items[rtype][fields['id']] = fields
        return dict(fields)

    def get(self, rtype, rid):
        try:
            return dict(self.items[rtype][rid])
        except KeyError:
            raise lib_exc.NotFound('%s %s' % (rtype, rid))

    def remove(self, rtype, rid):
        if rid not in self.items[rtype]:
            raise lib_exc.NotFound('%s %s' % (rtype, rid))
        del self.items[rtype][rid]

    def count(self):
        return sum(len(v) for k, v in self.items.items()
                   if k not in ('network',) or True)

    def manager(self):
        cloud = self

        def rec(name):
            def deco(fn):
                def wrapper(*a, **kw):
                    cloud.calls.append(name)
                    return fn(*a, **kw)
                return wrapper
            return deco

        ns = types.SimpleNamespace
        volumes = ns(
            create_volume=rec('create_volume')(
                lambda **kw: {'volume': cloud.add(
                    'volume', name=kw.get('name'), size=kw.get('size', 1),
                    status='available', attachments=[],
                    bootable='true' if kw.get('imageRef') else 'false')}),
            list_volumes=rec('list_volumes')(
                lambda detail=False, params=None: {
                    'volumes': list(cloud.items['volume'].values())}),
            show_volume=rec('show_volume')(
                lambda rid: {'volume': cloud.get('volume', rid)}),
            delete_volume=rec('delete_volume')(
                lambda rid: cloud.remove('volume', rid)),
            extend_volume=rec('extend_volume')(
                lambda rid, new_size: cloud.items['volume'][rid].update(
                    size=new_size)),
        )

        def attach(server_id, volumeId):
            vol = cloud.items['volume'][volumeId]
            vol['status'] = 'in-use'
            vol['attachments'] = [{'server_id': server_id}]
            return {'volumeAttachment': {}}

        def detach(server_id, volume_id):
            vol = cloud.items['volume'].get(volume_id)
            if vol is None:
                raise lib_exc.NotFound()
            vol['status'] = 'available'
            vol['attachments'] = []

        def create_server(**kw):
            server = cloud.add('server', name=kw['name'], status='ACTIVE',
                               key_name=kw.get('key_name'),
                               security_groups=kw.get('security_groups',
                                                      [{'name': 'default'}]))
            for bdm in kw.get('block_device_mapping_v2', []):
                attach(server['id'], bdm['uuid'])
            return {'server': server}

        def delete_server(rid):
            cloud.remove('server', rid)
            for vol in cloud.items['volume'].values():
                if any(a['server_id'] == rid for a in vol['attachments']):
                    vol['status'] = 'available'
                    vol['attachments'] = []

        def set_status(rid, status):
            cloud.items['server'][rid]['status'] = status

        servers = ns(
            create_server=rec('create_server')(create_server),
            list_servers=rec('list_servers')(
                lambda detail=False, **p: {
                    'servers': list(cloud.items['server'].values())}),
            show_server=rec('show_server')(
                lambda rid: {'server': cloud.get('server', rid)}),
            delete_server=rec('delete_server')(delete_server),
            attach_volume=rec('attach_volume')(attach),
            detach_volume=rec('detach_volume')(detach),
            stop_server=rec('stop_server')(
                lambda rid: set_status(rid, 'SHUTOFF')),
            start_server=rec('start_server')(
                lambda rid: set_status(rid, 'ACTIVE')),
            set_server_metadata_item=rec('set_server_metadata_item')(
                lambda rid, key, meta: cloud.items['server'][rid].setdefault(
                    'metadata', {}).update(meta)),
            list_server_metadata=rec('list_server_metadata')(
                lambda rid: {'metadata': dict(
                    cloud.items['server'][rid].get('metadata', {}))}),
        )
        keypairs = ns(
            create_keypair=rec('create_keypair')(
                lambda name: {'keypair': cloud.add(
                    'keypair', id=name, name=name, private_key='secret')}),
            list_keypairs=rec('list_keypairs')(lambda: {'keypairs': [
                {'keypair': k} for k in cloud.items['keypair'].values()]}),
            show_keypair=rec('show_keypair')(
                lambda rid: {'keypair': cloud.get('keypair', rid)}),
            delete_keypair=rec('delete_keypair')(
                lambda rid: cloud.remove('keypair', rid)),
        )
        snapshots = ns(
            create_snapshot=rec('create_snapshot')(
                lambda volume_id, name: {'snapshot': cloud.add(
                    'snapshot', name=name, volume_id=volume_id,
                    status='available',
                    size=cloud.items['volume'][volume_id]['size'])}),
            list_snapshots=rec('list_snapshots')(
                lambda detail=False, **p: {
                    'snapshots': list(cloud.items['snapshot'].values())}),
            show_snapshot=rec('show_snapshot')(
                lambda rid: {'snapshot': cloud.get('snapshot', rid)}),
            delete_snapshot=rec('delete_snapshot')(
                lambda rid: cloud.remove('snapshot', rid)),
        )
        # A volume from a snapshot.
        create_volume = volumes.create_volume

        def create_volume_any(**kw):
            if kw.get('snapshot_id'):
                cloud.get('snapshot', kw['snapshot_id'])
            return create_volume(**kw)
        volumes.create_volume = create_volume_any

        def store_file(rid, data):
            data = data.read()
            cloud.image_data[rid] = data
            cloud.items['image'][rid].update(
                status='active', size=len(data),
                checksum=hashlib.md5(data).hexdigest(),
                os_hash_value=hashlib.sha512(data).hexdigest())

        images = ns(
            create_image=rec('create_image')(
                lambda **kw: cloud.add('image', name=kw['name'],
                                       status='queued')),
            store_image_file=rec('store_image_file')(store_file),
            show_image_file=rec('show_image_file')(
                lambda rid: ns(data=cloud.image_data[rid])),
            list_images=rec('list_images')(
                lambda params=None: {
                    'images': list(cloud.items['image'].values())}),
            show_image=rec('show_image')(lambda rid: cloud.get('image',
                                                               rid)),
            delete_image=rec('delete_image')(
                lambda rid: cloud.remove('image', rid)),
        )

        def neutron(rtype, plural):
            return ns(**{
                'create_' + rtype: rec('create_' + rtype)(
                    lambda **kw: {rtype: cloud.add(
                        rtype, status='ACTIVE', fixed_ips=[
                            {'subnet_id': 's', 'ip_address': '10.0.0.5'}],
                        **kw)}),
                'list_' + plural: rec('list_' + plural)(
                    lambda **kw: {plural: list(
                        cloud.items[rtype].values())}),
                'show_' + rtype: rec('show_' + rtype)(
                    lambda rid: {rtype: cloud.get(rtype, rid)}),
                'delete_' + rtype: rec('delete_' + rtype)(
                    lambda rid: cloud.remove(rtype, rid)),
            })

        routers = neutron('router', 'routers')

        def add_interface(router_id, subnet_id):
            port = cloud.add('port', device_id=router_id, fixed_ips=[
                {'subnet_id': subnet_id}], network_id='?')
            return {'port_id': port['id'], 'subnet_id': subnet_id}

        def remove_interface(router_id, subnet_id):
            for port in list(cloud.items['port'].values()):
                if port.get('device_id') == router_id:
                    del cloud.items['port'][port['id']]
                    return
            raise lib_exc.NotFound()

        def delete_router(rid):
            if any(p.get('device_id') == rid
                   for p in cloud.items['port'].values()):
                raise lib_exc.Conflict('router has interfaces')
            cloud.remove('router', rid)

        routers.add_router_interface = rec('add_router_interface')(
            add_interface)
        routers.remove_router_interface = rec('remove_router_interface')(
            remove_interface)
        routers.delete_router = rec('delete_router')(delete_router)
        secgroups = neutron('security_group', 'security_groups')
        create_sg = secgroups.create_security_group

        def create_sg_with_rules(**kw):
            body = create_sg(**kw)
            sg = cloud.items['security_group'][body['security_group']['id']]
            sg['security_group_rules'] = []
            return body
        secgroups.create_security_group = create_sg_with_rules

        def create_rule(security_group_id, **kw):
            cloud.items['security_group'][security_group_id][
                'security_group_rules'].append(kw)
            return {'security_group_rule': kw}

        return ns(
            servers_client=servers, keypairs_client=keypairs,
            volumes_client_latest=volumes,
            snapshots_client_latest=snapshots,
            image_client_v2=images,
            networks_client=neutron('network', 'networks'),
            subnets_client=neutron('subnet', 'subnets'),
            routers_client=routers, ports_client=neutron('port', 'ports'),
            security_groups_client=secgroups,
            security_group_rules_client=ns(
                create_security_group_rule=create_rule),
            credentials=ns(project_id='p1'))
