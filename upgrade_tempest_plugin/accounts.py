"""Tempest's accounts.yaml: read it and pick one non-admin account.

The observers and the workloads each act as one entry of an accounts file
(``[upgrade_observers]`` and ``[upgrade_workloads]`` name it with
``username``, ``project_name`` and ``accounts_file``).  Both read the file
and pick the entry here, under one set of rules:

- an entry is admin when ``admin`` is one of its ``roles`` or ``types``,
  in any case (Keystone role names are case-insensitive): such an entry is
  never picked, whether named or not (R13);
- a named user must appear once (once per project when ``project_name`` is
  set): two matches are refused rather than one of them guessed;
- without a name, the first non-admin entry is taken;
- every problem is an :class:`AccountError`, one line that names the file
  and never holds a password.
"""

import yaml

from upgrade_tempest_plugin import exceptions

ADMIN = 'admin'


class AccountError(exceptions.UserError):
    """The accounts file, or the account asked of it, cannot be used."""


def path_of(conf, group):
    """The accounts file of ``[group]``: its own, else Tempest's."""
    return (getattr(conf, group).accounts_file or
            conf.auth.test_accounts_file)


def is_admin(entry):
    """Does the entry carry the admin role or type (any case)?"""
    marks = list(entry.get('roles') or []) + list(entry.get('types') or [])
    return ADMIN in {str(mark).lower() for mark in marks}


def project_of(entry):
    return entry.get('project_name', entry.get('tenant_name'))


def load(path, group):
    """The entries of the accounts file ``path`` (a YAML list of dicts).

    ``group`` is the option group that asked (``upgrade_observers``); an
    empty ``path`` is an error naming its options.  Entries that are not
    mappings with a ``username`` are left out.
    """
    if not path:
        raise AccountError(
            'no accounts file for the %s: set [%s] accounts_file or [auth] '
            'test_accounts_file' % (group.split('_', 1)[-1], group))
    try:
        with open(path) as f:
            entries = yaml.safe_load(f) or []
    except OSError as exc:
        raise AccountError('cannot read the accounts file %s: %s' % (
            path, exc.strerror or exc))
    except UnicodeDecodeError:
        raise AccountError('the accounts file %s is not a text file' % path)
    except yaml.YAMLError as exc:
        raise AccountError('cannot read the accounts file %s: %s' % (
            path, exc))
    if not isinstance(entries, list):
        raise AccountError(
            'the accounts file %s is not a list of accounts' % path)
    return [e for e in entries if isinstance(e, dict) and e.get('username')]


def pick(entries, path, group, username='', project_name=''):
    """The entry for ``username`` (and project), or the first non-admin."""
    if not username:
        for entry in entries:
            if not is_admin(entry):
                return entry
        raise AccountError('no non-admin account in %s' % path)
    matches = [e for e in entries if e['username'] == username and
               (not project_name or project_of(e) == project_name)]
    who = 'user %r' % username
    if project_name:
        who += ' (project %r)' % project_name
    if not matches:
        raise AccountError('no %s account in %s' % (who, path))
    if len(matches) > 1:
        raise AccountError(
            '%s appears %d times in %s; set [%s] project_name' % (
                who, len(matches), path, group))
    if is_admin(matches[0]):
        raise AccountError(
            '%s in %s has an admin role; the plugin acts only as non-admin '
            'users (R13)' % (who, path))
    return matches[0]


def find(path, group, username='', project_name=''):
    """:func:`pick` from the file ``path``."""
    return pick(load(path, group), path, group, username, project_name)
