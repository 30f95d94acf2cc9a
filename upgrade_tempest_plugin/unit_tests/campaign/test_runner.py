import io
import json
import os
import threading
import time

import fixtures

from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign import log as log_mod
from upgrade_tempest_plugin.campaign import runner as runner_mod
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import campaigns as recs
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.campaign import fakes

step = fakes.step


class RunnerCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.store = store_api.open_store(
            'sqlite:///' + os.path.join(self.dir, 'store.db'))
        self.addCleanup(self.store.close)
        self.out = io.StringIO()
        self.trace = os.path.join(self.dir, 'trace')

    def traced(self, word, extra=''):
        """A command that appends ``word`` to the trace file."""
        return "sh -c 'echo %s >> %s%s'" % (word, self.trace, extra)

    def trace_lines(self):
        try:
            with open(self.trace) as f:
                return f.read().split()
        except FileNotFoundError:
            return []

    def runner(self, plan, phases=None, run_id='run-1'):
        if self.store.get_campaign(run_id) is None:
            self.store.acquire_campaign_lock(plan['name'], run_id)
            runner_mod.Runner.create(plan, self.store, run_id)
        work = os.path.join(self.dir, run_id)
        os.makedirs(work, exist_ok=True)
        log = log_mod.CampaignLog(os.path.join(work, 'campaign.jsonl'),
                                  run_id, self.out)
        driver = drivers.load(plan, drivers.Context(
            plan['from_release'], plan['to_release'], work, log.say))
        self.phases = phases or fakes.Phases()
        return runner_mod.Runner(plan, self.store, run_id, work, driver,
                                 log, self.phases, check_delay=0)

    def log_records(self, run_id='run-1'):
        with open(os.path.join(self.dir, run_id, 'campaign.jsonl')) as f:
            return [json.loads(line) for line in f]

    def states(self, run_id='run-1', kind=recs.STEP):
        return {r['item']: r['state'] for r in self.store.list_items(run_id)
                if r['kind'] == kind and not r['object']}

    def step_events(self, run_id='run-1'):
        return [e for e in self.store.list_events(run_id)
                if e['source'] == 'campaign']


