"""Seed the sandbox cloud: identity, catalog, test accounts, resources.

Run as ``<tools venv>/bin/python seed.py PHASE < request.json``.  Every
step finds before it creates, so a re-run after a failure is safe.
"""

import json
import os
import sys

import openstack


def connect(req):
    return openstack.connect(
        auth_url=req['auth_url'], username='admin',
        password=req['admin_password'], project_name='admin',
        user_domain_name='Default', project_domain_name='Default',
        region_name=req['region'], identity_api_version='3')


def ensure_project(conn, name, description):
    return (conn.identity.find_project(name, domain_id='default')
            or conn.identity.create_project(
                name=name, domain_id='default', description=description))


def ensure_user(conn, name, password, project):
    user = conn.identity.find_user(name, domain_id='default')
    if user is None:
        user = conn.identity.create_user(
            name=name, password=password, domain_id='default',
            default_project_id=project.id)
    else:
        conn.identity.update_user(user, password=password)
    return user


def ensure_role(conn, name):
    return (conn.identity.find_role(name)
            or conn.identity.create_role(name=name))


def grant(conn, project, user, role):
    conn.identity.assign_project_role_to_user(project, user, role)


def identity(conn, req):
    """Service project/users, catalog, and the test accounts."""
    service_project = ensure_project(conn, 'service', 'service users')
    admin_role = ensure_role(conn, 'admin')
    service_role = ensure_role(conn, 'service')
    member = ensure_role(conn, 'member')
    reader = ensure_role(conn, 'reader')
    for name in req['service_users']:
        user = ensure_user(conn, name, req['service_password'],
                           service_project)
        grant(conn, service_project, user, admin_role)
        grant(conn, service_project, user, service_role)
    for svc_type, url in req['catalog']:
        svc = conn.identity.find_service(svc_type)
        if svc is None:
            svc = conn.identity.create_service(type=svc_type, name=svc_type)
        existing = {(e.interface, e.url) for e in conn.identity.endpoints(
            service_id=svc.id)}
        for interface in ('public', 'internal', 'admin'):
            if (interface, url) not in existing:
                conn.identity.create_endpoint(
                    service_id=svc.id, interface=interface, url=url,
                    region_id=req['region'])
    # Tempest's tests ask for a project member and a project reader of
    # the same project.
    for account in req['accounts']:
        project = ensure_project(conn, account['project'], 'test project')
        user = ensure_user(conn, account['username'], account['password'],
                           project)
        role = member if 'member' in account['roles'] else reader
        grant(conn, project, user, role)
    return {}


def resources(conn, req):
    """Flavors, the shared network, the image Tempest boots."""
    answer = {'flavors': {}}
    if req.get('nova'):
        for name, ram, disk in (('m1.tiny', 64, 1), ('m1.micro', 128, 1)):
            flavor = conn.compute.find_flavor(name)
            if flavor is None:
                flavor = conn.compute.create_flavor(
                    name=name, ram=ram, vcpus=1, disk=disk, is_public=True)
            answer['flavors'][name] = flavor.id
    if req.get('neutron'):
        net = conn.network.find_network('shared')
        if net is None:
            net = conn.network.create_network(
                name='shared', is_shared=True,
                provider_network_type='flat',
                provider_physical_network='physnet1')
        if not list(conn.network.subnets(network_id=net.id)):
            conn.network.create_subnet(
                name='shared-subnet', network_id=net.id, ip_version=4,
                cidr='10.0.0.0/22', is_dhcp_enabled=False)
        answer['network'] = net.name
        answer['network_extensions'] = sorted(
            e.alias for e in conn.network.extensions())
    if req.get('glance'):
        image = conn.image.find_image('sandbox-image')
        if image is None:
            # A raw image's data is anything; glance checks the format.
            image = conn.image.create_image(
                name='sandbox-image', data=os.urandom(1024 * 1024),
                disk_format='raw', container_format='bare',
                visibility='public', allow_duplicates=True)
        answer['image'] = image.id
    return answer


def main():
    req = json.load(sys.stdin)
    conn = connect(req)
    phase = {'identity': identity, 'resources': resources}[sys.argv[1]]
    json.dump(phase(conn, req), sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
