"""``serve``'s Flask application (its test client, no socket)."""

import fixtures

from upgrade_tempest_plugin.report import pages
from upgrade_tempest_plugin.report import web
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes


class WebTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.memory_store(self)
        fakes.observed_run(self.store)
        self.client = web.create_app(self.store).test_client()

    def test_runs_with_links_to_their_reports(self):
        answer = self.client.get('/')
        self.assertEqual(200, answer.status_code)
        text = answer.get_data(as_text=True)
        self.assertIn('href="/runs/run-r"', text)
        self.assertIn('post-upgrade', text)

    def test_a_run_report(self):
        answer = self.client.get('/runs/run-r')
        self.assertEqual(200, answer.status_code)
        self.assertEqual('text/html; charset=utf-8', answer.content_type)
        self.assertIn('Run run-r', answer.get_data(as_text=True))

    def test_trends(self):
        answer = self.client.get('/trends?last=5')
        self.assertEqual(200, answer.status_code)
        self.assertIn('trend-table-1', answer.get_data(as_text=True))

    def test_a_bad_run_id_is_a_404_page(self):
        answer = self.client.get('/runs/no-such-run')
        self.assertEqual(404, answer.status_code)
        text = answer.get_data(as_text=True)
        self.assertIn('404 Not Found', text)
        self.assertIn('run no-such-run is not in the store', text)
        self.assertNotIn('Traceback', text)

    def test_an_unknown_path_is_a_404_page(self):
        answer = self.client.get('/runs/')
        self.assertEqual(404, answer.status_code)
        self.assertIn('<h1 id="error">404 Not Found</h1>',
                      answer.get_data(as_text=True))

    def test_a_bad_last_is_a_400_page(self):
        self.assertEqual(400, self.client.get('/trends?last=0').status_code)

    def test_read_only(self):
        self.assertEqual(405, self.client.post('/runs/run-r').status_code)

    def test_a_failure_is_a_500_page_without_a_password(self):
        def broken(*args, **kwargs):
            raise RuntimeError('cannot reach mysql://u:hunter2@db/x')
        self.useFixture(fixtures.MonkeyPatch(
            pages.__name__ + '.runs_page', broken))
        answer = self.client.get('/')
        self.assertEqual(500, answer.status_code)
        text = answer.get_data(as_text=True)
        self.assertIn('RuntimeError: cannot reach mysql://u:***@db/x', text)
        self.assertNotIn('hunter2', text)
