"""Watching folders (index.watch, `brief watch`): real files written, changed, moved and removed in a
temporary folder while the engine or a `brief watch` process runs, with real file events (watchfiles /
inotify). Every wait polls with a deadline: nothing sleeps longer than it must."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.indexer import hold_lock, update
from index.library import Library
from index.watch import Batch, Watcher

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo"
SEEDS = ROOT.parent / "shared" / "seeds"
TEXT = ("{title}\n\nKAVRA — Officials said on Tuesday that {word} crews had reached the valley, where the water "
        "was still rising. About {n} people were moved to shelters overnight, a spokeswoman said.\n\n"
        "The regional office said more buses would come in the morning.\n")


def article(title: str, word: str, n: int = 40) -> str:
    return TEXT.format(title=title, word=word, n=n)


def wait_for(check, timeout: float = 8.0, step: float = 0.05):
    """Poll ``check`` until it returns something true; its last value (fails the test after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"not within {timeout}s"
            return value
        time.sleep(step)


def ids_of(lib: Library) -> dict[str, str]:
    """path -> id of every article the library's manifest holds now."""
    lib.forget()
    return {row["path"]: row["id"] for row in lib.catalog()}


def hits(lib: Library, text: str) -> list[str]:
    from index.search import search

    with lib.open_index().searcher() as s:
        return [h.path for h in search(s, text, limit=100).hits]


@pytest.fixture
def folder(tmp_path):
    """A folder with two articles, indexed into a library of its own."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "first.txt").write_text(article("Crews reach the valley", "rescue"))
    (src / "second.txt").write_text(article("Shelters fill up", "volunteer"))
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    return src, lib


class Running:
    """A Watcher in a thread, its batches and messages collected; stopped (and joined) on exit."""

    def __init__(self, lib: Library, paths=(), **kwargs) -> None:
        self.batches: list[Batch] = []
        self.messages: list[tuple[str, str]] = []
        kwargs.setdefault("step_ms", 100)
        kwargs.setdefault("debounce_ms", 800)
        kwargs.setdefault("lock_wait", 0.2)
        self.watcher = Watcher(lib, paths, on_batch=self.batches.append,
                               on_message=lambda text, sev: self.messages.append((text, sev)), **kwargs)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.watcher.run()
        except BaseException as exc:  # noqa: BLE001 - the test says it
            self.error = exc

    def __enter__(self) -> Running:
        self.watcher.prepare()
        self.thread.start()
        wait_for(lambda: self.batches and self.batches[0].catch_up)  # the catch-up ran: the watch is on
        time.sleep(0.1)  # inotify's watches are set up right after it
        return self

    def __exit__(self, *exc) -> None:
        self.watcher.stop()
        self.thread.join(10)
        assert not self.thread.is_alive(), "the watch did not stop"
        assert self.error is None, repr(self.error)


# ------------------------------------------------------------------------------------------------ the engine


def test_new_changed_removed_and_moved_files_reach_the_index(folder):
    src, lib = folder
    with Running(lib) as run:
        assert run.batches[0].summary().endswith("up to date · 2 articles")
        (src / "third.txt").write_text(article("Buses arrive at dawn", "convoy"))
        wait_for(lambda: hits(lib, "convoy"))

        (src / "first.txt").write_text(article("Crews reach the valley", "helicopter"))  # changed
        wait_for(lambda: hits(lib, "helicopter") and not hits(lib, "rescue"))

        (src / "second.txt").unlink()  # removed
        wait_for(lambda: str(src / "second.txt") not in ids_of(lib))
        assert not hits(lib, "volunteer")

        (src / "sub").mkdir()
        os.rename(src / "third.txt", src / "sub" / "third.txt")  # moved inside the folder
        wait_for(lambda: str(src / "sub" / "third.txt") in ids_of(lib) and str(src / "third.txt") not in ids_of(lib))
        assert hits(lib, "convoy") == [str(src / "sub" / "third.txt")]

        outside = src.parent / "elsewhere"  # a folder with files moved in: one event, for the folder
        outside.mkdir()
        (outside / "a.md").write_text("---\ntitle: Dam inspectors return\n---\n\n" + article("x", "inspector"))
        os.rename(outside, src / "moved-in")
        wait_for(lambda: hits(lib, "inspector") == [str(src / "moved-in" / "a.md")])

        os.rename(src / "moved-in", outside)  # and out again
        wait_for(lambda: not hits(lib, "inspector"))
    counts = [(b.new, b.changed, b.removed) for b in run.batches[1:]]
    assert sum(c[0] for c in counts) == 3 and sum(c[1] for c in counts) == 1 and sum(c[2] for c in counts) == 3
    assert ids_of(lib) == {str(src / "first.txt"): ids_of(lib)[str(src / "first.txt")],
                           str(src / "sub" / "third.txt"): ids_of(lib)[str(src / "sub" / "third.txt")]}


def test_a_burst_of_files_is_one_or_a_few_batches(folder):
    src, lib = folder
    burst = src.parent / "burst"
    burst.mkdir()
    for n in range(300):
        (burst / f"piece-{n:03}.txt").write_text(article(f"Report number {n}", f"word{n}x", n))
    with Running(lib, step_ms=300, debounce_ms=1600) as run:
        started = time.monotonic()
        for path in sorted(burst.iterdir()):  # copied one by one, as cp does
            shutil.copy(path, src / path.name)
        wait_for(lambda: len(ids_of(lib)) == 302, timeout=30)
        took = time.monotonic() - started
    batches = run.batches[1:]
    assert 1 <= len(batches) <= 5, [b.summary() for b in batches]
    assert sum(b.new for b in batches) == 300 and not any(b.problems for b in batches)
    assert hits(lib, "word299x") and took < 30


def test_hidden_temporary_and_other_files_are_passed_over(folder):
    src, lib = folder
    with Running(lib) as run:
        for name in (".draft.txt", "notes.txt.swp", "copy.txt.part", "backup.txt~", ".#lock.txt", "#auto.txt#",
                     "page.docx", "download.html.crdownload"):
            (src / name).write_text(article("Temporary", "ephemeral"))
        time.sleep(0.6)  # several times the batch step: a batch would have come
        assert len(run.batches) == 1
        (src / "real.txt").write_text(article("A real one", "genuine"))
        wait_for(lambda: len(run.batches) == 2)
    assert run.batches[1].new == 1 and run.batches[1].events == 1
    assert not hits(lib, "ephemeral") and hits(lib, "genuine")


def test_the_library_folder_inside_a_watched_folder_is_not_watched(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(article("Inside", "nested"))
    lib = Library(src / "library")  # the library lives in the folder it indexes
    update(lib, [src])
    with Running(lib) as run:
        update(lib, [src], rebuild=True)  # writes the index, manifest, sketches: all inside src
        time.sleep(0.6)
        assert len(run.batches) == 1


def test_a_bad_file_is_said_once_and_the_watch_goes_on(folder):
    src, lib = folder
    with Running(lib) as run:
        (src / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
        wait_for(lambda: any(b.problems for b in run.batches))
        (src / "fine.txt").write_text(article("After the bad one", "afterwards"))
        wait_for(lambda: hits(lib, "afterwards"))
        (src / "fine.txt").write_text(article("After the bad one", "laterstill"))  # the same folder re-scanned
        wait_for(lambda: hits(lib, "laterstill"))
    problems = [p for b in run.batches for p in b.problems]
    assert problems == [f"{src / 'broken.txt'}: not text (binary data)"]


def test_a_held_lock_is_waited_for(folder):
    src, lib = folder
    with Running(lib) as run:
        with hold_lock(lib):  # another writer (a `brief index` in another terminal)
            (src / "during.txt").write_text(article("Written while locked", "meanwhile"))
            wait_for(lambda: any("is writing to" in text for text, _ in run.messages))
            assert run.watcher.waiting_for == os.getpid()
            time.sleep(0.5)
            assert not hits(lib, "meanwhile")
        wait_for(lambda: hits(lib, "meanwhile"))
    said = [text for text, _ in run.messages]
    assert sum("is writing to" in t for t in said) == 1  # once, not at every try
    assert f"pid {os.getpid()}" in said[0] and any("has finished" in t for t in said)


def test_a_watch_of_the_default_roots_follows_a_new_root(folder, monkeypatch):
    import index.watch as watch_module

    monkeypatch.setattr(watch_module, "ROOTS_CHECK_MS", 200)
    src, lib = folder
    other = src.parent / "other"
    other.mkdir()
    with Running(lib) as run:
        assert run.watcher.roots == [str(src)]
        update(lib, [other])  # `brief index OTHER` in another terminal
        wait_for(lambda: str(other) in run.watcher.roots)
        time.sleep(0.2)
        (other / "new.txt").write_text(article("In the other folder", "elsewhere"))
        wait_for(lambda: hits(lib, "elsewhere"))


def test_nothing_to_watch_is_one_sentence(tmp_path):
    from index.errors import LibraryError

    with pytest.raises(LibraryError, match="nothing to watch"):
        Watcher(Library(tmp_path / "empty")).prepare()
    with pytest.raises(LibraryError, match="no such file or folder"):
        Watcher(Library(tmp_path / "empty"), [tmp_path / "nope"]).prepare()


# ------------------------------------------------------------------------------------------------ brief watch


def brief_env(tmp_path) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               NO_COLOR="1", PYTHONUNBUFFERED="1")
    env.pop("BRIEF_LIBRARY", None)
    env.pop("BRIEF_DEBUG", None)
    return env


def brief(tmp_path, *args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT,
                          env=brief_env(tmp_path), timeout=timeout)


def start_watch(tmp_path, lib: Library, *args) -> subprocess.Popen:
    out, err = open(tmp_path / "watch.out", "w"), open(tmp_path / "watch.err", "w")
    proc = subprocess.Popen([sys.executable, "-m", "tui", "--library", str(lib.root), "watch", *args],
                            stdout=out, stderr=err, cwd=ROOT, env=brief_env(tmp_path))
    wait_for(lambda: "up to date" in (tmp_path / "watch.out").read_text() or proc.poll() is not None, timeout=20)
    assert proc.poll() is None, (tmp_path / "watch.err").read_text()
    time.sleep(0.1)
    return proc


def stop_watch(tmp_path, proc: subprocess.Popen, sig=signal.SIGINT) -> tuple[int, str, str]:
    for _ in range(3):  # a Ctrl-C that lands while index workers are being forked is lost (Python's
        if proc.poll() is None:  # at-fork hooks swallow it): a user presses it again
            proc.send_signal(sig)
        try:
            code = proc.wait(8)
            break
        except subprocess.TimeoutExpired:
            continue
    else:
        proc.kill()
        code = proc.wait()
    return code, (tmp_path / "watch.out").read_text(), (tmp_path / "watch.err").read_text()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not there")
def test_a_file_dropped_while_brief_watch_runs_is_found_by_brief_search(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for path in seeds[:4]:
        shutil.copy(path, src)
    lib = Library(tmp_path / "lib")
    assert brief(tmp_path, "--library", str(lib.root), "index", str(src), "-q").returncode == 0
    proc = start_watch(tmp_path, lib)
    try:
        dropped = time.monotonic()
        shutil.copy(seeds[4], src)

        def found():
            done = brief(tmp_path, "--library", str(lib.root), "search", "*", "--json")
            return done.returncode == 0 and done.stdout.count('"id"') == 5

        wait_for(found, timeout=10, step=0.1)
        seconds = time.monotonic() - dropped
    finally:
        code, out, err = stop_watch(tmp_path, proc)
    assert seconds < 5
    assert code == 130 and err.rstrip().endswith("Stopped watching.") and "Traceback" not in err
    assert f"Watching 1 folder for changes into {lib.root} (Ctrl-C stops): {src}" in err
    lines = out.splitlines()
    assert lines[0].endswith("up to date · 4 articles")
    assert "+1 new, 0 changed, 0 removed · 5 articles" in lines[1]


def test_ctrl_c_in_the_middle_of_a_batch_leaves_a_whole_index(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "first.txt").write_text(article("Crews reach the valley", "rescue"))
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    burst = tmp_path / "burst"
    burst.mkdir()
    for n in range(400):
        (burst / f"piece-{n:03}.txt").write_text(article(f"Report number {n}", f"word{n}x", n))
    proc = start_watch(tmp_path, lib)
    os.rename(burst, src / "burst")  # 400 files at once: read by two worker processes (a second or two)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if children.exists():  # Linux: Ctrl-C once both workers run (not while one is forked), mid-batch
        wait_for(lambda: len(children.read_text().split()) == 2, timeout=10, step=0.005)
        time.sleep(0.05)  # past the forks' own after-fork hooks
    else:
        time.sleep(0.5)
    code, out, err = stop_watch(tmp_path, proc)
    assert code == 130 and "Traceback" not in err
    if children.exists() and "new" not in out:  # the batch did not finish
        assert "Stopped watching in the middle of a batch; the index is whole" in err
    doctor = brief(tmp_path, "--library", str(lib.root), "doctor")
    assert "manifest and index agree" in doctor.stdout or doctor.returncode == 0, doctor.stdout + doctor.stderr
    listed = brief(tmp_path, "--library", str(lib.root), "list", "--json")
    searched = brief(tmp_path, "--library", str(lib.root), "search", "*", "--json", "--limit", "1000")
    assert listed.returncode == 0 and searched.returncode == 0
    assert listed.stdout.count('"id"') == searched.stdout.count('"id"') in (1, 401)  # before the batch, or after
    again = brief(tmp_path, "--library", str(lib.root), "index", "-q")
    assert again.returncode == 0 and "401 articles" in again.stderr


def test_kill_stops_the_watch_as_ctrl_c_does(tmp_path, folder):
    src, lib = folder
    proc = start_watch(tmp_path, lib, str(src))
    code, out, err = stop_watch(tmp_path, proc, signal.SIGTERM)
    assert code == 130 and err.rstrip().endswith("Stopped watching.")


def test_brief_watch_usage(tmp_path, folder):
    src, lib = folder
    missing = brief(tmp_path, "--library", str(lib.root), "watch", str(src), str(tmp_path / "nope"))
    assert missing.returncode == 2 and missing.stderr == f"brief: {tmp_path / 'nope'}: no such file or folder\n"
    demo = brief(tmp_path, "--demo", "watch")
    assert demo.returncode == 2 and "read-only" in demo.stderr
    empty = brief(tmp_path, "--library", str(tmp_path / "empty"), "watch")
    assert empty.returncode == 1 and empty.stderr.startswith("brief: nothing to watch") and "Traceback" not in empty.stderr
    helped = brief(tmp_path, "watch", "--help")
    assert helped.returncode == 0 and "--quiet" in helped.stdout and "Stopped watching" in helped.stdout
    listed = brief(tmp_path, "--help")
    assert "watch" in listed.stdout


def test_quiet_says_only_problems(tmp_path, folder):
    src, lib = folder
    proc = subprocess.Popen([sys.executable, "-m", "tui", "--library", str(lib.root), "watch", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=brief_env(tmp_path))
    try:
        time.sleep(1.0)  # the catch-up and the watch set up (quiet: nothing says so)
        (src / "broken.txt").write_bytes(b"\x00binary\x00" * 40)
        (src / "fine.txt").write_text(article("Fine", "quietly"))
        wait_for(lambda: hits(lib, "quietly"))
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    assert out == ""
    assert f"skipped {src / 'broken.txt'}: not text (binary data)" in err and "Watching" not in err


def test_a_path_not_indexed_yet_is_added_then_watched(folder):
    src, lib = folder
    fresh = src.parent / "fresh"
    fresh.mkdir()
    (fresh / "one.txt").write_text(article("Already there", "preexisting"))
    with Running(lib, [fresh]) as run:
        assert run.batches[0].new == 1 and hits(lib, "preexisting")  # the catch-up indexed it
        lib.forget()
        assert str(fresh) in lib.roots() and str(src) in lib.roots()
        (fresh / "two.txt").write_text(article("Then another", "afterwards"))
        wait_for(lambda: hits(lib, "afterwards"))
        (src / "ignored.txt").write_text(article("Not watched here", "unwatched"))
        time.sleep(0.5)
        assert not hits(lib, "unwatched")  # only the PATH given is watched
