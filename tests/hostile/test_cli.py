"""The command line under hostile input and faults: no traceback, one line per failure, true exit codes,
no escape leaked from a file name or an article, output that never fails on encoding.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from .conftest import article, assert_clean, run_brief, snapshot


# File names a shared folder may hold: each one an attempt to reach the terminal.
HOSTILE_NAMES = [
    "esc\x1b[31mred.txt",  # CSI colour
    "bel\x07ring.txt",  # BEL
    "osc\x1b]8;;https:evil.example\x07link\x1b]8;;\x07.txt",  # OSC 8 hyperlink
    "title\x1b]0;owned\x07.txt",  # OSC window title
    "c1\u009b2Jclear.txt",  # C1 CSI: clear screen
    "new\nline.txt",  # a newline in a name
    "[bold]loud[red].txt",  # Rich markup
    "rtl\u202etxt.exe.txt",  # right-to-left override
]
FF_NAME = b"ff\xff.txt"  # not UTF-8: the OS gives Python a lone surrogate

HOSTILE_TITLE = "Dam \x1b[31mBreach\x1b[0m \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 [bold]now[/bold] \u009b2J"
HOSTILE_OUTLET = "\x1b]0;pwned\x07[i]Evil[/i] Post\x07"
HOSTILE_QUOTE = "\u201cThe \x1b[5mwall\x1b[0m held,\u201d said Ana \x1b[31mMoreno\x1b[0m, the chief engineer."


def _write_sources(src: Path, names=HOSTILE_NAMES) -> list[Path]:
    paths = []
    for n, name in enumerate(names):
        path = src / name
        path.write_text(article(60, topic=f"reservoir{n}").replace("Report", f"Report {n}"), encoding="utf-8")
        paths.append(path)
    return paths


def _ff(src: Path) -> Path:
    raw = os.path.join(os.fsencode(src), FF_NAME)
    with open(raw, "w", encoding="utf-8") as f:
        f.write(article(60, topic="turbine"))
    return Path(os.fsdecode(raw))


def _ids(home, lib) -> list[str]:
    listing = assert_clean(run_brief("list", "--json", home=home, library=lib))
    return [a["id"] for a in json.loads(listing.out)["articles"]]


# ------------------------------------------------------------------------------------------------
# Untrusted file names and text never leak escapes


def test_hostile_file_names_never_reach_the_terminal(home, src, lib):
    _write_sources(src)
    (src / "empty\x1b[2J.txt").write_text("", encoding="utf-8")  # a problem line names it
    before = snapshot(src)
    done = assert_clean(run_brief("index", str(src), home=home, library=lib))
    assert f"{len(HOSTILE_NAMES)} added" in done.err
    assert "skipped " in done.err and "empty.txt: empty file" in done.err  # named, without the escape
    ids = _ids(home, lib)
    assert len(ids) == len(HOSTILE_NAMES)
    runs = [
        run_brief("list", home=home, library=lib),
        run_brief("search", "reservoir0 OR reservoir3 OR reservoir6 OR reservoir7", home=home, library=lib),
        run_brief("search", "reservoir1", "--json", home=home, library=lib),
        run_brief("card", "--all", "-q", home=home, library=lib),
        run_brief("card", "--all", "-q", "--format", "json", home=home, library=lib),
        run_brief("compare", *ids[:3], home=home, library=lib),
        run_brief("compare", *ids[:3], "--json", home=home, library=lib),
    ] + [run_brief("show", i, home=home, library=lib) for i in ids] + [
        run_brief("show", ids[0], "--json", home=home, library=lib)]
    for run in runs:
        assert_clean(run)
    card = runs[3].out
    assert card.count("Path: `") == len(HOSTILE_NAMES)
    assert "escred.txt" in card and "new line.txt" in card and "osclink.txt" in card
    for path in (a["path"] for a in json.loads(runs[4].out)["sources"]):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in path), path
    assert snapshot(src) == before  # the sources were never touched


def test_an_exported_card_file_holds_no_escape(home, src, lib, tmp_path):
    _write_sources(src)
    assert_clean(run_brief("index", str(src), home=home, library=lib))
    for fmt, name in (("markdown", "card.md"), ("json", "card.json")):
        out = tmp_path / name
        assert_clean(run_brief("card", "--all", "-q", "--format", fmt, "-o", str(out), home=home, library=lib))
        data = out.read_bytes()
        text = data.decode("utf-8")  # valid UTF-8
        assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in text), name
        if fmt == "json":
            json.loads(text)


def test_a_file_name_that_is_not_utf8_is_shown_with_an_escape_and_json_stays_valid(home, src, lib, tmp_path):
    _ff(src)
    assert_clean(run_brief("index", str(src), home=home, library=lib))
    listing = assert_clean(run_brief("list", "--json", home=home, library=lib))
    listing.raw_out.decode("utf-8")  # valid UTF-8: the path in its display form
    (row,) = json.loads(listing.out)["articles"]
    assert row["path"].endswith("ff\\xff.txt")
    for args in (("show", row["id"]), ("show", row["id"], "--json"), ("search", "turbine", "--json"),
                 ("card", "--all", "-q"), ("card", "--all", "-q", "--format", "json")):
        run = assert_clean(run_brief(*args, home=home, library=lib))
        run.raw_out.decode("utf-8")
        if "json" in args or "--json" in args:  # the path's display form, as a JSON string value
            assert any(v.endswith("ff\\xff.txt") for v in _strings(json.loads(run.out))), args
        else:
            assert "ff\\xff.txt" in run.out, args
    out = tmp_path / "card.md"
    assert_clean(run_brief("card", "--all", "-q", "-o", str(out), home=home, library=lib))
    assert "ff\\xff.txt" in out.read_text(encoding="utf-8")


def _strings(data):
    """Every string value in parsed JSON."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)


