"""Plans and helpers of the campaign unit tests."""

import copy
import os
import shutil
import sys

import yaml

VALIDATORS = [
    'upgrade_tempest_plugin.tests.scenario.test_health.ComputeHealth.'
    'test_health[id-1]',
    'upgrade_tempest_plugin.tests.scenario.test_workloads.'
    'ServerPreUpgrade.test_create[id-2]',
]
SERVICES = ['compute', 'identity', 'image', 'network', 'placement',
            'volume']

GOOD = {
    'version': 1,
    'name': 'unit',
    'from_release': '2025.1',
    'to_release': '2025.2',
    'driver': {'name': 'command', 'config': {}},
    'tempest': {'workspace': '/w'},
    'hang_factor': 2.0,
    'max_failures': 1,
    'steps': [
        {'id': 'keystone', 'group': 1, 'services': ['keystone'],
         'action': {'command': 'true $service $to_release'},
         'rollback': {'command': 'true undo $service'},
         'expected_seconds': 5, 'timeout_seconds': 30,
         'checks': [{'budget': {'service': 'identity',
                                'max_downtime_seconds': 5}}],
         'on_failure': 'rollback'},
        {'id': 'glance', 'group': 2, 'services': ['glance'],
         'action': {'command': ['true', '$service']},
         'rollback': {'command': 'true undo $service'},
         'expected_seconds': 5, 'timeout_seconds': 30},
        {'id': 'cinder', 'group': 2, 'services': ['cinder'],
         'action': {'command': 'true $service'},
         'rollback': {'command': 'true undo $service'},
         'expected_seconds': 5, 'timeout_seconds': 30,
         'on_failure': 'rollback'},
    ],
}


def plan(**changes):
    """A copy of :data:`GOOD` with top-level ``changes``."""
    result = copy.deepcopy(GOOD)
    result.update(changes)
    return result


def write(directory, document, name='plan.yaml'):
    path = os.path.join(directory, name)
    with open(path, 'w') as f:
        yaml.safe_dump(document, f)
    return path


STAND_IN = '''#!/bin/sh
# A stand-in for a deployment tool: records its argv, prints its recorded
# output, exits with $EXIT.
for arg in "$0" "$@"; do printf '%%s\\n' "$arg"; done > %(record)s
echo "OSA_CONFIG_DIR=${OSA_CONFIG_DIR:-}" >> %(record)s.env
cat %(output)s
exit %(code)d
'''


def stand_in(directory, name, code=0, output='stand-in output\n'):
    """An executable ``name`` that records its argv; (path, record).

    It prints ``output``.
    """
    path = os.path.join(directory, name)
    record = path + '.argv'
    with open(path + '.out', 'w') as f:
        f.write(output)
    with open(path, 'w') as f:
        f.write(STAND_IN % {'record': record, 'code': code,
                            'output': path + '.out'})
    os.chmod(path, 0o755)
    return path, record


def ansible_tool(name):
    """The path of ansible-core's ``name`` (a test requirement)."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(beside):
        return beside
    found = shutil.which(name)
    if found is None:
        raise AssertionError('%s not found: pip install ansible-core (see '
                             'test-requirements.txt)' % name)
    return found


def recorded_argv(record):
    with open(record) as f:
        return f.read().splitlines()[1:]


class Phases(object):
    """Validators, observers and analysis of a campaign, recorded.

    ``failing``: validator regexes (or points' regexes) that fail;
    ``analysis``: what ``analyse`` returns.
    """

    enabled = True

    def __init__(self, failing=(), analysis=None):
        self.failing = set(failing)
        self.analysis = analysis
        self.calls = []

    def regex(self, point):
        return 'point:' + point

    def validators(self, regex):
        self.calls.append(regex)
        ok = regex not in self.failing
        return ok, '%s %s' % (regex, 'passed' if ok else 'failed')

    def observers_wanted(self):
        return True

    def start_observers(self):
        self.calls.append('observers:start')
        return {'started': True, 'pid': 1}

    def stop_observers(self):
        self.calls.append('observers:stop')
        return {'how': 'SIGTERM'}

    def analyse(self, events_file=None):
        self.calls.append('analyse')
        return self.analysis


def step(step_id, command, group=None, **kwargs):
    """A command-driver step."""
    result = {'id': step_id, 'services': [step_id],
              'action': {'command': command},
              'expected_seconds': 5, 'timeout_seconds': 30}
    if group is not None:
        result['group'] = group
    result.update(kwargs)
    return result


def command_plan(steps, **changes):
    result = {'version': 1, 'name': 'unit', 'from_release': '2025.1',
              'to_release': '2025.2', 'driver': {'name': 'command'},
              'steps': steps}
    result.update(changes)
    return result


#: A Kolla-Ansible inventory in the layout of its ``multinode`` file:
#: host groups, and service groups that are their children.
MULTINODE = '''[control]
control01
control02

[network]
network01

[compute]
compute01
compute02

[storage]
storage01

[monitoring]

[baremetal:children]
control
network
compute
storage

[keystone:children]
control

[nova:children]
control

[nova-api:children]
nova

[nova-conductor:children]
nova

[nova-compute:children]
compute

[neutron:children]
network

[neutron-server:children]
control

[neutron-openvswitch-agent:children]
network
compute

[prometheus:children]
monitoring
'''
