"""Every oslo.config option of upgrade-tempest-plugin, in named groups.

The groups are registered into Tempest's configuration by the plugin
(:mod:`upgrade_tempest_plugin.plugin`) and listed for
``oslo-config-generator --namespace upgrade_tempest_plugin`` by
:func:`list_opts`.  Later parts of the project add their own groups here so
that one file remains the whole configuration reference.
"""

from oslo_config import cfg

from upgrade_tempest_plugin import run_context

RELEASE_SERIES_RE = r'^(\d{4}\.[12]|)$'

upgrade_group = cfg.OptGroup(
    name='upgrade',
    title='Upgrade testing options',
    help='Where a run keeps its state, which run it is, and which '
         'releases the cloud is expected to run before and after the '
         'upgrade.')

UpgradeGroup = [
    cfg.StrOpt('run_id',
               help='Identifier of the upgrade run under test. One run '
                    'spans several "tempest run" invocations (pre-upgrade, '
                    'post-upgrade, ...), so every invocation of one run '
                    'must see the same value. When unset, the first '
                    'invocation creates an id and records it in '
                    'state_dir; later invocations reuse it.'),
    cfg.StrOpt('state_dir',
               default=run_context.DEFAULT_STATE_DIR,
               help='Directory that holds the state of runs (the default '
                    'store, observer pid files, recorded evidence). A '
                    'relative path is relative to the directory "tempest '
                    'run" is started from, normally the Tempest '
                    'workspace.'),
    cfg.StrOpt('store_url',
               secret=True,
               help='SQLAlchemy URL of the store that keeps runs, events, '
                    'samples, workloads and test results (for example '
                    'postgresql+psycopg2://user:pass@host/upgrade for a '
                    'central store). Empty: a SQLite file "store.db" in '
                    'state_dir.'),
    cfg.StrOpt('expected_release_before',
               regex=RELEASE_SERIES_RE,
               default='',
               help='Release series (for example 2026.1) every service is '
                    'expected to run before the upgrade. Empty: not '
                    'checked.'),
    cfg.StrOpt('expected_release_after',
               regex=RELEASE_SERIES_RE,
               default='',
               help='Release series (for example 2026.2) every service is '
                    'expected to run after the upgrade. Empty: not '
                    'checked.'),
    cfg.FloatOpt('request_timeout',
                 default=10.0,
                 min=0.1,
                 help='Seconds a validator waits for one API answer before '
                      'it counts the request as timed out.'),
]

upgrade_release_group = cfg.OptGroup(
    name='upgrade_release',
    title='Release validator options',
    help='How the release validator collects release evidence from the '
         'services\' version documents.')

UpgradeReleaseGroup = [
    cfg.DictOpt('package_versions',
                default={},
                help='Installed package version of each service, keyed by '
                     'service profile name (for example compute:34.0.0,'
                     'identity:30.0.0), as the deployment tool reports '
                     'them. Used only where the API cannot tell two release '
                     'series apart (Keystone, Placement, Cinder, Glance, '
                     'Neutron across recent series); the API evidence is '
                     'always checked first.'),
    cfg.IntOpt('samples',
               default=3,
               min=1,
               help='Version document reads per endpoint. More than one '
                    'read catches a load balancer spreading requests over '
                    'old and new API servers during a rolling upgrade.'),
    cfg.BoolOpt('all_endpoints',
                default=True,
                help='Read the version document of every endpoint of the '
                     'service in the catalog (configured region and '
                     'interface), not only the first, so two endpoints on '
                     'different releases are reported as a mixed cloud.'),
]

upgrade_workloads_group = cfg.OptGroup(
    name='upgrade_workloads',
    title='Persistent workload options',
    help='The account that owns the persistent workloads and the limits '
         'that protect a sick cloud from more resources.')

