"""The library: incremental indexing, faults, and never touching the user's files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index.errors import LibraryError, LockTimeout
from index.indexer import update
from index.library import Library
from index.search import search

ROOT = Path(__file__).resolve().parent.parent


def write_article(folder: Path, name: str, title: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


def story(n: int) -> str:
    return (
        f"The river at Kavra rose {n} metres overnight, the harbour master said on Tuesday. "
        f"Crews worked through the night to shore up embankment number {n}.\n\n"
        f"Residents of district {n} were told to move to higher ground before the evening tide."
    )


@pytest.fixture
def sources(tmp_path) -> Path:
    src = tmp_path / "articles"
    write_article(src, "one.txt", "Floodwater Reaches Kavra Harbour", story(1))
    write_article(src, "two.txt", "Ferry Services Suspended Along the Coast", "All ferries between Osk and Lemma were "
                  "cancelled after the storm warning, the operator said.\n\nServices resume on Friday if winds drop.")
    write_article(src, "sub/three.md", "Budget Talks Stall in Parliament", "Negotiators failed to agree on the "
                  "spending plan for a third week.\n\nThe finance minister called the delay regrettable.")
    return src


@pytest.fixture
def lib(tmp_path) -> Library:
    return Library(tmp_path / "library")


def ids_for(lib: Library, query: str) -> list[str]:
    with lib.open_index().searcher() as s:
        return [h.id for h in search(s, query, limit=50).hits]


def titles_for(lib: Library, query: str) -> list[str]:
    with lib.open_index().searcher() as s:
        return [h.title for h in search(s, query, limit=50).hits]


def fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_first_index_reads_every_supported_file(lib, sources):
    (sources / "notes.docx").write_bytes(b"PK\x03\x04 not an article")
    report = update(lib, [sources])
    assert (report.added, report.updated, report.removed) == (3, 0, 0)
    assert report.skipped == {"unsupported file type .docx": 1}
    assert report.total_articles == 3
    assert "3 added" in report.summary() and "unsupported file type .docx" in report.summary()
    assert titles_for(lib, "ferries") == ["Ferry Services Suspended Along the Coast"]


def test_unchanged_files_are_skipped_without_reading_them(lib, sources, monkeypatch):
    update(lib, [sources])
    import index.readers

    def boom(*args, **kwargs):
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr(index.readers, "read_file", boom)
    report = update(Library(lib.root), [sources])
    assert report.unchanged == 3 and report.added == report.updated == 0


def test_changed_added_and_deleted_files_are_brought_up_to_date(lib, sources):
    update(lib, [sources])
    old_id = ids_for(lib, "ferries")[0]
    two = sources / "two.txt"
    two.write_text("Ferry Services Restored\n\nThe hovercraft link to Lemma is running again, the operator said.\n")
    os.utime(two, ns=(two.stat().st_atime_ns, two.stat().st_mtime_ns + 10**9))
    (sources / "sub" / "three.md").unlink()
    write_article(sources, "four.txt", "Harbour Cranes Inspected", "Engineers inspected the cranes for storm damage.")

    report = update(Library(lib.root), [sources])
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert ids_for(lib, "hovercraft") == [old_id]  # same file, same id
    assert ids_for(lib, "cancelled") == []  # the old text is gone
    assert ids_for(lib, "negotiators") == []  # the deleted file is gone
    assert titles_for(lib, "cranes") == ["Harbour Cranes Inspected"]
    assert Library(lib.root).article_count() == 3


def test_indexing_a_second_folder_keeps_the_first(lib, sources, tmp_path):
    update(lib, [sources])
    other = tmp_path / "other"
    write_article(other, "a.txt", "Volcano Ash Grounds Flights", "Airports closed as ash drifted south.")
    update(lib, [other])
    assert Library(lib.root).article_count() == 4
    assert titles_for(lib, "ferries") and titles_for(lib, "volcano")


def test_index_with_no_paths_rescans_the_folders_indexed_before(lib, sources):
    update(lib, [sources])
    write_article(sources, "five.txt", "Lighthouse Keeper Rescued", "A keeper was lifted from the rock by helicopter.")
    report = update(Library(lib.root))
    assert report.added == 1 and report.unchanged == 3


def test_a_bad_file_is_named_with_its_reason_and_the_run_goes_on(lib, sources):
    (sources / "empty.txt").write_text("")
    (sources / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    report = update(lib, [sources])
    assert report.added == 3
    names = " ".join(report.problems)
    assert "empty.txt" in names and "binary.txt" in names
    assert report.skipped.get("unreadable") == 2


def test_a_file_that_turns_bad_keeps_its_previous_version(lib, sources):
    update(lib, [sources])
    two = sources / "two.txt"
    two.write_bytes(b"\x00\xff" * 100)
    report = update(Library(lib.root), [sources])
    assert any("two.txt" in p for p in report.problems)
    assert titles_for(lib, "ferries") == ["Ferry Services Suspended Along the Coast"]


def test_sources_are_never_modified(lib, sources):
    before = fingerprint(sources)
    update(lib, [sources])
    update(Library(lib.root), [sources], rebuild=True)
    assert fingerprint(sources) == before


def test_ids_are_stable_across_rebuild(lib, sources):
    update(lib, [sources])
    before = sorted(r["id"] for r in lib.catalog())
    update(Library(lib.root), rebuild=True)
    assert sorted(r["id"] for r in Library(lib.root).catalog()) == before


def test_resolve_id_accepts_a_unique_prefix(lib, sources):
    update(lib, [sources])
    full = lib.catalog()[0]["id"]
    assert lib.resolve_id(full[:5].upper()) == full
    with pytest.raises(LookupError, match="no article"):
        lib.resolve_id("zzzzzzzzz")


def test_near_duplicate_copies_are_linked(lib, tmp_path):
    src = tmp_path / "dups"
    body = " ".join(
        f"Sentence {i} about the flood defences at Kavra and the pumps the council hired on day {i}."
        for i in range(30)
    )
    write_article(src, "wire.txt", "Council Hires Pumps", body)
    write_article(src, "repost.txt", "Kavra Council Hires Extra Pumps", body[: int(len(body) * 0.85)]
                  + " Editor's note: this story first ran on the wire.")
    write_article(src, "other.txt", "Pumps Arrive", "The pumps arrived in Kavra on day three, the council said, "
                  "and the flood defences held overnight.")
    update(lib, [src])
    by_title = {r["title"]: r["id"] for r in lib.catalog()}
    dups = lib.near_duplicates()
    assert dups[by_title["Council Hires Pumps"]] == [by_title["Kavra Council Hires Extra Pumps"]]
    assert by_title["Pumps Arrive"] not in dups


def test_missing_library_says_how_to_start(tmp_path):
    with pytest.raises(LibraryError, match="brief index"):
        Library(tmp_path / "nothing").open_index()


def test_corrupt_index_names_rebuild(lib, sources):
    update(lib, [sources])
    for seg in (lib.root / "index").glob("*.seg"):
        seg.write_bytes(b"garbage" * 10)
    for toc in (lib.root / "index").glob("_articles_*.toc"):
        toc.write_bytes(b"not a toc")
    with pytest.raises(LibraryError, match="--rebuild"):
        Library(lib.root).open_index()
    update(Library(lib.root), rebuild=True)
    assert titles_for(Library(lib.root), "ferries")


def test_a_corrupt_manifest_is_named_then_rebuilt_from_the_index(lib, sources):
    update(lib, [sources])
    ids = sorted(r["id"] for r in lib.catalog())
    lib.manifest_path.write_text("{not json")
    with pytest.raises(LibraryError, match=r"manifest\.json is damaged \(not JSON.*run `brief index`"):
        Library(lib.root).catalog()
    report = update(Library(lib.root))  # no PATH: the roots come from the index
    assert any("rebuilt it from the index" in n for n in report.notes)
    assert report.updated == 3 and report.added == 0  # every file read again (its stat was lost)
    assert sorted(r["id"] for r in Library(lib.root).catalog()) == ids
    assert update(Library(lib.root)).unchanged == 3
    update(Library(lib.root), [sources], rebuild=True)
    assert Library(lib.root).article_count() == 3


def _hold_lock(root: Path) -> subprocess.Popen:
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from index.indexer import hold_lock
        from index.library import Library
        with hold_lock(Library({str(root)!r})):
            print("locked", flush=True)
            time.sleep(30)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_writer_waits_then_fails_clearly(lib, sources):
    holder = _hold_lock(lib.root)
    messages: list[str] = []
    try:
        with pytest.raises(LockTimeout, match="still writing"):
            update(lib, [sources], wait=0.5, on_wait=messages.append)
    finally:
        holder.kill()
        holder.wait()
    assert messages and "waiting" in messages[0]
    # Once the other writer is gone (even killed), the lock is free again.
    assert update(Library(lib.root), [sources]).added == 3


CRASH = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    import index.schema  # imports Whoosh
    from whoosh.writing import SegmentWriter
    from index.indexer import Indexer, update
    from index.library import Library
    target = {target!r}

    def crash(*args, **kwargs):
        os.kill(os.getpid(), signal.{signal})

    if target == "commit":
        SegmentWriter.commit = crash  # the documents are written, the commit never happens
    else:
        original = SegmentWriter.commit

        def after(self, *args, **kwargs):  # the index is committed, the manifest not yet promoted
            original(self, *args, **kwargs)
            crash()

        SegmentWriter.commit = after
    update(Library({library!r}), [{sources!r}])
""")