class RunTest(RunnerCase):

    def test_a_campaign_that_passes(self):
        plan = fakes.command_plan([
            step('keystone', self.traced('keystone'), group=1),
            step('glance', self.traced('glance', '; sleep 1'), group=2),
            step('cinder', self.traced('cinder', '; sleep 1'), group=2),
            step('nova', self.traced('nova'), group=3,
                 checks=[{'validators': 'Health'}])])
        begin = time.time()
        self.assertEqual(runner_mod.DONE, self.runner(plan).run())
        trace = self.trace_lines()
        self.assertEqual('keystone', trace[0])
        self.assertEqual({'glance', 'cinder'}, set(trace[1:3]))
        self.assertEqual('nova', trace[3])
        # glance and cinder ran side by side.
        self.assertLess(time.time() - begin, 6)
        events = self.step_events()
        self.assertEqual(['keystone', 'nova'],
                         [events[0]['action'], events[-1]['action']])
        for event in events:
            self.assertEqual('ok', event['result'])
            self.assertGreaterEqual(event['detail']['ended_at'],
                                    event['at'])
        self.assertEqual({'keystone': 'done', 'glance': 'done',
                          'cinder': 'done', 'nova': 'done'}, self.states())
        self.assertEqual(
            ['point:preflight', 'observers:start', 'point:pre-upgrade',
             'Health', 'point:post-upgrade', 'point:destroy',
             'observers:stop'], self.phases.calls)
        self.assertEqual('done', self.store.get_campaign('run-1')['state'])
        self.assertIsNone(self.store.campaign_lock_holder('unit'))
        steps = [r for r in self.log_records() if r['source'] == 'campaign']
        self.assertEqual(4, len(steps))
        for record in steps:
            for key in ('time', 'run', 'step', 'object', 'action',
                        'outcome', 'started', 'seconds'):
                self.assertIn(key, record)

    def test_an_unhealthy_cloud_is_refused_unless_forced(self):
        plan = fakes.command_plan([step('a', self.traced('a'))])
        phases = fakes.Phases(failing=['point:preflight'])
        self.assertEqual(runner_mod.REFUSED,
                         self.runner(plan, phases).run())
        self.assertEqual([], self.trace_lines())
        self.assertEqual(['point:preflight'], phases.calls)
        self.assertIsNone(self.store.campaign_lock_holder('unit'))
        phases = fakes.Phases(failing=['point:preflight'])
        self.assertEqual(runner_mod.DONE, self.runner(
            plan, phases, run_id='run-2').run(force=True))
        self.assertEqual(['a'], self.trace_lines())

    def test_a_failed_step_stops_the_campaign(self):
        plan = fakes.command_plan([
            step('a', self.traced('a')),
            step('b', 'sh -c "exit 3"'),
            step('c', self.traced('c'))])
        self.assertEqual(runner_mod.STOPPED, self.runner(plan).run())
        self.assertEqual(['a'], self.trace_lines())
        self.assertEqual({'a': 'done', 'b': 'failed', 'c': 'pending'},
                         self.states())
        failed = [e for e in self.step_events() if e['action'] == 'b'][0]
        self.assertEqual(('failed', 'exit-3'),
                         (failed['result'], failed['detail']['error_code']))
        # cascade stop: workloads destroyed, observers stopped, reported
        self.assertEqual(['point:destroy', 'observers:stop'],
                         self.phases.calls[-2:])
        self.assertNotIn('point:post-upgrade', self.phases.calls)
        self.assertIn('cascade-stop', self.out.getvalue())

    def test_a_step_its_driver_cannot_resolve_never_runs(self):
        exe, record = fakes.stand_in(self.dir, 'kolla-ansible')
        plan = fakes.command_plan([
            {'id': 'nova', 'services': ['nova'],
             'action': {'command': 'upgrade'}, 'expected_seconds': 5,
             'timeout_seconds': 30}],
            driver={'name': 'kolla-ansible', 'config': {
                'executable': exe, 'inventory': self.dir + '/multinode',
                'ansible_inventory': '/nonexistent/ansible-inventory'}})
        self.assertEqual(runner_mod.STOPPED, self.runner(plan).run())
        self.assertFalse(os.path.exists(record))
        self.assertEqual({'nova': 'failed'}, self.states())
        failed = self.step_events()[0]
        self.assertEqual(('failed', 'resolve-failed'),
                         (failed['result'], failed['detail']['error_code']))
        self.assertIn('/nonexistent/ansible-inventory not found',
                      failed['detail']['detail'])

    def kolla_plan(self, ansible_output, ansible_code=0):
        """A kolla-ansible step of 1.5 s, hosts from a real inventory."""
        from upgrade_tempest_plugin.campaign import actions
        self.useFixture(fixtures.MockPatchObject(actions, 'STATUS_INTERVAL',
                                                 0.2))
        kolla = os.path.join(self.dir, 'kolla-ansible')
        with open(kolla, 'w') as f:
            f.write('#!/bin/sh\nsleep 1.5\n')
        os.chmod(kolla, 0o755)
        inventory = os.path.join(self.dir, 'multinode')
        with open(inventory, 'w') as f:
            f.write(fakes.MULTINODE)
        ansible, _ = fakes.stand_in(self.dir, 'ansible', ansible_code,
                                    ansible_output)
        return fakes.command_plan([
            {'id': 'keystone', 'services': ['keystone'],
             'action': {'command': 'upgrade'}, 'expected_seconds': 5,
             'timeout_seconds': 30}],
            driver={'name': 'kolla-ansible', 'config': {
                'executable': kolla, 'inventory': inventory,
                'ansible': ansible, 'ansible_inventory':
                fakes.ansible_tool('ansible-inventory')}})

    def test_running_step_status_per_host(self):
        image = 'quay.io/openstack.kolla/keystone:%s-ubuntu-noble'
        output = '\n'.join(
            '%s | CHANGED | rc=0 >>\n%s' % (host, json.dumps(
                {'Names': 'keystone', 'State': 'running',
                 'Image': image % release}))
            for host, release in (('control01', '2025.1'),
                                  ('control02', '2025.2')))
        plan = self.kolla_plan(output)
        self.assertEqual(runner_mod.DONE, self.runner(plan).run())
        rows = {r['object']: r for r in self.store.list_items('run-1')
                if r['kind'] == recs.OBJECT}
        self.assertEqual(['control01', 'control02'], sorted(rows))
        self.assertEqual(
            [('done', 'up', '2025.1'), ('done', 'up', '2025.2')],
            [(rows[h]['state'], rows[h]['detail']['status'],
              rows[h]['detail']['release']) for h in sorted(rows)])

    def test_a_status_that_cannot_be_asked_is_noted_once(self):
        plan = self.kolla_plan('', ansible_code=5)
        self.assertEqual(runner_mod.DONE, self.runner(plan).run())
        notes = [r for r in self.log_records()
                 if r.get('action') == 'status']
        self.assertEqual(1, len(notes), notes)
        self.assertEqual('unknown', notes[0]['outcome'])
        self.assertIn('exited 5', notes[0]['detail'])

    def test_continue_until_max_failures(self):
        plan = fakes.command_plan([
            step('a', 'false', on_failure='continue'),
            step('b', self.traced('b')),
            step('c', 'false', on_failure='continue'),
            step('d', self.traced('d'))], max_failures=2)
        self.assertEqual(runner_mod.STOPPED, self.runner(plan).run())
        self.assertEqual(['b'], self.trace_lines())
        self.assertEqual('stopped', self.store.get_campaign(
            'run-1')['state'])
        self.assertIn('2 failure(s), max_failures is 2',
                      self.store.get_campaign('run-1')['detail']['reason'])

    def test_a_failed_check_is_one_failure(self):
        analysis = {'services': {'identity': {'steps': [
            {'label': 'campaign a a', 'downtime': 3.0,
             'availability': 90.0}]}}}
        plan = fakes.command_plan([
            step('a', 'true', on_failure='continue', checks=[
                {'budget': {'service': 'identity',
                            'max_downtime_seconds': 1}}]),
            step('b', self.traced('b')),
            step('c', 'false', on_failure='continue'),
            step('d', self.traced('d'))], max_failures=2)
        runner = self.runner(plan, fakes.Phases(analysis=analysis))
        self.assertEqual(runner_mod.STOPPED, runner.run())
        self.assertEqual(['b'], self.trace_lines())
        self.assertEqual(2, runner.failures())
        row = self.store.get_item('run-1', recs.STEP, 'a')
        self.assertEqual(('failed', 'check-failed'),
                         (row['state'], row['error_code']))

    def test_hanging_then_timeout(self):
        plan = fakes.command_plan([
            step('slow', 'sleep 30', expected_seconds=0.5,
                 timeout_seconds=2.5),
            step('after', self.traced('after'))], hang_factor=2)
        begin = time.time()
        self.assertEqual(runner_mod.STOPPED, self.runner(plan).run())
        self.assertLess(time.time() - begin, 20)
        alarms = [e for e in self.store.list_events('run-1')
                  if e['action'] == 'alarm:hanging']
        self.assertEqual(1, len(alarms))
        self.assertEqual('slow', alarms[0]['service'])
        slow = [e for e in self.step_events() if e['action'] == 'slow'][0]
        self.assertEqual('timeout', slow['detail']['error_code'])
        # the alarm came after 2 x 0.5 s, before the timeout
        self.assertGreaterEqual(alarms[0]['at'] - slow['at'], 1.0)
        self.assertLess(alarms[0]['at'] - slow['at'], 2.5)
        self.assertEqual([], self.trace_lines())
        self.assertIn('hanging', [r['outcome'] for r in self.log_records()])

    def test_budget_over_the_step_window(self):
        analysis = {'services': {'identity': {'steps': [
            {'label': 'campaign keystone keystone', 'downtime': 3.2,
             'availability': 95.0}]}}}
        plan = fakes.command_plan([step('keystone', 'true', checks=[
            {'budget': {'service': 'identity',
                        'max_downtime_seconds': 5}}])])
        self.assertEqual(runner_mod.DONE, self.runner(
            plan, fakes.Phases(analysis=analysis)).run())
        plan['steps'][0]['checks'][0]['budget']['max_downtime_seconds'] = 0
        self.assertEqual(runner_mod.STOPPED, self.runner(
            plan, fakes.Phases(analysis=analysis), run_id='run-2').run())
        check = self.store.get_item('run-2', recs.CHECK, 'keystone#0')
        self.assertEqual(('failed', 'check-failed'),
                         (check['state'], check['error_code']))
        self.assertIn('3.2 s of downtime > 0 s', check['detail']['result'])

    def test_no_secret_in_the_log_the_store_or_the_output(self):
        plan = fakes.command_plan([step(
            'a', "sh -c 'exit 1' password=hunter2",
            on_failure='stop')])
        runner = self.runner(plan)
        runner.log.add_secret('s3cr3t-token')
        runner.log.note('callback', 'recorded', detail='s3cr3t-token seen')
        runner.run()
        texts = [self.out.getvalue()]
        for name in os.listdir(os.path.join(self.dir, 'run-1')):
            with open(os.path.join(self.dir, 'run-1', name)) as f:
                texts.append(f.read())
        texts.append(json.dumps(self.store.list_events('run-1')))
        texts.append(json.dumps(self.store.list_items('run-1')))
        joined = '\n'.join(texts)
        self.assertNotIn('hunter2', joined)
        self.assertNotIn('s3cr3t-token', joined)
        # the step's log shows the command line, masked
        self.assertIn('$ sh -c exit 1 password=***', joined)
        self.assertIn('exit-1', joined)


