"""A minimal authenticated HTTP client for the sandbox's own checks.

Plain urllib, so the plugin's process needs no OpenStack client library to
ask nova or cinder whether their services are up and whether they can serve
a user's first request (cinder-scheduler's pools, nova's compute node in
placement and in a cell).
"""

import json
import urllib.request

from upgrade_tempest_plugin.sandbox import configs


class Client(object):

    def __init__(self, username, password, project, timeout=10):
        self.timeout = timeout
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': username, 'password': password,
                'domain': {'name': 'Default'}}}},
            'scope': {'project': {'name': project,
                                  'domain': {'name': 'Default'}}}}}
        req = urllib.request.Request(
            configs.identity_url() + '/auth/tokens',
            data=json.dumps(body).encode(),
            headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            self.token = resp.headers['X-Subject-Token']
            token = json.load(resp)['token']
        catalog = token['catalog']
        self.project_id = token['project']['id']
        self.endpoints = {}
        for entry in catalog:
            for ep in entry['endpoints']:
                if ep['interface'] == 'public':
                    self.endpoints[entry['type']] = ep['url']

    def get(self, service_type, path, headers=None):
        req = urllib.request.Request(
            self.endpoints[service_type] + path,
            headers=dict(headers or {}, **{'X-Auth-Token': self.token}))
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            return json.load(resp)


def admin(secrets):
    return Client('admin', secrets['admin'], 'admin')


def services_up(client, service_type, binary):
    """Hosts on which ``binary`` reports state 'up'."""
    path = {'compute': '/os-services', 'block-storage': '/os-services'}[
        service_type]
    data = client.get(service_type, path)
    return [s['host'] for s in data['services']
            if s['binary'] == binary and s['state'] == 'up']


def cinder_pools(client):
    """Names of the pools cinder-scheduler knows.

    Empty until the scheduler has received cinder-volume's capabilities;
    until then every volume create fails with "No valid backend".
    """
    data = client.get('block-storage', '/%s/scheduler-stats/get_pools'
                      % client.project_id)
    return [p['name'] for p in data.get('pools') or []]


# 2.53: a hypervisor's id is its compute node's uuid, which is also the
# uuid of its resource provider in placement.
COMPUTE_2_53 = {'OpenStack-API-Version': 'compute 2.53',
                'X-OpenStack-Nova-API-Version': '2.53'}


def hypervisors(client):
    """Compute nodes nova lists (only those whose host is in a cell)."""
    return client.get('compute', '/os-hypervisors/detail',
                      headers=COMPUTE_2_53)['hypervisors']


def providers_with_inventory(client):
    """{uuid: name} of the resource providers that have an inventory."""
    found = {}
    data = client.get('placement', '/resource_providers')
    for rp in data['resource_providers']:
        inv = client.get('placement', '/resource_providers/%s/inventories'
                         % rp['uuid'])
        if inv.get('inventories'):
            found[rp['uuid']] = rp['name']
    return found
