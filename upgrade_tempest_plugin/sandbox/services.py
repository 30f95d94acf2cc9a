"""How each OpenStack service of the sandbox is run and migrated.

A service is a set of processes: its API under gunicorn (a generated WSGI
module that clears gunicorn's argv before oslo.config parses it) and, for
nova and cinder, oslo.service daemons.  Schema commands are given per mode:
``sync`` for a first deployment and a cold upgrade, ``expand`` before and
``contract`` after the code switch of a rolling upgrade.

Swift is the exception: its own eventlet servers (``swift-*-server
CONF``), no gunicorn and no database; its storage servers start first and
its proxy, the catalog's ``object-store``, last.  It cannot share a port
with a new proxy (no SO_REUSEPORT), so an upgrade restarts each of its
servers in turn.
"""

import collections
import os

from upgrade_tempest_plugin.sandbox import ports

Process = collections.namedtuple('Process', 'name kind command')

# service -> (candidate WSGI entry points, oldest release last), as
# (module, attribute, call it?)
WSGI = {
    'keystone': [('keystone.wsgi.api', 'application', False),
                 ('keystone.server.wsgi', 'initialize_public_application',
                  True)],
    'placement': [('placement.wsgi.api', 'application', False),
                  ('placement.wsgi', 'init_application', True)],
    'glance': [('glance.wsgi.api', 'application', False),
               ('glance.common.wsgi_app', 'init_app', True)],
    'cinder': [('cinder.wsgi.api', 'application', False),
               ('cinder.wsgi.wsgi', 'initialize_application', True)],
    'neutron': [('neutron.wsgi.api', 'application', False),
                ('neutron.server', 'get_application', True)],
    'nova': [('nova.wsgi.osapi_compute', 'application', False),
             ('nova.api.openstack.compute.wsgi', 'init_application', True)],
}

# Functions called once the app is loaded.  neutron 28 reads the
# Port.port_forwardings backref in every port GET, but a backref exists
# only once SQLAlchemy has configured the mappers, which the first query
# does: a port GET as first request after a start failed with HTTP 500.
AFTER_LOAD = {'neutron': [('sqlalchemy.orm', 'configure_mappers')]}

#: gunicorn workers of every API: two, so that one slow request (a
#: policy check, a DB round trip) does not queue every other client,
#: the observers' probes included, behind it (measured in
#: benchmarks/probe_cost_bench.py; doc/source/sandbox.rst).
API_WORKERS = 2

DAEMONS = {
    'nova': ('nova-conductor', 'nova-scheduler', 'nova-compute'),
    'cinder': ('cinder-scheduler', 'cinder-volume'),
}

#: Swift's storage servers (each with one device on its ring), in start
#: order, and the port name of each of its processes.
SWIFT_SERVERS = ('object', 'container', 'account')
SWIFT_PROCESSES = {'swift-%s-server' % name: 'swift-' + name
                   for name in SWIFT_SERVERS}
SWIFT_PROCESSES['swift-proxy-server'] = 'swift'

MAIN_CONF = {
    'keystone': 'keystone.conf',
    'placement': 'placement.conf',
    'glance': 'glance-api.conf',
    'cinder': 'cinder.conf',
    'neutron': 'neutron.conf',
    'nova': 'nova.conf',
    'swift': 'proxy-server.conf',
}


def conf(layout, service):
    return os.path.join(layout.etc_of(service), MAIN_CONF[service])


def processes(service):
    """Process names of ``service``, in start order (API last)."""
    if service == 'swift':
        return list(SWIFT_PROCESSES)
    return list(DAEMONS.get(service, ())) + [service + '-api']


def listeners(service):
    """{process: its port's name in ports.PORTS} of what listens."""
    if service == 'swift':
        return dict(SWIFT_PROCESSES)
    return {service + '-api': service}


def swift_conf(layout, process):
    """Config file of Swift's ``process`` (object-server.conf...)."""
    return os.path.join(layout.etc_of('swift'),
                        process[len('swift-'):] + '.conf')


def wsgi_module_text(layout, service):
    """Source of the gunicorn entry module of ``service``."""
    argv = 'sys.argv[:1]'
    if service == 'cinder':
        # cinder's WSGI app reads no config dir variable.
        argv += ' + [%r, %r]' % ('--config-file', conf(layout, service))
    lines = [
        '"""gunicorn entry point of %s, written by the sandbox."""' % service,
        'import importlib',
        'import sys',
        '',
        '# oslo.config would parse gunicorn\'s own options and exit.',
        'sys.argv = %s' % argv,
        '',
        'for _module, _name, _call in %r:' % (WSGI[service],),
        '    try:',
        '        _mod = importlib.import_module(_module)',
        '    except ImportError:',
        '        continue',
        '    application = getattr(_mod, _name)',
        '    if _call:',
        '        application = application()',
        '    break',
        '',
        'for _module, _name in %r:' % (AFTER_LOAD.get(service, []),),
        '    getattr(importlib.import_module(_module), _name)()',
        '',
    ]
    return '\n'.join(lines)


