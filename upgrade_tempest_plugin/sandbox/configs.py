"""Configuration files of the sandbox's services, rendered from data.

Every file is an INI built from nested dicts, so tests can check options
without parsing text, and nothing here depends on a service's release
except where noted.
"""

import os

from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import services

HOST = ports.HOST
REGION = 'RegionOne'

# database names of each service
DATABASES = {
    'keystone': ('keystone',),
    'placement': ('placement',),
    'glance': ('glance',),
    'cinder': ('cinder',),
    'neutron': ('neutron',),
    'nova': ('nova_api', 'nova', 'nova_cell0'),
    'swift': (),
}

# service -> [(catalog type, path after host:port)]
CATALOG = {
    'placement': [('placement', '')],
    'glance': [('image', '')],
    'cinder': [('block-storage', '/v3'), ('volumev3', '/v3')],
    'neutron': [('network', '')],
    'nova': [('compute', '/v2.1')],
    # Keystone puts the caller's project id in (Swift's account).
    'swift': [('object-store', '/v1/AUTH_%(project_id)s')],
}


def url(service, path=''):
    return 'http://%s:%d%s' % (HOST, ports.PORTS[service], path)


def identity_url():
    return url('keystone', '/v3')


def render_ini(sections):
    """INI text of ``{section: {option: value}}``; lists become commas."""
    lines = []
    for name, options in sections.items():
        lines.append('[%s]' % name)
        for key, value in options.items():
            if isinstance(value, (list, tuple)):
                value = ','.join(value)
            elif isinstance(value, bool):
                value = str(value).lower()
            lines.append('%s = %s' % (key, value))
        lines.append('')
    return '\n'.join(lines)


def db_url(secrets, database):
    return 'mysql+pymysql://os:%s@%s:%d/%s?charset=utf8' % (
        secrets['db'], HOST, ports.PORTS['mariadb'], database)


def transport_url(secrets):
    return 'rabbit://openstack:%s@%s:%d/' % (
        secrets['rabbit'], HOST, ports.PORTS['rabbitmq'])


def service_auth(secrets, user):
    """A keystoneauth password section for service user ``user``."""
    return {
        'auth_url': url('keystone'),
        'auth_type': 'password',
        'project_domain_name': 'Default',
        'user_domain_name': 'Default',
        'project_name': 'service',
        'username': user,
        'password': secrets['service'],
        'region_name': REGION,
    }


def authtoken(secrets, user):
    section = service_auth(secrets, user)
    section['www_authenticate_uri'] = url('keystone')
    section['service_token_roles_required'] = True
    return section


def _common(layout, secrets, service):
    return {
        'DEFAULT': {
            'transport_url': transport_url(secrets),
            'state_path': layout.data_of(service),
        },
        'oslo_concurrency': {
            'lock_path': os.path.join(layout.data_of(service), 'lock'),
        },
        'oslo_messaging_notifications': {'driver': 'noop'},
    }


def keystone(layout, secrets, venv_etc):
    data = layout.data_of('keystone')
    keys = os.path.join(data, 'fernet-keys')
    return {'keystone.conf': {
        'DEFAULT': {},
        'database': {'connection': db_url(secrets, 'keystone')},
        # Uncached, every authenticated request costs ~0.4 s.
        'cache': {
            'enabled': True,
            'backend': 'dogpile.cache.pymemcache',
            'memcache_servers': '%s:%d' % (HOST, ports.PORTS['memcached']),
        },
        'token': {'provider': 'fernet'},
        'fernet_tokens': {'key_repository': keys},
        'fernet_receipts': {'key_repository': keys},
        'credential': {
            'key_repository': os.path.join(data, 'credential-keys')},
        # bcrypt at 12 rounds costs ~0.3 s per token on 2 cores.
        'identity': {'password_hash_rounds': 4},
    }}


def placement(layout, secrets, venv_etc):
    return {'placement.conf': {
        'DEFAULT': {},
        'api': {'auth_strategy': 'keystone'},
        'placement_database': {'connection': db_url(secrets, 'placement')},
        'keystone_authtoken': authtoken(secrets, 'placement'),
    }}


def glance(layout, secrets, venv_etc):
    data = layout.data_of('glance')
    conf = _common(layout, secrets, 'glance')
    conf['DEFAULT']['enabled_backends'] = 'local:file'
    conf.update({
        'database': {'connection': db_url(secrets, 'glance')},
        'keystone_authtoken': authtoken(secrets, 'glance'),
        'paste_deploy': {
            'flavor': 'keystone',
            'config_file': os.path.join(layout.etc_of('glance'),
                                        'glance-api-paste.ini'),
        },
        'glance_store': {'default_backend': 'local'},
        'local': {'filesystem_store_datadir': os.path.join(data, 'images')},
        'os_glance_staging_store': {
            'filesystem_store_datadir': os.path.join(data, 'staging')},
        'os_glance_tasks_store': {
            'filesystem_store_datadir': os.path.join(data, 'tasks')},
    })
    return {'glance-api.conf': conf,
            'glance-api-paste.ini': _copy(venv_etc, 'glance-api-paste.ini')}


