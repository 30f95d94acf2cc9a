"""What the exit code of ``ansible-playbook`` means.

Both ``kolla-ansible`` and OpenStack-Ansible's ``openstack-ansible``
wrapper exit with the code of the playbook they ran (ansible-core's
``executor/task_queue_manager.py``); a wrapper that cannot read its
configuration exits 1 before any playbook runs.
"""

import json
import os
import subprocess

from upgrade_tempest_plugin.campaign.drivers import base
from upgrade_tempest_plugin.campaign import plan as plan_mod

#: exit code -> (error code, what it means)
CODES = {
    1: ('error', 'ansible error (or unreadable configuration)'),
    2: ('failed-hosts', 'one or more hosts failed'),
    4: ('unreachable', 'one or more hosts were unreachable'),
    8: ('break-play', 'the play was interrupted'),
    99: ('user-interrupt', 'stopped by the user'),
    250: ('unexpected', 'unexpected error'),
    255: ('unknown', 'unknown error'),
}


def outcome(returncode, tool):
    if returncode == 0:
        return base.OK
    code, meaning = CODES.get(returncode, ('exit-%d' % returncode,
                                           'unknown exit code'))
    return base.Outcome(False, code, '%s exited %d: %s' % (
        tool, returncode, meaning))


def run_tool(argv, purpose, timeout, env=None):
    """Run an ansible-core tool; its completed process, output captured.

    ``purpose`` completes the error when the tool is missing ("the driver
    PURPOSE with it").  A tool that runs past ``timeout`` seconds is an
    error; its exit code is the caller's to judge.
    """
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env,
                              timeout=timeout)
    except FileNotFoundError:
        raise base.DriverError(
            '%s not found: the driver %s with it (pip install '
            'ansible-core)' % (argv[0], purpose))
    except subprocess.TimeoutExpired:
        raise base.DriverError('%s took more than %d s' % (
            ' '.join(argv), timeout))


def last_line(text):
    """The last line of a tool's error output that is not blank."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ''


def extra_vars(variables):
    """``-e key=value`` arguments, sorted by key.

    Values that are not text go as JSON, so lists and booleans reach
    Ansible typed.
    """
    argv = []
    for key in sorted(variables):
        value = variables[key]
        text = value if isinstance(value, str) else json.dumps(value)
        argv += ['-e', '%s=%s' % (key, text)]
    return argv


EXTRA_VARS_SCHEMA = {
    'type': 'object',
    'propertyNames': {'pattern': '^[A-Za-z_][A-Za-z0-9_]*$'},
}


#: Config keys naming the ansible-core commands a driver asks the
#: deployment with (default: found on ``PATH``).
TOOLS_SCHEMA = {
    'ansible': {'type': 'string', 'minLength': 1, 'default': 'ansible'},
    'ansible_inventory': {'type': 'string', 'minLength': 1,
                          'default': 'ansible-inventory'},
}


def missing_files(key, paths):
    """A problem at ``driver.config.KEY`` for each missing path."""
    return [plan_mod.Problem('driver.config.' + key,
                             'no such file or directory: %s' % path)
            for path in paths if not os.path.exists(path)]
