import io
import json
import os
import signal
import subprocess
import sys
import time
import types

import fixtures

from upgrade_tempest_plugin.campaign import callback
from upgrade_tempest_plugin.campaign import operator_check
from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import campaigns as recs
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.campaign import fakes

step = fakes.step


class CommandCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.state = os.path.join(self.dir, 'state')
        self.trace = os.path.join(self.dir, 'trace')
        self.stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value

    def cli(self, *args):
        return main.main(list(args) + ['--state-dir', self.state])

    def store(self):
        store = store_api.open_store('sqlite:///' + os.path.join(
            self.state, 'store.db'))
        self.addCleanup(store.close)
        return store

    def traced(self, word, extra=''):
        return "sh -c 'echo %s >> %s%s'" % (word, self.trace, extra)

    def trace_lines(self):
        try:
            with open(self.trace) as f:
                return f.read().split()
        except FileNotFoundError:
            return []

    def run_id(self):
        for line in self.stdout.getvalue().splitlines():
            if line.startswith('campaign run '):
                return line.split()[2].rstrip(':')
        raise AssertionError(self.stdout.getvalue())


class RunCommandTest(CommandCase):

    def test_run_status_list(self):
        path = fakes.write(self.dir, fakes.command_plan([
            step('a', self.traced('a')), step('b', self.traced('b'))]))
        self.assertEqual(0, self.cli('campaign', 'run', path))
        run_id = self.run_id()
        self.assertIn('no operator check', self.stdout.getvalue())
        self.assertIn('campaign run %s: done' % run_id,
                      self.stdout.getvalue())
        self.assertEqual(['a', 'b'], self.trace_lines())
        self.stdout.seek(0)
        self.stdout.truncate()
        self.assertEqual(0, self.cli('campaign', 'status', run_id,
                                     '-f', 'json'))
        rows = json.loads(self.stdout.getvalue())
        self.assertEqual(
            [('step', 'a', '', 'done'), ('object', 'a', 'a', 'done'),
             ('step', 'b', '', 'done'), ('object', 'b', 'b', 'done')],
            [(r['kind'], r['item'], r['object'], r['state'])
             for r in rows if r['kind'] in ('step', 'object')])
        self.stdout.seek(0)
        self.stdout.truncate()
        self.assertEqual(0, self.cli('campaign', 'list', '-f', 'json'))
        self.assertEqual([(run_id, 'unit', 'done')],
                         [(c['run'], c['name'], c['state'])
                          for c in json.loads(self.stdout.getvalue())])
        # the state directory's run is the campaign's (the validators')
        with open(os.path.join(self.state, 'run_id')) as f:
            self.assertEqual(run_id, f.read().strip())

    def test_status_watch_refreshes_until_the_end(self):
        import threading
        store = self.store()
        store.create_campaign('run-w', 'unit', 'unit', {}, state='running')
        store.set_item('run-w', recs.STEP, 'a', recs.RUNNING, position=1)

        def finish():
            # once the watch showed the running campaign and its table
            deadline = time.time() + 30
            while ('| running ' not in self.stdout.getvalue() and
                   time.time() < deadline):
                time.sleep(0.05)
            store.set_item('run-w', recs.STEP, 'a', recs.DONE)
            store.set_campaign_state('run-w', 'done')

        thread = threading.Thread(target=finish)
        thread.start()
        self.assertEqual(0, self.cli('campaign', 'status', 'run-w',
                                     '--watch', '--interval', '0.1'))
        thread.join()
        out = self.stdout.getvalue()
        self.assertIn('run-w: running', out)
        final = out[out.rindex('| kind'):]
        self.assertIn('| done ', final)
        self.assertNotIn('running', final)
        self.assertIn('| running ', out[:out.rindex('| kind')])
        self.assertIn('run-w: done', self.stderr.getvalue())

    def test_dry_run_touches_nothing(self):
        path = fakes.write(self.dir, fakes.command_plan([
            step('a', self.traced('a'))]))
        self.assertEqual(0, self.cli('campaign', 'run', path, '--dry-run'))
        self.assertIn('$ sh -c ', self.stdout.getvalue())
        self.assertEqual([], self.trace_lines())
        self.assertFalse(os.path.exists(self.state))

    def test_a_failed_campaign_exits_1(self):
        path = fakes.write(self.dir, fakes.command_plan([step('a',
                                                              'false')]))
        self.assertEqual(1, self.cli('campaign', 'run', path))
        self.assertIn(': stopped', self.stdout.getvalue())
        self.assertEqual(1, self.cli('campaign', 'status'))

    def exported(self, out):
        """The bundle the output says was exported; checked."""
        from upgrade_tempest_plugin.snapshot import bundle
        [written] = os.listdir(out)
        path = os.path.join(out, written)
        self.assertIn('snapshot: exported the failed run to %s' % path,
                      self.stdout.getvalue())
        return bundle.verify(path)

    def test_a_failed_campaign_exports_a_bundle(self):
        out = os.path.join(self.dir, 'bundles')
        path = fakes.write(self.dir, fakes.command_plan([step('a',
                                                              'false')]))
        self.assertEqual(1, self.cli('campaign', 'run', path,
                                     '--export-on-failure', out,
                                     '--listen', '127.0.0.1:0'))
        self.assertTrue(os.path.exists(os.path.join(
            self.state, 'campaigns', self.run_id(), 'callback-token')))
        manifest = self.exported(out)
        self.assertEqual(self.run_id(), manifest['run_id'])
        files = [f['path'] for f in manifest['files']]
        self.assertIn('run/store/events.jsonl', files)
        # the campaign's log and its steps' output, nothing else of its
        # directory (the callback token, a backup)
        self.assertEqual(['run/campaign/a.log', 'run/campaign/campaign.jsonl'],
                         sorted(f for f in files
                                if f.startswith('run/campaign/')))

    def test_a_campaign_that_passes_exports_nothing(self):
        out = os.path.join(self.dir, 'bundles')
        path = fakes.write(self.dir, fakes.command_plan([step('a',
                                                              'true')]))
        self.assertEqual(0, self.cli('campaign', 'run', path,
                                     '--export-on-failure', out))
        self.assertFalse(os.path.exists(out))
        self.assertNotIn('snapshot:', self.stdout.getvalue())

    def test_a_resumed_campaign_rolled_back_exports_a_bundle(self):
        out = os.path.join(self.dir, 'bundles')
        path = fakes.write(self.dir, fakes.command_plan([
            step('a', 'true', rollback={'command': 'true'})]))
        self.assertEqual(0, self.cli('campaign', 'run', path))
        run_id = self.run_id()
        # A runner killed while rolling back.
        self.store().set_campaign_state(run_id, 'rolling back')
        self.assertEqual(1, self.cli('campaign', 'run', '--resume', run_id,
                                     '--export-on-failure', out))
        self.assertIn('campaign run %s: rolled back' % run_id,
                      self.stdout.getvalue())
        self.assertEqual(run_id, self.exported(out)['run_id'])

    def test_the_sandbox_driver_exports_the_cloud_too(self):
        from upgrade_tempest_plugin.cmd import campaign as campaign_cmd
        from upgrade_tempest_plugin.snapshot import auto
        calls = []
        self.useFixture(fixtures.MockPatchObject(
            auto, 'export_failed',
            side_effect=lambda *a, **k: calls.append((a, k))))
        session = types.SimpleNamespace(
            plan=fakes.command_plan(
                [], driver={'name': 'sandbox', 'config': {'dir': '/srv/sb'}},
                tempest={'workspace': self.dir}),
            run_id='campaign-1',
            ctx=types.SimpleNamespace(state_dir=self.state))
        conf = os.path.join(self.dir, 'etc', 'tempest.conf')
        os.makedirs(os.path.dirname(conf))
        open(conf, 'w').close()
        campaign_cmd._export(session, '', self.stdout)
        self.assertEqual(
            [(('', self.stdout), {
                'config_file': conf, 'sandbox_dir': '/srv/sb',
                'run_id': 'campaign-1', 'state_dir': self.state})], calls)
        session.plan['driver'] = {'name': 'command'}
        campaign_cmd._export(session, 'x', self.stdout)
        self.assertIsNone(calls[1][1]['sandbox_dir'])

    def test_a_bad_plan_exits_2_before_anything(self):
        path = fakes.write(self.dir, fakes.command_plan([
            step('a', 'true'), step('a', 'true')]))
        self.assertEqual(2, self.cli('campaign', 'run', path))
        self.assertIn("steps[1].id: duplicate id 'a'",
                      self.stdout.getvalue())
        self.assertFalse(os.path.exists(self.state))

    def test_plan_or_resume(self):
        self.assertEqual(2, self.cli('campaign', 'run'))
        self.assertIn('give a PLAN or --resume RUN', self.stderr.getvalue())

    def test_unknown_run(self):
        self.assertEqual(2, self.cli('campaign', 'run', '--resume', 'nope'))
        self.assertIn('no campaign run nope', self.stderr.getvalue())


