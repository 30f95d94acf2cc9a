"""The manifest of a snapshot bundle: what it holds, checked by a schema.

A bundle is a gzip-compressed tar whose first member is ``manifest.json``;
every other member is a regular file listed in the manifest with its
SHA-256 and size.  The manifest says which format it follows
(:data:`FORMAT_VERSION`); a reader refuses any other, so a bundle written
by a newer plugin is never half understood.

Format history:

1
    first version: parts ``run`` (store rows, results, logs, scrubbed
    configuration) and ``cloud`` (sandbox databases, configuration,
    package versions, state, events).
"""

import re

import jsonschema

from upgrade_tempest_plugin import exceptions

FORMAT_VERSION = 1
NAME = 'manifest.json'
PARTS = ('run', 'cloud')

#: A member path: relative, '/'-separated, no empty, '.' or '..' part,
#: no backslash or control character.
_SEGMENT = r'(?!\.\.?(/|$))[A-Za-z0-9_.@+=,-][A-Za-z0-9_.@+=, -]*'
PATH_RE = re.compile(r'^%s(/%s)*$' % (_SEGMENT, _SEGMENT))

SCHEMA = {
    'type': 'object',
    'required': ['format_version', 'run_id', 'created_at', 'parts',
                 'files'],
    'properties': {
        'format_version': {'type': 'integer'},
        'run_id': {'type': ['string', 'null'], 'maxLength': 64},
        'created_at': {'type': 'number'},
        'plugin_version': {'type': ['string', 'null']},
        'tempest_version': {'type': ['string', 'null']},
        'releases': {'type': 'object',
                     'additionalProperties': {'type': ['string', 'null']}},
        'parts': {'type': 'array', 'uniqueItems': True,
                  'items': {'enum': list(PARTS)}},
        'cloud': {'type': 'object'},
        'files': {
            'type': 'array',
            'items': {
                'type': 'object',
                'required': ['path', 'sha256', 'size'],
                'additionalProperties': False,
                'properties': {
                    'path': {'type': 'string', 'maxLength': 1024},
                    'sha256': {'type': 'string',
                               'pattern': '^[0-9a-f]{64}$'},
                    'size': {'type': 'integer', 'minimum': 0},
                },
            },
        },
    },
}


class BundleError(exceptions.UserError):
    """A bundle that is not one this plugin may read; nothing was written."""


def check_path(path):
    """``path`` if it may name a member, else a BundleError."""
    if not PATH_RE.match(path) or path == NAME:
        raise BundleError('unsafe member path %r' % path[:200])
    return path


def check(manifest):
    """The manifest if valid: known format, schema, safe unique paths."""
    if not isinstance(manifest, dict):
        raise BundleError('the manifest is not a JSON object')
    version = manifest.get('format_version')
    if version != FORMAT_VERSION:
        raise BundleError('unknown bundle format version %r (this plugin '
                          'reads %d)' % (version, FORMAT_VERSION))
    try:
        jsonschema.validate(manifest, SCHEMA)
    except jsonschema.ValidationError as exc:
        where = '/'.join(str(p) for p in exc.absolute_path) or 'manifest'
        raise BundleError('invalid manifest: %s: %s'
                          % (where, exc.message[:200]))
    seen = set()
    for entry in manifest['files']:
        path = check_path(entry['path'])
        if path in seen:
            raise BundleError('manifest lists %r twice' % path)
        seen.add(path)
    return manifest


def total_size(manifest):
    return sum(entry['size'] for entry in manifest['files'])
