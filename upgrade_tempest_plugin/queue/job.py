"""One job on a worker: venv, workspace, ``tempest run``, results, cleanup.

:meth:`Job.run` never raises for anything the job does: it returns an
:class:`Outcome` (state, counts, a one-line reason, the raw subunit
stream).  The job's last status report carries that stream,
up to :data:`MAX_UPLOAD_BYTES`; the status API imports it into the store
(durations, tracebacks), so the per-test lines the worker reads while
Tempest runs only count progress.
The job's directory (workspace with the payload's tempest.conf and
accounts, the venv copy, Tempest's HOME) is removed whatever happens.
Tempest and its helpers run in their own process group, killed as a group
when the job's deadline passes.

Standard library only (the worker imports it); python-subunit is used
inside the job's venv by ``subunit_events.py``.
"""

import collections
import configparser
import io
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import traceback

from upgrade_tempest_plugin.queue import campaign_job
from upgrade_tempest_plugin.queue import children
from upgrade_tempest_plugin.queue import payload as payload_mod
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.queue import venvs
from upgrade_tempest_plugin import validator_phases

LOG = logging.getLogger(__name__)

EVENTS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             'subunit_events.py')
JOB_DIR_PREFIX = 'job-'
#: ``upgrade-tempest`` as a module of the job's venv.
PLUGIN_MAIN = 'upgrade_tempest_plugin.cmd.main'
#: Seconds between two reads of a campaign's log.
CAMPAIGN_POLL = 1.0
#: Least seconds between two progress reports to the status API (geard
#: gets every one as WORK_STATUS).
PROGRESS_EVERY = 15.0
#: Largest subunit stream a job uploads (its base64 form must fit the
#: status API's ``status_api_max_body``, 16 MiB by default).
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
_PASS = ('success', 'xfail')
_FAIL = ('fail', 'uxsuccess')

Outcome = collections.namedtuple(
    'Outcome', 'state reason passed failed skipped total stream')
Outcome.__new__.__defaults__ = (None,)


class JobError(Exception):
    """The job cannot run; the message says why in one line, no secret."""


class _Timeout(Exception):
    pass


class _Deadline:
    def __init__(self, seconds, clock=time.monotonic):
        self.clock = clock
        self.at = clock() + seconds

    def left(self):
        left = self.at - self.clock()
        if left <= 0:
            raise _Timeout()
        return left


def _run(argv, deadline, env, cwd):
    """argv's (returncode, stdout text); killed at the deadline."""
    code, out = children.run(argv, deadline.left(), env=env, cwd=cwd,
                             stderr=subprocess.DEVNULL)
    if code is None:
        raise _Timeout()
    return code, out.decode('utf-8', 'replace')


def sweep(work_dir):
    """Remove the job directories a killed worker left in ``work_dir``.

    Called when a worker starts; ``work_dir`` is that worker's own.
    """
    for name in os.listdir(work_dir):
        if name.startswith(JOB_DIR_PREFIX):
            shutil.rmtree(os.path.join(work_dir, name), ignore_errors=True)


def tempest_conf(payload, workspace):
    """The job's tempest.conf text, pointing at the job's own files.

    From the payload's tempest.conf, or built from its clouds.yaml entry;
    either way with pre-provisioned accounts from ``accounts.yaml`` in the
    workspace and Tempest's logs and locks inside the workspace.
    """
    cloud = payload['cloud']
    conf = configparser.RawConfigParser()
    conf.optionxform = str
    if 'tempest_conf' in cloud:
        try:
            conf.read_string(cloud['tempest_conf'])
        except configparser.Error:
            # Its message quotes the line, which may hold a password.
            raise JobError('payload.cloud.tempest_conf: not INI text')
    else:
        entry = cloud['clouds_yaml']
        auth_url = entry['auth']['auth_url'].rstrip('/')
        if not auth_url.endswith('/v3'):
            auth_url += '/v3'
        conf['identity'] = {'uri_v3': auth_url, 'auth_version': 'v3'}
        if entry.get('region_name'):
            conf['identity']['region'] = entry['region_name']
        if entry.get('verify') is False:
            conf['identity']['disable_ssl_certificate_validation'] = 'true'
        conf['identity-feature-enabled'] = {'api_v2': 'false'}
    for section in ('auth', 'oslo_concurrency'):
        if not conf.has_section(section):
            conf.add_section(section)
    conf['auth']['use_dynamic_credentials'] = 'false'
    conf['auth']['test_accounts_file'] = os.path.join(workspace,
                                                      'accounts.yaml')
    conf['DEFAULT']['log_dir'] = os.path.join(workspace, 'logs')
    conf['DEFAULT']['log_file'] = 'tempest.log'
    conf['oslo_concurrency']['lock_path'] = os.path.join(workspace, 'locks')
    text = io.StringIO()
    conf.write(text)
    return text.getvalue()


