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
