"""The generated parts of docs/: rewritten from what the code and the template say.

    python -m infra.tools.docs            # rewrite the generated blocks of docs/*.md
    python -m infra.tools.docs --check    # exit 1 if a committed block is not what the code says

A generated block sits between ``<!-- BEGIN GENERATED: <name> (make docs) -->`` and
``<!-- END GENERATED: <name> -->``; everything around it is written by hand. The blocks:

- ``functions`` (docs/architecture.md "Functions, modules, tables and grants"): each Lambda
  function of template.yaml, what triggers it, the ``cme`` modules its handler imports, and
  its role as SAM expands it (infra/tools/iam.py): the DynamoDB tables with their actions, and
  its other grants.
- ``reference`` (docs/api.md "Reference"): every route of openapi.json with its session, request body and
  answers, and the function that serves it (template.yaml).
- ``errors`` (docs/api.md "Error codes"): every error ``code`` the API answers with, its status and
  meaning, from the one registry (``cme.platform.errors.CODES``; infra/tools/error_sites.py holds the
  source's errors against it).

``--check`` also holds every citation of a doc in the tree to one form (``citation_problems``):
a doc file and a heading of it, ``docs/domain.md "Credit"``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from infra.local import cfn

DOCS = cfn.ROOT / "docs"
LAYER = cfn.ROOT / "layers" / "common"
OPENAPI = cfn.ROOT / "openapi.json"

BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[a-z-]+) \(make docs\) -->\n)(?P<body>.*?)(<!-- END GENERATED: (?P=name) -->)",
    re.DOTALL,
)


# ---------------------------------------------------------------- functions -> modules -> tables -> IAM
def _cme_imports(folder: Path) -> list[str]:
    """The ``cme`` modules a function's files import (its handler's and its own modules' beside it,
    e.g. functions/publisher/routes), named under cme by package and module (``from cme.identity
    import accounts`` and ``from cme.runtime.resolver import x`` give ``identity.accounts`` and
    ``runtime.resolver``; a package's folder module, ``platform.schemas``)."""
    found: set[str] = set()
    trees = (ast.parse(path.read_text(encoding="utf-8")) for path in sorted(folder.rglob("*.py")))
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "cme":
                continue
            if len(parts) == 2:  # from cme.<package> import <module>, ...
                found.update(f"{parts[1]}.{alias.name}" for alias in node.names)
            elif len(parts) > 2:
                found.add(".".join(parts[1:3]))
        elif isinstance(node, ast.Import):
            found.update(".".join(a.name.split(".")[1:3]) for a in node.names if a.name.startswith("cme."))
    return sorted(found)


def _triggers(logical_id: str) -> str:
    events = (cfn.template()["Resources"][logical_id]["Properties"].get("Events") or {}).values()
    kinds: dict[str, int] = defaultdict(int)
    for event in events:
        kinds[event["Type"]] += 1
    if cfn.authorizer_function() == logical_id:
        kinds["authorizer of the HttpApi"] = 1
    words = []
    for kind, count in sorted(kinds.items()):
        if kind == "HttpApi":
            words.append(f"{count} route{'s' if count > 1 else ''}")
        elif kind == "ScheduleV2":
            words.append("schedule")
        else:
            words.append(kind)
    return ", ".join(words) or "-"


def _logical_names() -> dict[str, str]:
    """Local physical name -> logical id, for the resources whose names differ (buckets)."""
    return {cfn.physical_name(name): name for name in cfn.template()["Resources"]}


def _resource_label(arn: str, names: dict[str, str]) -> tuple[str, str]:
    """(service, short name) of a granted resource: ``("dynamodb", "ClaimsTable/index/by_x")``."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "", arn
    service, rest = parts[2], parts[5]
    if service == "dynamodb":
        return service, rest.removeprefix("table/")
    if service == "s3":
        bucket, _, key = rest.partition("/")
        return service, names.get(bucket, bucket) + (f"/{key}" if key else "")
    if service == "secretsmanager":
        return service, rest.removeprefix("secret:").removesuffix("-??????")
    if service in ("sqs", "sns"):
        return service, names.get(rest, rest)
    if service == "ses":
        return service, rest
    return service, rest


def function_rows() -> list[dict[str, str]]:
    from infra.tools import iam

    names = _logical_names()
    roles = iam.roles()
    rows = []
    for logical_id, function in sorted(cfn.functions().items()):
        handler = function.code_dir / f"{function.module}.py"
        tables: dict[str, list[str]] = defaultdict(list)
        other: dict[str, list[str]] = defaultdict(list)
        for grant in roles[logical_id].grants:
            for resource in grant.resources:
                service, label = _resource_label(resource, names)
                conditions = "".join(f" if {key} {', '.join(values)}" for _, key, values in grant.conditions)
                for action in grant.actions:
                    verb = action.split(":", 1)[1]
                    if service == "dynamodb":
                        tables[label].append(verb)
                    else:
                        who = " (by Lambda, for its destination)" if grant.service else ""
                        other[f"{label}{conditions}{who}"].append(action)
        rows.append(
            {
                "function": f"`{logical_id}`",
                "code": f"`{handler.relative_to(cfn.ROOT).as_posix()}`",
                "triggered by": _triggers(logical_id),
                "cme modules": ", ".join(_cme_imports(function.code_dir)),
                "tables": "; ".join(f"{t}: {', '.join(dict.fromkeys(v))}" for t, v in sorted(tables.items())) or "-",
                "other grants": "; ".join(f"{', '.join(dict.fromkeys(v))} on {r}" for r, v in sorted(other.items()))
                or "-",
            }
        )
    return rows


def _table(rows: list[dict[str, str]]) -> str:
    heads = list(rows[0])
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(row[h].replace("|", "\\|") for h in heads) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def functions_block() -> str:
    return _table(function_rows())


# ---------------------------------------------------------------- the API reference, from openapi.json
def _schema_name(content: dict[str, Any]) -> str:
    kinds = []
    for media, spec in content.items():
        schema = spec.get("schema") or {}
        ref = schema.get("$ref", "")
        name = ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")
        kinds.append(f"`{name}`" + ("" if media == "application/json" else f" ({media})"))
    return ", ".join(kinds)


def _route_codes(method: str, path: str, operation: dict[str, Any]) -> str:
    """The error codes a route declares beyond those the HTTP edge gives every route of its kind,
    by status: ``409 ALREADY_CLAIMED; 422 CLAIM_WINDOW_CLOSED, ...``."""
    _registry()  # the layer on the path
    from cme.runtime import resolver

    validated = "requestBody" in operation or any(p.get("in") == "query" for p in operation.get("parameters", []))
    edge = set(resolver.edge_codes(method, path, validated))
    found = []
    for status, response in operation["responses"].items():
        own = [code for code in resolver.declared_codes(response) if code not in edge]
        if own:
            found.append(f"{status} " + ", ".join(f"`{code}`" for code in own))
    return "; ".join(found) or "-"


def reference_block() -> str:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    served = {(r.method.lower(), r.path): r.function for r in cfn.routes()}
    rows = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            query = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            body = operation.get("requestBody")
            answers = []
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    continue
                schema = _schema_name(response.get("content") or {})
                answers.append(f"{status} {schema}".strip() + f": {response.get('description', '')}".rstrip(": "))
            rows.append(
                {
                    "route": f"`{method.upper()} {path}`" + (f" `?{'&'.join(query)}`" if query else ""),
                    "session": "yes" if operation.get("security") else "-",
                    "body": _schema_name(body["content"]) if body else "-",
                    "answers": "; ".join(answers),
                    "errors (beyond the edge's)": _route_codes(method, path, operation),
                    "function": f"`{served.get((method, path), '-')}`",
                }
            )
    return _table(rows)


# ---------------------------------------------------------------- error codes, from the registry
def _registry() -> dict[str, Any]:
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))
    from cme.platform import errors

    return errors.CODES


def errors_block() -> str:
    rows = [
        {"code": f"`{code}`", "status": str(entry.status), "meaning": entry.meaning}
        for code, entry in sorted(_registry().items(), key=lambda item: (item[1].status, item[0]))
    ]
    return _table(rows)


# ---------------------------------------------------------------- citations of the docs
#: where citations are looked for: source, tests, web, the template, the docs themselves
CITING = (".py", ".js", ".html", ".json", ".md", ".yaml", ".yml", ".toml", ".txt", ".css")
SKIP_DIRS = frozenset(
    {".git", ".venv", ".venv-3.12", ".tools", ".aws-sam", "build", "node_modules", "vendor", "fonts"}
    | {".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}
)
# a section's quotes may be escaped (\" in JSON and in Python strings)
DOC_CITATION = re.compile(r'(?<![\w/.])docs/(?P<file>[a-z][a-z0-9_-]*\.md)(?: \\?"(?P<section>[^"\\\n]+)\\?")?')
LINK = re.compile(r"\]\((?P<target>(?:docs/)?[a-z][a-z0-9_-]*\.md)(?:#(?P<anchor>[a-z0-9_-]+))?\)")
README_CITATION = re.compile(r'README(?:\.md)?,? \(?"(?P<section>[^"\n]+)"')
OLD_NAMES = re.compile(r"\b(?:DESIGN|API|DOMAIN)\.md\b|\.\./shared/")


def headings(text: str) -> list[str]:
    """A Markdown text's headings, without their #'s or backticks."""
    return [line.lstrip("#").strip().replace("`", "") for line in text.splitlines() if re.match(r"#{1,6} ", line)]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def citation_problems(text: str, where: str, docs: dict[str, list[str]], readme: list[str]) -> list[str]:
    """What is wrong with the doc citations in ``text`` (a file at ``where``): ``docs`` maps each
    doc's file name to its headings. A citation is ``docs/<file>.md "<heading>"``; in Markdown a
    link into a doc (to ``docs/<file>.md``, or ``<file>.md`` from within docs/, with an optional
    ``#anchor``) may stand instead, its anchor a heading's. A README heading cited in quotes
    after the word README must be one. The old names (the design, API and domain files beside
    the repository) are no citation."""
    problems = []
    markdown = where.endswith(".md")
    links = {m.start("target"): m for m in LINK.finditer(text)} if markdown else {}
    for match in DOC_CITATION.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        name, section = match.group("file"), match.group("section")
        if match.start() in links:
            continue  # a Markdown link: checked below
        if name not in docs:
            problems.append(f"{where}:{line}: docs/{name} is no file of docs/")
        elif section is None:
            problems.append(f'{where}:{line}: docs/{name} names no section (docs/{name} "<heading>")')
        elif section.replace("`", "") not in docs[name]:
            problems.append(f'{where}:{line}: docs/{name} has no heading "{section}"')
    for match in links.values():
        line = text.count("\n", 0, match.start()) + 1
        name = match.group("target").removeprefix("docs/")
        anchor = match.group("anchor")
        if name not in docs:
            problems.append(f"{where}:{line}: link to {match.group('target')}, no file of docs/")
        elif anchor and anchor not in {slug(h) for h in docs[name]}:
            problems.append(f"{where}:{line}: docs/{name} has no heading for #{anchor}")
    for match in README_CITATION.finditer(text):
        if match.group("section").replace("`", "") not in readme:
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f'{where}:{line}: README has no heading "{match.group("section")}"')
    for match in OLD_NAMES.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        problems.append(f"{where}:{line}: {match.group()} is gone: cite docs/<file>.md and its section")
    return problems


#: the checker's own tests, whose sample citations are wrong on purpose
NOT_CITING = frozenset({"tests/unit/test_docs.py"})


def citing_files(root: Path = cfn.ROOT) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in SKIP_DIRS for part in relative.parts[:-1]) or relative.as_posix() in NOT_CITING:
            continue
        if path.is_file() and (path.suffix in CITING or path.name == "Makefile"):
            yield path


def all_citation_problems(root: Path = cfn.ROOT) -> list[str]:
    docs = {path.name: headings(path.read_text(encoding="utf-8")) for path in sorted((root / "docs").glob("*.md"))}
    readme = headings((root / "README.md").read_text(encoding="utf-8"))
    problems = []
    for path in citing_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        problems += citation_problems(text, path.relative_to(root).as_posix(), docs, readme)
    return problems


# ---------------------------------------------------------------- the blocks
GENERATORS = {
    "architecture.md": {"functions": functions_block},
    "api.md": {"reference": reference_block, "errors": errors_block},
}


def rewritten(text: str, blocks: dict[str, Any], name: str = "") -> str:
    """``text`` with each generated block's body made anew; every block must be there once."""
    seen = [m.group("name") for m in BLOCK.finditer(text)]
    for block in blocks:
        if seen.count(block) != 1:
            raise ValueError(f"docs/{name}: the block {block!r} must appear exactly once (found {seen.count(block)})")
    return BLOCK.sub(
        lambda m: (
            m.group(1) + (blocks[m.group("name")]() if m.group("name") in blocks else m.group("body")) + m.group(4)
        ),
        text,
    )


def fresh() -> dict[Path, str]:
    return {
        DOCS / name: rewritten((DOCS / name).read_text(encoding="utf-8"), blocks, name)
        for name, blocks in GENERATORS.items()
    }


def main(argv: list[str]) -> int:
    stale = []
    for path, text in fresh().items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if "--check" not in argv:
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(cfn.ROOT)}")
    if "--check" in argv and stale:
        names = ", ".join(str(p.relative_to(cfn.ROOT)) for p in stale)
        print(f"{names} out of date: run `make docs` and commit.", file=sys.stderr)
        return 1
    problems = all_citation_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
