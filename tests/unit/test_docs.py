"""docs/ stays true: its generated blocks are what the code says, every error code the handlers
answer with is in the table (rendered from the registry, cme.platform.errors.CODES; the registry is held
against the source in test_error_registry.py), and every citation of a doc names a real section
of it."""

from __future__ import annotations

import re
from pathlib import Path

from infra.local import cfn
from infra.tools import docs


def test_generated_blocks_match_the_code() -> None:
    for path, text in docs.fresh().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is out of date: run `make docs` and commit it"


def test_every_block_is_filled() -> None:
    for name, blocks in docs.GENERATORS.items():
        text = (docs.DOCS / name).read_text(encoding="utf-8")
        bodies = {m.group("name"): m.group("body") for m in docs.BLOCK.finditer(text)}
        for block in blocks:
            assert bodies[block].count("\n|") >= 5, (name, block)  # a table with rows


def _table_codes() -> set[str]:
    text = (docs.DOCS / "api.md").read_text(encoding="utf-8")
    body = next(m.group("body") for m in docs.BLOCK.finditer(text) if m.group("name") == "errors")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", body, re.MULTILINE))


def _section(text: str, heading: str) -> str:
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_every_code_the_tests_see_is_documented() -> None:
    """Independent of the scan: each code an integration or browser test receives from the portal
    is in the generated table, or is a local-stack code named in "The local stack only"."""
    seen: set[str] = set()
    for path in [*Path(cfn.ROOT, "tests", "integration").rglob("*.py"), *Path(cfn.ROOT, "tests", "e2e").rglob("*.py")]:
        seen |= set(re.findall(r'\["code"\] ?== ?"([A-Z][A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    api = (docs.DOCS / "api.md").read_text(encoding="utf-8")
    local = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", _section(api, "The local stack only")))
    assert len(seen) > 30
    assert seen - _table_codes() - local == set()


def test_the_table_has_each_code_with_its_status() -> None:
    text = (docs.DOCS / "api.md").read_text(encoding="utf-8")
    for code, status in [
        ("TOO_MANY_ATTEMPTS", "429"),  # named by a subclass's super().__init__
        ("PAYLOAD_TOO_LARGE", "413"),  # a (status, code, message) refusal at the edge
        ("CLAIM_WINDOW_CLOSED", "422"),  # through credit.problem(code, ...)
        ("SIGN_IN_REQUIRED", "401"),
        ("EMAIL_UNDELIVERABLE", "409"),
        ("SERVICE_UNAVAILABLE", "503"),
    ]:
        assert re.search(rf"^\| `{code}` \| {status} \|", text, re.MULTILINE), code


# ---------------------------------------------------------------- citations
DOCS_HEADINGS = {
    "domain.md": ["CME rules", "Credit", "Completion date"],
    "api.md": ["Reference", "make smoke"],
}  # as headings() reads them


def _problems(text: str, where: str = "x.py") -> list[str]:
    return docs.citation_problems(text, where, DOCS_HEADINGS, ["The two commands"])


def test_a_citation_names_a_doc_and_one_of_its_headings() -> None:
    assert _problems('"""Claims (docs/domain.md "Credit"; docs/domain.md "Completion date")."""') == []
    assert _problems('x = "see docs/api.md \\"Reference\\""') == []  # escaped quotes, as in JSON
    assert _problems('# docs/api.md "make smoke" and docs/api.md "`make smoke`"') == []  # backticks aside
    assert _problems('# README "The two commands"') == []
    assert len(_problems('"""Claims (docs/domain.md)."""')) == 1  # no section
    assert len(_problems('"""Claims (docs/domain.md "Credits")."""')) == 1  # not a heading
    assert len(_problems('"""docs/domain.md "Credit", "Completion date"."""')) == 0  # the first is checked
    assert len(_problems('"""docs/rules.md "Credit"."""')) == 1  # no such doc
    assert len(_problems('# README "Run it on one laptop"')) == 1
    old = ["DESIGN", "API", "DOMAIN"]
    assert len(_problems(" ".join(f"{name}.md" for name in old))) == 3
    assert len(_problems("see ../" + "shared/notes")) == 1


def test_markdown_links_into_docs_have_real_anchors() -> None:
    assert _problems("[rules](docs/domain.md) and [credit](domain.md#credit)", "README.md") == []
    assert _problems("[dates](docs/domain.md#completion-date)", "README.md") == []
    assert len(_problems("[x](docs/domain.md#credits)", "README.md")) == 1
    assert len(_problems("[x](docs/rules.md)", "README.md")) == 1
    assert len(_problems("a bare docs/domain.md in prose", "README.md")) == 1


def test_every_citation_in_the_tree_names_a_real_section() -> None:
    files = {p.relative_to(cfn.ROOT).as_posix() for p in docs.citing_files()}
    assert {"openapi.json", "template.yaml", "web/js/credits.js", "layers/common/cme/rules/credit.py"} <= files
    assert docs.all_citation_problems() == []
