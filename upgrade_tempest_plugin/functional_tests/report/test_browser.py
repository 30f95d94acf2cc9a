"""The HTML report and ``serve``'s pages, opened in headless Chromium.

Each page must open with no console error and every chart drawn (its
canvas holds pixels); on the run report, every chart follows a zoom, and
the failure details of a failed validator are hidden until its line is
clicked.  A screenshot of each page
is kept in ``$UPGRADE_TEMPEST_ARTIFACTS`` (default:
``.artifacts/report`` of the current directory); doc/source/report.rst
shows them.

:class:`RealRunTest` reads the store of a real run: the state directory
``$UPGRADE_TEMPEST_REPORT_STATE_DIR`` (``store.db`` and ``run_id``) of a
run with observers, an upgrade of the sandbox and validators whose results
went into the store, one of them failed.  CI (tools/functional-sandbox.sh)
hands it the run the validators' upgrade cycle leaves there
(``functional_tests/validators``: a broken workload fails);
tools/functional-report.sh makes one with ``upgrade-tempest demo`` and a
release validator run against the stopped cloud.  :class:`SmallRunTest`
reads a small store the test writes itself, so the page's behaviour is
checked without a sandbox.
"""

import os
import shutil
import threading

import fixtures
from selenium.webdriver.common import action_chains
import testtools
from werkzeug import serving

from upgrade_tempest_plugin.functional_tests.report import browser
from upgrade_tempest_plugin.report import pages
from upgrade_tempest_plugin.report import web
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.unit_tests.report import fakes

STATE_DIR_ENV = 'UPGRADE_TEMPEST_REPORT_STATE_DIR'
ARTIFACTS_ENV = 'UPGRADE_TEMPEST_ARTIFACTS'


def artifacts_dir():
    path = os.environ.get(ARTIFACTS_ENV) or os.path.join(
        os.getcwd(), '.artifacts', 'report')
    os.makedirs(path, exist_ok=True)
    return path


