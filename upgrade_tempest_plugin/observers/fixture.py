"""``ObserverFixture``: the observers from a test.

- ``mode='detached'``: set up starts the run's observer process (or finds
  it running) and leaves it running after the test, for the upgrade that
  happens between two ``tempest run`` invocations; a post-upgrade
  validator calls :meth:`ObserverFixture.stop` (or
  ``upgrade-tempest observe stop``).
- ``mode='attached'``: the observers live for one test; the cleanup stops
  them.

Without arguments everything comes from Tempest's CONF: run id, state
directory and store from ``[upgrade]``, the rest from
``[upgrade_observers]``.
"""

import fixtures

from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.store import api as store_api

DETACHED = 'detached'
ATTACHED = 'attached'


class ObserverFixture(fixtures.Fixture):

    def __init__(self, mode=DETACHED, conf=None, run_id=None,
                 state_dir=None, store_url=None, config_file=None,
                 settings_file=None, use_tempest_conf=True,
                 stop_timeout=None, heartbeat_timeout=None):
        super().__init__()
        if mode not in (DETACHED, ATTACHED):
            raise ValueError('mode must be detached or attached')
        self.mode = mode
        if conf is None and use_tempest_conf:
            from tempest import config as tempest_config
            conf = tempest_config.CONF
        self.conf = conf
        self.run_id = run_id or run_context.run_id(conf.upgrade)
        self.state_dir = state_dir or run_context.state_dir(conf.upgrade)
        self.store_url = store_url or run_context.store_url(conf.upgrade)
        self.config_file = config_file
        if self.config_file is None and use_tempest_conf:
            self.config_file = obs_settings.tempest_config_path()
        self.settings_file = settings_file
        obs = getattr(conf, 'upgrade_observers', None) if conf else None
        self.stop_timeout = stop_timeout or (
            obs.stop_timeout if obs is not None
            else obs_settings.option_default('stop_timeout'))
        self.heartbeat_timeout = heartbeat_timeout or (
            obs.heartbeat_timeout if obs is not None
            else obs_settings.option_default('heartbeat_timeout'))
        self.store = None
        self.status = None
        self.started = None

    def _setUp(self):
        self.store = store_api.open_store(self.store_url)
        self.addCleanup(self.store.close)
        self.status, self.started = lifecycle.start(
            self.store, self.run_id, self.state_dir,
            config_file=self.config_file, mode=self.mode,
            settings_file=self.settings_file, store_url=self.store_url,
            heartbeat_timeout=self.heartbeat_timeout)
        if self.mode == ATTACHED:
            self.addCleanup(self.stop)

    def current_status(self):
        return lifecycle.status(self.store, self.run_id, self.state_dir,
                                self.heartbeat_timeout)

    def stop(self):
        """Stop the run's observer process (any mode); a dict."""
        store = self.store or store_api.open_store(self.store_url)
        return lifecycle.stop(store, self.run_id, self.state_dir,
                              self.stop_timeout)
