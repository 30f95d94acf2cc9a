"""The events of a run: upgrade steps, observer start and stop, workload
phases.

The step event itself (its fields, its JSON-lines form, which sources are
upgrade steps) belongs to :mod:`upgrade_tempest_plugin.events`; this module
only stores it.
"""

import sqlalchemy as sa

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

EVENTS = models.Event.__table__


class EventRecords(object):
    """Events, a part of :class:`.api.Store`.

    Needs :meth:`RunRecords.ensure_run` beside it.
    """

    def add_event(self, run_id, source, action, service=None,
                  from_version=None, to_version=None, result=None,
                  detail=None, at=None):
        """Record a step of the run (``at``: epoch seconds, default now)."""
        self.ensure_run(run_id)
        values = dict(run_id=run_id, source=source, action=action,
                      service=service, from_version=from_version,
                      to_version=to_version, result=result, detail=detail,
                      at=engine_mod.now() if at is None else float(at))
        with self.engine.begin() as conn:
            result_proxy = conn.execute(EVENTS.insert().values(**values))
            values['id'] = result_proxy.inserted_primary_key[0]
        return values

    def import_events_jsonl(self, run_id, path, source=events.SANDBOX,
                            since=None, until=None):
        """Add the steps of a JSON-lines event log to the run.

        The log is in the form of :mod:`upgrade_tempest_plugin.events`
        (the sandbox's ``events.jsonl``; ``source`` for lines that name
        none); returns how many events were new.  An event is recorded at
        its step's start, its end as ``ended_at`` in its detail, so that a
        downtime window is tied to every step that was running when it
        began; the object is the row's ``service``, the outcome its
        ``result``.  Lines outside [since, until], lines that are no event
        and events already recorded are skipped.
        """
        known = {(e['source'], e['action'], e['service'],
                  round(e['at'], 3)) for e in self.list_events(run_id)}
        added = 0
        with open(path) as f:
            for line in f:
                event = events.parse(line, source)
                if event is None:
                    continue
                at = event['started']
                if (since is not None and at < since) or (
                        until is not None and at > until):
                    continue
                key = (event['source'], event['action'][:64],
                       event['object'], round(at, 3))
                if key in known:
                    continue
                known.add(key)
                detail = {'ended_at': event['ended']}
                for extra in ('seconds', 'detail', 'error_code'):
                    if event[extra] is not None:
                        detail[extra] = event[extra]
                self.add_event(run_id, event['source'],
                               event['action'][:64], service=event['object'],
                               from_version=event['from_version'],
                               to_version=event['to_version'],
                               result=event['outcome'], detail=detail, at=at)
                added += 1
        return added

    def list_events(self, run_id):
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(EVENTS).where(
                EVENTS.c.run_id == run_id).order_by(
                    EVENTS.c.at, EVENTS.c.id)).all()
        return [engine_mod.as_dict(r) for r in rows]