class ResumeTest(RunnerCase):

    def test_a_command_lost_with_the_machine_runs_again(self):
        import subprocess
        plan = fakes.command_plan([step('a', self.traced('a')),
                                   step('b', self.traced('b'))])
        runner = self.runner(plan)
        # A past runner began b; its command died without an exit code.
        gone = subprocess.Popen(['true'])
        gone.wait()
        self.store.set_item('run-1', recs.STEP, 'b', recs.RUNNING,
                            started_at=time.time(), detail={
                                'objects': ['b'], 'handle': {
                                    'pid': gone.pid, 'starttime': 1,
                                    'log': os.path.join(self.dir, 'b.log'),
                                    'result': os.path.join(self.dir,
                                                           'none.json')}})
        self.assertEqual(runner_mod.DONE, runner.run())
        self.assertEqual(['a', 'b'], self.trace_lines())
        self.assertIn('running the step again', self.out.getvalue())
        self.assertEqual(['a', 'b'], [e['action']
                                      for e in self.step_events()])

    def test_a_failed_step_that_let_the_campaign_go_on_is_not_rerun(self):
        plan = fakes.command_plan([
            step('a', self.traced('a', '; exit 1'), on_failure='continue'),
            step('b', self.traced('b'))], max_failures=2)
        runner = self.runner(plan)
        # A past runner ran a (failed, continue) and was killed in b.
        self.assertFalse(runner.run_step(plan['steps'][0]))
        self.store.set_campaign_state('run-1', 'running')
        # it ends failed (a failure), with a run once and b run once
        self.assertEqual(runner_mod.FAILED,
                         self.runner(plan).run())
        self.assertEqual(['a', 'b'], self.trace_lines())


