"""``upgrade-tempest check-config``: check the plugin's options in a file.

Tempest reports a bad value only when test discovery trips over it, in the
middle of hundreds of lines of import errors; this command prints one line
per bad option of the plugin and exits 2.
"""

import os

from oslo_config import cfg

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import config
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import settings as obs_settings


def find_problems(config_file):
    """Return one message per plugin option whose value is not valid."""
    try:
        obs_settings.check_ini(config_file)
    except exceptions.UserError as exc:
        return [str(exc)]
    conf = cfg.ConfigOpts()
    for group_name, options in config.list_opts():
        conf.register_opts(options, group=group_name)
    try:
        conf(args=[], default_config_files=[config_file],
             use_env=False)
    except cfg.Error as exc:
        return ['%s: %s' % (config_file, exc)]
    problems = []
    for group_name, options in config.list_opts():
        for option in options:
            try:
                getattr(conf[group_name], option.dest)
            except (cfg.ConfigFileValueError, ValueError) as exc:
                reason = str(exc).split(' is not valid: ')[-1]
                problems.append('%s: [%s] %s: %s' % (
                    config_file, group_name, option.dest, reason))
    return problems


class CheckConfig(base.ShowOne):
    """Check the plugin's options in a tempest.conf.

    A bad value is one line on stderr per option, and exit 2.
    """

    def get_parser(self, prog_name):
        return base.add_config_argument(super().get_parser(prog_name))

    def take_action(self, parsed_args):
        path = base.config_path(parsed_args)
        if not os.path.isfile(path):
            raise exceptions.UserError('no such file: %s' % path)
        problems = find_problems(path)
        if problems:
            raise exceptions.UserError('; '.join(problems))
        return ('config_file', 'plugin_options'), (path, 'valid')
