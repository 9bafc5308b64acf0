"""Hostile index files: crafted pickles that would run code, and damaged (missing, empty, truncated,
garbled) index files. Opening a library never runs code; a damaged index is one line naming the file
and the way out (`brief index --rebuild`), which then recovers it."""

from __future__ import annotations

import glob
import os
import pickle
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import article, assert_clean, run_brief, snapshot


# ----------------------------------------------------------------------------------------------
# Helpers: a small real library, and ways to craft or damage its files


def build(src: Path, lib: Path, n: int = 4) -> list[str]:
    """A library of ``n`` dated articles from ``src``; returns their ids."""
    from index.indexer import update
    from index.library import Library

    for i in range(n):
        topic = ("reservoir", "harbour", "bridge", "orchard", "tunnel")[i % 5]
        (src / f"a{i}.md").write_text(f"---\ndate: 2025-03-0{i + 1}\n---\n" + article(120, topic), encoding="utf-8")
    library = Library(lib)
    update(library, [src])
    return [r["id"] for r in library.catalog()]


class Payload:
    """An object whose unpickling calls ``fn(*args)``."""

    def __init__(self, fn, *args) -> None:
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


def payloads(marker: Path) -> dict[str, Payload]:
    """Each would create ``marker`` when unpickled by the standard unpickler."""
    return {
        "open": Payload(open, str(marker), "w"),  # builtins open (pickled as io.open)
        "shell": Payload(os.system, f"touch '{marker}'"),  # a shell command (posix.system)
        "eval": Payload(eval, f"open({str(marker)!r}, 'w')"),
    }


def _toc(lib: Path) -> str:
    (toc,) = glob.glob(os.path.join(lib, "index", "_articles_*.toc"))
    return toc


def _segments(lib: Path) -> list[str]:
    return sorted(glob.glob(os.path.join(lib, "index", "*.seg")))


def read_toc(path: str) -> list:
    """The parts of a TOC file as whoosh.index.TOC.write writes them."""
    from whoosh.filedb.structfile import StructFile

    with open(path, "rb") as raw:
        f = StructFile(raw)
        head = [f.read_varint() for _ in range(3)]
        assert f.read_int() == -12345
        version = f.read_int()
        release = [f.read_varint() for _ in range(3)]
        schema = f.read_string()
        gen = f.read_int()
        f.read_int()
        segments = raw.read()
    return [head, version, release, schema, gen, segments]


def write_toc(path: str, head, version, release, schema: bytes, gen: int, segments: bytes) -> None:
    from whoosh.filedb.structfile import StructFile

    with open(path, "wb") as raw:
        f = StructFile(raw)
        for v in head:
            f.write_varint(v)
        f.write_int(-12345)
        f.write_int(version)
        for v in release:
            f.write_varint(v)
        f.write_string(schema)
        f.write_int(gen)
        f.write_int(0)
        raw.write(segments)


def craft_toc(lib: Path, payload, part: str) -> str:
    """Replace the TOC's pickled schema (``part="schema"``) or segment list with ``payload``."""
    toc = _toc(lib)
    parts = read_toc(toc)
    if part == "schema":
        parts[3] = pickle.dumps(payload, 2)  # protocol 2, as Whoosh writes the schema
    else:
        parts[5] = pickle.dumps(payload, -1)
    write_toc(toc, *parts)
    return os.path.basename(toc)


def craft_compound_directory(lib: Path, payload) -> str:
    """Replace the directory pickled at the end of a compound segment file with ``payload``."""
    import struct

    seg = _segments(lib)[0]
    with open(seg, "r+b") as f:
        (diroffset,) = struct.unpack(">q", f.read(8))
        f.seek(diroffset)
        f.truncate()
        f.write(pickle.dumps(payload, -1))
    return os.path.basename(seg)


def craft_stored_fields(lib: Path, article_id: str, payload) -> None:
    """Rewrite one article with ``payload`` in a stored field (Whoosh pickles a document's stored fields
    into the segment file): what a crafted segment file holds."""
    from whoosh.filedb.filestore import FileStorage

    ix = FileStorage(str(lib / "index"), supports_mmap=False).open_index(indexname="articles")
    with ix.searcher() as s:
        fields = dict(s.document(id=article_id))
    fields["url"] = payload
    writer = ix.writer()
    writer.update_document(**fields)
    writer.commit(merge=False)


def assert_refused(run, name: str | None = None) -> None:
    """One clean line, exit 1, saying the index holds what brief did not write, with the way out."""
    assert_clean(run, codes=(1,))
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run
    assert "holds data brief did not write" in lines[0] and "brief index --rebuild" in lines[0], run
    if name:
        assert name in lines[0], run


# ----------------------------------------------------------------------------------------------
# 1. Crafted pickles never run


