"""The worker's side of the status API: POST /update-test-status/.

A form with ``test_id`` and ``payload`` (a JSON document: the job's state
and counts) and, in a job's last report, ``subunit``: the raw subunit
stream of its ``tempest run``, URL-safe base64, which the status API
imports with ``upgrade-tempest results import``'s importer.  Sent with
the worker's name and token in headers.  A status that cannot be
delivered is logged and dropped after a few tries: the job goes on, and
geard still has its WORK_STATUS.

Standard library only (the worker imports it).
"""

import base64
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

LOG = logging.getLogger(__name__)

WORKER_HEADER = 'X-Upgrade-Tempest-Worker'
TOKEN_HEADER = 'X-Upgrade-Tempest-Token'

#: Job states, in the order a job goes through them.  ``queued`` and
#: ``cancelled`` are written by the client; the others by the worker,
#: except ``lost`` (see records.reconcile).
QUEUED = 'queued'
ACCEPTED = 'accepted'
INSTALLING = 'installing'
RUNNING = 'running'
PASSED = 'passed'
FAILED = 'failed'
ERROR = 'error'
TIMEOUT = 'timeout'
CANCELLED = 'cancelled'
LOST = 'lost'
STATES = (QUEUED, ACCEPTED, INSTALLING, RUNNING, PASSED, FAILED, ERROR,
          TIMEOUT, CANCELLED, LOST)
FINAL_STATES = (PASSED, FAILED, ERROR, TIMEOUT, CANCELLED, LOST)


class Reporter:
    """Posts one job's states to the URL its payload names."""

    def __init__(self, url, test_id, worker, token, tries=3, timeout=10,
                 sleep=time.sleep):
        self.url = url
        self.test_id = test_id
        self.worker = worker
        self.token = token
        self.tries = tries
        self.timeout = timeout
        self.sleep = sleep

    def post(self, state, stream=None, tries=None, **details):
        """Send ``state`` with ``details``; True when the API took it.

        ``stream``: the job's subunit stream (bytes), sent as the form's
        ``subunit`` field.  ``tries``: instead of the reporter's own (a
        progress report is tried once: the next one says more).
        """
        tries = tries or self.tries
        document = dict(details, state=state)
        form = {'test_id': self.test_id, 'payload': json.dumps(document)}
        if stream is not None:
            form['subunit'] = base64.urlsafe_b64encode(stream).decode('ascii')
        body = urllib.parse.urlencode(form).encode('ascii')
        headers = {WORKER_HEADER: self.worker,
                   'Content-Type': 'application/x-www-form-urlencoded'}
        if self.token:
            headers[TOKEN_HEADER] = self.token
        for attempt in range(1, tries + 1):
            request = urllib.request.Request(self.url, data=body,
                                             headers=headers, method='POST')
            try:
                with urllib.request.urlopen(request,
                                            timeout=self.timeout) as answer:
                    if answer.status == 202:
                        return True
                    reason = 'HTTP %d' % answer.status
            except urllib.error.HTTPError as exc:
                reason = 'HTTP %d' % exc.code
                if exc.code < 500:
                    break
            except (urllib.error.URLError, OSError) as exc:
                reason = str(getattr(exc, 'reason', exc))
            if attempt < tries:
                self.sleep(attempt)
        LOG.warning('status API did not take %s of job %s: %s', state,
                    self.test_id, reason)
        return False
