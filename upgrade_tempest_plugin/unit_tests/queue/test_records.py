"""The queue's store records: jobs, states, reconcile."""

import fixtures

from upgrade_tempest_plugin.queue import payload
from upgrade_tempest_plugin.queue import records
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.queue import fakes
from upgrade_tempest_plugin.unit_tests.report import fakes as report_fakes


class RecordsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.store = store_api.open_store('sqlite:///%s/store.db' % tmp)
        self.addCleanup(self.store.close)
        for test_id in ('job-1', 'job-2', 'job-3'):
            records.add_job(self.store, payload.summary(
                fakes.payload(test_id=test_id)))
            records.set_handle(self.store, test_id, 'h:1/H:%s' % test_id)

    def test_job_row_holds_the_summary_and_no_secret(self):
        job = records.get_job(self.store, 'job-1')
        self.assertEqual(('queued', 'cloud-a', '47.0.0', 'h:1/H:job-1'),
                         (job['state'], job['cloud'], job['tempest_version'],
                          job['handle']))
        self.assertNotIn(fakes.SECRET, repr(records.list_jobs(self.store)))

    def test_unknown_job(self):
        self.assertRaises(records.UnknownJob, records.record, self.store,
                          'nope', {'state': 'running'})

    def test_reconcile_marks_lost_what_geard_forgot_and_keeps_the_rest(self):
        records.record(self.store, 'job-1', {'state': reporter.RUNNING},
                       worker='w1')
        records.record(self.store, 'job-2', {'state': reporter.PASSED})
        lost = records.reconcile(self.store, lambda handle: False)
        self.assertEqual(['job-1', 'job-3'], lost)
        states = {j['test_id']: j['state']
                  for j in records.list_jobs(self.store)}
        self.assertEqual({'job-1': 'lost', 'job-2': 'passed',
                          'job-3': 'lost'}, states)
        self.assertEqual(records.LOST_REASON,
                         records.get_job(self.store, 'job-1')['reason'])

    def test_reconcile_keeps_jobs_geard_still_has(self):
        self.assertEqual([], records.reconcile(self.store,
                                               lambda handle: True))

    def test_lost_never_overrides_a_final_report(self):
        records.record(self.store, 'job-1', {'state': reporter.PASSED})
        self.assertEqual('passed', records.record(
            self.store, 'job-1', {'state': reporter.LOST}))
        self.assertEqual(['queued', 'passed'], [
            s['state'] for s in records.list_status(self.store, 'job-1')])

    def test_list_jobs_by_state(self):
        records.record(self.store, 'job-2', {'state': reporter.RUNNING})
        self.assertEqual(['job-2'], [j['test_id'] for j in records.list_jobs(
            self.store, [reporter.RUNNING])])

    def test_progress_updates_the_job_not_its_history(self):
        records.record(self.store, 'job-1', {'state': reporter.RUNNING,
                                             'total': 30}, worker='w1')
        records.record(self.store, 'job-1', {'state': reporter.RUNNING,
                                             'done': 12, 'total': 30},
                       worker='w1')
        job = records.get_job(self.store, 'job-1')
        self.assertEqual(('running', '12/30'),
                         (job['state'], records.progress(job)))
        self.assertEqual(['queued', 'running'], [
            s['state'] for s in records.list_status(self.store, 'job-1')])

    def test_a_final_report_counts_the_tests_done(self):
        records.record(self.store, 'job-1', {
            'state': reporter.FAILED, 'total': 5, 'passed': 2, 'failed': 1,
            'skipped': 1})
        self.assertEqual('4/5', records.progress(
            records.get_job(self.store, 'job-1')))

    def test_results_of_a_job_shown_lost_are_kept(self):
        records.record(self.store, 'job-1', {'state': reporter.LOST})
        self.assertEqual('lost', records.record(
            self.store, 'job-1', {'state': reporter.FAILED, 'failed': 1},
            stream=report_fakes.subunit_stream([
                ('a.B.test_bad', 'fail', 0, 1, 'Traceback: boom')])))
        self.assertEqual([('a.B.test_bad', 'fail', 'Traceback: boom')], [
            (r['test_id'], r['status'], r['detail'])
            for r in self.store.list_test_results('job-1')])
