"""A client for the unversioned root document of any OpenStack API.

Every OpenStack API publishes, at the root of its endpoint, a document that
lists the API versions it serves and, for microversioned APIs, the minimum
and maximum microversion.  That is the only release evidence a non-admin
user can read, so the validators read it for every service.
"""

import re
import urllib.parse

from oslo_serialization import jsonutils as json
from tempest.lib.common import rest_client

# A path segment that names an API version: v2, v2.0, v2.1, v3 ...
_VERSION_SEGMENT = re.compile(r'^v\d+(\.\d+)?$')


def unversioned_url(endpoint_url):
    """Return the endpoint URL cut just before its version segment.

    ``http://h:8774/v2.1/abc`` -> ``http://h:8774/``;
    ``http://h/identity/v3`` -> ``http://h/identity/``;
    ``http://h:8778`` (no version segment) -> ``http://h:8778/``.
    """
    parts = urllib.parse.urlsplit(endpoint_url)
    kept = []
    for segment in parts.path.split('/'):
        if _VERSION_SEGMENT.match(segment):
            break
        if segment:
            kept.append(segment)
    path = '/' + '/'.join(kept)
    if not path.endswith('/'):
        path += '/'
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, path, '', ''))


class VersionDocumentClient(rest_client.RestClient):
    """Reads a service's version document with the caller's credentials."""

    def endpoint_url(self):
        """The catalog URL of the service for this client's filters."""
        return self.auth_provider.base_url(filters=self.filters)

    def show_version_document(self, endpoint_url=None, path=''):
        """GET the unversioned root of the service's endpoint.

        ``endpoint_url`` reads another endpoint of the same service (the
        release validator reads every endpoint in the catalog); default:
        the catalog URL of this client.  ``path`` is read below the root
        instead of the root itself (Swift: ``info``).  The token is sent
        although most
        services publish the document without one: Placement and some
        deployments behind a proxy require it.  Both 200 and 300 (Multiple
        Choices) are success.
        """
        url = unversioned_url(endpoint_url or self.endpoint_url()) + path
        headers = {'Accept': 'application/json',
                   'X-Auth-Token': self.token}
        resp, body = self.raw_request(url, 'GET', headers=headers)
        self._error_checker(resp, body)
        self.expected_success([200, 300], resp.status)
        return rest_client.ResponseBody(resp, json.loads(body))

    def list_extension_aliases(self, path):
        """Aliases of the extensions listed at ``path`` (Neutron)."""
        resp, body = self.get(path)
        self.expected_success(200, resp.status)
        return sorted(ext.get('alias') for ext in
                      json.loads(body).get('extensions', []))
