"""The ``sandbox`` driver: a campaign on the project's real mini-cloud.

A step upgrades the sandbox services it names (``action: {services:
[...], mode: cold|rolling}``, default: the step's ``services`` and the
driver's ``mode``) with the sandbox's own code: the runner runs
``upgrade-tempest sandbox upgrade --service S --to TO --mode M`` as the
step's command, so the sandbox's steps land in its ``events.jsonl`` too.

Its backup is a real one: every service database dumped with
``mariadb-dump`` and the running package versions recorded (the
sandbox's ``state.json``), in ``<campaign dir>/backup`` (mode 0700, the
dumps 0600: they hold password hashes and connection URLs with
passwords, which a restore needs as they were).  Its rollback restores
it, service by service and in-process: stop the service, restore its
databases, write its configuration for the old release's venv, start it
from that venv, wait until it is healthy, record the old version; then
the Tempest workspace is rewritten with the package versions that run
again.  The objects of a
step are the service's processes; :meth:`status` says whether each runs
and the release of its service.
"""

import io
import json
import os
import subprocess
import sys

from upgrade_tempest_plugin.campaign.drivers import base
from upgrade_tempest_plugin.campaign import plan as plan_mod
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import configs
from upgrade_tempest_plugin.sandbox import infra
from upgrade_tempest_plugin.sandbox import layout as layout_mod
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import services as svcs
from upgrade_tempest_plugin.sandbox import state as statemod

MODES = ('cold', 'rolling')


class _Say(io.TextIOBase):
    """A text stream whose lines go to the campaign's progress output."""

    def __init__(self, say):
        self._say = say
        self._buffer = ''

    def write(self, text):
        self._buffer += text
        while '\n' in self._buffer:
            line, self._buffer = self._buffer.split('\n', 1)
            self._say(line)
        return len(text)


