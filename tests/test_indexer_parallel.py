"""Big batches index in two worker processes (index.parallel): same result as the serial path, same
guarantees (bad files reported, incremental updates, nothing visible before the commit), and no
worker ever left running or hanging the run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import index.documents
import index.indexer
import index.parallel
import index.readers
from index.errors import LibraryError
from index.indexer import update
from index.library import Library
from index.search import search

ROOT = Path(__file__).resolve().parent.parent
FILES = 40


def story(n: int) -> str:
    return (
        f"The river at Kavra rose {n} metres overnight, the harbour master said on Tuesday. "
        f"Crews worked through the night to shore up embankment number {n}.\n\n"
        f"Residents of district {n} were told to move to higher ground before the evening tide "
        f"{'and the ferry to Osk was cancelled' if n % 3 == 0 else 'as the storm passed'}."
    )


def wire_copy(extra: str) -> str:
    return " ".join(
        f"Sentence {i} about the flood defences at Kavra and the pumps the council hired on day {i}."
        for i in range(30)
    ) + extra


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bump(path: Path) -> None:
    """Make sure the stat signature changes even within one mtime tick."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))


@pytest.fixture
def sources(tmp_path) -> Path:
    src = tmp_path / "articles"
    for n in range(FILES - 3):
        write(src / f"{n // 10}" / f"a{n:02d}.txt", f"Flood Report Number {n}\n\n{story(n)}\n")
    write(src / "wire.txt", f"Council Hires Pumps\n\n{wire_copy('')}\n")  # near-duplicates
    write(src / "repost.txt", f"Kavra Council Hires Extra Pumps\n\n{wire_copy(' Editor: first ran on the wire.')}\n")
    write(src / "feed.jsonl", "\n".join(json.dumps({"id": f"e{k}", "title": f"Feed Entry {k}", "text": story(100 + k)})
                                        for k in range(3)) + "\n")
    return src