UpgradeWorkloadsGroup = [
    cfg.StrOpt('username',
               default='',
               help='User name of the non-admin account that owns the '
                    'workloads. It must be an entry of the accounts file '
                    'and the same before and after the upgrade. Empty: '
                    'the workload validators skip.'),
    cfg.StrOpt('project_name',
               default='',
               help='Project of the workload account (needed when the '
                    'user name appears more than once in the accounts '
                    'file).'),
    cfg.StrOpt('accounts_file',
               default='',
               help='YAML accounts file (the format of Tempest\'s '
                    'accounts.yaml) that holds the workload account. '
                    'Empty: [auth] test_accounts_file.'),
    cfg.IntOpt('max_consecutive_failed_creates',
               default=3,
               min=1,
               help='Cascade stop: after this many create requests in a '
                    'row failed, stop creating resources, remove what the '
                    'run created and fail with a report.'),
    cfg.IntOpt('build_timeout',
               default=300,
               min=1,
               help='Seconds to wait for one resource to reach its '
                    'expected status (or to be gone).'),
    cfg.FloatOpt('build_interval',
                 default=1.0,
                 min=0.1,
                 help='Seconds between two status polls.'),
    cfg.IntOpt('volume_size',
               default=1,
               min=1,
               help='Size in GiB of the workload volumes.'),
    cfg.StrOpt('subnet_cidr',
               default='10.199.0.0/24',
               help='CIDR of the workload subnet.'),
    cfg.BoolOpt('server_power_actions',
                default=True,
                help='In post-upgrade, stop and start the workload servers. '
                     'Set False where the virt driver forgets its servers '
                     'when nova-compute restarts (nova\'s fake driver, as '
                     'in the sandbox); the servers then get a metadata '
                     'update instead.'),
    cfg.BoolOpt('verify_actions',
                default=True,
                help='In post-upgrade, also check that workloads still '
                     'accept actions (server stop/start, volume extend, '
                     'new port, new volume from the snapshot).'),
]


upgrade_observers_group = cfg.OptGroup(
    name='upgrade_observers',
    title='Observer options',
    help='The background observers that measure API downtime, latency, '
         'data-plane reachability and honoured requests while the cloud '
         'is upgraded.')

UpgradeObserversGroup = [
    cfg.ListOpt('services',
                default=[],
                help='Services the API observer probes (profile names: '
                     'identity, compute, image, network, volume, '
                     'placement, ...). Empty: every service of the '
                     'catalog that has a service profile.'),
    cfg.FloatOpt('rate',
                 default=2.0,
                 min=0.1,
                 max=100.0,
                 help='Probes started per second per service. The loop is '
                      'open: probes start on schedule whatever the '
                      'latency of the earlier ones. A downtime window is '
                      'measured to within one probe interval (0.5 s at '
                      'the default); each probe costs the service one '
                      'authenticated request: keep rate x the CPU time of '
                      'one probe under a few per cent of the API\'s '
                      'capacity (see the observers guide).'),
    cfg.FloatOpt('probe_timeout',
                 default=10.0,
                 min=0.05,
                 help='Seconds one probe may take before it counts as a '
                      'timeout, i.e. as downtime. Keep it as long as the '
                      'clients of the cloud wait (Tempest waits 60 s, '
                      'keystoneauth has no limit): a probe answered late '
                      'but within it is slow (latency), not down.'),
    cfg.BoolOpt('reused_connections',
                default=False,
                help='Probe every service twice: over a new connection per '
                     'request (connection new) and over a small pool of '
                     'keep-alive connections reused from probe to probe '
                     'and replaced only after a failure (connection '
                     'reused), the way long-lived clients and services '
                     'talk to an API: a restart resets their connections, '
                     'a freeze leaves them hanging. Each kind is its own '
                     'series, analysed apart. On doubles the probes the '
                     'observer sends and, measured on the sandbox, the API '
                     'CPU they cost (benchmarks/probe_cost_bench.py; the '
                     'observers guide has the figures), hence off by '
                     'default.'),
    cfg.IntOpt('reused_pool_size',
               default=2,
               min=1,
               max=16,
               help='Keep-alive connections kept per service for the '
                    'reused-connection probes. More probes in flight open '
                    'a connection each, closed after its answer.'),
    cfg.FloatOpt('reused_idle_timeout',
                 default=1.0,
                 min=0.0,
                 help='Seconds a pooled connection may stay idle before it '
                      'is closed instead of reused. Keep it below the '
                      'keep-alive timeout of the cloud\'s API servers '
                      '(gunicorn 2 s, Apache 5 s) and above the probe '
                      'interval: a server closing an idle connection is '
                      'no outage.'),
    cfg.IntOpt('max_in_flight',
               default=32,
               min=1,
               help='Most probes of one service in flight at once. A probe '
                    'due while all slots are busy is not sent and is '
                    'recorded as skipped (no measurement), so a slow '
                    'service is not sent ever more requests.'),
    cfg.FloatOpt('flush_interval',
                 default=0.5,
                 min=0.05,
                 max=1.0,
                 help='Seconds between two writes of samples (and of the '
                      'heartbeat) to the store; a killed observer loses '
                      'at most this much.'),
    cfg.IntOpt('buffer_size',
               default=200000,
               min=100,
               help='Samples kept in memory while the store cannot be '
                    'written. When full, the oldest are dropped and the '
                    'loss is recorded as a gap.'),
    cfg.FloatOpt('heartbeat_timeout',
                 default=5.0,
                 min=1.0,
                 help='An observer whose heartbeat is older than this many '
                      'seconds is reported dead.'),
    cfg.StrOpt('username',
               default='',
               help='User name of the non-admin account the observers '
                    'use, an entry of the accounts file. Empty: the first '
                    'entry without admin type or role. The observers read '
                    'it directly and do not take Tempest\'s account lock, '
                    'so they never starve "tempest run"; they only read '
                    '(the honour observer creates and deletes its own '
                    'resources, named with the run id).'),
    cfg.StrOpt('project_name',
               default='',
               help='Project of the observer account (needed when the '
                    'user name appears more than once in the accounts '
                    'file).'),
    cfg.StrOpt('accounts_file',
               default='',
               help='YAML accounts file (the format of Tempest\'s '
                    'accounts.yaml) that holds the observer account. '
                    'Empty: [auth] test_accounts_file.'),
    cfg.StrOpt('interface',
               default='public',
               choices=['public', 'internal', 'admin'],
               help='Catalog interface of the endpoints the observer '
                    'probes.'),
    cfg.FloatOpt('token_renew_margin',
                 default=300.0,
                 min=0.0,
                 help='Renew the token this many seconds before it '
                      'expires.'),
    cfg.ListOpt('dataplane_targets',
                default=[],
                help='Targets of the data-plane observer: host:port for a '
                     'TCP connect, icmp:host for an ICMP echo (needs a '
                     'ping socket or a raw socket). Empty: no data-plane '
                     'observer unless workloads with addresses are '
                     'recorded.'),
    cfg.FloatOpt('dataplane_rate',
                 default=10.0,
                 min=0.1,
                 max=100.0,
                 help='TCP connects started per second per data-plane '
                      'target.'),
    cfg.BoolOpt('honour_enabled',
                default=False,
                help='Run the honour observer: real write requests at a '
                     'low rate, each reconciled to its final state after '
                     'the upgrade.'),
    cfg.ListOpt('honour_kinds',
                default=['network', 'volume', 'image'],
                help='Resource kinds the honour observer creates and '
                     'deletes (network, port, volume, image, server).'),
    cfg.FloatOpt('honour_interval',
                 default=20.0,
                 min=1.0,
                 help='Seconds between two write requests of one kind.'),
    cfg.FloatOpt('honour_timeout',
                 default=300.0,
                 min=1.0,
                 help='Seconds an accepted request has to reach its target '
                      'state (and a delete to be carried out) before it '
                      'counts as not honoured.'),
    cfg.FloatOpt('stop_timeout',
                 default=30.0,
                 min=1.0,
                 help='Seconds "observe stop" waits after SIGTERM before '
                      'it sends SIGKILL.'),
]

