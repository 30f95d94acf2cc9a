"""Debian packages the sandbox needs, installed with apt when missing."""

import os
import shutil
import subprocess
import sys

from upgrade_tempest_plugin.sandbox import errors

# command that proves the package is there -> package
NEEDED = {
    '/usr/sbin/mariadbd': 'mariadb-server',
    '/usr/lib/rabbitmq/bin/rabbitmq-server': 'rabbitmq-server',
    '/usr/bin/memcached': 'memcached',
    '/usr/bin/qemu-img': 'qemu-utils',
}


def missing():
    return sorted({pkg for path, pkg in NEEDED.items()
                   if not os.path.exists(path)})


def ensure(out=sys.stdout):
    """apt-get install what is missing (apt-get update once on failure).

    Debian starts daemons on install unless policy-rc.d forbids it; the
    sandbox never uses those system instances, it runs its own.
    """
    pkgs = missing()
    if not pkgs:
        return
    if shutil.which('apt-get') is None:
        raise errors.SandboxError(
            'missing %s and no apt-get to install them' % ', '.join(pkgs))
    out.write('apt-get install %s ...\n' % ' '.join(pkgs))
    out.flush()
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    install = ['apt-get', 'install', '-y', '--no-install-recommends'] + pkgs
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode:
        subprocess.run(['apt-get', 'update'], env=env,
                       stdout=subprocess.DEVNULL, check=False)
        if subprocess.run(install, env=env).returncode:
            raise errors.SandboxError(
                'apt-get install %s failed' % ' '.join(pkgs))
