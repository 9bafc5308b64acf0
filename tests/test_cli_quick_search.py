"""A cold `brief search` (a fresh process, as over SSH) reads its arguments without argparse and
imports only what a search needs; what it does must not differ from the full command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import build_parser, fast_search_args
from tui.cli.library import cmd_search

ROOT = Path(__file__).resolve().parent.parent

QUICK = [
    ["search", "dam"],
    ["search", "water level"],
    ["--library", "/tmp/lib", "search", "dam"],
    ["search", "dam", "--library", "/tmp/lib"],
    ["--library=/a", "search", "--library", "/b", "dam"],
    ["search", "-n", "5", "dam"],
    ["search", "dam", "-n5"],
    ["search", "--limit=3", "dam", "--json"],
    ["search", "--limit", "07", "dam"],
    ["--demo", "search", "dam"],
    ["search", "dam", "--demo"],
    ["search", "--json", "outlet:meridian dam"],
    ["search", ""],
    ["search", "search"],
]

FULL = [  # each left to argparse, which accepts it or explains the mistake
    ["search", "dam", "-n", "0"],
    ["search", "dam", "--limit", "x"],
    ["search", "dam", "-n"],
    ["search", "dam", "--library"],
    ["--library", "-x", "search", "dam"],
    ["--json", "search", "dam"],
    ["--limit", "3", "search", "dam"],
    ["search", "--lim", "3", "dam"],
    ["search", "dam", "storm"],
    ["search", "-q"],
    ["search", "--", "-dam"],
    ["search", "dam", "--json=1"],
    ["--theme", "ansi", "search", "dam"],
    ["search", "dam", "-n", "٣"],
    ["search"],
    ["--help"],
    ["search", "--help"],
    ["list"],
    ["show", "abc"],
    [],
]


def argparse_result(argv):
    try:
        return vars(build_parser().parse_args(argv))
    except SystemExit as exc:
        return f"exit {exc.code}"


@pytest.mark.parametrize("argv", QUICK, ids=" ".join)
def test_quick_arguments_are_what_argparse_reads(argv, capsys):
    quick = fast_search_args(argv)
    assert quick is not None, "this plain search should not need argparse"
    assert vars(quick) == argparse_result(argv)
    assert quick.func is cmd_search


@pytest.mark.parametrize("argv", FULL, ids=lambda a: " ".join(a) or "(none)")
def test_anything_else_goes_to_argparse(argv, capsys):
    assert fast_search_args(argv) is None


def run_brief(*args, env=None, code=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "tui", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)


@pytest.fixture(scope="module")
def small_library(tmp_path_factory):
    from index.indexer import update
    from index.library import Library

    src = tmp_path_factory.mktemp("src")
    for n in range(14):
        (src / f"a{n}.txt").write_text(f"Dam Report {n}\n\nThe dam at Kavra held on day {n}; engineers watched "
                                       f"the water level.\n", encoding="utf-8")
    lib = Library(tmp_path_factory.mktemp("lib"))
    update(lib, [src])
    return lib.root


def test_a_cold_search_imports_only_what_it_needs(small_library):
    code = (
        "import sys; from tui.cli import main; "
        f"code = main(['--library', {str(small_library)!r}, 'search', 'dam', '-n', '3']); "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('argparse', 'json', 'pathlib', 'textual', 'rich', 'tempfile', 'shutil', 'urllib', 'platformdirs', 'briefs')"
        " or m.startswith('whoosh.qparser') or m in ('whoosh.lang.morph_en', 'random', 'calendar', 'queue'));"
        "print('HEAVY', heavy, code, file=sys.stderr)"
    )
    done = run_brief(code=code)
    assert "HEAVY [] 0" in done.stderr, done.stderr
    assert done.stdout.count("Dam Report") == 3


def test_quick_and_full_paths_print_the_same(small_library):
    quick = run_brief("--library", str(small_library), "search", "dam", "-n", "3")
    # --li (an abbreviation) is only understood by argparse: same search, the long way round.
    full = run_brief("--li", str(small_library), "search", "dam", "-n", "3")
    assert quick.returncode == full.returncode == 0
    assert quick.stdout == full.stdout and quick.stderr == full.stderr
    assert "3 of 14 hits" in quick.stderr


def test_quick_path_errors_are_the_same_as_before(small_library, tmp_path):
    missing = run_brief("--library", str(tmp_path / "none"), "search", "dam")
    assert missing.returncode == 1 and "no library at" in missing.stderr and "brief index" in missing.stderr
    bad = run_brief("--library", str(small_library), "search", "dam AND (wall")
    assert bad.returncode == 2 and "bad query" in bad.stderr
    usage = run_brief("--library", str(small_library), "search", "dam", "-n", "0")
    assert usage.returncode == 2 and "must be 1 or more" in usage.stderr


def test_stand_ins_load_the_real_modules_when_used():
    code = (
        "import sys\n"
        "from index.fastimport import import_whoosh\n"
        "import_whoosh()\n"
        "lazy = ('urllib.request', 'tempfile', 'shutil', 'random', 'calendar', 'queue', 'html', 'html.entities',"
        " 'whoosh.lang.morph_en', 'cached_property', 'asyncio', 'whoosh.automata', 'whoosh.support.levenshtein',"
        " 'whoosh.lang.dmetaphone', 'whoosh.util.times')\n"
        "print('LOADED', [m for m in lazy if m in sys.modules])\n"
        "import whoosh.util, whoosh.compat, whoosh.util.times, whoosh.filedb.compound, whoosh.filedb.filetables\n"
        "assert len(whoosh.util.random_name(6)) == 6\n"
        "assert whoosh.compat.queue.Empty.__name__ == 'Empty'\n"
        "assert whoosh.util.times.calendar.monthrange(2024, 2)[1] == 29\n"
        "assert whoosh.filedb.filetables.md5_hash(b'abc') == int('900150983cd24fb0d6963f7d28e17f72', 16) & 0xFFFFFFFF\n"
        "import io; out = io.BytesIO(); whoosh.filedb.compound.copyfileobj(io.BytesIO(b'xyz'), out)\n"
        "assert out.getvalue() == b'xyz'\n"
        "import tempfile, shutil, random; assert tempfile.mkdtemp and shutil.rmtree and random.random\n"
        "import datetime, whoosh.fields, whoosh.reading, whoosh.codec.base, whoosh.analysis.morph\n"
        "assert whoosh.fields.datetime_to_long(datetime.datetime(2024, 1, 1)) == 63839664000000000\n"
        "assert whoosh.reading.distance('abc', 'abd') == 1\n"
        "assert whoosh.analysis.morph.double_metaphone('smith') == ('SM0', 'XMT')\n"
        "assert callable(whoosh.codec.base.lev.levenshtein_automaton)\n"
        "print('OK')\n"
    )
    done = run_brief(code=code)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout and "OK" in done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is for Linux only")
@pytest.mark.parametrize("xdg", [None, "", "relative/data", "/srv/data", "/srv/data/", "~/data"])
@pytest.mark.parametrize("home", ["/home/ana", "/home/ana/", None, "", "relative-home"])
def test_default_library_folder_is_platformdirs_answer(monkeypatch, xdg, home):
    import platformdirs

    from index.storage import _xdg_data_dir, library_root

    monkeypatch.delenv("BRIEF_LIBRARY", raising=False)
    for name, value in (("XDG_DATA_HOME", xdg), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    expected = platformdirs.user_data_dir("brief", appauthor=False)
    quick = _xdg_data_dir("brief")
    assert quick is None or quick == expected
    if home == "/home/ana" or (xdg or "").startswith("/"):
        assert quick is not None  # the usual set-ups take the shortcut
    assert library_root() == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is for Linux only")
def test_default_library_search_does_not_import_platformdirs(tmp_path):
    from index.indexer import update
    from index.library import Library

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("Dam Holds\n\nThe dam at Kavra held overnight.\n", encoding="utf-8")
    update(Library(tmp_path / "xdg" / "brief"), [src])
    env = {k: v for k, v in os.environ.items() if k != "BRIEF_LIBRARY"}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), PYTHONPATH=str(ROOT), NO_COLOR="1")
    code = ("import sys; from tui.cli import main; code = main(['search', 'dam']); "
            "print('PLATFORMDIRS', 'platformdirs' in sys.modules, code, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "PLATFORMDIRS False 0" in done.stderr, done.stderr
    assert "Dam Holds" in done.stdout


def _as_installed(small_library, *args, extra=""):
    """Run `brief ARGS` the way the installed command does (main() with no argv), with an atexit hook
    that says whether the interpreter went through its normal shutdown."""
    code = (
        "import atexit, sys; atexit.register(lambda: print('SHUTDOWN', file=sys.stderr)); "
        f"sys.argv = ['brief', '--library', {str(small_library)!r}, *{list(args)!r}]; {extra}"
        "from tui.cli import main; sys.exit(main())"
    )
    return run_brief(code=code)


def test_read_only_commands_end_without_the_slow_shutdown_and_lose_no_output(small_library):
    search = _as_installed(small_library, "search", "dam", "--limit", "14", "--json")
    assert search.returncode == 0 and "SHUTDOWN" not in search.stderr
    import json

    assert len(json.loads(search.stdout)["hits"]) == 14  # every byte flushed before the quick exit
    listed = _as_installed(small_library, "list")
    assert listed.returncode == 0 and "SHUTDOWN" not in listed.stderr and listed.stdout.count("Dam Report") == 14
    bad = _as_installed(small_library, "search", "dam AND (wall")
    assert bad.returncode == 2 and "bad query" in bad.stderr and "SHUTDOWN" not in bad.stderr
    # Commands that write (and argparse's own exits) shut down as usual.
    usage = _as_installed(small_library, "search", "dam", "-n", "0")
    assert usage.returncode == 2 and "SHUTDOWN" in usage.stderr


@pytest.mark.parametrize("size", [3_000, 300_000])  # inside and far beyond a pipe's buffer
def test_a_closed_pipe_ends_a_read_only_command_quietly(tmp_path, size):
    from index.indexer import update
    from index.library import Library

    src = tmp_path / "src"
    src.mkdir()
    para = "The dam at Kavra held overnight while engineers watched the water level. "
    (src / "long.txt").write_text("Long Dam Report\n\n" + "\n\n".join([para * 4] * (size // 300)), encoding="utf-8")
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    (row,) = lib.catalog()
    code = (
        f"import subprocess, sys; p = subprocess.Popen([sys.executable, '-m', 'tui', '--library', {str(lib.root)!r},"
        f" 'show', {row['id']!r}], stdout=subprocess.PIPE, stderr=subprocess.PIPE);"
        " p.stdout.read(10); p.stdout.close(); err = p.stderr.read().decode(); print(p.wait(), repr(err))"
    )
    done = run_brief(code=code)
    rc, err = done.stdout.strip().split(" ", 1)
    assert rc == "0" and "Traceback" not in err and "Exception" not in err, done.stdout
