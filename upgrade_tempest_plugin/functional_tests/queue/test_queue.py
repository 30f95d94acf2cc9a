"""The test queue on loopback: real geard, workers, status API and store.

No cloud is needed: the jobs run a few Tempest identity tests against a
closed port, so each job really installs its venv, runs ``tempest run``
and reports one failed test class.  test_sandbox.py runs jobs against the
sandbox cloud.
"""

import importlib.metadata
import json
import os
import signal
import subprocess
import sys

import fixtures
import gear
import testtools

from upgrade_tempest_plugin.functional_tests.queue import pool as pool_mod
from upgrade_tempest_plugin.queue import records
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.queue import worker as worker_mod
from upgrade_tempest_plugin.report import pages

SECRET = 'Queue-Secret-%s' % os.urandom(6).hex()
OPERATOR_SECRET = 'Operator-Secret-%s' % os.urandom(6).hex()
#: Three tests whose class setup fails at once against a closed port.
REGEX = r'^tempest\.api\.identity\.v3\.test_tokens\.'
TEMPEST_VERSION = importlib.metadata.version('tempest')
#: Seconds a first job may take: a cold wheel cache builds Tempest's venv
#: from the package index.
FIRST_JOB = 600
TRANSITIONS = [reporter.QUEUED, reporter.ACCEPTED, reporter.INSTALLING,
               reporter.RUNNING, reporter.FAILED]


def plan(**overrides):
    """A campaign plan of two ``command`` steps, no validator."""
    document = {
        'version': 1, 'name': 'queued-campaign', 'from_release': '2026.1',
        'to_release': '2026.2', 'driver': {'name': 'command', 'config': {}},
        'steps': [{'id': step, 'action': {'command': ['true']},
                   'services': [service], 'expected_seconds': 5,
                   'timeout_seconds': 120}
                  for step, service in (('one', 'keystone'),
                                        ('two', 'glance'))],
    }
    document.update(overrides)
    return document


def job_payload(test_id, **overrides):
    document = {
        'version': 1, 'test_id': test_id,
        'cloud': {'name': 'nowhere',
                  'tempest_conf': '[identity]\nuri_v3 = '
                                  'http://127.0.0.1:9/identity/v3\n',
                  'accounts_yaml': '- username: demo\n  project_name: '
                                   'demo\n  password: %s\n' % SECRET},
        'run': {'regex': REGEX},
        'tempest_version': TEMPEST_VERSION,
        'report': {'url': 'http://placeholder/update-test-status/'},
        'timeout': 900,
    }
    document.update(overrides)
    return document


class QueueTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.pool = self.useFixture(pool_mod.Pool())

    def assertNoSecretAnywhere(self, secret=SECRET):
        stored = json.dumps(
            records.list_jobs(self.pool.store)
            + [records.list_status(self.pool.store, job['test_id'])
               for job in records.list_jobs(self.pool.store)]
            + self.pool.store.list_test_results('q-1'), default=str)
        self.assertNotIn(secret, stored)
        for name in self.pool.workers:
            self.assertNotIn(secret, self.pool.worker_log(name))
        self.assertNotIn(secret, self.pool.geard.log())

    def test_jobs_spread_over_two_workers_and_each_runs_once(self):
        self.pool.add_worker('w1')
        self.pool.add_worker('w2')
        test_ids = ['q-%d' % n for n in range(1, 5)]
        for test_id in test_ids:
            self.pool.submit(job_payload(test_id))
        self.pool.wait_final(test_ids, FIRST_JOB + 300)
        workers = set()
        for test_id in test_ids:
            job = self.pool.job(test_id)
            self.assertEqual(TRANSITIONS, self.pool.states(test_id),
                             test_id)
            self.assertEqual(('failed', 3, 1), (job['state'], job['total'],
                                                job['failed']), test_id)
            results = self.pool.store.list_test_results(test_id)
            self.assertEqual(['fail'], [r['status'] for r in results])
            self.assertIn('TokensV3Test', results[0]['test_id'])
            # Imported from the job's subunit stream: with its duration
            # and its traceback, as the job's run.
            self.assertIsNotNone(results[0]['duration'])
            self.assertIn('Traceback', results[0]['detail'] or '')
            self.assertIn('TokensV3Test', pages.run_page(self.pool.store,
                                                         test_id))
            workers.add(job['worker'])
        self.assertEqual({'w1', 'w2'}, workers)
        self.assertNoSecretAnywhere()

    def test_campaign_plan_jobs(self):
        # The job's venv needs the plugin: a wheel of this checkout.
        wheel = pool_mod.plugin_wheel(os.path.join(self.pool.tmp, 'wheel'))
        self.pool.add_worker('w1', plugin_wheel=wheel)
        self.pool.submit(job_payload('q-plan', run={'plan': plan()}))
        # Straight to geard, past the client's check: the worker's
        # ``campaign validate`` refuses it.
        twice = plan()
        twice['steps'][1]['id'] = 'one'
        self.pool.submit(job_payload('q-badplan', run={'plan': twice}))
        operated = job_payload('q-operator', run={'plan': plan(
            operator={'cloud': 'op', 'role': 'admin'})})
        operated['cloud']['operator_clouds_yaml'] = {'auth': {
            'auth_url': 'http://127.0.0.1:9/identity', 'username': 'admin',
            'password': OPERATOR_SECRET, 'project_name': 'admin'}}
        self.pool.submit(operated)
        self.pool.wait_final(['q-plan', 'q-badplan', 'q-operator'],
                             FIRST_JOB + 300)
        job = self.pool.job('q-plan')
        self.assertEqual(
            [reporter.QUEUED, reporter.ACCEPTED, reporter.INSTALLING,
             reporter.RUNNING, reporter.PASSED], self.pool.states('q-plan'))
        self.assertEqual(('campaign queued-campaign', 2, 2, 0, 2),
                         (job['regex'], job['total'], job['passed'],
                          job['failed'], job['done']))
        self.assertEqual(
            (reporter.ERROR, "payload.run.plan.steps[1].id: duplicate id "
             "'one' (also steps[0])"),
            (self.pool.job('q-badplan')['state'],
             self.pool.job('q-badplan')['reason']))
        operator = self.pool.job('q-operator')
        self.assertEqual(reporter.FAILED, operator['state'])
        self.assertIn('operator cloud op: cannot get a token',
                      operator['reason'])
        self.assertNoSecretAnywhere(OPERATOR_SECRET)

    def test_worker_killed_mid_job_is_reported_lost_never_passed(self):
        worker = self.pool.add_worker('w1')
        self.pool.submit(job_payload('q-kill'))
        self.pool.wait(lambda: self.pool.job('q-kill')['state'] in (
            reporter.INSTALLING, reporter.RUNNING), FIRST_JOB,
            'job q-kill started')
        live = pool_mod.gear_client.job_status(
            self.pool.client, self.pool.job('q-kill')['handle'])
        self.assertEqual((True, True), (live['known'], live['running']))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        self.pool.wait_final(['q-kill'], 60)
        job = self.pool.job('q-kill')
        self.assertEqual((reporter.LOST, records.LOST_REASON),
                         (job['state'], job['reason']))
        self.assertNotIn(reporter.PASSED, self.pool.states('q-kill'))
        # The killed worker's Tempest died with it.
        work_dir = os.path.join(self.pool.tmp, 'work-w1')
        self.pool.wait(lambda: not _processes_under(work_dir), 30,
                       'no process runs in %s' % work_dir)
        # Another worker takes the next job.
        self.pool.add_worker('w2')
        self.pool.submit(job_payload('q-after'))
        self.pool.wait_final(['q-after'], FIRST_JOB)
        after = self.pool.job('q-after')
        self.assertEqual(('failed', 'w2'), (after['state'], after['worker']))

    def test_standalone_worker_runs_a_job(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        script = pool_mod.standalone_worker(
            tmp, pool_mod.plugin_wheel(os.path.join(tmp, 'wheel')))
        self.pool.add_worker('solo', executable=script)
        self.pool.submit(job_payload('q-solo'))
        self.pool.wait_final(['q-solo'], FIRST_JOB)
        self.assertEqual(TRANSITIONS, self.pool.states('q-solo'))
        self.assertEqual('solo', self.pool.job('q-solo')['worker'])

    def test_bad_payload_fails_in_the_worker_which_goes_on(self):
        self.pool.add_worker('w1')
        bad = job_payload('../../etc')
        job = gear.Job(worker_mod.FUNCTION.encode(),
                       json.dumps(bad).encode())
        self.pool.client.submitJob(job)
        self.pool.wait(lambda: job.complete, 60, 'bad job answered')
        self.assertTrue(job.exception)
        self.assertEqual(
            b'payload.test_id: does not match '
            b'^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', job.exception)
        self.pool.submit(job_payload('q-next', tempest_version='99.0.0'))
        self.pool.wait_final(['q-next'], 300)
        self.assertEqual(
            (reporter.ERROR, 'payload.tempest_version: unknown Tempest '
             'version 99.0.0 (not in the wheel cache nor the package '
             'index)'),
            (self.pool.job('q-next')['state'],
             self.pool.job('q-next')['reason']))

    def test_worker_survives_geard_restarting_mid_job(self):
        self.pool.add_worker('w1')
        self.pool.submit(job_payload('q-mid'))
        self.pool.wait(lambda: self.pool.job('q-mid')['state'] ==
                       reporter.RUNNING, FIRST_JOB, 'job q-mid running')
        self.pool.geard.restart()
        self.pool.client.shutdown()
        self.pool.client = pool_mod.gear_client.connect(
            [(self.pool.geard.host, self.pool.geard.port)])
        # The job ends and reports its end to the status API.
        self.pool.wait(lambda: reporter.FAILED in self.pool.states('q-mid'),
                       300, 'job q-mid reported its end')
        # The slot reconnected and takes the next job.
        self.pool.wait(lambda: pool_mod.gear_client.workers(
            self.pool.client), 60, 'the worker is back')
        bad = gear.Job(worker_mod.FUNCTION.encode(), b'{}')
        self.pool.client.submitJob(bad)
        self.pool.wait(lambda: bad.complete, 60, 'the job answered')
        self.assertEqual(b'payload: missing version, test_id, cloud, run, '
                         b'tempest_version, report', bad.exception)
        # geard forgot the job it had handed out: a failure, never passed.
        self.pool.reconcile()
        self.assertIn(self.pool.job('q-mid')['state'],
                      (reporter.FAILED, reporter.LOST))


class QueueCliTest(testtools.TestCase):
    """queue submit/list/status/cancel/workers as a user runs them."""

    def setUp(self):
        super().setUp()
        self.pool = self.useFixture(pool_mod.Pool())
        tmp = self.pool.tmp
        self.conf = os.path.join(tmp, 'tempest.conf')
        with open(self.conf, 'w') as conf:
            conf.write('[upgrade]\nstore_url = sqlite:///%s/store.db\n'
                       '[upgrade_queue]\ngearman_servers = %s\n'
                       'status_api_url = %s\n' % (
                           tmp, self.pool.geard.address,
                           self.pool.report_url))
        self.cloud = os.path.join(tmp, 'cloud.conf')
        self.accounts = os.path.join(tmp, 'accounts.yaml')
        document = job_payload('x')
        with open(self.cloud, 'w') as cloud:
            cloud.write(document['cloud']['tempest_conf'])
        with open(self.accounts, 'w') as accounts:
            accounts.write(document['cloud']['accounts_yaml'])

    def cli(self, *args):
        exe = os.path.join(os.path.dirname(sys.executable), 'upgrade-tempest')
        proc = subprocess.run(
            [exe, 'queue'] + list(args) + ['--config-file', self.conf],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=self.pool.tmp, env=dict(os.environ, HOME=self.pool.tmp))
        self.assertNotIn(SECRET, proc.stdout + proc.stderr)
        return proc

    def test_submit_then_cancel_a_queued_job(self):
        proc = self.cli('submit', '--tempest-conf', self.cloud,
                        '--accounts', self.accounts, '--regex', REGEX,
                        '--test-id', 'cli-1', '-f', 'json')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual('cli-1', json.loads(proc.stdout)[0]['test_id'])
        proc = self.cli('status', '-f', 'json')
        self.assertEqual([{'geard': self.pool.geard.address,
                           'function': worker_mod.FUNCTION, 'jobs': 1,
                           'running': 0, 'workers': 0}],
                         json.loads(proc.stdout))
        proc = self.cli('status', 'cli-1', '-f', 'json')
        self.assertEqual([('queued', ''), ('queued', 'waiting in geard')],
                         [(row['state'], row['message'])
                          for row in json.loads(proc.stdout)])
        proc = self.cli('cancel', 'cli-1', '-f', 'json')
        self.assertEqual((0, [{'test_id': 'cli-1', 'state': 'cancelled'}]),
                         (proc.returncode, json.loads(proc.stdout)),
                         proc.stderr)
        proc = self.cli('status', '-f', 'json')
        # geard forgets a function without jobs or workers.
        self.assertEqual((0, []), (proc.returncode, json.loads(proc.stdout)))
        proc = self.cli('list', '-f', 'json')
        self.assertEqual([('cli-1', 'cancelled')],
                         [(j['test_id'], j['state'])
                          for j in json.loads(proc.stdout)])
        proc = self.cli('cancel', 'cli-1')
        self.assertEqual(2, proc.returncode)
        self.assertTrue(proc.stderr.endswith(
            'upgrade-tempest: error: job cli-1 is cancelled: only a queued '
            'job can be cancelled\n'), proc.stderr)

    def test_without_geard_list_and_status_show_the_last_reports(self):
        self.pool.submit(job_payload('cli-3'))
        nowhere = '127.0.0.1:%d' % pool_mod.geard.free_port()
        proc = self.cli('list', '--gearman', nowhere, '-f', 'json')
        self.assertEqual((0, [('cli-3', 'queued')]),
                         (proc.returncode,
                          [(j['test_id'], j['state'])
                           for j in json.loads(proc.stdout)]))
        self.assertIn('upgrade-tempest: warning: no geard answers at %s; '
                      'states as last reported' % nowhere, proc.stderr)
        proc = self.cli('status', 'cli-3', '--gearman', nowhere, '-f',
                        'json')
        self.assertEqual((0, ['queued']), (proc.returncode, [
            row['state'] for row in json.loads(proc.stdout)]))
        proc = self.cli('workers', '--gearman', nowhere)
        self.assertEqual(1, proc.returncode)
        self.assertTrue(proc.stderr.endswith(
            'upgrade-tempest: error: no geard answers at %s\n' % nowhere),
            proc.stderr)

    def test_bad_plan_is_refused_on_submit_with_its_first_problem(self):
        path = os.path.join(self.pool.tmp, 'plan.yaml')
        with open(path, 'w') as plan_file:
            json.dump(plan(to_release='2025.1'), plan_file)
        proc = self.cli('submit', '--tempest-conf', self.cloud,
                        '--accounts', self.accounts, '--plan', path)
        self.assertEqual(2, proc.returncode)
        self.assertTrue(proc.stderr.endswith(
            'upgrade-tempest: error: payload.run.plan.to_release: 2026.1 -> '
            '2025.1 is not an upgrade\n'), proc.stderr)
        self.assertEqual([], records.list_jobs(self.pool.store))

    def test_bad_payload_is_refused_on_submit(self):
        path = os.path.join(self.pool.tmp, 'payload.json')
        with open(path, 'w') as payload_file:
            json.dump(job_payload('cli-2', timeout='1h'), payload_file)
        proc = self.cli('submit', path)
        self.assertEqual(2, proc.returncode)
        self.assertTrue(proc.stderr.endswith(
            'upgrade-tempest: error: payload.timeout: must be of type '
            'integer\n'), proc.stderr)
        self.assertEqual([], records.list_jobs(self.pool.store))

    def test_workers_lists_each_slot(self):
        self.pool.add_worker('w1', slots=2)
        proc = self.cli('workers', '-f', 'json')
        self.assertEqual(['w1-1', 'w1-2'], sorted(
            row['worker'] for row in json.loads(proc.stdout)))


def _processes_under(path):
    """Pids whose command line names ``path``."""
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as cmdline:
                if path.encode() in cmdline.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found
