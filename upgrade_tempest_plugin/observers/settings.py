"""What an observer process needs to know, gathered in one plain dict.

The settings come from Tempest's configuration (the workspace's
tempest.conf with this plugin's ``[upgrade_observers]`` options) and can be
overridden by a JSON file; they never contain a password, token or store
password (the store URL reaches the process through its environment, see
:data:`STORE_URL_ENV`).
"""

import json
import os

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin import run_context

#: Environment variable that gives the observer process its store URL
#: when it must not be read from tempest.conf (kept off the command line,
#: where ``ps`` would show a password).
STORE_URL_ENV = 'UPGRADE_TEMPEST_STORE_URL'

DEFAULTS = {
    'run_id': None,
    'state_dir': '.upgrade-tempest',
    'identity_uri': None,
    'region': None,
    'interface': 'public',
    'accounts_file': None,
    'username': '',
    'project_name': '',
    'default_domain': 'Default',
    'services': [],
    'rate': 10.0,
    'probe_timeout': 10.0,
    'max_in_flight': 32,
    'flush_interval': 0.5,
    'buffer_size': 200000,
    'token_renew_margin': 300.0,
    'dataplane_targets': [],
    'dataplane_rate': 10.0,
    'honour_enabled': False,
    'honour_kinds': ['network', 'volume', 'image'],
    'honour_interval': 20.0,
    'honour_timeout': 300.0,
    'honour_image_ref': None,
    'honour_flavor_ref': None,
    'honour_network': None,
    'ca_certs': None,
    'insecure': False,
}


def tempest_config_path():
    """The tempest.conf Tempest itself would read in this process."""
    conf_dir = os.environ.get('TEMPEST_CONFIG_DIR',
                              os.path.join(os.getcwd(), 'etc'))
    conf_file = os.environ.get('TEMPEST_CONFIG', 'tempest.conf')
    return os.path.abspath(os.path.join(conf_dir, conf_file))


def from_tempest_conf(conf):
    """Settings from Tempest's CONF (plugin options registered)."""
    obs = conf.upgrade_observers
    settings = dict(DEFAULTS)
    settings.update(
        run_id=run_context.run_id(conf.upgrade),
        state_dir=run_context.state_dir(conf.upgrade),
        identity_uri=conf.identity.uri_v3,
        region=conf.identity.region or None,
        interface=obs.interface,
        accounts_file=obs.accounts_file or conf.auth.test_accounts_file,
        username=obs.username,
        project_name=obs.project_name,
        default_domain=conf.auth.default_credentials_domain_name,
        services=list(obs.services),
        rate=obs.rate,
        probe_timeout=obs.probe_timeout,
        max_in_flight=obs.max_in_flight,
        flush_interval=obs.flush_interval,
        buffer_size=obs.buffer_size,
        token_renew_margin=obs.token_renew_margin,
        dataplane_targets=list(obs.dataplane_targets),
        dataplane_rate=obs.dataplane_rate,
        honour_enabled=obs.honour_enabled,
        honour_kinds=list(obs.honour_kinds),
        honour_interval=obs.honour_interval,
        honour_timeout=obs.honour_timeout,
        honour_image_ref=conf.compute.image_ref or None,
        honour_flavor_ref=conf.compute.flavor_ref or None,
        honour_network=conf.compute.fixed_network_name or None,
        ca_certs=conf.identity.ca_certificates_file or None,
        insecure=conf.identity.disable_ssl_certificate_validation,
    )
    return check(settings)


def check(settings):
    """``settings`` if they are usable, else a one-line UserError."""
    from upgrade_tempest_plugin.observers import honour
    unknown = sorted(set(settings['honour_kinds']) - set(honour.KINDS))
    if unknown:
        raise exceptions.UserError(
            'unknown honour kind(s) %s: choose from %s' % (
                ', '.join(unknown), ', '.join(sorted(honour.KINDS))))
    return settings


def load_tempest_conf(config_file=None):
    """Tempest's CONF, read from ``config_file`` (default: as Tempest)."""
    from tempest import config as tempest_config
    path = os.path.abspath(config_file or tempest_config_path())
    if not os.path.isfile(path):
        raise exceptions.UserError('no Tempest configuration at %s' % path)
    tempest_config.CONF.set_config_path(path)
    return tempest_config.CONF


def store_url(settings, conf=None):
    """The store URL: environment, then tempest.conf, then the default."""
    url = os.environ.get(STORE_URL_ENV)
    if url:
        return url
    if conf is not None:
        return run_context.store_url(conf.upgrade)
    return 'sqlite:///' + os.path.join(
        os.path.abspath(settings['state_dir']), run_context.STORE_FILE)


def merge_json(settings, path):
    with open(path) as f:
        overrides = json.load(f)
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise exceptions.UserError('unknown observer settings: %s'
                                   % ', '.join(sorted(unknown)))
    settings.update(overrides)
    return check(settings)


def public(settings):
    """The settings worth recording with the process (none is secret)."""
    keys = ('services', 'rate', 'probe_timeout', 'max_in_flight',
            'flush_interval', 'interface', 'region', 'dataplane_targets',
            'dataplane_rate', 'honour_enabled', 'honour_kinds',
            'honour_interval', 'username')
    return {k: settings.get(k) for k in keys}