@pytest.mark.parametrize("target, sig", [("commit", "SIGKILL"), ("commit", "SIGINT"), ("manifest", "SIGKILL")])
def test_a_killed_run_leaves_one_consistent_library(lib, sources, target, sig):
    update(lib, [sources])
    write_article(sources, "new.txt", "Sandbags Run Short", "Volunteers ran out of sandbags by noon on Wednesday.")
    two = sources / "two.txt"
    two.write_text("Ferry Services Restored\n\nThe hovercraft link to Lemma is running again.\n")
    os.utime(two, ns=(two.stat().st_atime_ns, two.stat().st_mtime_ns + 10**9))
    code = CRASH.format(root=str(ROOT), target=target, signal=sig, library=str(lib.root), sources=str(sources))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode != 0
    fresh = Library(lib.root)
    assert titles_for(fresh, "negotiators") == ["Budget Talks Stall in Parliament"]
    if target == "commit":
        assert fresh.article_count() == 3
        assert titles_for(fresh, "sandbags") == []  # nothing half-written is visible
        assert titles_for(fresh, "ferries") == ["Ferry Services Suspended Along the Coast"]
    else:  # committed: the catalog (the staged manifest) and the index both have the new state
        assert fresh.article_count() == 4 and titles_for(fresh, "sandbags") == ["Sandbags Run Short"]
        assert fresh.resolve_id(ids_for(fresh, "sandbags")[0])
    # The next run finishes the job.
    report = update(Library(lib.root), [sources])
    assert (report.added, report.updated) == ((1, 1) if target == "commit" else (0, 0))
    assert not fresh.next_manifest_path.exists()
    assert titles_for(Library(lib.root), "sandbags") == ["Sandbags Run Short"]
    assert titles_for(Library(lib.root), "hovercraft") == ["Ferry Services Restored"]


