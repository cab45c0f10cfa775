"""The local stack gzips web/ as CloudFront's Compress does, so that Lighthouse measures the bytes a
browser gets from the real site."""

from __future__ import annotations

import gzip

from infra.local.server import compressed_body

SCRIPT = b"export const x = 1;\n" * 200  # 4,000 bytes


def test_text_of_a_kilobyte_or_more_is_gzipped_for_a_browser_that_accepts_it() -> None:
    body, encoding = compressed_body(SCRIPT, "text/javascript", "gzip, deflate, br, zstd")
    assert encoding == "gzip"
    assert gzip.decompress(body) == SCRIPT
    assert len(body) < len(SCRIPT) // 10


def test_nothing_is_compressed_for_a_client_that_does_not_ask() -> None:
    assert compressed_body(SCRIPT, "text/javascript", "") == (SCRIPT, None)
    assert compressed_body(SCRIPT, "text/javascript", "br, identity") == (SCRIPT, None)


def test_small_files_and_binary_types_go_as_they_are() -> None:
    assert compressed_body(b"x" * 999, "text/css", "gzip") == (b"x" * 999, None)
    assert compressed_body(SCRIPT, "image/png", "gzip") == (SCRIPT, None)
    assert compressed_body(SCRIPT, "image/svg+xml", "gzip;q=1.0")[1] == "gzip"
