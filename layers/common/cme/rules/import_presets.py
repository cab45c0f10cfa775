"""Other portals' export headers, as public documentation shows them
(docs/operations.md "Moving in from another portal"): ``PRESETS[portal][kind]`` maps our column to theirs, so the
import page suggests the mapping of a file exported from that portal. A portal, or a kind,
whose headers no public document shows has no entry (the office maps its columns by hand).
"""

from __future__ import annotations

PRESETS: dict[str, dict[str, dict[str, str]]] = {}
