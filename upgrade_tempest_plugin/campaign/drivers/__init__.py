"""Deployment-tool drivers of the campaign (entry-point group
``upgrade_tempest_plugin.drivers``); :mod:`.base` documents the interface
and loads them."""
