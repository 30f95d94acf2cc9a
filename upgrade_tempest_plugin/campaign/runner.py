"""The campaign runner: a plan's steps through the driver, with checks.

A campaign is a run of the store (its id is the run id the validators and
observers use).  :meth:`Runner.run` goes through the campaign's phases,
each recorded in the status table before it starts and when it ends, so
that a campaign run again with ``--resume`` skips what is done:

1. pre-flight: the health validators (refused on failure unless forced);
2. the observers, then the pre-upgrade validators (workloads created);
3. the backup (the driver's);
4. the groups of steps in plan order, the steps of a group in parallel.
   A step's row is written before its driver is called; a driver command
   runs as a supervised child (:mod:`.executor`) whose handle is in the
   row, so a resumed runner waits for it instead of running it again.
   Past ``hang_factor`` x ``expected_seconds`` the step is *hanging* (an
   alarm event), past ``timeout_seconds`` it is stopped and failed.  The
   step's start, end, outcome and error code are a step event (store and
   campaign log); then its checks run.
5. the post-upgrade validators and the plan's budgets; the workloads are
   destroyed and the observers stopped.

A failed step or check counts towards ``max_failures``; the step's
``on_failure`` decides what happens once its group ended: ``continue``,
``stop`` (cascade stop: no more actions, the campaign's workloads
destroyed, the observers stopped, a report) or ``rollback``
(:mod:`.rollback`).  Reaching ``max_failures`` stops whatever the policy.
"""

import concurrent.futures
import os
import time

from upgrade_tempest_plugin.campaign import actions
from upgrade_tempest_plugin.campaign import checks as checks_mod
from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign import plan as plan_mod
from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.store import campaigns as recs

#: Campaign states (the ``campaigns.state`` column).
RUNNING = 'running'
PAUSED = 'paused'
DONE = 'done'
FAILED = 'failed'
STOPPED = 'stopped'
ROLLING_BACK = 'rolling back'
ROLLED_BACK = 'rolled back'
ROLLBACK_FAILED = 'rollback failed'
REFUSED = 'refused'
#: Error code of a check that failed, and of its step.
CHECK_FAILED = 'check-failed'
#: Error code of a step whose objects the driver could not resolve.
RESOLVE_FAILED = 'resolve-failed'
#: States after which the cloud's lock is released.
FINAL = (DONE, FAILED, STOPPED, ROLLED_BACK, ROLLBACK_FAILED, REFUSED)

#: Seconds the observers get to flush the samples of a step that just
#: ended before its budgets are judged (they flush once a second).
CHECK_DELAY = 2.0


