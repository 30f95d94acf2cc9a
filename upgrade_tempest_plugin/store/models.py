"""The tables of the store (SQLAlchemy 2 Core/ORM metadata).

Times are epoch seconds as double precision floats everywhere, so a sample
taken at 10 Hz keeps its sub-millisecond precision on SQLite, PostgreSQL and
MariaDB alike (MySQL's FLOAT would round it to whole minutes).

Nothing here may hold a password or a token; a token's expiry at most.
"""

import sqlalchemy as sa
from sqlalchemy import orm

#: Outcome classes of a probe sample (API and data-plane observers).
OUTCOME_OK = 'ok'
OUTCOME_HTTP_4XX = 'http_4xx'
OUTCOME_HTTP_5XX = 'http_5xx'
OUTCOME_REFUSED = 'refused'
OUTCOME_RESET = 'reset'
OUTCOME_TIMEOUT = 'timeout'
OUTCOME_DNS = 'dns'
OUTCOME_TLS = 'tls'
#: Keystone could not give a token (unreachable, 5xx, or the service said
#: it could not reach Keystone): blamed on identity, not on the service.
OUTCOME_AUTH_FAILED = 'auth_failed'
#: The service answered 401 to a token Keystone had just issued.
OUTCOME_TOKEN_REJECTED = 'token_rejected'
#: Any other local error (a bug would show up here, never as a crash).
OUTCOME_ERROR = 'error'
#: Not sent: every probe slot of the target was busy with earlier probes
#: still waiting for an answer.  Not a measurement: the observer holds
#: back so as not to pile requests onto a slow service; the analysis
#: leaves these out (the probes in flight say whether it was down).
OUTCOME_SKIPPED = 'skipped'

OUTCOMES = (OUTCOME_OK, OUTCOME_HTTP_4XX, OUTCOME_HTTP_5XX, OUTCOME_REFUSED,
            OUTCOME_RESET, OUTCOME_TIMEOUT, OUTCOME_DNS, OUTCOME_TLS,
            OUTCOME_AUTH_FAILED, OUTCOME_TOKEN_REJECTED, OUTCOME_ERROR,
            OUTCOME_SKIPPED)

#: Observer kinds (the ``observer`` column of samples).
API = 'api'
#: The same services, probed over reused keep-alive connections
#: (observers/keepalive.py); the target is the service's name.
API_REUSED = 'api_reused'
DATAPLANE = 'dataplane'
HONOUR = 'honour'

#: Outcomes of an honour request.
HONOUR_PENDING = 'pending'
HONOUR_HONOURED = 'honoured'
HONOUR_NOT_HONOURED = 'not_honoured'

#: Gap reasons.
GAP_STORE_UNAVAILABLE = 'store_unavailable'
GAP_BUFFER_OVERFLOW = 'buffer_overflow'
GAP_OBSERVER_DEAD = 'observer_dead'

Epoch = sa.Double
# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

NAMING = {
    'ix': 'ix_%(column_0_label)s',
    'uq': 'uq_%(table_name)s_%(column_0_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


metadata = Base.metadata


class Run(Base):
    __tablename__ = 'runs'
    id = sa.Column(sa.String(64), primary_key=True)
    created_at = sa.Column(Epoch, nullable=False)
    updated_at = sa.Column(Epoch, nullable=False)
    attrs = sa.Column(sa.JSON, nullable=True)


class Event(Base):
    """A step of the run: campaign/sandbox steps, observer start/stop."""
    __tablename__ = 'events'
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.String(64), sa.ForeignKey('runs.id'),
                       nullable=False)
    at = sa.Column(Epoch, nullable=False)
    source = sa.Column(sa.String(64), nullable=False)
    action = sa.Column(sa.String(64), nullable=False)
    service = sa.Column(sa.String(64), nullable=True)
    from_version = sa.Column(sa.String(64), nullable=True)
    to_version = sa.Column(sa.String(64), nullable=True)
    result = sa.Column(sa.String(32), nullable=True)
    detail = sa.Column(sa.JSON, nullable=True)
    __table_args__ = (sa.Index('ix_events_run_at', 'run_id', 'at'),)


