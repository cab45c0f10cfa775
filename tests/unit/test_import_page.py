"""The import page (web/admin-imports.html, web/js/admin-imports.js) against the shared contract:
its columns for each kind are cme.rules.imports.COLUMNS, in that order, each with words; it is
in the coordinators' navigation, the pages the accessibility test visits and the service
worker's list."""

from __future__ import annotations

import re
from pathlib import Path

from cme.rules import imports
from infra.tools.pages import PAGES

WEB = Path(__file__).resolve().parents[2] / "web"
SCRIPT = (WEB / "js" / "admin-imports.js").read_text(encoding="utf-8")


def js_object(name: str) -> str:
    found = re.search(rf"const {name} = Object\.freeze\(\{{(.*?)\n?\}}\);", SCRIPT, re.S)
    assert found, name
    return found.group(1)


def test_the_page_takes_our_columns_from_the_api_never_a_copy() -> None:
    """One place: the mapping lists the import's ``our_columns`` (cme.rules.imports.COLUMNS, as the
    API serves them); the page keeps only the words it shows beside each."""
    assert "our_columns" in SCRIPT
    assert not re.search(r"\[\s*'source_id',\s*'email'", SCRIPT)  # no list of a kind's columns


def test_every_column_and_kind_has_words() -> None:
    worded = set(re.findall(r"^\s+(\w+): '", js_object("COLUMN_WORDS"), re.M))
    assert worded == {column for names in imports.COLUMNS.values() for column in names}
    kinds = set(re.findall(r"(\w+): '", js_object("KIND_WORDS")))
    assert kinds == set(imports.KINDS)
    html = (WEB / "admin-imports.html").read_text(encoding="utf-8")
    assert re.findall(r'<option value="(\w+)">\d\. ', html) == list(imports.KINDS)  # the order an office follows


def test_the_page_is_listed_where_pages_are() -> None:
    assert any(page.path == "/admin-imports.html" and page.who == "admin" for page in PAGES)
    shell = (WEB / "js" / "shell.js").read_text(encoding="utf-8")
    assert "['/admin-imports.html', 'Import', 'admin']" in shell
    assert "'/js/admin-imports.js'" in (WEB / "sw.js").read_text(encoding="utf-8")
