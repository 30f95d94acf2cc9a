"""What the sandbox remembers between commands: state.json and secrets.json.

``state.json`` holds the release, the deployed services and their package
versions.  ``secrets.json`` (mode 0600) holds the generated passwords; only
the sandbox's own code and its clouds.yaml read them.
"""

import json
import os
import secrets as pysecrets

from upgrade_tempest_plugin.sandbox import pins

SECRET_NAMES = ('admin', 'service', 'db', 'rabbit', 'demo')


def _write_json(path, data, mode=0o644):
    tmp = path + '.tmp'
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode),
              'w') as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)


def load_secrets(layout):
    """The sandbox's passwords, generated on first use."""
    path = layout.path('secrets.json')
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        pass
    data = {name: pysecrets.token_urlsafe(16) for name in SECRET_NAMES}
    _write_json(path, data, mode=0o600)
    return data


def load(layout):
    """The recorded state, or None when no sandbox was built here."""
    try:
        with open(layout.state_file) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def save(layout, state):
    _write_json(layout.state_file, state)


def deployed(state):
    """The sandbox's services in upgrade order (JSON keeps no order)."""
    return [s for s in pins.SERVICES if s in state['services']]


def new(series, services, port_offset=0):
    return {'release': series, 'services': {s: None for s in services},
            'seeded': False, 'port_offset': port_offset}
