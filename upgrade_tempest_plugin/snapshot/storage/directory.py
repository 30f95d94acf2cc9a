"""A storage server that is a directory (local, or mounted: NFS, sshfs).

``<dir>/bundles/<name>.json`` holds the indexes, ``<dir>/blobs/<aa>/<sha256>
.gz`` the blobs.  Every file is written to a temporary name and renamed,
so a reader never sees half a file and an interrupted push leaves at most
an unreferenced blob that the next prune removes.
"""

import json
import os
import shutil
import tempfile

from upgrade_tempest_plugin.snapshot.storage import base


class DirectoryBackend(base.Backend):

    scheme = 'dir'

    def __init__(self, location):
        super().__init__(os.path.abspath(os.path.expanduser(location)))
        self._bundles = os.path.join(self.location, 'bundles')
        self._blobs = os.path.join(self.location, 'blobs')

    def _blob_path(self, sha256):
        return os.path.join(self._blobs, sha256[:2], sha256 + '.gz')

    def _index_path(self, name):
        return os.path.join(self._bundles, name + '.json')

    @staticmethod
    def _atomic_copy(src, dst):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dst), suffix='.tmp')
        try:
            with os.fdopen(fd, 'wb') as out, open(src, 'rb') as f:
                shutil.copyfileobj(f, out)
            os.replace(tmp, dst)
        except BaseException:
            os.unlink(tmp)
            raise

    def has_blob(self, sha256):
        return os.path.isfile(self._blob_path(sha256))

    def put_blob(self, sha256, path):
        self._atomic_copy(path, self._blob_path(sha256))

    def get_blob(self, sha256, path):
        shutil.copyfile(self._blob_path(sha256), path)

    def delete_blob(self, sha256):
        try:
            os.unlink(self._blob_path(sha256))
        except FileNotFoundError:
            pass

    def list_blobs(self):
        blobs = {}
        if not os.path.isdir(self._blobs):
            return blobs
        for top, _dirs, files in os.walk(self._blobs):
            for name in files:
                if name.endswith('.gz'):
                    blobs[name[:-3]] = os.path.getsize(
                        os.path.join(top, name))
        return blobs

    def put_index(self, name, index):
        os.makedirs(self._bundles, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._bundles, suffix='.tmp')
        try:
            with os.fdopen(fd, 'w') as f:
                json.dump(index, f, sort_keys=True)
            os.replace(tmp, self._index_path(name))
        except BaseException:
            os.unlink(tmp)
            raise

    def get_index(self, name):
        try:
            with open(self._index_path(name)) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def list_indexes(self):
        if not os.path.isdir(self._bundles):
            return []
        indexes = [self.get_index(n[:-5]) for n in sorted(
            os.listdir(self._bundles)) if n.endswith('.json')]
        # one deleted meanwhile reads as None
        return [i for i in indexes if i is not None]

    def delete_index(self, name):
        try:
            os.unlink(self._index_path(name))
        except FileNotFoundError:
            pass
