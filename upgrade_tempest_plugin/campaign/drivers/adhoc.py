"""Ask the deployment's hosts a question: one Ansible ad-hoc command.

The Kolla-Ansible and OpenStack-Ansible drivers learn what runs where
the way an operator does: ``ansible PATTERN -i INVENTORY -m
ansible.builtin.command -a COMMAND`` (ansible-core).  Its output (the
``minimal`` callback, the ad-hoc default; ``-o`` and ``--tree`` are
deprecated) is a block per host::

    HOST | CHANGED | rc=0 >>
    OUTPUT LINES
    HOST | FAILED | rc=1 >>
    OUTPUT LINES
    HOST | UNREACHABLE! => {
        JSON
    }

:func:`run` returns an :class:`Answer` per host that answered.
"""

import collections
import json
import re

from upgrade_tempest_plugin.campaign.drivers import ansible
from upgrade_tempest_plugin.campaign.drivers import base

#: Seconds the ad-hoc command may take on every host together.
TIMEOUT = 300

#: ``ok``: the command ran and exited 0; ``state``: ``ok``, ``failed`` or
#: ``unreachable``; ``stdout``: its output (with its standard error, as
#: Ansible prints them); ``message``: why it failed.
Answer = collections.namedtuple('Answer', 'ok state stdout message')

_COMMAND = re.compile(
    r'^(?P<host>\S+) \| (?P<caption>[A-Z]+) \| rc=(?P<rc>-?\d+) >>$')
_JSON = re.compile(r'^(?P<host>\S+) \| (?P<caption>[A-Z]+)! => \{$')


def _command_answer(match, lines):
    text = '\n'.join(lines)
    ok = match.group('rc') == '0' and match.group('caption') != 'FAILED'
    return Answer(ok, 'ok' if ok else 'failed', text,
                  None if ok else 'rc=%s: %s' % (
                      match.group('rc'), (lines or [''])[-1][:200]))


def _json_answer(match, lines):
    try:
        result = json.loads('{' + '\n'.join(lines))
    except ValueError:
        result = {}
    state = 'unreachable' if match.group('caption') == 'UNREACHABLE' \
        else 'failed'
    return Answer(False, state, '', str(result.get('msg', ''))[:200])


def parse(output):
    """``{host: Answer}`` of the output of an ad-hoc command."""
    answers = {}
    current = None
    for line in output.splitlines():
        match = _COMMAND.match(line) or _JSON.match(line)
        if match:
            if current:
                answers[current[0].group('host')] = current[1](
                    current[0], current[2])
            build = _command_answer if match.re is _COMMAND \
                else _json_answer
            current = (match, build, [])
        elif current:
            current[2].append(line)
    if current:
        answers[current[0].group('host')] = current[1](current[0],
                                                       current[2])
    return answers


def run(pattern, command, sources=(), executable='ansible', env=None):
    """Run ``command`` (a string) on the hosts of ``pattern``."""
    argv = [executable, pattern]
    for source in sources:
        argv += ['-i', source]
    argv += ['-m', 'ansible.builtin.command', '-a', command]
    proc = ansible.run_tool(argv, 'asks the hosts', TIMEOUT, env=env)
    answers = parse(proc.stdout)
    # Ansible exits 2 or 4 when some hosts failed or were unreachable:
    # those hosts have their line.  Without any line, it could not run.
    if proc.returncode and not answers:
        raise base.DriverError('%s exited %d: %s' % (
            ' '.join(argv), proc.returncode, ansible.last_line(proc.stderr)))
    return answers