class LockAndResumeTest(CommandCase):
    """A real runner process, killed with SIGKILL in the middle of a step."""

    def start_runner(self, path):
        env = dict(os.environ, PYTHONUNBUFFERED='1')
        proc = subprocess.Popen(
            [sys.executable, '-m', 'upgrade_tempest_plugin.cmd.main',
             'campaign', 'run', path, '--state-dir', self.state],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
            text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc

    def wait_running(self, step_id, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(os.path.join(self.state, 'store.db')):
                store = self.store()
                for campaign in store.list_campaigns():
                    row = store.get_item(campaign['run_id'], recs.STEP,
                                         step_id)
                    if row and (row['detail'] or {}).get('handle'):
                        return campaign['run_id'], row
            time.sleep(0.2)
        self.fail('step %s never ran' % step_id)

    def test_second_campaign_refused_then_resume_after_kill(self):
        plan = fakes.command_plan([
            step('a', self.traced('a')),
            step('b', self.traced('b-start', '; sleep 4; echo b-end >> '
                                  + self.trace)),
            step('c', self.traced('c'))], name='lab')
        path = fakes.write(self.dir, plan)
        proc = self.start_runner(path)
        run_id, row = self.wait_running('b')
        # One campaign per cloud.
        self.assertEqual(2, self.cli('campaign', 'run', path))
        self.assertIn('refused: cloud lab is held by campaign run %s'
                      % run_id, self.stderr.getvalue())
        # Nor is it resumed while its runner lives.
        self.assertEqual(2, self.cli('campaign', 'run', '--resume', run_id))
        self.assertIn('refused: campaign %s is being run by process %d'
                      % (run_id, proc.pid), self.stderr.getvalue())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        self.assertEqual(['a', 'b-start'], self.trace_lines())
        # The step's command outlived the runner.
        self.assertEqual(0, self.cli('campaign', 'run', '--resume', run_id))
        self.assertIn('was started by a past runner',
                      self.stdout.getvalue())
        self.assertEqual(['a', 'b-start', 'b-end', 'c'], self.trace_lines())
        store = self.store()
        self.assertEqual('done', store.get_campaign(run_id)['state'])
        self.assertEqual(['a', 'b', 'c'], [
            e['action'] for e in store.list_events(run_id)
            if e['source'] == 'campaign'])
        self.assertEqual(1, len([
            e for e in store.list_events(run_id)
            if e['action'] == 'preflight']))
        self.assertEqual(2, self.cli('campaign', 'run', '--resume',
                                     run_id))
        self.assertIn('ended (done): nothing to resume',
                      self.stderr.getvalue())
        # with its plan (which locates the store), but not another one
        self.assertEqual(2, self.cli('campaign', 'run', path, '--resume',
                                     run_id))
        self.assertIn('ended (done)', self.stderr.getvalue())
        other = fakes.write(self.dir, dict(plan, name='other'), 'o.yaml')
        self.assertEqual(2, self.cli('campaign', 'run', other, '--resume',
                                     run_id))
        self.assertIn('ran another plan than %s' % other,
                      self.stderr.getvalue())


class ListenTest(CommandCase):

    def test_the_deployment_tool_reports_a_manual_step_done(self):
        import re
        import urllib.request
        path = fakes.write(self.dir, fakes.command_plan([
            {'id': 'fw', 'action': {'instruction': 'open the firewall'},
             'expected_seconds': 5, 'timeout_seconds': 60}],
            driver={'name': 'manual'}))
        proc = subprocess.Popen(
            [sys.executable, '-m', 'upgrade_tempest_plugin.cmd.main',
             'campaign', 'run', path, '--state-dir', self.state,
             '--listen', '127.0.0.1:0'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, PYTHONUNBUFFERED='1'))
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        seen = []
        for line in proc.stdout:
            seen.append(line)
            found = re.search(r'POST (http://\S+) .* token in (\S+)', line)
            if found:
                break
        self.assertTrue(found, seen)
        url, token_file = found.groups()
        with open(token_file) as f:
            token = f.read().strip()
        self.wait_running_manual(url)
        request = urllib.request.Request(
            url, data=json.dumps({'step': 'fw', 'done': True}).encode(),
            headers={'Authorization': 'Bearer ' + token,
                     'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as response:
            self.assertEqual(202, response.status)
        rest = proc.communicate(timeout=60)[0]
        self.assertEqual(0, proc.returncode, rest)
        self.assertRegex(rest, r'fw callback +recorded +step fw reported '
                               r'done')
        self.assertRegex(rest, r'campaign run campaign-\w+: done')
        self.assertRegex(rest, r'campaign continue campaign-\w+ fw')
        self.assertNotIn(token, ''.join(seen) + rest)

    def wait_running_manual(self, url, timeout=30):
        run_id = url.split('/runs/')[1].split('/')[0]
        deadline = time.time() + timeout
        while time.time() < deadline:
            row = self.store().get_item(run_id, recs.STEP, 'fw')
            if row and (row['detail'] or {}).get('waiting_for'):
                return
            time.sleep(0.2)
        self.fail('the step never waited')


class RollbackAndContinueCommandTest(CommandCase):

    def test_rollback_command(self):
        path = fakes.write(self.dir, fakes.command_plan([
            step('a', 'true', rollback={'command': self.traced('undo-a')}),
            step('b', 'true', rollback={'command': self.traced('undo-b')})]))
        self.assertEqual(0, self.cli('campaign', 'run', path))
        run_id = self.run_id()
        self.assertEqual(0, self.cli('campaign', 'rollback', run_id))
        self.assertEqual(['undo-b', 'undo-a'], self.trace_lines())
        self.assertEqual(2, self.cli('campaign', 'rollback', run_id))
        self.assertIn('already rolled back', self.stderr.getvalue())

    def test_pause_and_continue_a_campaign(self):
        store = self.store()
        store.create_campaign('run-p', 'unit', 'unit', {}, state='running')
        self.assertEqual(2, self.cli('campaign', 'continue', 'run-p'))
        self.assertIn('campaign run-p is not paused', self.stderr.getvalue())
        self.assertEqual(0, self.cli('campaign', 'pause', 'run-p'))
        self.assertTrue(store.get_campaign('run-p')['detail'][
            'pause_requested'])
        self.assertEqual(0, self.cli('campaign', 'continue', 'run-p'))
        self.assertFalse(store.get_campaign('run-p')['detail'][
            'pause_requested'])
        store.set_campaign_state('run-p', 'done')
        self.assertEqual(2, self.cli('campaign', 'pause', 'run-p'))
        self.assertIn('is not running (done)', self.stderr.getvalue())

    def test_resume_finishes_an_interrupted_rollback(self):
        path = fakes.write(self.dir, fakes.command_plan([
            step('a', 'true', rollback={'command': self.traced('undo-a')}),
            step('b', 'true', rollback={'command': self.traced('undo-b')})]))
        self.assertEqual(0, self.cli('campaign', 'run', path))
        run_id = self.run_id()
        store = self.store()
        # A runner killed while rolling back, b already undone.
        store.set_campaign_state(run_id, 'rolling back')
        store.set_item(run_id, recs.STEP, 'b', recs.ROLLED_BACK)
        store.set_item(run_id, recs.ROLLBACK, 'b', recs.DONE)
        self.assertEqual(1, self.cli('campaign', 'run', '--resume', run_id))
        self.assertEqual(['undo-a'], self.trace_lines())
        self.assertEqual('rolled back', store.get_campaign(run_id)['state'])

    def test_continue_needs_a_waiting_step(self):
        path = fakes.write(self.dir, fakes.command_plan([step('a',
                                                              'true')]))
        self.cli('campaign', 'run', path)
        run_id = self.run_id()
        self.assertEqual(2, self.cli('campaign', 'continue', run_id, 'a'))
        self.assertIn('waits for nobody', self.stderr.getvalue())
        self.assertEqual(2, self.cli('campaign', 'continue', run_id, 'z'))
        self.assertIn('has no step z', self.stderr.getvalue())


class OperatorTest(base.TestCase):

    def test_role_held(self):
        plan = {'operator': {'cloud': 'ops', 'role': 'admin'}}
        self.assertEqual('operator ops holds the role admin',
                         operator_check.check(plan, lambda c: ['admin']))

    def test_role_missing(self):
        plan = {'operator': {'cloud': 'ops'}}
        exc = self.assertRaises(exceptions.UserError, operator_check.check,
                                plan, lambda c: ['member', 'reader'])
        self.assertIn('does not hold the role admin (it holds: member, '
                      'reader)', str(exc))

    def test_no_operator_section(self):
        self.assertIn('no operator check', operator_check.check(
            {}, lambda c: self.fail('asked')))

    def test_unknown_cloud(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', '/nonexistent/clouds.yaml'))
        exc = self.assertRaises(exceptions.UserError, operator_check.roles_of,
                                'no-such-cloud')
        self.assertIn('operator cloud no-such-cloud', str(exc))


class CallbackTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.store = store_api.open_store(
            'sqlite:///' + os.path.join(self.dir, 'store.db'))
        self.addCleanup(self.store.close)
        self.store.create_campaign('run-1', 'unit', 'unit', {})
        self.store.set_item('run-1', recs.STEP, 'fw', recs.RUNNING,
                            detail={'waiting_for': 'action'})
        from upgrade_tempest_plugin.campaign import log as log_mod
        self.out = io.StringIO()
        self.log = log_mod.CampaignLog(os.path.join(self.dir, 'c.jsonl'),
                                       'run-1', self.out)
        self.token = callback.token_for(self.dir)
        self.log.add_secret(self.token)
        self.client = callback.make_app(self.store, 'run-1', self.token,
                                        self.log).test_client()
        self.auth = {'Authorization': 'Bearer ' + self.token}

    def post(self, body, run='run-1', headers=None):
        return self.client.post('/runs/%s/events' % run, json=body,
                                headers=self.auth if headers is None
                                else headers)

    def test_token_file_is_private_and_kept(self):
        path = os.path.join(self.dir, callback.TOKEN_FILE)
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        self.assertEqual(self.token, callback.token_for(self.dir))

    def test_records_an_event(self):
        response = self.post({'time': '2026-11-30T01:00:05Z',
                              'started': '2026-11-30T01:00:00Z',
                              'action': 'nova-api', 'object': 'ctl1',
                              'outcome': 'ok', 'step': 'fw'})
        self.assertEqual(202, response.status_code)
        event = self.store.list_events('run-1')[0]
        self.assertEqual(('driver', 'nova-api', 'ctl1', 'ok'),
                         (event['source'], event['action'],
                          event['service'], event['result']))
        self.assertEqual(5.0, event['detail']['ended_at'] - event['at'])

    def test_marks_a_step_done(self):
        self.assertEqual(202, self.post({'step': 'fw',
                                         'done': True}).status_code)
        detail = self.store.get_item('run-1', recs.STEP, 'fw')['detail']
        self.assertEqual(('done', 'the callback'),
                         (detail['confirmed'], detail['by']))

    def test_refusals(self):
        self.assertEqual(401, self.post({}, headers={}).status_code)
        self.assertEqual(401, self.post(
            {}, headers={'Authorization': 'Bearer nope'}).status_code)
        self.assertEqual(404, self.post({}, run='other').status_code)
        self.assertEqual(400, self.client.post(
            '/runs/run-1/events', data='x', headers=self.auth).status_code)
        self.assertEqual(400, self.post({'step': 'zz',
                                         'done': True}).status_code)
        self.assertEqual(400, self.post({'done': True}).status_code)
        self.assertEqual(400, self.post({'action': 'x'}).status_code)
        self.assertEqual([], self.store.list_events('run-1'))

    def test_the_token_never_reaches_the_log(self):
        self.post({'step': 'fw', 'done': True,
                   'time': '2026-11-30T01:00:05Z', 'action': 'note',
                   'detail': 'token=%s' % self.token})
        with open(os.path.join(self.dir, 'c.jsonl')) as f:
            text = f.read()
        self.assertNotIn(self.token, text + self.out.getvalue() + json.dumps(
            self.store.list_events('run-1')))

    def test_served_over_http(self):
        import urllib.request
        endpoint = callback.Endpoint('127.0.0.1', 0, callback.make_app(
            self.store, 'run-1', self.token, self.log)).start()
        self.addCleanup(endpoint.stop)
        request = urllib.request.Request(
            'http://127.0.0.1:%d/runs/run-1/events' % endpoint.port,
            data=json.dumps({'step': 'fw', 'done': False}).encode(),
            headers=dict(self.auth, **{'Content-Type': 'application/json'}))
        with urllib.request.urlopen(request, timeout=10) as response:
            self.assertEqual(202, response.status)
        self.assertEqual('failed', self.store.get_item(
            'run-1', recs.STEP, 'fw')['detail']['confirmed'])


class FacadeTest(CommandCase):

    def test_campaign_problems(self):
        from upgrade_tempest_plugin import facade
        path = fakes.write(self.dir, fakes.command_plan([
            step('a', 'true'), step('a', 'true')]))
        self.assertEqual(
            [{'path': 'steps[1].id',
              'message': "duplicate id 'a' (also steps[0])"}],
            facade.campaign_problems(path))
        self.assertEqual([], facade.campaign_problems(fakes.write(
            self.dir, fakes.command_plan([step('a', 'true')]), 'ok.yaml')))
        self.assertRaises(exceptions.UserError, facade.campaign_problems,
                          self.dir + '/none.yaml')

    def test_campaign_status(self):
        from upgrade_tempest_plugin import facade
        path = fakes.write(self.dir, fakes.command_plan([step('a',
                                                              'true')]))
        self.assertEqual(0, self.cli('campaign', 'run', path))
        status = facade.campaign_status(state_dir=self.state)
        self.assertEqual((self.run_id(), 'unit', 'done'),
                         (status['run_id'], status['name'],
                          status['state']))
        self.assertIn({'kind': 'step', 'item': 'a', 'state': 'done'},
                      [{k: i[k] for k in ('kind', 'item', 'state')}
                       for i in status['items']])
