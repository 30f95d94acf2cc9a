"""The base of every workload kind, and the problems kinds report.

A kind is a class with ``create_or_verify(ws)`` (one code path: what the
ledger lists and still exists is kept, anything else is created),
``verify(ws)`` (state, attachments, data; returns a list of problems,
reading every resource from the inventory, one list call per type) and
``act(ws)`` (the resource still accepts actions; returns problems).
Resources are recorded in the ledger under the workload's name, so the
destroy phase deletes them in reverse order of creation.

A kind reaches the cloud only through the workload set ``ws`` it is
given (:class:`~upgrade_tempest_plugin.workloads.WorkloadSet`): its
``ensure`` and ``ensure_*`` methods for resources, including those of
another service (a server's volume), ``resources`` for the actions of its
own service.  It never calls another kind.
"""

#: Ledger state of a server while the plugin stops and starts it.
STOPPING = 'stop-start'


def missing_problem(rtype, entry):
    """The problem of a recorded resource that is not in the cloud."""
    return '%s %s (%s) is gone' % (rtype, entry['name'],
                                   entry['resource_id'])


def status_problem(rtype, entry, resource, wanted, field='status'):
    """The problem of ``resource`` when its ``field`` is not ``wanted``."""
    if resource.get(field) not in wanted:
        hint = ''
        if entry.get('state') == STOPPING:
            hint = (' (a stop/start action of an earlier post-upgrade run '
                    'was interrupted)')
        return '%s %s (%s) has %s %r, expected %s%s' % (
            rtype, entry['name'], entry['resource_id'], field,
            resource.get(field), ' or '.join(str(w) for w in wanted), hint)
    return None


class Kind:
    """One workload kind.

    Subclasses set the attributes and the three methods; the entry-point
    name of a kind is its ``name``.
    """

    #: Workload name: ledger names derive from it, never change it.
    name = None
    #: The service profile that owns the kind.
    service = None
    #: [service_available] flags the kind needs.
    needs = ()
    #: role -> resource type, in creation order.
    roles = ()
    #: Resource types the project does not know, by name: a
    #: :class:`~upgrade_tempest_plugin.workloads.resources.ResourceType`
    #: each, so the workload set can list, wait for and delete them.
    resource_types = {}

    def create_or_verify(self, ws):
        raise NotImplementedError

    def verify(self, ws):
        raise NotImplementedError

    def act(self, ws):
        raise NotImplementedError

    def entries(self, ws):
        """{role: ledger entry} of what the ledger lists for this kind."""
        found = {}
        for role, rtype in self.roles:
            entry = ws.recorded(self.name, role, rtype)
            if entry is not None and entry.get('deleted_at') is None:
                found[role] = entry
        return found

    def check_recorded(self, ws):
        """Problems if the ledger does not list the whole workload."""
        entries = self.entries(ws)
        missing = [role for role, _ in self.roles if role not in entries or
                   not entries[role]['resource_id']]
        if missing:
            return entries, ['workload %s of run %s is not (completely) '
                             'recorded: no %s in the ledger; did the '
                             'pre-upgrade phase run with this run id?' % (
                                 self.name, ws.run_id,
                                 ', '.join(str(m) for m in missing))]
        return entries, []

    def lookup(self, ws, role, rtype, entries, problems):
        entry = entries[role]
        resource = ws.inventory.get(rtype, entry['resource_id'])
        if resource is None:
            problems.append(missing_problem(rtype, entry))
        return entry, resource
