"""Faults while `brief index` writes, and files that try to stall or confuse it.

Disk full (ENOSPC, EDQUOT, EFBIG) at any write, a read-only library, a reader stuck on one file, workers that
would outlive their run, file names that are not UTF-8, and anything unexpected inside the writer: each is one
line (exit 1) with the way out, the previous index intact, or, for a single bad file, the run goes on.

Disk full is simulated without tmpfs: RLIMIT_FSIZE lowered in the `brief index` process (SIGXFSZ ignored, so
a write past it fails with EFBIG) at one stage, or a file object whose writes fail with ENOSPC/EDQUOT. A
read-only library: as root (this suite's usual case) the child drops CAP_DAC_OVERRIDE and friends, so that
file modes bind it as they bind anyone; otherwise chmod is enough.
"""

from __future__ import annotations

import json
import os
import stat
import textwrap
import time
from pathlib import Path

import pytest

import index.indexer
import index.readers
from index.indexer import update
from index.library import Library
from index.model import ReaderUnavailable, SkipFile

from .conftest import article, assert_clean, bump, run_brief, write

WORD = "level"

PRELUDE = """
import os, signal, sys, errno, resource
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
def disk_full():
    # Every write to a file from now on fails with EFBIG, as on a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
"""

MAIN = """
from tui.cli import main
sys.exit(main())
"""

# Where the disk fills up (RLIMIT_FSIZE): the code runs in the `brief index` process before brief starts.
FULL_AT = {
    "segments": """
from whoosh.writing import SegmentWriter
real = SegmentWriter.commit
def commit(self, *args, **kwargs):
    disk_full()  # the segment files are written in the commit (small batches are buffered until then)
    return real(self, *args, **kwargs)
SegmentWriter.commit = commit
""",
    "toc": """
from whoosh.writing import SegmentWriter
real = SegmentWriter._commit_toc
def commit_toc(self, *args, **kwargs):
    disk_full()
    return real(self, *args, **kwargs)
SegmentWriter._commit_toc = commit_toc
""",
    "manifest": """
import index.indexer
real = index.indexer._write_json_atomic
def write_json(path, data):
    if path.name == "manifest.next.json":
        disk_full()
    return real(path, data)
index.indexer._write_json_atomic = write_json
""",
    "sketches": """
import index.indexer
real = index.indexer._write_json_atomic
def write_json(path, data):
    if path.name == "sketches.next.json":
        disk_full()
    return real(path, data)
index.indexer._write_json_atomic = write_json
""",
    "workers": """
import index.indexer, index.parallel
index.indexer.PARALLEL_THRESHOLD = 2
real = index.parallel._index_share
def index_share(*args, **kwargs):
    disk_full()  # in each worker: its segment cannot be written
    return real(*args, **kwargs)
index.parallel._index_share = index_share
""",
}

# ENOSPC / EDQUOT from the file objects Whoosh writes its segments and TOC with, after some bytes.
FAILING_FILES = """
import io
import whoosh.filedb.filestore as filestore
budget = [{budget}]
class Full(io.FileIO):
    def write(self, data):
        budget[0] -= len(data)
        if budget[0] < 0:
            raise OSError(errno.{err}, os.strerror(errno.{err}))
        return super().write(data)
def fake_open(path, mode="r", *args, **kwargs):
    if "w" in mode:
        return Full(path, "w")
    return open(path, mode, *args, **kwargs)
filestore.open = fake_open
"""

# ENOSPC at a write of the staged manifest (os.write, as brief writes its JSON).
FAILING_JSON = """
real_write = os.write
def write(fd, data):
    try:
        name = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        name = ""
    if "manifest.next.json" in name:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return real_write(fd, data)
os.write = write
"""


def listing(home: Path, lib: Path) -> dict[str, str]:
    run = assert_clean(run_brief("list", "--json", home=home, library=lib))
    return {row["id"]: row["title"] for row in json.loads(run.out)["articles"]}


def searched(home: Path, lib: Path, word: str = WORD) -> set[str]:
    run = assert_clean(run_brief("search", word, "-n", "10000", "--json", home=home, library=lib))
    return {hit["id"] for hit in json.loads(run.out)["hits"]}


def library_files(lib: Path) -> dict[str, bytes]:
    """Every file of the library but the lock: to prove a failed run changed nothing."""
    return {str(p.relative_to(lib)): p.read_bytes() for p in sorted(lib.rglob("*"))
            if p.is_file() and p.name not in ("brief.lock", "articles_WRITELOCK")}