def write_wsgi_module(layout, service):
    """The gunicorn entry module; none for Swift (it runs its own)."""
    if service not in WSGI:
        return
    wsgi_dir = os.path.join(layout.etc, 'wsgi')
    os.makedirs(wsgi_dir, exist_ok=True)
    with open(os.path.join(wsgi_dir, '%s_wsgi.py' % service), 'w') as f:
        f.write(wsgi_module_text(layout, service))


def env(layout, service, venv):
    """Environment of every process of ``service`` running from ``venv``."""
    e = dict(os.environ)
    e['OS_%s_CONFIG_DIR' % service.upper()] = layout.etc_of(service)
    if service == 'neutron':
        # All of ML2's options are in neutron.conf.
        e['OS_NEUTRON_CONFIG_FILES'] = 'neutron.conf'
    # cinder calls "sudo cinder-rootwrap ... privsep-helper": the sandbox
    # runs as root and its sudo shim (Debian images often lack sudo) runs
    # the venv's commands.
    e['PATH'] = ':'.join([os.path.join(layout.root, 'bin'),
                          os.path.join(venv.path, 'bin'),
                          e.get('PATH', '/usr/bin:/bin')])
    return e


def write_sudo_shim(layout):
    bindir = os.path.join(layout.root, 'bin')
    os.makedirs(bindir, exist_ok=True)
    path = os.path.join(bindir, 'sudo')
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n# sandbox runs as root: sudo is a no-op\n'
                'exec "$@"\n')
    os.chmod(path, 0o755)


def command(layout, venv, service, process, reuse_port=True,
            keep_alive=None):
    """argv of ``process`` of ``service`` running from ``venv``.

    ``keep_alive``: seconds an API keeps an idle client connection open
    (gunicorn's threaded worker); None: gunicorn's synchronous worker,
    which closes every connection after its answer.
    """
    if service == 'swift':
        # --verbose: log to stderr (the process's log file), not syslog.
        return [venv.bin(process), swift_conf(layout, process), '--verbose']
    if process.endswith('-api'):
        # --preload: the master loads the application before it binds the
        # port, so a (re)started API never takes a connection it cannot
        # answer yet (without it, connections wait in the listen queue
        # through the seconds the application takes to load).
        argv = [venv.bin('gunicorn'), '--preload',
                '--bind', '%s:%d' % (ports.HOST, ports.PORTS[service]),
                '--workers', str(API_WORKERS),
                '--timeout', '300', '--graceful-timeout', '20',
                '--pythonpath', os.path.join(layout.etc, 'wsgi'),
                '--name', process]
        if reuse_port:
            # a rolling upgrade starts the new API on the same port
            # before the old one stops.
            argv.append('--reuse-port')
        if keep_alive is not None:
            argv += ['--worker-class', 'gthread', '--threads', '1',
                     '--keep-alive', '%g' % keep_alive]
        return argv + ['%s_wsgi:application' % service]
    return [venv.bin(process), '--config-file', conf(layout, service)]


def manage(venv, layout, service, *args):
    """argv of the service's manage command."""
    c = conf(layout, service)
    if service == 'neutron':
        return [venv.bin('neutron-db-manage'), '--config-file', c] + list(
            args)
    name = {'keystone': 'keystone-manage', 'placement': 'placement-manage',
            'glance': 'glance-manage', 'cinder': 'cinder-manage',
            'nova': 'nova-manage'}[service]
    return [venv.bin(name), '--config-file', c] + list(args)


def schema_commands(service, mode):
    """Manage-command argument lists for ``mode``.

    mode: 'sync' (first deployment, cold upgrade), 'expand' (rolling, old
    code still serving), 'contract' (rolling, after the switch), 'post'
    (cold, after the restart).
    """
    table = {
        'keystone': {'sync': [['db_sync']],
                     'expand': [['db_sync', '--expand'],
                                ['db_sync', '--migrate']],
                     'contract': [['db_sync', '--contract']]},
        'placement': {'sync': [['db', 'sync']],
                      'expand': [['db', 'sync']], 'contract': []},
        'glance': {'sync': [['db_sync']],
                   'expand': [['db', 'expand'], ['db', 'migrate']],
                   'contract': [['db', 'contract']]},
        'cinder': {'sync': [['db', 'sync']],
                   'expand': [['db', 'sync']],
                   'contract': [['db', 'online_data_migrations']]},
        'neutron': {'sync': [['upgrade', 'heads']],
                    'expand': [['upgrade', '--expand']],
                    'contract': [['upgrade', '--contract']]},
        'nova': {'sync': [['api_db', 'sync'], ['db', 'sync']],
                 'expand': [['api_db', 'sync'], ['db', 'sync']],
                 'contract': [['db', 'online_data_migrations']]},
        # no database; its rings are written with its configuration.
        'swift': {'sync': [], 'expand': [], 'contract': []},
    }
    if mode == 'post':
        # after a cold upgrade: the data migrations the new code runs
        # online (the schema is synced already).
        return [c for c in table[service]['contract']
                if c[-1] == 'online_data_migrations']
    return table[service][mode]


def health_url(service):
    """A URL that answers below 500 once ``service``'s API serves.

    Swift's proxy answers its healthcheck middleware's path (its root is a
    404 even while no storage server listens).
    """
    path = 'healthcheck' if service == 'swift' else ''
    return 'http://%s:%d/%s' % (ports.HOST, ports.PORTS[service], path)
