"""The queue pages' data and ``serve``'s queue routes."""

from upgrade_tempest_plugin.queue import records
from upgrade_tempest_plugin.report import queue_view
from upgrade_tempest_plugin.report import subunit_import
from upgrade_tempest_plugin.report import web
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.queue import fakes as queue_fakes
from upgrade_tempest_plugin.unit_tests.report import fakes


class QueueViewTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.memory_store(self)
        fakes.queue_jobs(self.store)

    def test_jobs_oldest_first_with_state_progress_counts(self):
        rows = queue_view.jobs(self.store)
        self.assertEqual(
            [('job-1', 'cloud-a', 'failed', 'w1', '2/2', 1, 1, 0,
              '1 test(s) failed', True),
             ('job-2', 'cloud-a', 'queued', None, '-', None, None, None,
              None, False)],
            [(r['test_id'], r['cloud'], r['state'], r['worker'],
              r['progress'], r['passed'], r['failed'], r['skipped'],
              r['reason'], r['has_results']) for r in rows])

    def test_a_job_has_its_history(self):
        row = queue_view.job(self.store, 'job-1')
        self.assertEqual([(100, 'queued', None), (110, 'running', 'w1'),
                          (120, 'failed', 'w1')],
                         [(s['at'], s['state'], s['worker'])
                          for s in row['history']])
        self.assertEqual('^tempest\\.api\\.identity', row['runs'])

    def test_an_empty_stream_is_no_results(self):
        subunit_import.import_stream(self.store, 'job-2', b'',
                                     phase=records.RESULTS_PHASE)
        self.assertFalse(queue_view.job(self.store, 'job-2')['has_results'])

    def test_an_unknown_job(self):
        self.assertRaises(queue_view.UnknownJob, queue_view.job, self.store,
                          'job-9')

    def test_nothing_secret_is_shown(self):
        text = repr(queue_view.jobs(self.store)) + repr(
            queue_view.job(self.store, 'job-1'))
        self.assertNotIn(queue_fakes.SECRET, text)


class QueuePagesTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.memory_store(self)
        fakes.queue_jobs(self.store)
        self.client = web.create_app(self.store).test_client()

    def test_queue_page_links_jobs_and_the_run_report(self):
        answer = self.client.get('/queue')
        self.assertEqual(200, answer.status_code)
        text = answer.get_data(as_text=True)
        self.assertIn('href="/queue/job-1"', text)
        self.assertIn('href="/queue/job-2"', text)
        # Only job-1 has results: one run report link.
        self.assertEqual(1, text.count('class="run-report"'))
        self.assertIn('href="/runs/job-1"', text)

    def test_a_job_page(self):
        answer = self.client.get('/queue/job-1')
        self.assertEqual(200, answer.status_code)
        text = answer.get_data(as_text=True)
        self.assertIn('<span id="job-state" class="state">failed</span>',
                      text)
        self.assertIn('1 test(s) failed', text)

    def test_the_job_run_report_shows_its_results(self):
        answer = self.client.get('/runs/job-1')
        self.assertEqual(200, answer.status_code)
        text = answer.get_data(as_text=True)
        self.assertIn('a.B.test_bad', text)
        self.assertIn('Traceback: boom', text)

    def test_the_job_run_is_a_run_like_any(self):
        text = self.client.get('/').get_data(as_text=True)
        self.assertIn('href="/runs/job-1"', text)
        self.assertIn('<a href="/queue">queue</a>', text)
        self.assertEqual(200, self.client.get('/trends').status_code)

    def test_a_bad_job_id_is_a_404_page(self):
        answer = self.client.get('/queue/job-9')
        self.assertEqual(404, answer.status_code)
        text = answer.get_data(as_text=True)
        self.assertIn('job job-9 is not in the store', text)
        self.assertNotIn('Traceback', text)

    def test_read_only(self):
        self.assertEqual(405, self.client.post('/queue').status_code)
        self.assertEqual(405, self.client.post('/queue/job-1').status_code)
