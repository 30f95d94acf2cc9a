"""Offline validation of a campaign plan (``campaign validate``).

:func:`problems` returns every problem of a plan, each located by its path
in the plan; it reads nothing but the plan, the installed drivers and the
listed validators, and touches nothing.  The checks:

* the plan's JSON schema, the driver's config schema, its action schema
  for every ``action`` and ``rollback``, and the driver's own checks;
* unique step ids; groups not interleaved; no two steps of one group
  touching the same service; ``timeout_seconds`` above
  ``expected_seconds``;
* a supported upgrade path (one release, or a SLURP skip-level upgrade);
* every ``validators`` check selects at least one existing validator, and
  the plan says which Tempest workspace runs them;
* every budget names a known service profile and has observers to judge
  it; ``status`` checks only with a driver that reports status;
* under ``on_failure: rollback``, every step a rollback would undo (one
  that touches services or roles) has a rollback action, unless the
  driver restores its backup and the plan takes one.
"""

import re

from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign import plan as plan_mod
from upgrade_tempest_plugin.campaign import validators as validators_mod
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.services import releases

P = plan_mod.Problem


def problems(plan, list_validators=validators_mod.list_ids,
             service_names=None):
    """Every problem of ``plan`` (a parsed YAML document), in plan order.

    ``list_validators``: returns the validator ids (called only when a
    check names validators); ``service_names``: the known service
    profiles (default: the installed ones).
    """
    if not isinstance(plan, dict):
        return [P('', 'a plan is a mapping, not %s' % type(plan).__name__)]
    found = plan_mod.schema_problems(plan, plan_mod.schema())
    steps = [(i, s) for i, s in enumerate(plan.get('steps') or ())
             if isinstance(s, dict)] if isinstance(
                 plan.get('steps'), list) else []
    found += _path_problems(plan)
    found += _id_problems(steps)
    found += _group_problems(steps)
    found += _timing_problems(steps)
    found += _budget_problems(plan, steps, service_names)
    found += _validator_problems(plan, steps, list_validators)
    found += _observer_problems(plan, steps)
    cls = _driver_class(plan, found)
    if cls is not None:
        found += _driver_problems(plan, steps, cls)
        found += _rollback_problems(plan, steps, cls)
    return _unique(found)


def _unique(found):
    seen = set()
    result = []
    for problem in found:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result


def _path_problems(plan):
    old, new = plan.get('from_release'), plan.get('to_release')
    if old not in releases.SERIES or new not in releases.SERIES:
        return []   # the schema said what is wrong, or a release to come
    known = releases.SERIES
    if known.index(new) <= known.index(old):
        return [P('to_release', '%s -> %s is not an upgrade' % (old, new))]
    if known.index(new) - known.index(old) == 1:
        return []
    year, part = old.split('.')
    if part == '1' and new == '%d.1' % (int(year) + 1):
        return []
    return [P('to_release', '%s -> %s is neither one release nor a SLURP '
              'skip-level upgrade (YYYY.1 -> YYYY+1.1)' % (old, new))]


def _id_problems(steps):
    first = {}
    found = []
    for index, step in steps:
        step_id = step.get('id')
        if not isinstance(step_id, str):
            continue
        if step_id in first:
            found.append(P('steps[%d].id' % index,
                           'duplicate id %r (also steps[%d])'
                           % (step_id, first[step_id])))
        else:
            first[step_id] = index
    return found


def _group_problems(steps):
    found = []
    seen = []          # groups in order of appearance
    touched = {}       # group -> {service: step index}
    for index, step in steps:
        if 'group' not in step:
            seen.append(object())
            continue
        group = step['group']
        if seen and seen[-1] != group and group in seen:
            found.append(P('steps[%d].group' % index,
                           'group %r continues after another group began; '
                           'the steps of a group must be together'
                           % (group,)))
        seen.append(group)
        services = touched.setdefault(group, {})
        for service in step.get('services') or ():
            if not isinstance(service, str):
                continue
            if service in services:
                found.append(P(
                    'steps[%d].services' % index,
                    '%s is also touched by steps[%d] of parallel group %r'
                    % (service, services[service], group)))
            else:
                services[service] = index
    return found


def _timing_problems(steps):
    found = []
    for index, step in steps:
        expected = step.get('expected_seconds')
        timeout = step.get('timeout_seconds')
        if (isinstance(expected, (int, float)) and
                isinstance(timeout, (int, float)) and timeout <= expected):
            found.append(P('steps[%d].timeout_seconds' % index,
                           '%s is not above expected_seconds %s'
                           % (timeout, expected)))
    return found


