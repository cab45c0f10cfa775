"""What an activity's copy keeps of the accreditors' identifiers: docs/domain.md "Copying an activity".
Pure: the caller passes the source's values and the copy's dates.

- ACCME PARS activity id: a regularly scheduled series (grand rounds, tumor boards) is reported in
  PARS as ONE activity for its whole series, entered again each calendar year it runs; a live
  course given again, even with the same content, is a new activity, and so is a new edition of
  an enduring material. So a series' copy keeps the PARS id when it starts in the same calendar
  year as the session copied; every other copy gets none (the office enters it in PARS).
- ACPE UANs (``uan``, ``uan_pharmacist``, ``uan_technician``): a UAN names one CPE activity (its
  third part is the year the activity was developed); a live activity given again keeps its UAN,
  each live date registered with ACPE, for at most three years. So a copy keeps the UANs while its
  last day falls no later than three years after the UAN's year; a UAN past that is dropped.
- AAPA Category 1 approval ends on ``aapa_valid_until``: kept when the copy ends on or before it.
- The attendance code never carries: a copy gets a new one, as any new activity does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

RSS = "rss"
UAN_YEARS = 3  # ACPE: an activity (and its UAN) is valid for at most three years
_UAN_YEAR = re.compile(r"-(\d{2})-\d{3}-[A-Z]\d{2}-[PT]$")


@dataclass(frozen=True)
class Identifiers:
    pars_activity_id: str | None = None
    uan: str | None = None
    uan_pharmacist: str | None = None
    uan_technician: str | None = None
    aapa_valid_until: date | None = None


def uan_year(uan: str) -> int | None:
    """The year a UAN's activity was developed (…-26-001-L01-P -> 2026); None when not in ACPE's form."""
    found = _UAN_YEAR.search(uan.strip().upper())
    return 2000 + int(found[1]) if found else None


def _uan_kept(uan: str | None, copy_end: date) -> str | None:
    if not uan:
        return None
    year = uan_year(uan)
    return uan if year is None or copy_end.year <= year + UAN_YEARS else None


def carried(fmt: str, source: Identifiers, source_start: date, copy_start: date, copy_end: date) -> Identifiers:
    """The identifiers a copy of an activity of format ``fmt`` (dated ``source_start``) keeps
    when it runs from ``copy_start`` to ``copy_end``."""
    same_series = fmt == RSS and copy_start.year == source_start.year
    return replace(
        source,
        pars_activity_id=source.pars_activity_id if same_series else None,
        uan=_uan_kept(source.uan, copy_end),
        uan_pharmacist=_uan_kept(source.uan_pharmacist, copy_end),
        uan_technician=_uan_kept(source.uan_technician, copy_end),
        aapa_valid_until=(
            source.aapa_valid_until
            if source.aapa_valid_until is not None and copy_end <= source.aapa_valid_until
            else None
        ),
    )
