"""Campaigns on the real sandbox, with no mock.

From a sandbox at 2026.1 (built here if missing), in order, since each
part starts from where the last one left the cloud:

1. a campaign whose cold glance step has a 0 s image downtime budget: the
   check fails, the campaign rolls back in reverse order (glance, then
   placement) from its backup, and afterwards every service runs 2026.1
   again, the pre-upgrade workloads verify and the health validators pass;
   run with ``--export-on-failure``, it exports its run and the sandbox
   cloud to a bundle and prints where;
2. a campaign that upgrades 2026.1 -> 2026.2 service by service with
   checks between the steps: a second campaign on the same sandbox is
   refused with the holder's run id; the runner is killed with SIGKILL in
   the middle of a step and resumed, and finishes with no sandbox step
   done twice; the run analysis shows the downtime of each step;
3. no password or token of the sandbox in the campaign logs, the store or
   the output, nor in any file of the state directory but the two that
   must hold them, both private: the validators' tempest.conf copy and
   the backup's database dumps (mode 0600, in a 0700 directory).

The sandbox lives in $UPGRADE_TEMPEST_CAMPAIGN_DIR (default: a
``campaign-sandbox`` dir beside the default sandbox) on ports shifted by
$UPGRADE_TEMPEST_CAMPAIGN_PORT_OFFSET (default 600), and is brought down
at the end.
"""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import unittest

import yaml

from upgrade_tempest_plugin import facade
from upgrade_tempest_plugin.sandbox import layout as layoutmod
from upgrade_tempest_plugin.sandbox import pins
from upgrade_tempest_plugin.sandbox import state as statemod
from upgrade_tempest_plugin.sandbox import workspace
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.store import api as store_api

FROM, TO = '2026.1', '2026.2'
DIR_ENV = 'UPGRADE_TEMPEST_CAMPAIGN_DIR'
OFFSET_ENV = 'UPGRADE_TEMPEST_CAMPAIGN_PORT_OFFSET'
ORDER = pins.SERVICES
#: The profile observing each sandbox service.
PROFILE = workspace.PROFILES


def sandbox_dir():
    return os.environ.get(DIR_ENV) or os.path.join(
        os.path.dirname(layoutmod.default_dir()), 'campaign-sandbox')


def cli(*args, check=True, timeout=3600):
    argv = [sys.executable, '-m', 'upgrade_tempest_plugin.cmd.main']
    proc = subprocess.run(argv + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, env=env())
    sys.stdout.write(proc.stdout)
    if check and proc.returncode:
        raise AssertionError('upgrade-tempest %s: rc %d\n%s' % (
            ' '.join(args), proc.returncode, proc.stdout[-3000:]))
    return proc


def env():
    return dict(os.environ, OS_CLIENT_CONFIG_FILE=os.path.join(
        sandbox_dir(), 'clouds.yaml'), PYTHONUNBUFFERED='1')


def step(service, mode, group, **extra):
    result = {'id': service, 'group': group, 'services': [service],
              'action': {'mode': mode}, 'expected_seconds': 120,
              'timeout_seconds': 900, 'on_failure': 'rollback',
              'checks': [{'status': {}}]}
    result.update(extra)
    return result


def plan(name, steps, state_dir):
    workspace = layoutmod.Layout(sandbox_dir()).workspace
    return {
        'version': 1, 'name': name, 'cloud': 'campaign-sandbox',
        'from_release': FROM, 'to_release': TO,
        'driver': {'name': 'sandbox', 'config': {'dir': sandbox_dir()}},
        'operator': {'cloud': 'sandbox-admin', 'role': 'admin'},
        'tempest': {'workspace': workspace},
        'backup': {'enabled': True},
        'hang_factor': 3, 'max_failures': 1,
        'steps': steps}


class CampaignOnSandboxTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = sandbox_dir()
        cls.layout = layoutmod.Layout(cls.dir)
        st = statemod.load(cls.layout)
        # Reused only when it runs every service, each at the start
        # release: a run cut off mid-campaign leaves some services
        # upgraded under a sandbox still labelled with the start release,
        # and a sandbox built by an older version lacks newer services.
        if st is None or st['release'] != FROM or {
                name: svc.get('series')
                for name, svc in st.get('services', {}).items()} != {
                    s: FROM for s in ORDER}:
            if st is not None:
                cli('sandbox', 'destroy', '--dir', cls.dir)
            cli('sandbox', 'up', '--release', FROM, '--dir', cls.dir,
                '--port-offset', os.environ.get(OFFSET_ENV, '600'))
        else:
            cli('sandbox', 'up', '--dir', cls.dir)
        # the validators' state directory (the workspace's default),
        # emptied: no campaign or lock of an earlier run
        cls.state_dir = os.path.join(cls.layout.workspace, '.upgrade-tempest')
        shutil.rmtree(cls.state_dir, ignore_errors=True)
        cls.outputs = []

    @classmethod
    def tearDownClass(cls):
        cli('sandbox', 'down', '--dir', cls.dir, check=False)

    def write_plan(self, name, steps):
        path = os.path.join(self.dir, 'plans', name + '.yaml')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            yaml.safe_dump(plan(name, steps, self.state_dir), f)
        return path

    def run_campaign(self, *args, check=True):
        proc = cli('campaign', *args, '--state-dir', self.state_dir,
                   check=check)
        self.outputs.append(proc.stdout)
        return proc

    def store(self):
        store = store_api.open_store('sqlite:///' + os.path.join(
            self.state_dir, 'store.db'))
        self.addCleanup(store.close)
        return store

    def run_id_of(self, output):
        for line in output.splitlines():
            if line.startswith('campaign run '):
                return line.split()[2].rstrip(':')
        raise AssertionError(output)

    def series(self):
        st = statemod.load(self.layout)
        return {s: st['services'][s]['series'] for s in st['services']}

    def sandbox_events(self, since):
        with open(self.layout.events_file) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        return [r for r in rows if r['time'] >= since]

    def test_campaigns(self):
        self._failed_check_rolls_back()
        self._upgrade_killed_and_resumed()
        self._no_secret_anywhere()

    def _failed_check_rolls_back(self):
        path = self.write_plan('rollback', [
            step('placement', 'rolling', 1),
            step('glance', 'cold', 2, checks=[{'budget': {
                'service': 'image', 'max_downtime_seconds': 0}}])])
        bundles = os.path.join(self.dir, 'bundles')
        shutil.rmtree(bundles, ignore_errors=True)
        proc = self.run_campaign('run', path, '--export-on-failure', bundles,
                                 check=False)
        self.assertEqual(1, proc.returncode, proc.stdout[-3000:])
        run_id = self.run_id_of(proc.stdout)
        store = self.store()
        self.assertEqual('rolled back', store.get_campaign(run_id)['state'])
        [written] = os.listdir(bundles)
        self.assertIn('snapshot: exported the failed run to %s'
                      % os.path.join(bundles, written), proc.stdout)
        manifest = bundle.verify(os.path.join(bundles, written))
        self.assertEqual((run_id, ['run', 'cloud']),
                         (manifest['run_id'], manifest['parts']))
        files = [f['path'] for f in manifest['files']]
        self.assertIn('run/campaign/campaign.jsonl', files)
        self.assertFalse([f for f in files if 'backup' in f], files)
        undone = [e['action'] for e in store.list_events(run_id)
                  if e['source'] == 'campaign' and
                  e['action'].startswith('rollback:')]
        self.assertEqual(['rollback:glance', 'rollback:placement'], undone)
        self.assertEqual({s: FROM for s in ORDER}, self.series())
        phases = {r['item']: r['state'] for r in store.list_items(run_id)
                  if r['kind'] == 'phase'}
        # workloads verified, start release and health validators passed
        self.assertEqual('done', phases['rolled-back'])
        health = facade.run_validators(
            workspace=self.layout.workspace,
            regex=r'^upgrade_tempest_plugin\..*Health')
        self.assertTrue(health['ok'], health['explanation'])

    def _upgrade_killed_and_resumed(self):
        steps = [step(s, 'rolling', i + 1, checks=[
            {'status': {}}, {'validators': 'IdentityHealth'}])
            for i, s in enumerate(ORDER)]
        path = self.write_plan('upgrade', steps)
        began = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime())
        argv = [sys.executable, '-m', 'upgrade_tempest_plugin.cmd.main',
                'campaign', 'run', path, '--state-dir', self.state_dir]
        runner = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True,
                                  env=env())
        self.addCleanup(lambda: runner.poll() is None and runner.kill())
        run_id, row = self._wait_step_running('glance')
        second = self.run_campaign('run', path, check=False)
        self.assertEqual(2, second.returncode)
        self.assertIn('held by campaign run %s' % run_id, second.stdout)
        os.kill(runner.pid, signal.SIGKILL)
        self.outputs.append(runner.communicate()[0])
        resumed = self.run_campaign('run', '--resume', run_id)
        self.assertIn('was started by a past runner', resumed.stdout)
        store = self.store()
        self.assertEqual('done', store.get_campaign(run_id)['state'])
        self.assertEqual({s: TO for s in ORDER}, self.series())
        # nothing done twice: one switch of each process, one step each
        switches = [(e['object'], e['action'])
                    for e in self.sandbox_events(began)
                    if e['action'].startswith('switch:')]
        self.assertEqual(len(switches), len(set(switches)), switches)
        self.assertEqual(['backup'] + list(ORDER), [
            e['action'] for e in store.list_events(run_id)
            if e['source'] == 'campaign'])
        analysis = facade.analyse_run(
            config_file=os.path.join(self.layout.workspace, 'etc',
                                     'tempest.conf'),
            run_id=run_id, state_dir=self.state_dir, verdicts=False)
        for service in ORDER:
            labels = [r['label'] for r in
                      analysis['services'][PROFILE[service]]['steps']]
            self.assertIn('campaign %s %s' % (service, service), labels)

    def _wait_step_running(self, step_id, timeout=1800):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(os.path.join(self.state_dir, 'store.db')):
                store = self.store()
                for campaign in store.list_campaigns():
                    if campaign['name'] != 'upgrade':
                        continue
                    row = store.get_item(campaign['run_id'], 'step',
                                         step_id)
                    if row and (row['detail'] or {}).get('handle'):
                        return campaign['run_id'], row
            time.sleep(1)
        self.fail('step %s never ran' % step_id)

    def _no_secret_anywhere(self):
        secrets = list(statemod.load_secrets(self.layout).values())
        texts = list(self.outputs)
        for root, _, files in os.walk(self.state_dir):
            for name in files:
                if name.endswith(('.jsonl', '.log', '.json')):
                    with open(os.path.join(root, name), errors='replace') as f:
                        texts.append(f.read())
        self._secrets_only_in_private_files(secrets)
        store = self.store()
        for campaign in store.list_campaigns():
            texts.append(json.dumps(campaign, default=str))
            texts.append(json.dumps(store.list_events(campaign['run_id'])))
            texts.append(json.dumps(store.list_items(campaign['run_id'])))
        joined = '\n'.join(texts)
        for secret in secrets:
            self.assertNotIn(secret, joined)

    def _secrets_only_in_private_files(self, secrets):
        """A secret only in the files that must hold one, kept private.

        Every file of the state directory is read byte by byte (the
        store is checked row by row above).
        """
        holders = []
        for root, _, files in os.walk(self.state_dir):
            for name in files:
                path = os.path.join(root, name)
                if name.startswith('store.db'):
                    continue
                with open(path, 'rb') as f:
                    data = f.read()
                if any(s.encode() in data for s in secrets):
                    holders.append(path)
        # not a vacuous scan: the validators' tempest.conf copies hold
        # the demo password
        self.assertTrue(holders)
        for path in holders:
            parent = os.path.dirname(path)
            private_dir = (path.endswith('.sql') and
                           os.path.basename(parent) == 'backup')
            self.assertTrue(private_dir or
                            os.path.basename(path) == 'tempest.conf', path)
            self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode),
                             path)
            if private_dir:
                self.assertEqual(0o700,
                                 stat.S_IMODE(os.stat(parent).st_mode),
                                 parent)
