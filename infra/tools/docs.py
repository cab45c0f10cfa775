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
- ``errors`` (docs/api.md "Error codes"): every error ``code`` the layer and the functions answer with, found
  in their source (``error_codes``), with its status and the message a person reads.

``--check`` also holds every citation of a doc in the tree to one form (``citation_problems``):
a doc file and a heading of it, ``docs/domain.md "Credit"``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from infra.local import cfn

DOCS = cfn.ROOT / "docs"
LAYER = cfn.ROOT / "layers" / "common"
PACKAGE = LAYER / "cme"
FUNCTIONS = cfn.ROOT / "functions"
OPENAPI = cfn.ROOT / "openapi.json"

BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[a-z-]+) \(make docs\) -->\n)(?P<body>.*?)(<!-- END GENERATED: (?P=name) -->)",
    re.DOTALL,
)


# ---------------------------------------------------------------- functions -> modules -> tables -> IAM
def _cme_imports(folder: Path) -> list[str]:
    """The ``cme`` modules a function's files import (``from cme import a``, ``from cme.b import x``):
    its handler's and its own modules' beside it (e.g. functions/publisher/routes)."""
    found: set[str] = set()
    trees = (ast.parse(path.read_text(encoding="utf-8")) for path in sorted(folder.rglob("*.py")))
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "cme":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("cme."):
                found.add(node.module.removeprefix("cme.").split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("cme."))
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
                if status in ("4XX", "503"):
                    continue
                schema = _schema_name(response.get("content") or {})
                answers.append(f"{status} {schema}".strip() + f": {response.get('description', '')}".rstrip(": "))
            rows.append(
                {
                    "route": f"`{method.upper()} {path}`" + (f" `?{'&'.join(query)}`" if query else ""),
                    "session": "yes" if operation.get("security") else "-",
                    "body": _schema_name(body["content"]) if body else "-",
                    "answers": "; ".join(answers),
                    "function": f"`{served.get((method, path), '-')}`",
                }
            )
    return _table(rows)


# ---------------------------------------------------------------- error codes, from the source
@dataclass
class ErrorCode:
    code: str
    statuses: set[int] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)
    modules: set[str] = field(default_factory=set)


def _statuses() -> dict[str, int]:
    """Each domain error class's status, as cme.api maps it (the one place)."""
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))
    from cme import api, errors

    out = {cls.__name__: status for cls, status in api.STATUS.items()}
    for name in dir(errors):  # a subclass of a mapped class answers with its status
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, errors.DomainError) and name not in out:
            out[name] = next((s for c, s in api.STATUS.items() if issubclass(cls, c)), 400)
    return out


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _sources() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))
    yield from sorted(FUNCTIONS.glob("*/*.py"))


class _Source:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = path.relative_to(cfn.ROOT).as_posix() if path.is_relative_to(cfn.ROOT) else path.name
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.constants = {
            target.id: node.value.value
            for node in self.tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }


class Scan:
    """Every (code, status, message) the source answers with. Codes are found where an error is
    made: a domain error class called with its code (``InvalidInput("X", ...)``), a helper that
    passes its own parameter on as the code (``_invalid(code, ...)``, then ``_invalid("X", ...)``),
    a subclass that names its code (``super().__init__("X", ...)``), and the HTTP edge's
    ``(status, "X", message)`` tuples and ``error_response(status, "X", message)`` calls.
    ``unresolved`` lists the places that make an error whose code is none of those, so a new
    form of raising fails the drift test instead of going missing from the table."""

    def __init__(self, sources: Iterable[Path], statuses: dict[str, int]) -> None:
        self.statuses = statuses
        self.sources = [_Source(path) for path in sources]
        self.constants: dict[str, str] = {}
        for source in self.sources:
            self.constants.update(source.constants)
        self.codes: dict[str, ErrorCode] = {}
        self.unresolved: list[str] = []
        self.helpers = self._helpers()
        for source in self.sources:
            self._scan(source)

    def _text(self, node: ast.expr | None, source: _Source) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name | ast.Attribute):
            name = _name(node)
            return source.constants.get(name, self.constants.get(name))
        if isinstance(node, ast.JoinedStr):
            return "".join(
                str(v.value) if isinstance(v, ast.Constant) else "…" for v in node.values
            )  # a value filled in at run time: …
        return None

    def _helpers(self) -> dict[str, tuple[int, int]]:
        """Functions that make an error with a code given as their parameter: name ->
        (the parameter's position, status)."""
        found: dict[str, tuple[int, int]] = {}
        for source in self.sources:
            for node in ast.walk(source.tree):
                if not isinstance(node, ast.FunctionDef):
                    continue
                params = [a.arg for a in node.args.args]
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and _name(call.func) in self.statuses
                        and call.args
                        and isinstance(call.args[0], ast.Name)
                        and call.args[0].id in params
                    ):
                        found[node.name] = (params.index(call.args[0].id), self.statuses[_name(call.func)])
        return found

    def _add(self, code: str, status: int, message: str | None, source: _Source) -> None:
        entry = self.codes.setdefault(code, ErrorCode(code))
        entry.statuses.add(status)
        if message and message not in entry.messages:
            entry.messages.append(message)
        entry.modules.add(source.label)

    def _scan(self, source: _Source) -> None:
        for node in ast.walk(source.tree):
            if isinstance(node, ast.ClassDef):
                self._scan_class(node, source)
            elif isinstance(node, ast.Tuple):
                self._scan_tuple(node.elts, source)
            elif isinstance(node, ast.Call):
                self._scan_call(node, source)

    def _scan_class(self, node: ast.ClassDef, source: _Source) -> None:
        status = self.statuses.get(node.name)
        if status is None:
            return
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and _name(call.func) == "__init__" and call.args:
                code = self._text(call.args[0], source)
                if code:
                    self._add(code, status, self._text(call.args[1], source) if len(call.args) > 1 else None, source)

    def _status_of(self, node: ast.expr) -> int | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and 400 <= node.value < 600:
            return node.value
        if isinstance(node, ast.Attribute) and _name(node.value) == "HTTPStatus":
            return int(HTTPStatus[node.attr])
        return None

    def _scan_tuple(self, elts: list[ast.expr], source: _Source) -> None:
        if len(elts) >= 2:
            status, code = self._status_of(elts[0]), self._text(elts[1], source)
            if status is not None and code and re.fullmatch(r"[A-Z][A-Z0-9_]+", code):
                self._add(code, status, self._text(elts[2], source) if len(elts) > 2 else None, source)

    def _scan_call(self, call: ast.Call, source: _Source) -> None:
        name = _name(call.func)
        if name in self.statuses and call.args:
            code = self._text(call.args[0], source)
            if code is not None:
                self._add(
                    code, self.statuses[name], self._text(call.args[1], source) if len(call.args) > 1 else None, source
                )
            elif not self._forwarded(call.args[0], source):
                self.unresolved.append(f"{source.label}:{call.lineno}")
        elif name in self.helpers:
            position, status = self.helpers[name]
            if len(call.args) > position:
                code = self._text(call.args[position], source)
                if code is not None:
                    message = self._text(call.args[position + 1], source) if len(call.args) > position + 1 else None
                    self._add(code, status, message, source)
                elif not self._forwarded(call.args[position], source):
                    self.unresolved.append(f"{source.label}:{call.lineno}")
        else:
            self._scan_tuple(list(call.args), source)

    def _forwarded(self, node: ast.expr, source: _Source) -> bool:
        """A code that is not made here: another error's (``problem.code``) or a helper's own
        parameter (counted where the helper is called)."""
        if isinstance(node, ast.Attribute) and node.attr == "code":
            return True
        if isinstance(node, ast.Name):
            return any(
                isinstance(f, ast.FunctionDef) and f.name in self.helpers and node.id in [a.arg for a in f.args.args]
                for f in ast.walk(source.tree)
            )
        return False


def error_codes() -> Scan:
    return Scan(_sources(), _statuses())


def errors_block() -> str:
    scan = error_codes()
    if scan.unresolved:
        raise ValueError(
            "an error is made with a code the docs generator cannot read (give it as a literal or a constant): "
            + ", ".join(scan.unresolved)
        )
    rows = []
    for entry in sorted(scan.codes.values(), key=lambda e: (min(e.statuses), e.code)):
        modules = sorted(m.removeprefix("layers/common/") for m in entry.modules)
        rows.append(
            {
                "code": f"`{entry.code}`",
                "status": ", ".join(str(s) for s in sorted(entry.statuses)),
                "message a person reads": " / ".join(m.replace("\n", " ") for m in entry.messages) or "-",
                "made in": ", ".join(f"`{m}`" for m in modules),
            }
        )
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
