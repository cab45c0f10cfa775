"""Other portals' export headers, as public documentation shows them:
docs/operations.md "Moving in from another portal". ``PRESETS[portal][kind]`` maps our column to
theirs, so the import page suggests the mapping of a file exported from that portal. A portal,
or a kind, whose headers no public document shows has no entry (the office maps its columns by
hand).

``SOURCES[portal]`` cites, for each portal with a preset, where its headers are shown (the
address and the day it was read). Only headers a public source shows are kept: none is guessed.

What was looked for, and found (read 2026-12-08): no public page, manual or repository shows the
header row of an export of CloudCME, EthosCE or CME Tracker, for any kind. EthosCE documents the
columns of its course record *import* ("Course Record Import - Data Dictionary"), which is what
EthosCE reads, not what it writes: it is quoted in the docs section above, not shipped here. So
no portal has a preset yet; each one added needs its source beside it (``problems`` says what is
amiss, and tests/unit/test_import_presets.py holds it to that).
"""

from __future__ import annotations

from collections.abc import Mapping

from cme.rules.imports import COLUMNS

PRESETS: dict[str, dict[str, dict[str, str]]] = {}

SOURCES: dict[str, tuple[str, ...]] = {}


def problems(
    presets: Mapping[str, Mapping[str, Mapping[str, str]]],
    sources: Mapping[str, tuple[str, ...]],
) -> list[str]:
    """What is amiss in a set of presets and their sources, in words (empty when nothing is): a
    kind we do not import, a column not ours for that kind, a header that is not a non-empty
    string, two of our columns read from one header, a portal without a cited source, a source
    for a portal without a preset."""
    found: list[str] = []
    for portal, kinds in presets.items():
        if not portal.strip():
            found.append("a portal without a name")
        if not kinds:
            found.append(f"{portal}: no kind")
        for kind, mapping in kinds.items():
            found += _kind_problems(portal, kind, mapping)
        if not [s for s in sources.get(portal, ()) if isinstance(s, str) and s.strip()]:
            found.append(f"{portal}: no source")
    found += [f"{portal}: a source without a preset" for portal in sources if portal not in presets]
    return found


def _kind_problems(portal: str, kind: str, mapping: Mapping[str, str]) -> list[str]:
    if kind not in COLUMNS:
        return [f"{portal}: {kind!r} is not a kind we import"]
    found = [] if mapping else [f"{portal} {kind}: no column"]
    for ours, theirs in mapping.items():
        if ours not in COLUMNS[kind]:
            found.append(f"{portal} {kind}: {ours!r} is not one of our {kind} columns")
        if not isinstance(theirs, str) or not theirs.strip():
            found.append(f"{portal} {kind}: the header for {ours!r} is empty")
    headers = [theirs for theirs in mapping.values() if isinstance(theirs, str)]
    found += [
        f"{portal} {kind}: {h!r} is the header of two columns" for h in sorted(set(headers)) if headers.count(h) > 1
    ]
    return found