# The printing layer alone: a library whose stored fields were never sanitized (as a crafted index could
# hold), including an undecodable file name, handed to every command.
_CRAFTED = r'''
import sys, datetime
from index.model import Article
from index.library import Library
def art(n, path):
    return Article(id=f"a{n}aaaaaa", path=path, title=TITLE + f" {n}", outlet=OUTLET, author=OUTLET,
                   published=datetime.date(2025, 3, n + 1), url="http://x/\x1b[31m", tags=["\x1b]0;t\x07tag"],
                   paragraphs=[QUOTE, "The dam at Kavra held \x1b[2J overnight, officials said on Monday.",
                               f"About {n + 10},000 people were moved, the \x9b31m agency said."])
ARTS = [art(0, "/src/ff\udcff\x1b[31m.txt"), art(1, "/src/new\nline\x07.txt"), art(2, "/src/ok.txt")]
Library.exists = lambda self: True
Library.open_index = lambda self, name="articles": None  # no index: the stored fields are what is printed
Library.get = lambda self, i: ARTS[0]
Library.articles = lambda self, ids=None: iter(ARTS)
Library.near_duplicates = lambda self: {}
Library.catalog = lambda self: [{"id": a.id, "title": a.title, "outlet": a.outlet, "published": "2025-03-01",
                                 "path": a.path} for a in ARTS]
from tui.cli import main
sys.exit(main())
'''


def _crafted(*args, home, lib, env=None):
    lib.mkdir(exist_ok=True)
    code = (f"TITLE = {HOSTILE_TITLE!r}\nOUTLET = {HOSTILE_OUTLET!r}\nQUOTE = {HOSTILE_QUOTE!r}\n" + _CRAFTED)
    return run_brief(*args, home=home, library=lib, code=code, env=env)


@pytest.mark.parametrize("args", [
    ("list",), ("list", "--json"), ("show", "a0"), ("show", "a0", "--json"),
    ("card", "--all", "-q"), ("card", "--all", "-q", "--format", "json"),
    ("compare", "a0", "a1", "a2"), ("compare", "a0", "a1", "a2", "--json"),
], ids=" ".join)
def test_every_printed_field_is_made_safe(home, lib, args):
    run = assert_clean(_crafted(*args, home=home, lib=lib))
    run.raw_out.decode("utf-8")  # valid UTF-8, even for the undecodable file name
    assert "[i]Evil[/i] Post" in run.out or "[i\\]Evil\\[/i\\] Post" in run.out  # markup shown as text
    if "--json" in args or "json" in args:
        strings = list(_strings(json.loads(run.out)))
        assert not any(_LEAKY(s) for s in strings)  # no escape even as \\u001b in the JSON
        paths = [s for s in strings if s.startswith("/src/")]
    else:
        paths = [run.out]
    if args[0] != "compare" and args != ("list",):  # the only two that print no path
        assert any("/src/ff\\xff.txt" in p for p in paths)  # the undecodable byte shown as an escape


def _LEAKY(text: str) -> bool:
    return any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F or "\ud800" <= c <= "\udfff" for c in text)


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield k
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)


