#!/usr/bin/env python3
"""Rebuild the table of the release each Neutron API extension appeared in.

    tools/refresh_neutron_extensions.py --neutron-lib-python PYTHON [--write]

For each release series in ``upgrade_tempest_plugin.services.releases`` it
downloads the newest ``neutron`` wheel of that series' major version from
PyPI (``pip download --no-deps``), reads every extension descriptor in
``neutron/extensions/`` without importing it (``ast``), and names its alias:
a literal ``get_alias()``, a module constant, a neutron-lib constant, or
the ``ALIAS`` of the ``neutron_lib.api.definitions`` module its
``api_definition`` points at.  The neutron-lib names are resolved by
importing ``neutron_lib`` with PYTHON (any
Python with neutron-lib installed, e.g. a sandbox Neutron venv such as
``~/.cache/upgrade-tempest/venvs/neutron-29.0.0/bin/python``); an alias
never changes once published, so the newest neutron-lib names them all.

It prints what each series added and removed and, with ``--write``,
rewrites ``upgrade_tempest_plugin/services/neutron_extensions.py``.  It
fails when an extension that appeared after the oldest series cannot be
named, because that would silently weaken the table.
"""

import argparse
import ast
import datetime
import json
import os
import subprocess
import sys
import tempfile
import zipfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)
sys.path.insert(0, os.path.join(TOP, 'tools'))

from refresh_release_table import released_versions  # noqa: E402
from upgrade_tempest_plugin.services import releases  # noqa: E402

OUTPUT = os.path.join(TOP, 'upgrade_tempest_plugin', 'services',
                      'neutron_extensions.py')


def newest_per_series(versions):
    """{series: newest neutron version of that series' major}."""
    first_major = releases.PACKAGE_MAJORS['network'][1]
    picked = {}
    for index, series in enumerate(releases.SERIES):
        major = str(first_major + index)
        same = [v for v in versions if v.split('.')[0] == major]
        if same:
            picked[series] = same[-1]
    return picked


def _imports(tree):
    """{local name: 'neutron_lib.module.path'} of neutron-lib imports."""
    imported = {}
    for node in tree.body:
        if (isinstance(node, ast.ImportFrom) and node.module and
                node.module.split('.')[0] == 'neutron_lib'):
            for name in node.names:
                imported[name.asname or name.name] = '%s.%s' % (
                    node.module, name.name)
    return imported


def _module_constants(tree):
    """Module-level string constants, including ``A + 's'`` forms."""
    constants = {}

    def value_of(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = value_of(node.left), value_of(node.right)
            if left is not None and right is not None:
                return left + right
        return None

    for node in tree.body:
        if isinstance(node, ast.Assign):
            value = value_of(node.value)
            for target in node.targets:
                if isinstance(target, ast.Name) and value is not None:
                    constants[target.id] = value
    return constants


def _descriptor_alias(tree):
    """How one extension module names its alias.

    Returns ('literal', alias), ('import', 'neutron_lib.module:ATTR') or
    None.
    """
    imported = _imports(tree)
    constants = _module_constants(tree)

    def reference(value, attr):
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return 'literal', value.value
        if isinstance(value, ast.Name) and value.id in constants:
            return 'literal', constants[value.id]
        if isinstance(value, ast.Name) and value.id in imported and attr:
            return 'import', '%s:%s' % (imported[value.id], attr)
        if (isinstance(value, ast.Attribute) and
                isinstance(value.value, ast.Name) and
                value.value.id in imported):
            return 'import', '%s:%s' % (imported[value.value.id], value.attr)
        return None

    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not any(
                'ExtensionDescriptor' in ast.unparse(b) for b in node.bases):
            continue
        for item in node.body:
            if (isinstance(item, ast.Assign) and
                    any(getattr(t, 'id', None) == 'api_definition'
                        for t in item.targets)):
                return reference(item.value, 'ALIAS')
            if (isinstance(item, ast.FunctionDef) and
                    item.name == 'get_alias' and
                    isinstance(item.body[-1], ast.Return)):
                return reference(item.body[-1].value, None)
    return None


def extension_modules(wheel):
    """{module name: ('literal'|'import', value) or None}."""
    found = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            parts = name.split('/')
            if (len(parts) != 3 or parts[:2] != ['neutron', 'extensions'] or
                    not name.endswith('.py') or parts[2] == '__init__.py'):
                continue
            source = archive.read(name).decode()
            if 'ExtensionDescriptor' not in source:
                continue
            found[parts[2][:-3]] = _descriptor_alias(ast.parse(source))
    return found


def resolve_imports(python, references):
    """{'module:ATTR': value} read by importing neutron-lib with python."""
    script = ('import importlib, json, sys\n'
              'out = {}\n'
              'for ref in json.load(sys.stdin):\n'
              '    module, attr = ref.split(":")\n'
              '    try:\n'
              '        out[ref] = getattr(importlib.import_module(module),'
              ' attr)\n'
              '    except (ImportError, AttributeError):\n'
              '        pass\n'
              'print(json.dumps(out))\n')
    result = subprocess.run([python, '-c', script], check=True, text=True,
                            input=json.dumps(sorted(references)),
                            stdout=subprocess.PIPE)
    return json.loads(result.stdout)


def download(version, dest):
    subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps',
                    '--quiet', '-d', dest, 'neutron==%s' % version],
                   check=True)
    return os.path.join(dest, 'neutron-%s-py3-none-any.whl' % version)


