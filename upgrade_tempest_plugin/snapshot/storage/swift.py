"""A storage server that is an OpenStack Swift container (openstacksdk).

``swift:CONTAINER`` on the cloud that openstacksdk's usual configuration
names (``OS_CLOUD`` and clouds.yaml, or ``OS_*`` variables).  Objects
``bundles/<name>.json`` hold the indexes, ``blobs/<sha256>.gz`` the blobs;
a blob larger than :data:`SEGMENT_SIZE` is uploaded in segments (a static
large object, openstacksdk's ``create_object``), a smaller one in one
streamed PUT.

Expiry: with ``$UPGRADE_TEMPEST_SNAPSHOT_DELETE_AFTER`` (a duration, at
least 48 h) a pushed bundle's index and every blob it uses get Swift's
``X-Delete-After``, so Swift itself removes them even if nobody prunes.  A
blob shared with an older bundle gets the new, later expiry: it lives as
long as the newest bundle that uses it.
"""

import json
import os

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.snapshot.storage import base

SEGMENT_SIZE = 256 * 1024 * 1024
DELETE_AFTER_ENV = 'UPGRADE_TEMPEST_SNAPSHOT_DELETE_AFTER'
_BUNDLES = 'bundles/'
_BLOBS = 'blobs/'


def _connect():
    import openstack
    return openstack.connect()


class SwiftBackend(base.Backend):

    scheme = 'swift'

    def __init__(self, location, connection=None):
        super().__init__(location)
        self._conn = connection
        self.delete_after = self._delete_after()

    @staticmethod
    def _delete_after():
        from upgrade_tempest_plugin.snapshot.storage import remote
        text = os.environ.get(DELETE_AFTER_ENV)
        if not text:
            return None
        seconds = remote.parse_duration(text)
        if seconds < remote.MIN_RETENTION:
            raise exceptions.UserError(
                '$%s %s is less than the 48 h every bundle is kept'
                % (DELETE_AFTER_ENV, text))
        return int(seconds)

    @property
    def conn(self):
        if self._conn is None:
            self._conn = _connect()
            self._conn.object_store.create_container(self.location)
        return self._conn

    @property
    def _store(self):
        return self.conn.object_store

    def _headers(self):
        if self.delete_after is None:
            return {}
        return {'x-delete-after': str(self.delete_after)}

    def _exists(self, name):
        from openstack import exceptions as os_exc
        try:
            self._store.get_object_metadata(name, container=self.location)
            return True
        except os_exc.NotFoundException:
            return False

    def has_blob(self, sha256):
        found = self._exists(_BLOBS + sha256 + '.gz')
        if found and self.delete_after is not None:
            # shared with this push: live as long as it
            self._store.set_object_metadata(
                _BLOBS + sha256 + '.gz', container=self.location,
                delete_after=self.delete_after)
        return found

    def put_blob(self, sha256, path):
        name = _BLOBS + sha256 + '.gz'
        if os.path.getsize(path) > SEGMENT_SIZE:
            self._store.create_object(
                self.location, name, filename=path,
                segment_size=SEGMENT_SIZE, **self._headers())
            return
        # One PUT, streamed from the file.  (openstacksdk's filename=
        # upload asks the cluster's /info for its large-object limits
        # first, and fails on a cluster without the SLO middleware.)
        with open(path, 'rb') as f:
            self._store.create_object(self.location, name, data=f,
                                      **self._headers())

    def get_blob(self, sha256, path):
        with open(path, 'wb') as f:
            for chunk in self._store.stream_object(
                    _BLOBS + sha256 + '.gz', container=self.location):
                f.write(chunk)

    def delete_blob(self, sha256):
        self._store.delete_object(_BLOBS + sha256 + '.gz',
                                  container=self.location,
                                  ignore_missing=True)

    def list_blobs(self):
        # a listing gives each object's size as "bytes"
        return {o.name[len(_BLOBS):-3]: o.content_length or o._bytes or 0
                for o in self._store.objects(self.location, prefix=_BLOBS)
                if o.name.endswith('.gz')}

    def put_index(self, name, index):
        self._store.create_object(
            self.location, _BUNDLES + name + '.json',
            data=json.dumps(index, sort_keys=True).encode(),
            **self._headers())

    def get_index(self, name):
        from openstack import exceptions as os_exc
        try:
            data = self._store.download_object(_BUNDLES + name + '.json',
                                               container=self.location)
        except os_exc.NotFoundException:
            return None
        return json.loads(data)

    def list_indexes(self):
        names = [o.name[len(_BUNDLES):-5] for o in self._store.objects(
            self.location, prefix=_BUNDLES) if o.name.endswith('.json')]
        indexes = [self.get_index(n) for n in sorted(names)]
        # one deleted (or expired) meanwhile reads as None
        return [i for i in indexes if i is not None]

    def delete_index(self, name):
        self._store.delete_object(_BUNDLES + name + '.json',
                                  container=self.location,
                                  ignore_missing=True)
