"""Runs: one row per run id, with free-form attributes merged over time."""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

RUNS = models.Run.__table__


class RunRecords(object):
    """Runs, a part of :class:`.api.Store`."""

    def ensure_run(self, run_id, **attrs):
        """Create the run if missing; merge ``attrs`` into its attributes."""
        now = engine_mod.now()
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    row = conn.execute(sa.select(RUNS.c.attrs).where(
                        RUNS.c.id == run_id)).first()
                    if row is None:
                        conn.execute(RUNS.insert().values(
                            id=run_id, created_at=now, updated_at=now,
                            attrs=dict(attrs)))
                    elif attrs:
                        merged = dict(row.attrs or {})
                        merged.update(attrs)
                        conn.execute(RUNS.update().where(
                            RUNS.c.id == run_id).values(
                                attrs=merged, updated_at=now))
                return self.get_run(run_id)
            except sa_exc.IntegrityError:
                # Another process created it first: merge into theirs.
                if attempt == 2:
                    raise

    def get_run(self, run_id):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(RUNS).where(
                RUNS.c.id == run_id)).first()
        if row is None:
            return None
        run = engine_mod.as_dict(row)
        run['attrs'] = run['attrs'] or {}
        return run
