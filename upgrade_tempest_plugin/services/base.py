"""The service profile: what the plugin knows about one OpenStack service.

A profile is the pluggable unit per service (R9, R17). Observers use its
probe call, validators use its version evidence and workload kinds. A third
party adds a service by shipping one module with a :class:`ServiceProfile`
subclass and one entry point in the ``upgrade_tempest_plugin.services``
group; :mod:`upgrade_tempest_plugin.services.registry` finds it.
"""


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

    def __repr__(self):
        return '<ServiceProfile %s (%s)>' % (self.name, self.catalog_type)

    @property
    def catalog_types(self):
        """Every catalog type the service may be published under."""
        return (self.catalog_type,) + tuple(self.catalog_aliases)
