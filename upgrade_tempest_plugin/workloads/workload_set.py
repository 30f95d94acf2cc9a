"""Create-or-verify, verify, destroy and clean up one run's workloads.

The ledger in the store is the truth about what a run created: every
resource is recorded *before* its create request (name only) and again
right after it (with its id), so an interrupted run leaves nothing the
ledger does not know.  ``upgrade-tempest cleanup --run ID`` and the
destroy phase both delete what the ledger lists, in reverse order.
"""

import contextlib
import logging

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.workloads import guard as guard_mod
from upgrade_tempest_plugin.workloads import resources as resources_mod

LOG = logging.getLogger(__name__)

WORKLOAD = 'workload'     # ledger kind of a workload's own entry
SOURCE = events.WORKLOADS      # event source in the store
CASCADE_ACTION = 'cascade-stop'


class CachingLedger:
    """The store, with ledger lookups answered from one read when asked.

    Verification looks up every resource of every workload by name; 500
    workloads are some 1500 lookups, which one query each made cost
    seconds.  Inside :meth:`WorkloadSet.reading` the run's live entries
    are read in one query and kept until this process writes to the
    ledger; outside it every lookup reads the store (other processes may
    have changed the ledger).  Any other store call goes straight through.
    """

    WRITES = ('record_workload', 'set_workload_state',
              'mark_workload_deleted')

    def __init__(self, store, run_id):
        self._store = store
        self._run_id = run_id
        self._entries = None
        self.readers = 0

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if name not in self.WRITES:
            return attr

        def write(*args, **kwargs):
            self._entries = None
            return attr(*args, **kwargs)
        return write

    def entry(self, kind, name):
        """The live entry (kind, name) of the run, or None."""
        if not self.readers:
            entry = self._store.get_workload(self._run_id, kind, name)
            if entry is None or entry.get('deleted_at') is not None:
                return None
            return entry
        if self._entries is None:
            self._entries = {(e['kind'], e['name']): e for e in
                             self._store.list_workloads(self._run_id)}
        return self._entries.get((kind, name))

    def forget(self):
        self._entries = None


