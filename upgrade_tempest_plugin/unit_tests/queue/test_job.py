"""The worker's job pieces that need no Tempest: config, counting, verdict."""

import configparser
import os
import subprocess
import sys
import time

import fixtures

from upgrade_tempest_plugin.queue import job
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.queue import venvs
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.queue import fakes


# A worker that starts a long child, then dies without cleaning up.
DYING_WORKER = """
import os, subprocess, time
from upgrade_tempest_plugin.queue import children
child = children.popen(['sleep', '60'], stdout=subprocess.DEVNULL)
print(child.pid, flush=True)
time.sleep(1)
os._exit(9)
"""


def _gone(pid):
    """True when ``pid`` is not running (exited, or a zombie)."""
    try:
        with open('/proc/%d/stat' % pid) as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] in ('Z', 'X')
    except FileNotFoundError:
        return True


def _parse(text):
    conf = configparser.RawConfigParser()
    conf.read_string(text)
    return conf


class _Report:
    def __init__(self):
        self.posts = []

    def post(self, state, **details):
        self.posts.append((state, details))


class TempestConfTest(base.TestCase):

    def test_payload_conf_gets_the_job_accounts_logs_and_locks(self):
        conf = _parse(job.tempest_conf(fakes.payload(), '/ws'))
        self.assertEqual('http://127.0.0.1:1/identity/v3',
                         conf['identity']['uri_v3'])
        self.assertEqual('/ws/accounts.yaml',
                         conf['auth']['test_accounts_file'])
        self.assertEqual('false', conf['auth']['use_dynamic_credentials'])
        self.assertEqual('/ws/logs', conf['DEFAULT']['log_dir'])
        self.assertEqual('/ws/locks', conf['oslo_concurrency']['lock_path'])

    def test_clouds_entry_becomes_identity_options_without_password(self):
        document = fakes.payload()
        del document['cloud']['tempest_conf']
        document['cloud']['clouds_yaml'] = {
            'auth': {'auth_url': 'https://k.example/identity/',
                     'password': fakes.SECRET},
            'region_name': 'R2', 'verify': False}
        text = job.tempest_conf(document, '/ws')
        conf = _parse(text)
        self.assertEqual('https://k.example/identity/v3',
                         conf['identity']['uri_v3'])
        self.assertEqual('R2', conf['identity']['region'])
        self.assertEqual('true', conf['identity'][
            'disable_ssl_certificate_validation'])
        self.assertNotIn(fakes.SECRET, text)

    def test_conf_that_is_not_ini_is_located_without_its_text(self):
        document = fakes.payload()
        document['cloud']['tempest_conf'] = '[auth]\npassword %s\n' % (
            fakes.SECRET)
        exc = self.assertRaises(job.JobError, job.tempest_conf, document,
                                '/ws')
        self.assertEqual('payload.cloud.tempest_conf: not INI text',
                         str(exc))


class CountTest(base.TestCase):

    def test_counts_test_ids_only(self):
        listing = ('tempest.api.a.Test.test_one[id-1,smoke]\n'
                   'tempest.api.a.Test.test_two[id-2]\n'
                   '\n'
                   'Some warning text.\n')
        self.assertEqual(2, job.count_tests(listing))


class VerdictTest(base.TestCase):

    def _job(self, statuses):
        one = job.Job(fakes.payload(), cache=None, work_dir=None,
                      report=_Report())
        one.results = [{'id': 't%d' % n, 'status': s}
                       for n, s in enumerate(statuses)]
        return one

    def test_all_passed(self):
        outcome = self._job(['success', 'skip'])._verdict(0, 2)
        self.assertEqual((reporter.PASSED, 1, 0, 1, 2),
                         (outcome.state, outcome.passed, outcome.failed,
                          outcome.skipped, outcome.total))

    def test_a_failure_fails(self):
        outcome = self._job(['success', 'fail'])._verdict(1, 2)
        self.assertEqual((reporter.FAILED, '1 test(s) failed'),
                         (outcome.state, outcome.reason))

    def test_all_skipped_is_not_passed(self):
        outcome = self._job(['skip'])._verdict(1, 1)
        self.assertEqual((reporter.FAILED, 'every test was skipped'),
                         (outcome.state, outcome.reason))

    def test_no_result_is_an_error(self):
        outcome = self._job([])._verdict(100, 0)
        self.assertEqual((reporter.ERROR, 'no test ran (tempest run exited '
                          '100)'), (outcome.state, outcome.reason))

    def test_passing_tests_with_a_bad_exit_is_an_error(self):
        outcome = self._job(['success'])._verdict(1, 1)
        self.assertEqual(reporter.ERROR, outcome.state)