class PauseAndManualTest(RunnerCase):

    def confirm_later(self, run_id, item, value='done'):
        def confirm():
            while True:
                row = self.store.get_item(run_id, recs.STEP, item)
                if row and (row['detail'] or {}).get('waiting_for'):
                    self.store.set_item(run_id, recs.STEP, item,
                                        row['state'],
                                        detail={'confirmed': value})
                    return
                time.sleep(0.05)
        thread = threading.Thread(target=confirm, daemon=True)
        thread.start()
        return thread

    def test_manual_step_waits_for_confirmation(self):
        plan = fakes.command_plan([
            {'id': 'fw', 'action': {'instruction': 'open the firewall'},
             'expected_seconds': 5, 'timeout_seconds': 20}],
            driver={'name': 'manual'})
        self.confirm_later('run-1', 'fw')
        self.assertEqual(runner_mod.DONE, self.runner(plan).run())
        self.assertIn('open the firewall', self.out.getvalue())

    def test_manual_step_reported_failed(self):
        plan = fakes.command_plan([
            {'id': 'fw', 'action': {'instruction': 'open the firewall'},
             'expected_seconds': 5, 'timeout_seconds': 20}],
            driver={'name': 'manual'})
        self.confirm_later('run-1', 'fw', 'failed')
        self.assertEqual(runner_mod.STOPPED, self.runner(plan).run())

    def test_pause_then_manual_step_need_two_confirmations(self):
        plan = fakes.command_plan([
            {'id': 'fw', 'action': {'instruction': 'open the firewall'},
             'expected_seconds': 5, 'timeout_seconds': 3, 'pause': True}],
            driver={'name': 'manual'})
        self.confirm_later('run-1', 'fw')
        # the pause is confirmed, the step itself never: its timeout
        self.assertEqual(runner_mod.STOPPED, self.runner(plan).run())
        row = self.store.get_item('run-1', recs.STEP, 'fw')
        self.assertEqual(('failed', 'timeout'),
                         (row['state'], row['error_code']))

    def test_campaign_paused_by_the_operator(self):
        plan = fakes.command_plan([step('a', self.traced('a')),
                                   step('b', self.traced('b'))])
        runner = self.runner(plan)
        self.store.set_campaign_state('run-1', 'running',
                                      pause_requested=True)
        thread = threading.Thread(target=runner.run, daemon=True)
        thread.start()
        deadline = time.time() + 20
        while (self.store.get_campaign('run-1')['state'] != 'paused' and
               time.time() < deadline):
            time.sleep(0.05)
        self.assertEqual('paused', self.store.get_campaign('run-1')['state'])
        time.sleep(0.6)
        self.assertEqual([], self.trace_lines())
        self.store.set_campaign_state('run-1', 'paused',
                                      pause_requested=False)
        thread.join(20)
        self.assertEqual(['a', 'b'], self.trace_lines())
        self.assertEqual('done', self.store.get_campaign('run-1')['state'])

    def test_pause_waits_before_the_step(self):
        plan = fakes.command_plan([step('a', self.traced('a'),
                                        pause=True)])
        runner = self.runner(plan)
        thread = threading.Thread(target=runner.run, daemon=True)
        thread.start()
        time.sleep(1.0)
        self.assertEqual([], self.trace_lines())
        self.assertEqual('pause', self.store.get_item(
            'run-1', recs.STEP, 'a')['detail']['waiting_for'])
        self.confirm_later('run-1', 'a')
        thread.join(20)
        self.assertEqual(['a'], self.trace_lines())