def test_payloads_are_live(tmp_path):
    """The payloads used below do run code under the standard unpickler (so the tests can fail)."""
    for kind, payload in payloads(tmp_path / "live").items():
        marker = tmp_path / "live"
        pickle.loads(pickle.dumps(payload, 2))
        assert marker.exists(), kind
        marker.unlink()


@pytest.mark.parametrize("kind", ["open", "shell", "eval"])
def test_crafted_toc_schema_runs_nothing(kind, home, src, lib, tmp_path):
    ids = build(src, lib)
    marker = tmp_path / "MARKER"
    toc = craft_toc(lib, payloads(marker)[kind], "schema")
    for args in (["search", "reservoir"], ["show", ids[0]], ["card", "reservoir"], ["list"]):
        run = run_brief(*args, home=home, library=lib)
        assert_refused(run, toc)
        assert not marker.exists(), (args, run)
    # `brief index` with something new to write opens the index to write.
    (src / "new.md").write_text(article(100, "lighthouse"), encoding="utf-8")
    run = assert_clean(run_brief("index", "-q", home=home, library=lib), codes=(1,))
    assert "brief did not write" in run.err and len(run.err.strip().splitlines()) == 1, run
    assert not marker.exists()


def test_crafted_toc_segments_runs_nothing(home, src, lib, tmp_path):
    ids = build(src, lib)
    marker = tmp_path / "MARKER"
    toc = craft_toc(lib, payloads(marker)["shell"], "segments")
    for args in (["search", "reservoir"], ["show", ids[0]], ["card", "reservoir"]):
        assert_refused(run_brief(*args, home=home, library=lib), toc)
    (src / "new.md").write_text(article(100, "lighthouse"), encoding="utf-8")
    run = assert_clean(run_brief("index", "-q", home=home, library=lib), codes=(1,))
    assert "brief did not write" in run.err and len(run.err.strip().splitlines()) == 1, run
    assert not marker.exists()


def test_crafted_segment_directory_runs_nothing(home, src, lib, tmp_path):
    ids = build(src, lib)
    marker = tmp_path / "MARKER"
    seg = craft_compound_directory(lib, payloads(marker)["open"])
    for args in (["search", "reservoir"], ["show", ids[0]], ["card", "reservoir"]):
        assert_refused(run_brief(*args, home=home, library=lib), seg)
    (src / "new.md").write_text(article(100, "lighthouse"), encoding="utf-8")
    run = assert_clean(run_brief("index", "-q", home=home, library=lib), codes=(1,))
    assert "brief did not write" in run.err, run
    assert not marker.exists()


def test_crafted_stored_fields_run_nothing(home, src, lib, tmp_path):
    """A pickle read while searching (not at open time): a document's stored fields."""
    ids = build(src, lib)
    marker = tmp_path / "MARKER"
    target = next(i for i in ids if "Reservoir" in run_brief("show", i, home=home, library=lib).out)
    craft_stored_fields(lib, target, payloads(marker)["shell"])
    for args in (["search", "reservoir"], ["show", target], ["card", "reservoir"]):
        assert_refused(run_brief(*args, home=home, library=lib), ".seg")
        assert not marker.exists(), args


@pytest.mark.parametrize("wanted", [
    ("whoosh.util.loading", "find_object"),  # a Whoosh function: not "anything under whoosh."
    ("whoosh.index", "open_dir"),
    ("subprocess", "Popen"),
    ("builtins", "getattr"),
])
def test_other_globals_refused(wanted, home, src, lib):
    build(src, lib)
    module, name = wanted
    # GLOBAL "module name", an argument, REDUCE, STOP: the pickle calls module.name("x").
    raw = b"c" + module.encode() + b"\n" + name.encode() + b"\n(X\x01\x00\x00\x00xtR."
    toc = _toc(lib)
    parts = read_toc(toc)
    parts[3] = raw
    write_toc(toc, *parts)
    run = run_brief("search", "reservoir", home=home, library=lib)
    assert_refused(run, f"asks for {module}.{name}")


