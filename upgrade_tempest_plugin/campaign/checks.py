"""The checks after a step: validators, budgets over the step's own
window, and the driver's status of the step's objects.

Each check returns ``(ok, one line)``.  A budget reads the step's row of
the service in the run analysis (``services[S].steps``, the row labelled
with the step's event), so "no more than 5 s of compute downtime in this
step" counts only the downtime of windows that began while the step ran.
"""

from upgrade_tempest_plugin.analysis import downtime


def step_label(event_row):
    """The label the run analysis gives a step event's span."""
    return downtime.step_spans([event_row])[0]['label']


def budget(analysis, budget_spec, label=None):
    """Judge ``budget_spec`` over the step ``label`` (None: the run)."""
    service = budget_spec['service']
    figures = analysis['services'].get(service)
    if figures is None:
        return False, '%s was not observed' % service
    if label is None:
        downtime_s, availability = (figures['total_downtime'],
                                    figures['availability'])
        where = 'the run'
    else:
        rows = [r for r in figures['steps'] if r['label'] == label]
        if not rows:
            return False, '%s has no sample in step %s' % (service, label)
        downtime_s, availability = rows[0]['downtime'], rows[0][
            'availability']
        where = 'the step'
    problems = []
    limit = budget_spec.get('max_downtime_seconds')
    if limit is not None and downtime_s > limit:
        problems.append('%.1f s of downtime > %s s' % (downtime_s, limit))
    floor = budget_spec.get('min_availability')
    if floor is not None and (availability is None or availability < floor):
        problems.append('availability %s%% < %s%%' % (
            'unknown' if availability is None else '%.2f' % availability,
            floor))
    text = '%s in %s: %.1f s down, availability %s' % (
        service, where, downtime_s,
        'unknown' if availability is None else '%.2f%%' % availability)
    if problems:
        return False, '%s (%s)' % (text, '; '.join(problems))
    return True, text


def status(statuses, objects, release):
    """Every object reported up and at ``release``."""
    by_object = {s.object: s for s in statuses}
    bad = []
    for obj in objects:
        st = by_object.get(obj)
        if st is None:
            bad.append('%s: no status' % obj)
        elif st.state != 'up' or (st.release and st.release != release):
            bad.append('%s: %s at %s' % (obj, st.state, st.release))
    if bad:
        return False, '; '.join(bad)
    return True, '%d object(s) up at %s' % (len(objects), release)
