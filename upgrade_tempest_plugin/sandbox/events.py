"""Upgrade events: printed and appended to ``events.jsonl``.

One event per step of an upgrade (prepare, stop, migrate, start, health):
time, service, action, from and to version, result and duration.  Later
work stores them in the run store; the JSON lines are the hand-over.
"""

import datetime
import json


class EventLog(object):

    def __init__(self, path, out):
        self.path = path
        self.out = out

    def emit(self, service, action, from_version, to_version, result,
             seconds=None, detail=None):
        event = {
            'time': datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec='milliseconds'),
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
