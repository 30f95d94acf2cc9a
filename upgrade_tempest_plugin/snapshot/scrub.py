"""Keep every secret out of a bundle.

Two layers.  Configuration files are redacted by option name: in INI
files (tempest.conf, the services' configuration) every option whose name
says it is a secret, in accounts files every ``password`` key.  Then the
values found that way, and any other secret the exporter knows (the
sandbox's generated passwords), are blanked wherever they occur in any
staged file, logs and database dumps included, and a URL's
``user:password@`` is masked.  Blanking keeps the length (each character
becomes ``*``), so a length-prefixed file stays readable.  :func:`scan`
then checks every staged file for every known secret: the exporter
refuses to write a bundle in which one is left.

Secrets shorter than :data:`MIN_BLANKED` characters are only redacted by
option name: blanking a short word everywhere would blank ordinary text.
"""

import os
import re

REDACTED = '<redacted>'
#: Shortest secret blanked in every file.
MIN_BLANKED = 8
#: INI option names that hold a secret (a URL's password is masked by
#: :func:`blank` wherever it is).
SECRET_OPTION = re.compile(r'(password|passwd|secret|_key|token)$',
                           re.IGNORECASE)
_INI_LINE = re.compile(r'^(\s*)([A-Za-z0-9_.-]+)(\s*=\s*)(.*?)\s*$')
_YAML_PASSWORD = re.compile(
    r'^(\s*-?\s*["\']?[A-Za-z_]*pass(word)?["\']?\s*:\s*)(.+?)\s*$',
    re.IGNORECASE)
_URL_PASSWORD = re.compile(rb'(\w+://[^:/@\s"\']*:)([^@\s"\']+)@')


def redact_ini(text):
    """(text with secret option values replaced, the values removed)."""
    found = []
    lines = []
    for line in text.splitlines(True):
        match = _INI_LINE.match(line)
        if match and match.group(4) and SECRET_OPTION.search(match.group(2)):
            found.append(match.group(4))
            line = '%s%s%s%s\n' % (match.group(1), match.group(2),
                                   match.group(3), REDACTED)
        lines.append(line)
    return ''.join(lines), found


def redact_yaml_passwords(text):
    """(accounts YAML with every password value replaced, the values)."""
    found = []
    lines = []
    for line in text.splitlines(True):
        match = _YAML_PASSWORD.match(line)
        if match:
            found.append(match.group(3).strip('"\''))
            line = '%s%s\n' % (match.group(1), REDACTED)
        lines.append(line)
    return ''.join(lines), found


def blankable(secrets):
    """The secrets long enough to blank everywhere, longest first."""
    return sorted({s for s in secrets if s and len(s) >= MIN_BLANKED},
                  key=len, reverse=True)


def blank(data, secrets):
    """``data`` (bytes) with each secret and URL password blanked."""
    for secret in blankable(secrets):
        raw = secret.encode()
        data = data.replace(raw, b'*' * len(raw))
    return _URL_PASSWORD.sub(
        lambda m: m.group(1) + b'*' * len(m.group(2)) + b'@', data)


def blank_tree(root, secrets):
    """Blank secrets in every file under ``root`` (in place)."""
    for path in _files(root):
        with open(path, 'rb') as f:
            data = f.read()
        clean = blank(data, secrets)
        if clean != data:
            with open(path, 'wb') as f:
                f.write(clean)


def scan(root, secrets):
    """[(relative path, secret index)] of each blankable secret found."""
    hits = []
    long_enough = set(blankable(secrets))
    wanted = [(i, s.encode()) for i, s in enumerate(secrets)
              if s in long_enough]
    for path in _files(root):
        with open(path, 'rb') as f:
            data = f.read()
        for index, raw in wanted:
            if raw in data:
                hits.append((os.path.relpath(path, root), index))
    return hits


def _files(root):
    for top, _dirs, files in os.walk(root):
        for name in sorted(files):
            yield os.path.join(top, name)
