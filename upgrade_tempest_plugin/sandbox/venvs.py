"""Virtualenvs of the services, built once and cached.

A venv is keyed by its package and version (plus a hash of any pins), so
every sandbox on the machine and every CI re-run shares it.  A venv is only
used once its ``.complete`` marker exists; a half-built one is rebuilt.
"""

import concurrent.futures
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time

from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import pins

# What every service venv needs besides the service: the WSGI server and
# the MariaDB driver.
COMMON = ('gunicorn', 'PyMySQL')
EXTRAS = {
    # Keystone caches tokens in memcached (uncached: ~0.4 s per request).
    'keystone': ('pymemcache',),
    # cinder.tests.fake_driver imports fixtures.
    'cinder': ('fixtures',),
}
MARKER = '.complete'


class Venv(object):
    """One cached venv: ``requirements`` installed into ``path``."""

    def __init__(self, cache_dir, name, requirements, constraints=()):
        self.name = name
        self.requirements = list(requirements)
        self.constraints = list(constraints)
        self.path = os.path.join(cache_dir, name)

    def bin(self, command):
        return os.path.join(self.path, 'bin', command)

    @property
    def python(self):
        return self.bin('python')

    @property
    def ready(self):
        return os.path.exists(os.path.join(self.path, MARKER))

    def site_packages(self):
        lib = os.path.join(self.path, 'lib')
        (pyver,) = [d for d in os.listdir(lib) if d.startswith('python')]
        return os.path.join(lib, pyver, 'site-packages')

    def ensure(self, out=sys.stdout):
        """Build the venv unless cached; returns seconds spent."""
        if self.ready:
            return 0.0
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path + '.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.ready:
                return 0.0
            out.write('installing %s ...\n' % self.name)
            out.flush()
            begin = time.monotonic()
            shutil.rmtree(self.path, ignore_errors=True)
            log = self.path + '.log'
            install = [self.bin('pip'), 'install'] + self.requirements
            if self.constraints:
                cfile = self.path + '.constraints.txt'
                with open(cfile, 'w') as f:
                    f.write('\n'.join(self.constraints) + '\n')
                install += ['-c', cfile]
            try:
                with open(log, 'w') as f:
                    for argv in (
                            [sys.executable, '-m', 'venv', self.path],
                            [self.bin('pip'), 'install', '-U', 'pip',
                             'setuptools', 'wheel'],
                            install):
                        subprocess.run(argv, stdout=f,
                                       stderr=subprocess.STDOUT, check=True)
            except subprocess.CalledProcessError:
                shutil.rmtree(self.path, ignore_errors=True)
                raise errors.SandboxError(
                    'installing %s failed, see %s' % (self.name, log))
            open(os.path.join(self.path, MARKER), 'w').close()
            spent = time.monotonic() - begin
            out.write('installed %s in %.1f s\n' % (self.name, spent))
            out.flush()
            return spent


def _key(name, version, pins):
    key = '%s-%s' % (name, version)
    if pins:
        key += '-' + hashlib.sha1(
            '\n'.join(sorted(pins)).encode()).hexdigest()[:8]
    return key


def service_venv(cache_dir, service, series):
    """The venv of ``service`` at the versions of ``series``."""
    package = pins.PACKAGES[service]
    version = pins.version(series, service)
    series_pins = pins.PINS[series]
    reqs = ['%s==%s' % (package, version)]
    key = _key(package, version, series_pins)
    if service == 'swift':
        # Swift runs its own servers (no gunicorn, no database), behind
        # keystonemiddleware.  The key is not the bare "swift-VERSION":
        # the object-storage functional test cached venvs of that name,
        # without keystonemiddleware, before Swift joined the sandbox.
        reqs.append('keystonemiddleware')
        key += '-keystone'
    else:
        reqs += list(COMMON) + list(EXTRAS.get(service, ()))
    return Venv(cache_dir, key, reqs, series_pins)


def tools_venv(cache_dir):
    """Tempest, the SDK and the CLI, shared by every series."""
    reqs = ['%s==%s' % item for item in sorted(pins.TOOLS.items())]
    return Venv(cache_dir, 'tools-%s' % pins.TOOLS['tempest'], reqs)


def ensure_all(venvs, out=sys.stdout, parallel=2):
    """Build the missing venvs, ``parallel`` at a time (2 cores: 2).

    Returns {venv name: (start, seconds)} of the venvs it built: when its
    build began (epoch seconds) and how long it took.
    """
    missing = [v for v in venvs if not v.ready]
    if not missing:
        return {}

    def build(venv):
        started = time.time()
        return started, venv.ensure(out)
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        futures = {v.name: pool.submit(build, v) for v in missing}
        failed = [f.exception() for f in futures.values() if f.exception()]
    if failed:
        raise errors.SandboxError('; '.join(str(e) for e in failed))
    return {name: f.result() for name, f in futures.items()}
