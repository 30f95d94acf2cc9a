"""``upgrade-tempest config set``: set the plugin's options in a tempest.conf.

For the gate roles and the Grenade plugin, which configure a tempest.conf
that a deployment tool wrote (and may write again during the upgrade).
Only the plugin's own option groups are accepted, and every value is
checked against its option's type first, so a typo in a job's variables is
one line on stderr and exit 2 instead of a validator run that ignores it.
The file is changed in place with :func:`discover.set_options`: every other
line, comments included, stays as it was.
"""

import os

from oslo_serialization import jsonutils as json

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin.cmd import discover
from upgrade_tempest_plugin import config
from upgrade_tempest_plugin import exceptions


def plugin_options():
    """{group: {option name: oslo.config Opt}} of the plugin."""
    return {group: {opt.dest: opt for opt in options}
            for group, options in config.list_opts()}


def _value_text(opt, value):
    """``value`` as the ini text of ``opt``; UserError if it is invalid."""
    if isinstance(value, bool):
        value = str(value).lower()
    elif isinstance(value, dict):
        value = ','.join('%s:%s' % kv for kv in sorted(value.items()))
    elif isinstance(value, (list, tuple)):
        value = ','.join(str(v) for v in value)
    value = str(value)
    try:
        opt.type(value)
    except ValueError as exc:
        raise exceptions.UserError('%s: %s' % (opt.dest, exc))
    return value


def check_settings(settings):
    """``settings`` ({group: {option: value}}) as ini text values.

    Empty groups are dropped; an unknown group or option, or a value its
    option's type refuses, raises UserError.
    """
    known = plugin_options()
    checked = {}
    for group, options in sorted(settings.items()):
        if group not in known:
            raise exceptions.UserError(
                'not an option group of the plugin: [%s] (known: %s)' % (
                    group, ', '.join(sorted(known))))
        if not isinstance(options, dict):
            raise exceptions.UserError('[%s]: expected a mapping of '
                                       'options, got %r' % (group, options))
        for name, value in sorted(options.items()):
            if name not in known[group]:
                raise exceptions.UserError('[%s] has no option %s' % (
                    group, name))
            try:
                text = _value_text(known[group][name], value)
            except exceptions.UserError as exc:
                raise exceptions.UserError('[%s] %s' % (group, exc))
            checked.setdefault(group, {})[name] = text
    return checked


def parse_assignments(items):
    """``GROUP.OPTION=VALUE`` strings as {group: {option: value}}."""
    settings = {}
    for item in items:
        key, sep, value = item.partition('=')
        group, dot, name = key.partition('.')
        if not (sep and dot and group and name):
            raise exceptions.UserError(
                'expected GROUP.OPTION=VALUE, got %r' % item)
        settings.setdefault(group, {})[name] = value
    return settings


class ConfigSet(base.ShowOne):
    """Set the plugin's options in a tempest.conf, in place."""

    def get_parser(self, prog_name):
        parser = base.add_config_argument(super().get_parser(prog_name))
        parser.add_argument('--json', metavar='SETTINGS',
                            help='a JSON object {"GROUP": {"OPTION": '
                                 'VALUE}} (for tools; applied first)')
        parser.add_argument('assignments', nargs='*',
                            metavar='GROUP.OPTION=VALUE')
        return parser

    def take_action(self, parsed_args):
        settings = {}
        if parsed_args.json:
            try:
                settings = json.loads(parsed_args.json)
            except ValueError as exc:
                raise exceptions.UserError('--json: %s' % exc)
            if not isinstance(settings, dict):
                raise exceptions.UserError('--json: expected an object')
        for group, options in parse_assignments(
                parsed_args.assignments).items():
            settings.setdefault(group, {}).update(options)
        checked = check_settings(settings)
        path = base.config_path(parsed_args)
        try:
            with open(path) as f:
                text = f.read()
        except OSError as exc:
            raise exceptions.UserError('cannot read %s: %s' % (
                path, exc.strerror or exc))
        new = discover.set_options(text, checked)
        if new != text:
            tmp = path + '.tmp'
            with open(tmp, 'w') as f:
                f.write(new)
            os.replace(tmp, path)
        names = ['%s.%s' % (g, o) for g in sorted(checked)
                 for o in sorted(checked[g])]
        # "changed" lets Ansible report the task truthfully (idempotence).
        return (('config_file', 'changed', 'set'),
                (path, new != text, ' '.join(names) or '-'))