class BrowserTests(object):
    """The tests, over a store in ``self.store`` with run ``self.run_id``.

    A test class adds :meth:`make_store` and ``testtools.TestCase``.
    """

    #: Prefix of the screenshots' names.
    name = None

    def setUp(self):
        super().setUp()
        missing = browser.available()
        if missing:
            self.skipTest(missing)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.store, self.run_id = self.make_store()
        self.addCleanup(self.store.close)
        self.driver = browser.chromium()
        self.addCleanup(self.driver.quit)

    def screenshot(self, page):
        path = os.path.join(artifacts_dir(), '%s-%s.png' % (self.name, page))
        self.driver.save_screenshot(path)
        return path

    def open_page(self, url, charts):
        """Open ``url``; no console error, ``charts`` charts all drawn."""
        browser.load(self.driver, url)
        self.assertEqual([], browser.console_errors(self.driver))
        pixels = browser.drawn_pixels(self.driver)
        self.assertEqual(charts, len(pixels), url)
        self.assertNotIn(0, pixels, 'an empty chart on %s' % url)

    def report_charts(self, analysis):
        """How many charts the run report draws.

        One per target, and one for the Tempest tests when there are any.
        """
        return (len(analysis['services']) + len(analysis['dataplane']) +
                (1 if analysis['tests'] else 0))

    def click_a_failure(self):
        """Click the first failed validator: its traceback shows."""
        failed = self.driver.find_elements(
            'css selector', '#tempest tr.test.failed details')
        self.assertNotEqual([], failed, 'the run has no failed validator')
        detail = failed[0].find_element('css selector', 'pre.detail')
        self.assertFalse(detail.is_displayed())
        failed[0].find_element('css selector', 'summary').click()
        self.assertTrue(detail.is_displayed())
        self.assertIn('Traceback', detail.text)

    def x_spans(self):
        return self.driver.execute_script(
            'return window.reportCharts.map(function (u) {'
            '  return [u.scales.x.min, u.scales.x.max]; });')

    def zoom_and_back(self):
        """Zoom the first chart: every chart follows.

        A double-click on one of them zooms every chart back out.
        """
        full = self.x_spans()
        self.assertEqual(1, len({tuple(span) for span in full}), full)
        self.driver.execute_script(
            'var u = window.reportCharts[0];'
            'u.setScale("x", {min: u.scales.x.min + 1,'
            '                 max: u.scales.x.min + 11});')
        zoomed = self.x_spans()
        self.assertEqual([[full[0][0] + 1, full[0][0] + 11]] * len(full),
                         zoomed)
        chart = self.driver.find_elements('css selector', '#charts .u-over')
        action_chains.ActionChains(self.driver).double_click(
            chart[-1]).perform()
        self.assertEqual(full, self.x_spans())

    def test_report_file(self):
        path = os.path.join(self.tmp, 'report.html')
        with open(path, 'w') as f:
            f.write(pages.run_page(self.store, self.run_id))
        analysis = pages.analyse(self.store, self.run_id, timeline=True)
        self.open_page('file://' + path, self.report_charts(analysis))
        self.screenshot('report')
        self.zoom_and_back()
        self.driver.find_element('css selector',
                                 'a[href="#tempest"]').click()
        self.click_a_failure()
        self.screenshot('report-failure')

    def test_serve_pages(self):
        server = serving.make_server('127.0.0.1', 0,
                                     web.create_app(self.store),
                                     threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        root = 'http://127.0.0.1:%d' % server.port
        self.open_page(root + '/', 0)
        self.driver.find_element('link text', self.run_id).click()
        self.assertEqual('upgrade-tempest run %s' % self.run_id,
                         self.driver.title)
        self.assertEqual([], browser.console_errors(self.driver))
        self.screenshot('serve-runs')
        self.open_page(root + '/trends', 3 * len(self.store.list_runs()))
        self.screenshot('serve-trends')
        analysis = pages.analyse(self.store, self.run_id, timeline=True)
        self.open_page(root + '/runs/' + self.run_id,
                       self.report_charts(analysis))
        browser.load(self.driver, root + '/runs/no-such-run')
        self.assertEqual('404 Not Found', self.driver.find_element(
            'id', 'error').text)
        self.assertConsoleHasOnly404s(['/runs/no-such-run'])
        self.queue_pages(root)

    def assertConsoleHasOnly404s(self, paths):
        """The console's errors are the 404s of ``paths``, nothing else."""
        errors = browser.console_errors(self.driver)
        self.assertEqual(len(paths), len(errors), errors)
        for path, error in zip(paths, errors):
            self.assertIn('%s - Failed to load resource: the server '
                          'responded with a status of 404' % path,
                          error['message'])

    def queue_pages(self, root):
        """The queue page, a job's page, its run report; a bad job id."""
        fakes.queue_jobs(self.store)
        self.open_page(root + '/queue', 0)
        self.assertEqual(['job-1', 'job-2'], [
            cell.text for cell in self.driver.find_elements(
                'css selector', '#queue-table tbody tr td:first-child')])
        self.screenshot('serve-queue')
        self.driver.find_element('link text', 'job-1').click()
        self.assertEqual('job job-1 - upgrade-tempest', self.driver.title)
        self.assertEqual('failed', self.driver.find_element(
            'id', 'job-state').text)
        self.assertEqual([], browser.console_errors(self.driver))
        self.driver.find_element('link text', 'run report').click()
        self.assertEqual('upgrade-tempest run job-1', self.driver.title)
        self.assertEqual([], browser.console_errors(self.driver))
        self.driver.find_element('css selector',
                                 'a[href="#tempest"]').click()
        self.click_a_failure()
        browser.load(self.driver, root + '/queue/no-such-job')
        self.assertEqual('404 Not Found', self.driver.find_element(
            'id', 'error').text)
        self.assertConsoleHasOnly404s(['/queue/no-such-job'])


class SmallRunTest(BrowserTests, testtools.TestCase):
    """A small observed upgrade written by the test (no sandbox)."""

    name = 'small'

    def make_store(self):
        store = store_api.open_store('sqlite:///%s/store.db' % self.tmp)
        return store, fakes.observed_run(store)


class RealRunTest(BrowserTests, testtools.TestCase):
    """The store of a real run of the demo, copied."""

    name = 'real'

    def make_store(self):
        state_dir = os.environ.get(STATE_DIR_ENV)
        if not state_dir:
            self.skipTest('%s names no state directory of a real run '
                          '(tools/functional-sandbox.sh, after the '
                          'validators; tools/functional-report.sh)'
                          % STATE_DIR_ENV)
        shutil.copy(os.path.join(state_dir, 'store.db'), self.tmp)
        store = store_api.open_store('sqlite:///%s/store.db' % self.tmp)
        with open(os.path.join(state_dir, 'run_id')) as f:
            run_id = f.read().strip()
        analysis = pages.analyse(store, run_id)
        # a real run: observed services, upgrade steps, validator results
        self.assertGreater(len(analysis['services']), 1)
        self.assertNotEqual([], analysis['steps'])
        self.assertNotEqual([], store.list_test_results(run_id))
        return store, run_id
