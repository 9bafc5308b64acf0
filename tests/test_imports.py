"""Architecture: arrows go tui -> briefs -> index. index/ and briefs/ never import Textual."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def modules_of(package: str) -> list[str]:
    return [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(ROOT / package)])]


def imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.mark.parametrize("module", ["index", "briefs", *modules_of("index"), *modules_of("briefs")])
def test_core_never_imports_textual_or_the_app(module):
    loaded = imported_after(module)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}, module
    assert not {m for m in loaded if m == "tui" or m.startswith("tui.")}, module


@pytest.mark.parametrize("module", modules_of("index"))
def test_index_never_imports_briefs(module):
    assert not {m for m in imported_after(module) if m.split(".")[0] == "briefs"}, module


def test_the_cli_module_does_not_import_textual():
    loaded = imported_after("tui.cli")
    assert not {m for m in loaded if m.split(".")[0] == "textual"}


def test_the_catalog_cache_brief_index_refreshes_does_not_import_textual():
    loaded = imported_after("tui.catalog")
    assert not {m for m in loaded if m.split(".")[0] == "textual"}