class WorkloadSet:
    """The workloads of one run, owned by one account."""

    def __init__(self, store, run_id, resources, settings,
                 max_failed_creates=3):
        self.store = CachingLedger(store, run_id)
        self.run_id = run_id
        self.resources = resources
        self.settings = settings
        self.inventory = resources_mod.Inventory(resources)
        self.guard = guard_mod.CreateGuard(max_failed_creates,
                                           on_trip=self._record_trip)
        self.notes = []
        self._undo = None
        previous = self._previous_trip()
        if previous:
            self.guard.trip('an earlier process of run %s stopped '
                            'creating: %s' % (run_id, previous))

    # Names and ledger ---------------------------------------------------

    def resource_name(self, workload, role):
        return 'upgrade-%s-%s-%s' % (self.run_id, workload.replace('_', '-'),
                                     role)

    def entry(self, rtype, name):
        """The live ledger entry of ``rtype`` ``name``, or None."""
        return self.store.entry(rtype, name)

    @contextlib.contextmanager
    def reading(self):
        """Ledger lookups inside come from one read of the run's ledger."""
        self.store.readers += 1
        try:
            yield self
        finally:
            self.store.readers -= 1
            if not self.store.readers:
                self.store.forget()

    def entries(self, workload=None):
        """Live ledger entries (resources only), in creation order."""
        return [e for e in self.store.list_workloads(self.run_id)
                if e['kind'] != WORKLOAD and
                (workload is None or e['parent'] == workload)]

    def recorded(self, workload, role, rtype):
        """The ledger entry of one role of a workload (or None)."""
        return self.entry(rtype, self.resource_name(workload, role))

    def _record_trip(self, report):
        try:
            self.store.add_event(self.run_id, SOURCE, CASCADE_ACTION,
                                 result='stopped', detail=report)
        except Exception:   # the report still reaches the test result
            LOG.exception('could not record the cascade stop')

    def _previous_trip(self):
        list_events = getattr(self.store, 'list_events', None)
        if list_events is None:
            return None
        for event in list_events(self.run_id):
            if (event.get('source') == SOURCE and
                    event.get('action') == CASCADE_ACTION):
                return event.get('detail') or 'cascade stop'
        return None

    # Creating -----------------------------------------------------------

    @contextlib.contextmanager
    def creating(self, workload, service, kind):
        """Create-or-verify one workload; undo this call's creates on error.

        The cleanup of each create is registered at once (an undo list);
        on success the resources stay, listed in the ledger, for the
        post-upgrade and destroy phases.
        """
        self.store.record_workload(self.run_id, WORKLOAD, workload, None,
                                   service, attrs={'kind': kind})
        self._undo = []
        try:
            yield self
        except BaseException as exc:
            undo, self._undo = self._undo, None
            # A create interrupted in flight (SIGINT) may still be carried
            # out by the service after this lookup: its name stays in the
            # ledger for the next destroy (``upgrade-tempest cleanup``).  A
            # create that failed got its answer: nothing comes later.
            problems = self.delete_entries(
                reversed(undo), keep_unfound=not isinstance(exc, Exception))
            if problems:
                self.notes.extend(problems)
            self.store.set_workload_state(self.run_id, WORKLOAD, workload,
                                          'failed')
            raise
        self._undo = None
        self.store.set_workload_state(self.run_id, WORKLOAD, workload,
                                      'created')

    def ensure(self, workload, role, rtype, create, ready=None, exists=None,
               attrs=None):
        """Return the resource of ``role``: the recorded one, else a new one.

        ``create(name)`` sends the create request and returns the resource
        (a dict with ``id``); ``ready(resource)`` waits until it is usable
        and returns it; ``exists(entry)`` tells whether a recorded resource
        is still there (default: it is in the inventory).
        """
        name = self.resource_name(workload, role)
        service = self.resources.service_of(rtype)
        entry = self.entry(rtype, name)
        if entry and entry['resource_id']:
            if exists is not None:
                found = exists(entry)
            else:
                found = self.inventory.get(rtype, entry['resource_id'])
            if found:
                return found
            self.notes.append('%s %s (%s) was recorded but is gone; '
                              'created again' % (rtype, name,
                                                 entry['resource_id']))
        elif entry:
            # An interrupted create: adopt what carries the name.
            for found in self.resources.find_by_name(rtype, name):
                self.store.record_workload(
                    self.run_id, rtype, name, found['id'], service,
                    attrs=attrs, parent=workload)
                self.store.set_workload_state(self.run_id, rtype, name,
                                              'created')
                if ready:
                    found = self.guard.create('%s %s' % (rtype, name),
                                              ready, found)
                return found
        # Recorded before the request: an interrupted create leaves a name
        # the cleanup can find.
        pending = self.store.record_workload(
            self.run_id, rtype, name, None, service, attrs=attrs,
            parent=workload)
        self.store.set_workload_state(self.run_id, rtype, name, 'creating')
        undo = self._undo if self._undo is not None else []
        undo.append(pending)
        resource = self.guard.create('create %s %s' % (rtype, name),
                                     create, name)
        undo[-1] = self.store.record_workload(
            self.run_id, rtype, name, resource['id'], service,
            attrs=attrs, parent=workload)
        self.store.set_workload_state(self.run_id, rtype, name, 'created')
        if ready:
            resource = self.guard.create('wait for %s %s' % (rtype, name),
                                         ready, resource)
        self.inventory.forget(rtype)
        return resource

    def update_attrs(self, rtype, name, state, **attrs):
        self.store.set_workload_state(self.run_id, rtype, name, state,
                                      attrs=attrs)

    # Resources any kind may need ------------------------------------------
    # A kind asks for another service's resource here (a server's volume),
    # never through another kind.

    def ensure_volume(self, workload, role, ready=('available',),
                      attrs=None, **fields):
        """The volume of ``role``, in a ``ready`` status.

        ``fields`` go to the create request (``size`` defaults to
        ``[upgrade_workloads] volume_size``; ``imageRef``,
        ``snapshot_id``).
        """
        fields.setdefault('size', self.settings.volume_size)
        volumes = self.resources.volumes
        return self.ensure(
            workload, role, 'volume',
            lambda name: volumes.create_volume(name=name, **fields)['volume'],
            ready=lambda v: self.resources.wait_for('volume', v['id'], ready),
            attrs=attrs)

    def ensure_security_group(self, workload, role):
        """The security group of ``role``; it lets ssh (tcp 22) in."""
        def create(name):
            group = self.resources.security_groups.create_security_group(
                name=name, description='upgrade-tempest-plugin workload')[
                    'security_group']
            rules = self.resources.clients.security_group_rules_client
            rules.create_security_group_rule(
                security_group_id=group['id'], direction='ingress',
                protocol='tcp', port_range_min=22, port_range_max=22,
                ethertype='IPv4')
            return group
        return self.ensure(workload, role, 'security_group', create)

    def ensure_network(self, workload, role):
        """The network of ``role``."""
        return self.ensure(
            workload, role, 'network',
            lambda name: self.resources.networks.create_network(
                name=name)['network'])

    def ensure_port(self, workload, role, network_id):
        """The port of ``role`` on the network ``network_id``."""
        return self.ensure(
            workload, role, 'port',
            lambda name: self.resources.ports.create_port(
                name=name, network_id=network_id)['port'])

    # Deleting -----------------------------------------------------------

    def delete_entries(self, entries, keep_unfound=False):
        """Delete the resources of the ledger ``entries``, in that order.

        Returns the list of problems; what is deleted is marked so in the
        ledger.  An entry without a resource id (its create was
        interrupted) is looked up by name; ``keep_unfound``: when nothing
        carries its name it stays in the ledger instead of being marked
        deleted.
        """
        problems = []
        for entry in entries:
            if entry['kind'] == WORKLOAD:
                continue
            try:
                if entry['resource_id']:
                    self.resources.delete(entry)
                else:
                    found = self.resources.find_by_name(entry['kind'],
                                                        entry['name'])
                    for resource in found:
                        self.resources.delete(dict(
                            entry, resource_id=resource['id']))
                    if not found and keep_unfound:
                        continue
            except Exception as exc:
                problems.append('could not delete %s %s (%s): %s' % (
                    entry['kind'], entry['name'], entry['resource_id'],
                    exc))
                continue
            self.store.mark_workload_deleted(self.run_id, entry['kind'],
                                             entry['name'])
        self.inventory.forget()
        return problems

    def destroy(self, workload=None):
        """Delete the run's resources (of one workload) in reverse order.

        Returns the list of problems (empty: everything is gone).
        """
        entries = self.entries(workload)
        problems = self.delete_entries(reversed(entries))
        # Confirm: nothing the ledger listed is left.
        for entry in entries:
            rtype = entry['kind']
            if rtype in ('volume_attachment', 'router_interface') or \
                    not entry['resource_id']:
                continue
            if self.inventory.get(rtype, entry['resource_id']):
                problems.append('%s %s (%s) is still there after delete' % (
                    rtype, entry['name'], entry['resource_id']))
        if not problems:
            for entry in self.store.list_workloads(self.run_id,
                                                   kind=WORKLOAD):
                if workload is None or entry['name'] == workload:
                    self.store.mark_workload_deleted(self.run_id, WORKLOAD,
                                                     entry['name'])
        return problems
