"""The test queue: validator jobs for many clouds on Gearman workers.

``payload`` (schema and validation), ``gearsock`` (the gear classes with
TCP_NODELAY), ``worker`` and ``job`` (the stand-alone worker) import only
the standard library, jsonschema, gear and six, so that
``upgrade-tempest-worker`` runs without the plugin's other dependencies.
The client, the status API and the store records use the whole plugin.
"""
