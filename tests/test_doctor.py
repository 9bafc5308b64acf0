"""`brief doctor`: run as a fresh process, on healthy, missing, damaged and hostile libraries and installs."""

from __future__ import annotations

import fcntl
import json
import os
import sys
from pathlib import Path

import pytest

from hostile.conftest import ROOT, article, assert_clean, run_brief

# Runs `brief ARGS` after the code given has broken or changed something in the process first.
WRAP = "import sys\n{setup}\nfrom tui.cli import main\nsys.exit(main())\n"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def make_library(tmp_path: Path, home: Path, name: str = "lib", src_name: str = "src", n: int = 2) -> Path:
    src = tmp_path / src_name
    src.mkdir()
    for i, topic in enumerate(["reservoir", "harbour", "glacier", "orchard"][:n]):
        (src / f"{topic}.txt").write_text(article(topic=topic), encoding="utf-8")
    lib = tmp_path / name
    done = run_brief("index", str(src), home=home, library=lib)
    assert done.code == 0, done
    return lib


def doctor(home: Path, lib: Path | None = None, *args: str, env: dict | None = None, setup: str | None = None):
    code = WRAP.format(setup=setup) if setup else None
    return run_brief("doctor", *args, home=home, library=lib, env=env, code=code)


def section(out: str, name: str) -> str:
    """The lines of one group of the text report."""
    lines = out.splitlines()
    start = lines.index(name) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")), len(lines))
    return "\n".join(lines[start:end])


def problems(out: str) -> list[str]:
    lines = out.splitlines()
    if "OK: nothing wrong found" in lines:
        return []
    start = next(i for i, line in enumerate(lines) if line.startswith("PROBLEMS: "))
    listed = [line[4:] for line in lines[start + 1:] if line.startswith("  - ")]
    assert lines[start] == f"PROBLEMS: {len(listed)}"
    return listed


def manifest_ids(lib: Path) -> list[str]:
    data = json.loads((lib / "manifest.json").read_text(encoding="utf-8"))
    return [a["id"] for e in data["files"].values() for a in e["articles"]]


# ------------------------------------------------------------------------------------------------ healthy


def test_a_healthy_library_says_ok_with_the_facts(tmp_path, home):
    lib = make_library(tmp_path, home, n=3)
    run = assert_clean(doctor(home, lib), (0,))
    out = run.out
    assert out.splitlines()[-1] == "OK: nothing wrong found"
    for group in ("brief", "python", "dependencies", "readers", "library", "paths", "config", "terminal"):
        assert group in out.splitlines(), group
    assert "version: " in section(out, "brief")
    assert f"executable: {sys.executable}" in section(out, "python")
    deps = section(out, "dependencies")
    for name in ("textual", "trafilatura", "lxml", "lxml_html_clean", "whoosh-reloaded"):
        assert f"  {name}: " in deps + "\n", name
    assert "lock " in deps  # the checkout's requirements.lock is compared
    readers = section(out, "readers")
    assert "html: ok" in readers and "feed: ok" in readers
    library = section(out, "library")
    assert f"path: {lib}" in library and "chosen by: --library" in library
    assert "documents: 3" in library and "articles: 3" in library and "agree: yes" in library
    assert "lock: free" in library
    assert "size index: " in library and "size manifest: " in library
    paths = section(out, "paths")
    assert f"cache: {home / 'cache' / 'brief'}" in paths
    assert f"demo library: {home / 'cache' / 'brief' / 'demo-library'}" in paths
    assert f"file: {home / 'config' / 'brief' / 'config.toml'}" in section(out, "config")
    terminal = section(out, "terminal")
    assert "stdout is a terminal: no" in terminal and "size: not a terminal" in terminal


def test_json_has_the_same_facts_and_verdict(tmp_path, home):
    lib = make_library(tmp_path, home)
    run = assert_clean(doctor(home, lib, "--json"), (0,))
    data = json.loads(run.out)
    assert data["ok"] is True and data["problems"] == []
    assert data["library"]["documents"] == 2 and data["library"]["agree"] is True
    assert data["readers"]["html"] == "ok"
    assert data["dependencies"]["textual"]["installed"]
    text = doctor(home, lib).out
    assert f"documents: {data['library']['documents']}" in text
    assert f"version: {data['brief']['version']}" in text

    (lib / "manifest.json").write_text("{not json", encoding="utf-8")
    broken = assert_clean(doctor(home, lib, "--json"), (1,))
    data = json.loads(broken.out)
    assert data["ok"] is False and any("manifest" in p for p in data["problems"])
    assert problems(doctor(home, lib).out) == data["problems"]


