"""Tests never read the wall clock: they pin ``cme.platform.clock`` (tests/support/clock.py) instead.

A test that reads the time of day itself (``datetime.now``, ``date.today``, ``time.time``) can
disagree with the code under test near a window's edge or midnight, and one that sleeps
(``time.sleep``) is slow and still races. This walks every test module's syntax tree (so
comments and strings do not count) and refuses any use of those functions, called or passed on,
outside the files named in ``ALLOWED``.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

#: the wall-clock functions a test may not use (module, attribute)
REFUSED = {
    ("time", "time"),
    ("time", "sleep"),
    ("datetime.datetime", "now"),
    ("datetime.datetime", "utcnow"),
    ("datetime.datetime", "today"),
    ("datetime.date", "today"),
}

#: files that may read the wall clock, each with why (keep this list minimal)
ALLOWED: dict[str, str] = {}


def _imports(tree: ast.Module) -> dict[str, str]:
    """Each name a module binds by import to the qualified name it stands for."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    names[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.expr, names: dict[str, str]) -> str | None:
    """``time.sleep``, ``dt.datetime.now`` or a bare imported ``sleep``, as its qualified name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in names:
        return None
    return ".".join([names[node.id], *reversed(parts)])


REFUSED_NAMES = {f"{module}.{name}" for module, name in REFUSED}


def wall_clock_uses(source: str) -> list[tuple[int, str]]:
    """(line, qualified name) of every use of a refused function in this module's source."""
    tree = ast.parse(source)
    names = _imports(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
            name = _qualified(node, names)
            if name in REFUSED_NAMES:
                found.append((node.lineno, name))
    return sorted(found)


def test_the_check_finds_calls_and_references_but_not_text() -> None:
    source = """
import time
import datetime as dt
from datetime import date, datetime
from time import sleep as nap

# time.sleep(1) in a comment, and datetime.now() in a string, do not count
"date.today()"
time.sleep(0.1)
dt.datetime.now(dt.UTC)
datetime.utcnow()
date.today()
nap(2)
wait = time.time
time.monotonic()
datetime.fromisoformat("2031-05-14T10:00:00+00:00")
"""
    assert wall_clock_uses(source) == [
        (9, "time.sleep"),
        (10, "datetime.datetime.now"),
        (11, "datetime.datetime.utcnow"),
        (12, "datetime.date.today"),
        (13, "time.sleep"),
        (14, "time.time"),
    ]


def test_a_name_that_is_not_the_module_does_not_count() -> None:
    """tests/support/pacing.py's virtual ``time`` has a ``sleep`` of its own."""
    assert wall_clock_uses("def f(time):\n    time.sleep(1)\n") == []


def test_no_test_reads_the_wall_clock() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        relative = path.relative_to(TESTS.parent).as_posix()
        if relative in ALLOWED:
            continue
        for line, name in wall_clock_uses(path.read_text(encoding="utf-8")):
            offenders.append(f"{relative}:{line}: {name}")
    assert not offenders, (
        "tests read the wall clock; pin cme.platform.clock instead (the `clock` fixture, tests/support/clock.py):\n"
        + "\n".join(offenders)
    )


def test_every_allowed_file_exists_and_still_needs_it() -> None:
    for relative in ALLOWED:
        path = TESTS.parent / relative
        assert path.is_file(), relative
        assert wall_clock_uses(path.read_text(encoding="utf-8")), f"{relative} no longer reads the clock: drop it"
