"""Where the sandbox keeps things on disk."""

import os

DIR_ENV = 'UPGRADE_TEMPEST_SANDBOX_DIR'
CACHE_ENV = 'UPGRADE_TEMPEST_CACHE_DIR'


def default_dir():
    return os.environ.get(DIR_ENV) or os.path.expanduser(
        '~/.local/share/upgrade-tempest/sandbox')


def default_cache():
    return os.environ.get(CACHE_ENV) or os.path.expanduser(
        '~/.cache/upgrade-tempest')


class Layout(object):
    """Paths of one sandbox.

    The venv cache lives outside the sandbox dir so that ``destroy`` and
    a rebuild keep it: a second ``up`` installs nothing.
    """

    def __init__(self, root=None, cache=None):
        self.root = os.path.abspath(root or default_dir())
        self.cache = os.path.abspath(cache or default_cache())

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    @property
    def etc(self):
        return self.path('etc')

    @property
    def data(self):
        return self.path('data')

    @property
    def logs(self):
        return self.path('logs')

    @property
    def run(self):
        return self.path('run')

    @property
    def venvs(self):
        return os.path.join(self.cache, 'venvs')

    @property
    def state_file(self):
        return self.path('state.json')

    @property
    def events_file(self):
        return self.path('events.jsonl')

    @property
    def workspace(self):
        """The Tempest workspace written for this cloud."""
        return self.path('tempest')

    def etc_of(self, service):
        return os.path.join(self.etc, service)

    def data_of(self, service):
        return os.path.join(self.data, service)

    def log_of(self, process):
        return os.path.join(self.logs, process + '.log')

    def pidfile(self, process):
        return os.path.join(self.run, process + '.pid')

    def make_dirs(self):
        for d in (self.root, self.etc, self.data, self.logs, self.run):
            os.makedirs(d, exist_ok=True)
