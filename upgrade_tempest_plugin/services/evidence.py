"""Release evidence read from version documents, and the verdict on it.

:func:`parse_version_document` turns any OpenStack version document into an
:class:`Evidence`; :func:`name_release` maps the evidence of one service
(possibly several endpoints, several samples each) to release series with
:mod:`upgrade_tempest_plugin.services.releases` and says, in words, what the
API can and cannot tell.  Nothing here talks to a cloud, so all of it is
unit-tested offline.
"""

import collections

from upgrade_tempest_plugin.services import releases

Evidence = collections.namedtuple(
    'Evidence',
    ['endpoint', 'version_ids', 'current_id', 'min_microversion',
     'max_microversion', 'max_version', 'extensions'])

# Verdict statuses.
IDENTIFIED = 'identified'      # exactly one series reports this evidence
AMBIGUOUS = 'ambiguous'        # several series report the same evidence
NO_EVIDENCE = 'no-evidence'    # the API publishes nothing release-specific
NEWER = 'newer-than-table'     # evidence newer than every known series
UNKNOWN = 'unknown'            # evidence no known series reports
MIXED = 'mixed'                # endpoints / samples disagree
PACKAGE = 'decided-by-package'  # the API could not tell; the package did
CONFLICT = 'conflict'          # the package and the API disagree

# Check outcomes.
PASS = 'pass'
FAIL = 'fail'
UNDECIDABLE = 'undecidable'


def _entries(document):
    """The version entries of a document, whatever its shape."""
    if not isinstance(document, dict):
        return []
    versions = document.get('versions')
    if isinstance(versions, dict):
        versions = versions.get('values')
    if isinstance(versions, list):
        return [v for v in versions if isinstance(v, dict)]
    if isinstance(document.get('version'), dict):
        return [document['version']]
    return []


def _max(values):
    parsed = [(releases.parse_version(v), v) for v in values if v]
    parsed = [p for p in parsed if p[0]]
    return max(parsed)[1] if parsed else None


def parse_version_document(document, endpoint=None, extensions=None):
    """Evidence from a version document (and Neutron's extension aliases).

    Nova and Cinder put the maximum microversion in ``version``, Placement
    in ``max_version``; Glance lists one id per minor version; Keystone
    lists ``v3.14``.
    """
    entries = _entries(document)
    ids = [str(e.get('id')) for e in entries if e.get('id')]
    current = [e for e in entries
               if str(e.get('status', '')).upper() in ('CURRENT', 'STABLE')]
    best = None
    for entry in entries:
        max_mv = entry.get('max_version') or entry.get('version')
        if releases.parse_version(max_mv) and (
                best is None or releases.parse_version(max_mv) >
                releases.parse_version(best[0])):
            best = (max_mv, entry.get('min_version') or None)
    current_id = current[0].get('id') if current else None
    max_version = _max(ids)
    return Evidence(
        endpoint=endpoint,
        version_ids=sorted(ids, key=lambda v: releases.parse_version(v) or ()),
        current_id=current_id,
        min_microversion=best[1] if best else None,
        max_microversion=str(best[0]) if best else None,
        max_version=max_version.lstrip('vV') if max_version else None,
        extensions=sorted(extensions) if extensions is not None else None)


def describe(evidence):
    """A short human summary of one piece of evidence."""
    parts = []
    if evidence.max_microversion:
        parts.append('microversions %s..%s' % (
            evidence.min_microversion or '?', evidence.max_microversion))
    if evidence.version_ids:
        parts.append('versions %s' % ', '.join(evidence.version_ids))
    if evidence.extensions is not None:
        parts.append('%d extensions' % len(evidence.extensions))
    return '; '.join(parts) or 'empty version document'