def a_library_with_changes(home: Path, src: Path, lib: Path, files: int = 6) -> dict[str, str]:
    for n in range(files):
        write(src, f"a{n:02d}.txt", article(80, f"river{n}"))
    assert_clean(run_brief("index", src, "-q", home=home, library=lib))
    before = listing(home, lib)
    for n in range(4):
        write(src, f"new-{n}.txt", article(80, f"harbour{n}"))
    bump(write(src, "a01.txt", article(90, "reservoir")))
    return before


def still_intact_then_recovers(home: Path, src: Path, lib: Path, before: dict[str, str], files_before) -> None:
    assert library_files(lib) == files_before, "the failed run changed the library"
    assert listing(home, lib) == before
    assert searched(home, lib) == set(before)
    assert_clean(run_brief("index", "-q", home=home, library=lib))  # space freed: the next run works
    after = listing(home, lib)
    assert len(after) == len(before) + 4 and searched(home, lib) == set(after)
    fresh = Library(lib.parent / f"clean-{time.monotonic_ns()}")
    update(fresh, [src])
    assert after == {r["id"]: r["title"] for r in fresh.catalog()}


@pytest.mark.parametrize("stage", sorted(FULL_AT))
def test_disk_full_at_any_write_is_one_line_and_the_previous_index_is_intact(home, src, lib, stage):
    before = a_library_with_changes(home, src, lib)
    files_before = library_files(lib)
    run = run_brief("index", "-q", home=home, library=lib, code=PRELUDE + textwrap.dedent(FULL_AT[stage]) + MAIN)
    assert_clean(run, codes=(1,))
    assert f"no space left on the device holding {lib}" in run.err, run
    assert "free some space and run `brief index` again; the previous index is intact" in run.err
    assert len(run.err.strip().splitlines()) == 1, run
    still_intact_then_recovers(home, src, lib, before, files_before)


def test_disk_full_in_the_workers_names_their_segment(home, src, lib):
    a_library_with_changes(home, src, lib)
    run = run_brief("index", "-q", home=home, library=lib, code=PRELUDE + textwrap.dedent(FULL_AT["workers"]) + MAIN)
    assert_clean(run, codes=(1,))
    assert f"while writing {lib / 'index'}{os.sep}articles_" in run.err, run


def test_disk_full_during_a_rebuild(home, src, lib):
    before = a_library_with_changes(home, src, lib)
    files_before = library_files(lib)
    run = run_brief("index", "--rebuild", "-q", home=home, library=lib,
                    code=PRELUDE + textwrap.dedent(FULL_AT["segments"]) + MAIN)
    assert_clean(run, codes=(1,))
    assert "no space left on the device" in run.err and "the previous index is intact" in run.err
    assert not list(lib.glob("index.*.*")), "the half-built folder was left behind"
    still_intact_then_recovers(home, src, lib, before, files_before)


@pytest.mark.parametrize("err, budget", [("ENOSPC", 0), ("ENOSPC", 3000), ("EDQUOT", 200)])
def test_disk_full_in_a_segment_file_names_the_file(home, src, lib, err, budget):
    before = a_library_with_changes(home, src, lib)
    files_before = library_files(lib)
    run = run_brief("index", "-q", home=home, library=lib,
                    code=PRELUDE + FAILING_FILES.format(budget=budget, err=err) + MAIN)
    assert_clean(run, codes=(1,))
    assert "no space left on the device holding" in run.err, run
    assert f"while writing {lib / 'index'}{os.sep}" in run.err, run  # the file being written
    if err == "EDQUOT":
        assert "disk quota exceeded" in run.err
    still_intact_then_recovers(home, src, lib, before, files_before)


def test_disk_full_writing_the_manifest_names_it(home, src, lib):
    before = a_library_with_changes(home, src, lib)
    files_before = library_files(lib)
    run = run_brief("index", "-q", home=home, library=lib, code=PRELUDE + FAILING_JSON + MAIN)
    assert_clean(run, codes=(1,))
    assert f"while writing {lib / 'manifest.next.json'}: free some space" in run.err, run
    still_intact_then_recovers(home, src, lib, before, files_before)


