"""make lint's JavaScript type check covers every script (docs/architecture.md "Tests and CI").

tsc itself runs in make lint, not here: these tests hold what it is given. Every script under
web/ and the CloudFront Function is in one of the tsconfigs make lint runs, every page module
opts in with // @ts-check (so an editor checks it too), the configs keep the strict options on,
and the API's types (infra/lint/api.d.ts) are what openapi.json says.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from infra.local import cfn
from infra.tools import jstypes

ROOT = cfn.ROOT
# the configs make lint runs tsc with, as the Makefile lists them
_TSCONFIGS = re.compile(r"^TSCONFIGS := (.+)$", re.MULTILINE)
_LINE_COMMENT = re.compile(r'^(?:[^"\n]|"(?:[^"\\\n]|\\.)*")*?(//.*)$', re.MULTILINE)


def _configs() -> list[Path]:
    found = _TSCONFIGS.search((ROOT / "Makefile").read_text(encoding="utf-8"))
    assert found, "the Makefile names tsc's configs in TSCONFIGS"
    return [ROOT / name for name in found.group(1).split()]


def _read(config: Path) -> dict[str, Any]:
    """A tsconfig (JSON with // comments, which tsc allows), with what it extends merged in."""
    text = _LINE_COMMENT.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)], config.read_text(encoding="utf-8"))
    data: dict[str, Any] = json.loads(text)
    if "extends" in data:
        base = _read((config.parent / data.pop("extends")).resolve())
        data = {**base, **data, "compilerOptions": {**base["compilerOptions"], **data.get("compilerOptions", {})}}
    return data


def _included(config: Path) -> set[Path]:
    files: set[Path] = set()
    for pattern in _read(config)["include"]:
        relative = Path(os.path.normpath(config.parent / pattern)).relative_to(ROOT)
        files.update(path.relative_to(ROOT) for path in ROOT.glob(str(relative)))
    return files


def _scripts() -> set[Path]:
    return {path.relative_to(ROOT) for path in (ROOT / "web").rglob("*.js")} | {Path("infra/cloudfront/site.js")}


def test_every_script_is_type_checked() -> None:
    checked: set[Path] = set()
    for config in _configs():
        checked |= _included(config)
    missing = sorted(str(path) for path in _scripts() - checked)
    assert not missing, f"no tsconfig in the Makefile's TSCONFIGS includes {missing}"


def test_each_script_is_checked_once() -> None:
    seen: dict[Path, Path] = {}
    for config in _configs():
        for path in _included(config) & _scripts():
            assert path not in seen, f"{path} is in {seen[path].name} and {config.name}: its globals would be mixed"
            seen[path] = config


def test_every_page_module_opts_in_to_the_check() -> None:
    scripts = sorted((ROOT / "web").rglob("*.js"))
    assert scripts
    for path in scripts:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("// @ts-check"), f"{path.relative_to(ROOT)} starts with // @ts-check"


def test_the_configs_keep_the_checks_on() -> None:
    for config in _configs():
        options = _read(config)["compilerOptions"]
        for name in ("allowJs", "checkJs", "noEmit", "strict"):
            assert options.get(name) is True, f"{config.name}: {name}"
        # strict's parts stay on, but for noImplicitAny (docs/architecture.md "Tests and CI")
        for name in ("strictNullChecks", "strictFunctionTypes", "strictBindCallApply", "noImplicitThis"):
            assert options.get(name, True) is True, f"{config.name}: {name} is off"


def test_the_api_types_are_what_openapi_json_says() -> None:
    document = json.loads(jstypes.SOURCE.read_text(encoding="utf-8"))
    assert jstypes.OUT.read_text(encoding="utf-8") == jstypes.render(document), "run `make openapi` and commit"


def test_the_api_types_name_each_schema_and_its_fields() -> None:
    text = jstypes.render(
        {
            "components": {
                "schemas": {
                    "Reply": {
                        "type": "object",
                        "required": ["id", "kind"],
                        "properties": {
                            "id": {"type": "string"},
                            "kind": {"$ref": "#/components/schemas/Kind"},
                            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                            "counts": {"type": "array", "items": {"type": "integer"}},
                            "by_board": {"type": "object", "additionalProperties": {"type": "string"}},
                        },
                    },
                    "Kind": {"type": "string", "enum": ["live", "rss"]},
                }
            }
        }
    )
    assert '  type Kind = "live" | "rss";' in text
    assert (
        "  type Reply = {\n    id: string;\n    kind: Kind;\n    note?: string | null;\n"
        "    counts?: number[];\n    by_board?: Record<string, string>;\n  };"
    ) in text
