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


def list_opts():
    """Return the option groups, for oslo-config-generator and Tempest."""
    return [
        (upgrade_group.name, UpgradeGroup),
    ]
