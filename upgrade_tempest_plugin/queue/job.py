"""One job on a worker: venv, workspace, ``tempest run``, results, cleanup.

:meth:`Job.run` never raises for anything the job does: it returns an
:class:`Outcome` (state, counts, per-test results, a one-line reason).
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

from upgrade_tempest_plugin.queue import children
from upgrade_tempest_plugin.queue import payload as payload_mod
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.queue import venvs

LOG = logging.getLogger(__name__)

EVENTS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             'subunit_events.py')
JOB_DIR_PREFIX = 'job-'
_PASS = ('success', 'xfail')
_FAIL = ('fail', 'uxsuccess')

Outcome = collections.namedtuple(
    'Outcome', 'state reason passed failed skipped total results')


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
                         results=outcome.results)
        return outcome

    def _outcome(self, state, reason, total=None):
        passed = sum(1 for r in self.results if r['status'] in _PASS)
        failed = sum(1 for r in self.results if r['status'] in _FAIL)
        skipped = sum(1 for r in self.results if r['status'] == 'skip')
        return Outcome(state, reason, passed, failed, skipped,
                       total if total is not None else len(self.results),
                       list(self.results))

    def _run(self, job_dir, deadline):
        self.report.post(reporter.INSTALLING)
        template, built = self.cache.template(
            self.payload['tempest_version'],
            self.payload.get('plugin_version'))
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
        regex = self.payload['run']['regex']
        code, listing = _run(tempest + ['run', '--list-tests', '--regex',
                                        regex], deadline, env, workspace)
        if code:
            return self._outcome(reporter.ERROR, 'tempest could not list '
                                 'the tests (exit %d)' % code)
        total = count_tests(listing)
        self.report.post(reporter.RUNNING, total=total,
                         venv='built' if built else 'cached')
        self.progress(0, total)
        code = self._tempest_run(tempest, regex, env, workspace, python,
                                 total, deadline)
        return self._verdict(code, total)

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
                self.progress(len(self.results), max(total,
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