def test_an_unexpected_error_inside_the_writer_is_one_line(home, src, lib):
    before = a_library_with_changes(home, src, lib)
    files_before = library_files(lib)
    code = PRELUDE + textwrap.dedent("""
        import index.indexer
        def broken(self, *args, **kwargs):
            raise ValueError("simulated bug")
        index.indexer.Indexer._update_duplicates = broken
    """) + MAIN
    run = assert_clean(run_brief("index", "-q", home=home, library=lib, code=code), codes=(1,))
    assert "unexpected error (ValueError: simulated bug); the previous index is intact" in run.err, run
    still_intact_then_recovers(home, src, lib, before, files_before)


# ------------------------------------------------------------------------------------------------
# A read-only library

DROP_DAC = """
import ctypes, os
def drop_dac():
    # Root reads and writes anything (CAP_DAC_OVERRIDE): drop it, so that file modes bind as for anyone.
    if os.geteuid() != 0:
        return
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise SystemExit(99)
    drop = (1 << 1) | (1 << 2) | (1 << 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
    for d in data:
        d.effective &= ~drop; d.permitted &= ~drop; d.inheritable &= ~drop
    if libc.capset(ctypes.byref(header), data) != 0:
        raise SystemExit(99)
drop_dac()
"""


def read_only(code_main: str = MAIN) -> str:
    return "import sys\n" + DROP_DAC + code_main


def chmod_tree(root: Path, writable: bool) -> None:
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        mode = p.stat().st_mode
        if writable:
            p.chmod(mode | stat.S_IWUSR)
        else:
            p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture
def ro_check(home):
    """Skip unless a child can be made to respect file modes (non-root, or root dropping its capabilities)."""
    probe = home / "ro-probe"
    probe.mkdir()
    probe.chmod(0o555)
    code = read_only("open(sys.argv[-1] + '/x', 'w')\n")
    try:
        run = run_brief(str(probe), home=home, code=code)
    finally:
        probe.chmod(0o755)
    if run.code == 99 or "PermissionError" not in run.err:
        pytest.skip("cannot run a process that file modes bind here (root without capset)")


def test_a_read_only_library_cannot_be_indexed_but_can_be_read(home, src, lib, ro_check):
    before = a_library_with_changes(home, src, lib)
    chmod_tree(lib, writable=False)
    try:
        files_before = library_files(lib)
        run = assert_clean(run_brief("index", "-q", home=home, library=lib, code=read_only()), codes=(1,))
        assert f"cannot write to the library {lib} (permission denied)" in run.err, run
        assert len(run.err.strip().splitlines()) == 1
        assert library_files(lib) == files_before
        # Reading needs no write access: list, search, show, and card with its extraction cache unwritable.
        listed = assert_clean(run_brief("list", "--json", home=home, library=lib, code=read_only()))
        ids = {row["id"] for row in json.loads(listed.out)["articles"]}
        assert ids == set(before)
        found = assert_clean(run_brief("search", WORD, "-n", "100", "--json", home=home, library=lib,
                                       code=read_only()))
        assert {hit["id"] for hit in json.loads(found.out)["hits"]} == ids
        some = sorted(ids)[:2]
        shown = assert_clean(run_brief("show", some[0], home=home, library=lib, code=read_only()))
        assert before[some[0]] in shown.out
        card = assert_clean(run_brief("card", "--ids", ",".join(some), "--format", "json", "-q", home=home,
                                      library=lib, code=read_only()))
        assert {s["id"] for s in json.loads(card.out)["sources"]} == set(some)
    finally:
        chmod_tree(lib, writable=True)
    assert_clean(run_brief("index", "-q", home=home, library=lib))
    assert len(listing(home, lib)) == len(before) + 4


def test_a_read_only_index_folder_is_named(home, src, lib, ro_check):
    a_library_with_changes(home, src, lib)
    chmod_tree(lib / "index", writable=False)
    try:
        run = assert_clean(run_brief("index", "-q", home=home, library=lib, code=read_only()), codes=(1,))
        assert f"cannot write to the library {lib} (permission denied): {lib / 'index'}" in run.err, run
    finally:
        chmod_tree(lib / "index", writable=True)


def test_a_lock_file_that_cannot_be_written_does_not_stop_indexing(home, src, lib, ro_check):
    before = a_library_with_changes(home, src, lib)
    (lib / "brief.lock").chmod(0o444)
    try:
        assert_clean(run_brief("index", "-q", home=home, library=lib, code=read_only()))
    finally:
        (lib / "brief.lock").chmod(0o644)
    assert len(listing(home, lib)) == len(before) + 4


