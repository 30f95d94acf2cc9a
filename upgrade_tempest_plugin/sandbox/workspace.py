"""The Tempest workspace and clouds.yaml written for the sandbox.

Tempest runs non-admin only: pre-provisioned accounts, each project with a
member and a reader (Tempest 47's compute, volume and network tests ask for
a project reader persona).  Admin credentials appear only in the sandbox's
own clouds.yaml entry ``sandbox-admin``.
"""

import json
import os

from upgrade_tempest_plugin.sandbox import configs

# The plugin's service profile name of each sandbox service.
PROFILES = {'keystone': 'identity', 'placement': 'placement',
            'glance': 'image', 'cinder': 'volume', 'neutron': 'network',
            'nova': 'compute', 'swift': 'object_storage'}

# Projects of the test accounts: Tempest needs about two accounts per
# worker (primary and alt) and runs two workers on this kind of machine.
PROJECTS = ('demo', 'demo2', 'demo3', 'demo4')
# The member account that owns the persistent workloads of a run.
WORKLOAD_ACCOUNT = 'demo4'


def accounts(secrets):
    """Test accounts: per project a member and a reader."""
    result = []
    for project in PROJECTS:
        result.append({'username': project, 'project': project,
                       'password': secrets['demo'], 'roles': ['member']})
        result.append({'username': project + '-reader', 'project': project,
                       'password': secrets['demo'], 'roles': ['reader']})
    return result


def accounts_yaml(secrets):
    # JSON is YAML; no YAML library needed in the plugin's process.
    lines = []
    for a in accounts(secrets):
        lines.append('- username: %s' % json.dumps(a['username']))
        lines.append('  project_name: %s' % json.dumps(a['project']))
        lines.append('  password: %s' % json.dumps(a['password']))
        lines.append('  domain_name: Default')
        lines.append('  roles: %s' % json.dumps(a['roles']))
    return '\n'.join(lines) + '\n'


def package_versions(versions):
    """[upgrade_release] package_versions from {service: version}.

    Only the package version tells Keystone, Placement, Glance and Cinder
    releases apart; the sandbox knows it.
    """
    return ','.join('%s:%s' % (PROFILES[s], v)
                    for s, v in sorted(versions.items()))