def _write_secret(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as secret_file:
        secret_file.write(text)


def run_regex(run):
    """The ``tempest run --regex`` of a payload's regex or phase."""
    if 'regex' in run:
        return run['regex']
    return validator_phases.PHASES[run['phase']]


def count_tests(listing):
    """Number of test ids in ``tempest run --list-tests`` output."""
    return sum(1 for line in listing.splitlines()
               if line and ' ' not in line.strip() and '.' in line)


class Job:
    """Runs one payload; ``progress(numerator, denominator)`` as tests end.

    ``report`` is a :class:`reporter.Reporter` (or anything with
    ``post(state, **details)``).
    """

    def __init__(self, payload, cache, work_dir, report,
                 progress=lambda numerator, denominator: None,
                 clock=time.monotonic):
        self.payload = payload
        self.cache = cache
        self.work_dir = work_dir
        self.report = report
        self.progress = progress
        self.clock = clock
        self.results = []
        self.expired = False
        self._posted = None

    def run(self):
        """The job's Outcome; never raises for what the job does."""
        timeout = self.payload.get('timeout', payload_mod.DEFAULT_TIMEOUT)
        deadline = _Deadline(timeout, self.clock)
        job_dir = tempfile.mkdtemp(
            prefix='%s%s-' % (JOB_DIR_PREFIX, self.payload['test_id']),
            dir=self.work_dir)
        try:
            outcome = self._run(job_dir, deadline)
        except _Timeout:
            outcome = self._outcome(reporter.TIMEOUT,
                                    'killed after %d s' % timeout)
        except (venvs.VenvError, JobError) as exc:
            outcome = self._outcome(reporter.ERROR, str(exc))
        except Exception as exc:
            # A bug or an OS error must not take the worker down: the job
            # is reported as an error.  Only the exception's type and the
            # stack are logged: its text may quote the job's configuration.
            LOG.error('job %s failed: %s\n%s', self.payload['test_id'],
                      type(exc).__name__,
                      ''.join(traceback.format_tb(exc.__traceback__)))
            outcome = self._outcome(reporter.ERROR,
                                    'worker error: %s' % type(exc).__name__)
        finally:
            shutil.rmtree(job_dir, ignore_errors=True)
        self.report.post(outcome.state, reason=outcome.reason,
                         passed=outcome.passed, failed=outcome.failed,
                         skipped=outcome.skipped, total=outcome.total,
                         stream=outcome.stream)
        return outcome

    def _outcome(self, state, reason, total=None):
        passed = sum(1 for r in self.results if r['status'] in _PASS)
        failed = sum(1 for r in self.results if r['status'] in _FAIL)
        skipped = sum(1 for r in self.results if r['status'] == 'skip')
        return Outcome(state, reason, passed, failed, skipped,
                       total if total is not None else len(self.results))

    def _run(self, job_dir, deadline):
        self.report.post(reporter.INSTALLING)
        template, built = self.cache.template(
            self.payload['tempest_version'],
            self.payload.get('plugin_version'),
            campaign_job.venv_extras(self.payload))
        deadline.left()
        venv = self.cache.copy(template, os.path.join(job_dir, 'venv'))
        python = os.path.join(venv, 'bin', 'python')
        home = os.path.join(job_dir, 'home')
        os.makedirs(home)
        env = dict(os.environ, HOME=home, PYTHON=python, VIRTUAL_ENV=venv,
                   PATH=os.path.join(venv, 'bin') + os.pathsep
                   + os.environ.get('PATH', ''))
        env.pop('PYTHONPATH', None)
        workspace = os.path.join(job_dir, 'workspace')
        tempest = [python, '-m', 'tempest.cmd.main']
        code, _ = _run(tempest + ['init', workspace], deadline, env, job_dir)
        if code:
            return self._outcome(reporter.ERROR,
                                 'tempest init exited %d' % code)
        _write_secret(os.path.join(workspace, 'accounts.yaml'),
                      self.payload['cloud']['accounts_yaml'])
        _write_secret(os.path.join(workspace, 'etc', 'tempest.conf'),
                      tempest_conf(self.payload, workspace))
        if 'plan' in self.payload['run']:
            return self._campaign(tempest[:2] + [PLUGIN_MAIN], env, job_dir,
                                  workspace, deadline)
        regex = run_regex(self.payload['run'])
        code, listing = _run(tempest + ['run', '--list-tests', '--regex',
                                        regex], deadline, env, workspace)
        if code:
            return self._outcome(reporter.ERROR, 'tempest could not list '
                                 'the tests (exit %d)' % code)
        total = count_tests(listing)
        self._running(total, venv='built' if built else 'cached')
        code = self._tempest_run(tempest, regex, env, workspace, python,
                                 total, deadline)
        outcome = self._verdict(code, total)
        return self._with_stream(outcome,
                                 os.path.join(workspace, 'run.subunit'))

    def _with_stream(self, outcome, path):
        """``outcome`` with the stream at ``path``, if small enough.

        A larger one is not uploaded and the reason says so: the counts
        are still reported.
        """
        try:
            size = os.path.getsize(path)
        except OSError:
            return outcome
        if size > MAX_UPLOAD_BYTES:
            note = ('subunit stream not uploaded (%d bytes, more than %d)'
                    % (size, MAX_UPLOAD_BYTES))
            return outcome._replace(reason='; '.join(
                filter(None, (outcome.reason, note))))
        with open(path, 'rb') as stream:
            return outcome._replace(stream=stream.read())

    def _running(self, total, **details):
        """Report ``running``: the job's tests (or steps) are counted."""
        self.report.post(reporter.RUNNING, total=total, **details)
        self._posted = self.clock()
        self.progress(0, total)

    def _progress(self, done, total):
        """WORK_STATUS to geard; ``done`` to the status API now and then."""
        self.progress(done, total)
        if self.clock() - self._posted >= PROGRESS_EVERY:
            self._posted = self.clock()
            self.report.post(reporter.RUNNING, tries=1, done=done,
                             total=total)

    def _campaign(self, plugin, env, job_dir, workspace, deadline):
        """Validate, then run the payload's campaign plan; its Outcome.

        Progress and counts are the plan's steps: ``passed`` the steps
        that ended well, ``failed`` those that did not.
        """
        plan_path = os.path.join(job_dir, 'plan.yaml')
        _write_secret(plan_path, json.dumps(campaign_job.job_plan(
            self.payload['run']['plan'], workspace)))
        code, out = _run(plugin + ['campaign', 'validate', plan_path],
                         deadline, env, job_dir)
        if code == campaign_job.BAD_PLAN_EXIT:
            return self._outcome(reporter.ERROR,
                                 campaign_job.plan_problem(out))
        if code:
            return self._outcome(reporter.ERROR, campaign_job.NO_CAMPAIGN
                                 % code)
        # No OS_* of the worker's own: the payload's operator or none.
        env = campaign_job.without_openstack(env)
        clouds = campaign_job.operator_clouds(self.payload)
        if clouds is not None:
            clouds_path = os.path.join(job_dir, 'operator-clouds.yaml')
            _write_secret(clouds_path, json.dumps(clouds))
            env = dict(env, OS_CLIENT_CONFIG_FILE=clouds_path)
        ids = campaign_job.step_ids(self.payload['run']['plan'])
        self._running(len(ids))
        state_dir = os.path.join(job_dir, 'state')
        out_path = os.path.join(job_dir, 'campaign.out')
        with open(out_path, 'wb') as out_file:
            run = children.popen(
                plugin + ['campaign', 'run', plan_path, '--state-dir',
                          state_dir],
                env=env, cwd=job_dir, stdout=out_file,
                stderr=subprocess.STDOUT)
            ended = set()
            while True:
                try:
                    code = run.wait(min(CAMPAIGN_POLL, deadline.left()))
                except subprocess.TimeoutExpired:
                    code = None
                except _Timeout:
                    children.kill_group(run)
                    raise
                now_ended, failed = campaign_job.ended_steps(state_dir, ids)
                if now_ended != ended:
                    ended = now_ended
                    self._progress(len(ended), len(ids))
                if code is not None:
                    break
        with open(out_path, 'rb') as out_file:
            last = campaign_job.final_line(out_file.read().decode(
                'utf-8', 'replace'))
        outcome = Outcome(reporter.PASSED, None, len(ended - failed),
                          len(failed), 0, len(ids))
        if code == campaign_job.DONE_EXIT:
            return outcome
        state = (reporter.FAILED if code == campaign_job.FAILED_EXIT
                 else reporter.ERROR)
        return outcome._replace(state=state, reason='campaign exited %d: %s'
                                % (code, last))

    def _tempest_run(self, tempest, regex, env, workspace, python, total,
                     deadline):
        concurrency = self.payload['run'].get('concurrency', 1)
        run = children.popen(
            tempest + ['run', '--subunit', '--regex', regex,
                       '--concurrency', str(concurrency)],
            env=env, cwd=workspace, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        events = children.popen(
            [python, EVENTS_SCRIPT, os.path.join(workspace, 'run.subunit')],
            env=env, cwd=workspace, stdin=run.stdout,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        run.stdout.close()
        self.expired = False
        timer = threading.Timer(deadline.left(), self._expire,
                                (run, events))
        timer.start()
        try:
            for line in events.stdout:
                self.results.append(json.loads(line))
                self._progress(len(self.results), max(total,
                                                      len(self.results)))
            events.wait()
            code = run.wait()
        finally:
            timer.cancel()
        if self.expired:
            raise _Timeout()
        return code

    def _expire(self, *procs):
        self.expired = True
        for proc in procs:
            children.kill_group(proc)

    def _verdict(self, code, total):
        outcome = self._outcome(reporter.PASSED, None, total)
        if outcome.failed:
            return outcome._replace(state=reporter.FAILED,
                                    reason='%d test(s) failed' %
                                    outcome.failed)
        if not self.results:
            return outcome._replace(state=reporter.ERROR,
                                    reason='no test ran (tempest run exited '
                                    '%d)' % code)
        if not outcome.passed:
            return outcome._replace(state=reporter.FAILED,
                                    reason='every test was skipped')
        if code not in (0,):
            return outcome._replace(state=reporter.ERROR,
                                    reason='tempest run exited %d' % code)
        return outcome
