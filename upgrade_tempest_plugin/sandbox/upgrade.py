"""Upgrade the sandbox in place, service by service.

The order is the one operators use: keystone (everyone authenticates
against it), placement (nova reports to it), glance, cinder and neutron
(the services nova consumes), nova last.  Every new venv is built before
any process stops.  Per service:

* cold: stop, migrate the schema with the new code, start, wait for health,
  run the online data migrations (nova, cinder);
* rolling: migrate the additive part (keystone/glance expand+migrate,
  neutron --expand, the others' db sync, which only adds) while the old
  code serves, start the new API on the same port (SO_REUSEPORT) before the
  old one stops, restart the daemons one by one, then contract.

The new release's venvs are installed by :meth:`Upgrader.stage` (``sandbox
prepare``) before the maintenance window, the way operators pull images
before it: an install on a 2-core machine slows every service, and the
observers would measure the install instead of the upgrade.  ``run``
installs only what was not staged, and says so in its events.

Each step is an event (:mod:`upgrade_tempest_plugin.events`) with its
start and end, appended to the sandbox's ``events.jsonl``.
"""

import os
import time

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import services as svcs
from upgrade_tempest_plugin.sandbox import state as statemod
from upgrade_tempest_plugin.sandbox import venvs

MODES = ('cold', 'rolling')
#: Seconds a new API may take to load, bind and boot a worker.
SWITCH_TIMEOUT = 120


