"""A payload's campaign plan, checked by the campaign package on submit.

The payload schema checks only the plan's shape (the worker has no
campaign package of its own); before a job is submitted its plan goes
through the campaign's own validation (:func:`upgrade_tempest_plugin.
campaign.validate.problems`, what ``upgrade-tempest campaign validate``
runs), and the first problem is reported located in the payload
(``payload.run.plan.steps[1].id: ...``).  The worker checks it again
with ``campaign validate`` in the job's venv.
"""

from upgrade_tempest_plugin.campaign import validate
from upgrade_tempest_plugin.queue import payload as payload_mod


def check(document, problems=validate.problems):
    """Raise PayloadError naming the first problem of ``document``.

    ``document``: a payload; its plan, if any, is checked by the campaign
    package once the payload itself is valid.
    """
    payload_mod.check(document)
    plan = document['run'].get('plan')
    if plan is None:
        return
    found = problems(plan)
    if found:
        first = found[0]
        where = 'payload.run.plan' + ('.' + first.path if first.path else '')
        raise payload_mod.PayloadError('%s: %s' % (where, first.message))
