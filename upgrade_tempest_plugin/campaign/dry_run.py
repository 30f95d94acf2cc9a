"""``campaign run --dry-run``: what a plan would do, touching nothing.

The driver builds each step's command line (or says what it would do);
nothing is run, locked or recorded.
"""

import shlex

from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign import phases as phases_mod
from upgrade_tempest_plugin.campaign import plan as plan_mod


def _action(driver, call, step):
    try:
        action = call()
    except NotImplementedError:
        return 'not supported by the driver'
    if isinstance(action, drivers.Command):
        return '$ ' + ' '.join(shlex.quote(a) for a in action.argv)
    if action == drivers.WAIT:
        text = (step.get('action') or {}).get('instruction', '')
        return 'wait for "campaign continue" or the callback: %s' % text
    return 'done by the driver itself'


def _check(check):
    if 'validators' in check:
        return 'validators %s' % check['validators']
    if 'budget' in check:
        b = check['budget']
        limits = []
        if 'max_downtime_seconds' in b:
            limits.append('downtime <= %s s' % b['max_downtime_seconds'])
        if 'min_availability' in b:
            limits.append('availability >= %s%%' % b['min_availability'])
        return 'budget %s in the step: %s' % (b['service'],
                                              ', '.join(limits))
    return 'status: every object up at the target release'


def show(plan, out):
    driver = drivers.load(plan, drivers.Context(plan['from_release'],
                                                plan['to_release']))
    tempest = plan.get('tempest')
    phases = phases_mod.Phases(tempest, None, None) if tempest else None

    def validators(point):
        return phases.regex(point) if phases else 'none (no tempest section)'

    lines = ['campaign %s: %s -> %s, driver %s (dry run: nothing runs)' % (
        plan['name'], plan['from_release'], plan['to_release'],
        plan['driver']['name']),
        'pre-flight validators: %s' % validators('preflight'),
        'observers: %s' % ('started' if phases and
                           phases.observers_wanted() else 'none'),
        'pre-upgrade validators: %s' % validators('pre-upgrade'),
        'backup: %s' % ('by the driver' if plan_mod.backup_enabled(plan)
                        else 'none')]
    factor = plan_mod.hang_factor(plan)
    for number, (group, steps) in enumerate(plan_mod.groups(plan), 1):
        lines.append('group %d%s:' % (number, ' (%d steps in parallel)'
                                      % len(steps) if len(steps) > 1
                                      else ''))
        for step in steps:
            try:
                objects = driver.resolve(step)
                where = ', '.join(objects) or '-'
            except drivers.DriverError as exc:
                objects, where = [], '? (%s)' % exc
            lines.append(
                '  step %s on %s: expected %s s (hanging after %s s), '
                'timeout %s s, on failure %s%s' % (
                    step['id'], where,
                    step['expected_seconds'],
                    factor * step['expected_seconds'],
                    step['timeout_seconds'], step.get('on_failure', 'stop'),
                    ', pauses for the operator first' if step.get('pause')
                    else ''))
            lines.append('    action: ' + _action(
                driver, lambda: driver.upgrade(step, objects), step))
            for check in step.get('checks') or ():
                lines.append('    check: ' + _check(check))
            if 'rollback' in step and not driver.RESTORES_BACKUP:
                lines.append('    rollback: ' + _action(
                    driver, lambda: driver.rollback(step, objects, None),
                    dict(step, action=step['rollback'])))
            elif driver.RESTORES_BACKUP:
                lines.append('    rollback: the driver restores the backup')
    lines += ['post-upgrade validators: %s' % validators('post-upgrade'),
              'budgets: %s' % ('; '.join(
                  _check({'budget': b}).replace(' in the step', '')
                  for b in plan.get('budgets') or ()) or 'none'),
              'then: destroy validators %s, observers stopped'
              % validators('destroy'),
              'max_failures: %d (then: cascade stop)'
              % plan_mod.max_failures(plan)]
    out.write('\n'.join(lines) + '\n')
