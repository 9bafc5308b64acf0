"""A fresh install gets what the suite was green with: every dependency declared, locked, installed as locked."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"runtime": [Requirement(r) for r in project["dependencies"]],
            **{extra: [Requirement(r) for r in reqs] for extra, reqs in project["optional-dependencies"].items()}}


def locked() -> dict[str, tuple[str, Requirement]]:
    """name -> (version, requirement line) of every package in requirements.lock."""
    out = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{line!r}: a lock pins exact versions"
        out[canonicalize_name(req.name)] = (spec.version, req)
    return out


def test_every_declared_dependency_is_locked_at_a_version_it_accepts():
    lock = locked()
    for group, reqs in declared().items():
        for req in reqs:
            name = canonicalize_name(req.name)
            assert name in lock, f"{req} ({group}) is not in requirements.lock: refresh the lock (see README)"
            assert req.specifier.contains(lock[name][0], prereleases=True), \
                f"requirements.lock pins {name}=={lock[name][0]}, outside {req} ({group}): refresh the lock"


def test_what_is_installed_is_what_the_lock_says():
    mismatched = []
    for name, (version, req) in locked().items():
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            installed = md.version(name)
        except md.PackageNotFoundError:
            continue  # an extra that is not installed (the app alone, without the test tools)
        if installed != version:
            mismatched.append(f"{name} {installed} (lock: {version})")
    assert not mismatched, "installed without the lock (pip install -c requirements.lock ...): " + ", ".join(mismatched)


def _imported_top_names(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("folder,groups", [(("index", "briefs", "tui"), ("runtime",)),
                                           (("tests", "bench"), ("runtime", "test", "bench"))])
def test_every_third_party_module_the_code_imports_is_declared(folder, groups):
    ours = {"index", "briefs", "tui", "tests", "bench", "tui_support", "conftest", "hostile"}
    names = set().union(*(_imported_top_names(ROOT / f) for f in folder))
    names = {n for n in names if n not in sys.stdlib_module_names and n not in ours and not n.startswith("test_")}
    wanted = {canonicalize_name(r.name) for g in groups for r in declared()[g]}
    owners = md.packages_distributions()
    undeclared = {}
    for name in sorted(names):
        dists = {canonicalize_name(d) for d in owners.get(name, [])}
        if not dists and canonicalize_name(name) in wanted:
            continue  # declared in an extra that is not installed here (bench: sumy, rouge-score)
        assert dists, f"{name} is imported by {'/'.join(folder)} but no installed package provides it"
        if not dists & wanted:
            undeclared[name] = sorted(dists)
    assert not undeclared, f"imported but not declared in pyproject.toml ({', '.join(groups)}): {undeclared}"


def test_saved_html_pages_can_be_read_here():
    """lxml 6.1 split lxml.html.clean out: without lxml_html_clean, trafilatura (jusText) fails to import."""
    assert any(canonicalize_name(r.name) == "lxml-html-clean" for r in declared()["runtime"])
    import trafilatura

    page = "<html><body><article><p>" + "The reservoir rose again on Monday, officials said. " * 8 + "</p></article></body></html>"
    assert "reservoir rose" in trafilatura.extract(page)