def test_no_library_yet_is_not_a_problem_and_says_how_to_start(tmp_path, home):
    run = assert_clean(doctor(home, tmp_path / "nothing-here"), (0,))
    assert "exists: no" in section(run.out, "library")
    assert "brief index" in run.out and run.out.splitlines()[-1] == "OK: nothing wrong found"
    # The default library (no --library, no $BRIEF_LIBRARY) is chosen as the other commands choose it.
    run = assert_clean(doctor(home), (0,))
    assert f"path: {home / 'data' / 'brief'}" in section(run.out, "library")
    assert "chosen by: default" in section(run.out, "library")
    run = assert_clean(doctor(home, env={"BRIEF_LIBRARY": str(tmp_path / "env-lib")}), (0,))
    assert "chosen by: $BRIEF_LIBRARY" in run.out and f"path: {tmp_path / 'env-lib'}" in run.out


def test_demo_says_where_it_is_and_builds_nothing(home):
    run = assert_clean(doctor(home, None, "--demo"), (0,))
    demo = home / "cache" / "brief" / "demo-library"
    assert f"path: {demo}" in section(run.out, "library") and "chosen by: --demo" in run.out
    assert "brief --demo list" in run.out
    assert not demo.exists()


def test_a_demo_library_missing_bundled_files_is_a_problem(home):
    import shutil

    demo = home / "cache" / "brief" / "demo-library"
    built = run_brief("--demo", "list", home=home, code=WRAP.format(setup="sys.modules['trafilatura'] = None"))
    assert demo.is_dir(), built
    from index.readers import SUPPORTED

    bundled = [p for p in (ROOT / "index" / "demo").rglob("*") if p.is_file() and p.suffix in SUPPORTED]
    html = sorted(p.name for p in bundled if p.suffix == ".html")
    run = assert_clean(doctor(home, None, "--demo"), (1,))  # the readers work again: only the demo is wrong
    (found,) = problems(run.out)
    assert found.startswith(f"library: the demo library is missing {len(html)} of its {len(bundled)} bundled files")
    assert all(name in found for name in html) and "brief --demo list" in found and str(demo) in found

    shutil.rmtree(demo)
    assert run_brief("--demo", "list", home=home).code == 0
    run = assert_clean(doctor(home, None, "--demo"), (0,))
    assert f"demo files: {len(bundled)} of {len(bundled)} bundled files" in run.out
    listed = json.loads(run_brief("--demo", "list", "--json", home=home).out)["articles"]
    assert json.loads(doctor(home, None, "--demo", "--json").out)["library"]["articles"] == len(listed)


# ------------------------------------------------------------------------------------------------ damaged


