"""Run ``tempest run`` in a workspace and read back what happened.

``tempest run`` exits 1 both when a test failed and when every selected
test was skipped ("No tests were successful during the run"), and exits
100 when discovery broke.  Callers need to tell those apart, so this module
reads the result stream stestr recorded (``stestr last --subunit``) and
counts outcomes itself.
"""

import collections
import io
import os
import subprocess
import sys

import subunit
import testtools

Summary = collections.namedtuple(
    'Summary', 'returncode passed failed skipped failed_ids')

_PASS = ('success', 'xfail')
_FAIL = ('fail', 'uxsuccess')


def summarize(subunit_bytes):
    """Count passed, failed and skipped tests in a subunit v2 stream."""
    outcomes = {}

    def record(test):
        if test['status'] in _PASS + _FAIL + ('skip',):
            outcomes[test['id']] = test['status']

    result = testtools.StreamToDict(record)
    result.startTestRun()
    try:
        subunit.ByteStreamToStreamResult(
            io.BytesIO(subunit_bytes),
            non_subunit_name='stdout').run(result)
    finally:
        result.stopTestRun()
    passed = sum(1 for s in outcomes.values() if s in _PASS)
    failed = sorted(i for i, s in outcomes.items() if s in _FAIL)
    skipped = sum(1 for s in outcomes.values() if s == 'skip')
    return passed, failed, skipped


def tempest_command():
    """The ``tempest`` executable next to this interpreter, else PATH's."""
    candidate = os.path.join(os.path.dirname(sys.executable), 'tempest')
    return candidate if os.path.exists(candidate) else 'tempest'


def run(workspace, regex, concurrency=1, config_file=None, env=None):
    """Run ``tempest run --regex REGEX`` in ``workspace``; return a Summary.

    ``workspace`` is the directory tempest runs in and records results in;
    its ``etc/tempest.conf`` is used unless ``config_file`` names another.
    Output goes to this process's stdout as tempest prints it, so long runs
    show progress.
    """
    cmd = [tempest_command(), 'run', '--regex', regex,
           '--concurrency', str(concurrency)]
    if config_file:
        cmd += ['--config-file', config_file]
    returncode = subprocess.call(cmd, cwd=workspace, env=env)
    stestr = os.path.join(os.path.dirname(tempest_command()), 'stestr')
    if not os.path.exists(stestr):
        stestr = 'stestr'
    last = subprocess.run([stestr, 'last', '--subunit'], cwd=workspace,
                          env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL)
    passed, failed, skipped = summarize(last.stdout)
    return Summary(returncode, passed, failed, skipped, failed)


def outcome(summary):
    """'passed', 'skipped' or 'failed': one word for a summary table.

    'skipped' is a run with no failure in which every test was skipped.
    """
    ok, _ = verdict(summary, allow_all_skipped=True)
    if not ok:
        return 'failed'
    return 'passed' if summary.passed else 'skipped'


def verdict(summary, allow_all_skipped=False):
    """Return (ok, one-line explanation) for a Summary.

    A run with a failure, or a run that broke before reporting any test,
    is never ok.  A run in which every test was skipped is ok only when the
    caller says so, because then nothing was validated.
    """
    counts = '%d passed, %d failed, %d skipped' % (
        summary.passed, len(summary.failed), summary.skipped)
    if summary.failed:
        return False, counts
    if summary.passed == 0 and summary.skipped == 0:
        return False, '%s (tempest exited %d before running any test)' % (
            counts, summary.returncode)
    if summary.passed == 0:
        if allow_all_skipped:
            return True, counts + ' (every test skipped: allowed)'
        return False, counts + ' (every test skipped: nothing validated)'
    if summary.returncode != 0:
        return False, '%s (tempest exited %d)' % (
            counts, summary.returncode)
    return True, counts