class Upgrader(object):

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.layout = sandbox.layout
        self.events = events.EventLog(self.layout.events_file, sandbox.out)

    def plan(self, to, services, mode):
        """Validate; returns [(service, from series, from version)]."""
        pins.check_series(to)
        if mode not in MODES:
            raise exceptions.UserError('unknown mode %r (known: %s)'
                                       % (mode, ', '.join(MODES)))
        st = self.sandbox.state()
        if st is None:
            raise exceptions.UserError('no sandbox in %s; run "sandbox up" '
                                       'first' % self.layout.root)
        deployed = statemod.deployed(st)
        unknown = [s for s in services if s not in pins.SERVICES]
        if unknown:
            raise exceptions.UserError(
                'unknown service %s (known: %s)'
                % (', '.join(unknown), ', '.join(pins.SERVICES)))
        absent = [s for s in services if s not in deployed]
        if absent:
            raise exceptions.UserError('service %s is not deployed in %s'
                                       % (', '.join(absent),
                                          self.layout.root))
        down = [p for s in deployed for p in svcs.processes(s)
                if not self.sandbox.running(p)]
        if down:
            raise exceptions.UserError(
                'the sandbox is not fully up (%s down); run "sandbox up" '
                'first' % ', '.join(down))
        todo = []
        for service in deployed:
            if services and service not in services:
                continue
            current = st['services'][service]
            if current['series'] > to:
                raise exceptions.UserError(
                    '%s runs %s; downgrading to %s is not supported'
                    % (service, current['series'], to))
            if not pins.upgrade_supported(current['series'], to):
                raise exceptions.UserError(
                    '%s runs %s: %s -> %s is neither one release nor a '
                    'skip-level upgrade between SLURP releases (YYYY.1 -> '
                    'YYYY+1.1)' % (service, current['series'],
                                   current['series'], to))
            if current['version'] != pins.version(to, service):
                todo.append((service, current['series'],
                             current['version']))
        return todo

    def _install(self, action, to, todo):
        """Install the venvs of ``to`` for ``todo``; one event per service.

        The event's detail says ``installed VENV`` when it was built now
        (its start and end are the build's), ``cached VENV`` otherwise.
        """
        new = {s: self.sandbox.venv(s, to) for s, _, _ in todo}
        built = venvs.ensure_all(list(new.values()), self.sandbox.out)
        for service, _, old_version in todo:
            name = new[service].name
            started, seconds = built.get(name, (None, 0.0))
            self.events.emit(service, action, old_version,
                             pins.version(to, service), 'ok', seconds,
                             detail='%s %s' % (
                                 'installed' if name in built else 'cached',
                                 name), started=started)
        return new

    def stage(self, to, services=()):
        """Install what an upgrade to ``to`` needs; stop nothing.

        Validated like the upgrade itself (``plan`` with the rolling
        mode), so a bad target fails here, before the window.
        """
        todo = self.plan(to, list(services), 'rolling')
        if not todo:
            self.sandbox.say('nothing to stage: already at %s' % to)
            return []
        begin = time.monotonic()
        self._install('stage', to, todo)
        self.sandbox.say('staged %s for %s in %.0f s; "sandbox upgrade '
                         '--to %s" installs nothing more' % (
                             ', '.join(s for s, _, _ in todo), to,
                             time.monotonic() - begin, to))
        return todo

    def run(self, to, services=(), mode='rolling'):
        todo = self.plan(to, list(services), mode)
        if not todo:
            self.sandbox.say('nothing to upgrade: already at %s' % to)
            return []
        secrets = self.sandbox.secrets()
        self.sandbox.say('upgrading %s to %s (%s)' % (
            ', '.join(s for s, _, _ in todo), to, mode))
        begin = time.monotonic()
        new = self._install('prepare', to, todo)
        for service, old_series, old_version in todo:
            self.upgrade_service(service, old_series, old_version, to,
                                 new[service], mode, secrets)
        st = self.sandbox.state()
        if {i['series'] for i in st['services'].values()} == {to}:
            st['release'] = to
        if st.get('seeded') and 'neutron' in [s for s, _, _ in todo]:
            # The new Neutron lists more API extensions; tempest.conf's
            # [network-feature-enabled] api_extensions must name them.
            # (Seeding is idempotent: it finds what it made at 'up'.)
            st['resources'] = self.sandbox.seed(
                'resources', statemod.deployed(st), secrets)
        statemod.save(self.layout, st)
        # the workspace names the package versions now running
        self.sandbox.write_workspace(st, secrets)
        self.sandbox.say('upgraded to %s in %.0f s; events in %s' % (
            to, time.monotonic() - begin, self.layout.events_file))
        return todo

    def _step(self, service, action, versions, func, *args):
        begin = time.monotonic()
        try:
            result = func(*args)
        except Exception as exc:
            self.events.emit(service, action, versions[0], versions[1],
                             'failed', time.monotonic() - begin,
                             detail=str(exc))
            if isinstance(exc, errors.SandboxError):
                raise
            raise errors.SandboxError('%s %s failed: %s'
                                      % (service, action, exc))
        self.events.emit(service, action, versions[0], versions[1], 'ok',
                         time.monotonic() - begin)
        return result

    def _migrate(self, service, venv, mode):
        for args in svcs.schema_commands(service, mode):
            self.sandbox.manage(service, venv, args)

    def upgrade_service(self, service, old_series, old_version, to, venv,
                        mode, secrets):
        sb = self.sandbox
        versions = (old_version, pins.version(to, service))
        old_venv = sb.venv(service, old_series)
        if mode == 'cold':
            self._step(service, 'stop', versions, sb.stop_service, service)
            self._step(service, 'configure', versions, sb.prepare_service,
                       service, venv, secrets)
            self._step(service, 'migrate', versions, self._migrate,
                       service, venv, 'sync')
            self._step(service, 'start', versions, sb.start_service,
                       service, venv)
            self._step(service, 'health', versions, sb.wait_healthy,
                       [service], secrets)
            if svcs.schema_commands(service, 'post'):
                self._step(service, 'migrate-data', versions, self._migrate,
                           service, venv, 'post')
        else:
            self._step(service, 'configure', versions, sb.prepare_service,
                       service, venv, secrets)
            self._step(service, 'expand', versions, self._migrate,
                       service, venv, 'expand')
            for process in svcs.processes(service):
                self._step(service, 'switch:' + process, versions,
                           self.switch, service, process, venv, old_venv)
            self._step(service, 'health', versions, sb.wait_healthy,
                       [service], secrets)
            if svcs.schema_commands(service, 'contract'):
                self._step(service, 'contract', versions, self._migrate,
                           service, venv, 'contract')
        st = sb.state()
        st['services'][service] = {'series': to, 'version': versions[1]}
        statemod.save(self.layout, st)

    def switch(self, service, process, venv, old_venv):
        """Replace the running ``process`` by one from ``venv``.

        An API's new gunicorn loads the application first (``--preload``),
        then binds the same port (both use SO_REUSEPORT) and has booted its
        workers before the old one is asked to stop; the old one finishes
        the requests it has (gunicorn's graceful stop), and the connections
        still waiting in its listen queue move to the new one instead of
        being reset (``net.ipv4.tcp_migrate_req``, Linux 5.14).  A daemon
        is stopped, then started (its RPC requests wait in RabbitMQ); a
        Swift server (no SO_REUSEPORT) too, and the switch returns once it
        listens again.
        """
        sb = self.sandbox
        pidfile = self.layout.pidfile(process)
        if not process.endswith('-api'):
            procs.stop(pidfile)
            sb.start_process(service, process, venv)
            port = svcs.listeners(service).get(process)
            if port is not None:
                # a Swift server: the next one stops only once this one
                # listens again
                self._wait_listening(process, port)
            return
        enable_request_migration(self.sandbox.say)
        log = self.layout.log_of(process)
        offset = os.path.getsize(log) if os.path.exists(log) else 0
        new_pidfile = pidfile + '.new'
        pid = sb.start_process(service, process, venv, pidfile=new_pidfile)

        def booted():
            if procs.running_pid(new_pidfile) is None:
                raise errors.SandboxError('new %s exited, see %s'
                                          % (process, log))
            return self._booted(log, offset, pid)

        try:
            waits.until(booted, SWITCH_TIMEOUT, 0.2)
        except waits.TimedOut:
            procs.stop(new_pidfile)
            raise errors.SandboxError(
                'new %s did not boot a worker within %d s, see %s'
                % (process, SWITCH_TIMEOUT, log))
        procs.stop(pidfile)
        os.replace(new_pidfile, pidfile)

    def _wait_listening(self, process, port):
        pidfile = self.layout.pidfile(process)

        def listening():
            if procs.running_pid(pidfile) is None:
                raise errors.SandboxError('new %s exited, see %s' % (
                    process, self.layout.log_of(process)))
            return ports.accepts(ports.PORTS[port])

        try:
            waits.until(listening, SWITCH_TIMEOUT, 0.2)
        except waits.TimedOut:
            raise errors.SandboxError(
                'new %s does not listen on %d after %d s, see %s' % (
                    process, ports.PORTS[port], SWITCH_TIMEOUT,
                    self.layout.log_of(process)))

    @staticmethod
    def _booted(log, offset, pid):
        """True once gunicorn ``pid`` listens and has booted a worker."""
        with open(log, 'rb') as f:
            f.seek(offset)
            text = f.read().decode('utf-8', 'replace')
        return ('Listening at' in text and '(%d)' % pid in text
                and 'Booting worker' in text)


MIGRATE_REQ = '/proc/sys/net/ipv4/tcp_migrate_req'


def enable_request_migration(say):
    """Let a closing listener hand its queued connections to its peers.

    Without it, the connections the kernel queued on the old API's socket
    (SO_REUSEPORT spreads new connections over both) are reset when that
    socket closes: a client sees "connection reset" at every switch.
    """
    try:
        with open(MIGRATE_REQ) as f:
            if f.read().strip() == '1':
                return True
        with open(MIGRATE_REQ, 'w') as f:
            f.write('1\n')
    except OSError as exc:
        say('cannot set net.ipv4.tcp_migrate_req (%s): connections queued '
            'on a stopping API will be reset' % exc.strerror)
        return False
    say('set net.ipv4.tcp_migrate_req = 1 (a stopping API hands its '
        'queued connections to the new one)')
    return True
