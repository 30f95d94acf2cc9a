"""The driver interface and the driver registry.

A driver talks to one deployment tool.  It is a class registered in the
entry-point group :data:`NAMESPACE` (loaded with stevedore, so a driver of
another package plugs in the same way) with:

``CONFIG_SCHEMA``
    JSON schema of its ``driver.config`` in the plan;
``ACTION_SCHEMA``
    JSON schema of a step's ``action`` and ``rollback``;
``RESTORES_BACKUP``
    whether :meth:`Driver.rollback` can undo a step without a rollback
    action, from the backup :meth:`Driver.backup` took;
``REPORTS_STATUS``
    whether :meth:`Driver.status` knows the state and release of the
    objects (a plan's ``status`` checks need it).

and the methods of :class:`Driver`: ``validate`` (offline, beyond the
schemas), ``resolve`` (a step's services and roles -> the objects it acts
on, at run time), ``backup``, ``upgrade``, ``rollback`` and ``status``.
``upgrade`` and ``rollback`` return a :class:`Command` (the runner runs it
as a supervised child process that survives the runner, so a resumed
campaign waits for it instead of running it twice), an :class:`Outcome`
(the driver did the work itself) or :data:`WAIT` (the operator or the
deployment tool says when it is done: ``campaign continue`` or the
callback endpoint).
"""

import collections

import stevedore

from upgrade_tempest_plugin.campaign import plan as plan_mod

NAMESPACE = 'upgrade_tempest_plugin.drivers'

#: A command line for the runner to run: ``argv``, extra ``env`` (None:
#: the runner's environment), ``cwd``.
Command = collections.namedtuple('Command', 'argv env cwd')
Command.__new__.__defaults__ = (None, None)

#: How an action ended: ``ok`` (bool), ``error_code`` (None when ok),
#: ``detail`` (one line).
Outcome = collections.namedtuple('Outcome', 'ok error_code detail')
Outcome.__new__.__defaults__ = (None, None)

#: ``upgrade``/``rollback`` return it when someone else says when the step
#: is done.
WAIT = 'wait'

#: What ``status`` says of one object: ``object``, ``state`` (``up``,
#: ``down``, ...), ``release`` (None when unknown).
ObjectStatus = collections.namedtuple('ObjectStatus', 'object state release')

OK = Outcome(True)


class DriverError(Exception):
    """The driver could not ask the deployment (its inventory, its hosts).

    ``resolve`` raising it fails the step (error code ``resolve-failed``)
    before anything runs; ``status`` raising it fails the ``status``
    check with the message.
    """


class Context(object):
    """What a driver knows of the campaign it runs in.

    ``from_release``, ``to_release`` of the plan; ``work_dir``: the
    campaign's directory (backups go there); ``say``: prints one line of
    progress; ``run_id``: the campaign's run.
    """

    def __init__(self, from_release, to_release, work_dir=None, say=None,
                 run_id=None):
        self.from_release = from_release
        self.to_release = to_release
        self.work_dir = work_dir
        self.say = say or (lambda text: None)
        self.run_id = run_id


class Driver(object):
    """Base of the drivers; see the module for the interface."""

    NAME = None
    DESCRIPTION = ''
    CONFIG_SCHEMA = {'type': 'object'}
    ACTION_SCHEMA = {'type': 'object'}
    RESTORES_BACKUP = False
    #: Whether :meth:`status` knows the objects' state (``status`` checks).
    REPORTS_STATUS = False

    def __init__(self, config, context):
        self.config = config or {}
        self.context = context

    def validate(self, plan):
        """Offline problems of ``plan`` the schemas cannot see."""
        return []

    def resolve(self, step):
        """The objects ``step`` acts on (default: its services)."""
        return list(step.get('services') or ())

    def backup(self):
        """Save what a rollback needs; returns a JSON-able description.

        None: this driver takes no backup.
        """
        return None

    def upgrade(self, step, objects):
        raise NotImplementedError

    def rollback(self, step, objects, backup):
        """Undo ``step``: its ``rollback`` action, else ``backup``."""
        raise NotImplementedError

    def status(self, step, objects):
        """[:class:`ObjectStatus`] of ``objects``; [] when unknown."""
        return []

    def events_file(self):
        """The tool's own step log (JSON lines of ``events.py``), if any.

        The run analysis imports it, so downtime is also tied to the
        tool's finer steps (the sandbox's stop, migrate, switch...).
        """
        return None

    def outcome(self, returncode):
        """The :class:`Outcome` of a command's exit code."""
        if returncode == 0:
            return OK
        return Outcome(False, 'exit-%d' % returncode,
                       'exited with code %d' % returncode)


def names():
    """The registered driver names."""
    return sorted(stevedore.ExtensionManager(NAMESPACE).names())


def driver_class(name):
    """The class of driver ``name`` (KeyError when none is registered)."""
    manager = stevedore.ExtensionManager(NAMESPACE)
    if name not in manager.names():
        raise KeyError(name)
    return manager[name].plugin


def load(plan, context):
    """The plan's driver, configured."""
    cls = driver_class(plan['driver']['name'])
    return cls(plan['driver'].get('config') or {}, context)


def config_problems(cls, config):
    return plan_mod.schema_problems(config, cls.CONFIG_SCHEMA,
                                    ('driver', 'config'))


def action_problems(cls, action, path):
    return plan_mod.schema_problems(action, cls.ACTION_SCHEMA, path)
