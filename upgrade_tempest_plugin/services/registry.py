"""Finds the installed service profiles through stevedore."""

from stevedore import extension

NAMESPACE = 'upgrade_tempest_plugin.services'


def load_profiles():
    """Return {name: profile instance} of every installed service profile.

    A profile that fails to load is left out with a warning from stevedore
    rather than breaking every other service.
    """
    manager = extension.ExtensionManager(
        namespace=NAMESPACE, invoke_on_load=True,
        on_load_failure_callback=None)
    return {ext.name: ext.obj for ext in manager}


def profile_for_catalog_type(profiles, catalog_type):
    """The profile that serves ``catalog_type``, or None."""
    for profile in profiles.values():
        if catalog_type in profile.catalog_types:
            return profile
    return None