def test_output_never_fails_on_a_terminal_that_is_not_utf8(home, lib):
    for env in ({"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C"}, {"PYTHONIOENCODING": "latin-1"}):
        for args in (("list",), ("show", "a0"), ("card", "--all", "-q"), ("compare", "a0", "a1"), ("list", "--json")):
            run = assert_clean(_crafted(*args, home=home, lib=lib, env=env))
            assert "Dam" in run.out, (env, args)


def test_non_ascii_titles_on_an_ascii_terminal(home, src, lib):
    (src / "zürich.md").write_text("---\ntitle: Zürich — Talsperre hält\noutlet: Böse Zeitung\n---\n"
                                   + article(60, topic="talsperre"), encoding="utf-8")
    assert_clean(run_brief("index", str(src), home=home, library=lib, env={"PYTHONIOENCODING": "ascii"}))
    for args in (("list",), ("search", "talsperre"), ("search", "talsperre", "--json"), ("card", "--all", "-q")):
        run = assert_clean(run_brief(*args, home=home, library=lib, env={"PYTHONIOENCODING": "ascii"}))
        assert "Z\\xfcrich" in run.out or "Z\\u00fcrich" in run.out or "Zürich" in run.out, args


# ------------------------------------------------------------------------------------------------
# No traceback ever reaches a user


def _patched(patch: str) -> str:
    return f"import sys\n{patch}\nfrom tui.cli import main\nsys.exit(main())\n"


@pytest.fixture
def small(home, src, lib):
    (src / "a.txt").write_text(article(60), encoding="utf-8")
    (src / "b.txt").write_text(article(60, topic="turbine"), encoding="utf-8")
    assert_clean(run_brief("index", str(src), home=home, library=lib))
    return lib


def test_an_internal_error_is_one_line_and_brief_debug_shows_the_traceback(home, small):
    patch = ("import index.search\n"
             "def boom(*a, **k): raise ValueError('broken \\x1b[31mthing')\n"
             "index.search.search = boom")
    run = assert_clean(run_brief("search", "reservoir", home=home, library=small, code=_patched(patch)), codes=(1,))
    assert run.err.strip().splitlines() == [
        "brief: internal error (ValueError: broken thing); run with BRIEF_DEBUG=1 to see the traceback, "
        "and please report it"]
    debug = run_brief("search", "reservoir", home=home, library=small, code=_patched(patch),
                      env={"BRIEF_DEBUG": "1"})
    assert debug.code == 1 and "Traceback" in debug.err and "ValueError" in debug.err


@pytest.mark.parametrize("errno_name, strerror, fix", [
    ("ENOSPC", "No space left on device", "space"),
    ("EACCES", "Permission denied", "permission"),
    ("EROFS", "Read-only file system", "read-only"),
])
def test_a_failed_write_names_the_file_the_reason_and_the_way_out(home, src, small, errno_name, strerror, fix):
    (src / "c.txt").write_text(article(60, topic="spillway"), encoding="utf-8")
    patch = ("import errno, index.indexer\n"
             "def full(path, data): raise OSError(errno.%s, %r, str(path))\n"
             "index.indexer._write_json_atomic = full") % (errno_name, strerror)
    run = assert_clean(run_brief("index", str(src), home=home, library=small, code=_patched(patch)), codes=(1,))
    (line,) = run.err.strip().splitlines()
    assert line.startswith("brief: ") and str(small) in line and fix in line.lower()
    assert len(_ids(home, small)) == 2  # nothing indexed before was lost


def test_a_damaged_index_says_how_to_rebuild_it(home, small):
    ids = _ids(home, small)
    for seg in (small / "index").glob("*.seg"):
        seg.unlink()
    for args in (("search", "reservoir"), ("show", ids[0]), ("card", "--all", "-q"), ("compare", *ids)):
        run = assert_clean(run_brief(*args, home=home, library=small), codes=(1,))
        (line,) = run.err.strip().splitlines()
        assert "damaged" in line and "brief index --rebuild" in line and str(small) in line, args


def test_a_truncated_segment_says_how_to_rebuild_it(home, small):
    for seg in (small / "index").glob("*.seg"):
        seg.write_bytes(b"")
    run = assert_clean(run_brief("search", "reservoir", home=home, library=small), codes=(1,))
    assert "damaged" in run.err and "brief index --rebuild" in run.err