class SandboxDriver(base.Driver):
    NAME = 'sandbox'
    DESCRIPTION = 'upgrades the sandbox cloud service by service'
    RESTORES_BACKUP = True
    REPORTS_STATUS = True
    CONFIG_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'required': ['dir'],
        'properties': {
            'dir': {'type': 'string', 'minLength': 1},
            'mode': {'enum': list(MODES), 'default': 'rolling'},
        },
    }
    ACTION_SCHEMA = {
        'type': 'object',
        'additionalProperties': False,
        'properties': {
            'services': {'type': 'array', 'minItems': 1,
                         'items': {'enum': list(pins.SERVICES)}},
            'mode': {'enum': list(MODES)},
        },
    }

    def _sandbox(self):
        say = self.context.say if self.context else (lambda text: None)
        return cloud.Sandbox(layout_mod.Layout(self.config['dir']),
                             _Say(say))

    def validate(self, plan):
        found = []
        for release in ('from_release', 'to_release'):
            if plan[release] not in pins.RELEASES:
                found.append(plan_mod.Problem(release, (
                    'the sandbox has no release %s (it has: %s)' % (
                        plan[release], ', '.join(sorted(pins.RELEASES))))))
        for index, step in enumerate(plan['steps']):
            unknown = [s for s in self._services(step)
                       if s not in pins.SERVICES]
            if unknown:
                found.append(plan_mod.Problem(
                    'steps[%d].services' % index,
                    'the sandbox has no service %s (it has: %s)' % (
                        ', '.join(unknown), ', '.join(pins.SERVICES))))
            if 'rollback' in step:
                found.append(plan_mod.Problem(
                    'steps[%d].rollback' % index,
                    'the sandbox driver undoes a step by restoring its '
                    'backup; it takes no rollback action'))
        return found

    @staticmethod
    def _services(step):
        return list((step.get('action') or {}).get('services') or
                    step.get('services') or ())

    def resolve(self, step):
        return [p for s in self._services(step) for p in svcs.processes(s)]

    # -- upgrade ------------------------------------------------------------

    def upgrade(self, step, objects):
        action = step.get('action') or {}
        argv = [sys.executable, '-m', 'upgrade_tempest_plugin.cmd.main',
                'sandbox', 'upgrade', '--dir', self.config['dir'],
                '--to', self.context.to_release,
                '--mode', action.get('mode', self.config.get('mode',
                                                             'rolling'))]
        for service in self._services(step):
            argv += ['--service', service]
        return base.Command(argv)

    # -- backup and rollback -------------------------------------------------

    def backup(self):
        """Dump every service database; record the package versions."""
        sb = self._sandbox()
        st = sb.state()
        if st is None:
            raise RuntimeError('no sandbox in %s' % self.config['dir'])
        where = os.path.join(self.context.work_dir, 'backup')
        # The dumps hold what a restore must put back as it was: the
        # password hashes of Keystone's users and, in nova_api's
        # cell_mappings, the database and message-queue URLs with their
        # passwords.  So they are not redacted but private: mode 0600 in
        # a 0700 directory (whatever the umask or an earlier backup left).
        os.makedirs(where, mode=0o700, exist_ok=True)
        os.chmod(where, 0o700)
        saved = {}
        for service in statemod.deployed(st):
            databases = list(configs.DATABASES[service])
            if not databases:
                # Swift keeps its data in files, in a format every
                # release reads: a rollback only restarts the old code.
                saved[service] = dict(st['services'][service], dump=None,
                                      databases=[])
                continue
            dump = os.path.join(where, service + '.sql')
            with open(os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                              0o600), 'wb') as f:
                os.fchmod(f.fileno(), 0o600)
                subprocess.run(
                    infra.client_argv(sb.layout, 'mariadb-dump') + [
                        '--single-transaction', '--add-drop-database',
                        '--databases'] + databases,
                    stdout=f, stderr=subprocess.PIPE, check=True)
            saved[service] = dict(st['services'][service], dump=dump,
                                  databases=databases)
            self.context.say('backup: %s (%s, %s) -> %s' % (
                service, st['services'][service]['series'],
                st['services'][service]['version'], dump))
        with open(os.path.join(where, 'state.json'), 'w') as f:
            json.dump(st, f, indent=2, sort_keys=True)
        return {'dir': where, 'services': saved}

    def rollback(self, step, objects, backup):
        if not backup:
            return base.Outcome(False, 'no-backup', 'the campaign took no '
                                'backup to restore')
        try:
            for service in reversed(self._services(step)):
                self.restore(service, backup['services'][service])
        except subprocess.CalledProcessError as exc:
            return base.Outcome(False, 'restore-failed', '%s exited %d' % (
                os.path.basename(exc.cmd[0]), exc.returncode))
        except Exception as exc:   # noqa: the rollback reports, not raises
            return base.Outcome(False, 'restore-failed', '%s: %s' % (
                type(exc).__name__, exc))
        return base.OK

    def restore(self, service, saved):
        """Put ``service`` back as the backup ``saved`` it."""
        sb = self._sandbox()
        secrets = sb.secrets()
        venv = sb.venv(service, saved['series'])
        sb.stop_service(service)
        if saved.get('dump'):
            with open(saved['dump'], 'rb') as f:
                subprocess.run(infra.client_argv(sb.layout), stdin=f,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, check=True)
            self.context.say('restored the databases of %s' % service)
        sb.prepare_service(service, venv, secrets)
        sb.start_service(service, venv)
        sb.wait_healthy([service], secrets)
        st = sb.state()
        st['services'][service] = {'series': saved['series'],
                                   'version': saved['version']}
        st['release'] = min(i['series'] for i in st['services'].values())
        statemod.save(sb.layout, st)
        sb.write_workspace(st, secrets)
        self.context.say('%s is back at %s (%s)' % (
            service, saved['series'], saved['version']))

    def events_file(self):
        return layout_mod.Layout(self.config['dir']).events_file

    # -- status -------------------------------------------------------------

    def status(self, step, objects):
        sb = self._sandbox()
        st = sb.state() or {'services': {}}
        result = []
        for service in self._services(step):
            info = st['services'].get(service) or {}
            for process in svcs.processes(service):
                result.append(base.ObjectStatus(
                    process, 'up' if sb.running(process) else 'down',
                    info.get('series')))
        return result
