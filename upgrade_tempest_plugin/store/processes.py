"""Observer processes: one row per process life, kept fresh by its
heartbeat, so that a reader can tell a live observer from a dead one."""

import sqlalchemy as sa

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

PROCESSES = models.ObserverProcess.__table__


class ProcessRecords(object):
    """Observer processes, a part of :class:`.api.Store`.

    Needs :meth:`RunRecords.ensure_run` beside it.
    """

    def register_process(self, run_id, pid, host, mode, attrs=None,
                         at=None):
        """Record a new observer process; returns its id."""
        self.ensure_run(run_id)
        now = engine_mod.now() if at is None else at
        with self.engine.begin() as conn:
            res = conn.execute(PROCESSES.insert().values(
                run_id=run_id, pid=pid, host=host, mode=mode,
                started_at=now, heartbeat_at=now, attrs=attrs or {},
                samples_written=0, samples_dropped=0))
            return res.inserted_primary_key[0]

    def heartbeat(self, process_id, at=None, samples_written=None,
                  samples_dropped=None, conn=None):
        """Stamp the process alive.

        Inside ``conn``'s transaction if given: the sink writes it with
        the samples it flushes.
        """
        values = {'heartbeat_at': engine_mod.now() if at is None else at}
        if samples_written is not None:
            values['samples_written'] = samples_written
        if samples_dropped is not None:
            values['samples_dropped'] = samples_dropped
        stmt = PROCESSES.update().where(
            PROCESSES.c.id == process_id).values(**values)
        if conn is not None:
            conn.execute(stmt)
            return
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def process_stopped(self, process_id, reason, at=None):
        with self.engine.begin() as conn:
            conn.execute(PROCESSES.update().where(
                PROCESSES.c.id == process_id).values(
                    stopped_at=engine_mod.now() if at is None else at,
                    stop_reason=reason[:255]))

    def list_processes(self, run_id):
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(PROCESSES).where(
                PROCESSES.c.run_id == run_id).order_by(
                    PROCESSES.c.started_at, PROCESSES.c.id)).all()
        return [engine_mod.as_dict(r) for r in rows]

    def get_process(self, process_id):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(PROCESSES).where(
                PROCESSES.c.id == process_id)).first()
        return None if row is None else engine_mod.as_dict(row)