def test_too_deep_a_query_is_a_bad_query(home, small):
    patch = ("import index.search\n"
             "def deep(*a, **k): raise RecursionError('maximum recursion depth exceeded')\n"
             "index.search.search = deep")
    query = "(" * 5000 + "dam" + ")" * 5000
    run = assert_clean(run_brief("search", query, home=home, library=small, code=_patched(patch)), codes=(2,))
    (line,) = run.err.strip().splitlines()
    assert line.startswith("brief: bad query: '((((") and "nested too deeply" in line and len(line) < 200
    # Without a query to blame it is an error of its own, said in one line.
    patch = "import index.library\nindex.library.Library.catalog = lambda self: (_ for _ in ()).throw(RecursionError())"
    run = assert_clean(run_brief("list", home=home, library=small, code=_patched(patch)), codes=(1,))
    assert "nested too deeply" in run.err and len(run.err.strip().splitlines()) == 1


def test_out_of_memory_is_one_line(home, small):
    patch = "import index.library\nindex.library.Library.catalog = lambda self: (_ for _ in ()).throw(MemoryError())"
    run = assert_clean(run_brief("list", home=home, library=small, code=_patched(patch)), codes=(1,))
    assert run.err.strip() == "brief: out of memory while running `brief list`; close other programs or try a " \
                              "smaller input"


def test_an_undecodable_query_is_a_bad_query(home, small):
    query = os.fsdecode(b"reserv\xff*")
    run = assert_clean(run_brief("search", query, home=home, library=small), codes=(2,))
    assert "bad query" in run.err and "reserv\\xff*" in run.err


