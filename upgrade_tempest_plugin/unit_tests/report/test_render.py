"""The HTML pages: self-contained, data safe inside the page."""

import json
import re

from upgrade_tempest_plugin.report import pages
from upgrade_tempest_plugin.report import render
from upgrade_tempest_plugin.unit_tests.analysis import fakes as analysis_fakes
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.report import fakes

# Anything a browser would fetch: a src/href or CSS url() off the page.
EXTERNAL = re.compile(r'''(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?'''
                      r'''(https?:)?//|@import''', re.I)


def page_data(html):
    found = re.search(r'<script id="report-data" type="application/json">'
                      r'(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


class SelfContainedTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.memory_store(self)
        fakes.observed_run(self.store)

    def test_run_report_needs_no_network(self):
        html = pages.run_page(self.store, 'run-r')
        self.assertIsNone(EXTERNAL.search(html))
        self.assertIn('var uPlot=', html)          # the library, inlined
        self.assertIn('window.reportCharts', html)   # the page's script
        self.assertEqual('run-r', page_data(html)['run_id'])

    def test_the_check_finds_a_fetch(self):
        for fetch in ('<script src="https://cdn.example/u.js">',
                      "<link href='//cdn.example/u.css'>",
                      'background: url(http://x/y.png)'):
            self.assertIsNotNone(EXTERNAL.search(fetch), fetch)

    def test_trends_and_runs_need_no_network(self):
        for html in (pages.trends_page(self.store),
                     pages.runs_page(self.store)):
            self.assertIsNone(EXTERNAL.search(html))

    def test_failure_details_are_in_the_page(self):
        html = pages.run_page(self.store, 'run-r')
        self.assertIn('<details><summary>', html)
        self.assertIn('Traceback: the volume stayed in error', html)

    def test_unknown_run(self):
        self.assertRaises(pages.UnknownRun, pages.run_page, self.store,
                          'nope')


class EscapeTest(base.TestCase):

    def test_json_cannot_close_the_script_element(self):
        text = render.to_json({'detail': '</script><script>alert(1)'})
        self.assertNotIn('<', text)
        self.assertEqual({'detail': '</script><script>alert(1)'},
                         json.loads(text))

    def test_text_is_escaped_in_the_tables(self):
        html = render.page('error.html', status='404',
                           message='<b>bold</b>')
        self.assertIn('&lt;b&gt;bold&lt;/b&gt;', html)

    def test_numbers_and_times(self):
        self.assertEqual(('', '1.5', '2', '3'), (
            render.num(None), render.num(1.5), render.num(2.0),
            render.num(3)))
        self.assertEqual('2027-01-15 08:00:00Z', render.utc(fakes.T0))

    def test_recovery_cells(self):
        window = {'target': 'compute', 'start': fakes.T0, 'end': fakes.T0 + 1,
                  'duration': 1.0, 'first_to_last': 0.9, 'precision': 0.1,
                  'open': False, 'step': None, 'outcomes': {'refused': 9},
                  'recovery': {'recovered': False, 'seconds': 4.25,
                               'degradation': 0.0315}}
        self.assertEqual(('4.25 (not recovered)', '31.5'),
                         render.window_row(window)[-2:])
        self.assertEqual(('', ''), render.window_row(
            dict(window, recovery=None))[-2:])
        self.assertEqual(
            ('compute', 2, 1, '19.55', '19.5', 196, '200', '150', '4', '50'),
            render.recovery_row({
                'name': 'compute', 'windows': 2, 'unrecovered': 1,
                'total': 19.55, 'longest': 19.5, 'samples': 196,
                'mean': 200.0, 'degradation': 150.0, 'ratio': 4.0,
                'band': 50.0}))

    def test_run_page_has_the_recovery_table(self):
        store = fakes.memory_store(self)
        fakes.observed_run(store)
        html = pages.run_page(store, 'run-r')
        self.assertIn('<table id="recovery-table"', html)
        self.assertIn('(not recovered)', html)

    def test_run_page_names_the_history_of_a_historical_budget(self):
        store = fakes.memory_store(self)
        fakes.observed_run(store)
        budget_group = type('B', (analysis_fakes.Budgets,), {
            'historical_budgets': ['downtime']})
        html = pages.run_page(store, 'run-r', budgets=budget_group)
        self.assertIn('historical budget not applied: 0 comparable run(s) '
                      'measured this', html)