def test_rebuild_forgets_near_duplicates_of_articles_now_gone(lib, tmp_path):
    body = " ".join(f"Sentence {i} about the pumps the council hired at Kavra on day {i}." for i in range(30))
    first, second = tmp_path / "first", tmp_path / "second"
    write_article(first, "wire.txt", "Council Hires Pumps", body)
    write_article(second, "repost.txt", "Kavra Council Hires Extra Pumps", body[: int(len(body) * 0.9)])
    write_article(second, "other.txt", "Pumps Arrive", "The pumps arrived in Kavra on day three, the council said.")
    update(lib, [first])
    update(lib, [second], rebuild=True)  # the library now holds only the second folder
    ids = {r["id"] for r in lib.catalog()}
    assert len(ids) == 2
    linked = set(lib.near_duplicates()) | {i for v in lib.near_duplicates().values() for i in v}
    assert linked <= ids, "a link to an article that is no longer in the library"


def test_the_catalog_is_newest_first_with_titles_a_to_z_within_a_day_and_among_the_undated(tmp_path):
    from index.indexer import update
    from index.library import Library

    src = tmp_path / "src"
    src.mkdir()
    for name, title, day in (("1.md", "Beta report", "2025-03-04"), ("2.md", "Alpha report", "2025-03-04"),
                             ("3.md", "Gamma report", "2025-03-05"), ("4.md", "Zulu notes", None),
                             ("5.md", "Echo notes", None), ("6.md", "Mike notes", None)):
        date_line = f"date: {day}\n" if day else ""
        (src / name).write_text(f"---\ntitle: {title}\n{date_line}---\n\nThe reservoir level rose again today.\n",
                                encoding="utf-8")
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    assert [r["title"] for r in lib.catalog()] == ["Gamma report", "Alpha report", "Beta report",
                                                   "Echo notes", "Mike notes", "Zulu notes"]
