"""The queue's records in the store: jobs, the states they reported, results.

A job row holds the payload's summary (never its cloud configuration)
and the job's latest state; ``queue_status`` keeps every state reported,
the way RefStack's ``TestStatus`` did.  A job's subunit stream is imported
by :mod:`upgrade_tempest_plugin.report.subunit_import` (the importer of
``upgrade-tempest results import``) into the run whose id is the job's
test id, phase ``queue``: ``upgrade-tempest report --run TEST_ID`` and
``serve`` show it like any run.

The first final state wins: a job shown ``lost``, ``cancelled`` or
``passed`` keeps that state whatever arrives later (a worker cut off from
geard may still report), so a job is never shown passed after it was
shown failed.
"""

import time

import sqlalchemy as sa

from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.report import subunit_import
from upgrade_tempest_plugin.store import models

JOBS = models.QueueJob.__table__
STATUS = models.QueueStatus.__table__
MESSAGE_MAX = 1024
#: Phase of the test results a queue job stores.
RESULTS_PHASE = 'queue'
#: Why a job geard no longer knows is failed rather than run again.
LOST_REASON = ('geard no longer has the job (its worker died or geard '
               'restarted); not run again: resubmit it')


class UnknownJob(LookupError):
    """No job has this test id."""


def _row(row):
    return dict(row._mapping) if row is not None else None


def add_job(store, summary, state=reporter.QUEUED, at=None):
    """Record a job about to be submitted (``summary``: payload.summary)."""
    at = at or time.time()
    with store.engine.begin() as conn:
        conn.execute(JOBS.insert().values(
            test_id=summary['test_id'], cloud=summary['cloud'],
            regex=summary['regex'], phase=summary['phase'],
            tempest_version=summary['tempest_version'],
            plugin_version=summary['plugin_version'],
            timeout=summary['timeout'], state=state, submitted_at=at,
            updated_at=at))
        conn.execute(STATUS.insert().values(
            test_id=summary['test_id'], state=state, at=at))


def set_handle(store, test_id, handle):
    with store.engine.begin() as conn:
        conn.execute(JOBS.update().where(JOBS.c.test_id == test_id).values(
            handle=handle))


def get_job(store, test_id):
    with store.engine.connect() as conn:
        return _row(conn.execute(sa.select(JOBS).where(
            JOBS.c.test_id == test_id)).first())


def list_jobs(store, states=None):
    query = sa.select(JOBS).order_by(JOBS.c.submitted_at)
    if states:
        query = query.where(JOBS.c.state.in_(states))
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def progress(job):
    """``done/total`` of a job row, ``-`` before its tests are counted."""
    if job['total'] is None:
        return '-'
    return '%s/%s' % (job['done'] or 0, job['total'])


def list_status(store, test_id):
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(
            sa.select(STATUS).where(STATUS.c.test_id == test_id)
            .order_by(STATUS.c.id))]


def _message(document):
    if document.get('reason'):
        return str(document['reason'])[:MESSAGE_MAX]
    if document.get('total') is not None:
        return '%s tests selected' % document['total']
    return None


def record(store, test_id, document, worker=None, at=None, stream=None):
    """Record one state a job reported (``document``: the status payload).

    ``stream``: the job's subunit stream (bytes), imported as the job's
    run, even when the job was shown final already (``lost`` while its
    worker was cut off from geard): its results are real.  A report of
    the state the job is in already is progress (``done``): it updates
    the job, not its history of states.  Raises UnknownJob when no job
    has ``test_id``.  Returns the job's state after the report.
    """
    state = _record(store, test_id, document, worker, at or time.time())
    if stream:
        subunit_import.import_stream(store, test_id, stream,
                                     phase=RESULTS_PHASE)
    return state


def _record(store, test_id, document, worker, at):
    state = document['state']
    with store.engine.begin() as conn:
        job = conn.execute(sa.select(JOBS.c.state).where(
            JOBS.c.test_id == test_id)).first()
        if job is None:
            raise UnknownJob(test_id)
        if job.state in reporter.FINAL_STATES and state == reporter.LOST:
            # reconcile() raced with the job's own final report.
            return job.state
        if state != job.state:
            conn.execute(STATUS.insert().values(
                test_id=test_id, state=state, worker=worker,
                message=_message(document), at=at))
        if job.state in reporter.FINAL_STATES:
            return job.state
        values = {'state': state, 'updated_at': at}
        if worker:
            values['worker'] = worker
        for field in ('total', 'done', 'passed', 'failed', 'skipped'):
            if document.get(field) is not None:
                values[field] = document[field]
        final = state in reporter.FINAL_STATES
        if final and document.get('total') is not None:
            values['done'] = sum(document.get(field) or 0 for field in
                                 ('passed', 'failed', 'skipped'))
        if state in reporter.FINAL_STATES:
            values['reason'] = (_message(document) or '')[:MESSAGE_MAX] or None
        conn.execute(JOBS.update().where(JOBS.c.test_id == test_id).values(
            **values))
    return state


def reconcile(store, known):
    """Mark ``lost`` every unfinished job geard no longer has.

    ``known(handle)`` says whether geard still has a job (GET_STATUS).
    geard 0.16 drops a job whose worker disconnects (it sends WORK_FAIL to
    a waiting client, and nobody waits for a background job), so such a
    job would otherwise stay ``running`` for ever.  It is failed, not run
    again: a validator job creates resources in a cloud, and running it
    twice is for the user to decide.  Returns the test ids marked lost.
    """
    lost = []
    for job in list_jobs(store, [s for s in reporter.STATES
                                 if s not in reporter.FINAL_STATES]):
        if job['handle'] and not known(job['handle']):
            record(store, job['test_id'], {'state': reporter.LOST,
                                           'reason': LOST_REASON})
            lost.append(job['test_id'])
    return lost
