"""The one page table (infra/tools/pages.py) and what `make lighthouse` holds every page to."""

from __future__ import annotations

from infra.tools.lighthouse import Score, table
from infra.tools.pages import PAGES, ROOT


def test_every_web_page_is_in_the_table() -> None:
    """A page added to web/ without its line would escape axe and Lighthouse."""
    in_table = {page.path.partition("?")[0] for page in PAGES}
    on_disk = {f"/{html.name}" for html in (ROOT / "web").glob("*.html")}
    assert on_disk - in_table == set()
    assert in_table - on_disk == set()


def test_only_a_page_lighthouse_cannot_load_is_left_out_of_it() -> None:
    assert [page.path for page in PAGES if not page.lighthouse] == ["/404.html"]


def test_the_bar_is_performance_95_accessibility_100_cls_under_a_tenth() -> None:
    assert Score(performance=95, accessibility=100, cls=0.099).shortfalls() == []
    assert Score(performance=94, accessibility=100, cls=0.0).shortfalls() == ["performance 94 < 95"]
    assert Score(performance=100, accessibility=99, cls=0.0).shortfalls() == ["accessibility 99 < 100"]
    assert Score(performance=100, accessibility=100, cls=0.1).shortfalls() == ["CLS 0.100 >= 0.1"]


def test_the_table_names_each_page_its_account_and_what_falls_short() -> None:
    text = table(
        [
            ("/index.html", "public", Score(performance=100, accessibility=100, cls=0.0)),
            ("/admin.html", "admin", Score(performance=90, accessibility=100, cls=0.2)),
        ],
        runs=3,
    )
    assert "| /index.html | signed out | 100 | 100 | 0.000 | ok |" in text
    assert "| /admin.html | demo coordinator | 90 | 100 | 0.200 | performance 90 < 95; CLS 0.200 >= 0.1 |" in text
    assert "median of 3 runs" in text