def test_a_library_path_that_is_a_file_is_one_line(home, src, tmp_path):
    (src / "a.txt").write_text(article(60), encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    run = assert_clean(run_brief("index", str(src), home=home, library=blocker / "lib"), codes=(1,))
    assert run.err.strip() == f"brief: {blocker / 'lib'}: Not a directory"


# ------------------------------------------------------------------------------------------------
# `brief index` tells the truth


def test_index_of_a_path_that_does_not_exist_exits_2_and_creates_nothing(home, lib, tmp_path):
    run = assert_clean(run_brief("index", str(tmp_path / "no" / "such"), home=home, library=lib), codes=(2,))
    assert run.err.strip() == f"brief: {tmp_path / 'no' / 'such'}: no such file or folder"
    assert not lib.exists()


def test_index_still_indexes_the_paths_that_exist(home, src, lib, tmp_path):
    (src / "a.txt").write_text(article(60), encoding="utf-8")
    run = assert_clean(run_brief("index", str(src), str(tmp_path / "nope"), home=home, library=lib), codes=(2,))
    assert "1 added" in run.err
    assert run.err.strip().splitlines()[-1] == f"brief: {tmp_path / 'nope'}: no such file or folder"
    assert run.err.count("nope") == 1  # said once, not also as a skipped file
    assert len(_ids(home, lib)) == 1


def test_index_help_documents_follow_links_and_exit_codes(home):
    run = assert_clean(run_brief("index", "--help", home=home))
    assert "--follow-links" in run.out and "skipped and counted" in " ".join(run.out.split())
    assert "2  a PATH given does not exist" in run.out
    top = assert_clean(run_brief("--help", home=home))
    assert "exit codes:" in top.out and "BRIEF_DEBUG=1" in top.out


def test_follow_links_reads_what_a_link_outside_leads_to(home, src, lib, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(article(60, topic="turbine"), encoding="utf-8")
    (src / "a.txt").write_text(article(60), encoding="utf-8")
    (src / "link.txt").symlink_to(outside / "secret.txt")
    run = assert_clean(run_brief("index", "--follow-links", str(src), home=home, library=lib))
    assert "2 added" in run.err


def test_links_outside_the_indexed_folders_are_skipped_by_default(home, src, lib, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(article(60, topic="turbine"), encoding="utf-8")
    (src / "a.txt").write_text(article(60), encoding="utf-8")
    (src / "link.txt").symlink_to(outside / "secret.txt")
    run = assert_clean(run_brief("index", str(src), home=home, library=lib))
    assert "1 added" in run.err and "links leading outside" in run.err
    assert len(_ids(home, lib)) == 1


def test_a_file_read_as_windows_1252_is_a_remark_not_a_skip(home, src, lib):
    (src / "cp1252.txt").write_bytes(article(60).replace("Monday", "Montag \u201cquoted\u201d").encode("cp1252"))
    run = assert_clean(run_brief("index", str(src), home=home, library=lib))
    assert "1 added" in run.err and "Windows-1252" in run.err
    assert "skipped" not in run.err.split("Indexed:")[0]


_NO_HTML = ("import sys\nsys.modules['trafilatura'] = None  # a broken install: importing it fails\n"
            "from tui.cli import main\nsys.exit(main())\n")


def test_a_reader_that_cannot_run_is_one_setup_line_and_exit_1(home, src, lib):
    for n in range(3):
        (src / f"page{n}.html").write_text(f"<html><head><title>Page {n}</title></head><body><p>"
                                           + article(60) + "</p></body></html>", encoding="utf-8")
    (src / "a.txt").write_text(article(60), encoding="utf-8")
    run = assert_clean(run_brief("index", str(src), home=home, library=lib, code=_NO_HTML), codes=(1,))
    setup = [line for line in run.err.splitlines() if line.startswith("brief: ")]
    assert len(setup) == 1 and "trafilatura" in setup[0] and "pip install" in setup[0]
    assert "skipped" not in run.err.split("Indexed:")[0]  # not three "unreadable file" lines


def test_the_demo_says_when_it_is_incomplete(home):
    run = assert_clean(run_brief("--demo", "list", home=home, code=_NO_HTML))
    assert "the demo library is incomplete" in run.err and "of its" in run.err
    assert len(run.out.splitlines()) < 17  # what it says is true: some articles are missing
    again = assert_clean(run_brief("--demo", "list", home=home, code=_NO_HTML))
    assert "the demo library is incomplete" in again.err  # said every time, not only when first indexed
    fine = assert_clean(run_brief("--demo", "list", home=home))
    assert "incomplete" not in fine.err and len(fine.out.splitlines()) == 17


def test_no_command_on_a_hostile_library_root_is_clean(home, tmp_path):
    root = tmp_path / "lib\x1b[31m\x07"
    run = assert_clean(run_brief(home=home, library=root))
    assert "No library at" in run.err


# ------------------------------------------------------------------------------------------------
# What `brief index` prints of a report (reports built here: the indexer fills them)


def _report(**fields):
    from index.indexer import IndexReport

    report = IndexReport(added=1, total_articles=1)
    for name, value in fields.items():
        setattr(report, name, value)
    return report


class _Lib:
    root = Path("/lib")


def _printed(capsys, report, absent=(), limit=50):
    from tui.cli.library import _print_index_report

    code = _print_index_report(report, _Lib(), list(absent), limit)
    err = capsys.readouterr().err
    assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in err), err
    return code, err.splitlines()


def test_problems_are_skipped_files_and_notes_are_remarks(capsys):
    bad = os.fsdecode(b"/src/bad\xff\x1b[31m.txt")
    code, lines = _printed(capsys, _report(problems=[f"{bad}: empty file", "/src/x.jsonl: line 3: not JSON"],
                                           notes=["/src/w.txt: read as Windows-1252"]))
    assert code == 0
    assert lines[:3] == ["  skipped /src/bad\\xff.txt: empty file", "  skipped /src/x.jsonl: line 3: not JSON",
                         "  /src/w.txt: read as Windows-1252"]
    assert lines[3].startswith("Indexed: 1 added") and lines[3].endswith("Library: /lib")


def test_setup_trouble_is_said_once_each_and_exits_1(capsys):
    setup = "HTML pages cannot be read: trafilatura cannot be imported; pip install -c requirements.lock -e ."
    code, lines = _printed(capsys, _report(setup=[setup, setup, "feeds cannot be read: feedparser is missing"]))
    assert code == 1
    assert lines[-2:] == [f"brief: {setup}", "brief: feeds cannot be read: feedparser is missing"]
    assert not any(line.startswith("  skipped") for line in lines)


def test_missing_paths_exit_2_when_given_and_1_when_a_known_folder_is_gone(capsys):
    code, lines = _printed(capsys, _report(missing=["/gone"], problems=["/gone: no such file or folder"]))
    assert code == 1 and lines[-1] == "brief: /gone: no such file or folder"
    assert not any(line.startswith("  skipped") for line in lines)  # said once, as a missing folder
    code, lines = _printed(capsys, _report(problems=["/typo: no such file or folder"]), absent=["/typo"])
    assert code == 2 and lines == [lines[0], "brief: /typo: no such file or folder"]


def test_many_problems_are_cut_short_with_a_count(capsys):
    code, lines = _printed(capsys, _report(problems=[f"/src/{n}.txt: empty file" for n in range(7)],
                                           notes=[f"/src/w{n}.txt: read as Windows-1252" for n in range(4)]), limit=3)
    assert code == 0
    assert lines[3] == "  … and 4 more files skipped" and lines[7] == "  … and 1 more remarks"


# ------------------------------------------------------------------------------------------------
# The app never shows a traceback

_APP_CRASH = r'''
import sys
import tui.app as app
from tui.screens.search import SearchScreen
real_run = app.BriefApp.run
app.BriefApp.run = lambda self, **kw: real_run(self, headless=True, size=(80, 24))
def boom(self):
    raise RuntimeError("boom \x1b[31mred\x07 " + "x" * 500)
SearchScreen.on_mount = boom
from index.library import Library
sys.exit(app.run(Library(sys.argv[1])))
'''


def test_an_exception_in_the_app_is_one_line_and_a_crash_log(home, small):
    run = assert_clean(run_brief(str(small), home=home, code=_APP_CRASH), codes=(1,))
    (line,) = run.err.strip().splitlines()
    log = home / "cache" / "brief" / "crash.log"
    assert line.startswith("brief: internal error (RuntimeError: boom red xxx") and f"details in {log}" in line
    assert len(line) < 400
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: boom" in text and "in boom" in text
    again = assert_clean(run_brief(str(small), home=home, code=_APP_CRASH), codes=(1,))
    assert log.read_text(encoding="utf-8").count("Traceback") == 2 and again.err.count("\n") == 1
    debug = run_brief(str(small), home=home, code=_APP_CRASH, env={"BRIEF_DEBUG": "1"})
    assert debug.code == 1 and "RuntimeError" in debug.err and "boom" in debug.err  # Textual's own report


def test_an_app_crash_without_a_writable_cache_still_says_one_line(home, small):
    blocked = home / "not-a-folder"
    blocked.write_text("x", encoding="utf-8")
    run = assert_clean(run_brief(str(small), home=home, code=_APP_CRASH, env={"XDG_CACHE_HOME": str(blocked)}),
                       codes=(1,))
    (line,) = run.err.strip().splitlines()
    assert line.startswith("brief: internal error (RuntimeError") and "could not be saved" in line


def test_an_exception_in_a_screen_ends_the_app_with_its_traceback_in_the_log(tmp_path, monkeypatch):
    import asyncio

    from index.indexer import update
    from index.library import Library
    from tui.app import BriefApp
    from tui.screens.reader import ReaderScreen

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEF_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("BRIEF_DEBUG", raising=False)
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(article(60), encoding="utf-8")
    lib = Library(tmp_path / "lib")
    update(lib, [src])

    def broken(self):
        raise KeyError("the reader broke")

    monkeypatch.setattr(ReaderScreen, "on_mount", broken)
    app = BriefApp(lib)
    printed = []
    monkeypatch.setattr(app, "_print_error_renderables", lambda: printed.append(list(app._exit_renderables)))

    async def use() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.open_article(lib.catalog()[0]["id"])
            for _ in range(20):
                await pilot.pause()

    with pytest.raises(KeyError):  # run_test hands the failure to the test
        asyncio.run(use())
    assert app.return_code == 1 and app.crash_log == tmp_path / "cache" / "brief" / "crash.log"
    assert "in broken" in app.crash_log.read_text(encoding="utf-8")
    assert all(not renderables for renderables in printed)  # Textual printed no traceback


_APP_HINT = """
import sys
{setup}
import tui.app
tui.app.run = lambda lib, hint=None, theme=None: print("HINT:", hint) or 0  # the app, as far as the hint goes
sys.stdin.isatty = sys.stdout.isatty = lambda: True
from tui.cli import main
sys.exit(main())
"""


def test_the_app_hint_says_when_the_demo_is_incomplete(home):
    # HTML cannot be read here (the readers try the import once per process): the hint says so...
    broken = run_brief("--demo", home=home, code=_APP_HINT.format(setup='sys.modules["trafilatura"] = None'))
    assert_clean(broken)
    (hint,) = [line for line in broken.out.splitlines() if line.startswith("HINT:")]
    assert hint.startswith("HINT: The demo library is incomplete: ") and "brief index" in hint
    # ...and once the install is mended, the next start reads the pages and the hint is the usual one.
    mended = assert_clean(run_brief("--demo", home=home, code=_APP_HINT.format(setup="")))
    assert "HINT: Demo library. For your own articles: brief index ~/articles, then brief" in mended.out
