"""Every place the source makes an error, read from its syntax tree: the code, the status it is
made with, and where.

The registry (``cme.platform.errors.CODES``) says which status each code has; the test
tests/unit/test_error_registry.py holds every site found here against it, so an error made
with a code the registry does not hold, or with another status than the registered one, fails
the unit tests before it can ship (whether or not any test runs that path).

Codes are found where an error is made: a domain error class called with its code
(``InvalidInput("X", ...)``), a helper that passes its own parameter on as the code
(``_invalid(code, ...)``, then ``_invalid("X", ...)``), a subclass that names its code
(``super().__init__("X", ...)``), and the HTTP edge's ``(status, "X", message)`` tuples and
``error_response(status, "X", message)`` calls; and an import's row problems
(``Problem(row, field, "X", message)``, cme.rules.imports), registered as 422 like any input
the portal cannot take. ``unresolved`` lists the places that make an
error whose code is none of those, so a new way of raising fails the test instead of going
unchecked.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from infra.local import cfn

LAYER = cfn.ROOT / "layers" / "common"
PACKAGE = LAYER / "cme"
FUNCTIONS = cfn.ROOT / "functions"


#: an import's row problem (cme.rules.imports.Problem): the code is its third argument (or ``code=``)
ROW_PROBLEM = "Problem"
ROW_PROBLEM_STATUS = 422


def _problem_code(call: ast.Call) -> ast.expr | None:
    """The code argument of a ``Problem(...)`` call (None for any other call)."""
    if _name(call.func) != ROW_PROBLEM:
        return None
    if len(call.args) > 2:
        return call.args[2]
    return next((k.value for k in call.keywords if k.arg == "code"), None)


@dataclass(frozen=True, order=True)
class Site:
    """One place an error is made: its code, the status it answers with, ``path:line``, and the
    message (``…`` where a value is filled in at run time; None when not a literal)."""

    code: str
    status: int
    where: str
    message: str | None = None


def class_statuses() -> dict[str, int]:
    """Each domain error class's status (``cme.platform.errors``: ``status`` on the class)."""
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))
    from cme.platform import errors

    return {
        name: cls.status
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.DomainError)
    }


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def sources() -> Iterator[Path]:
    """The layer's modules and the functions' handlers (the code that answers requests)."""
    yield from sorted(PACKAGE.rglob("*.py"))
    yield from sorted(FUNCTIONS.rglob("*.py"))  # handlers and their Routers (functions/publisher/routes)


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
    """Every site (``sites``) where the ``sources`` make an error; ``statuses`` maps each domain
    error class's name to its status."""

    def __init__(self, paths: Iterable[Path], statuses: dict[str, int]) -> None:
        self.statuses = statuses
        self.sources = [_Source(path) for path in paths]
        self.constants: dict[str, str] = {}
        for source in self.sources:
            self.constants.update(source.constants)
        self.sites: list[Site] = []
        self.unresolved: list[str] = []
        self.helpers = self._helpers()
        for source in self.sources:
            self._scan(source)

    def codes(self) -> dict[str, set[int]]:
        """Each code made anywhere, with the statuses it is made with."""
        found: dict[str, set[int]] = {}
        for site in self.sites:
            found.setdefault(site.code, set()).add(site.status)
        return found

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
                    elif isinstance(call, ast.Call):
                        code = _problem_code(call)
                        if isinstance(code, ast.Name) and code.id in params:
                            found[node.name] = (params.index(code.id), ROW_PROBLEM_STATUS)
        return found

    def _add(self, code: str, status: int, message: str | None, source: _Source, node: ast.AST) -> None:
        where = f"{source.label}:{getattr(node, 'lineno', 0)}"
        self.sites.append(Site(code, status, where, message.replace("\n", " ") if message else None))

    def _scan(self, source: _Source) -> None:
        for node in ast.walk(source.tree):
            if isinstance(node, ast.ClassDef):
                self._scan_class(node, source)
            elif isinstance(node, ast.Tuple):
                self._scan_tuple(node.elts, source, node)
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
                    message = self._text(call.args[1], source) if len(call.args) > 1 else None
                    self._add(code, status, message, source, call)

    def _status_of(self, node: ast.expr) -> int | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and 400 <= node.value < 600:
            return node.value
        if isinstance(node, ast.Attribute) and _name(node.value) == "HTTPStatus":
            return int(HTTPStatus[node.attr])
        return None

    def _scan_tuple(self, elts: list[ast.expr], source: _Source, node: ast.AST) -> None:
        if len(elts) >= 2:
            status, code = self._status_of(elts[0]), self._text(elts[1], source)
            if status is not None and code and re.fullmatch(r"[A-Z][A-Z0-9_]+", code):
                self._add(code, status, self._text(elts[2], source) if len(elts) > 2 else None, source, node)

    def _scan_call(self, call: ast.Call, source: _Source) -> None:
        name = _name(call.func)
        problem = _problem_code(call)
        if problem is not None:
            code = self._text(problem, source)
            if code is not None:
                said = (
                    call.args[3]
                    if len(call.args) > 3
                    else next((k.value for k in call.keywords if k.arg == "message"), None)
                )
                self._add(code, ROW_PROBLEM_STATUS, self._text(said, source), source, call)
            elif not self._forwarded(problem, source):
                self.unresolved.append(f"{source.label}:{call.lineno}")
        elif name in self.statuses and call.args:
            code = self._text(call.args[0], source)
            if code is not None:
                message = self._text(call.args[1], source) if len(call.args) > 1 else None
                self._add(code, self.statuses[name], message, source, call)
            elif not self._forwarded(call.args[0], source):
                self.unresolved.append(f"{source.label}:{call.lineno}")
        elif name in self.helpers:
            position, status = self.helpers[name]
            if len(call.args) > position:
                code = self._text(call.args[position], source)
                if code is not None:
                    message = self._text(call.args[position + 1], source) if len(call.args) > position + 1 else None
                    self._add(code, status, message, source, call)
                elif not self._forwarded(call.args[position], source):
                    self.unresolved.append(f"{source.label}:{call.lineno}")
        else:
            self._scan_tuple(list(call.args), source, call)

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


def scan() -> Scan:
    """Every error the layer and the functions make."""
    return Scan(sources(), class_statuses())


def mismatches(sites: Iterable[Site], registry: dict[str, int | tuple[int, ...]]) -> list[str]:
    """The sites whose code is not in ``registry`` (code -> its status, or all its statuses) or
    is made with a status it is not registered with, as lines a person reads."""
    problems = []
    for site in sorted(sites, key=lambda s: (s.where, s.code)):
        registered = registry.get(site.code)
        if registered is None:
            problems.append(f"{site.where}: {site.code} is not in cme.platform.errors.CODES")
        elif site.status not in (registered if isinstance(registered, tuple) else (registered,)):
            shown = registered[0] if isinstance(registered, tuple) and len(registered) == 1 else registered
            problems.append(f"{site.where}: {site.code} made with {site.status}, registered as {shown}")
    return problems
