"""Upgrade events: printed and appended to ``events.jsonl``.

One event per step of an upgrade (stage, prepare, stop, migrate, start,
health), written when the step ends: ``started`` and ``time`` (its start
and end, ISO 8601), service, action, from and to version, result and
duration.  Steps may overlap (every service is staged at once).  The run
store imports them (``Store.import_events_jsonl``); the JSON lines are the
hand-over.
"""

import datetime
import json


class EventLog(object):

    def __init__(self, path, out):
        self.path = path
        self.out = out

    def emit(self, service, action, from_version, to_version, result,
             seconds=None, detail=None, started=None):
        """Record a step; ``started``: its start (epoch s).

        Without ``started`` the step ended now and began ``seconds`` before;
        with it, it ended ``seconds`` after it (steps run in parallel are
        recorded together, once all of them ended).
        """
        now = datetime.datetime.now(datetime.timezone.utc)
        if started is None:
            started = now.timestamp() - (seconds or 0.0)
        else:
            now = datetime.datetime.fromtimestamp(
                started + (seconds or 0.0), datetime.timezone.utc)
        event = {
            'started': _iso(datetime.datetime.fromtimestamp(
                started, datetime.timezone.utc)),
            'time': _iso(now),
            'service': service,
            'action': action,
            'from_version': from_version,
            'to_version': to_version,
            'result': result,
        }
        if seconds is not None:
            event['seconds'] = round(seconds, 3)
        if detail:
            event['detail'] = detail
        with open(self.path, 'a') as f:
            f.write(json.dumps(event, sort_keys=True) + '\n')
        self.out.write('%s %-9s %-10s %s -> %s: %s%s\n' % (
            event['time'][11:23], service, action, from_version, to_version,
            result, '' if seconds is None else ' (%.1f s)' % seconds))
        self.out.flush()
        return event


def _iso(moment):
    return moment.isoformat(timespec='milliseconds')
