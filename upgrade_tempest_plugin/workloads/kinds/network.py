"""Neutron's workload kind: a network stack."""

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.workloads.kinds import base


class NetworkStack(base.Kind):
    """A network, a subnet, a router with an interface on it, and a port."""
    name = 'network_stack'
    service = 'network'
    needs = ('neutron',)
    roles = (('net', 'network'), ('subnet', 'subnet'), ('router', 'router'),
             ('rif', 'router_interface'), ('port', 'port'))

    def create_or_verify(self, ws):
        r = ws.resources
        cidr = ws.settings.subnet_cidr
        net = ws.ensure_network(self.name, 'net')
        subnet = ws.ensure(self.name, 'subnet', 'subnet',
                           lambda name: r.subnets.create_subnet(
                               name=name, network_id=net['id'],
                               cidr=cidr, ip_version=4)['subnet'],
                           attrs={'cidr': cidr})
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
        ws.ensure_port(self.name, 'port', net['id'])

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
        try:
            port = ws.ensure_port(self.name, 'newport',
                                  entries['net']['resource_id'])
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
                problems += ws.delete_entries([entry])
        return problems
