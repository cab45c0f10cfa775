"""Builds the shared layer for `sam build` (template.yaml: CommonLayer, ``BuildMethod: makefile``;
layers/common/Makefile runs this file), and says what the layer leaves out.

    python3.12 build_layer.py ARTIFACTS_DIR

1. Installs layers/common/requirements.txt (exported from uv.lock by ``make layer-requirements``)
   into ARTIFACTS_DIR/python with pip, for CPython 3.12 on x86_64 Linux, each package as pinned
   (``--no-deps``: the file is already the whole closure). The export leaves out boto3, botocore
   and s3transfer: the Lambda python3.12 runtime provides the AWS SDK (see the Makefile's
   layer-requirements target for why that is safe here).
2. Copies the ``cme`` package (no bytecode caches).
3. Removes what nothing imports at run time (``PRUNE``, ``drop``): bytecode caches, test suites,
   C sources shipped beside compiled modules, fontTools' font-compiler packages, Pillow's AVIF,
   WebP and FreeType plugins with their libraries (fpdf2 embeds PNG and JPEG signatures only,
   and Pillow skips a format plugin whose module is missing).

The rules are read by bench/run.py too, which measures the layer without running `sam build`.
Standard library only: it runs under the python3.12 that `sam build` needs anyway.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")  # the python3.12 runtime: Amazon Linux 2023
FONTS = PurePosixPath("cme/records/pdf/fonts")  # the fonts the PDFs embed (not counted in the layer's goal)

# (top-level directory, its subdirectories nothing imports at run time)
PRUNE_DIRS = {
    # fontTools' font compilers and converters; fpdf2 parses, subsets and writes TrueType/CFF only
    "fontTools": ("cu2qu", "qu2cu", "ufoLib", "voltLib", "mtiLib", "merge", "t1Lib"),
}
# files (by name) nothing loads: Pillow's AVIF, WebP, FreeType (ImageFont) and Tk plugins, their
# bundled libraries (pillow.libs; _imaging, _imagingcms need the others: readelf -d)
PRUNE_FILES_PREFIX = (
    "PIL/_avif.",
    "PIL/_webp.",
    "PIL/_imagingft.",
    "PIL/_imagingtk.",
    "pillow.libs/libavif-",
    "pillow.libs/libwebp-",
    "pillow.libs/libwebpdemux-",
    "pillow.libs/libwebpmux-",
    "pillow.libs/libsharpyuv-",
    "pillow.libs/libfreetype-",
    "pillow.libs/libharfbuzz-",
    "pillow.libs/libbrotlicommon-",
    "pillow.libs/libbrotlidec-",
    "pillow.libs/libpng16-",
)
# suffixes of files never loaded: C/Cython sources beside the compiled modules, type stubs
PRUNE_SUFFIXES = (".c", ".pyx", ".pxd", ".pyi", ".h")


def drop(relative: PurePosixPath) -> bool:
    """Whether a file of the layer (path relative to python/) is left out."""
    parts = relative.parts
    if "__pycache__" in parts or "tests" in parts[1:-1]:
        return True
    if relative.suffix in PRUNE_SUFFIXES and relative.parts[0] != "cme":
        return True
    if len(parts) > 2 and parts[1] in PRUNE_DIRS.get(parts[0], ()):
        return True
    return str(relative).startswith(PRUNE_FILES_PREFIX)


def requirements(path: Path = REQUIREMENTS) -> list[tuple[str, str]]:
    """(name, version) of each package in the exported requirements file."""
    pinned = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pinned.append((name.strip(), version.strip()))
    return pinned


def prune(root: Path) -> int:
    """Remove the files ``drop`` names under ``root`` (the layer's python/); returns bytes removed."""
    removed = 0
    for path in sorted(root.rglob("*"), reverse=True):
        relative = PurePosixPath(path.relative_to(root).as_posix())
        if path.is_file() and drop(relative):
            removed += path.stat().st_size
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def build(artifacts: Path) -> None:
    target = artifacts / "python"
    target.mkdir(parents=True, exist_ok=True)
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-compile",
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            "3.12",
            *platforms,
            "--target",
            str(target),
            "-r",
            str(REQUIREMENTS),
        ],
        check=True,
    )
    shutil.copytree(HERE / "cme", target / "cme", ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    removed = prune(target)
    total = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    fonts = sum(p.stat().st_size for p in (target / FONTS).rglob("*") if p.is_file())
    print(
        f"CommonLayer: {total / 2**20:.1f} MiB ({(total - fonts) / 2**20:.1f} MiB without the fonts); "
        f"pruned {removed / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    build(Path(sys.argv[1]))
