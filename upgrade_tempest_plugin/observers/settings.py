"""What an observer process needs to know, gathered in one plain dict.

The settings come from Tempest's configuration (the workspace's
tempest.conf with this plugin's ``[upgrade_observers]`` options) and can be
overridden by a JSON file; they never contain a password, token or store
password (the store URL reaches the process through its environment, see
:data:`STORE_URL_ENV`).
"""

import json
import os
import sys

from oslo_config import cfg

from upgrade_tempest_plugin import accounts
from upgrade_tempest_plugin import config
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin import run_context

#: Environment variable that gives the observer process its store URL
#: when it must not be read from tempest.conf (kept off the command line,
#: where ``ps`` would show a password).
STORE_URL_ENV = 'UPGRADE_TEMPEST_STORE_URL'

#: The ``[upgrade_observers]`` options, by name: their defaults and bounds
#: are the settings' own (see :func:`defaults` and :func:`merge_json`).
OPTIONS = {opt.dest: opt for opt in config.UpgradeObserversGroup}

#: Options for the commands that watch the observer process, not for the
#: process itself; they are not settings (a settings file cannot give them).
NOT_SETTINGS = ('heartbeat_timeout', 'stop_timeout')

#: The options that are settings of the same name.
SETTING_OPTIONS = [name for name in OPTIONS if name not in NOT_SETTINGS]

#: Settings that come from other groups of tempest.conf (their values when
#: there is no tempest.conf).
OTHER_DEFAULTS = {
    'run_id': None,
    'state_dir': run_context.DEFAULT_STATE_DIR,
    'identity_uri': None,
    'region': None,
    'default_domain': 'Default',
    'honour_image_ref': None,
    'honour_flavor_ref': None,
    'honour_network': None,
    'ca_certs': None,
    'insecure': False,
}


def option_default(name):
    """The default of the ``[upgrade_observers]`` option ``name``."""
    return OPTIONS[name].default


def defaults():
    """Settings without a tempest.conf: the options' defaults."""
    settings = dict(OTHER_DEFAULTS)
    for name in SETTING_OPTIONS:
        value = OPTIONS[name].default
        settings[name] = list(value) if isinstance(value, list) else value
    return settings


#: The settings without a tempest.conf (:func:`defaults` gives a copy of
#: its own lists).
DEFAULTS = defaults()


def tempest_config_path():
    """The tempest.conf Tempest itself would read in this process."""
    conf_dir = os.environ.get('TEMPEST_CONFIG_DIR',
                              os.path.join(os.getcwd(), 'etc'))
    conf_file = os.environ.get('TEMPEST_CONFIG', 'tempest.conf')
    return os.path.abspath(os.path.join(conf_dir, conf_file))


def from_tempest_conf(conf):
    """Settings from Tempest's CONF (plugin options registered)."""
    obs = conf.upgrade_observers
    settings = defaults()
    for name in SETTING_OPTIONS:
        value = getattr(obs, name)
        settings[name] = list(value) if isinstance(value, list) else value
    settings.update(
        run_id=run_context.run_id(conf.upgrade),
        state_dir=run_context.state_dir(conf.upgrade),
        identity_uri=conf.identity.uri_v3,
        region=conf.identity.region or None,
        accounts_file=accounts.path_of(conf, 'upgrade_observers'),
        default_domain=conf.auth.default_credentials_domain_name,
        honour_image_ref=conf.compute.image_ref or None,
        honour_flavor_ref=conf.compute.flavor_ref or None,
        honour_network=conf.compute.fixed_network_name or None,
        ca_certs=conf.identity.ca_certificates_file or None,
        insecure=conf.identity.disable_ssl_certificate_validation,
    )
    return check(settings, '[upgrade_observers] ')


def check(settings, origin=''):
    """``settings`` if they are usable, else a one-line UserError.

    The error names the setting after ``origin`` (where it was read).
    Every data-plane target is parsed here, so a bad one stops ``observe
    start`` before it spawns an observer that would die at once.
    """
    from upgrade_tempest_plugin.observers import dataplane
    from upgrade_tempest_plugin.observers import honour
    known = honour.WRITE_KINDS
    unknown = sorted(set(settings['honour_kinds']) - set(known))
    if unknown:
        raise exceptions.UserError(
            '%shonour_kinds: unknown honour kind(s) %s: choose from %s' % (
                origin, ', '.join(unknown), ', '.join(sorted(known))))
    for target in settings['dataplane_targets']:
        if target.strip():
            try:
                dataplane.make_target(target, settings['probe_timeout'])
            except exceptions.UserError as exc:
                raise exceptions.UserError('%sdataplane_targets: %s'
                                           % (origin, exc))
    return settings


def accounts_option(conf):
    """The option that gave :func:`from_tempest_conf` its accounts_file.

    Both options, when neither is set.
    """
    if conf.upgrade_observers.accounts_file:
        return '[upgrade_observers] accounts_file'
    if conf.auth.test_accounts_file:
        return '[auth] test_accounts_file'
    return '[upgrade_observers] accounts_file or [auth] test_accounts_file'


def check_account(settings, option, where):
    """``settings`` if the observers' account can be read, else a UserError.

    The account is looked up as the observer process will (see
    credentials.pick_account), so that ``observe start`` refuses no
    accounts file, one it cannot read and one without the account before
    it spawns an observer that would die at once.  This is not part of
    :func:`check`: a settings file may still give ``accounts_file`` after
    tempest.conf was read.  The error names ``option``, read from the file
    ``where``.
    """
    from upgrade_tempest_plugin.observers import credentials
    if not settings['accounts_file']:
        raise exceptions.UserError(
            'no accounts file for the observers: set %s in %s'
            % (option, where))
    try:
        credentials.pick_account(
            settings['accounts_file'], settings['username'],
            settings['project_name'], settings['default_domain'])
    except exceptions.UserError as exc:
        raise exceptions.UserError('%s: %s: %s' % (where, option, exc))
    return settings


