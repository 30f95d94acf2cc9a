"""The one way to read and write the store.

``open_store(url)`` creates or upgrades the schema to the newest alembic
revision (safe when several processes open the same store at once) and
returns a :class:`Store`.  Any SQLAlchemy URL works; the default is a
SQLite file in the run's state directory, opened in WAL mode so that the
detached observer writes while ``tempest run`` reads.

Every method returns plain dicts and lists, never ORM objects, so callers
do not depend on SQLAlchemy.  Times are epoch seconds (floats).  Nothing
stored here may be a password or a token.
"""

import contextlib
import fcntl
import logging
import operator
import os
import time

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic.runtime import migration
from alembic import script as alembic_script
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import pool as sa_pool

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.store import models

LOG = logging.getLogger(__name__)
# Alembic says "Context impl SQLiteImpl." each time a store is opened;
# the upgrade itself is logged above.
logging.getLogger('alembic.runtime.migration').setLevel(logging.WARNING)

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              'migrations')
SQLITE_BUSY_TIMEOUT_MS = 30000
# Arbitrary constant shared by every process migrating one database.
_PG_LOCK_KEY = 0x55747073
_MYSQL_LOCK_NAME = 'upgrade_tempest_store_migrate'

#: Errors that mean "the store cannot be written right now" (database
#: stopped, file read-only, disk full, lock timeout).
StoreUnavailable = (sa_exc.OperationalError, sa_exc.InterfaceError,
                    sa_exc.DatabaseError, OSError)

_T = models.metadata.tables
RUNS = _T['runs']
EVENTS = _T['events']
PROCESSES = _T['observer_processes']
SAMPLES = _T['samples']
GAPS = _T['gaps']
HONOUR = _T['honour_requests']
WORKLOADS = _T['workloads']
TEST_RESULTS = _T['test_results']

SAMPLE_FIELDS = ('run_id', 'observer', 'target', 'sent_at', 'answered_at',
                 'latency', 'outcome', 'status', 'process_id', 'detail')


