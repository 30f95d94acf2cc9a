"""Every oslo.config option of upgrade-tempest-plugin, in named groups.

The groups are registered into Tempest's configuration by the plugin
(:mod:`upgrade_tempest_plugin.plugin`) and listed for
``oslo-config-generator --namespace upgrade_tempest_plugin`` by
:func:`list_opts`.  Later parts of the project add their own groups here so
that one file remains the whole configuration reference.
"""

from oslo_config import cfg

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
               default='.upgrade-tempest',
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
    cfg.BoolOpt('verify_actions',
                default=True,
                help='In post-upgrade, also check that workloads still '
                     'accept actions (server stop/start, volume extend, '
                     'new port, new volume from the snapshot).'),
]


def list_opts():
    """Return the option groups, for oslo-config-generator and Tempest."""
    return [
        (upgrade_group.name, UpgradeGroup),
        (upgrade_release_group.name, UpgradeReleaseGroup),
        (upgrade_workloads_group.name, UpgradeWorkloadsGroup),
    ]