def test_toc_pointing_outside_the_index_refused(home, src, lib, tmp_path):
    """Only allowed classes, but a segment id that would make Whoosh open files elsewhere."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    build(src, lib)
    storage = FileStorage(str(lib / "index"))
    toc = TOC.read(storage, "articles")
    toc.segments[0].segid = "../../../../etc/passwd"
    os.remove(_toc(lib))
    toc.write(storage, "articles")
    run = run_brief("search", "reservoir", home=home, library=lib)
    assert_refused(run, "_articles_")
    assert "passwd" in run.err  # it says what is wrong


def test_sources_untouched_and_rebuild_recovers(home, src, lib, tmp_path):
    ids = build(src, lib)
    before = snapshot(src)
    marker = tmp_path / "MARKER"
    craft_toc(lib, payloads(marker)["shell"], "schema")
    assert_refused(run_brief("search", "reservoir", home=home, library=lib))
    run = assert_clean(run_brief("index", "--rebuild", "-q", home=home, library=lib))
    run = assert_clean(run_brief("search", "reservoir", home=home, library=lib))
    assert "Reservoir Report" in run.out
    assert_clean(run_brief("show", ids[0], home=home, library=lib))
    assert not marker.exists()
    assert snapshot(src) == before


# ----------------------------------------------------------------------------------------------
# The list of allowed globals is exactly what brief's own indexes need


class _Recorder:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def __contains__(self, key) -> bool:
        self.seen.add(key)
        return True


def test_allowed_globals_are_what_brief_indexes_need(tmp_path, monkeypatch):
    """Build, re-index (deletions, merges), open and search indexes of every shape brief makes, recording
    every global their pickles ask for: the allowed list is exactly that."""
    from index import indexer, safepickle
    from index.indexer import update
    from index.library import Library
    from index.search import best_passages, count_hits, field_values, search

    recorder = _Recorder()
    monkeypatch.setattr(safepickle, "ALLOWED", recorder)
    monkeypatch.setattr(safepickle, "_resolved", {})
    monkeypatch.setattr(indexer, "PARALLEL_THRESHOLD", 6)  # the two-process build, on a small batch

    def exercise(library):
        with library.open_index().searcher() as s:
            for q in ["reservoir", "harbour level", '"level rose"', "reserv*", "harbor~1", "date:2025-03",
                      "tag:x OR title:bridge", "bridge NOT tunnel"]:
                search(s, q, facets=True)
                count_hits(s, q, group=field_values(s, "outlet_facet"))
                best_passages(s, q)
            s.search(__import__("whoosh.query", fromlist=["Every"]).Every(), sortedby="published", limit=3)
        for row in library.catalog():
            library.get(row["id"])

    src = tmp_path / "src"
    src.mkdir()
    build(src, tmp_path / "small", n=3)  # serial
    (src / "undated.txt").write_text(article(90, "quarry"), encoding="utf-8")
    for i in range(12):
        (src / f"b{i}.md").write_text(f"---\ndate: 2024-0{1 + i % 9}-1{i % 9}\n---\n" + article(100, "canal"),
                                      encoding="utf-8")
    big = Library(tmp_path / "big")
    update(big, [src], rebuild=True)  # parallel
    exercise(big)
    for i in range(3):  # re-index changed files (deletions), then small updates (segments merged)
        for p in sorted(src.glob("b*.md"))[i * 2:i * 2 + 3]:
            p.write_text(p.read_text() + f"\nMore on the canal, part {i}.\n", encoding="utf-8")
        (src / f"b{i}.md").unlink() if i == 2 else None
        update(big, [src])
        exercise(big)
    demo = Library(tmp_path / "demo")
    update(demo, [Path(__file__).resolve().parents[2] / "index" / "demo"], rebuild=True)
    exercise(demo)
    assert recorder.seen == set(safepickle.ALLOWED_NAMES)


def test_every_whoosh_pickle_read_is_restricted():
    """No Whoosh module brief loads still reads pickles with the standard unpickler."""
    import pickle as std

    from index import safepickle
    from index.fastimport import import_whoosh

    import_whoosh()
    import whoosh.highlight  # noqa: F401
    import whoosh.qparser  # noqa: F401
    import whoosh.sorting  # noqa: F401
    import whoosh.writing  # noqa: F401

    import whoosh

    assert whoosh.__version__[:3] == (2, 7, 5)  # the version the patched sites are for
    unrestricted = {id(std.load), id(std.loads), id(std.Unpickler), id(std._Unpickler), id(std)}
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("whoosh") or module is None:
            continue
        for attr, value in vars(module).items():
            if id(value) in unrestricted and (name, attr) != ("whoosh.util.loading", "pickle"):
                found.append(f"{name}.{attr}")
    assert found == []
    # whoosh.util.loading's RenamingUnpickler (any class) is only used to read old TOC formats.
    assert sys.modules["whoosh.legacy"].toc_loaders == {}
    assert sys.modules["whoosh.index"].pickle.loads is safepickle.loads


# ----------------------------------------------------------------------------------------------
# 2. Damaged index files: one line naming the file, and `brief index --rebuild` recovers


def _damage(lib: Path, case: str) -> str:
    """Damage the library's index; returns the name of the file the message must name."""
    seg, toc = _segments(lib)[0], _toc(lib)
    if case == "segment deleted":
        os.remove(seg)
    elif case == "segment empty":
        open(seg, "wb").close()
    elif case == "segment half":
        os.truncate(seg, os.path.getsize(seg) // 2)
    elif case == "segment cut short":
        os.truncate(seg, os.path.getsize(seg) - 64)
    elif case == "toc garbage":
        with open(toc, "wb") as f:
            f.write(os.urandom(2000))
    elif case == "toc empty":
        open(toc, "wb").close()
    elif case == "toc half":
        os.truncate(toc, os.path.getsize(toc) // 2)
    elif case == "toc lists a missing segment":
        from whoosh.codec.whoosh3 import W3Codec, W3Segment
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import TOC

        storage = FileStorage(str(lib / "index"))
        info = TOC.read(storage, "articles")
        gone = W3Segment(W3Codec(), "articles", doccount=1, segid="zz0gone0segment0")
        gone.compound = True
        info.segments.append(gone)
        info.generation += 1
        info.write(storage, "articles")
        return "articles_zz0gone0segment0.seg"
    return os.path.basename(seg if case.startswith("segment") else toc)


DAMAGE = ["segment deleted", "segment empty", "segment half", "segment cut short", "toc garbage", "toc empty",
          "toc half", "toc lists a missing segment"]


@pytest.mark.parametrize("case", DAMAGE)
def test_damaged_index_one_line_then_rebuild(case, home, src, lib):
    ids = build(src, lib)
    before = snapshot(src)
    name = _damage(lib, case)
    for args in (["search", "reservoir"], ["show", ids[0]], ["card", "reservoir"]):
        run = assert_clean(run_brief(*args, home=home, library=lib), codes=(1,))
        lines = run.err.strip().splitlines()
        assert len(lines) == 1, run
        assert name in lines[0] and "brief index --rebuild" in lines[0], run
    run = assert_clean(run_brief("index", "--rebuild", "-q", home=home, library=lib))
    run = assert_clean(run_brief("search", "reservoir", home=home, library=lib))
    assert "Reservoir Report" in run.out
    run = assert_clean(run_brief("list", home=home, library=lib))
    assert all(i in run.out for i in ids)
    assert snapshot(src) == before


def test_damage_found_while_searching_is_named(tmp_path):
    """Garbage in the middle of a segment file surfaces only while reading it: index_damage_message
    names the file, or the search works (never a traceback for the CLI's catch-all to show)."""
    import random

    from index.search import best_passages, count_hits, search
    from index.storage import index_damage_message, open_index

    src = tmp_path / "src"
    src.mkdir()
    build(src, tmp_path / "clean", n=5)
    rng = random.Random(8)
    classified = 0
    for trial in range(40):
        lib = tmp_path / f"lib{trial}"
        shutil.copytree(tmp_path / "clean", lib)
        seg = _segments(lib)[0]
        size = os.path.getsize(seg)
        with open(seg, "r+b") as f:
            for _ in range(rng.choice([1, 3, 10])):
                f.seek(rng.randrange(size))
                f.write(bytes(rng.randrange(256) for _ in range(rng.choice([1, 8, 64]))))
        try:
            ix = open_index(str(lib))
            with ix.searcher() as s:
                for q in ["reservoir", "harbour level", "bri*", '"level rose"']:
                    search(s, q)
                    count_hits(s, q)
                    best_passages(s, q)
        except Exception as exc:  # noqa: BLE001 - what the CLI's catch-all would be handed
            from index.errors import LibraryError, QueryError

            # a one-line message too; QueryError: damaged postings can make a wildcard's expansion look huge
            if isinstance(exc, (LibraryError, LookupError, QueryError)):
                assert "\n" not in str(exc)
                continue
            message = index_damage_message(str(lib), exc)
            assert message, f"{type(exc).__name__}: {exc}"
            assert os.path.basename(seg) in message and "brief index --rebuild" in message
            classified += 1
    assert classified  # some damage did surface while searching


def test_damage_message_is_none_for_bugs(tmp_path):
    from index.storage import index_damage_message

    assert index_damage_message(str(tmp_path), KeyError("x")) is None
    assert index_damage_message(str(tmp_path), FileNotFoundError(2, "No such file", "/elsewhere/x")) is None
    inside = FileNotFoundError(2, "No such file", str(tmp_path / "index" / "articles_x.seg"))
    assert "articles_x.seg is missing" in index_damage_message(str(tmp_path), inside)


def test_refusal_without_a_file_names_the_library(tmp_path):
    from index.safepickle import RefusedGlobal
    from index.storage import index_damage_message

    message = index_damage_message(str(tmp_path), RefusedGlobal("posix", "system"))
    assert message.startswith(f"the index in {tmp_path} holds data brief did not write (a file of it asks for "
                              "posix.system)") and "brief index --rebuild" in message
