"""Test results of a run, one row per test.

Nothing writes them yet: the report imports Tempest's results (stestr's
subunit stream) here so that a test outcome and a downtime window can be
read side by side.
"""

import sqlalchemy as sa

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

TEST_RESULTS = models.TestResult.__table__


class ResultRecords(object):
    """Test results, a part of :class:`.api.Store`.

    Needs :meth:`RunRecords.ensure_run` beside it.
    """

    def add_test_result(self, run_id, test_id, status, phase=None,
                        started_at=None, duration=None, detail=None):
        self.ensure_run(run_id)
        with self.engine.begin() as conn:
            conn.execute(TEST_RESULTS.insert().values(
                run_id=run_id, test_id=test_id, status=status, phase=phase,
                started_at=started_at, duration=duration, detail=detail))

    def list_test_results(self, run_id, phase=None):
        query = sa.select(TEST_RESULTS).where(
            TEST_RESULTS.c.run_id == run_id)
        if phase is not None:
            query = query.where(TEST_RESULTS.c.phase == phase)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(TEST_RESULTS.c.id)).all()
        return [engine_mod.as_dict(r) for r in rows]
