"""The campaign log: JSON lines for machines, one line of progress for
people.

Every record is one JSON object a line in ``campaign.jsonl`` of the
campaign's directory: ``time``, ``run``, ``step``, ``object``,
``action``, ``outcome``, ``error_code``, ``detail``, and ``source``.  A
step's record is a step event of :mod:`upgrade_tempest_plugin.events`
(``source`` ``campaign``, its ``started`` and ``seconds``), so the file is
also an events file the run analysis reads; anything else the campaign
notes (phases, checks, alarms) has the source ``campaign-note``.

No password or token is ever written: values under a key that names one
are replaced, and so is every text the runner registered as secret
(:meth:`CampaignLog.add_secret`), wherever it appears.
"""

import datetime
import re
import threading

from upgrade_tempest_plugin import events

MASK = '***'
_SECRET_KEY = re.compile(r'pass(word)?|secret|token|credential|auth_key',
                         re.IGNORECASE)
# key=value / key: value where the key names a secret.
_SECRET_ASSIGN = re.compile(
    r'((?:password|passwd|secret|token)[A-Za-z_]*\s*[=:]\s*)("[^"]*"|\S+)',
    re.IGNORECASE)


class CampaignLog(object):

    def __init__(self, path, run_id, out):
        self.path = path
        self.run_id = run_id
        self.out = out
        self._secrets = set()
        self._lock = threading.Lock()

    def add_secret(self, text):
        if text:
            self._secrets.add(str(text))

    def redact(self, value):
        """``value`` (text, dict, list) with every secret masked."""
        if isinstance(value, dict):
            return {k: MASK if _SECRET_KEY.search(str(k)) and v else
                    self.redact(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.redact(v) for v in value]
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, MASK)
            return _SECRET_ASSIGN.sub(r'\1' + MASK, value)
        return value

    def _write(self, record, line):
        record = self.redact(dict(record, run=self.run_id))
        with self._lock:
            with open(self.path, 'a') as f:
                f.write(events.dumps(record) + '\n')
            if line:
                self.out.write(self.redact(line) + '\n')
                self.out.flush()

    def step(self, step_id, obj, action, outcome, started, ended,
             error_code=None, detail=None, from_version=None,
             to_version=None):
        """A step event (also in the store, see the runner)."""
        record = events.step(events.CAMPAIGN, obj, action, outcome, started,
                             ended, from_version, to_version, error_code,
                             detail)
        record['step'] = step_id
        self._write(record, '%s %-24s %-8s %s%s' % (
            _clock(ended), action if action != step_id else step_id,
            outcome, _seconds(ended - started),
            ' [%s] %s' % (error_code, detail or '') if error_code else ''))
        return record

    def note(self, action, outcome, step=None, obj=None, error_code=None,
             detail=None, say=True):
        """Anything else the campaign wants on record."""
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        record = {'source': events.CAMPAIGN_NOTE, 'time': events.iso(now),
                  'step': step, 'object': obj, 'action': action,
                  'outcome': outcome}
        if error_code:
            record['error_code'] = error_code
        if detail:
            record['detail'] = detail
        line = None
        if say:
            line = '%s %-24s %-8s %s%s' % (
                _clock(now), (step + ' ' if step else '') + action,
                outcome, detail or '',
                ' [%s]' % error_code if error_code else '')
        self._write(record, line)
        return record

    def say(self, text):
        """One line of progress for people only."""
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        with self._lock:
            self.out.write(self.redact('%s %s' % (_clock(now), text)) + '\n')
            self.out.flush()


def _clock(epoch):
    return events.iso(epoch)[11:19]


def _seconds(seconds):
    return '(%.1f s)' % seconds