def safe_url(url):
    """The URL as text with its password masked, for logs and output."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _alembic_config():
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', MIGRATIONS_DIR)
    return cfg


def head_revision():
    """The newest revision the migrations shipped here know."""
    return alembic_script.ScriptDirectory.from_config(
        _alembic_config()).get_current_head()


def current_revision(engine):
    with engine.connect() as conn:
        return migration.MigrationContext.configure(
            conn).get_current_revision()


@contextlib.contextmanager
def _migration_lock(engine, conn):
    """Serialise schema upgrades across processes."""
    dialect = engine.dialect.name
    if dialect == 'sqlite':
        database = engine.url.database
        if not database or database == ':memory:':
            yield
            return
        with open(database + '.migrate-lock', 'a') as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    elif dialect == 'postgresql':
        conn.execute(sa.text('SELECT pg_advisory_lock(:k)'),
                     {'k': _PG_LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(sa.text('SELECT pg_advisory_unlock(:k)'),
                         {'k': _PG_LOCK_KEY})
    elif dialect in ('mysql', 'mariadb'):
        conn.execute(sa.text('SELECT GET_LOCK(:n, 120)'),
                     {'n': _MYSQL_LOCK_NAME})
        try:
            yield
        finally:
            conn.execute(sa.text('SELECT RELEASE_LOCK(:n)'),
                         {'n': _MYSQL_LOCK_NAME})
    else:
        yield


def upgrade_schema(engine):
    """Create or upgrade the schema to the head revision."""
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return
    LOG.info('upgrading the store schema from %s to %s', current, head)
    cfg = _alembic_config()
    with engine.connect() as lock_conn:
        with _migration_lock(engine, lock_conn):
            lock_conn.commit()
            # Another process may have finished while we waited.
            if current_revision(engine) == head:
                return
            with engine.begin() as conn:
                cfg.attributes['connection'] = conn
                alembic_command.upgrade(cfg, 'head')


def _sqlite_pragmas(dbapi_conn, record):
    cursor = dbapi_conn.cursor()
    cursor.execute('PRAGMA busy_timeout=%d' % SQLITE_BUSY_TIMEOUT_MS)
    try:
        cursor.execute('PRAGMA journal_mode=WAL')
    except Exception:   # noqa: read-only file: keep the current mode
        pass
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.close()


def make_engine(url):
    url = sa.engine.make_url(url)
    # LIFO: a process that writes from one thread keeps reusing one
    # connection instead of rotating through the pool (each SQLite
    # connection keeps its own page cache).
    kwargs = {'future': True, 'pool_use_lifo': True}
    if url.get_backend_name() == 'sqlite':
        database = url.database
        if database and database != ':memory:':
            os.makedirs(os.path.dirname(os.path.abspath(database)),
                        exist_ok=True)
        else:
            kwargs['poolclass'] = sa_pool.StaticPool
        kwargs['connect_args'] = {'check_same_thread': False,
                                  'timeout': SQLITE_BUSY_TIMEOUT_MS / 1000.0}
    else:
        kwargs['pool_pre_ping'] = True
        kwargs['pool_recycle'] = 3600
    engine = sa.create_engine(url, **kwargs)
    if url.get_backend_name() == 'sqlite':
        sa.event.listen(engine, 'connect', _sqlite_pragmas)
    return engine


def open_store(url, upgrade=True):
    """Open the store at ``url``, creating/upgrading its schema first."""
    engine = make_engine(url)
    if upgrade:
        upgrade_schema(engine)
    return Store(engine)


def _now():
    return time.time()


def _row(row):
    return dict(row._mapping)


class Store(object):
    """Methods of the store; thread-safe (one engine, pooled connections)."""

    def __init__(self, engine):
        self.engine = engine

    @property
    def url(self):
        """The store's URL with its password masked."""
        return safe_url(self.engine.url)

    def close(self):
        self.engine.dispose()

    # Runs -------------------------------------------------------------

    def ensure_run(self, run_id, **attrs):
        """Create the run if missing; merge ``attrs`` into its attributes."""
        now = _now()
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
                if attempt == 2:
                    raise

    def get_run(self, run_id):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(RUNS).where(
                RUNS.c.id == run_id)).first()
        if row is None:
            return None
        run = _row(row)
        run['attrs'] = run['attrs'] or {}
        return run

    # Events -----------------------------------------------------------

    def add_event(self, run_id, source, action, service=None,
                  from_version=None, to_version=None, result=None,
                  detail=None, at=None):
        """Record a step of the run (``at``: epoch seconds, default now)."""
        self.ensure_run(run_id)
        values = dict(run_id=run_id, source=source, action=action,
                      service=service, from_version=from_version,
                      to_version=to_version, result=result, detail=detail,
                      at=_now() if at is None else float(at))
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
        return [_row(r) for r in rows]

    # Observer processes and heartbeats --------------------------------

    def register_process(self, run_id, pid, host, mode, attrs=None,
                         at=None):
        """Record a new observer process; returns its id."""
        self.ensure_run(run_id)
        now = _now() if at is None else at
        with self.engine.begin() as conn:
            res = conn.execute(PROCESSES.insert().values(
                run_id=run_id, pid=pid, host=host, mode=mode,
                started_at=now, heartbeat_at=now, attrs=attrs or {},
                samples_written=0, samples_dropped=0))
            return res.inserted_primary_key[0]

    def heartbeat(self, process_id, at=None, samples_written=None,
                  samples_dropped=None, conn=None):
        values = {'heartbeat_at': _now() if at is None else at}
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
                    stopped_at=_now() if at is None else at,
                    stop_reason=reason[:255]))

    def list_processes(self, run_id):
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(PROCESSES).where(
                PROCESSES.c.run_id == run_id).order_by(
                    PROCESSES.c.started_at, PROCESSES.c.id)).all()
        return [_row(r) for r in rows]

    def get_process(self, process_id):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(PROCESSES).where(
                PROCESSES.c.id == process_id)).first()
        return None if row is None else _row(row)

    # Samples and gaps -------------------------------------------------

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
        return [_row(r) for r in rows]

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
        return [_row(r) for r in rows]

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

    # Series for the analysis ----------------------------------------

    def _fetch_raw(self, conn, query):
        """Rows of ``query`` as plain DB-API tuples.

        Millions of samples come back several times faster than through
        SQLAlchemy's Row objects.
        """
        compiled = query.compile(dialect=self.engine.dialect)
        if compiled.positional:
            params = tuple(compiled.params[k] for k in compiled.positiontup)
        else:
            params = compiled.params
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(str(compiled), params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def target_series(self, run_id, observer, target):
        """The samples of one target as flat, time-ordered columns.

        Returns a dict: ``ok_sent`` and ``ok_latency`` of the successful
        samples, ``fail_sent`` and ``fail_outcome`` of the others.  Two
        index-only scans (the covering index holds sent_at, outcome and
        latency); no per-sample object is built.
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
            ok_rows = self._fetch_raw(conn, ok_query)
            fail_rows = self._fetch_raw(conn, fail_query)
        first = operator.itemgetter(0)
        second = operator.itemgetter(1)
        return {'ok_sent': list(map(first, ok_rows)),
                'ok_latency': list(map(second, ok_rows)),
                'fail_sent': list(map(first, fail_rows)),
                'fail_outcome': list(map(second, fail_rows))}

    # Honour ledger ----------------------------------------------------

    def add_honour_request(self, run_id, kind, service, name, requested_at,
                           process_id=None, **values):
        with self.engine.begin() as conn:
            res = conn.execute(HONOUR.insert().values(
                run_id=run_id, kind=kind, service=service, name=name,
                requested_at=requested_at, process_id=process_id,
                outcome=values.pop('outcome', models.HONOUR_PENDING),
                **values))
            return res.inserted_primary_key[0]

    def update_honour_request(self, request_id, **values):
        if 'reason' in values and values['reason'] is not None:
            values['reason'] = str(values['reason'])[:255]
        with self.engine.begin() as conn:
            conn.execute(HONOUR.update().where(
                HONOUR.c.id == request_id).values(**values))

    def list_honour_requests(self, run_id, outcome=None):
        query = sa.select(HONOUR).where(HONOUR.c.run_id == run_id)
        if outcome is not None:
            query = query.where(HONOUR.c.outcome == outcome)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(HONOUR.c.id)).all()
        return [_row(r) for r in rows]

    # Workload ledger --------------------------------------------------

    @staticmethod
    def _workload(row):
        workload = _row(row)
        workload.pop('id', None)
        workload['attrs'] = workload['attrs'] or {}
        return workload

    def _get_workload(self, conn, run_id, kind, name):
        return conn.execute(sa.select(WORKLOADS).where(
            WORKLOADS.c.run_id == run_id, WORKLOADS.c.kind == kind,
            WORKLOADS.c.name == name)).first()

    def record_workload(self, run_id, kind, name, resource_id, service,
                        attrs=None, parent=None):
        """Insert or update the workload (run_id, kind, name); a dict.

        Recording it again (a re-run of the pre-upgrade phase) updates its
        resource id, service, parent and merges ``attrs``; a workload that
        was marked deleted comes back to life with a new creation time.
        """
        self.ensure_run(run_id)
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    row = self._get_workload(conn, run_id, kind, name)
                    now = _now()
                    if row is None:
                        conn.execute(WORKLOADS.insert().values(
                            run_id=run_id, kind=kind, name=name,
                            resource_id=resource_id, service=service,
                            attrs=dict(attrs or {}), parent=parent,
                            created_at=now))
                    else:
                        merged = dict(row.attrs or {})
                        merged.update(attrs or {})
                        values = dict(resource_id=resource_id,
                                      service=service, attrs=merged,
                                      parent=parent)
                        if row.deleted_at is not None:
                            values.update(deleted_at=None, created_at=now)
                        conn.execute(WORKLOADS.update().where(
                            WORKLOADS.c.id == row.id).values(**values))
                    return self._workload(
                        self._get_workload(conn, run_id, kind, name))
            except sa_exc.IntegrityError:
                # Another process inserted it first: update instead.
                if attempt == 2:
                    raise

    def get_workload(self, run_id, kind, name):
        with self.engine.connect() as conn:
            row = self._get_workload(conn, run_id, kind, name)
        return None if row is None else self._workload(row)

    def list_workloads(self, run_id, kind=None, include_deleted=False):
        query = sa.select(WORKLOADS).where(WORKLOADS.c.run_id == run_id)
        if kind is not None:
            query = query.where(WORKLOADS.c.kind == kind)
        if not include_deleted:
            query = query.where(WORKLOADS.c.deleted_at.is_(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(
                WORKLOADS.c.created_at, WORKLOADS.c.id)).all()
        return [self._workload(r) for r in rows]

    def mark_workload_deleted(self, run_id, kind, name, at=None):
        """Record that the workload is gone; False when it is unknown."""
        with self.engine.begin() as conn:
            res = conn.execute(WORKLOADS.update().where(
                WORKLOADS.c.run_id == run_id, WORKLOADS.c.kind == kind,
                WORKLOADS.c.name == name).values(
                    deleted_at=_now() if at is None else at))
            return res.rowcount > 0

    def set_workload_state(self, run_id, kind, name, state, attrs=None):
        """Set the workload's state (and merge ``attrs``); False if unknown."""
        with self.engine.begin() as conn:
            row = self._get_workload(conn, run_id, kind, name)
            if row is None:
                return False
            values = {'state': state}
            if attrs:
                merged = dict(row.attrs or {})
                merged.update(attrs)
                values['attrs'] = merged
            conn.execute(WORKLOADS.update().where(
                WORKLOADS.c.id == row.id).values(**values))
            return True

    # Test results -----------------------------------------------------

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
        return [_row(r) for r in rows]
