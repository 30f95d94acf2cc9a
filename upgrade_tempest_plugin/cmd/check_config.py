"""``upgrade-tempest check-config``: check a tempest.conf before Tempest.

Tempest reports a bad value only when test discovery trips over it, in the
middle of hundreds of lines of import errors; this command prints one line
per bad option of the plugin and exits 2.

It also checks the directory of Tempest's log file ([DEFAULT] log_dir and
log_file): when it is missing, the first test module Tempest imports fails
with FileNotFoundError half-way through reading the configuration, and
every later one with oslo.config's ArgsAlreadyParsedError (Tempest reads
the configuration again and registers its logging options a second time),
which names neither the option nor the directory.
"""

import os

from oslo_config import cfg
from oslo_log import log as logging

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import config
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import settings as obs_settings


#: The log file Tempest names when tempest.conf names none (tempest.config).
TEMPEST_LOG_FILE = 'tempest.log'


def log_dir_problem(conf, config_file):
    """A message when the directory of Tempest's log file is missing.

    ``conf`` has oslo.log's options, read from ``config_file``.  Logging
    set up by a logging configuration file (log_config_append, or the
    logging.conf Tempest takes from beside tempest.conf) writes no such
    file.  A relative path is relative to the directory ``tempest run``
    runs in, which is not known here: only an absolute one is checked.
    """
    beside = os.path.join(os.path.dirname(config_file), 'logging.conf')
    if (conf.log_config_append or os.path.isfile(beside) or
            not (conf.log_dir or conf.log_file)):
        return None
    path = os.path.join(conf.log_dir or '',
                        conf.log_file or TEMPEST_LOG_FILE)
    directory = os.path.dirname(path)
    if not os.path.isabs(directory) or os.path.isdir(directory):
        return None
    return ('[DEFAULT] log_dir/log_file: no directory %s for Tempest\'s log '
            'file (Tempest would fail to import every test)' % directory)


def find_problems(config_file):
    """Return one message per problem Tempest would trip over."""
    try:
        obs_settings.check_ini(config_file)
    except exceptions.UserError as exc:
        return [str(exc)]
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    for group_name, options in config.list_opts():
        conf.register_opts(options, group=group_name)
    try:
        conf(args=[], default_config_files=[config_file],
             use_env=False)
    except cfg.Error as exc:
        return ['%s: %s' % (config_file, exc)]
    problems = []
    log_dir = log_dir_problem(conf, config_file)
    if log_dir:
        problems.append('%s: %s' % (config_file, log_dir))
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
    """Check a tempest.conf: the plugin's options, Tempest's log directory.

    A problem is one line on stderr each, and exit 2.
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
