"""Cinder's workload kind: a volume with a snapshot."""

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.workloads.kinds import base
from upgrade_tempest_plugin.workloads import waiters


class VolumeWithSnapshot(base.Kind):
    """A volume with a snapshot."""
    name = 'volume_with_snapshot'
    service = 'volume'
    needs = ('cinder',)
    roles = (('volume', 'volume'), ('snapshot', 'snapshot'))

    def create_or_verify(self, ws):
        r = ws.resources
        size = ws.settings.volume_size
        volume = ws.ensure_volume(self.name, 'volume', attrs={'size': size})
        ws.ensure(
            self.name, 'snapshot', 'snapshot',
            lambda name: r.snapshots.create_snapshot(
                volume_id=volume['id'], name=name)['snapshot'],
            ready=lambda v: r.wait_for('snapshot', v['id'], ('available',)),
            attrs={'volume_id': volume['id'], 'size': volume['size']})

    def verify(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        v_entry, volume = self.lookup(ws, 'volume', 'volume', entries,
                                      problems)
        s_entry, snap = self.lookup(ws, 'snapshot', 'snapshot', entries,
                                    problems)
        if volume:
            problems += filter(None, [base.status_problem(
                'volume', v_entry, volume, ('available',))])
            size = v_entry['attrs'].get('size')
            if size and volume.get('size') != size:
                problems.append('volume %s has size %s, expected %s' % (
                    v_entry['name'], volume.get('size'), size))
        if snap:
            problems += filter(None, [base.status_problem(
                'snapshot', s_entry, snap, ('available',))])
            if snap.get('volume_id') != v_entry['resource_id']:
                problems.append('snapshot %s belongs to volume %s, '
                                'expected %s' % (s_entry['name'],
                                                 snap.get('volume_id'),
                                                 v_entry['resource_id']))
        return problems

    def act(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        problems += self.restore(ws, entries['snapshot'])
        problems += self.extend(ws, entries['volume'])
        return problems

    def restore(self, ws, s_entry):
        """The snapshot's data still makes a volume (deleted again)."""
        problems = []
        try:
            restored = ws.ensure_volume(
                self.name, 'restored', snapshot_id=s_entry['resource_id'],
                size=s_entry['attrs'].get('size') or ws.settings.volume_size)
            expected = s_entry['attrs'].get('size')
            if expected and restored.get('size') != expected:
                problems.append('volume restored from snapshot %s has size '
                                '%s, expected %s' % (s_entry['name'],
                                                     restored.get('size'),
                                                     expected))
        except (lib_exc.TempestException, waiters.ErrorStatus) as exc:
            problems.append('snapshot %s (%s) could not be restored to a '
                            'new volume: %s' % (s_entry['name'],
                                                s_entry['resource_id'], exc))
        finally:
            restored_entry = ws.recorded(self.name, 'restored', 'volume')
            if restored_entry:
                problems += ws.delete_entries([restored_entry])
        return problems

    def extend(self, ws, v_entry):
        """The volume can still grow; its new size is the expectation."""
        r = ws.resources
        new_size = (v_entry['attrs'].get('size') or 1) + 1
        try:
            r.volumes.extend_volume(v_entry['resource_id'],
                                    new_size=new_size)
            waiters.wait_for_status(
                lambda i: r.show('volume', i), v_entry['resource_id'],
                (new_size,), r.timeout, r.interval, field='size',
                what='volume %s' % v_entry['name'])
            r.wait_for('volume', v_entry['resource_id'], ('available',))
            ws.update_attrs('volume', v_entry['name'], 'extended',
                            size=new_size)
        except (lib_exc.TempestException, waiters.ErrorStatus) as exc:
            return ['volume %s (%s) could not be extended to %s GiB: %s' % (
                v_entry['name'], v_entry['resource_id'], new_size, exc)]
        return []
