"""The sandbox's own MariaDB, RabbitMQ (with its epmd) and memcached.

Each runs as root from the Debian binaries with its data, logs and pidfile
under the sandbox dir, on the ports in :mod:`ports`, never as the system's
service.  RabbitMQ is started through ``/usr/lib/rabbitmq/bin`` because the
``/usr/sbin`` wrapper switches to the ``rabbitmq`` user and drops the
environment that points it at the sandbox.
"""

import os
import subprocess

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin.sandbox import configs
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import ports

RABBIT_BIN = '/usr/lib/rabbitmq/bin'
PROCESSES = ('mariadb', 'epmd', 'rabbitmq', 'memcached')
#: Seconds each may take to accept connections.
START_TIMEOUT = 90


def _my_cnf(layout):
    return os.path.join(layout.etc, 'mariadb', 'my.cnf')


def write_mariadb_conf(layout):
    sock = os.path.join(layout.run, 'mariadb.sock')
    text = configs.render_ini({
        'client': {'socket': sock, 'user': 'root'},
        'mysqld': {
            'user': 'root',
            'datadir': layout.data_of('mariadb'),
            'socket': sock,
            'port': ports.PORTS['mariadb'],
            'bind-address': ports.HOST,
            'pid-file': os.path.join(layout.run, 'mariadbd.pid'),
            'skip-name-resolve': 1,
            'innodb_buffer_pool_size': '128M',
            'max_connections': 1000,
            'character-set-server': 'utf8mb4',
            'collation-server': 'utf8mb4_general_ci',
        },
    })
    os.makedirs(os.path.dirname(_my_cnf(layout)), exist_ok=True)
    with open(_my_cnf(layout), 'w') as f:
        f.write(text)


def _rabbit_env(layout):
    etc = os.path.join(layout.etc, 'rabbitmq')
    data = layout.data_of('rabbitmq')
    env = dict(os.environ)
    env.update({
        'HOME': data,
        'RABBITMQ_NODENAME': 'rabbit@localhost',
        'RABBITMQ_NODE_IP_ADDRESS': ports.HOST,
        'RABBITMQ_NODE_PORT': str(ports.PORTS['rabbitmq']),
        'RABBITMQ_DIST_PORT': str(ports.PORTS['rabbitmq-dist']),
        'ERL_EPMD_PORT': str(ports.PORTS['epmd']),
        'ERL_EPMD_ADDRESS': ports.HOST,
        'RABBITMQ_MNESIA_BASE': os.path.join(data, 'mnesia'),
        'RABBITMQ_LOG_BASE': os.path.join(layout.logs, 'rabbitmq'),
        'RABBITMQ_LOGS': '-',
        'RABBITMQ_CONFIG_FILE': os.path.join(etc, 'rabbitmq.conf'),
        'RABBITMQ_ADVANCED_CONFIG_FILE': os.path.join(etc, 'advanced.config'),
        'RABBITMQ_CONF_ENV_FILE': os.path.join(etc, 'rabbitmq-env.conf'),
        'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(etc, 'enabled_plugins'),
        'RABBITMQ_PID_FILE': os.path.join(layout.run, 'rabbitmq.internal.pid'),
    })
    return env


def write_rabbit_conf(layout, secrets):
    etc = os.path.join(layout.etc, 'rabbitmq')
    os.makedirs(etc, exist_ok=True)
    os.makedirs(layout.data_of('rabbitmq'), exist_ok=True)
    files = {
        # default_user/pass apply when the node first creates its database.
        'rabbitmq.conf': 'default_user = openstack\n'
                         'default_pass = %s\n'
                         'loopback_users = none\n' % secrets['rabbit'],
        'enabled_plugins': '[].\n',
        'rabbitmq-env.conf': '',
    }
    for name, text in files.items():
        path = os.path.join(etc, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                          0o600), 'w') as f:
            f.write(text)


def _argv(layout, name):
    if name == 'mariadb':
        return ['/usr/sbin/mariadbd', '--defaults-file=' + _my_cnf(layout)]
    if name == 'epmd':
        return ['/usr/bin/epmd', '-port', str(ports.PORTS['epmd']),
                '-address', ports.HOST]
    if name == 'rabbitmq':
        return [os.path.join(RABBIT_BIN, 'rabbitmq-server')]
    return ['/usr/bin/memcached', '-l', ports.HOST, '-p',
            str(ports.PORTS['memcached']), '-U', '0', '-m', '64', '-u', 'root']


def init_mariadb(layout, out):
    """Create the data dir once (mariadb-install-db)."""
    datadir = layout.data_of('mariadb')
    if os.path.isdir(os.path.join(datadir, 'mysql')):
        return
    out.write('initialising MariaDB data dir\n')
    os.makedirs(datadir, exist_ok=True)
    with open(layout.log_of('mariadb-install'), 'ab') as log:
        rc = subprocess.run(
            ['mariadb-install-db', '--defaults-file=' + _my_cnf(layout),
             '--skip-test-db', '--auth-root-authentication-method=socket'],
            stdout=log, stderr=subprocess.STDOUT).returncode
    if rc:
        raise errors.SandboxError('mariadb-install-db failed, see %s'
                                  % layout.log_of('mariadb-install'))


def create_databases(layout, secrets, names):
    statements = ["CREATE USER IF NOT EXISTS 'os'@'127.0.0.1' "
                  "IDENTIFIED BY '%s'" % secrets['db'],
                  "GRANT ALL PRIVILEGES ON *.* TO 'os'@'127.0.0.1'"]
    statements += ['CREATE DATABASE IF NOT EXISTS %s' % n for n in names]
    subprocess.run(['mariadb', '--defaults-file=' + _my_cnf(layout)],
                   input=';\n'.join(statements) + ';\n', text=True,
                   check=True, stdout=subprocess.DEVNULL)


def start(layout, secrets, out):
    """Start whatever of the infrastructure is not running; wait for it."""
    write_mariadb_conf(layout)
    write_rabbit_conf(layout, secrets)
    init_mariadb(layout, out)
    for name in PROCESSES:
        pidfile = layout.pidfile(name)
        if procs.running_pid(pidfile):
            continue
        ports.check_free([name])
        env = _rabbit_env(layout) if name == 'rabbitmq' else None
        procs.start(pidfile, _argv(layout, name), layout.log_of(name),
                    env=env, cwd=layout.root)
        port = ports.PORTS[name]
        try:
            waits.until(lambda: ports.accepts(port), START_TIMEOUT, 0.3)
        except waits.TimedOut:
            raise errors.SandboxError(
                '%s did not accept connections on %s:%d within %d s, see %s'
                % (name, ports.HOST, port, START_TIMEOUT,
                   layout.log_of(name)))
        out.write('started %s on %s:%d\n' % (name, ports.HOST, port))


def stop(layout):
    for name in reversed(PROCESSES):
        procs.stop(layout.pidfile(name), timeout=60)
