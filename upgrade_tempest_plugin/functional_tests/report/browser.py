"""Headless Chromium for the report's browser tests (Selenium).

Debian's ``chromium`` and ``chromium-driver`` (``tools/install-chromium``
installs them); Selenium is pointed at them so that it never tries to
download a browser or a driver of its own.
"""

import os
import shutil

from selenium import webdriver
from selenium.webdriver.support import ui

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'

#: Pixels drawn by each chart of a page (0: an empty canvas).
DRAWN_PIXELS = """
return (window.reportCharts || []).map(function (u) {
  var c = u.ctx.canvas, d = u.ctx.getImageData(0, 0, c.width, c.height).data;
  var n = 0;
  for (var i = 3; i < d.length; i += 4) { if (d[i]) { n++; } }
  return n;
});
"""


def available():
    """Why the browser tests cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            return '%s is missing (tools/install-chromium)' % path
    return None


def chromium(width=1400, height=1000):
    """A headless Chromium that keeps the page's console messages."""
    os.environ.setdefault('SE_AVOID_STATS', 'true')
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', '--window-size=%d,%d' % (
                    width, height)):
        options.add_argument(arg)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(
        executable_path=CHROMEDRIVER))


def load(driver, url, timeout=60):
    """Open ``url`` and wait until its scripts ran."""
    driver.get(url)
    ui.WebDriverWait(driver, timeout).until(lambda d: d.execute_script(
        'return document.readyState') == 'complete')


def console_errors(driver):
    """The page's console messages at level SEVERE (errors)."""
    return [e for e in driver.get_log('browser') if e['level'] == 'SEVERE']


def drawn_pixels(driver):
    return driver.execute_script(DRAWN_PIXELS)