def cinder(layout, secrets, venv_etc):
    etc = layout.etc_of('cinder')
    conf = _common(layout, secrets, 'cinder')
    conf['DEFAULT'].update({
        'auth_strategy': 'keystone',
        'host': 'sandbox-block',
        'my_ip': HOST,
        'enabled_backends': 'fake',
        'api_paste_config': os.path.join(etc, 'api-paste.ini'),
        'rootwrap_config': os.path.join(etc, 'rootwrap.conf'),
        'osapi_volume_workers': 1,
        'graceful_shutdown_timeout': 10,
    })
    conf.update({
        'database': {'connection': db_url(secrets, 'cinder')},
        'keystone_authtoken': authtoken(secrets, 'cinder'),
        'nova': service_auth(secrets, 'nova'),
        'fake': {
            'volume_driver': 'sandbox_cinder_driver.SandboxFakeDriver',
            'volume_backend_name': 'fake',
        },
    })
    rootwrap = {'DEFAULT': {
        'filters_path': os.path.join(venv_etc, 'rootwrap.d'),
        'exec_dirs': [os.path.normpath(os.path.join(venv_etc, '..', '..',
                                                    'bin')),
                      '/usr/local/sbin', '/usr/local/bin', '/usr/sbin',
                      '/usr/bin', '/sbin', '/bin'],
        'use_syslog': False,
    }}
    return {'cinder.conf': conf, 'rootwrap.conf': rootwrap,
            'api-paste.ini': _copy(venv_etc, 'api-paste.ini')}


def neutron(layout, secrets, venv_etc):
    conf = _common(layout, secrets, 'neutron')
    conf['DEFAULT'].update({
        'core_plugin': 'ml2',
        # The router API works without an L3 agent; tempest's port filters
        # and tags tests need it.
        'service_plugins': 'router',
        'auth_strategy': 'keystone',
        'api_paste_config': os.path.join(layout.etc_of('neutron'),
                                         'api-paste.ini'),
        'notify_nova_on_port_status_changes': True,
        'notify_nova_on_port_data_changes': True,
        'api_workers': 1,
    })
    conf.update({
        'database': {'connection': db_url(secrets, 'neutron')},
        'keystone_authtoken': authtoken(secrets, 'neutron'),
        'nova': service_auth(secrets, 'nova'),
        # No agents, no data plane: the sandbox driver binds every port.
        'ml2': {
            'type_drivers': 'flat,local',
            'tenant_network_types': 'local',
            'mechanism_drivers': 'sandbox_binder',
            'extension_drivers': 'port_security',
        },
        'ml2_type_flat': {'flat_networks': 'physnet1'},
    })
    return {'neutron.conf': conf,
            'api-paste.ini': _copy(venv_etc, 'api-paste.ini')}


def nova(layout, secrets, venv_etc):
    conf = _common(layout, secrets, 'nova')
    conf['DEFAULT'].update({
        # Persists the compute node identity in state_path/compute_id; the
        # plain fake driver makes a new one per process and then refuses
        # to start again.
        'compute_driver': 'fake.FakeDriverWithoutFakeNodes',
        'host': 'sandbox-compute',
        'my_ip': HOST,
        'instances_path': os.path.join(layout.data_of('nova'), 'instances'),
        'allow_resize_to_same_host': True,
        'vif_plugging_is_fatal': False,
        'vif_plugging_timeout': 0,
        'osapi_compute_workers': 1,
        'graceful_shutdown_timeout': 10,
    })
    conf.update({
        'api': {'auth_strategy': 'keystone'},
        'wsgi': {'api_paste_config': os.path.join(layout.etc_of('nova'),
                                                  'api-paste.ini')},
        'api_database': {'connection': db_url(secrets, 'nova_api')},
        'database': {'connection': db_url(secrets, 'nova')},
        'keystone_authtoken': authtoken(secrets, 'nova'),
        'service_user': dict(service_auth(secrets, 'nova'),
                             send_service_user_token=True),
        'placement': service_auth(secrets, 'placement'),
        'neutron': service_auth(secrets, 'neutron'),
        'cinder': {'os_region_name': REGION},
        'glance': {'region_name': REGION},
        'conductor': {'workers': 1},
        'scheduler': {'workers': 1,
                      'discover_hosts_in_cells_interval': 30},
        'upgrade_levels': {'compute': 'auto'},
        'vnc': {'enabled': False},
    })
    return {'nova.conf': conf, 'api-paste.ini': _copy(venv_etc,
                                                      'api-paste.ini')}


