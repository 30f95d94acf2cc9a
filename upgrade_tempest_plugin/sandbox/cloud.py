"""Bring the sandbox up, down, report on it, destroy it.

``up`` validates everything it can (release, services, ports, disk) before
it installs anything, then installs (cached), starts the infrastructure,
deploys or restarts each service in upgrade order, seeds the cloud and
writes the Tempest workspace.  ``up`` on a running sandbox does nothing;
after a crash or reboot it restarts what is down.
"""

import concurrent.futures
import json
import operator
import os
import shutil
import subprocess
import sys
import time

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import admin_client
from upgrade_tempest_plugin.sandbox import configs
from upgrade_tempest_plugin.sandbox import debs
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import infra
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import plugins
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import services as svcs
from upgrade_tempest_plugin.sandbox import state as statemod
from upgrade_tempest_plugin.sandbox import venvs
from upgrade_tempest_plugin.sandbox import workspace

# Free disk needed to build: every venv (~2 GiB) plus data; to start: logs.
DISK_BUILD = 4 * 1024 ** 3
DISK_START = 512 * 1024 ** 2
SEED_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'venv_scripts', 'seed.py')
RINGS_SCRIPT = os.path.join(os.path.dirname(SEED_SCRIPT), 'swift_rings.py')


class Sandbox(object):

    def __init__(self, layout, out=sys.stdout, port_offset=None):
        """A sandbox in ``layout``.

        ``port_offset`` applies to a new sandbox; a built one keeps its
        own (recorded in its state).
        """
        self.layout = layout
        self.out = out
        st = self.state()
        recorded = st.get('port_offset', 0) if st else None
        if None not in (recorded, port_offset) and recorded != port_offset:
            raise exceptions.UserError(
                'the sandbox in %s uses port offset %d; destroy it to '
                'change it' % (layout.root, recorded))
        if recorded is None:
            recorded = port_offset
        if recorded is None:
            recorded = int(os.environ.get(ports.OFFSET_ENV) or 0)
        self.port_offset = ports.check_offset(recorded)
        ports.use_offset(self.port_offset)

    def say(self, text):
        self.out.write(text + '\n')
        self.out.flush()

    # -- facts -------------------------------------------------------------

    def state(self):
        return statemod.load(self.layout)

    def secrets(self):
        return statemod.load_secrets(self.layout)

    def venv(self, service, series):
        return venvs.service_venv(self.layout.venvs, service, series)

    def tools(self):
        return venvs.tools_venv(self.layout.venvs)

    def running(self, process):
        return procs.running_pid(self.layout.pidfile(process))

    # -- validation (before anything is installed) ---------------------------

    def _check_disk(self, needed):
        path = self.layout.root
        while not os.path.exists(path):
            path = os.path.dirname(path)
        free = shutil.disk_usage(path).free
        if free < needed:
            raise exceptions.UserError(
                'only %.1f GiB free under %s, need %.1f GiB'
                % (free / 1024 ** 3, path, needed / 1024 ** 3))

    def _check_ports(self, services):
        names = [p for p in infra.PROCESSES if not self.running(p)]
        names += [port for s in services
                  for process, port in svcs.listeners(s).items()
                  if not self.running(process)]
        ports.check_free(names)

    def plan_up(self, series, services):
        """Validate an ``up``; returns {service: series to run}.

        A built sandbox keeps its services, each at its recorded series
        (after ``upgrade --service`` they differ); ``series`` None restarts
        it at those, and a new sandbox needs one.
        """
        st = self.state()
        if series is None:
            if st is None:
                raise exceptions.UserError(
                    'no sandbox in %s; give --release' % self.layout.root)
            series = st['release']
        pins.check_series(series)
        wanted = pins.check_services(services or [])
        plan = {s: series for s in wanted}
        if st is not None:
            plan = {s: (st['services'][s] or {}).get('series', series)
                    for s in statemod.deployed(st)}
            if series not in set(plan.values()) | {st['release']}:
                raise exceptions.UserError(
                    'the sandbox in %s runs %s; use "sandbox upgrade --to" '
                    'or "sandbox destroy" first'
                    % (self.layout.root, ', '.join(sorted(set(
                        plan.values())))))
            if services and set(wanted) != set(plan):
                raise exceptions.UserError(
                    'the sandbox in %s has services %s; destroy it to '
                    'change them' % (self.layout.root, ', '.join(plan)))
        todo = [self.venv(s, plan[s]) for s in plan] + [self.tools()]
        self._check_disk(DISK_START if all(v.ready for v in todo)
                         else DISK_BUILD)
        self._check_ports(list(plan))
        return plan

    # -- up ------------------------------------------------------------------

    def up(self, series=None, services=None):
        """Build (cached) and start; ``series`` None: the recorded ones."""
        plan = self.plan_up(series, services)
        wanted = [s for s in pins.SERVICES if s in plan]
        begin = time.monotonic()
        debs.ensure(self.out)
        svc_venvs = {s: self.venv(s, plan[s]) for s in wanted}
        venvs.ensure_all(list(svc_venvs.values()) + [self.tools()], self.out)
        self.layout.make_dirs()
        st = self.state() or statemod.new(series, wanted, self.port_offset)
        statemod.save(self.layout, st)
        secrets = self.secrets()
        infra.start(self.layout, secrets, self.out)
        dbs = [db for s in wanted for db in configs.DATABASES[s]]
        infra.create_databases(self.layout, secrets, dbs)
        svcs.write_sudo_shim(self.layout)
        for service in wanted:
            self.prepare_service(service, svc_venvs[service], secrets)
            if st['services'].get(service) is None:
                self.deploy_schema(service, svc_venvs[service], secrets)
            # nova's daemons exit when placement does not answer yet.
            self.wait_healthy(pins.REQUIRES[service])
            self.start_service(service, svc_venvs[service])
            if service == 'keystone':
                self.wait_healthy(['keystone'])
                if not st.get('identity_seeded'):
                    self.seed('identity', wanted, secrets)
                    st['identity_seeded'] = True
            st['services'][service] = {
                'series': plan[service],
                'version': pins.version(plan[service], service)}
            statemod.save(self.layout, st)
        # Waits until a user can be served; maps the compute host to its
        # cell (discover_hosts) when nova-scheduler has not yet.
        self.wait_healthy(wanted, secrets)
        if not st.get('seeded'):
            st['resources'] = self.seed('resources', wanted, secrets)
            st['seeded'] = True
            statemod.save(self.layout, st)
        self.write_workspace(st, secrets)
        self.say('sandbox %s is up in %s (%.0f s); Tempest workspace: %s'
                 % (st['release'], self.layout.root,
                    time.monotonic() - begin, self.layout.workspace))
        return st

    def prepare_service(self, service, venv, secrets):
        """Configs, WSGI module and the sandbox's plugins for ``venv``."""
        plugins.install(service, venv.site_packages())
        configs.write(self.layout, secrets, service, venv)
        svcs.write_wsgi_module(self.layout, service)
        os.makedirs(self.layout.data_of(service), exist_ok=True)
        if service == 'swift':
            self.write_swift_rings(venv)

    def write_swift_rings(self, venv):
        """Swift's rings and device directory, for the current ports."""
        os.makedirs(os.path.join(configs.swift_devices(self.layout),
                                 configs.SWIFT_DEVICE), exist_ok=True)
        log = self.layout.log_of('swift-rings')
        with open(log, 'ab') as f:
            proc = subprocess.run(
                [venv.python, RINGS_SCRIPT],
                input=json.dumps(configs.swift_rings(self.layout)).encode(),
                stdout=subprocess.PIPE, stderr=f)
        if proc.returncode:
            raise errors.SandboxError('writing the Swift rings failed, see '
                                      '%s' % log)
        written = json.loads(proc.stdout)
        if written:
            self.say('swift: wrote the %s rings' % ', '.join(written))

    def manage(self, service, venv, args, ok_codes=(0,), env=None):
        """Run a manage command with progress output; log to manage.log."""
        argv = svcs.manage(venv, self.layout, service, *args)
        # never show a password (database URLs carry one)
        shown = [os.path.basename(argv[0])] + [
            '<url>' if '://' in a else a for a in args]
        self.say('%s: %s' % (service, ' '.join(shown)))
        begin = time.monotonic()
        log = self.layout.log_of('%s-manage' % service)
        with open(log, 'ab') as f:
            rc = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT,
                                env=env or svcs.env(self.layout, service,
                                                    venv),
                                cwd=self.layout.root).returncode
        if rc not in ok_codes:
            raise errors.SandboxError('%s %s failed (rc %d), see %s'
                                      % (service, ' '.join(args), rc, log))
        return time.monotonic() - begin

    def deploy_schema(self, service, venv, secrets):
        """First deployment: create the schema and what the service needs."""
        for args in svcs.schema_commands(service, 'sync'):
            if service == 'nova' and args == ['db', 'sync']:
                cell0 = configs.db_url(secrets, 'nova_cell0')
                self.manage(service, venv, ['cell_v2', 'map_cell0',
                                            '--database_connection', cell0])
                # rc 2: the cell exists already (a re-run).
                self.manage(service, venv, ['cell_v2', 'create_cell',
                                            '--name', 'cell1'],
                            ok_codes=(0, 2))
            self.manage(service, venv, args)
        if service == 'keystone':
            for repo in ('fernet_setup', 'credential_setup'):
                self.manage(service, venv, [repo, '--keystone-user', 'root',
                                            '--keystone-group', 'root'])
            url = configs.identity_url()
            env = svcs.env(self.layout, service, venv)
            # the password goes by environment, not by command line.
            env['OS_BOOTSTRAP_PASSWORD'] = secrets['admin']
            self.manage(service, venv, [
                'bootstrap', '--bootstrap-admin-url', url,
                '--bootstrap-internal-url', url,
                '--bootstrap-public-url', url,
                '--bootstrap-region-id', configs.REGION], env=env)

    def start_process(self, service, process, venv, reuse_port=True,
                      pidfile=None, keep_alive=None):
        argv = svcs.command(self.layout, venv, service, process, reuse_port,
                            keep_alive)
        return procs.start(pidfile or self.layout.pidfile(process), argv,
                           self.layout.log_of(process),
                           env=svcs.env(self.layout, service, venv),
                           cwd=self.layout.root)

    def start_service(self, service, venv):
        for process in svcs.processes(service):
            if not self.running(process):
                self.start_process(service, process, venv)
                self.say('started %s (%s)' % (process, venv.name))

    def stop_service(self, service):
        # API first, so no request is accepted that the daemons drop.
        for process in reversed(svcs.processes(service)):
            # ".new": the new API of a rolling switch that was interrupted
            # before it replaced the old one (see upgrade.switch).
            for pidfile in (self.layout.pidfile(process) + '.new',
                            self.layout.pidfile(process)):
                begin = time.monotonic()
                if procs.stop(pidfile):
                    self.say('stopped %s (%.1f s)'
                             % (process, time.monotonic() - begin))

    # -- health --------------------------------------------------------------

    def _died(self, services):
        for service in services:
            for process in svcs.processes(service):
                if not self.running(process):
                    raise errors.SandboxError(
                        '%s is not running, see %s'
                        % (process, self.layout.log_of(process)))

    def api_ready(self, service):
        """The API answers and every other port of the service listens.

        Swift's proxy answers before its storage servers do.
        """
        others = [port for process, port in svcs.listeners(service).items()
                  if port != service]
        if not all(ports.accepts(ports.PORTS[p]) for p in others):
            return False
        status = ports.http_status(svcs.health_url(service))
        return status is not None and status < 500

    def wait_healthy(self, services, secrets=None, timeout=180):
        """Wait until each API answers and nova/cinder workers report up.

        With ``secrets`` (the admin's password), also wait until the cloud
        can serve a user's first requests (see :meth:`wait_usable`).
        """
        deadline = time.monotonic() + timeout

        def not_answering():
            self._died(pending)
            pending[:] = [s for s in pending if not self.api_ready(s)]
            return pending

        pending = list(services)
        try:
            waits.until(not_answering, timeout, 0.5, done=operator.not_)
        except waits.TimedOut:
            raise errors.SandboxError(
                'not answering after %d s: %s (see %s)'
                % (timeout, ', '.join(pending), self.layout.logs))
        if secrets is None:
            return
        checks = [(s, t, b) for s, t, b in (
            ('nova', 'compute', 'nova-compute'),
            ('nova', 'compute', 'nova-conductor'),
            ('nova', 'compute', 'nova-scheduler'),
            ('cinder', 'block-storage', 'cinder-volume'),
            ('cinder', 'block-storage', 'cinder-scheduler'))
            if s in services]
        client = None

        def not_up():
            nonlocal client
            self._died(services)
            try:
                client = client or admin_client.admin(secrets)
                checks[:] = [c for c in checks if not
                             admin_client.services_up(client, c[1], c[2])]
            except OSError:
                client = None
            return checks

        try:
            if checks:
                waits.until(not_up, deadline - time.monotonic(), 1,
                            done=operator.not_)
        except waits.TimedOut:
            raise errors.SandboxError(
                'not up after %d s: %s (see %s)' % (
                    timeout, ', '.join(c[2] for c in checks),
                    self.layout.logs))
        self.wait_usable(services, secrets, deadline, timeout, client)

    def wait_usable(self, services, secrets, deadline, timeout,
                    client=None):
        """Wait until what a user's first requests need is there.

        A service reported up is not yet usable: cinder-scheduler fails
        every volume create ("No valid backend") until it has received
        cinder-volume's capabilities, and nova-scheduler finds no host
        until nova-compute's node has an inventory in placement and its
        host is mapped to a cell (GET os-hypervisors lists only mapped
        hosts).  Neutron needs nothing more: the sandbox has no agents,
        its mechanism driver binds every port without one.
        """
        checks = [c for c in (
            ('cinder', 'cinder-scheduler pools', self._cinder_missing,
             ('cinder-volume', 'cinder-scheduler')),
            ('nova', "nova's compute node in placement and in a cell",
             self._nova_missing, ('nova-compute', 'nova-scheduler')))
            if c[0] in services]
        begin = time.monotonic()
        missing = {}
        announced = set()

        def not_ready():
            nonlocal client
            self._died(services)
            try:
                client = client or admin_client.admin(secrets)
            except OSError as exc:
                missing.update({c[1]: 'keystone: %s' % exc for c in checks})
            for check in checks if client is not None else ():
                try:
                    missing[check[1]] = check[2](client)
                except OSError as exc:
                    # an HTTP error (5xx while a service settles, 401 once
                    # the token expired) or a timeout
                    missing[check[1]] = '%s: %s' % (check[1], exc)
                    if getattr(exc, 'code', None) == 401:
                        client = None
                        break
            for check in list(checks):
                name = check[1]
                if name in missing and missing[name] is None:
                    checks.remove(check)
                    if name in announced:
                        self.say('%s ready after %.0f s'
                                 % (name, time.monotonic() - begin))
                elif name not in announced:
                    announced.add(name)
                    self.say('waiting for %s ...' % name)
            return checks

        try:
            if checks:
                waits.until(not_ready, deadline - time.monotonic(), 1,
                            done=operator.not_)
        except waits.TimedOut:
            raise errors.SandboxError(
                'not ready after %d s: %s (see %s)' % (
                    timeout, '; '.join(
                        str(missing.get(c[1]) or c[1]) for c in checks),
                    ', '.join(self.layout.log_of(p)
                              for c in checks for p in c[3])))

    @staticmethod
    def _cinder_missing(client):
        if admin_client.cinder_pools(client):
            return None
        return ("cinder-scheduler has no pool: it has not received "
                "cinder-volume's capabilities (GET scheduler-stats/"
                "get_pools is empty)")

    def _nova_missing(self, client):
        providers = admin_client.providers_with_inventory(client)
        if not providers:
            return ('nova-compute has not reported its compute node to '
                    'placement (no resource provider with an inventory)')
        listed = [h for h in admin_client.hypervisors(client)
                  if h.get('id') in providers or
                  h.get('hypervisor_hostname') in providers.values()]
        if not listed:
            self._discover_hosts()
            return ('the compute node %s is not mapped to a cell (GET '
                    'os-hypervisors does not list it; nova-manage cell_v2 '
                    'discover_hosts maps it)'
                    % ', '.join(sorted(providers.values())))
        if not [h for h in listed if h.get('state') == 'up' and
                h.get('status') == 'enabled']:
            return 'hypervisor %s' % ', '.join(
                '%s is %s and %s' % (h.get('hypervisor_hostname'),
                                     h.get('state'), h.get('status'))
                for h in listed)
        return None

    def _discover_hosts(self):
        """Map new compute hosts to their cell, with the running nova.

        nova-scheduler does it too, every discover_hosts_in_cells_interval
        seconds; this spares the wait.  At most every 10 s.
        """
        now = time.monotonic()
        last = getattr(self, '_discovered_at', None)
        if last is not None and now < last + 10:
            return
        self._discovered_at = now
        venv = self._running_venv('nova', 'nova-compute')
        if venv is not None:
            self.manage('nova', venv, ['cell_v2', 'discover_hosts'])

    def _running_venv(self, service, process):
        """The venv ``process`` runs from, or None if it is not known."""
        argv = procs.argv(self.running(process))
        for series in pins.series_list():
            venv = self.venv(service, series)
            if any(a.startswith(venv.path + os.sep) for a in argv):
                return venv
        return None

    # -- seeding and workspace ---------------------------------------------

    def seed(self, phase, wanted, secrets):
        self.say('seeding %s' % phase)
        catalog = [(t, configs.url(s, path)) for s in wanted
                   for t, path in configs.CATALOG.get(s, ())]
        req = {
            'auth_url': configs.identity_url(),
            'admin_password': secrets['admin'],
            'service_password': secrets['service'],
            'region': configs.REGION,
            'service_users': [s for s in wanted if s != 'keystone'],
            'catalog': catalog,
            'accounts': workspace.accounts(secrets),
        }
        req.update({s: True for s in wanted})
        log = self.layout.log_of('seed')
        with open(log, 'ab') as f:
            proc = subprocess.run(
                [self.tools().python, SEED_SCRIPT, phase],
                input=json.dumps(req).encode(), stdout=subprocess.PIPE,
                stderr=f)
        if proc.returncode:
            raise errors.SandboxError('seeding %s failed, see %s'
                                      % (phase, log))
        return json.loads(proc.stdout)

    def write_workspace(self, st, secrets, extra=None):
        versions = {s: st['services'][s]['version']
                    for s in statemod.deployed(st)}
        workspace.write(self.layout, secrets, versions,
                        st.get('resources', {}), extra)
        tempest_dir = os.path.join(self.tools().site_packages(), 'tempest')
        with open(os.path.join(self.layout.workspace, '.stestr.conf'),
                  'w') as f:
            f.write('[DEFAULT]\ntest_path=%s\ntop_dir=%s\n'
                    'group_regex=([^\\.]*\\.)*\n'
                    % (os.path.join(tempest_dir, 'test_discover'),
                       os.path.dirname(tempest_dir)))
        workspace.write_clouds_yaml(self.layout, secrets)

    # -- down, status, destroy ---------------------------------------------

    def down(self):
        st = self.state()
        if st is None:
            return False
        # Services stop in parallel (nova-compute alone takes ~7 s), the
        # infrastructure they use after them.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for future in [pool.submit(self.stop_service, s)
                           for s in statemod.deployed(st)]:
                future.result()
        infra.stop(self.layout)
        self.say('sandbox in %s is down' % self.layout.root)
        return True

    def status(self):
        """Rows: (service, release, version, pids, port, up/down)."""
        st = self.state()
        if st is None:
            return []
        rows = []
        for name in infra.PROCESSES:
            pid = self.running(name)
            rows.append((name, '-', '-', str(pid or '-'), ports.PORTS[name],
                         'up' if pid and ports.accepts(ports.PORTS[name])
                         else 'down'))
        for service in statemod.deployed(st):
            info = st['services'][service]
            pids = [self.running(p) for p in svcs.processes(service)]
            up = all(pids) and self.api_ready(service)
            rows.append((service, info['series'] if info else '-',
                         info['version'] if info else '-',
                         ','.join(str(p or '-') for p in pids),
                         ports.PORTS[service], 'up' if up else 'down'))
        return rows

    def destroy(self, cache=False):
        self.down()
        shutil.rmtree(self.layout.root, ignore_errors=True)
        self.say('removed %s' % self.layout.root)
        if cache:
            shutil.rmtree(self.layout.cache, ignore_errors=True)
            self.say('removed %s' % self.layout.cache)