def build(python, wheels_dir):
    read_from = newest_per_series(released_versions('neutron'))
    per_series = {}
    for series, version in sorted(read_from.items()):
        print('reading neutron %s (%s)' % (version, series), flush=True)
        per_series[series] = extension_modules(download(version, wheels_dir))
    references = {how[1] for mods in per_series.values()
                  for how in mods.values() if how and how[0] == 'import'}
    names = resolve_imports(python, references)
    aliases = {}
    problems = []
    oldest = min(per_series)
    for series in sorted(per_series):
        known = set()
        for module, how in sorted(per_series[series].items()):
            alias = None
            if how and how[0] == 'literal':
                alias = how[1]
            elif how:
                alias = names.get(how[1])
            if alias is None:
                if series != oldest and module not in per_series[oldest]:
                    problems.append('%s: cannot name the alias of '
                                    'neutron/extensions/%s.py'
                                    % (series, module))
                continue
            known.add(alias)
        aliases[series] = known
    return read_from, aliases, problems


def first_seen(aliases):
    """{alias: first series listing it}, and {alias: series removed}."""
    first, removed = {}, {}
    previous = set()
    for series in sorted(aliases):
        for alias in aliases[series]:
            first.setdefault(alias, series)
        for alias in previous - aliases[series]:
            removed.setdefault(alias, series)
        previous = aliases[series]
    return first, removed


def render(read_from, first, removed):
    lines = [
        '"""The release series each Neutron API extension first appeared in.',
        '',
        'Generated by tools/refresh_neutron_extensions.py on %s from the '
        'neutron' % datetime.date.today().isoformat(),
        'wheels listed in READ_FROM; do not edit by hand.  An alias first',
        'seen in the oldest series may be older than that series.',
        '"""',
        '',
        '#: Neutron version whose neutron/extensions/ was read, per series.',
        'READ_FROM = {',
    ]
    lines += ['    %r: %r,' % item for item in sorted(read_from.items())]
    lines += ['}', '', '#: {extension alias: first series listing it}.',
              'FIRST_SEEN = {']
    lines += ['    %r: %r,' % item for item in sorted(first.items())]
    lines += ['}', '', '#: {extension alias: first series no longer listing '
              'it}.', 'REMOVED_IN = {']
    lines += ['    %r: %r,' % item for item in sorted(removed.items())]
    lines += ['}', '']
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--neutron-lib-python', required=True,
                        metavar='PYTHON',
                        help='a Python that can import neutron_lib')
    parser.add_argument('--write', action='store_true',
                        help='rewrite %s' % os.path.relpath(OUTPUT, TOP))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as wheels:
        read_from, aliases, problems = build(args.neutron_lib_python, wheels)
    for problem in problems:
        print('error: ' + problem, file=sys.stderr)
    if problems:
        return 1
    first, removed = first_seen(aliases)
    previous = None
    for series in sorted(aliases):
        if previous is not None:
            print('%s (neutron %s): +%s -%s' % (
                series, read_from[series],
                sorted(aliases[series] - aliases[previous]),
                sorted(aliases[previous] - aliases[series])))
        previous = series
    if args.write:
        with open(OUTPUT, 'w') as out:
            out.write(render(read_from, first, removed))
        print('wrote %s' % os.path.relpath(OUTPUT, TOP))
    return 0


if __name__ == '__main__':
    sys.exit(main())
