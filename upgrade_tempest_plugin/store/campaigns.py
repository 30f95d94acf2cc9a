"""Campaigns: the run of a plan, its status table and the per-cloud lock.

The status table has one row per step, backup, check and rollback of the
campaign (``kind``/``item``) and one per object a step acts on
(``object``), each with its state (:data:`STATES`) and times.  A step's
row is written *before* its driver is called, so a campaign interrupted
at any point knows what may have started.
"""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import models

CAMPAIGNS = models.Campaign.__table__
ITEMS = models.CampaignItem.__table__
LOCKS = models.CampaignLock.__table__

PENDING = 'pending'
RUNNING = 'running'
DONE = 'done'
FAILED = 'failed'
HANGING = 'hanging'
ROLLED_BACK = 'rolled back'
#: States of a status-table row.
STATES = (PENDING, RUNNING, DONE, FAILED, HANGING, ROLLED_BACK)

#: Kinds of rows.
STEP = 'step'
OBJECT = 'object'
BACKUP = 'backup'
CHECK = 'check'
ROLLBACK = 'rollback'
PHASE = 'phase'


class CampaignLocked(Exception):
    """The cloud is held by another campaign run (``holder``)."""

    def __init__(self, cloud, holder):
        super().__init__('cloud %s is held by campaign run %s'
                         % (cloud, holder))
        self.cloud = cloud
        self.holder = holder


class CampaignRecords(object):
    """Campaigns, a part of :class:`.api.Store`.

    Needs :meth:`RunRecords.ensure_run` beside it.
    """

    def create_campaign(self, run_id, name, cloud, plan, state=PENDING):
        self.ensure_run(run_id, campaign=name)
        now = engine_mod.now()
        with self.engine.begin() as conn:
            conn.execute(CAMPAIGNS.insert().values(
                run_id=run_id, name=name, cloud=cloud, plan=plan,
                state=state, created_at=now, updated_at=now))
        return self.get_campaign(run_id)

    def get_campaign(self, run_id):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(CAMPAIGNS).where(
                CAMPAIGNS.c.run_id == run_id)).first()
        return None if row is None else engine_mod.as_dict(row)

    def list_campaigns(self):
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(CAMPAIGNS).order_by(
                CAMPAIGNS.c.created_at)).all()
        return [engine_mod.as_dict(r) for r in rows]

    def set_campaign_state(self, run_id, state, **detail):
        """Set the campaign's state; merge ``detail`` into its detail."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(CAMPAIGNS.c.detail).where(
                CAMPAIGNS.c.run_id == run_id)).first()
            merged = dict((row.detail if row else None) or {})
            merged.update(detail)
            conn.execute(CAMPAIGNS.update().where(
                CAMPAIGNS.c.run_id == run_id).values(
                    state=state, detail=merged,
                    updated_at=engine_mod.now()))

    def acquire_campaign_lock(self, cloud, run_id):
        """Hold ``cloud`` for ``run_id`` (again, if it holds it already).

        Raises :class:`CampaignLocked` naming the holder otherwise.
        """
        with self.engine.begin() as conn:
            holder = conn.execute(sa.select(LOCKS.c.run_id).where(
                LOCKS.c.cloud == cloud)).scalar()
            if holder is None:
                try:
                    conn.execute(LOCKS.insert().values(
                        cloud=cloud, run_id=run_id,
                        acquired_at=engine_mod.now()))
                    return
                except sa_exc.IntegrityError:
                    holder = None
        if holder is None:
            holder = self.campaign_lock_holder(cloud)
        if holder != run_id:
            raise CampaignLocked(cloud, holder)

    def campaign_lock_holder(self, cloud):
        with self.engine.connect() as conn:
            return conn.execute(sa.select(LOCKS.c.run_id).where(
                LOCKS.c.cloud == cloud)).scalar()

    def release_campaign_lock(self, cloud, run_id):
        with self.engine.begin() as conn:
            conn.execute(LOCKS.delete().where(sa.and_(
                LOCKS.c.cloud == cloud, LOCKS.c.run_id == run_id)))

    def set_item(self, run_id, kind, item, state, obj='', position=None,
                 started_at=None, ended_at=None, error_code=None,
                 detail=None):
        """Create or update a status-table row; returns it.

        ``detail`` is merged into the row's; other values left None keep
        the row's.
        """
        values = {'state': state}
        for key, value in (('position', position),
                           ('started_at', started_at),
                           ('ended_at', ended_at),
                           ('error_code', error_code)):
            if value is not None:
                values[key] = value
        where = sa.and_(ITEMS.c.run_id == run_id, ITEMS.c.kind == kind,
                        ITEMS.c.item == item, ITEMS.c.object == obj)
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(ITEMS.c.detail).where(
                where)).first()
            if row is None:
                values.setdefault('position', 0)
                conn.execute(ITEMS.insert().values(
                    run_id=run_id, kind=kind, item=item, object=obj,
                    detail=detail or {}, **values))
            else:
                merged = dict(row.detail or {})
                merged.update(detail or {})
                conn.execute(ITEMS.update().where(where).values(
                    detail=merged, **values))
            return engine_mod.as_dict(conn.execute(
                sa.select(ITEMS).where(where)).first())

    def get_item(self, run_id, kind, item, obj=''):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(ITEMS).where(sa.and_(
                ITEMS.c.run_id == run_id, ITEMS.c.kind == kind,
                ITEMS.c.item == item, ITEMS.c.object == obj))).first()
        return None if row is None else engine_mod.as_dict(row)

    def list_items(self, run_id):
        """The run's status table in plan order."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(ITEMS).where(
                ITEMS.c.run_id == run_id).order_by(
                    ITEMS.c.position, ITEMS.c.id)).all()
        return [engine_mod.as_dict(r) for r in rows]
