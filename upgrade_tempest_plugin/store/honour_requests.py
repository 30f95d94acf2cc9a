"""Honour requests: each write request the honour observer made, and what
became of it (see :mod:`upgrade_tempest_plugin.observers.honour`)."""

import sqlalchemy as sa

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

HONOUR_REQUESTS = models.HonourRequest.__table__


class HonourRecords(object):
    """Honour requests, a part of :class:`.api.Store`."""

    def add_honour_request(self, run_id, kind, service, name, requested_at,
                           process_id=None, **values):
        """Record a request before it is sent; returns its id."""
        with self.engine.begin() as conn:
            res = conn.execute(HONOUR_REQUESTS.insert().values(
                run_id=run_id, kind=kind, service=service, name=name,
                requested_at=requested_at, process_id=process_id,
                outcome=values.pop('outcome', models.HONOUR_PENDING),
                **values))
            return res.inserted_primary_key[0]

    def update_honour_request(self, request_id, **values):
        if 'reason' in values and values['reason'] is not None:
            values['reason'] = str(values['reason'])[:255]
        with self.engine.begin() as conn:
            conn.execute(HONOUR_REQUESTS.update().where(
                HONOUR_REQUESTS.c.id == request_id).values(**values))

    def list_honour_requests(self, run_id, outcome=None):
        query = sa.select(HONOUR_REQUESTS).where(
            HONOUR_REQUESTS.c.run_id == run_id)
        if outcome is not None:
            query = query.where(HONOUR_REQUESTS.c.outcome == outcome)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(HONOUR_REQUESTS.c.id)).all()
        return [engine_mod.as_dict(r) for r in rows]