#: The checks ``historical_budgets`` may name (analysis/budgets.py).
HISTORICAL_CHECKS = ('downtime', 'availability', 'latency_p95_ratio',
                     'dataplane_loss', 'unhonoured', 'unobserved',
                     'recovery')

upgrade_budgets_group = cfg.OptGroup(
    name='upgrade_budgets',
    title='Budgets the observed run is judged against',
    help='Thresholds of the post-upgrade budget validators. A negative '
         'value turns a check into a report: the test records the figure '
         'and passes.')

UpgradeBudgetsGroup = [
    cfg.FloatOpt('max_downtime',
                 default=60.0,
                 help='Most seconds of API downtime allowed per service '
                      '(sum of its downtime windows).'),
    cfg.DictOpt('max_downtime_per_service',
                default={},
                help='Per-service override of max_downtime, for example '
                     'identity:0,compute:30.'),
    cfg.FloatOpt('min_availability',
                 default=90.0,
                 help='Least percentage of successful probes per service.'),
    cfg.FloatOpt('max_latency_p95_ratio',
                 default=10.0,
                 help='Most allowed ratio of the p95 latency over the whole '
                      'observation to the p95 latency of the baseline.'),
    cfg.FloatOpt('max_recovery',
                 default=-1.0,
                 help='Most seconds per service from the end of its '
                      'downtime windows until its latency is back within '
                      'the baseline band (rolling 2 s median under the '
                      'baseline p95 for 3 s), summed over its windows. '
                      'Negative (the default): report only.'),
    cfg.FloatOpt('baseline_seconds',
                 default=30.0,
                 min=1.0,
                 help='Length of the latency baseline: the first seconds '
                      'of the observation, cut short by the first upgrade '
                      'event recorded in the store.'),
    cfg.IntOpt('max_unhonoured',
               default=0,
               help='Most accepted write requests allowed to end not '
                    'honoured.'),
    cfg.FloatOpt('max_dataplane_loss',
                 default=5.0,
                 help='Most percentage of failed data-plane connects per '
                      'target.'),
    cfg.FloatOpt('max_unobserved',
                 default=10.0,
                 help='Most seconds the observers may have been dead or '
                      'unable to store samples before the judgement fails '
                      '(a gap is never counted as uptime).'),
    cfg.ListOpt('historical_budgets',
                default=[],
                item_type=cfg.types.String(choices=HISTORICAL_CHECKS),
                help='Checks judged against the history of comparable runs '
                     'in the store instead of their fixed budget: the run '
                     'fails when it is worse than the history_percentile '
                     'of the last history_runs runs with the same trend '
                     'key (cloud, from and to release, plan hash). With '
                     'fewer than history_min_runs such runs the fixed '
                     'budget applies. Checks: %s.' % ', '.join(
                         HISTORICAL_CHECKS)),
    cfg.FloatOpt('history_percentile',
                 default=95.0,
                 min=0.0,
                 max=100.0,
                 help='Percentile q of the comparable runs a historical '
                      'budget allows (for availability, where lower is '
                      'worse, the 100 - q percentile).'),
    cfg.IntOpt('history_runs',
               default=20,
               min=1,
               help='Most comparable earlier runs a historical budget is '
                    'computed from (the newest ones).'),
    cfg.IntOpt('history_min_runs',
               default=5,
               min=1,
               help='Fewest comparable runs that measured a figure before '
                    'its historical budget applies.'),
    cfg.StrOpt('events_file',
               default='',
               help='JSON-lines log of the upgrade steps (the format of '
                    'the sandbox\'s events.jsonl: time, action, service, '
                    'from_version, to_version, result, seconds). The steps '
                    'that happened while the observers ran are added to '
                    'the run before it is judged, so every downtime window '
                    'names the step it happened in. Empty: none.'),
]