class StreamTest(base.TestCase):
    """The job's subunit stream goes with its outcome, up to a bound."""

    def setUp(self):
        super().setUp()
        self.path = self.useFixture(fixtures.TempDir()).join('run.subunit')
        self.job = job.Job(fakes.payload(), cache=None, work_dir=None,
                           report=_Report())
        self.verdict = job.Outcome(reporter.FAILED, '1 test(s) failed', 1,
                                   1, 0, 2)

    def test_the_stream_is_uploaded(self):
        with open(self.path, 'wb') as stream:
            stream.write(b'\xb3subunit bytes')
        outcome = self.job._with_stream(self.verdict, self.path)
        self.assertEqual((b'\xb3subunit bytes', '1 test(s) failed'),
                         (outcome.stream, outcome.reason))

    def test_a_stream_over_the_bound_is_left_out_and_said(self):
        self.useFixture(fixtures.MockPatch(
            'upgrade_tempest_plugin.queue.job.MAX_UPLOAD_BYTES', 4))
        with open(self.path, 'wb') as stream:
            stream.write(b'12345')
        outcome = self.job._with_stream(self.verdict, self.path)
        self.assertEqual((None, '1 test(s) failed; subunit stream not '
                          'uploaded (5 bytes, more than 4)'),
                         (outcome.stream, outcome.reason))

    def test_no_stream_file_no_stream(self):
        outcome = self.job._with_stream(self.verdict, self.path)
        self.assertEqual(self.verdict, outcome)


class ProgressTest(base.TestCase):

    def test_geard_gets_every_step_the_status_api_one_now_and_then(self):
        now = [100.0]
        sent = []
        report = _Report()
        one = job.Job(fakes.payload(), None, None, report,
                      progress=lambda *p: sent.append(p),
                      clock=lambda: now[0])
        one._running(3)
        for done, at in ((1, 101.0), (2, 100.0 + job.PROGRESS_EVERY),
                         (3, 101.0 + job.PROGRESS_EVERY)):
            now[0] = at
            one._progress(done, 3)
        self.assertEqual([(0, 3), (1, 3), (2, 3), (3, 3)], sent)
        self.assertEqual([(reporter.RUNNING, {'total': 3}),
                          (reporter.RUNNING, {'tries': 1, 'done': 2,
                                              'total': 3})], report.posts)


class CampaignJobTest(base.TestCase):
    """A plan job: ``campaign validate``, then ``campaign run``.

    This plugin's, the way the job's venv has it; the job reports steps.
    """

    PLUGIN = [sys.executable, '-m', job.PLUGIN_MAIN]

    def setUp(self):
        super().setUp()
        self.job_dir = self.useFixture(fixtures.TempDir()).path
        self.workspace = os.path.join(self.job_dir, 'workspace')
        os.makedirs(self.workspace)
        self.progress = []
        self.report = _Report()

    def _campaign(self, document):
        one = job.Job(document, None, None, self.report,
                      progress=lambda *p: self.progress.append(p))
        return one._campaign(self.PLUGIN, dict(os.environ), self.job_dir,
                             self.workspace, job._Deadline(120))

    def test_a_plan_that_runs_through_passes(self):
        outcome = self._campaign(fakes.plan_payload(fakes.plan(),
                                                    operator=False))
        self.assertEqual((reporter.PASSED, 2, 0, 2),
                         (outcome.state, outcome.passed, outcome.failed,
                          outcome.total))
        self.assertEqual((0, 2), self.progress[0])
        self.assertEqual((2, 2), self.progress[-1])
        self.assertEqual([(reporter.RUNNING, {'total': 2})],
                         self.report.posts)

    def test_a_failed_step_fails_the_job(self):
        plan = fakes.plan()
        plan['steps'][1]['action'] = {'command': ['false']}
        outcome = self._campaign(fakes.plan_payload(plan, operator=False))
        self.assertEqual((reporter.FAILED, 1, 1, 2),
                         (outcome.state, outcome.passed, outcome.failed,
                          outcome.total))
        self.assertRegex(outcome.reason,
                         r'^campaign exited 1: campaign run \S+: stopped$')

    def test_the_worker_validates_the_plan_with_the_campaign(self):
        plan = fakes.plan()
        plan['steps'][1]['id'] = 'one'
        outcome = self._campaign(fakes.plan_payload(plan, operator=False))
        self.assertEqual((reporter.ERROR, "payload.run.plan.steps[1].id: "
                          "duplicate id 'one' (also steps[0])"),
                         (outcome.state, outcome.reason))
        self.assertEqual([], self.report.posts)

    def test_the_operator_is_checked_with_its_own_clouds_yaml(self):
        outcome = self._campaign(fakes.plan_payload())
        # The operator's Keystone (port 1) does not answer: the campaign
        # did not start, having read the job's operator clouds.yaml.
        self.assertEqual((reporter.FAILED, 0), (outcome.state,
                                                outcome.passed))
        self.assertIn('operator cloud op: cannot get a token',
                      outcome.reason)
        self.assertNotIn(fakes.SECRET, outcome.reason)
        path = os.path.join(self.job_dir, 'operator-clouds.yaml')
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)

    def test_a_venv_without_the_plugin_is_said(self):
        self.PLUGIN = [sys.executable, '-m', 'no_such_module']
        outcome = self._campaign(fakes.plan_payload(fakes.plan(),
                                                    operator=False))
        self.assertEqual(
            (reporter.ERROR, "campaign validate exited 1: a plan needs this "
             "plugin in the job's venv (the payload's plugin_version, or "
             "the worker's --plugin-wheel)"),
            (outcome.state, outcome.reason))

    def test_an_operator_check_needs_openstacksdk_in_the_venv(self):
        extras = job.campaign_job.venv_extras
        self.assertEqual(('openstacksdk',), extras(fakes.plan_payload()))
        self.assertEqual((), extras(fakes.plan_payload(fakes.plan(),
                                                       operator=False)))
        self.assertEqual((), extras(fakes.payload()))
        cache = venvs.Cache(self.useFixture(fixtures.TempDir()).path)
        self.assertEqual(
            (['tempest==47.0.0', 'openstacksdk'],
             'tempest-47.0.0_plugin-none_openstacksdk'),
            cache.requirements('47.0.0', extras=('openstacksdk',)))
        self.assertEqual((['tempest==47.0.0'], 'tempest-47.0.0_plugin-none'),
                         cache.requirements('47.0.0'))

    def test_no_openstack_setting_of_the_worker_reaches_the_campaign(self):
        self.assertEqual({'PATH': '/bin', 'HOME': '/h'},
                         job.campaign_job.without_openstack({
                             'PATH': '/bin', 'HOME': '/h', 'OS_CLOUD': 'w',
                             'OS_CLIENT_CONFIG_FILE': '/w/clouds.yaml'}))

    def test_the_plan_runs_in_the_job_workspace(self):
        plan = fakes.plan(tempest={'workspace': '/elsewhere',
                                   'config_file': '/elsewhere/t.conf'})
        self.assertEqual({'workspace': self.workspace},
                         job.campaign_job.job_plan(plan,
                                                   self.workspace)['tempest'])
        self.assertEqual('/elsewhere', plan['tempest']['workspace'])