class RollbackTest(RunnerCase):

    def test_failure_rolls_back_in_reverse_order(self):
        undo = self.traced('undo-$step')
        plan = fakes.command_plan([
            step('keystone', self.traced('keystone'), group=1,
                 rollback={'command': undo}),
            step('glance', self.traced('glance'), group=2,
                 rollback={'command': undo}),
            step('cinder', self.traced('cinder'), group=3,
                 rollback={'command': undo}),
            step('nova', "sh -c 'exit 2'", group=4,
                 rollback={'command': undo}, on_failure='rollback'),
            step('never', self.traced('never'), group=5)])
        self.assertEqual(runner_mod.ROLLED_BACK, self.runner(plan).run())
        self.assertEqual(['keystone', 'glance', 'cinder', 'undo-nova',
                          'undo-cinder', 'undo-glance', 'undo-keystone'],
                         self.trace_lines())
        self.assertEqual({'keystone': 'rolled back',
                          'glance': 'rolled back', 'cinder': 'rolled back',
                          'nova': 'rolled back', 'never': 'pending'},
                         self.states())
        self.assertEqual(
            ['rollback:nova', 'rollback:cinder', 'rollback:glance',
             'rollback:keystone'],
            [e['action'] for e in self.step_events()
             if e['action'].startswith('rollback:')])
        self.assertEqual(['point:rolled-back', 'point:destroy',
                          'observers:stop'], self.phases.calls[-3:])

    def test_a_step_that_touched_no_service_has_nothing_to_undo(self):
        plan = fakes.command_plan([
            step('pull', self.traced('pull'), services=[]),
            step('x', 'false', rollback={'command': self.traced('undo-x')},
                 on_failure='rollback')])
        self.assertEqual(runner_mod.ROLLED_BACK, self.runner(plan).run())
        self.assertEqual(['pull', 'undo-x'], self.trace_lines())
        self.assertIn('it touched no service', self.out.getvalue())

    def test_a_failed_undo_stops_the_rollback(self):
        plan = fakes.command_plan([
            step('a', 'true', rollback={'command': self.traced('undo-a')}),
            step('b', 'true', rollback={'command': 'false'}),
            step('c', 'false', rollback={'command': self.traced('undo-c')},
                 on_failure='rollback')])
        self.assertEqual(runner_mod.ROLLBACK_FAILED,
                         self.runner(plan).run())
        self.assertEqual(['undo-c'], self.trace_lines())
        self.assertEqual({'a': 'done', 'b': 'done', 'c': 'rolled back'},
                         self.states())

    def test_rollback_of_a_finished_campaign(self):
        from upgrade_tempest_plugin.campaign import rollback
        plan = fakes.command_plan([
            step('a', 'true', rollback={'command': self.traced('undo-a')}),
            step('b', 'true', rollback={'command': self.traced('undo-b')})])
        self.assertEqual(runner_mod.DONE, self.runner(plan).run())
        self.assertEqual(runner_mod.ROLLED_BACK, rollback.Rollback(
            self.runner(plan)).run('asked'))
        self.assertEqual(['undo-b', 'undo-a'], self.trace_lines())
        # its workloads were destroyed when it ended: none to verify
        self.assertEqual(['point:rolled-back-after-destroy'],
                         self.phases.calls)