class ObserverProcess(Base):
    """One observer process's life: its heartbeat shows whether it lives."""
    __tablename__ = 'observer_processes'
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.String(64), sa.ForeignKey('runs.id'),
                       nullable=False)
    pid = sa.Column(sa.Integer, nullable=False)
    host = sa.Column(sa.String(255), nullable=False)
    mode = sa.Column(sa.String(16), nullable=False)
    started_at = sa.Column(Epoch, nullable=False)
    heartbeat_at = sa.Column(Epoch, nullable=False)
    stopped_at = sa.Column(Epoch, nullable=True)
    stop_reason = sa.Column(sa.String(255), nullable=True)
    samples_written = sa.Column(sa.BigInteger, nullable=False, default=0)
    samples_dropped = sa.Column(sa.BigInteger, nullable=False, default=0)
    #: What it observes (services, rate, targets, ...); never a secret.
    attrs = sa.Column(sa.JSON, nullable=True)
    __table_args__ = (sa.Index('ix_observer_processes_run', 'run_id'),)


class Sample(Base):
    """One probe: time sent, time answered, latency, outcome class."""
    __tablename__ = 'samples'
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.String(64), nullable=False)
    observer = sa.Column(sa.String(16), nullable=False)
    target = sa.Column(sa.String(255), nullable=False)
    sent_at = sa.Column(Epoch, nullable=False)
    answered_at = sa.Column(Epoch, nullable=True)
    latency = sa.Column(Epoch, nullable=True)
    outcome = sa.Column(sa.String(16), nullable=False)
    status = sa.Column(sa.Integer, nullable=True)
    process_id = sa.Column(sa.BigInteger, nullable=True)
    detail = sa.Column(sa.String(255), nullable=True)
    # Covering index: the analysis reads sent_at, outcome and latency of
    # one target in time order without touching the table.
    __table_args__ = (
        sa.Index('ix_samples_series', 'run_id', 'observer', 'target',
                 'sent_at', 'outcome', 'latency'),)


class Gap(Base):
    """A period without (stored) samples, and why."""
    __tablename__ = 'gaps'
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.String(64), nullable=False)
    process_id = sa.Column(sa.BigInteger, nullable=True)
    observer = sa.Column(sa.String(16), nullable=True)
    target = sa.Column(sa.String(255), nullable=True)
    starts_at = sa.Column(Epoch, nullable=False)
    ends_at = sa.Column(Epoch, nullable=False)
    reason = sa.Column(sa.String(32), nullable=False)
    lost_samples = sa.Column(sa.BigInteger, nullable=False, default=0)
    detail = sa.Column(sa.String(255), nullable=True)
    __table_args__ = (sa.Index('ix_gaps_run', 'run_id'),)


class HonourRequest(Base):
    """A write request the cloud accepted, and what became of it."""
    __tablename__ = 'honour_requests'
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.String(64), nullable=False)
    process_id = sa.Column(sa.BigInteger, nullable=True)
    kind = sa.Column(sa.String(32), nullable=False)
    service = sa.Column(sa.String(64), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    requested_at = sa.Column(Epoch, nullable=False)
    accepted_at = sa.Column(Epoch, nullable=True)
    status = sa.Column(sa.Integer, nullable=True)
    resource_id = sa.Column(sa.String(64), nullable=True)
    target_state = sa.Column(sa.String(32), nullable=True)
    reached_at = sa.Column(Epoch, nullable=True)
    final_state = sa.Column(sa.String(32), nullable=True)
    delete_requested_at = sa.Column(Epoch, nullable=True)
    delete_status = sa.Column(sa.Integer, nullable=True)
    deleted_at = sa.Column(Epoch, nullable=True)
    outcome = sa.Column(sa.String(16), nullable=False,
                        default=HONOUR_PENDING)
    reason = sa.Column(sa.String(255), nullable=True)
    reconciled_at = sa.Column(Epoch, nullable=True)
    __table_args__ = (sa.Index('ix_honour_requests_run', 'run_id'),)


class LedgerEntry(Base):
    """A resource a run created (a workload's, or a workload's own entry).

    Written before the create request (name only) and again right after
    it (with the id), so that the destroy phase and ``upgrade-tempest
    cleanup`` delete everything the run made.  ``rtype`` is the resource
    type (``server``, ``volume``, ... or ``workload`` for the workload's
    own entry), ``workload`` the workload the resource belongs to.
    Migration 0003 renamed the table from ``workloads`` (where ``rtype``
    was ``kind`` and ``workload`` was ``parent``).
    """
    __tablename__ = 'ledger'
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.String(64), nullable=False)
    rtype = sa.Column(sa.String(64), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    workload = sa.Column(sa.String(255), nullable=True)
    resource_id = sa.Column(sa.String(255), nullable=True)
    service = sa.Column(sa.String(64), nullable=True)
    state = sa.Column(sa.String(64), nullable=True)
    attrs = sa.Column(sa.JSON, nullable=True)
    created_at = sa.Column(Epoch, nullable=False)
    deleted_at = sa.Column(Epoch, nullable=True)
    __table_args__ = (
        sa.UniqueConstraint('run_id', 'rtype', 'name',
                            name='uq_ledger_run_rtype_name'),)


class TestResult(Base):
    """One test result imported from stestr/subunit."""
    __tablename__ = 'test_results'
    __test__ = False
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.String(64), nullable=False)
    test_id = sa.Column(sa.String(1024), nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    phase = sa.Column(sa.String(32), nullable=True)
    started_at = sa.Column(Epoch, nullable=True)
    duration = sa.Column(Epoch, nullable=True)
    detail = sa.Column(sa.Text, nullable=True)
    __table_args__ = (sa.Index('ix_test_results_run', 'run_id'),)


class Campaign(Base):
    """A campaign run: its plan, where it is, and the lock it holds."""
    __tablename__ = 'campaigns'
    run_id = sa.Column(sa.String(64), sa.ForeignKey('runs.id'),
                       primary_key=True)
    name = sa.Column(sa.String(64), nullable=False)
    cloud = sa.Column(sa.String(64), nullable=False)
    #: The plan as run (never a secret: a plan names clouds.yaml entries).
    plan = sa.Column(sa.JSON, nullable=False)
    state = sa.Column(sa.String(32), nullable=False)
    created_at = sa.Column(Epoch, nullable=False)
    updated_at = sa.Column(Epoch, nullable=False)
    detail = sa.Column(sa.JSON, nullable=True)


class CampaignItem(Base):
    """One row of a campaign's status table.

    A step, the backup, a check, a rollback, a phase, or one object a step
    acts on (``object`` set).
    """
    __tablename__ = 'campaign_items'
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.String(64), sa.ForeignKey('campaigns.run_id'),
                       nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)
    item = sa.Column(sa.String(64), nullable=False)
    object = sa.Column(sa.String(128), nullable=False, default='')
    position = sa.Column(sa.Integer, nullable=False, default=0)
    state = sa.Column(sa.String(16), nullable=False)
    started_at = sa.Column(Epoch, nullable=True)
    ended_at = sa.Column(Epoch, nullable=True)
    error_code = sa.Column(sa.String(64), nullable=True)
    #: pid and start time of its process, outcome detail; never a secret.
    detail = sa.Column(sa.JSON, nullable=True)
    __table_args__ = (
        sa.UniqueConstraint('run_id', 'kind', 'item', 'object',
                            name='uq_campaign_items_run_kind_item_object'),)


