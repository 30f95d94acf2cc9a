"""Test results of a run, one row per test.

``upgrade-tempest results import`` (:mod:`upgrade_tempest_plugin.report.
subunit_import`) adds Tempest's results (stestr's subunit stream) here so
that a test outcome and a downtime window can be read side by side.
"""

import sqlalchemy as sa

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

TEST_RESULTS = models.TestResult.__table__


class ResultRecords(object):
    """Test results, a part of :class:`.api.Store`.

    Needs :meth:`RunRecords.ensure_run` beside it.
    """

    def add_test_results(self, run_id, rows, phase=None):
        """Add test rows to ``phase`` of the run, in one transaction.

        A row is a dict of ``test_id``, ``status``, ``started_at``,
        ``duration`` and ``detail``.
        A row whose test, phase and start (to the millisecond) the run
        already has is skipped, so importing a stream twice adds nothing.
        Returns how many rows were added.
        """
        self.ensure_run(run_id)
        key = self._result_key
        with self.engine.begin() as conn:
            query = sa.select(TEST_RESULTS.c.test_id,
                              TEST_RESULTS.c.started_at).where(
                TEST_RESULTS.c.run_id == run_id)
            if phase is None:
                query = query.where(TEST_RESULTS.c.phase.is_(None))
            else:
                query = query.where(TEST_RESULTS.c.phase == phase)
            known = {key(r.test_id, r.started_at)
                     for r in conn.execute(query)}
            new = []
            for row in rows:
                if key(row['test_id'], row['started_at']) in known:
                    continue
                known.add(key(row['test_id'], row['started_at']))
                new.append(dict(run_id=run_id, phase=phase,
                                test_id=row['test_id'], status=row['status'],
                                started_at=row['started_at'],
                                duration=row['duration'],
                                detail=row['detail']))
            if new:
                conn.execute(TEST_RESULTS.insert(), new)
        return len(new)

    @staticmethod
    def _result_key(test_id, started_at):
        return test_id, None if started_at is None else round(started_at, 3)

    def list_test_results(self, run_id, phase=None):
        query = sa.select(TEST_RESULTS).where(
            TEST_RESULTS.c.run_id == run_id)
        if phase is not None:
            query = query.where(TEST_RESULTS.c.phase == phase)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(TEST_RESULTS.c.id)).all()
        return [engine_mod.as_dict(r) for r in rows]
