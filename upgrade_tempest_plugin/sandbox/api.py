"""A minimal authenticated HTTP client for the sandbox's own checks.

Plain urllib, so the plugin's process needs no OpenStack client library to
ask nova or cinder whether their services are up.
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
            catalog = json.load(resp)['token']['catalog']
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
