"""What a storage backend does: keep blobs by content hash and indexes.

A storage server holds each pushed bundle as an *index* (its manifest,
when it was pushed, its size) plus one *blob* per file, named by the
file's SHA-256: a second export of the same cloud shares every file that
did not change (a database dump of an idle service, say) with the first,
the way external snapshots share a base image.  Blobs are stored gzip
compressed.  :mod:`.remote` builds push, pull, list, delete and prune on
these few primitives, so a backend is small; backends are found by the
``upgrade_tempest_plugin.snapshot_backends`` entry points.

Third-party backend::

    class S3Backend(base.Backend):
        scheme = 's3'
        def __init__(self, location): ...
        # and the abstract methods below

    # setup.cfg
    [entry_points]
    upgrade_tempest_plugin.snapshot_backends =
        s3 = my_package.s3:S3Backend
"""

import abc


class Backend(metaclass=abc.ABCMeta):
    """A storage server; ``location`` is what follows ``scheme:``."""

    #: The scheme of a remote's spec (``dir:/srv/snapshots``).
    scheme = None

    def __init__(self, location):
        self.location = location

    @property
    def where(self):
        """The remote as the user writes it."""
        return '%s:%s' % (self.scheme, self.location)

    @abc.abstractmethod
    def has_blob(self, sha256):
        """Whether the blob of this content hash is stored."""

    @abc.abstractmethod
    def put_blob(self, sha256, path):
        """Store the gzip file at ``path`` as the blob ``sha256``."""

    @abc.abstractmethod
    def get_blob(self, sha256, path):
        """Write the stored (gzip) blob to ``path``."""

    @abc.abstractmethod
    def delete_blob(self, sha256):
        """Remove a blob (missing: no error)."""

    @abc.abstractmethod
    def list_blobs(self):
        """{sha256: stored size in bytes} of every blob."""

    @abc.abstractmethod
    def put_index(self, name, index):
        """Store the index (a JSON-able dict) of bundle ``name``."""

    @abc.abstractmethod
    def get_index(self, name):
        """The index of ``name``, or None."""

    @abc.abstractmethod
    def list_indexes(self):
        """Every stored index (dicts with their ``name``)."""

    @abc.abstractmethod
    def delete_index(self, name):
        """Remove the index of ``name`` (missing: no error)."""
