"""Probe samples, the gaps between them, and the series the analysis
reads."""

import operator

import sqlalchemy as sa

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

SAMPLES = models.Sample.__table__
GAPS = models.Gap.__table__

#: Rows per DB-API fetch when a target's samples are read.
FETCH_BATCH = 50000
FIRST = operator.itemgetter(0)
SECOND = operator.itemgetter(1)

SAMPLE_FIELDS = ('run_id', 'observer', 'target', 'sent_at', 'answered_at',
                 'latency', 'outcome', 'status', 'process_id', 'detail')


class SampleRecords(object):
    """Samples and gaps, a part of :class:`.api.Store`.

    Needs :meth:`ProcessRecords.heartbeat` beside it.
    """

    def add_samples(self, samples, heartbeat=None):
        """Insert many samples (dicts with SAMPLE_FIELDS) in one transaction.

        ``heartbeat``: optional dict of :meth:`heartbeat` arguments written
        in the same transaction, so a live process and its samples are
        never out of step.
        """
        with self.engine.begin() as conn:
            if samples:
                conn.execute(SAMPLES.insert(), [
                    {f: s.get(f) for f in SAMPLE_FIELDS} for s in samples])
            if heartbeat:
                self.heartbeat(conn=conn, **heartbeat)

    def add_gap(self, run_id, starts_at, ends_at, reason, observer=None,
                target=None, process_id=None, lost_samples=0, detail=None):
        with self.engine.begin() as conn:
            conn.execute(GAPS.insert().values(
                run_id=run_id, starts_at=starts_at, ends_at=ends_at,
                reason=reason, observer=observer, target=target,
                process_id=process_id, lost_samples=lost_samples,
                detail=None if detail is None else str(detail)[:255]))

    def list_gaps(self, run_id):
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(GAPS).where(
                GAPS.c.run_id == run_id).order_by(GAPS.c.starts_at)).all()
        return [engine_mod.as_dict(r) for r in rows]

    def list_samples(self, run_id, observer=None, target=None, start=None,
                     end=None):
        """Samples as dicts, in the order they were sent (small runs)."""
        query = sa.select(SAMPLES).where(SAMPLES.c.run_id == run_id)
        if observer is not None:
            query = query.where(SAMPLES.c.observer == observer)
        if target is not None:
            query = query.where(SAMPLES.c.target == target)
        if start is not None:
            query = query.where(SAMPLES.c.sent_at >= start)
        if end is not None:
            query = query.where(SAMPLES.c.sent_at < end)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(
                SAMPLES.c.sent_at, SAMPLES.c.id)).all()
        return [engine_mod.as_dict(r) for r in rows]

    def sample_targets(self, run_id, observer=None):
        """[(observer, target, count, first sent, last sent)]."""
        query = sa.select(
            SAMPLES.c.observer, SAMPLES.c.target, sa.func.count(),
            sa.func.min(SAMPLES.c.sent_at), sa.func.max(SAMPLES.c.sent_at),
        ).where(SAMPLES.c.run_id == run_id).group_by(
            SAMPLES.c.observer, SAMPLES.c.target)
        if observer is not None:
            query = query.where(SAMPLES.c.observer == observer)
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query).all()]

    def sample_spans(self, run_id):
        """[(observer, target, first sent, last sent)], sorted.

        What :meth:`sample_targets` says but the counts, from index seeks
        alone: each target is found by asking for the next one after the
        last found, and its first and last sample by a min and a max
        query that the index answers at one end of the target's range.
        :meth:`sample_targets` reads every sample of the run instead
        (seconds for millions of samples).
        """
        run = SAMPLES.c.run_id == run_id
        spans = []
        with self.engine.connect() as conn:
            for observer in self._next_values(conn, SAMPLES.c.observer,
                                              (run,)):
                where = (run, SAMPLES.c.observer == observer)
                for target in self._next_values(conn, SAMPLES.c.target,
                                                where):
                    this = where + (SAMPLES.c.target == target,)
                    spans.append((observer, target) + tuple(
                        conn.execute(sa.select(func(SAMPLES.c.sent_at))
                                     .where(*this)).scalar()
                        for func in (sa.func.min, sa.func.max)))
        return sorted(spans)

    @staticmethod
    def _next_values(conn, column, where):
        """The distinct values of ``column`` under ``where``, in order.

        One index seek per value (a loose index scan), however many rows
        hold each.
        """
        query = sa.select(column).where(*where).order_by(column).limit(1)
        value = conn.execute(query).scalar()
        while value is not None:
            yield value
            value = conn.execute(query.where(column > value)).scalar()

    def target_series(self, run_id, observer, target):
        """The samples of one target as flat, time-ordered columns.

        Returns a dict: ``ok_sent`` and ``ok_latency`` of the successful
        samples, ``fail_sent`` and ``fail_outcome`` of the others.  Two
        index-only scans (the covering index holds sent_at, outcome and
        latency), read in batches of :data:`FETCH_BATCH` rows: no
        per-sample object outlives its batch, only the columns' floats.
        """
        where = (SAMPLES.c.run_id == run_id,
                 SAMPLES.c.observer == observer,
                 SAMPLES.c.target == target)
        ok_query = sa.select(SAMPLES.c.sent_at, SAMPLES.c.latency).where(
            *where, SAMPLES.c.outcome == models.OUTCOME_OK).order_by(
                SAMPLES.c.sent_at)
        fail_query = sa.select(SAMPLES.c.sent_at, SAMPLES.c.outcome).where(
            *where, SAMPLES.c.outcome != models.OUTCOME_OK).order_by(
                SAMPLES.c.sent_at)
        with self.engine.connect() as conn:
            ok_sent, ok_latency = self._fetch_columns(conn, ok_query)
            fail_sent, fail_outcome = self._fetch_columns(conn, fail_query)
        return {'ok_sent': ok_sent, 'ok_latency': ok_latency,
                'fail_sent': fail_sent, 'fail_outcome': fail_outcome}

    def _fetch_columns(self, conn, query):
        """The two columns of ``query``'s rows, as two lists.

        Plain DB-API rows, fetched :data:`FETCH_BATCH` at a time: millions
        of samples come back several times faster than through
        SQLAlchemy's Row objects, and only a batch of row tuples is alive
        at once (a run's samples as tuples would take gigabytes).
        """
        compiled = query.compile(dialect=self.engine.dialect)
        if compiled.positional:
            params = tuple(compiled.params[k] for k in compiled.positiontup)
        else:
            params = compiled.params
        first, second = [], []
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(str(compiled), params)
            rows = cursor.fetchmany(FETCH_BATCH)
            while rows:   # [] or () at the end, depending on the driver
                first.extend(map(FIRST, rows))
                second.extend(map(SECOND, rows))
                rows = cursor.fetchmany(FETCH_BATCH)
        finally:
            cursor.close()
        return first, second