def _checks(steps):
    for index, step in steps:
        checks = step.get('checks')
        if not isinstance(checks, list):
            continue
        for position, check in enumerate(checks):
            if isinstance(check, dict):
                yield 'steps[%d].checks[%d]' % (index, position), check


def _budgets(plan, steps):
    if isinstance(plan.get('budgets'), list):
        for position, budget in enumerate(plan['budgets']):
            yield 'budgets[%d]' % position, budget
    for path, check in _checks(steps):
        if 'budget' in check:
            yield path + '.budget', check['budget']


def _budget_problems(plan, steps, service_names):
    found = []
    for path, budget in _budgets(plan, steps):
        if not isinstance(budget, dict) or not isinstance(
                budget.get('service'), str):
            continue
        if service_names is None:
            service_names = sorted(registry.load_profiles())
        if budget['service'] not in service_names:
            found.append(P(path + '.service', 'unknown service %r (known: '
                           '%s)' % (budget['service'],
                                    ', '.join(service_names))))
    return found


def _validator_problems(plan, steps, list_validators):
    found = []
    ids = None
    wanted = [(path, check['validators']) for path, check in _checks(steps)
              if isinstance(check.get('validators'), str)]
    if isinstance(plan.get('tempest'), dict) and isinstance(
            plan['tempest'].get('health'), str):
        wanted.insert(0, ('tempest.health', plan['tempest']['health']))
    for path, regex in wanted:
        try:
            re.compile(regex)
        except re.error as exc:
            found.append(P(path, 'not a regular expression: %s' % exc))
            continue
        if ids is None:
            ids = list_validators()
        if not validators_mod.matching(regex, ids):
            found.append(P(path, 'no validator matches %r' % regex))
    if wanted and 'tempest' not in plan:
        found.append(P('tempest', 'checks run validators: name the Tempest '
                       'workspace (tempest.workspace)'))
    return found


def _observer_problems(plan, steps):
    """Budgets need observers: a tempest section that keeps them on."""
    tempest = plan.get('tempest')
    observed = isinstance(tempest, dict) and tempest.get('observers', True)
    if observed:
        return []
    return [P(path, 'a budget needs the observers: name the Tempest '
              'workspace (tempest.workspace) and keep tempest.observers on')
            for path, _ in _budgets(plan, steps)]


def _driver_class(plan, found):
    driver = plan.get('driver')
    if not isinstance(driver, dict) or not isinstance(driver.get('name'),
                                                      str):
        return None
    try:
        return drivers.driver_class(driver['name'])
    except KeyError:
        found.append(P('driver.name', 'unknown driver %r (known: %s)' % (
            driver['name'], ', '.join(drivers.names()))))
        return None


def _driver_problems(plan, steps, cls):
    config = plan['driver'].get('config') or {}
    found = drivers.config_problems(cls, config)
    for index, step in steps:
        for key, default in (('action', {}), ('rollback', None)):
            value = step.get(key, default)
            if isinstance(value, dict):
                found += drivers.action_problems(
                    cls, value, ('steps', index, key))
    if not cls.REPORTS_STATUS:
        found += [P(path, 'driver %s reports no status' % cls.NAME)
                  for path, check in _checks(steps) if 'status' in check]
    if not found:
        found += cls(config, None).validate(plan)
    return found


def _rollback_problems(plan, steps, cls):
    """Steps a rollback would undo without a way to undo them."""
    restores = cls.RESTORES_BACKUP and plan_mod.backup_enabled(plan)
    if restores:
        return []
    triggers = [index for index, step in steps
                if step.get('on_failure') == 'rollback']
    if not triggers:
        return []
    last = max(triggers)
    found = []
    for index, step in steps:
        # A step that touches no service (a pull, a pre-check) has nothing
        # to undo.
        if index > last or 'rollback' in step or not (
                step.get('services') or step.get('roles')):
            continue
        found.append(P('steps[%d]' % index,
                       'no rollback action, and steps[%d] (on_failure: '
                       'rollback) would undo it; driver %s restores no '
                       'backup%s' % (
                           last, cls.NAME,
                           '' if not cls.RESTORES_BACKUP
                           else ' unless the plan takes one (backup)')))
    return found


def check(plan, source, **kwargs):
    """Raise :class:`plan.InvalidPlan` unless ``plan`` has no problem."""
    found = problems(plan, **kwargs)
    if found:
        raise plan_mod.InvalidPlan(source, found)
    return plan


def load(path, **kwargs):
    """The plan of file ``path``.

    Raises :class:`plan.InvalidPlan` when it has problems.
    """
    return check(plan_mod.read(path), path, **kwargs)