class Runner(actions.Actions):

    def __init__(self, plan, store, run_id, work_dir, driver, log, phases,
                 clock=time.time, sleep=time.sleep, check_delay=CHECK_DELAY):
        self.plan = plan
        self.store = store
        self.run_id = run_id
        self.work_dir = work_dir
        self.driver = driver
        self.log = log
        self.phases = phases
        self.clock = clock
        self.sleep = sleep
        self.check_delay = check_delay
        self.cloud = plan_mod.cloud_of(plan)
        self.positions = {s['id']: i + 1 for i, s in enumerate(plan['steps'])}

    # -- the status table -------------------------------------------------

    @classmethod
    def create(cls, plan, store, run_id):
        """Record a new campaign and its pending steps."""
        store.create_campaign(run_id, plan['name'], plan_mod.cloud_of(plan),
                              plan)
        for index, step in enumerate(plan['steps']):
            store.set_item(run_id, recs.STEP, step['id'], recs.PENDING,
                           position=index + 1)

    def item(self, kind, item, obj=''):
        return self.store.get_item(self.run_id, kind, item, obj) or {
            'state': recs.PENDING, 'detail': {}}

    def record(self, kind, item, state, **kwargs):
        kwargs.setdefault('position', self.positions.get(
            item.split('#')[0], 0))
        return self.store.set_item(self.run_id, kind, item, state, **kwargs)

    def failures(self):
        """Failed steps and checks so far (also those of a past runner).

        A step that failed only by its checks counts once per failed check.
        """
        return len([r for r in self.store.list_items(self.run_id)
                    if r['state'] == recs.FAILED and (
                        r['kind'] == recs.CHECK or
                        (r['kind'] == recs.STEP and
                         r['error_code'] != CHECK_FAILED))])

    def claim(self, state, **detail):
        """Set the campaign's state, naming this process as its runner."""
        pid = os.getpid()
        self.store.set_campaign_state(self.run_id, state, pid=pid,
                                      starttime=procs.start_time(pid),
                                      **detail)

    def finish(self, state, **detail):
        self.store.set_campaign_state(self.run_id, state, **detail)
        if state in FINAL:
            self.store.release_campaign_lock(self.cloud, self.run_id)
        self.log.note('campaign', state, detail=detail.get('reason'))
        return state

    # -- phases -------------------------------------------------------------

    def phase(self, name, func):
        """Run phase ``name`` once: a phase done before is skipped."""
        if self.item(recs.PHASE, name)['state'] == recs.DONE:
            return True
        started = self.clock()
        self.record(recs.PHASE, name, recs.RUNNING, started_at=started,
                    position=0)
        ok, text = func()
        state = recs.DONE if ok else recs.FAILED
        self.record(recs.PHASE, name, state, ended_at=self.clock(),
                    position=0, detail={'result': text})
        self.store.add_event(self.run_id, events.CAMPAIGN_NOTE, name,
                             result='pass' if ok else 'fail',
                             detail={'text': text, 'ended_at': self.clock()},
                             at=started)
        self.log.note(name, 'passed' if ok else 'failed', detail=text)
        return ok

    def validators_at(self, point):
        if not self.phases.enabled:
            return lambda: (True, 'no tempest workspace in the plan')
        return lambda: self.phases.validators(self.phases.regex(point))

    def _start_observers(self):
        status = self.phases.start_observers()
        return True, 'observer %s (pid %s)' % (
            'started' if status.get('started') else 'already running',
            status.get('pid'))

    def _stop_observers(self):
        if self.phases.observers_wanted():
            self.phase('observers-stop', lambda: (
                True, 'observer: %s' % self.phases.stop_observers()['how']))

    def _backup(self):
        if self.item(recs.BACKUP, 'backup')['state'] == recs.DONE:
            return True
        started = self.clock()
        self.record(recs.BACKUP, 'backup', recs.RUNNING, started_at=started,
                    position=0)
        try:
            saved = self.driver.backup()
        except Exception as exc:   # noqa: a failed backup stops, reported
            saved, error = None, '%s: %s' % (type(exc).__name__, exc)
        else:
            error = None
        ended = self.clock()
        state = recs.FAILED if error else recs.DONE
        self.record(recs.BACKUP, 'backup', state, ended_at=ended, position=0,
                    error_code='backup-failed' if error else None,
                    detail={'backup': saved, 'error': error})
        self.event('backup', 'backup', None, not error, started, ended,
                   'backup-failed' if error else None, error)
        return not error

    def run(self, force=False):
        """Run (or resume) the campaign; returns its final state."""
        self.claim(RUNNING)
        if not self.phase('preflight', self.validators_at('preflight')):
            if not force:
                return self.finish(REFUSED, reason='the cloud is not '
                                   'healthy (pre-flight validators '
                                   'failed; --force runs anyway)')
            self.log.note('preflight', 'forced')
        if self.phases.observers_wanted():
            self.phase('observers', self._start_observers)
        if not self.phase('pre-upgrade', self.validators_at('pre-upgrade')):
            return self._stop('the pre-upgrade validators failed')
        if plan_mod.backup_enabled(self.plan) and not self._backup():
            return self._stop('the backup failed')
        for _, steps in plan_mod.groups(self.plan):
            self._hold()
            outcome = self._run_group(steps)
            if outcome is not None:
                return outcome
        self.phase('post-upgrade', self.validators_at('post-upgrade'))
        if self.plan.get('budgets'):
            self.phase('budgets', self._run_budgets)
        ok = self.failures() == 0 and all(
            self.item(recs.PHASE, name)['state'] != recs.FAILED
            for name in ('post-upgrade', 'budgets'))
        self.cleanup()
        return self.finish(DONE if ok else FAILED)

    def _hold(self):
        """Wait while an operator paused the campaign (``campaign pause``)."""
        if not self._pause_requested():
            return
        self.claim(PAUSED)
        self.log.note('campaign', 'paused', detail='upgrade-tempest campaign '
                      'continue %s' % self.run_id)
        self.wait_for(lambda: not self._pause_requested())
        self.claim(RUNNING)
        self.log.note('campaign', 'continued')

    def wait_for(self, condition):
        """Poll ``condition`` until it holds.

        It is an operator's answer, which has no deadline.
        """
        waits.until(condition, float('inf'), actions.POLL, clock=self.clock,
                    sleep=self.sleep)

    def _pause_requested(self):
        campaign = self.store.get_campaign(self.run_id)
        return bool((campaign['detail'] or {}).get('pause_requested'))

    def _run_budgets(self):
        analysis = self.phases.analyse(self.driver.events_file())
        results = [checks_mod.budget(analysis, b)
                   for b in self.plan['budgets']]
        return (all(ok for ok, _ in results),
                '; '.join(text for _, text in results))

    def cleanup(self):
        """Destroy the campaign's workloads; stop the observers."""
        self.phase('destroy', self.validators_at('destroy'))
        self._stop_observers()

    def _stop(self, reason):
        """Cascade stop: no more actions; clean up; report."""
        self.log.note('cascade-stop', 'stopped', detail=reason)
        self.cleanup()
        return self.finish(STOPPED, reason=reason)

    def _run_group(self, steps):
        """Run one group; None to go on, else the campaign's end state."""
        # A step that ended (done, or failed under on_failure: continue)
        # is never run again; one a past runner began is seen through.
        todo = [s for s in steps if self.item(recs.STEP, s['id'])[
            'state'] in (recs.PENDING, recs.RUNNING, recs.HANGING)]
        if self.failures() >= plan_mod.max_failures(self.plan):
            return self._stop('%d failure(s), max_failures is %d' % (
                self.failures(), plan_mod.max_failures(self.plan)))
        if len(todo) == 1:
            results = [self.run_step(todo[0])]
        else:
            with concurrent.futures.ThreadPoolExecutor(len(todo) or 1) as ex:
                results = list(ex.map(self.run_step, todo))
        failed = [s for s, ok in zip(todo, results) if not ok]
        if not failed:
            return None
        policies = {s.get('on_failure', 'stop') for s in failed}
        names = ', '.join(s['id'] for s in failed)
        if 'rollback' in policies:
            from upgrade_tempest_plugin.campaign import rollback
            return rollback.Rollback(self).run('step %s failed' % names)
        if 'stop' in policies:
            return self._stop('step %s failed' % names)
        if self.failures() >= plan_mod.max_failures(self.plan):
            return self._stop('%d failure(s), max_failures is %d' % (
                self.failures(), plan_mod.max_failures(self.plan)))
        return None

    # -- one step -----------------------------------------------------------

    def event(self, step_id, action, objects, ok, started, ended,
              error_code=None, detail=None):
        """The step event, in the store and in the campaign log."""
        obj = ','.join(objects or ()) or None
        outcome = 'ok' if ok else 'failed'
        values = {'ended_at': ended, 'seconds': round(ended - started, 3),
                  'step': step_id}
        if error_code:
            values['error_code'] = error_code
        if detail:
            values['detail'] = self.log.redact(detail)
        row = self.store.add_event(self.run_id, events.CAMPAIGN, action,
                                   service=obj, result=outcome,
                                   detail=values, at=started)
        self.log.step(step_id, obj, action, outcome, started, ended,
                      error_code, detail)
        return row

    def _pause(self, step):
        """Wait for ``campaign continue`` at a step marked ``pause``."""
        row = self.item(recs.STEP, step['id'])
        if row['detail'].get('paused') or row['state'] != recs.PENDING:
            return
        self.record(recs.STEP, step['id'], recs.PENDING,
                    detail={'waiting_for': 'pause'})
        self.log.note('pause', 'waiting', step=step['id'],
                      detail='upgrade-tempest campaign continue %s %s'
                      % (self.run_id, step['id']))
        self.wait_for(lambda: self.item(recs.STEP, step['id'])['detail'].get(
            'confirmed'))
        # The confirmation was the pause's, not the step's (manual).
        self.record(recs.STEP, step['id'], recs.PENDING,
                    detail={'waiting_for': None, 'confirmed': None,
                            'paused': True})

    def run_step(self, step):
        """Run ``step`` and its checks; True when both passed.

        A step a past runner began is finished, not begun again.
        """
        if step.get('pause'):
            self._pause(step)
        row = self.item(recs.STEP, step['id'])
        detail = row['detail'] or {}
        if 'outcome' in detail:
            # A past runner recorded the outcome; only the checks are left.
            ok, started, ended = (detail['outcome'] == 'ok',
                                  row['started_at'], row['ended_at'])
            objects = detail.get('objects', [])
            event = detail['event']
        else:
            ok, objects, started, ended, event = self._execute_step(
                step, row)
        error_code = None
        if ok:
            ok = self._run_checks(step, objects, event)
            # Its failed checks count as failures, not the step again.
            error_code = None if ok else CHECK_FAILED
        state = recs.DONE if ok else recs.FAILED
        self.record(recs.STEP, step['id'], state, error_code=error_code)
        for obj in objects:
            self.record(recs.OBJECT, step['id'], state, obj=obj)
        return ok

    def _execute_step(self, step, row):
        """Run the step's action (or see a past runner's through).

        A command a past runner started is waited for, not started again.
        One that is gone without an exit code (the machine rebooted) never
        finished: the step runs again, as a step not recorded done does.
        """
        step_id = step['id']
        handle = (row['detail'] or {}).get('handle')
        outcome = None
        if row['state'] in (recs.RUNNING, recs.HANGING) and handle:
            objects, started = row['detail']['objects'], row['started_at']
            self.log.note('resume', 'waiting', step=step_id,
                          detail='its command (pid %d) was started by a '
                          'past runner' % handle['pid'])
            outcome = self.wait(step, recs.STEP, step_id, started,
                                handle=handle)
            if outcome.error_code == actions.LOST:
                self.log.note('resume', 'lost', step=step_id,
                              detail=outcome.detail + '; running the step '
                              'again')
                outcome = None
        if outcome is None:
            started = self.clock()
            try:
                objects = self.driver.resolve(step)
            except drivers.DriverError as exc:
                # Nothing ran: the deployment could not say what to act on.
                objects, outcome = [], drivers.Outcome(
                    False, RESOLVE_FAILED, str(exc))
            # Written before the driver is called.
            self.record(recs.STEP, step_id, recs.RUNNING, started_at=started,
                        detail={'objects': objects, 'handle': None})
            for obj in objects:
                self.record(recs.OBJECT, step_id, recs.RUNNING, obj=obj,
                            started_at=started)
            if outcome is None:
                self.log.note('start', 'running', step=step_id,
                              obj=','.join(objects) or None)
                outcome = self.perform(step, recs.STEP, step_id, started,
                                       lambda: self.driver.upgrade(
                                           step, objects))
        ended = self.clock()
        event = self.event(step_id, step_id, step.get('services') or
                           objects, outcome.ok, started, ended,
                           outcome.error_code, outcome.detail)
        self.record(recs.STEP, step_id, recs.RUNNING, ended_at=ended,
                    error_code=outcome.error_code,
                    detail={'outcome': 'ok' if outcome.ok else 'failed',
                            'event': _event_key(event),
                            'why': outcome.detail})
        for obj in objects:
            self.record(recs.OBJECT, step_id, recs.RUNNING, obj=obj,
                        ended_at=ended)
        return outcome.ok, objects, started, ended, _event_key(event)

    # -- checks -------------------------------------------------------------

    def _run_checks(self, step, objects, event):
        ok = True
        for index, check in enumerate(step.get('checks') or ()):
            item = '%s#%d' % (step['id'], index)
            if self.item(recs.CHECK, item)['state'] in (recs.DONE,):
                continue
            self.record(recs.CHECK, item, recs.RUNNING,
                        started_at=self.clock())
            try:
                passed, text = self._check(step, objects, event, check)
            except Exception as exc:
                passed, text = False, '%s: %s' % (type(exc).__name__, exc)
            self.record(recs.CHECK, item,
                        recs.DONE if passed else recs.FAILED,
                        ended_at=self.clock(),
                        error_code=None if passed else CHECK_FAILED,
                        detail={'check': check, 'result': text})
            self.store.add_event(self.run_id, events.CAMPAIGN_NOTE, 'check',
                                 service=step['id'],
                                 result='pass' if passed else 'fail',
                                 detail={'check': index, 'text': text})
            self.log.note('check', 'passed' if passed else 'failed',
                          step=step['id'],
                          error_code=None if passed else CHECK_FAILED,
                          detail=text)
            ok = ok and passed
        return ok

    def _check(self, step, objects, event, check):
        if 'validators' in check:
            return self.phases.validators(check['validators'])
        if 'budget' in check:
            wait = event['ended_at'] + self.check_delay - self.clock()
            if wait > 0:
                self.sleep(wait)
            analysis = self.phases.analyse(self.driver.events_file())
            return checks_mod.budget(analysis, check['budget'],
                                     checks_mod.step_label(event))
        return checks_mod.status(self.driver.status(step, objects), objects,
                                 self.plan['to_release'])


def _event_key(row):
    """What of a step event the checks need (and the store keeps)."""
    return {'source': row['source'], 'action': row['action'],
            'service': row['service'], 'at': row['at'],
            'ended_at': row['detail']['ended_at'],
            'detail': {'ended_at': row['detail']['ended_at']}}
