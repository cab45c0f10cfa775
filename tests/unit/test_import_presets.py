"""Other portals' presets (cme.rules.import_presets): every preset names only our columns of a
kind we import, reads each from a non-empty header of its own, and every portal cites its
source; the check that says so finds each of those faults."""

from __future__ import annotations

import pytest

from cme.rules.import_presets import PRESETS, SOURCES, problems
from cme.rules.imports import COLUMNS, KINDS

SOURCE = ("https://example.org/portal/export-columns (read 2026-12-08)",)


def test_the_shipped_presets_are_sound() -> None:
    assert problems(PRESETS, SOURCES) == []
    assert set(SOURCES) == set(PRESETS)
    for kinds in PRESETS.values():
        assert set(kinds) <= set(KINDS)


def test_a_sound_preset_passes() -> None:
    preset = {"Portal": {"learners": {"email": "Email Address", "first_name": "First Name"}}}
    assert problems(preset, {"Portal": SOURCE}) == []


@pytest.mark.parametrize(
    ("preset", "sources", "expected"),
    [
        ({"Portal": {"learners": {"email": "Email"}}}, {}, "Portal: no source"),
        ({"Portal": {"learners": {"email": "Email"}}}, {"Portal": ("  ",)}, "Portal: no source"),
        ({"Portal": {"users": {"email": "Email"}}}, {"Portal": SOURCE}, "Portal: 'users' is not a kind we import"),
        (
            {"Portal": {"attendance": {"credits": "Credits"}}},
            {"Portal": SOURCE},
            "Portal attendance: 'credits' is not one of our attendance columns",
        ),
        (
            {"Portal": {"claims": {"email": " "}}},
            {"Portal": SOURCE},
            "Portal claims: the header for 'email' is empty",
        ),
        (
            {"Portal": {"learners": {"first_name": "Name", "last_name": "Name"}}},
            {"Portal": SOURCE},
            "Portal learners: 'Name' is the header of two columns",
        ),
        ({"Portal": {"claims": {}}}, {"Portal": SOURCE}, "Portal claims: no column"),
        ({"Portal": {}}, {"Portal": SOURCE}, "Portal: no kind"),
        ({}, {"Portal": SOURCE}, "Portal: a source without a preset"),
    ],
)
def test_the_check_names_each_fault(preset: dict, sources: dict, expected: str) -> None:
    assert problems(preset, sources) == [expected]


def test_every_column_of_every_kind_can_be_preset() -> None:
    """A preset may name any of our columns (the check follows cme.rules.imports.COLUMNS)."""
    preset: dict[str, dict[str, dict[str, str]]] = {
        "Portal": {kind: {ours: f"Their {ours}" for ours in COLUMNS[kind]} for kind in KINDS}
    }
    assert problems(preset, {"Portal": SOURCE}) == []
