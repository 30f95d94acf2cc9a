"""The configuration a run used, as the report shows it: no secret in it.

Two sources: the plugin's option groups of the tempest.conf the report
was asked with (an option declared ``secret=True`` shows ``***``), and
the settings each observer process recorded in the store (which hold no
secret by the store's contract; a key that names one is masked all the
same, and so is the password of any URL).
"""

import re

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import config

MASK = '***'
_SECRET_KEY = re.compile(r'pass(word)?|secret|token|credential|key$', re.I)


def build(analysis, conf=None):
    """``{section title: {name: value}}`` of the run's configuration."""
    sections = {}
    if conf is not None:
        for group, opts in config.list_opts():
            values = {}
            for opt in opts:
                value = getattr(getattr(conf, group), opt.dest, None)
                values[opt.dest] = MASK if (
                    opt.secret and value) else _plain(value)
            sections['[%s]' % group] = values
    for number, process in enumerate(analysis['processes'], 1):
        attrs = process.get('attrs') or {}
        sections['observer process %d (pid %s on %s)' % (
            number, process['pid'], process['host'])] = mask(attrs)
    return sections


def mask(values):
    """``values`` (a dict) with secrets masked, recursively."""
    out = {}
    for key, value in values.items():
        if _SECRET_KEY.search(str(key)) and value:
            out[key] = MASK
        elif isinstance(value, dict):
            out[key] = mask(value)
        else:
            out[key] = _plain(value)
    return out


def _plain(value):
    """A value as the page shows it: text, with URL passwords masked."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return mask(value)
    if isinstance(value, str):
        return base.mask_passwords(value)
    return value
