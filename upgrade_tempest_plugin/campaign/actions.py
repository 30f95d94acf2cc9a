"""Seeing a driver's action through to an outcome.

:class:`Actions` is a part of :class:`.runner.Runner`: it calls the driver
and, for a :class:`~.drivers.base.Command`, runs it as a supervised child
(:mod:`.executor`) whose handle goes to the status table first; for
:data:`~.drivers.base.WAIT`, waits until ``campaign continue`` or the
callback says how the step ended.  While it waits, :class:`Watch` raises
the hanging alarm once the step runs past ``hang_factor`` x its
``expected_seconds``, and asks the driver for the status of its objects
now and then.
"""

import os

from upgrade_tempest_plugin.campaign.drivers import base as drivers
from upgrade_tempest_plugin.campaign import executor
from upgrade_tempest_plugin.campaign import plan as plan_mod
from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.store import campaigns as recs

#: Error code of a command gone without an exit code.
LOST = executor.LOST
#: Seconds between two polls of a step's status.
POLL = 0.5
#: Seconds between two ``driver.status()`` queries of a running step.
STATUS_INTERVAL = 10.0


class Actions(object):
    """Driver actions, a part of :class:`.runner.Runner`.

    Needs ``driver``, ``work_dir``, ``log``, ``store``, ``run_id``,
    ``plan``, ``clock``, ``sleep``, ``item`` and ``record`` beside it.
    """

    def perform(self, step, kind, item, started, call):
        """Call the driver and see its action through to an outcome."""
        try:
            action = call()
        except Exception as exc:
            return drivers.Outcome(False, 'driver-error', '%s: %s' % (
                type(exc).__name__, exc))
        if isinstance(action, drivers.Outcome):
            return action
        if isinstance(action, drivers.Command):
            name = item.replace(':', '-').replace('/', '-')
            handle = executor.start(
                action, os.path.join(self.work_dir, name + '.log'),
                os.path.join(self.work_dir, name + '.result.json'),
                shown=self.log.redact(' '.join(action.argv)))
            self.record(kind, item, recs.RUNNING, detail={'handle': handle})
            return self.wait(step, kind, item, started, handle=handle)
        self.record(kind, item, recs.RUNNING,
                    detail={'waiting_for': 'action'})
        return self.wait(step, kind, item, started)

    def wait(self, step, kind, item, started, handle=None):
        deadline = started + step['timeout_seconds']
        watch = Watch(self, step, kind, item, started)
        if handle is None:
            return self._wait_confirmation(kind, item, deadline, watch)
        returncode = executor.wait(handle, deadline, on_poll=watch,
                                   clock=self.clock)
        if returncode == executor.TIMED_OUT:
            return drivers.Outcome(False, 'timeout', 'stopped after its '
                                   'timeout of %s s'
                                   % step['timeout_seconds'])
        if returncode == executor.LOST:
            return drivers.Outcome(False, LOST, 'its command (pid %d) '
                                   'ended without an exit code'
                                   % handle['pid'])
        outcome = self.driver.outcome(returncode)
        if not outcome.ok:
            outcome = outcome._replace(detail='%s; output in %s' % (
                outcome.detail, handle['log']))
        return outcome

    def _wait_confirmation(self, kind, item, deadline, watch):
        """Until ``campaign continue`` or the callback says how it ended."""
        def confirmed():
            watch()
            return self.item(kind, item)['detail']

        try:
            detail = waits.until(confirmed, deadline - self.clock(), POLL,
                                 done=lambda d: d.get('confirmed'),
                                 clock=self.clock, sleep=self.sleep)
        except waits.TimedOut:
            return drivers.Outcome(False, 'timeout',
                                   'nobody said it was done in time')
        ok = detail['confirmed'] == 'done'
        return drivers.Outcome(ok, None if ok else 'reported-failed',
                               'reported %s by %s' % (
                                   detail['confirmed'],
                                   detail.get('by', 'the operator')))


class Watch(object):
    """Called at every poll of a running step or rollback.

    Raises the hanging alarm once, and asks the driver for the status of
    the step's objects now and then.
    """

    def __init__(self, runner, step, kind, item, started):
        self.runner = runner
        self.step = step
        self.kind = kind
        self.item = item
        self.hang_at = started + plan_mod.hang_factor(
            runner.plan) * step['expected_seconds']
        self.alarmed = runner.item(kind, item)['state'] == recs.HANGING
        self.next_status = started + STATUS_INTERVAL
        self.status_failed = False

    def __call__(self):
        runner = self.runner
        now = runner.clock()
        if not self.alarmed and now >= self.hang_at:
            self.alarmed = True
            runner.record(self.kind, self.item, recs.HANGING)
            text = ('running for more than %s x its expected %s s'
                    % (plan_mod.hang_factor(runner.plan),
                       self.step['expected_seconds']))
            runner.store.add_event(runner.run_id, events.CAMPAIGN_NOTE,
                                   'alarm:hanging', service=self.item,
                                   result='hanging', detail={'text': text},
                                   at=now)
            runner.log.note('alarm', 'hanging', step=self.item,
                            error_code='hanging', detail=text)
        if (self.kind == recs.STEP and runner.driver.REPORTS_STATUS and
                now >= self.next_status):
            self.next_status = now + STATUS_INTERVAL
            objects = runner.item(self.kind, self.item)['detail'].get(
                'objects') or []
            try:
                statuses = runner.driver.status(self.step, objects)
            except drivers.DriverError as exc:
                # The step goes on; its status check will say it again.
                if not self.status_failed:
                    runner.log.note('status', 'unknown', step=self.item,
                                    detail=str(exc))
                self.status_failed = True
                return
            for status in statuses:
                runner.record(recs.OBJECT, self.item, recs.RUNNING,
                              obj=status.object,
                              detail={'status': status.state,
                                      'release': status.release})