def test_a_read_only_file_system_is_said_as_such(home, src, lib):
    a_library_with_changes(home, src, lib)
    code = PRELUDE + textwrap.dedent("""
        import tempfile
        def mkstemp(*args, **kwargs):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), kwargs.get("dir"))
        tempfile.mkstemp = mkstemp
    """) + MAIN
    run = assert_clean(run_brief("index", "-q", home=home, library=lib, code=code), codes=(1,))
    assert f"cannot write to the library {lib} (read-only file system)" in run.err, run


# ------------------------------------------------------------------------------------------------
# No single file stalls a run; no worker outlives it

STUCK = """
import time
import index.documents, index.indexer, index.readers
index.documents.READ_TIMEOUT = 2
index.indexer.PARALLEL_THRESHOLD = {threshold}
real_read = index.readers.read_file
def read_file(path, *args, **kwargs):
    if path.endswith("stuck.txt"):
        while True:
            try:
                time.sleep(1000)  # a reader stuck on hostile input
            except Exception:
                pass  # and one that swallows what it can
    return real_read(path, *args, **kwargs)
index.readers.read_file = read_file
"""


@pytest.mark.parametrize("path", ["serial", "parallel"])
def test_a_file_that_takes_too_long_is_skipped_and_the_run_goes_on(home, src, lib, path):
    for n in range(6):
        write(src, f"a{n}.txt", article(80, f"river{n}"))
    write(src, "stuck.txt", article(80, "stuck"))
    code = PRELUDE + STUCK.format(threshold=2 if path == "parallel" else 10**6) + MAIN
    run = assert_clean(run_brief("index", src, home=home, library=lib, code=code))
    assert "stuck.txt: took longer than 2 s to read; skipped" in run.err, run
    assert "6 added" in run.err
    assert len(listing(home, lib)) == 6
    # Remembered as a bad file: the next run does not wait for it again (until it changes).
    again = assert_clean(run_brief("index", home=home, library=lib, code=code))
    assert "unchanged" in again.err and "took longer than 2 s" in again.err


BLOCKED = """
import signal, time
import index.documents, index.indexer, index.readers
index.documents.READ_TIMEOUT = 2
index.indexer.PARALLEL_THRESHOLD = 2
real_read = index.readers.read_file
def read_file(path, *args, **kwargs):
    if path.endswith("stuck.txt"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as code the alarm cannot interrupt
        time.sleep(1000)
    return real_read(path, *args, **kwargs)
index.readers.read_file = read_file
"""


def test_a_worker_stuck_where_no_alarm_reaches_is_stopped_not_waited_for(home, src, lib):
    for n in range(6):
        write(src, f"a{n}.txt", article(80, f"river{n}"))
    write(src, "stuck.txt", article(80, "stuck"))
    run = assert_clean(run_brief("index", src, home=home, library=lib, code=PRELUDE + BLOCKED + MAIN), codes=(1,))
    assert "stuck.txt: took longer than 7 s to read and could not be stopped" in run.err, run
    assert "move it out of the indexed folders" in run.err
    # Nothing half-done: no library yet, and no stale lock (the next run starts at once).
    (src / "stuck.txt").unlink()
    assert_clean(run_brief("index", src, "--wait", "0", "-q", home=home, library=lib))
    assert len(listing(home, lib)) == 6


