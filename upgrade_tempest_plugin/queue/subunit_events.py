"""Read ``tempest run --subunit`` on stdin, print each finished test.

Run by the job's venv interpreter as a script (``python subunit_events.py
RAW_FILE``), never imported by the worker: it needs python-subunit, which
Tempest brings into the job's venv but the worker does not have.  It
copies the raw stream to RAW_FILE and prints one JSON line per test as
soon as the test ends: ``{"id", "status", "started_at", "duration"}``.
"""

import json
import sys

import subunit
import testtools

FINAL = ('success', 'fail', 'skip', 'xfail', 'uxsuccess')


class _Tee:
    """A byte stream that copies what is read from it to ``copy``."""

    def __init__(self, source, copy):
        self.source = source
        self.copy = copy

    def read(self, size=-1):
        data = self.source.read(size)
        self.copy.write(data)
        return data

    def readline(self, size=-1):
        data = self.source.readline(size)
        self.copy.write(data)
        return data


def _emit(test):
    if test['status'] not in FINAL:
        return
    started, stopped = (list(test['timestamps']) + [None, None])[:2]
    record = {'id': test['id'], 'status': test['status'],
              'started_at': started.timestamp() if started else None,
              'duration': ((stopped - started).total_seconds()
                           if started and stopped else None)}
    sys.stdout.write(json.dumps(record) + '\n')
    sys.stdout.flush()


def main(raw_path):
    with open(raw_path, 'wb') as raw:
        result = testtools.StreamToDict(_emit)
        result.startTestRun()
        try:
            subunit.ByteStreamToStreamResult(
                _Tee(sys.stdin.buffer, raw),
                non_subunit_name='stdout').run(result)
        finally:
            result.stopTestRun()


if __name__ == '__main__':
    main(sys.argv[1])
