"""The service profile: what the plugin knows about one OpenStack service.

A profile is the pluggable unit per service (R9, R17). Observers use its
probe call, validators use its version evidence. A third party adds a
service by shipping one module with a :class:`ServiceProfile` subclass and
one entry point in the ``upgrade_tempest_plugin.services`` group;
:mod:`upgrade_tempest_plugin.services.registry` finds it.  Its workload
kinds, if any, are entry points of their own
(:mod:`upgrade_tempest_plugin.workloads.kinds`), each naming the profile
as its ``service``.

A minimal third-party profile::

    from upgrade_tempest_plugin.services import base

    class DnsProfile(base.ServiceProfile):
        name = 'dns'
        catalog_type = 'dns'
        service_available_flag = 'designate'
        tempest_group = 'dns'
        probe_path = 'v2/zones?limit=1'
        package = 'designate'

and in its ``setup.cfg``::

    [entry_points]
    upgrade_tempest_plugin.services =
        dns = my_package.dns_profile:DnsProfile
"""

from upgrade_tempest_plugin.services import evidence as evidence_mod


class ServiceProfile:
    """Base class of a service profile; subclasses set the attributes."""

    #: Name used in options, test ids and reports (``compute``).
    name = None
    #: Service type in the Keystone catalog (``compute``).
    catalog_type = None
    #: Other catalog types the service is published under, tried in order
    #: after ``catalog_type`` (Cinder: ``volumev3``, ``block-storage``).
    catalog_aliases = ()
    #: Flag in Tempest's ``[service_available]`` group (``nova``).
    service_available_flag = None
    #: Tempest configuration group with this service's endpoint_type.
    tempest_group = None
    #: The cheap read-only call the API observer repeats: a path relative
    #: to the catalog endpoint URL ('' is the endpoint itself).
    probe_path = ''
    #: Extra headers of the probe call (a microversion, for instance).
    probe_headers = {}
    #: Whether the probe needs a token; version documents do not.
    probe_needs_token = True
    #: PyPI package that implements the service (names its release).
    package = None
    #: The Evidence field the release table is keyed by:
    #: ``max_microversion``, ``max_version``, or None when the API
    #: publishes nothing release-specific (Neutron).
    release_key = 'max_microversion'
    #: Path of the version document below the unversioned root of the
    #: endpoint ('' is the root itself; Swift: ``info``).
    version_path = ''
    #: Path (relative to the catalog URL) of an extension list read as
    #: extra evidence, or None.
    extensions_path = None

    def __repr__(self):
        return '<ServiceProfile %s (%s)>' % (self.name, self.catalog_type)

    @property
    def catalog_types(self):
        """Every catalog type the service may be published under."""
        return (self.catalog_type,) + tuple(self.catalog_aliases)

    def parse_version_document(self, document, endpoint=None,
                               extensions=None):
        """Release evidence from this service's version document."""
        return evidence_mod.parse_version_document(
            document, endpoint=endpoint, extensions=extensions)

    def name_release(self, evidences, package_version=None):
        """A :class:`~.evidence.ReleaseVerdict` naming the release series.

        A profile whose API has other evidence overrides this.
        """
        return evidence_mod.name_release(
            self.name, evidences, release_key=self.release_key,
            package_version=package_version)