#: Salt of Swift's partition hashing.  Not a secret in a sandbox, and
#: fixed: objects carried by a snapshot are found on import only under the
#: same salt.
SWIFT_HASH = 'upgrade-tempest-sandbox'
#: The one device of every ring, a plain directory (no mount check).
SWIFT_DEVICE = 'd1'
#: Roles that own a project's account (the test accounts are members).
SWIFT_OPERATOR_ROLES = ('admin', 'member')
#: The optional API features the proxy runs (slo and dlo: the segmented
#: uploads of large snapshot bundles); tempest.conf lists them as
#: discoverable, so Tempest skips the tests of the others.
SWIFT_FEATURES = ('slo', 'dlo', 'versioned_writes', 'symlink')
#: The proxy's middlewares in order (keystonemiddleware's authtoken then
#: Swift's keystoneauth; the cache is the sandbox's memcached).
SWIFT_PIPELINE = (('catch_errors', 'gatekeeper', 'healthcheck',
                   'proxy-logging', 'cache', 'listing_formats', 'authtoken',
                   'keystoneauth', 'copy') + SWIFT_FEATURES +
                  ('proxy-logging', 'proxy-server'))


def swift_devices(layout):
    return os.path.join(layout.data_of('swift'), 'devices')


def swift(layout, secrets, venv_etc):
    """swift.conf, one config per storage server, the proxy's."""
    etc = layout.etc_of('swift')
    files = {'swift.conf': {
        'swift-hash': {'swift_hash_path_prefix': SWIFT_HASH,
                       'swift_hash_path_suffix': SWIFT_HASH},
        'storage-policy:0': {'name': 'Policy-0', 'default': 'yes'},
    }}
    for name in services.SWIFT_SERVERS:
        files['%s-server.conf' % name] = {
            'DEFAULT': {
                'bind_ip': HOST,
                'bind_port': ports.PORTS['swift-' + name],
                'devices': swift_devices(layout),
                'mount_check': False,
                'swift_dir': etc,
                # one process, no forked workers
                'workers': 0,
                'log_name': 'swift-%s-server' % name,
            },
            'pipeline:main': {'pipeline': '%s-server' % name},
            'app:%s-server' % name: {'use': 'egg:swift#' + name},
        }
    proxy = {
        'DEFAULT': {'bind_ip': HOST, 'bind_port': ports.PORTS['swift'],
                    'swift_dir': etc, 'workers': 0,
                    'log_name': 'swift-proxy-server'},
        'pipeline:main': {'pipeline': ' '.join(SWIFT_PIPELINE)},
        'app:proxy-server': {'use': 'egg:swift#proxy',
                             'account_autocreate': True},
    }
    for name in SWIFT_PIPELINE[:-1]:
        proxy['filter:' + name] = {'use': 'egg:swift#' + name.replace(
            'cache', 'memcache').replace('-', '_')}
    proxy['filter:cache']['memcache_servers'] = '%s:%d' % (
        HOST, ports.PORTS['memcached'])
    proxy['filter:authtoken'] = dict(
        authtoken(secrets, 'swift'),
        **{'paste.filter_factory': 'keystonemiddleware.auth_token:'
                                   'filter_factory',
           # keystoneauth decides (and lets /info and the healthcheck
           # through without a token)
           'delay_auth_decision': True})
    proxy['filter:keystoneauth']['operator_roles'] = list(
        SWIFT_OPERATOR_ROLES)
    files['proxy-server.conf'] = proxy
    return files


#: 2**8 partitions: plenty for one device, and quick to rebalance.
SWIFT_PART_POWER = 8


def swift_rings(layout):
    """The request of venv_scripts/swift_rings.py for this sandbox."""
    return {
        'swift_dir': layout.etc_of('swift'),
        'part_power': SWIFT_PART_POWER,
        'device': SWIFT_DEVICE,
        'rings': {name: [HOST, ports.PORTS['swift-' + name]]
                  for name in services.SWIFT_SERVERS},
    }


class Verbatim(str):
    """File content copied as is (paste pipelines from the wheel)."""


def _copy(venv_etc, name):
    with open(os.path.join(venv_etc, name)) as f:
        return Verbatim(f.read())


RENDERERS = {
    'keystone': keystone,
    'placement': placement,
    'glance': glance,
    'cinder': cinder,
    'neutron': neutron,
    'nova': nova,
    'swift': swift,
}


def write(layout, secrets, service, venv):
    """Write ``service``'s config files for ``venv``; returns their paths."""
    etc = layout.etc_of(service)
    os.makedirs(etc, exist_ok=True)
    venv_etc = os.path.join(venv.path, 'etc', service)
    paths = []
    files = RENDERERS[service](layout, secrets, venv_etc)
    for name, content in files.items():
        path = os.path.join(etc, name)
        text = content if isinstance(content, str) else render_ini(content)
        tmp = path + '.tmp'
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                  'w') as f:
            f.write(text)
        os.replace(tmp, path)
        paths.append(path)
    return paths
