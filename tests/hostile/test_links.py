"""Links, pipes and devices in an indexed folder: nothing outside the folders given is read unless asked
(`find`/`rg` users' expectation), no link loop loops, and nothing is ever opened that could block."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from index.indexer import update
from index.library import Library
from index.model import ReadError
from index.readers import (LINK_BROKEN, LINK_OUTSIDE, LINK_REPEAT, SPECIAL_FILE, iter_source_files,
                           read_file)

from .conftest import article, assert_clean, run_brief, snapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="POSIX links")

SECRET = "SECRETWORD"


def walk(roots, follow_links=False) -> dict[str, str | None]:
    return {os.fspath(p): reason for p, reason in iter_source_files(roots, follow_links=follow_links)}


def bounded(fn, seconds: float = 20.0):
    """fn() in a thread; the test fails (instead of hanging) if it has not returned after ``seconds``."""
    result: dict = {}

    def run():
        try:
            result["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            result["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        pytest.fail(f"{fn} did not return within {seconds:.0f}s")
    if "error" in result:
        raise result["error"]
    return result["value"]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the indexed one holding a secret article (think /etc/shadow)."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "secret.txt").write_text(article(topic=SECRET.lower()).replace("Secretword Report", f"{SECRET} Memo"))
    return out


def test_a_link_to_a_secret_outside_is_not_indexed_but_counted_and_search_finds_nothing(home, src, lib, outside):
    (src / "news.txt").write_text(article())
    os.symlink(outside / "secret.txt", src / "shadow.txt")
    os.symlink(outside, src / "elsewhere")  # a folder outside, too
    before = snapshot(outside)
    run = assert_clean(run_brief("index", src, home=home, library=lib))
    assert "2 links leading outside the indexed folders" in run.out + run.err
    found = run_brief("search", SECRET, home=home, library=lib)
    assert found.code in (0, 1) and "Traceback" not in found.err
    assert SECRET.lower() not in (found.out + found.err).lower()
    assert "shadow" not in found.out
    listed = assert_clean(run_brief("list", home=home, library=lib))
    assert "Reservoir Report" in listed.out and SECRET not in listed.out
    assert snapshot(outside) == before


def test_follow_links_reads_the_target_outside(src, lib, outside):
    (src / "news.txt").write_text(article())
    os.symlink(outside / "secret.txt", src / "shadow.txt")
    report = update(Library(lib), [src], follow_links=True)
    assert report.added == 2 and LINK_OUTSIDE not in report.skipped
    titles = {r["title"] for r in Library(lib).catalog()}
    assert f"{SECRET} Memo" in titles


def test_links_inside_the_folders_are_read_once_and_the_path_without_a_link_wins(src):
    (src / "a.txt").write_text(article())
    (src / "sub").mkdir()
    os.symlink("../a.txt", src / "sub" / "again.txt")  # the same file, a second way
    os.link(src / "a.txt", src / "hard.txt")  # and a third
    (src / ".drafts").mkdir()
    (src / ".drafts" / "d.txt").write_text(article(topic="draft"))
    os.symlink(".drafts", src / "drafts")  # a hidden folder, reached through a link: read
    found = walk([src])
    real = os.path.realpath(src)
    assert found[f"{real}/a.txt"] is None
    assert found[f"{real}/sub/again.txt"] == LINK_REPEAT and found[f"{real}/hard.txt"] == LINK_REPEAT
    assert found[f"{real}/drafts/d.txt"] is None
    assert sum(reason is None for reason in found.values()) == 2


@pytest.mark.parametrize("follow", [False, True])
def test_a_link_loop_ends_and_reads_each_file_once(src, follow):
    (src / "a.txt").write_text(article())
    (src / "sub").mkdir()
    (src / "sub" / "b.txt").write_text(article(topic="levee"))
    os.symlink("..", src / "sub" / "up")  # a link to an ancestor
    os.symlink(src, src / "sub" / "root")  # the same, absolute
    os.symlink("loop2", src / "loop1")  # links that lead to each other, never to a file
    os.symlink("loop1", src / "loop2")
    found = bounded(lambda: walk([src], follow_links=follow))
    real = os.path.realpath(src)
    assert [p for p, r in found.items() if r is None] == [f"{real}/a.txt", f"{real}/sub/b.txt"]
    assert found[f"{real}/sub/up"] == found[f"{real}/sub/root"] == LINK_REPEAT
    assert found[f"{real}/loop1"] == found[f"{real}/loop2"] == LINK_BROKEN
    assert len(found) == 6


def test_a_dangling_link_is_counted_with_its_own_reason(src, lib):
    (src / "a.txt").write_text(article())
    os.symlink(src / "gone.txt", src / "dangling.txt")
    report = update(Library(lib), [src])
    assert report.added == 1 and report.skipped.get(LINK_BROKEN) == 1


def test_a_root_that_is_a_link_stands_for_its_target(tmp_path, src):
    (src / "a.txt").write_text(article())
    os.symlink(src, tmp_path / "via")
    found = walk([tmp_path / "via"])
    assert found == {f"{os.path.realpath(src)}/a.txt": None}


def test_a_fifo_is_never_opened(src, lib, home):
    (src / "a.txt").write_text(article())
    os.mkfifo(src / "pipe.txt")  # open() for reading would wait for a writer forever
    found = bounded(lambda: walk([src]))
    assert found[f"{os.path.realpath(src)}/pipe.txt"] == SPECIAL_FILE
    with pytest.raises(ReadError, match="not a regular file"):
        bounded(lambda: read_file(src / "pipe.txt"))
    run = assert_clean(run_brief("index", src, home=home, library=lib))
    assert "1 added" in run.out + run.err and SPECIAL_FILE in run.out + run.err


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_link_to_dev_zero_is_never_read(src, lib):
    (src / "a.txt").write_text(article())
    os.symlink("/dev/zero", src / "zero.txt")  # read() would never end
    os.symlink("/dev/urandom", src / "noise.jsonl")
    assert bounded(lambda: walk([src]))[f"{os.path.realpath(src)}/zero.txt"] == LINK_OUTSIDE
    followed = bounded(lambda: walk([src], follow_links=True))
    assert followed[f"{os.path.realpath(src)}/zero.txt"] == followed[f"{os.path.realpath(src)}/noise.jsonl"] \
        == SPECIAL_FILE
    for name in ("zero.txt", "noise.jsonl"):
        with pytest.raises(ReadError, match="not a regular file"):
            bounded(lambda: read_file(src / name))
    report = bounded(lambda: update(Library(lib), [src], follow_links=True))
    assert report.added == 1 and report.skipped.get(SPECIAL_FILE) == 2


def test_roots_given_twice_or_inside_one_another_are_read_once_silently(src):
    (src / "a.txt").write_text(article())
    (src / "sub").mkdir()
    (src / "sub" / "b.txt").write_text(article(topic="levee"))
    found = list(iter_source_files([src / "a.txt", src / "sub", src, src]))
    real = os.path.realpath(src)
    assert [(os.fspath(p), r) for p, r in found] == [(f"{real}/a.txt", None), (f"{real}/sub/b.txt", None)]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_a_folder_that_cannot_be_opened_is_counted(src):
    (src / "a.txt").write_text(article())
    locked = src / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text(article())
    locked.chmod(0)
    try:
        found = walk([src])
    finally:
        locked.chmod(0o755)
    assert found == {f"{os.path.realpath(src)}/a.txt": None, f"{os.path.realpath(locked)}": "folders that could not be opened"}
