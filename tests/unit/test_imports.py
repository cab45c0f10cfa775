"""Importing a handler reads no environment and imports no PDF library: fpdf2 (and uharfbuzz, which
fpdf2 imports for text shaping) is imported only where a PDF is rendered (the certificate and
transcript code paths), never at import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from infra.local import cfn

LAYER = cfn.ROOT / "layers" / "common"


@pytest.mark.parametrize("function", sorted(cfn.functions()))
def test_handler_import_is_lean(function: str) -> None:
    spec = cfn.functions()[function]
    code = (
        "import sys, importlib.util;"
        f"sys.path[:0] = [{str(LAYER)!r}, {str(spec.code_dir)!r}];"
        f"s = importlib.util.spec_from_file_location('handler', {str(spec.code_dir / (spec.module + '.py'))!r});"
        "m = importlib.util.module_from_spec(s); s.loader.exec_module(m);"
        f"assert callable(getattr(m, {spec.attribute!r}));"
        "heavy = sorted(n for n in ('fpdf', 'fontTools', 'uharfbuzz', 'segno', 'zxcvbn', 'phonenumbers', 'jinja2',"
        " 'argon2') if n in sys.modules);"
        "print(','.join(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{function} imports {done.stdout.strip()} at import time"


def test_schemas_map_names_every_shape_in_its_area() -> None:
    """``cme.platform.schemas.AREAS`` (what ``from cme.platform.schemas import X`` imports) lists exactly the public
    names each area module defines."""
    import ast
    import importlib

    from cme.platform import schemas

    for area, names in schemas.AREAS.items():
        module = importlib.import_module(f"cme.platform.schemas.{area}")
        tree = ast.parse((LAYER / "cme" / "platform" / "schemas" / f"{area}.py").read_text())
        defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
        defined |= {
            t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)
        }
        defined = {name for name in defined if not name.startswith("_")}
        assert defined == set(names), area
        for name in names:
            assert getattr(schemas, name) is getattr(module, name)


def test_a_shape_imports_only_its_own_area() -> None:
    """The sign-in's body model does not define the API's other shapes (issue 16, cold starts)."""
    code = (
        f"import sys; sys.path[:0] = [{str(LAYER)!r}];"
        "from cme.platform.schemas import SignIn;"
        "print(','.join(sorted(n for n in sys.modules if n.startswith('cme.platform.schemas.'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "cme.platform.schemas._common,cme.platform.schemas.accounts"


def test_the_dummy_password_hash_has_the_hashers_parameters() -> None:
    """Sign-in of an unknown email verifies against a stored dummy hash (no hashing at a cold
    start); it must cost what a learner's verification costs, so carry the same parameters."""
    from cme.identity import passwords

    assert not passwords.needs_rehash(passwords.DUMMY_HASH)
    assert passwords.verify_password(passwords.DUMMY_HASH, "dummy password for timing")