upgrade_queue_group = cfg.OptGroup(
    name='upgrade_queue',
    title='Test queue options',
    help='The Gearman server that queues validator jobs and the status '
         'API that workers report to (doc/source/queue.rst).')

UpgradeQueueGroup = [
    cfg.ListOpt('gearman_servers',
                default=['127.0.0.1:4730'],
                item_type=cfg.types.String(
                    regex=r'^(\[[0-9a-fA-F:.]+\]|[^:\s]+):[0-9]{1,5}$'),
                help='geard servers (HOST:PORT) that "upgrade-tempest queue" '
                     'commands submit to and ask; workers name theirs with '
                     '--gearman.'),
    cfg.StrOpt('ssl_key',
               default='',
               help='Private key of this client for TLS to geard (gear '
                    'uses TLS when key, certificate and CA are all set). '
                    'Empty: plain TCP.'),
    cfg.StrOpt('ssl_cert',
               default='',
               help='Certificate of this client for TLS to geard.'),
    cfg.StrOpt('ssl_ca',
               default='',
               help='CA that signed geard\'s certificate.'),
    cfg.StrOpt('status_api_url',
               default='http://127.0.0.1:8740/update-test-status/',
               regex=r'^https?://[^/?#@\s]+/([^?#\s]*/)?'
                     r'update-test-status/$',
               help='Where workers report a job\'s states: written into '
                    'each submitted payload unless the payload names one.'),
    cfg.ListOpt('status_api_known_hosts',
                default=['127.0.0.1', '::1'],
                help='Addresses or networks (10.0.0.0/24) of the test hosts '
                     'whose reports the status API takes; any other caller '
                     'is answered 405.'),
    cfg.StrOpt('status_api_tokens_file',
               default='',
               help='File of "WORKER_NAME TOKEN" lines: the token each '
                    'worker must send. A worker without a line is answered '
                    '405. Keep it readable by the status API only. Empty: '
                    'no worker is accepted.'),
    cfg.IntOpt('status_api_max_body',
               default=16 * 1024 * 1024,
               min=1024,
               max=256 * 1024 * 1024,
               help='Largest request body (bytes) the status API reads; a '
                    'larger one is answered 400. A job\'s last report '
                    'carries its subunit stream (up to 8 MiB, base64).'),
]


def list_opts():
    """Return the option groups, for oslo-config-generator and Tempest."""
    return [
        (upgrade_group.name, UpgradeGroup),
        (upgrade_release_group.name, UpgradeReleaseGroup),
        (upgrade_workloads_group.name, UpgradeWorkloadsGroup),
        (upgrade_observers_group.name, UpgradeObserversGroup),
        (upgrade_budgets_group.name, UpgradeBudgetsGroup),
        (upgrade_queue_group.name, UpgradeQueueGroup),
    ]
