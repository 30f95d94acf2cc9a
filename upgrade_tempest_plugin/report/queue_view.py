"""The queue's jobs as the web UI shows them (``serve``'s queue pages).

Read from the queue's records (:mod:`upgrade_tempest_plugin.queue.
records`): the payload's summary and the states the workers reported,
never a credential (the store has none).  A job ``has_results`` once its
subunit stream was imported: its run, whose id is the job's test id, has
test results, and its report is a link.
"""

from upgrade_tempest_plugin.queue import records


class UnknownJob(LookupError):
    """The store has no job with this test id."""


def _row(store, job):
    return {
        'test_id': job['test_id'],
        'cloud': job['cloud'],
        'runs': job['regex'],
        'phase': job['phase'],
        'tempest': job['tempest_version'],
        'state': job['state'],
        'worker': job['worker'],
        'progress': records.progress(job),
        'passed': job['passed'],
        'failed': job['failed'],
        'skipped': job['skipped'],
        'reason': job['reason'],
        'submitted_at': job['submitted_at'],
        'updated_at': job['updated_at'],
        'has_results': bool(store.get_run(job['test_id'])
                            and store.list_test_results(job['test_id'])),
    }


def jobs(store):
    """Every job, oldest first, as rows for the queue page."""
    return [_row(store, job) for job in records.list_jobs(store)]


def job(store, test_id):
    """One job's row with ``history``: every state it reported, in order.

    Raises UnknownJob when the store has no such job.
    """
    found = records.get_job(store, test_id)
    if found is None:
        raise UnknownJob(test_id)
    row = _row(store, found)
    row['history'] = [{'at': s['at'], 'state': s['state'],
                       'worker': s['worker'], 'message': s['message']}
                      for s in records.list_status(store, test_id)]
    return row