def test_manifest_and_index_that_disagree_are_a_problem_naming_it(tmp_path, home):
    lib = make_library(tmp_path, home)
    data = json.loads((lib / "manifest.json").read_text(encoding="utf-8"))
    gone_path = sorted(data["files"])[0]
    gone_id = data["files"].pop(gone_path)["articles"][0]["id"]
    (lib / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    run = assert_clean(doctor(home, lib), (1,))
    found = problems(run.out)
    assert len(found) == 1, found
    assert "disagree" in found[0] and "1 indexed articles are not in the manifest" in found[0]
    assert gone_id in found[0] and "brief index --rebuild" in found[0]
    assert "agree: no" in section(run.out, "library") and "only in index: 1" in run.out


def test_a_damaged_manifest_is_named_with_the_way_out(tmp_path, home):
    lib = make_library(tmp_path, home)
    (lib / "manifest.json").write_text('{"version": 1, "roots": 5, "files": [1, 2]}', encoding="utf-8")
    run = assert_clean(doctor(home, lib), (1,))
    assert any("manifest" in p and "run `brief index" in p for p in problems(run.out)), run.out  # the way out
    assert "version: " in section(run.out, "brief")  # the other checks still ran
    assert "readers" in run.out.splitlines() and "terminal" in run.out.splitlines()


def test_a_damaged_index_is_named_with_the_way_out(tmp_path, home):
    lib = make_library(tmp_path, home)
    for f in (lib / "index").iterdir():
        if f.suffix == ".seg":
            f.write_bytes(f.read_bytes()[:40])
    run = assert_clean(doctor(home, lib), (1,))
    found = problems(run.out)
    assert any("index" in p and "brief index --rebuild" in p for p in found), run.out


def test_a_missing_manifest_beside_an_index_is_a_problem(tmp_path, home):
    lib = make_library(tmp_path, home)
    (lib / "manifest.json").unlink()
    run = assert_clean(doctor(home, lib), (1,))
    assert any("manifest" in p and "missing" in p and "--rebuild" in p for p in problems(run.out)), run.out


def test_fifos_in_place_of_the_lock_and_manifest_do_not_hang(tmp_path, home):
    lib = make_library(tmp_path, home)
    (lib / "brief.lock").unlink()
    os.mkfifo(lib / "brief.lock")
    os.mkfifo(lib / "sketches.json.x.tmp")
    run = assert_clean(doctor(home, lib), (0,))
    assert "lock: unknown (brief.lock is not a regular file)" in run.out
    (lib / "manifest.json").unlink()
    os.mkfifo(lib / "manifest.json")
    run = assert_clean(doctor(home, lib), (1,))
    assert any("manifest" in p and "not a regular file" in p for p in problems(run.out)), run.out


# ------------------------------------------------------------------------------------------------ lock, leftovers


def test_a_held_lock_is_shown_with_its_pid(tmp_path, home):
    lib = make_library(tmp_path, home)
    fd = os.open(lib / "brief.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        run = assert_clean(doctor(home, lib), (0,))
        assert f"lock: held by pid {os.getpid()}" in section(run.out, "library")
        assert json.loads(doctor(home, lib, "--json").out)["library"]["lock_pid"] == os.getpid()
    finally:
        os.close(fd)
    run = assert_clean(doctor(home, lib), (0,))
    assert "lock: free" in run.out


def test_doctor_writes_nothing_in_the_library_nor_creates_the_lock(tmp_path, home):
    lib = make_library(tmp_path, home)
    (lib / "brief.lock").unlink()
    before = sorted(p.relative_to(lib) for p in lib.rglob("*"))
    mode = lib.stat().st_mode
    os.chmod(lib, 0o555)  # read-only (root may still write: the listing below is what proves it)
    try:
        run = assert_clean(doctor(home, lib), (0,))
    finally:
        os.chmod(lib, mode)
    assert sorted(p.relative_to(lib) for p in lib.rglob("*")) == before
    assert "no lock file" in run.out
    if os.geteuid() != 0:
        assert "read-only" in run.out


def test_leftovers_of_an_interrupted_run_are_a_note(tmp_path, home):
    lib = make_library(tmp_path, home)
    (lib / "index.new.k2j3h4").mkdir()
    (lib / "manifest.json.a1b2.tmp").write_text("{", encoding="utf-8")
    run = assert_clean(doctor(home, lib), (0,))
    notes = run.out[run.out.index("NOTES: "):]
    assert "index.new.k2j3h4" in notes and "manifest.json.a1b2.tmp" in notes and "interrupted" in notes


# ------------------------------------------------------------------------------------------------ broken installs


def test_a_reader_whose_package_is_broken_is_a_problem_naming_the_package_and_fix(tmp_path, home):
    lib = make_library(tmp_path, home)
    run = assert_clean(doctor(home, lib, setup="sys.modules['trafilatura'] = None"), (1,))
    found = problems(run.out)
    mention = [p for p in found if "trafilatura" in p]
    assert len(mention) == 1, found  # one problem, not one per check that noticed
    assert mention[0].startswith("readers: html") and "pip install" in mention[0]
    assert "html: unavailable" in section(run.out, "readers")
    assert "documents: 2" in section(run.out, "library")  # everything else still said


def test_textual_failing_to_import_does_not_stop_the_doctor(tmp_path, home):
    lib = make_library(tmp_path, home)
    run = assert_clean(doctor(home, lib, setup="sys.modules['textual'] = None"), (1,))
    found = problems(run.out)
    assert [p for p in found if "textual" in p] == [p for p in found if p.startswith("dependencies: textual")]
    assert len(found) == 1 and "pip install" in found[0], found
    config = section(run.out, "config")
    assert "file: " in config and "checked: no: tui.config cannot be imported" in config
    assert "documents: 2" in section(run.out, "library")  # everything else still said


@pytest.mark.parametrize("fake, expected", [
    ("'13.0.0' if n.lower() == 'rich' else real(n)", "rich 13.0.0 is installed but brief needs >=14,<16"),
    ("(_ for _ in ()).throw(m.PackageNotFoundError(n)) if n == 'feedparser' else real(n)",
     "feedparser is not installed"),
])
def test_a_dependency_outside_what_brief_needs_is_a_problem(home, fake, expected):
    setup = f"import importlib.metadata as m\nreal = m.version\nm.version = lambda n: {fake}"
    run = assert_clean(doctor(home, None, setup=setup), (1,))
    found = problems(run.out)
    hit = [p for p in found if expected in p]
    assert hit and "pip install -c requirements.lock" in hit[0], found


def test_a_version_other_than_the_lock_is_a_warning(home):
    lock = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.startswith("rich=="):
            lock["rich"] = line.split("==")[1].strip()
    assert lock, "requirements.lock pins rich"
    other = "14.0.0" if lock["rich"] != "14.0.0" else "14.1.0"
    setup = f"import importlib.metadata as m\nreal = m.version\nm.version = lambda n: {other!r} if n == 'rich' else real(n)"
    run = assert_clean(doctor(home, None, setup=setup), (0,))
    warnings = run.out[run.out.index("WARNINGS: "):]
    assert f"rich {other} is installed, requirements.lock pins {lock['rich']}" in warnings
    assert run.out.splitlines()[-1] == "OK: nothing wrong found"


def test_the_specifier_check_works_without_packaging(monkeypatch):
    from tui.cli import doctor as d

    monkeypatch.setitem(sys.modules, "packaging", None)
    monkeypatch.setitem(sys.modules, "packaging.specifiers", None)
    assert d.satisfies("15.0.0", ">=14,<16") is True
    assert d.satisfies("16.0", ">=14,<16") is False
    assert d.satisfies("2026.10.19.post1", ">=2026.1") is True
    assert d.satisfies("8.2.7", "==8.2.8") is False
    assert d.satisfies("2.3.1", "~=2.3") is True and d.satisfies("3.0", "~=2.3") is False


# ------------------------------------------------------------------------------------------------ config


def test_config_problems_are_problems(home):
    cfg = home / "config" / "brief"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text("theme = \n", encoding="utf-8")
    run = assert_clean(doctor(home), (1,))
    assert any(p.startswith("config:") and "config.toml" in p and "TOML" in p for p in problems(run.out)), run.out
    (cfg / "config.toml").unlink()
    (cfg / "config.toml").mkdir()
    run = assert_clean(doctor(home), (1,))
    assert any(p.startswith("config:") and "folder" in p for p in problems(run.out)), run.out


# ------------------------------------------------------------------------------------------------ hostile, terminal


def test_hostile_names_and_values_leak_no_escapes(tmp_path, home):
    src_name = "src\x1b]0;owned\x07\u202e"  # an escape and a bidi override in the indexed folder's name
    lib = make_library(tmp_path, home, name="plain-lib", src_name=src_name)
    hostile = tmp_path / "lib\x1b[31m\x9b2J\udcff"
    (lib).rename(hostile)
    (hostile / "index.old.\x1b[2Jx").mkdir()
    env = {"TERM": "xterm\x1b[31m", "LANG": "C.UTF-8\x07"}
    run = assert_clean(doctor(home, hostile, env=env), (0,))
    library = section(run.out, "library")
    assert "\\xff" in library  # the undecodable byte of the library's name, shown escaped
    assert "roots: " in library and "src" in library and "\u202e" not in run.out
    assert "index.old." in run.out
    data = json.loads(assert_clean(doctor(home, hostile, "--json", env=env), (0,)).out)
    assert "\\xff" in data["library"]["path"] and data["ok"] is True


@pytest.mark.parametrize("no_color", [True, False])
def test_no_color_is_reported(home, no_color):
    setup = "" if no_color else "import os; os.environ.pop('NO_COLOR', None)"
    run = assert_clean(doctor(home, setup=setup or "pass"), (0,))
    terminal = section(run.out, "terminal")
    if no_color:
        assert "NO_COLOR: set to '1'" in terminal and "no color set: yes" in terminal
    else:
        assert "NO_COLOR: not set" in terminal and "no color set: no" in terminal
    assert "colours of the terminal: " in terminal


def test_a_non_utf8_terminal_is_a_warning_and_nothing_breaks(tmp_path, home):
    lib = make_library(tmp_path, home, name="lib-é")
    run = assert_clean(doctor(home, lib, env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C", "LANG": "C"}), (0,))
    assert "stdout encoding: ascii" in run.out and "not UTF-8" in run.out
    assert "lib-\\xe9" in run.out  # the name is shown, escaped, rather than failing
