"""Tempest virtualenvs for jobs, from a local wheel cache.

Per (Tempest version, plugin version) the worker keeps, under its cache
directory:

- ``wheels/``: every wheel the pair needs, fetched once with ``pip
  wheel`` (the only step that uses the package index);
- ``venvs/<key>/``: a template venv installed from those wheels with
  ``pip install --no-index --find-links``.

Each job gets a copy of the template (symlinks kept, so the copy uses the
same base interpreter) and deletes it afterwards.  The copy's files are
hard links to the template's where the file system allows (its
directories are its own, so a file a job adds or replaces is the job's);
the template is byte-compiled once, so jobs do not compile Tempest
again.  A venv's console scripts name the template's path in their ``#!``
line, so jobs run Tempest as ``python -m``.
Building is serialised per key with a lock file, across the slots of one
worker and the workers sharing one cache directory.
"""

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys

from upgrade_tempest_plugin.queue import children

PLUGIN = 'upgrade-tempest-plugin'


class VenvError(Exception):
    """The job's venv cannot be built; the message says why, in one line."""


@contextlib.contextmanager
def _locked(path):
    with open(path, 'a') as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _sha(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as wheel:
        for block in iter(lambda: wheel.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()[:12]


class Cache:
    """The wheel cache and template venvs under ``cache_dir``.

    ``plugin_wheel``: a built wheel of this plugin, installed when a
    payload names no plugin version (a worker that runs the plugin's
    validators from a checkout).  ``timeout``: seconds any one pip command
    may take.
    """

    def __init__(self, cache_dir, plugin_wheel=None, python=sys.executable,
                 timeout=1800):
        self.cache_dir = os.path.abspath(cache_dir)
        self.wheels = os.path.join(self.cache_dir, 'wheels')
        self.venvs = os.path.join(self.cache_dir, 'venvs')
        self.locks = os.path.join(self.cache_dir, 'locks')
        self.plugin_wheel = plugin_wheel and os.path.abspath(plugin_wheel)
        self.python = python
        self.timeout = timeout
        for path in (self.wheels, self.venvs, self.locks):
            os.makedirs(path, exist_ok=True)

    def requirements(self, tempest_version, plugin_version=None,
                     extras=()):
        """(pip requirements, template key) for a pair of versions.

        ``extras``: more distributions the template needs (a campaign's
        operator check needs openstacksdk, which the plugin does not
        require); they are a part of the key.
        """
        wanted = ['tempest==%s' % tempest_version]
        if plugin_version:
            wanted.append('%s==%s' % (PLUGIN, plugin_version))
            plugin = plugin_version
        elif self.plugin_wheel:
            wanted.append(self.plugin_wheel)
            plugin = 'wheel-' + _sha(self.plugin_wheel)
        else:
            plugin = 'none'
        key = 'tempest-%s_plugin-%s' % (tempest_version, plugin)
        if extras:
            wanted += sorted(extras)
            key += '_' + '+'.join(sorted(extras))
        return wanted, key

    def _pip(self, python, args, what):
        code, out = children.run(
            [python, '-m', 'pip', '--disable-pip-version-check', '-q']
            + args, self.timeout, stderr=subprocess.STDOUT)
        if code is None:
            raise VenvError('%s: pip took more than %d s' % (
                what, self.timeout))
        return code, out.decode('utf-8', 'replace')

    def _fetch(self, wanted, tempest_version):
        code, output = self._pip(self.python, ['wheel', '--wheel-dir',
                                               self.wheels] + wanted,
                                 'pip wheel')
        if code == 0:
            return
        if 'No matching distribution found for tempest==' in output:
            raise VenvError('payload.tempest_version: unknown Tempest '
                            'version %s (not in the wheel cache nor the '
                            'package index)' % tempest_version)
        if 'No matching distribution found for %s==' % PLUGIN in output:
            raise VenvError('payload.plugin_version: not in the wheel cache '
                            'nor the package index')
        raise VenvError('pip wheel failed: %s' % _last_line(output))

    def _install(self, venv, wanted):
        return self._pip(os.path.join(venv, 'bin', 'python'),
                         ['install', '--no-index', '--find-links',
                          self.wheels] + wanted, 'pip install')

    def template(self, tempest_version, plugin_version=None, extras=()):
        """Path of the template venv for the pair; built when missing.

        Returns (path, built): ``built`` is False when it was there.
        """
        wanted, key = self.requirements(tempest_version, plugin_version,
                                        extras)
        path = os.path.join(self.venvs, key)
        with _locked(os.path.join(self.locks, key + '.lock')):
            if os.path.isdir(path):
                return path, False
            staging = '%s.building-%d' % (path, os.getpid())
            shutil.rmtree(staging, ignore_errors=True)
            try:
                code, _ = children.run([self.python, '-m', 'venv', staging],
                                       self.timeout)
                if code != 0:
                    raise VenvError('python -m venv failed (exit %s)' % code)
                code, output = self._install(staging, wanted)
                if code:
                    # Not cached yet: the one step that uses the index.
                    self._fetch(wanted, tempest_version)
                    code, output = self._install(staging, wanted)
                if code:
                    raise VenvError('pip install from the wheel cache '
                                    'failed: %s' % _last_line(output))
                children.run([os.path.join(staging, 'bin', 'python'), '-m',
                              'compileall', '-q', os.path.join(staging,
                                                               'lib')],
                             self.timeout, stderr=subprocess.DEVNULL)
                os.rename(staging, path)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return path, True

    @staticmethod
    def copy(template, destination):
        """A job's own copy of ``template`` at ``destination``."""
        shutil.copytree(template, destination, symlinks=True,
                        copy_function=_link_or_copy)
        return destination


def _link_or_copy(source, destination):
    try:
        os.link(source, destination)
    except OSError:
        # Another file system, or links not allowed: a real copy.
        shutil.copy2(source, destination)


def _last_line(text):
    lines = [line for line in text.splitlines()
             if line.strip() and not line.startswith('WARNING: Location')]
    return lines[-1].strip() if lines else 'no output'
