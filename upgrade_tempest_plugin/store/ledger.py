"""The ledger: every resource a run's workloads created.

The table's columns say what they hold (``rtype``: the resource type,
``workload``: the workload the resource belongs to); the store's methods
and the dicts they return keep the names callers have always used
(``kind`` and ``parent``), mapped here and nowhere else.
"""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

LEDGER = models.LedgerEntry.__table__

#: Key of an entry dict -> ledger column, where they differ.
_COLUMN_OF = {'kind': 'rtype', 'parent': 'workload'}
#: The keys of an entry dict, in this order.
_ENTRY_KEYS = ('run_id', 'kind', 'name', 'resource_id', 'service',
               'attrs', 'parent', 'created_at', 'deleted_at', 'state')


def _entry(row):
    """A ledger row as the dict the store has always returned."""
    entry = {key: getattr(row, _COLUMN_OF.get(key, key))
             for key in _ENTRY_KEYS}
    entry['attrs'] = entry['attrs'] or {}
    return entry


def _select_row(conn, run_id, kind, name):
    return conn.execute(sa.select(LEDGER).where(
        LEDGER.c.run_id == run_id, LEDGER.c.rtype == kind,
        LEDGER.c.name == name)).first()


class LedgerRecords(object):
    """The ledger, a part of :class:`.api.Store`.

    An entry is identified by (run_id, kind, name); ``kind`` is the
    resource type.  Needs :meth:`RunRecords.ensure_run` beside it.
    """

    def record_workload(self, run_id, kind, name, resource_id, service,
                        attrs=None, parent=None):
        """Insert or update the entry (run_id, kind, name); a dict.

        Recording it again (a re-run of the pre-upgrade phase) updates its
        resource id, service, parent and merges ``attrs``; an entry that
        was marked deleted comes back to life with a new creation time.
        """
        self.ensure_run(run_id)
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    row = _select_row(conn, run_id, kind, name)
                    now = engine_mod.now()
                    if row is None:
                        conn.execute(LEDGER.insert().values(
                            run_id=run_id, rtype=kind, name=name,
                            resource_id=resource_id, service=service,
                            attrs=dict(attrs or {}), workload=parent,
                            created_at=now))
                    else:
                        merged = dict(row.attrs or {})
                        merged.update(attrs or {})
                        values = dict(resource_id=resource_id,
                                      service=service, attrs=merged,
                                      workload=parent)
                        if row.deleted_at is not None:
                            values.update(deleted_at=None, created_at=now)
                        conn.execute(LEDGER.update().where(
                            LEDGER.c.id == row.id).values(**values))
                    return _entry(_select_row(conn, run_id, kind, name))
            except sa_exc.IntegrityError:
                # Another process inserted it first: update instead.
                if attempt == 2:
                    raise

    def get_workload(self, run_id, kind, name):
        with self.engine.connect() as conn:
            row = _select_row(conn, run_id, kind, name)
        return None if row is None else _entry(row)

    def list_workloads(self, run_id, kind=None, include_deleted=False):
        """The run's entries in the order they were created."""
        query = sa.select(LEDGER).where(LEDGER.c.run_id == run_id)
        if kind is not None:
            query = query.where(LEDGER.c.rtype == kind)
        if not include_deleted:
            query = query.where(LEDGER.c.deleted_at.is_(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(
                LEDGER.c.created_at, LEDGER.c.id)).all()
        return [_entry(r) for r in rows]

    def mark_workload_deleted(self, run_id, kind, name, at=None):
        """Record that the resource is gone; False when it is unknown."""
        with self.engine.begin() as conn:
            res = conn.execute(LEDGER.update().where(
                LEDGER.c.run_id == run_id, LEDGER.c.rtype == kind,
                LEDGER.c.name == name).values(
                    deleted_at=engine_mod.now() if at is None else at))
            return res.rowcount > 0

    def set_workload_state(self, run_id, kind, name, state, attrs=None):
        """Set the entry's state (and merge ``attrs``); False if unknown."""
        with self.engine.begin() as conn:
            row = _select_row(conn, run_id, kind, name)
            if row is None:
                return False
            values = {'state': state}
            if attrs:
                merged = dict(row.attrs or {})
                merged.update(attrs)
                values['attrs'] = merged
            conn.execute(LEDGER.update().where(
                LEDGER.c.id == row.id).values(**values))
            return True