def check_ini(path):
    """Raise a one-line UserError unless ``path`` is an INI text file.

    oslo.config would say it with a codec or parser message, or a
    traceback.
    """
    try:
        cfg.ConfigParser(path, {}).parse()
    except UnicodeDecodeError as exc:
        # exc has the offset in the chunk the reader decoded, not the file.
        with open(path, 'rb') as f:
            data = f.read()
        try:
            data.decode(exc.encoding)
        except UnicodeDecodeError as whole:
            exc = whole
        raise exceptions.UserError(
            '%s is not a text file (byte 0x%02x at offset %d is not %s)'
            % (path, exc.object[exc.start], exc.start, exc.encoding))
    except cfg.ParseError as exc:
        raise exceptions.UserError('%s is not an INI file: line %d: %s'
                                   % (path, exc.lineno, exc.msg))
    except OSError as exc:
        raise exceptions.UserError('cannot read %s: %s'
                                   % (path, exc.strerror or exc))


def invalid_options(conf):
    """``[group] option: reason`` of every option whose value is invalid.

    oslo.config's own error names the option but not its group.
    """
    def reason(exc):
        return str(exc).split(' is not valid: ')[-1]

    found = []
    for key in list(conf):
        try:
            value = conf[key]
        except (cfg.ConfigFileValueError, ValueError) as exc:
            found.append('[DEFAULT] %s: %s' % (key, reason(exc)))
            continue
        if not isinstance(value, cfg.ConfigOpts.GroupAttr):
            continue
        for name in list(value):
            try:
                value[name]
            except (cfg.ConfigFileValueError, ValueError) as exc:
                found.append('[%s] %s: %s' % (key, name, reason(exc)))
    return found


def load_tempest_conf(config_file=None):
    """Tempest's CONF, read from ``config_file`` (default: as Tempest).

    The file is read here, not at first use, so that a file that is not
    INI text or holds a bad value is a one-line UserError naming it.
    """
    from tempest import config as tempest_config
    path = os.path.abspath(config_file or tempest_config_path())
    if not os.path.isfile(path):
        raise exceptions.UserError('no Tempest configuration at %s' % path)
    check_ini(path)
    tempest_config.CONF.set_config_path(path)
    # Reading it sets up Tempest's logging: on sys.stdout when the file
    # sets no log_file, and stdout is the command's output (JSON, say).
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        tempest_config.CONF.upgrade
    except cfg.ConfigFileValueError as exc:
        # Tempest's CONF is oslo.config's global one.
        problems = invalid_options(cfg.CONF) or [str(exc)]
        raise exceptions.UserError('%s: %s' % (path, '; '.join(problems)))
    finally:
        sys.stdout = stdout
    return tempest_config.CONF


def store_url(settings, conf=None):
    """The store URL: environment, then tempest.conf, then the default."""
    url = os.environ.get(STORE_URL_ENV)
    if url:
        return url
    if conf is not None:
        return run_context.store_url(conf.upgrade)
    return run_context.sqlite_url(settings['state_dir'])


def merge_json(settings, path):
    try:
        with open(path) as f:
            overrides = json.load(f)
    except OSError as exc:
        raise exceptions.UserError('cannot read %s: %s'
                                   % (path, exc.strerror or exc))
    except ValueError as exc:
        raise exceptions.UserError('%s is not JSON: %s' % (path, exc))
    if not isinstance(overrides, dict):
        raise exceptions.UserError('%s: observer settings must be a JSON '
                                   'object' % path)
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise exceptions.UserError('unknown observer settings: %s'
                                   % ', '.join(sorted(unknown)))
    for name, value in overrides.items():
        if name in OPTIONS:
            overrides[name] = checked_value(name, value, path)
    settings.update(overrides)
    return check(settings, '%s: ' % path)


def checked_value(name, value, path):
    """``value`` of the option ``name`` as oslo.config would take it.

    The option's own type checks it (min, max, choices); a value it
    refuses is a one-line UserError naming the setting and ``path``.
    """
    opt = OPTIONS[name]
    if value is None and isinstance(opt, cfg.StrOpt) and not getattr(
            opt.type, 'choices', None):
        # As before: a null string setting stays unset.
        return None
    if isinstance(value, (dict, bool)) and not isinstance(
            opt, cfg.BoolOpt):
        # float(True) would be 1.0, str({}) a string.
        raise exceptions.UserError('%s: %s: %r is not a valid value'
                                   % (path, name, value))
    try:
        return opt.type(value)
    except (TypeError, ValueError) as exc:
        reason = ' '.join(str(exc).split())
        raise exceptions.UserError('%s: %s: %s' % (path, name, reason))


def public(settings):
    """The settings worth recording with the process (none is secret)."""
    keys = ('services', 'rate', 'probe_timeout', 'max_in_flight',
            'flush_interval', 'interface', 'region', 'dataplane_targets',
            'dataplane_rate', 'honour_enabled', 'honour_kinds',
            'honour_interval', 'username', 'reused_connections',
            'reused_pool_size', 'reused_idle_timeout')
    return {k: settings.get(k) for k in keys}
