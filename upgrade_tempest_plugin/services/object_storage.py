"""Swift (object storage), where the cloud has it.

Swift's catalog URL is the account of the caller's project
(``http://host:8080/v1/AUTH_<project id>``).  Its release evidence is the
``/info`` document at the root of the proxy (public, no token), whose
``swift.version`` is the proxy's package version; Swift releases one minor
version per series (``releases.PACKAGE_MINORS``), so that names the series.
The other top-level keys of ``/info`` are the middlewares the proxy runs,
recorded as its extensions.
"""

from upgrade_tempest_plugin.services import base
from upgrade_tempest_plugin.services import evidence as evidence_mod


class ObjectStorageProfile(base.ServiceProfile):
    name = 'object_storage'
    catalog_type = 'object-store'
    service_available_flag = 'swift'
    tempest_group = 'object-storage'
    # The account listing (goes through the proxy, the account ring and an
    # account server), one container at most.
    probe_path = '?limit=1&format=json'
    package = 'swift'
    release_key = 'max_version'
    version_path = 'info'

    def parse_version_document(self, document, endpoint=None,
                               extensions=None):
        """Evidence from ``/info``: ``max_version`` is major.minor."""
        swift = document.get('swift') if isinstance(document, dict) else None
        version = swift.get('version') if isinstance(swift, dict) else None
        parts = str(version).split('.') if version else []
        return evidence_mod.Evidence(
            endpoint=endpoint,
            version_ids=[str(version)] if version else [],
            current_id=str(version) if version else None,
            min_microversion=None, max_microversion=None,
            max_version='.'.join(parts[:2]) if len(parts) >= 2 else None,
            extensions=sorted(k for k in document if k != 'swift')
            if isinstance(document, dict) else None)