FDS = """
import index.documents, index.indexer
index.indexer.PARALLEL_THRESHOLD = 2
real_read_one = index.documents.read_one
main = os.getpid()
def read_one(path):
    if os.getpid() != main and path.endswith("a0.txt"):
        names = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                names.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                pass
        print("worker fds:", *names, file=sys.stderr, flush=True)
    return real_read_one(path)
index.documents.read_one = read_one
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_the_workers_do_not_hold_the_library_lock(home, src, lib):
    for n in range(6):
        write(src, f"a{n}.txt", article(80, f"river{n}"))
    run = assert_clean(run_brief("index", src, home=home, library=lib, code=PRELUDE + FDS + MAIN))
    line = next(line for line in run.err.splitlines() if line.startswith("worker fds:"))
    assert "brief.lock" not in line and "WRITELOCK" not in line, line


# ------------------------------------------------------------------------------------------------
# What the report says (index.indexer.IndexReport)


def test_a_readers_remark_is_a_note_not_a_skip(home, src, lib):
    write(src, "a.txt", article(80))
    (src / "latin.txt").write_bytes(article(80, "caf\xe9").encode("cp1252"))
    report = update(Library(lib), [src])
    assert report.added == 2 and not report.problems and not report.skipped
    assert any("latin.txt" in n and "Windows-1252" in n for n in report.notes), report.notes
    run = assert_clean(run_brief("index", src, "--rebuild", home=home, library=lib))
    assert "skipped" not in run.err.split("Indexed:")[0], run  # no "skipped ... read as Windows-1252"


@pytest.mark.parametrize("path", ["serial", "parallel"])
def test_a_reader_that_cannot_run_is_said_once_and_nothing_is_lost(src, lib, monkeypatch, path):
    if path == "parallel":
        monkeypatch.setattr(index.indexer, "PARALLEL_THRESHOLD", 2)
    for n in range(3):
        write(src, f"page{n}.html", f"<html><body><p>{article(80, f'page{n}')}</p></body></html>")
    write(src, "a.txt", article(80))
    first = update(Library(lib), [src])
    assert first.total_articles == 4
    real = index.readers.read_file

    def broken(path, problems=None):
        if str(path).endswith(".html"):
            raise ReaderUnavailable(str(path), "html", "trafilatura cannot be imported; reinstall")
        return real(path, problems)

    monkeypatch.setattr(index.readers, "read_file", broken)
    for n in range(3):
        bump(src / f"page{n}.html")
    write(src, "new.html", "<html><body><p>" + article(80, "newpage") + "</p></body></html>")
    report = update(Library(lib), [src])
    assert report.setup == ["trafilatura cannot be imported; reinstall"]  # once, not per file
    assert not report.problems
    assert Library(lib).article_count() == 4  # the earlier versions are kept
    manifest = json.loads(Library(lib).manifest_path.read_text())
    assert str(src / "new.html") not in manifest["files"]  # not remembered as a bad file
    rebuilt = update(Library(lib), [src], rebuild=True)  # a rebuild keeps them too
    assert rebuilt.setup == report.setup and rebuilt.total_articles == 4
    assert searched_ids_of(Library(lib), "page1") and Library(lib).article_count() == 4
    monkeypatch.setattr(index.readers, "read_file", real)
    again = update(Library(lib), [src])  # the reader works again: every changed html file is read
    assert (again.added, again.updated) == (1, 3) and again.total_articles == 5


def searched_ids_of(lib: Library, word: str) -> list[str]:
    from index.search import search

    with lib.open_index().searcher() as s:
        return [hit.id for hit in search(s, word, limit=100).hits]


def test_a_file_skipped_on_purpose_is_counted_remembered_and_not_a_problem(src, lib, monkeypatch):
    write(src, "a.txt", article(80))
    card = write(src, "card.md", article(80, "card"))
    update(Library(lib), [src])
    real = index.readers.read_file
    calls: list[str] = []

    def skipping(path, problems=None):
        calls.append(str(path))
        if str(path).endswith("card.md"):
            raise SkipFile(str(path), "brief's own card export")
        return real(path, problems)

    monkeypatch.setattr(index.readers, "read_file", skipping)
    bump(card)
    report = update(Library(lib), [src])
    assert report.skipped == {"brief's own card export": 1} and not report.problems
    assert report.removed == 1 and Library(lib).article_count() == 1  # it was an article before: gone
    calls.clear()
    again = update(Library(lib), [src])
    assert calls == [] and again.skipped == {"brief's own card export": 1} and not again.problems


def test_paths_given_that_do_not_exist_are_reported_missing(home, src, lib, tmp_path):
    write(src, "a.txt", article(80))
    report = update(Library(lib), [src, tmp_path / "no-such-folder"])
    assert report.missing == [str(tmp_path / "no-such-folder")] and report.added == 1
    assert not report.problems
    again = update(Library(lib), [tmp_path / "nor-this"])
    assert again.missing == [str(tmp_path / "nor-this")]
    assert Library(lib).roots() == [str(src)]  # what does not exist is not remembered as a folder to index


def test_a_manifest_never_widens_what_is_read(src, lib, tmp_path, monkeypatch):
    write(src, "a.txt", article(80))
    outside = write(tmp_path / "private", "secret.txt", article(80, "secret"))
    update(Library(lib), [src])
    manifest = json.loads(Library(lib).manifest_path.read_text())
    manifest["files"][str(outside)] = {"mtime_ns": -1, "size": -1, "articles": []}  # listed, never walked
    Library(lib).manifest_path.write_text(json.dumps(manifest))
    read: list[str] = []
    real = index.readers.read_file
    monkeypatch.setattr(index.readers, "read_file", lambda path, problems=None: (read.append(str(path)),
                                                                                 real(path, problems))[1])
    write(src, "b.txt", article(80, "ferry"))
    update(Library(lib))
    assert read == [str(src / "b.txt")]
    # A file the walk now passes over (a link leading outside, say) leaves the library: it is not read again.
    real_walk = index.readers.iter_source_files

    def walk(roots, follow_links=False):
        for path, reason in real_walk(roots, follow_links):
            yield path, ("links leading outside the indexed folders" if path.name == "b.txt" else reason)

    monkeypatch.setattr(index.readers, "iter_source_files", walk)
    read.clear()
    report = update(Library(lib))
    assert read == [] and report.removed == 1
    assert {r["path"] for r in Library(lib).catalog()} == {str(src / "a.txt")}


# ------------------------------------------------------------------------------------------------
# File names that are not UTF-8


def searched_ids(home: Path, lib: Path, word: str) -> set[str]:
    """The ids `brief search` prints (its plain output: the JSON one carries the path, the CLI's to print)."""
    import re

    run = assert_clean(run_brief("search", word, "-n", "100", home=home, library=lib))
    return set(re.findall(r"· ([0-9a-z]{8})$", run.out, re.M))


def test_a_file_name_with_a_non_utf8_byte_indexes_changes_and_goes(home, src, lib):
    name = os.fsdecode(b"caf\xff-report.txt")  # a lone surrogate in Python
    path = src / name
    path.write_text(article(80, "dam"), encoding="utf-8")
    write(src, "plain.txt", article(80, "plain"))
    run = assert_clean(run_brief("index", src, "-q", home=home, library=lib))
    assert "2 added" in run.err, run
    catalog = Library(lib).catalog()
    assert str(path) in {r["path"] for r in catalog}  # the manifest round-trips the real name
    aid = next(r["id"] for r in catalog if r["path"] == str(path))
    assert searched_ids(home, lib, "dam") == {aid}
    assert Library(lib).get(aid).path == str(path)  # stored as the real path
    path.write_text("Turbine Report\n\n" + "The turbine hall flooded overnight, engineers said. " * 6, "utf-8")
    bump(path)
    run = assert_clean(run_brief("index", "-q", home=home, library=lib))
    assert "1 updated" in run.err, run
    assert searched_ids(home, lib, "turbine") == {aid}  # the same id, the new text
    assert searched_ids(home, lib, "dam") == set()  # the old text is gone
    path.unlink()
    run = assert_clean(run_brief("index", "-q", home=home, library=lib))
    assert "1 removed" in run.err, run
    assert searched_ids(home, lib, "turbine") == set() and len(Library(lib).catalog()) == 1


def test_article_text_with_a_lone_surrogate_is_indexed_not_a_crash(src, lib, monkeypatch):
    """Whoosh encodes every term as UTF-8: text a reader let through with a lone surrogate is indexed with it
    replaced, and stored as it is."""
    from index.model import Article, make_id

    write(src, "odd.txt", article(80))
    write(src, "plain.txt", article(80, "plain"))
    real = index.readers.read_file

    def odd(path, problems=None):
        if str(path).endswith("odd.txt"):
            return [Article(id=make_id(str(path)), path=str(path), title="Odd \udcff Title",
                            paragraphs=["The turbine \udc80 hall flooded overnight, engineers said."],
                            outlet="Wire \udcfe", author="Ann \udcff", tags=["x\udcff"])]
        return real(path, problems)

    monkeypatch.setattr(index.readers, "read_file", odd)
    report = update(Library(lib), [src])
    assert report.added == 2 and not report.problems
    assert searched_ids_of(Library(lib), "turbine") == [make_id(str(src / "odd.txt"))]
    stored = Library(lib).get(make_id(str(src / "odd.txt")))
    assert stored.title == "Odd \udcff Title" and stored.author == "Ann \udcff"
    assert {r["title"] for r in Library(lib).catalog()} >= {"Odd \udcff Title"}