class _BrokenCache:
    def template(self, *versions):
        raise OSError('disk full at %s' % fakes.SECRET)


class RunTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())

    def test_an_unexpected_error_is_reported_and_the_job_dir_removed(self):
        work_dir = self.useFixture(fixtures.TempDir()).path
        report = _Report()
        outcome = job.Job(fakes.payload(), _BrokenCache(), work_dir,
                          report).run()
        self.assertEqual((reporter.ERROR, 'worker error: OSError'),
                         (outcome.state, outcome.reason))
        self.assertEqual([reporter.INSTALLING, reporter.ERROR],
                         [state for state, _ in report.posts])
        self.assertEqual([], os.listdir(work_dir))
        self.assertNotIn(fakes.SECRET, self.logger.output)

    def test_a_child_dies_with_the_worker(self):
        worker = subprocess.run(
            [sys.executable, '-c', DYING_WORKER], stdout=subprocess.PIPE,
            text=True)
        self.assertEqual(9, worker.returncode)
        child = int(worker.stdout)
        for _ in range(100):
            if _gone(child):
                break
            time.sleep(0.05)
        self.assertTrue(_gone(child))

    def test_a_run_past_its_deadline_is_killed(self):
        workspace = self.useFixture(fixtures.TempDir()).path
        one = job.Job(fakes.payload(), None, None, _Report())
        sleeper = [sys.executable, '-c', 'import time; time.sleep(60)']
        started = time.monotonic()
        self.assertRaises(job._Timeout, one._tempest_run, sleeper, 'x',
                          dict(os.environ), workspace, sys.executable, 1,
                          job._Deadline(1))
        self.assertLess(time.monotonic() - started, job.children.KILL_GRACE)

    def test_the_deadline_times_out(self):
        clock = iter([0, 1000]).__next__
        deadline = job._Deadline(10, clock)
        self.assertRaises(job._Timeout, deadline.left)


class CopyTest(base.TestCase):

    def test_copy_links_files_and_keeps_symlinks_and_own_directories(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        template = os.path.join(tmp, 'template')
        os.makedirs(os.path.join(template, 'lib'))
        with open(os.path.join(template, 'lib', 'mod.py'), 'w') as mod:
            mod.write('x = 1\n')
        os.symlink('/usr/bin/python3', os.path.join(template, 'python'))
        copy = venvs.Cache.copy(template, os.path.join(tmp, 'copy'))
        self.assertEqual(
            os.stat(os.path.join(template, 'lib', 'mod.py')).st_ino,
            os.stat(os.path.join(copy, 'lib', 'mod.py')).st_ino)
        self.assertEqual('/usr/bin/python3',
                         os.readlink(os.path.join(copy, 'python')))
        with open(os.path.join(copy, 'lib', 'new.py'), 'w'):
            pass
        self.assertEqual(['mod.py'],
                         os.listdir(os.path.join(template, 'lib')))