class CampaignLock(Base):
    """One campaign per cloud: the run holding the cloud."""
    __tablename__ = 'campaign_locks'
    cloud = sa.Column(sa.String(64), primary_key=True)
    run_id = sa.Column(sa.String(64), nullable=False)
    acquired_at = sa.Column(Epoch, nullable=False)


class QueueJob(Base):
    """A job of the test queue: what the payload may show, and its state.

    Written by ``queue submit`` and the status API (see
    ``queue/records.py``); never the payload's cloud configuration.
    """
    __tablename__ = 'queue_jobs'
    test_id = sa.Column(sa.String(64), primary_key=True)
    handle = sa.Column(sa.String(255), nullable=True)
    cloud = sa.Column(sa.String(64), nullable=False)
    regex = sa.Column(sa.Text, nullable=False)
    phase = sa.Column(sa.String(32), nullable=True)
    tempest_version = sa.Column(sa.String(16), nullable=False)
    plugin_version = sa.Column(sa.String(16), nullable=True)
    timeout = sa.Column(sa.Integer, nullable=False)
    state = sa.Column(sa.String(16), nullable=False)
    worker = sa.Column(sa.String(255), nullable=True)
    done = sa.Column(sa.Integer, nullable=True)
    total = sa.Column(sa.Integer, nullable=True)
    passed = sa.Column(sa.Integer, nullable=True)
    failed = sa.Column(sa.Integer, nullable=True)
    skipped = sa.Column(sa.Integer, nullable=True)
    reason = sa.Column(sa.String(1024), nullable=True)
    submitted_at = sa.Column(Epoch, nullable=False)
    updated_at = sa.Column(Epoch, nullable=False)


class QueueStatus(Base):
    """One state a queue job reported (RefStack's TestStatus, kept)."""
    __tablename__ = 'queue_status'
    id = sa.Column(BigId, primary_key=True, autoincrement=True)
    test_id = sa.Column(sa.String(64), nullable=False)
    state = sa.Column(sa.String(16), nullable=False)
    worker = sa.Column(sa.String(255), nullable=True)
    message = sa.Column(sa.String(1024), nullable=True)
    at = sa.Column(Epoch, nullable=False)
    __table_args__ = (sa.Index('ix_queue_status_job', 'test_id'),)