class ReleaseVerdict:
    """What the API says about one service's release."""

    def __init__(self, service, status, value=None, series=None,
                 candidates=(), message='', evidence=(), package=None):
        self.service = service
        self.status = status
        self.value = value
        self.series = series
        self.candidates = list(candidates)
        self.message = message
        self.evidence = list(evidence)
        self.package = package

    def __repr__(self):
        return '<ReleaseVerdict %s %s %s>' % (self.service, self.status,
                                              self.series or self.candidates)

    def as_dict(self):
        return {
            'service': self.service, 'status': self.status,
            'value': self.value, 'series': self.series,
            'candidates': self.candidates, 'message': self.message,
            'package': self.package,
            'evidence': [dict(e._asdict()) for e in self.evidence],
        }

    def check(self, expected):
        """(outcome, message) of comparing with the expected series."""
        named = ('%s: %s' % (self.service, self.message))
        if self.status in (IDENTIFIED, PACKAGE):
            if self.series == expected:
                return PASS, named
            return FAIL, '%s runs %s, expected %s. %s' % (
                self.service, self.series, expected, self.message)
        if self.status in (MIXED, CONFLICT, UNKNOWN):
            return FAIL, '%s: expected %s. %s' % (
                self.service, expected, self.message)
        if self.status == NEWER:
            if expected in releases.SERIES:
                return FAIL, '%s: expected %s. %s' % (
                    self.service, expected, self.message)
            return UNDECIDABLE, named
        # AMBIGUOUS or NO_EVIDENCE
        if self.candidates and expected not in self.candidates:
            return FAIL, '%s: expected %s, but its API evidence (%s) is ' \
                'reported only by %s. %s' % (
                    self.service, expected, self.value,
                    ', '.join(self.candidates), self.message)
        return UNDECIDABLE, named


def _decider_hint(service):
    package = releases.PACKAGE_MAJORS.get(service, (None,))[0]
    if not package:
        return ('no evidence this plugin knows would decide it')
    return ('the installed %s package version would decide it: set '
            '[upgrade_release] package_versions = %s:<version> (the '
            'deployment tool or "upgrade-tempest sandbox status" reports '
            'it)' % (package, service))


def name_release(service, evidences, release_key='max_microversion',
                 package_version=None):
    """A :class:`ReleaseVerdict` for the evidence of one service.

    ``evidences`` holds one :class:`Evidence` per endpoint and sample;
    ``release_key`` names the Evidence field the table is keyed by (None:
    the API has no release evidence at all).
    """
    evidences = list(evidences)
    verdict = _name_from_api(service, evidences, release_key)
    return apply_package_version(verdict, package_version)


def apply_package_version(verdict, package_version):
    """Let the service's package version decide what the API could not.

    A package version that contradicts an identified series is a
    conflict; a mixed cloud stays mixed whatever the package says.
    """
    if not package_version or verdict.status == MIXED:
        return verdict
    service = verdict.service
    pkg_series = releases.series_of_package(service, package_version)
    if pkg_series is None:
        verdict.message += (' Package version %s maps to no known '
                            'series.' % package_version)
    elif verdict.status == IDENTIFIED:
        if pkg_series != verdict.series:
            verdict.status = CONFLICT
            verdict.message += (' But package version %s belongs to '
                                '%s.' % (package_version, pkg_series))
    elif (verdict.status in (AMBIGUOUS, NO_EVIDENCE) and
          (not verdict.candidates or pkg_series in verdict.candidates)):
        verdict.status = PACKAGE
        verdict.series = pkg_series
        verdict.package = package_version
        verdict.message += (' Package version %s decides it: %s.' % (
            package_version, pkg_series))
    elif verdict.status == AMBIGUOUS:
        verdict.status = CONFLICT
        verdict.message += (' But package version %s belongs to %s.' % (
            package_version, pkg_series))
    return verdict


