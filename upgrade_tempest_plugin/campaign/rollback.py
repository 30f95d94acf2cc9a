"""Undo a campaign: the steps it began, in reverse order.

Each step that is done, failed or was running is undone by the driver
(:meth:`Driver.rollback`: the step's ``rollback`` action, else the backup
restored), newest first; each undo is a step event (action
``rollback:STEP``) and a row of the status table, so a rollback that is
interrupted resumes too.  A failed undo stops the rollback (undoing
earlier steps over a half-undone one would make things worse).  Then the
validators show the cloud is back: the start release, the workloads
intact (unless the campaign had ended and destroyed them), the services
healthy; then the workloads are destroyed and the observers stopped.
"""

from upgrade_tempest_plugin.campaign import runner as runner_mod
from upgrade_tempest_plugin.store import campaigns as recs

#: Step states that a rollback undoes.
UNDONE = (recs.DONE, recs.FAILED, recs.RUNNING, recs.HANGING)


class Rollback(object):

    def __init__(self, runner):
        self.runner = runner

    def steps(self):
        """The steps to undo, newest first."""
        runner = self.runner
        rows = {r['item']: r for r in runner.store.list_items(runner.run_id)
                if r['kind'] == recs.STEP}
        begun = [s for s in runner.plan['steps']
                 if rows.get(s['id'], {}).get('state') in UNDONE or
                 runner.item(recs.ROLLBACK, s['id'])['state'] in (
                     recs.RUNNING, recs.HANGING, recs.FAILED)]
        return list(reversed(begun))

    def run(self, reason):
        runner = self.runner
        runner.claim(runner_mod.ROLLING_BACK, reason=reason)
        runner.log.note('rollback', 'started', detail=reason)
        backup = runner.item(recs.BACKUP, 'backup')['detail'].get('backup')
        for step in self.steps():
            if not self.undo(step, backup):
                runner.cleanup()
                return runner.finish(runner_mod.ROLLBACK_FAILED,
                                     reason='%s; undoing %s failed'
                                     % (reason, step['id']))
        point = 'rolled-back'
        if runner.item(recs.PHASE, 'destroy')['state'] == recs.DONE:
            point = 'rolled-back-after-destroy'
        runner.phase(point, runner.validators_at(point))
        ok = runner.item(recs.PHASE, point)['state'] == recs.DONE
        runner.cleanup()
        return runner.finish(
            runner_mod.ROLLED_BACK if ok else runner_mod.ROLLBACK_FAILED,
            reason=reason if ok else '%s; the validators after the '
            'rollback failed' % reason)

    def undo(self, step, backup):
        runner = self.runner
        step_id = step['id']
        row = runner.item(recs.ROLLBACK, step_id)
        if row['state'] == recs.DONE:
            return True
        if 'rollback' not in step and not (step.get('services') or
                                           step.get('roles')):
            # It touched no service (a pull, a pre-check): nothing to undo.
            runner.log.note('rollback', 'skipped', step=step_id,
                            detail='it touched no service')
            runner.record(recs.ROLLBACK, step_id, recs.DONE,
                          detail={'why': 'it touched no service'})
            return True
        objects = runner.item(recs.STEP, step_id)['detail'].get(
            'objects') or []
        handle = (row['detail'] or {}).get('handle')
        if row['state'] in (recs.RUNNING, recs.HANGING) and handle:
            started = row['started_at']
            outcome = runner.wait(step, recs.ROLLBACK, step_id, started,
                                  handle=handle)
        else:
            started = runner.clock()
            runner.record(recs.ROLLBACK, step_id, recs.RUNNING,
                          started_at=started, detail={'handle': None})
            outcome = runner.perform(
                step, recs.ROLLBACK, step_id, started,
                lambda: runner.driver.rollback(step, objects, backup))
        ended = runner.clock()
        runner.event(step_id, 'rollback:' + step_id,
                     step.get('services') or objects, outcome.ok, started,
                     ended, outcome.error_code, outcome.detail)
        runner.record(recs.ROLLBACK, step_id,
                      recs.DONE if outcome.ok else recs.FAILED,
                      ended_at=ended, error_code=outcome.error_code,
                      detail={'why': outcome.detail})
        if outcome.ok:
            runner.record(recs.STEP, step_id, recs.ROLLED_BACK)
            for obj in objects:
                runner.record(recs.OBJECT, step_id, recs.ROLLED_BACK, obj=obj)
        return outcome.ok