def tempest_conf(layout, services, resources, extra=None):
    """``{section: {option: value}}`` of tempest.conf for this cloud.

    ``services`` maps each deployed service to its package version.
    """
    ws = layout.workspace
    has = set(services)
    flavors = resources.get('flavors', {})
    conf = {
        'DEFAULT': {'log_dir': os.path.join(ws, 'logs'),
                    'log_file': 'tempest.log'},
        'oslo_concurrency': {'lock_path': os.path.join(ws, 'tempest_lock')},
        'auth': {
            'use_dynamic_credentials': False,
            'test_accounts_file': os.path.join(ws, 'etc', 'accounts.yaml'),
            'create_isolated_networks': False,
            'default_credentials_domain_name': 'Default',
        },
        'identity': {'uri_v3': configs.identity_url(), 'auth_version': 'v3',
                     'region': configs.REGION},
        'identity-feature-enabled': {'api_v2': False},
        'service_available': {
            'nova': 'nova' in has, 'neutron': 'neutron' in has,
            'glance': 'glance' in has, 'cinder': 'cinder' in has,
            'swift': 'swift' in has, 'horizon': False, 'heat': False,
            'aodh': False, 'designate': False, 'octavia': False,
        },
        'validation': {'run_validation': False},
        'upgrade_release': {'package_versions': package_versions(services)},
        # Downtime windows name the sandbox upgrade step that caused them.
        'upgrade_budgets': {'events_file': layout.events_file},
        # The persistent workloads belong to one stable member account.
        # The fake virt driver forgets servers when nova-compute restarts
        # (the upgrade restarts it), so the servers' action check after
        # the upgrade is a metadata update, not stop/start.
        'upgrade_workloads': {'username': WORKLOAD_ACCOUNT,
                              'project_name': WORKLOAD_ACCOUNT,
                              'server_power_actions': False},
    }
    if 'nova' in has:
        conf['compute'] = {
            'image_ref': resources.get('image', ''),
            'image_ref_alt': resources.get('image', ''),
            'flavor_ref': flavors.get('m1.tiny', ''),
            'flavor_ref_alt': flavors.get('m1.micro', ''),
            'fixed_network_name': resources.get('network', ''),
            'max_microversion': 'latest',
            'build_timeout': 120,
        }
        # What the fake virt driver on a single host can do.
        conf['compute-feature-enabled'] = {
            'snapshot': False, 'console_output': True, 'resize': True,
            'live_migration': False, 'cold_migration': False,
            'vnc_console': False, 'spice_console': False,
            'serial_console': False, 'change_password': False,
            'personality': False, 'attach_encrypted_volume': False,
        }
    if 'glance' in has:
        conf['image-feature-enabled'] = {'import_image': False}
    if 'neutron' in has:
        conf['network'] = {'project_network_cidr': '10.100.0.0/16',
                           'shared_physical_network': True}
        conf['network-feature-enabled'] = {
            'api_extensions': resources.get('network_extensions', []),
            'floating_ips': False, 'port_security': True,
        }
    if 'cinder' in has:
        conf['volume'] = {'catalog_type': 'block-storage',
                          'storage_protocol': 'fake',
                          'backend_names': 'fake',
                          'max_microversion': 'latest'}
        conf['volume-feature-enabled'] = {'backup': False}
    if 'swift' in has:
        # the test accounts are members: Swift's keystoneauth makes a
        # member the operator of its project's account.
        conf['object-storage'] = {'catalog_type': 'object-store',
                                  'region': configs.REGION,
                                  'operator_role': 'member'}
        # what the sandbox's proxy runs (not "all"); no container sync
        # realms
        conf['object-storage-feature-enabled'] = {
            'discoverable_apis': list(configs.SWIFT_FEATURES),
            'container_sync': False}
    for section, options in (extra or {}).items():
        conf.setdefault(section, {}).update(options)
    return conf


def write(layout, secrets, services, resources, extra=None):
    """Write ``<sandbox>/tempest/etc/{tempest.conf,accounts.yaml}``."""
    etc = os.path.join(layout.workspace, 'etc')
    for d in (etc, os.path.join(layout.workspace, 'logs'),
              os.path.join(layout.workspace, 'tempest_lock')):
        os.makedirs(d, exist_ok=True)
    _write(os.path.join(etc, 'accounts.yaml'), accounts_yaml(secrets))
    _write(os.path.join(etc, 'tempest.conf'), configs.render_ini(
        tempest_conf(layout, services, resources, extra)))


def clouds_yaml(secrets):
    """clouds.yaml text: one entry per test account plus sandbox-admin."""
    entries = [('sandbox-admin', 'admin', 'admin', secrets['admin'])]
    entries += [('sandbox-' + a['username'], a['username'], a['project'],
                 a['password']) for a in accounts(secrets)]
    lines = ['clouds:']
    for name, user, project, password in entries:
        lines += [
            '  %s:' % name,
            '    region_name: %s' % configs.REGION,
            '    identity_api_version: 3',
            '    auth:',
            '      auth_url: %s' % configs.identity_url(),
            '      username: %s' % json.dumps(user),
            '      password: %s' % json.dumps(password),
            '      project_name: %s' % json.dumps(project),
            '      user_domain_name: Default',
            '      project_domain_name: Default',
        ]
    return '\n'.join(lines) + '\n'


def write_clouds_yaml(layout, secrets):
    path = layout.path('clouds.yaml')
    _write(path, clouds_yaml(secrets))
    return path


def _write(path, text):
    tmp = path + '.tmp'
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
              'w') as f:
        f.write(text)
    os.replace(tmp, path)