def name_release_from_extensions(service, evidences, first_seen,
                                 removed_in=None, package_version=None):
    """A :class:`ReleaseVerdict` from an extension list (Neutron).

    ``first_seen`` maps an extension alias to the first series that
    ships it, ``removed_in`` to the first series that no longer does.  A
    listed extension proves the service is at least as new as the series
    that added it (and older than one that removed it); an extension that
    is *not* listed proves nothing, because which extensions load depends
    on the plugins a cloud configures.  So the API usually narrows the
    release to "S or later" and names it only when S is the newest series
    the table knows.
    """
    evidences = list(evidences)
    removed_in = removed_in or {}
    lists = [e.extensions for e in evidences if e.extensions is not None]
    if not lists:
        return apply_package_version(ReleaseVerdict(
            service, NO_EVIDENCE, evidence=evidences,
            message='no extension list could be read; %s.'
                    % _decider_hint(service)), package_version)
    listed = set(lists[0])
    known = sorted(a for a in listed if a in first_seen)
    unknown = sorted(listed - set(first_seen))
    low = max((first_seen[a] for a in known), default=releases.SERIES[0])
    newest = [a for a in known if first_seen[a] == low]
    highs = [removed_in[a] for a in known if a in removed_in]
    cands = [s for s in releases.SERIES
             if s >= low and all(s < h for h in highs)]
    value = ', '.join(newest) if low != releases.SERIES[0] else None
    if not cands:
        return apply_package_version(ReleaseVerdict(
            service, UNKNOWN, value=value, evidence=evidences,
            message='the extension list fits no known series: %s first '
                    'shipped in %s, but %s were removed by %s.' % (
                        value, low,
                        ', '.join(a for a in known if a in removed_in),
                        min(highs))), package_version)
    note = ''
    if unknown:
        note = (' %d listed extension(s) are not in the table (a newer '
                'release, or a plugin outside Neutron): %s.'
                % (len(unknown), ', '.join(unknown[:5]) +
                   (', ...' if len(unknown) > 5 else '')))
    if value is None:
        verdict = ReleaseVerdict(
            service, AMBIGUOUS, candidates=cands, evidence=evidences,
            message='none of the %d listed extensions appeared after %s, '
                    'and a missing extension proves nothing, so the API '
                    'cannot tell %s apart; %s.%s' % (
                        len(listed), releases.SERIES[0], ', '.join(cands),
                        _decider_hint(service), note))
    elif len(cands) == 1:
        verdict = ReleaseVerdict(
            service, IDENTIFIED, value=value, series=cands[0],
            candidates=cands, evidence=evidences,
            message='extension(s) %s first shipped in %s, the newest '
                    'series known.%s' % (value, cands[0], note))
    else:
        verdict = ReleaseVerdict(
            service, AMBIGUOUS, value=value, candidates=cands,
            evidence=evidences,
            message='extension(s) %s first shipped in %s, so %s runs %s '
                    'or later; a missing extension proves nothing, so the '
                    'API cannot tell %s apart; %s.%s' % (
                        value, low, service, low, ', '.join(cands),
                        _decider_hint(service), note))
    return apply_package_version(verdict, package_version)


def _name_from_api(service, evidences, release_key):
    if not evidences:
        return ReleaseVerdict(service, NO_EVIDENCE,
                              message='no version document could be read')
    if release_key is None:
        return ReleaseVerdict(
            service, NO_EVIDENCE, evidence=evidences,
            message='the %s API publishes no release evidence (%s), so it '
                    'cannot tell any release series apart; %s.' % (
                        service, describe(evidences[0]),
                        _decider_hint(service)))
    by_value = collections.OrderedDict()
    for ev in evidences:
        by_value.setdefault(getattr(ev, release_key), []).append(ev)
    if len(by_value) > 1:
        parts = []
        for value, evs in by_value.items():
            endpoints = sorted({str(e.endpoint) for e in evs})
            parts.append('%s (%s) from %s' % (
                value, ', '.join(releases.candidates(service, value)) or
                'no known series', ', '.join(endpoints)))
        cands = sorted({s for v in by_value
                        for s in releases.candidates(service, v)})
        return ReleaseVerdict(
            service, MIXED, value=list(by_value), candidates=cands,
            evidence=evidences,
            message='mixed cloud: %d endpoint answers report different %s: '
                    '%s' % (len(evidences), release_key.replace('_', ' '),
                            '; '.join(parts)))
    value = next(iter(by_value))
    label = release_key.replace('_', ' ')
    if value is None:
        return ReleaseVerdict(
            service, UNKNOWN, evidence=evidences,
            message='the version document has no %s (%s)' % (
                label, describe(evidences[0])))
    cands = releases.candidates(service, value)
    if len(cands) == 1:
        return ReleaseVerdict(
            service, IDENTIFIED, value=value, series=cands[0],
            candidates=cands, evidence=evidences,
            message='%s %s is reported only by %s.' % (
                label, value, cands[0]))
    if cands:
        return ReleaseVerdict(
            service, AMBIGUOUS, value=value, candidates=cands,
            evidence=evidences,
            message='the API cannot tell %s apart: every one of them '
                    'reports %s %s; %s.' % (
                        ', '.join(cands), label, value,
                        _decider_hint(service)))
    newest = releases.newest_known(service)
    if (newest and releases.parse_version(value) >
            releases.parse_version(newest)):
        return ReleaseVerdict(
            service, NEWER, value=value, evidence=evidences,
            message='%s %s is newer than %s, the newest value of %s '
                    '(series after %s; the release table needs an '
                    'update).' % (label, value, newest, service,
                                  releases.SERIES[-1]))
    return ReleaseVerdict(
        service, UNKNOWN, value=value, evidence=evidences,
        message='%s %s is reported by no known series of %s.' % (
            label, value, service))