@pytest.fixture
def parallel(monkeypatch):
    """Big-batch path from 2 files on; records every Workers started, so tests can see it was taken."""
    monkeypatch.setattr(index.indexer, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(index.parallel, "CHUNK", 3)
    started: list[index.parallel.Workers] = []
    original = index.parallel.Workers.__init__

    def init(self, *args, **kwargs):
        started.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(index.parallel.Workers, "__init__", init)
    return started


def pids_gone(workers_started) -> bool:
    for workers in workers_started:
        for proc in workers._procs:
            try:
                state = Path(f"/proc/{proc.pid}/status").read_text()
            except FileNotFoundError:
                continue
            if "State:\tZ" not in state:
                return False
    return True


def documents(lib: Library) -> dict[str, dict]:
    with lib.open_index().searcher() as s:
        docs = [dict(fields) for fields in s.all_stored_fields()]
    by_id = {d["id"]: d for d in docs}
    assert len(by_id) == len(docs), "an id is in the index twice"
    return by_id


def manifest_of(lib: Library) -> dict:
    """The manifest without its stamp (which names the index folder it describes: each library its own)."""
    manifest = json.loads(lib.manifest_path.read_text())
    assert manifest.pop("stamp") == lib.index_state()
    return manifest


def hits(lib: Library, query: str) -> list[str]:
    with lib.open_index().searcher() as s:
        return sorted(h.title for h in search(s, query, limit=100).hits)


def test_parallel_path_gives_what_the_serial_path_gives(sources, tmp_path, parallel, monkeypatch):
    serial = Library(tmp_path / "serial")
    with monkeypatch.context() as m:
        m.setattr(index.indexer, "PARALLEL_THRESHOLD", 10**6)
        serial_report = update(serial, [sources])
    assert len(list(serial.index_dir.glob("*.seg"))) == 1 and not parallel

    par = Library(tmp_path / "parallel")
    par_report = update(par, [sources])
    assert len(parallel) == 1 and pids_gone(parallel)
    assert len(list(par.index_dir.glob("*.seg"))) == 2  # one segment per worker

    assert par_report.summary().split(" (")[0] == serial_report.summary().split(" (")[0]
    assert (par_report.added, par_report.articles_added, par_report.total_articles) == (FILES, FILES + 2, FILES + 2)
    assert par_report.problems == serial_report.problems
    manifest = manifest_of(par)
    assert manifest == manifest_of(serial)
    assert list(manifest["files"]) == list(manifest_of(serial)["files"])  # same order
    from index.dedup import SketchStore

    with SketchStore(par.sketch_db_path) as a, SketchStore(serial.sketch_db_path) as b:
        assert a.all() == b.all() and len(a) > 0
    assert par.near_duplicates() and par.near_duplicates() == serial.near_duplicates()
    assert documents(par) == documents(serial)
    for query in ("ferry", "embankment", "pumps", '"Feed Entry"'):
        assert hits(par, query) == hits(serial, query)
    assert not list(par.root.glob("index.*.*")) and not (par.index_dir / "articles.tmp").exists()


def test_bad_files_are_reported_and_the_run_goes_on(sources, tmp_path, parallel):
    write(sources / "empty.txt", "")
    (sources / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    lib = Library(tmp_path / "lib")
    report = update(lib, [sources])
    assert parallel and pids_gone(parallel)
    assert report.added == FILES and report.skipped == {"unreadable": 2}
    names = " ".join(report.problems)
    assert "empty.txt" in names and "binary.txt" in names
    assert Library(lib.root).article_count() == FILES + 2 == len(documents(lib))
    # Unchanged bad files are reported again without being read; nothing else happens.
    again = update(Library(lib.root), [sources])
    assert again.unchanged == FILES and again.skipped == {"unreadable (unchanged since last run)": 2}


def test_an_incremental_update_through_the_parallel_path(sources, tmp_path, parallel):
    lib = Library(tmp_path / "lib")
    update(lib, [sources])
    ids = {r["title"]: r["id"] for r in lib.catalog()}
    changed = sources / "0" / "a03.txt"
    write(changed, "Ferry Services Restored\n\nThe hovercraft link to Lemma is running again, the operator said.\n")
    bump(changed)
    (sources / "1" / "a11.txt").unlink()
    write(sources / "new.txt", "Harbour Cranes Inspected\n\nEngineers inspected the cranes for storm damage.\n")
    turned_bad = sources / "2" / "a22.txt"
    turned_bad.write_bytes(b"\x00\xff" * 100)
    bump(turned_bad)

    report = update(Library(lib.root), [sources])
    assert len(parallel) == 2 and pids_gone(parallel)
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    assert report.unchanged == FILES - 3
    assert any("a22.txt" in p for p in report.problems)
    fresh = Library(lib.root)
    assert fresh.article_count() == FILES + 2 == len(documents(fresh))
    assert hits(fresh, "hovercraft") == ["Ferry Services Restored"]
    docs = documents(fresh)
    assert docs[ids["Flood Report Number 3"]]["title"] == "Ferry Services Restored"  # same file, same id
    assert ids["Flood Report Number 11"] not in docs  # the deleted file is gone
    assert docs[ids["Flood Report Number 22"]]["title"] == "Flood Report Number 22"  # previous version kept
    assert hits(fresh, "cranes") == ["Harbour Cranes Inspected"]


def test_files_the_manifest_does_not_know_are_not_indexed_twice(sources, tmp_path, parallel, monkeypatch):
    """An interrupt right after the commit: the staged manifest is in force (or promoted). Should the manifest
    not know the committed documents all the same (one from before the commit, written back), the next run
    replaces them rather than indexing them twice."""
    lib = Library(tmp_path / "lib")
    update(lib, [sources])
    before = lib.manifest_path.read_bytes()
    for n in range(3):
        write(sources / f"late{n}.txt", f"Late Story {n}\n\nSandbags ran short in district {n} by noon.\n")
    real_commit = index.indexer._commit_with

    def commit_then_interrupt(*args):
        real_commit(*args)
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(index.indexer, "_commit_with", commit_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            update(Library(lib.root), [sources])
    assert len(hits(Library(lib.root), "sandbags")) == 3
    assert Library(lib.root).article_count() == FILES + 5  # the catalog agrees with the index
    lib.manifest_path.write_bytes(before)  # a manifest that does not know them
    report = update(Library(lib.root), [sources])
    assert report.added == 3
    fresh = Library(lib.root)
    assert fresh.article_count() == FILES + 5 == len(documents(fresh))


def test_an_id_repeated_across_files_is_kept_once_as_on_the_serial_path(sources, tmp_path, monkeypatch):
    real_id = index.readers.make_id
    clash = ("a01.txt", "a17.txt", "a33.txt")
    monkeypatch.setattr(index.readers, "make_id",
                        lambda path, key="": "clashing" if path.endswith(clash) else real_id(path, key))
    serial = Library(tmp_path / "serial")
    serial_report = update(serial, [sources])

    monkeypatch.setattr(index.indexer, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(index.parallel, "CHUNK", 1)
    real_read, real_commit = index.documents.read_one, index.indexer._commit_with

    marker = tmp_path / "a33-read"

    def read(path):  # a01's worker waits while the other takes every later file, a17 and a33 among them
        if path.endswith("a01.txt"):
            deadline = time.monotonic() + 30
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        result = real_read(path)
        if path.endswith("a33.txt"):
            marker.touch()
        return result

    dropped = []
    monkeypatch.setattr(index.documents, "read_one", read)
    monkeypatch.setattr(index.indexer, "_commit_with",
                        lambda writer, workers, drop: (dropped.extend(drop), real_commit(writer, workers, drop))[1])
    par = Library(tmp_path / "parallel")
    par_report = update(par, [sources])
    # a33 was skipped in the worker that had a17 first; a17 after both workers wrote theirs.
    assert sum(map(len, dropped)) == 1
    assert par_report.problems == serial_report.problems
    assert sum("repeats an id" in p for p in par_report.problems) == 2
    assert documents(par) == documents(serial)
    assert documents(par)["clashing"]["title"] == "Flood Report Number 1"
    assert manifest_of(par) == manifest_of(serial)


def test_a_worker_that_raises_stops_the_run_clearly_and_changes_nothing(sources, tmp_path, parallel, monkeypatch):
    lib = Library(tmp_path / "lib")
    update(lib, [sources])
    before = (lib.manifest_path.read_bytes(), sorted(p.name for p in lib.index_dir.iterdir()))
    for n in range(FILES - 3):
        bump(sources / f"{n // 10}" / f"a{n:02d}.txt")
    real = index.documents.article_doc

    def broken(a, path):
        if path.endswith("a25.txt"):
            raise RuntimeError("simulated bug")
        return real(a, path)

    monkeypatch.setattr(index.documents, "article_doc", broken)
    with pytest.raises(LibraryError, match=r"worker \d failed on .*a25\.txt \(RuntimeError: simulated bug"):
        update(Library(lib.root), [sources])
    assert pids_gone(parallel[1:])
    assert (lib.manifest_path.read_bytes(), sorted(p.name for p in lib.index_dir.iterdir())) == before
    assert Library(lib.root).article_count() == FILES + 2 == len(documents(Library(lib.root)))
    # A rebuild that fails leaves the index as it was and no half-built folder.
    with pytest.raises(LibraryError, match="simulated bug"):
        update(Library(lib.root), [sources], rebuild=True)
    assert pids_gone(parallel[2:]) and not list(lib.root.glob("index.*.*"))
    assert sorted(p.name for p in lib.index_dir.iterdir()) == before[1]


def test_a_worker_that_dies_is_an_error_not_a_hang(sources, tmp_path, parallel, monkeypatch):
    lib = Library(tmp_path / "lib")
    update(lib, [sources])
    for n in range(FILES - 3):
        bump(sources / f"{n // 10}" / f"a{n:02d}.txt")
    real = index.documents.read_one

    def killed(path):
        if path.endswith("a30.txt"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path)

    monkeypatch.setattr(index.documents, "read_one", killed)
    started = time.monotonic()
    with pytest.raises(LibraryError, match="killed by signal 9"):
        update(Library(lib.root), [sources])
    assert time.monotonic() - started < 20
    assert pids_gone(parallel[1:])
    assert Library(lib.root).article_count() == FILES + 2 == len(documents(Library(lib.root)))


def indexed_then_changed(sources: Path, tmp_path: Path) -> Library:
    """A library of ``sources``, after which most of them change and one is added: a big next run."""
    lib = Library(tmp_path / "lib")
    update(lib, [sources])
    for n in range(FILES - 3):
        bump(sources / f"{n // 10}" / f"a{n:02d}.txt")
    write(sources / "new.txt", "Sandbags Run Short\n\nVolunteers ran out of sandbags by noon.\n")
    return lib


def test_an_interrupt_stops_the_workers_and_keeps_the_previous_index(sources, tmp_path, parallel):
    lib = indexed_then_changed(sources, tmp_path)

    def progress(stage, done, total):
        if stage == "index" and done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        update(Library(lib.root), [sources], progress=progress)
    assert pids_gone(parallel[1:])
    assert hits(Library(lib.root), "sandbags") == []
    assert Library(lib.root).article_count() == FILES + 2 == len(documents(Library(lib.root)))
    assert update(Library(lib.root), [sources]).added == 1


def test_an_app_indexing_from_a_thread_indexes_serially(sources, tmp_path, parallel):
    out = {}
    thread = threading.Thread(target=lambda: out.update(report=update(Library(tmp_path / "lib"), [sources])))
    thread.start()
    thread.join()
    assert out["report"].added == FILES and not parallel


KILL = textwrap.dedent("""
    import os, signal, sys, time
    sys.path.insert(0, {root!r})
    import index.documents, index.indexer, index.parallel
    from whoosh.writing import SegmentWriter
    from index.indexer import update
    from index.library import Library
    index.indexer.PARALLEL_THRESHOLD = 2
    index.parallel.CHUNK = 1
    if {where!r} == "commit":
        def crash(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)  # the segments are written, the TOC is not
        SegmentWriter._commit_toc = crash
    else:
        real = index.documents.read_one
        def slow(path):
            time.sleep(0.5)
            return real(path)
        index.documents.read_one = slow
        print(os.getpid(), flush=True)
    update(Library({library!r}), [{sources!r}])
""")


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with open(task / "children") as f:
            found.update(int(p) for p in f.read().split())
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("where", ["commit", "mid-run"])
def test_a_killed_run_leaves_the_previous_index_complete_and_no_worker_behind(sources, tmp_path, where):
    lib = indexed_then_changed(sources, tmp_path)
    code = KILL.format(root=str(ROOT), where=where, library=str(lib.root), sources=str(sources))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    workers: set[int] = set()
    if where == "mid-run":
        assert int(proc.stdout.readline()) == proc.pid
        deadline = time.monotonic() + 20
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = children(proc.pid)
            time.sleep(0.05)
        assert len(workers) == 2
        proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while workers and time.monotonic() < deadline:
        workers = {pid for pid in workers if Path(f"/proc/{pid}").exists()
                   and "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()}
        time.sleep(0.05)
    assert not workers, "a worker outlived the killed run"
    fresh = Library(lib.root)
    assert hits(fresh, "sandbags") == []
    assert fresh.article_count() == FILES + 2 == len(documents(fresh))
    report = update(Library(lib.root), [sources])  # the next run finishes the job
    assert report.added == 1 and report.updated == FILES - 3
    assert hits(Library(lib.root), "sandbags") == ["Sandbags Run Short"]
    assert len(documents(Library(lib.root))) == FILES + 3
