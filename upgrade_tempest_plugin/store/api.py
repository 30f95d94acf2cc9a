"""The one way to read and write the store.

``open_store(url)`` creates or upgrades the schema to the newest alembic
revision (safe when several processes open the same store at once) and
returns a :class:`Store`.  Any SQLAlchemy URL works; the default is a
SQLite file in the run's state directory, opened in WAL mode so that the
detached observer writes while ``tempest run`` reads.

Every method returns plain dicts and lists, never ORM objects, so callers
do not depend on SQLAlchemy.  Times are epoch seconds (floats).  Nothing
stored here may be a password or a token.

:class:`Store` is a facade: each kind of record has its own module
(:mod:`.runs`, :mod:`.run_events`, :mod:`.processes`, :mod:`.samples`,
:mod:`.honour_requests`, :mod:`.ledger`, :mod:`.results`), and the engine,
the migrations and their lock live in :mod:`.engine`.
"""

from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.store import honour_requests
from upgrade_tempest_plugin.store import ledger
from upgrade_tempest_plugin.store import processes
from upgrade_tempest_plugin.store import results
from upgrade_tempest_plugin.store import run_events
from upgrade_tempest_plugin.store import runs
from upgrade_tempest_plugin.store import samples

# The names callers have always imported from here.
StoreUnavailable = engine_mod.StoreUnavailable
safe_url = engine_mod.safe_url


def open_store(url, upgrade=True):
    """Open the store at ``url``, creating/upgrading its schema first."""
    engine = engine_mod.make_engine(url)
    if upgrade:
        engine_mod.upgrade_schema(engine)
    return Store(engine)


class Store(runs.RunRecords, run_events.EventRecords,
            processes.ProcessRecords, samples.SampleRecords,
            honour_requests.HonourRecords, ledger.LedgerRecords,
            results.ResultRecords):
    """Methods of the store; thread-safe (one engine, pooled connections)."""

    def __init__(self, engine):
        self.engine = engine

    @property
    def url(self):
        """The store's URL with its password masked."""
        return safe_url(self.engine.url)

    def close(self):
        self.engine.dispose()
