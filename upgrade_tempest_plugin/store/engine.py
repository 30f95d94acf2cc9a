"""The store's engine, its schema migrations and the lock around them.

:func:`make_engine` builds the SQLAlchemy engine for any URL (SQLite in WAL
mode with a busy timeout, server databases with pre-ping and recycling);
:func:`upgrade_schema` brings its schema to the newest alembic revision
shipped in ``store/migrations``, under a lock that every process migrating
the same database takes (a lock file for SQLite, an advisory lock for
PostgreSQL, ``GET_LOCK`` for MariaDB/MySQL).  The record modules beside
this one only read and write rows.
"""

import contextlib
import fcntl
import logging
import os
import time

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic.runtime import migration
from alembic import script as alembic_script
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import pool as sa_pool

LOG = logging.getLogger(__name__)
# Alembic says "Context impl SQLiteImpl." each time a store is opened;
# the upgrade itself is logged by upgrade_schema.
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


def safe_url(url):
    """The URL as text with its password masked, for logs and output."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def now():
    """The time a record is stamped with: epoch seconds."""
    return time.time()


def as_dict(row):
    """A result row as a plain dict (callers never see ORM objects)."""
    return dict(row._mapping)


def migrations_config():
    """The alembic configuration of the store's migrations (no .ini).

    :func:`upgrade_schema` passes the connection to migrate in
    ``attributes['connection']`` (see ``migrations/env.py``).
    """
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', MIGRATIONS_DIR)
    return cfg


def head_revision():
    """The newest revision the migrations shipped here know."""
    return alembic_script.ScriptDirectory.from_config(
        migrations_config()).get_current_head()


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
    cfg = migrations_config()
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
