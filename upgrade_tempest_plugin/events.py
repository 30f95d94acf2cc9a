"""The step event: one thing that happened to the cloud or to the run.

An upgrade is a sequence of steps (the sandbox's stop, migrate, switch...,
later a campaign's and its driver's), each with a start and an end; the
observers, the validators, the workloads and ``cleanup`` also note what
they did.  Every one of them is an event of this one shape, in the run
store (``Store.add_event``) and, for the steps a tool outside the store
records, as JSON lines (one object a line, written when the step ends):

``started``, ``time``
    its start and end, ISO 8601 (UTC, milliseconds);
``source``
    who recorded it, one of :data:`SOURCES`;
``object``
    what it acted on (a service, a group of hosts, a workload);
``action``, ``outcome``
    what was done (``stop``, ``migrate``, ``switch:nova-api`` ...) and how
    it ended (``ok``, ``failed`` ...);
``error_code``, ``detail``
    optional: a machine-readable code of a failure, and free text;
``from_version``, ``to_version``, ``seconds``
    optional: the versions a step moved between, its duration.

Lines written before this module name the object ``service`` and the
outcome ``result``, and may lack ``started`` and ``source``; :func:`parse`
reads both forms.

Only events of :data:`STEP_SOURCES` are upgrade steps (:func:`is_step`):
they cut the observation into steps, end the latency baseline and label
downtime windows.  Any other source, known or future, is a note.
"""

import datetime
import json

SANDBOX = 'sandbox'
CAMPAIGN = 'campaign'
DRIVER = 'driver'
OBSERVER = 'observer'
VALIDATORS = 'validators'
WORKLOADS = 'workloads'
CLEANUP = 'cleanup'
#: What a campaign notes besides its steps: phases, checks, alarms.
CAMPAIGN_NOTE = 'campaign-note'

#: Sources whose events are upgrade steps.
STEP_SOURCES = (SANDBOX, CAMPAIGN, DRIVER)
#: Every source this package writes.
SOURCES = STEP_SOURCES + (OBSERVER, VALIDATORS, WORKLOADS, CLEANUP,
                          CAMPAIGN_NOTE)


def is_step(event):
    """Whether ``event`` (a store row or a parsed line) is an upgrade step."""
    return event.get('source') in STEP_SOURCES


def iso(epoch):
    """``epoch`` seconds as the events' ISO 8601 form."""
    return datetime.datetime.fromtimestamp(
        epoch, datetime.timezone.utc).isoformat(timespec='milliseconds')


def epoch(iso_time):
    """Epoch seconds of an ISO 8601 time ('Z' accepted)."""
    return datetime.datetime.fromisoformat(
        iso_time.replace('Z', '+00:00')).timestamp()


def step(source, obj, action, outcome, started, ended, from_version=None,
         to_version=None, error_code=None, detail=None):
    """A step event (a dict of the JSON-lines form)."""
    event = {'source': source, 'object': obj, 'action': action,
             'outcome': outcome, 'started': iso(started), 'time': iso(ended),
             'seconds': round(ended - started, 3)}
    optional = {'from_version': from_version, 'to_version': to_version,
                'error_code': error_code, 'detail': detail}
    event.update({k: v for k, v in optional.items() if v})
    return event


def dumps(event):
    """The JSON line of ``event`` (no newline)."""
    return json.dumps(event, sort_keys=True)


def parse(line, source=SANDBOX):
    """An event read from a JSON line, or None if the line is not one.

    Returns a dict with ``source``, ``object``, ``action``, ``outcome``,
    ``started`` and ``ended`` (epoch seconds), ``from_version``,
    ``to_version``, ``error_code``, ``detail`` and ``seconds`` (None when
    absent).  ``source`` is the one to assume for lines without one.
    """
    try:
        raw = json.loads(line)
        ended = epoch(raw['time'])
        seconds = raw.get('seconds')
        started = (epoch(raw['started']) if raw.get('started')
                   else ended - float(seconds or 0.0))
    except (ValueError, KeyError, AttributeError, TypeError):
        return None
    if not isinstance(raw, dict) or not raw.get('action'):
        return None
    return {
        'source': raw.get('source') or source,
        'object': raw.get('object', raw.get('service')),
        'action': str(raw['action']),
        'outcome': raw.get('outcome', raw.get('result')),
        'started': started, 'ended': ended,
        'from_version': raw.get('from_version'),
        'to_version': raw.get('to_version'),
        'error_code': raw.get('error_code'),
        'detail': raw.get('detail'),
        'seconds': seconds,
    }


class EventLog(object):
    """Appends the steps of one source to a JSON-lines file and prints them.

    The sandbox writes its ``events.jsonl`` with it.
    """

    def __init__(self, path, out, source=SANDBOX):
        self.path = path
        self.out = out
        self.source = source

    def emit(self, obj, action, from_version, to_version, outcome,
             seconds=None, detail=None, started=None):
        """Record a step; ``started``: its start (epoch s).

        Without ``started`` the step ended now and began ``seconds`` before;
        with it, it ended ``seconds`` after it (steps run in parallel are
        recorded together, once all of them ended).
        """
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        if started is None:
            started = now - (seconds or 0.0)
        else:
            now = started + (seconds or 0.0)
        event = step(self.source, obj, action, outcome, started, now,
                     from_version, to_version, detail=detail)
        with open(self.path, 'a') as f:
            f.write(dumps(event) + '\n')
        self.out.write('%s %-9s %-10s %s -> %s: %s%s\n' % (
            event['time'][11:23], obj, action, from_version, to_version,
            outcome, '' if seconds is None else ' (%.1f s)' % seconds))
        self.out.flush()
        return event
