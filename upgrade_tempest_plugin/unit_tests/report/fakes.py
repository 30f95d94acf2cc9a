"""Subunit streams and stores the report tests share."""

import datetime
import io

import fixtures
import subunit

from upgrade_tempest_plugin.store import api as store_api

T0 = 1_800_000_000.0


def at(seconds):
    """``T0 + seconds`` as the aware datetime subunit carries."""
    return datetime.datetime.fromtimestamp(T0 + seconds,
                                           datetime.timezone.utc)


def subunit_stream(tests):
    """A subunit v2 stream of ``[(test_id, status, start, stop, detail)]``.

    ``start``/``stop`` are seconds after :data:`T0`; ``detail`` becomes the
    ``traceback`` (or, for a skip, the ``reason``) attachment.
    """
    out = io.BytesIO()
    result = subunit.StreamResultToBytes(out)
    for test_id, status, start, stop, detail in tests:
        result.status(test_id=test_id, test_status='inprogress',
                      timestamp=at(start))
        if detail:
            name = 'reason' if status == 'skip' else 'traceback'
            result.status(test_id=test_id, file_name=name,
                          file_bytes=detail.encode(), eof=True,
                          mime_type='text/plain; charset=utf8',
                          timestamp=at(stop))
        result.status(test_id=test_id, test_status=status,
                      timestamp=at(stop))
    return out.getvalue()


def subunit_v1_stream():
    """A subunit v1 stream (stestr's repository files) of three tests."""
    return (b'time: 2027-01-15 08:00:00.000000Z\n'
            b'test: a.B.test_ok\n'
            b'time: 2027-01-15 08:00:01.500000Z\n'
            b'success: a.B.test_ok\n'
            b'test: a.B.test_bad\n'
            b'time: 2027-01-15 08:00:02.000000Z\n'
            b'failure: a.B.test_bad [\n'
            b'Traceback: boom\n'
            b']\n'
            b'test: a.B.test_skip\n'
            b'skip: a.B.test_skip [\n'
            b'no volume service\n'
            b']\n')


def memory_store(test):
    """A store in a SQLite file of ``test``'s temporary directory."""
    path = test.useFixture(fixtures.TempDir()).path
    store = store_api.open_store('sqlite:///%s/store.db' % path)
    test.addCleanup(store.close)
    return store


def observed_run(store, run_id='run-r'):
    """A small observed upgrade in ``store``; returns its run id.

    compute and image probed at 10 Hz for 60 s from :data:`T0`; compute
    refuses connections from 20 s to 23 s and answers 5xx at 40 s, during
    the step ``switch:nova-api`` (18 s to 30 s; nova 31.0.0 -> 32.0.0);
    a data-plane target connects every second; the validators of
    ``post-upgrade`` ran: one passed, one failed with a traceback, one was
    skipped.
    """
    from upgrade_tempest_plugin import events
    from upgrade_tempest_plugin.unit_tests.analysis import fakes

    def compute(sent):
        if T0 + 20 <= sent < T0 + 23:
            return 'refused'
        return 'http_5xx' if T0 + 40 <= sent < T0 + 40.2 else 'ok'
    samples = (fakes.series('compute', T0, T0 + 60, compute,
                            lambda s: 0.05 if s < T0 + 30 else 0.2) +
               fakes.series('image', T0, T0 + 60, lambda s: 'ok') +
               fakes.series('10.0.0.5:22', T0, T0 + 60, lambda s: 'ok',
                            observer='dataplane', step=1.0))
    for sample in samples:
        sample['run_id'] = run_id
    store.add_samples(samples)
    store.add_event(run_id, events.SANDBOX, 'switch:nova-api',
                    service='nova', from_version='31.0.0',
                    to_version='32.0.0', result='ok',
                    detail={'ended_at': T0 + 30}, at=T0 + 18)
    store.add_event(run_id, events.WORKLOADS, 'create', service='compute',
                    result='pass', at=T0 + 1)
    store.add_test_results(run_id, [
        {'test_id': 'p.test_api.ApiTest.test_ok', 'status': 'success',
         'started_at': T0 + 50, 'duration': 2.0, 'detail': None},
        {'test_id': 'p.test_api.ApiTest.test_bad', 'status': 'fail',
         'started_at': T0 + 52, 'duration': 1.0,
         'detail': 'Traceback: the volume stayed in error'},
        {'test_id': 'p.test_net.NetTest.test_skip', 'status': 'skip',
         'started_at': T0 + 53, 'duration': 0.0,
         'detail': 'no network service'},
    ], phase='post-upgrade')
    return run_id


def queue_jobs(store):
    """job-1 failed with its results uploaded; job-2 still queued."""
    from upgrade_tempest_plugin.queue import payload
    from upgrade_tempest_plugin.queue import records
    from upgrade_tempest_plugin.unit_tests.queue import fakes as queue_fakes
    records.add_job(store, payload.summary(queue_fakes.payload()), at=100)
    records.add_job(store, payload.summary(queue_fakes.payload(
        test_id='job-2')), at=200)
    records.record(store, 'job-1', {'state': 'running', 'total': 2},
                   worker='w1', at=110)
    records.record(store, 'job-1', {
        'state': 'failed', 'reason': '1 test(s) failed', 'total': 2,
        'passed': 1, 'failed': 1, 'skipped': 0}, worker='w1', at=120,
        stream=subunit_stream([
            ('a.B.test_ok', 'success', 0, 1, None),
            ('a.B.test_bad', 'fail', 1, 2, 'Traceback: boom')]))
    return ['job-1', 'job-2']
