"""Tempest results into the store: a subunit stream, one row per test.

``tempest run`` records its results with stestr: ``stestr last --subunit``
prints the last run as a subunit v2 stream, the files of ``.stestr/``
hold them in subunit v1 (stestr's repository format 1); both are read.
A central store keeps them beside the observers' samples (R7), so the
report shows which validator failed next to which API was down.

A row is ``test_id`` (without its ``[tags]``), ``status`` (subunit's:
``success``, ``fail``, ``skip``, ``xfail``, ``uxsuccess``, ``exists``
...), ``started_at`` (epoch seconds), ``duration`` (seconds) and
``detail``: the traceback of a failure or the reason of a skip, else None.
Tests that only ``exist`` (a listing) or are still in progress at the end
of the stream are left out.  Importing the same stream twice adds nothing
(:meth:`Store.add_test_results` keeps one row per test, phase and start).
"""

import datetime
import io
import re

import subunit
import testtools

#: Outcomes of a test that ran; anything else (``exists``, ``inprogress``)
#: is no result.
RAN = ('success', 'fail', 'skip', 'xfail', 'uxsuccess')
#: Outcomes that count as a failure (subunit2html's "fail" column).
FAILED = ('fail', 'uxsuccess')

# test_id[id-...,smoke] -> test_id
_ATTRS = re.compile(r'\[[^\]]*\]$')
_V2_SIGNATURE = b'\xb3'
_V1_TEST = re.compile(rb'^(test|testing):? ', re.M)
# Details worth keeping, in order of preference.
_DETAILS = ('traceback', 'reason')


def parse(stream_bytes):
    """The test rows of a subunit v1 or v2 stream (bytes), in order."""
    rows = []

    def record(test):
        if test['status'] not in RAN:
            return
        start, stop = (test['timestamps'] + [None, None])[:2]
        rows.append({
            'test_id': _ATTRS.sub('', test['id']),
            'status': test['status'],
            'started_at': _epoch(start),
            'duration': (stop - start).total_seconds()
            if start and stop else None,
            'detail': _detail(test['details']),
        })

    result = testtools.StreamToDict(record)
    if is_v1(stream_bytes):
        result = testtools.ExtendedToStreamDecorator(result)
        source = subunit.ProtocolTestCase(io.BytesIO(stream_bytes))
    else:
        source = subunit.ByteStreamToStreamResult(
            io.BytesIO(stream_bytes), non_subunit_name='stdout')
    result.startTestRun()
    try:
        source.run(result)
    finally:
        result.stopTestRun()
    return rows


def is_v1(stream_bytes):
    """Whether a stream is subunit v1 (text) rather than v2 (binary).

    A v2 stream starts with its packet signature byte; a v1 stream has a
    ``test:`` line among its first ones.
    """
    if stream_bytes[:1] == _V2_SIGNATURE:
        return False
    return _V1_TEST.search(stream_bytes[:65536]) is not None


def import_stream(store, run_id, stream_bytes, phase=None):
    """Add the results of a subunit v2 stream to run ``run_id``.

    Returns ``{'tests': n, 'added': n, 'status': {status: n}}``.
    """
    rows = parse(stream_bytes)
    added = store.add_test_results(run_id, rows, phase=phase)
    counts = {}
    for row in rows:
        counts[row['status']] = counts.get(row['status'], 0) + 1
    return {'tests': len(rows), 'added': added, 'status': counts}


def _epoch(moment):
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def _detail(details):
    for name in _DETAILS:
        if name in details:
            text = details[name].as_text().strip()
            if text:
                return text
    return None
