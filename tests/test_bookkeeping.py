"""Library bookkeeping that scales with the change: near-duplicates linked from the stored sketch index
(sketches.db) give the pairs the exhaustive ``find_pairs`` gives; an old library (sketches.json) is
migrated without losing a sketch or a link; a run killed around the sketches' promotion leaves them right."""

from __future__ import annotations

import json
import random
from itertools import combinations
from pathlib import Path

import pytest

from index import documents
from index.dedup import THRESHOLD, SketchStore, find_pairs, find_pairs_stored, resemblance, sketch, write_store
from index.indexer import update
from index.library import Library

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo"
SHARED = ROOT.parent / "shared"


def sketches_of(folder: Path) -> dict[str, list[int]]:
    """id -> sketch of every article the readers find under ``folder`` (as `brief index` sketches them)."""
    out: dict[str, list[int]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        _path, articles, failure, _notes, sketches = documents.read_one(str(path))
        if failure is None:
            for a in articles:
                out.setdefault(a.id, sketches[a.id])
    return out


WORDS = ("harbour river council minister flood storm budget ferry court police water dam village market "
         "engineer report tuesday night crews embankment district tide residents warning spending plan week "
         "delay talks power grid station school hospital road bridge rail freight port").split()


def planted_set(seed: int = 7, stories: int = 120, copies: int = 40) -> dict[str, list[int]]:
    """Stories of random words, and near-copies of some of them (a headline changed, a paragraph cut, a
    line added, words swapped): the pairs every linking path must find."""
    rng = random.Random(seed)
    texts = {}
    for n in range(stories):
        texts[f"s{n:04d}"] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 400)))
    for n in range(copies):
        base = texts[f"s{rng.randrange(stories):04d}"].split()
        edit = rng.random()
        if edit < 0.25:
            words = ["breaking", "update"] + base
        elif edit < 0.5:
            words = base[: int(len(base) * rng.uniform(0.6, 0.95))]
        elif edit < 0.75:
            words = base + "the editor adds a line at the end".split()
        else:
            words = list(base)
            for _ in range(max(1, len(words) // 60)):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
        texts[f"c{n:04d}"] = " ".join(words)
    return {aid: sketch(text) for aid, text in texts.items()}


def sets():
    yield "planted", planted_set()
    yield "demo", sketches_of(DEMO)
    if (SHARED / "seeds").is_dir():
        yield "seeds", sketches_of(SHARED / "seeds")
    if (SHARED / "corpora" / "multinews-dev").is_dir():
        yield "multinews-dev", sketches_of(SHARED / "corpora" / "multinews-dev")


SETS = dict(sets())


def exhaustive(sketches: dict[str, list[int]]) -> set[tuple[str, str]]:
    """Every pair at THRESHOLD, compared one with another (no candidate step at all)."""
    return {(min(a, b), max(a, b)) for a, b in combinations(sketches, 2)
            if resemblance(sketches[a], sketches[b]) >= THRESHOLD and len(set(sketches[a]) & set(sketches[b])) >= 6}


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_stored_index_finds_every_pair_find_pairs_finds(name, tmp_path):
    sketches = SETS[name]
    everything = find_pairs(sketches, sketches)
    assert everything == exhaustive(sketches)
    if name in ("planted", "demo"):
        assert everything, "the set holds near-copies: a linking that finds none is wrong"
    # Articles added to a library one run at a time (runs of 1 to 5 articles): together the pairs of all.
    rng = random.Random(3)
    ids = list(sketches)
    rng.shuffle(ids)
    found: set[tuple[str, str]] = set()
    with SketchStore(tmp_path / "sketches.db") as store:
        at = 0
        while at < len(ids):
            run = {aid: sketches[aid] for aid in ids[at : at + rng.randint(1, 5)]}
            pairs = find_pairs_stored(store, run)
            held = {aid: sketches[aid] for aid in ids[: at + len(run)]}
            assert pairs == find_pairs(held, run)  # each run: what the exhaustive path gives for it
            found |= pairs
            store.apply(run)
            at += len(run)
        assert len(store) == len(sketches)
    assert found == everything  # recall 1.0, nothing more


def test_changed_and_removed_articles_are_linked_as_find_pairs_links_them(tmp_path):
    sketches = planted_set(seed=11)
    ids = sorted(sketches)
    write_store(tmp_path / "sketches.db", sketches)
    rng = random.Random(5)
    with SketchStore(tmp_path / "sketches.db") as store:
        for _ in range(20):
            gone = set(rng.sample(ids, 3))
            changed = {aid: planted_set(seed=rng.randrange(1000), stories=3, copies=0)[f"s{n:04d}"]
                       for n, aid in enumerate(rng.sample(ids, 2))}
            # a changed article may become a near-copy of another one: one of them copies a stored sketch
            changed[next(iter(changed))] = sketches[rng.choice(ids)]
            after = {k: v for k, v in sketches.items() if k not in gone - set(changed)}
            after.update(changed)
            assert find_pairs_stored(store, changed, gone) == find_pairs(after, changed)
    with SketchStore(tmp_path / "sketches.db") as store:
        assert store.all() == sketches  # looking up changes nothing


def test_a_big_batch_loads_the_store_and_gives_the_same_pairs(tmp_path, monkeypatch):
    import index.dedup as dedup

    sketches = planted_set(seed=13)
    ids = sorted(sketches)
    old, run = {k: sketches[k] for k in ids[::2]}, {k: sketches[k] for k in ids[1::2]}
    write_store(tmp_path / "sketches.db", old)
    with SketchStore(tmp_path / "sketches.db") as store:
        small = find_pairs_stored(store, run)
        monkeypatch.setattr(dedup, "_BIG_BATCH", 1)
        assert find_pairs_stored(store, run) == small == find_pairs(sketches, run)
        assert small


def test_applying_a_change_twice_is_applying_it_once(tmp_path):
    sketches = planted_set(seed=17)
    write_store(tmp_path / "sketches.db", sketches)
    change = {"s0001": sketches["s0002"], "new1": sketches["s0003"]}
    with SketchStore(tmp_path / "sketches.db") as store:
        store.apply(change, ["s0004"])
        once = store.all()
        store.apply(change, ["s0004"])
        assert store.all() == once
        assert "s0004" not in once and once["s0001"] == sketches["s0002"] and once["new1"] == sketches["s0003"]
        # the postings follow the sketches: s0001 is found by its new values, not by its old ones
        assert store.shared_counts(sketches["s0002"]).get("s0001") == len(set(sketches["s0002"]))
        old_only = set(sketches["s0001"]) - set(sketches["s0002"])
        assert "s0001" not in store.shared_counts(old_only)


# -- through `brief index` ------------------------------------------------------------------------------


def story(n: int, extra: str = "") -> str:
    rng = random.Random(n)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(60)) + "." for _ in range(3)]
    return f"Story number {n} of the harbour\n\n" + "\n\n".join(paragraphs) + extra + "\n"


@pytest.fixture
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for n in range(12):
        (folder / f"a{n:02d}.txt").write_text(story(n), encoding="utf-8")
    (folder / "copy05.txt").write_text(story(5, "\n\nThis story first ran in the Harbour Ledger."), encoding="utf-8")
    return folder


def links(lib: Library) -> dict[str, list[str]]:
    lib.forget()
    return lib.near_duplicates()


def stored(lib: Library) -> dict[str, list[int]]:
    with SketchStore(lib.sketch_db_path) as store:
        return store.all()


def test_one_changed_file_links_as_a_rebuild_links(src, tmp_path):
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    assert links(lib), "the copy of story 5 is linked"
    # story 7 becomes a copy of story 2, story 5 is deleted, a new copy of story 3 comes
    (src / "a07.txt").write_text(story(2, "\n\nCorrected."), encoding="utf-8")
    (src / "a05.txt").unlink()
    (src / "new03.txt").write_text(story(3, "\n\nFrom the wire."), encoding="utf-8")
    report = update(lib, [src])
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    incremental, sketches = links(lib), stored(lib)
    rebuilt = Library(tmp_path / "rebuilt")
    update(rebuilt, [src], rebuild=True)
    assert incremental == links(rebuilt) and len(incremental) >= 4
    assert sketches == stored(rebuilt)
    assert not lib.next_sketches_path.exists() and not lib.sketches_path.exists()


def test_one_changed_file_does_not_read_every_sketch(src, tmp_path, monkeypatch):
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    monkeypatch.setattr(SketchStore, "all", lambda self: pytest.fail("every sketch was read for one file"))
    (src / "a09.txt").write_text(story(1, "\n\nUpdated at noon."), encoding="utf-8")
    update(lib, [src / "a09.txt"])
    assert sorted(links(lib)[lib.resolve_id(_id_of(lib, "a09.txt"))]) == [lib.resolve_id(_id_of(lib, "a01.txt"))]


def _id_of(lib: Library, name: str) -> str:
    lib.forget()
    return next(r["id"] for r in lib.catalog() if r["path"].endswith("/" + name))


def make_old_format(lib: Library) -> dict[str, list[int]]:
    """The library as brief wrote it before sketches.db: every sketch in sketches.json."""
    sketches = stored(lib)
    lib.sketches_path.write_text(json.dumps(sketches), encoding="utf-8")
    lib.sketch_db_path.unlink()
    return sketches


def test_an_old_library_is_migrated_by_the_next_index_without_losing_anything(src, tmp_path):
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    before_links = links(lib)
    old = make_old_format(lib)
    assert len(old) == 13
    # reading the old library works as before
    assert links(lib) == before_links and len(lib.catalog()) == 13
    report = update(lib, [src])  # nothing changed: the sketches move into sketches.db all the same
    assert report.unchanged == 13 and not lib.sketches_path.exists() and stored(lib) == old
    (src / "a10.txt").write_text(story(4, "\n\nSyndicated."), encoding="utf-8")
    update(lib, [src])
    assert not lib.sketches_path.exists()
    now = stored(lib)
    assert set(now) == set(old) and all(now[k] == old[k] for k in old if k != _id_of(lib, "a10.txt"))
    rebuilt = Library(tmp_path / "rebuilt")
    update(rebuilt, [src], rebuild=True)
    assert links(lib) == links(rebuilt) and now == stored(rebuilt)


def test_an_old_staged_sketches_file_is_promoted_into_the_store(src, tmp_path):
    """A run of the old brief killed after its commit left its staged manifest and its staged sketches (all
    of them, in the old shape): the next run promotes both."""
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    old = make_old_format(lib)
    manifest = json.loads(lib.manifest_path.read_text())
    manifest["stamp"] = lib.index_state()
    lib.next_manifest_path.write_text(json.dumps(manifest))
    lib.next_sketches_path.write_text(json.dumps(old))
    lib.sketches_path.write_text("{}")  # the old run had not promoted its sketches yet
    update(lib, [src])
    assert not lib.next_sketches_path.exists() and not lib.sketches_path.exists()
    assert stored(lib) == old


def test_a_run_stopped_before_the_sketches_are_applied_applies_them_next_time(src, tmp_path, monkeypatch):
    from index.indexer import Indexer

    lib = Library(tmp_path / "lib")
    update(lib, [src])
    (src / "a11.txt").write_text(story(6, "\n\nAs seen on the wire."), encoding="utf-8")
    real = Indexer._promote_sketches
    monkeypatch.setattr(Indexer, "_promote_sketches", lambda self: (_ for _ in ()).throw(OSError(28, "full")))
    update(lib, [src])  # committed; the promotion failed: the staged manifest is in force
    assert lib.next_sketches_path.exists() and lib.staged_manifest() is not None
    lib.forget()
    a11, a06 = _id_of(lib, "a11.txt"), _id_of(lib, "a06.txt")
    assert lib.near_duplicates()[a11] == [a06]  # readers see the new links already
    monkeypatch.setattr(Indexer, "_promote_sketches", real)
    update(lib, [src])
    assert not lib.next_sketches_path.exists()
    rebuilt = Library(tmp_path / "rebuilt")
    update(rebuilt, [src], rebuild=True)
    assert stored(lib) == stored(rebuilt) and links(lib) == links(rebuilt)


def test_a_damaged_store_is_started_over_and_the_run_goes_on(src, tmp_path):
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    lib.sketch_db_path.write_bytes(b"this is not a database" * 100)
    (src / "a03.txt").write_text(story(8, "\n\nRepeated."), encoding="utf-8")
    report = update(lib, [src])
    assert report.updated == 1
    assert set(stored(lib)) == {_id_of(lib, "a03.txt")}  # what was lost is lost, as with a damaged sketches.json


# -- a no-op run from the stat signatures alone ------------------------------------------------------------


def summary_of(report) -> tuple:
    return (report.summary().rsplit("(", 1)[0], sorted(report.problems), sorted(report.notes), report.skipped,
            report.unchanged, report.missing, report.total_articles)


def test_a_no_op_run_from_the_stats_says_what_the_full_run_says(src, tmp_path, monkeypatch):
    import index.indexer as indexer

    (src / "bad.html").write_bytes(b"\x00\x01\x02 not html at all" * 3)
    (src / "empty.txt").write_text("", encoding="utf-8")
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    assert lib.stats_path.exists()
    full_calls = []
    real = indexer.Indexer._starting_manifest
    monkeypatch.setattr(indexer.Indexer, "_starting_manifest",
                        lambda self, *a: full_calls.append(1) or real(self, *a))
    fast = update(lib, [])
    assert not full_calls  # the manifest was not parsed
    lib.stats_path.unlink()
    full = update(lib, [])
    assert full_calls
    assert summary_of(fast) == summary_of(full) and fast.unchanged == 13
    assert lib.stats_path.exists()  # written again by the full run
    update(lib, [src / "a03.txt"])  # one file given: it becomes a root (the manifest is written)
    full_calls.clear()
    one = update(lib, [src / "a03.txt"])  # then, unchanged, it is planned from the stats
    assert not full_calls and one.unchanged == 1 and one.total_articles == 13


def test_the_stats_are_not_trusted_once_the_manifest_or_the_index_changed(src, tmp_path):
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    stats = lib.stats_path.read_bytes()
    (src / "a04.txt").write_text(story(40), encoding="utf-8")
    assert update(lib, [src]).updated == 1  # a changed file is read (the stats are of the files, not a verdict)
    lib.stats_path.write_bytes(stats)  # stats of the manifest before: another key, not used
    (src / "a04.txt").write_text(story(41), encoding="utf-8")
    assert update(lib, [src]).updated == 1
    # a manifest edited by hand (a file it lists as changed): the stats no longer describe it
    manifest = json.loads(lib.manifest_path.read_text())
    path = str(src / "a06.txt")
    manifest["files"][path]["mtime_ns"] = 1
    lib.manifest_path.write_text(json.dumps(manifest))
    assert update(lib, [src]).updated == 1


# -- articles by id without the catalog ----------------------------------------------------------------


def test_articles_and_get_by_id_give_what_resolving_through_the_manifest_gives(src, tmp_path, monkeypatch):
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    ids = [r["id"] for r in Library(lib.root).catalog()]

    def through_manifest(wanted):  # the path replaced: every id resolved through the manifest first
        fresh = Library(lib.root)
        full = [fresh.resolve_id(i) for i in wanted]
        with fresh.open_index().searcher() as s:
            return [s.document(id=aid) for aid in full]

    wanted = [ids[3], ids[0][:5].upper(), " " + ids[7] + " ", ids[3]]
    expected = through_manifest(wanted)
    fast = Library(lib.root)
    got = list(fast.articles(wanted))
    assert [a.id for a in got] == [f["id"] for f in expected] and [a.title for a in got] == [f["title"] for f in expected]
    assert fast.get(ids[5]).id == ids[5] == Library(lib.root).get(ids[5][:6]).id
    # full ids never parse the manifest (a card over 50 articles of a 100k library: no 26 MB to read)
    monkeypatch.setattr(Library, "manifest", lambda self: pytest.fail("the manifest was parsed"))
    assert [a.id for a in Library(lib.root).articles(ids)] == ids
    monkeypatch.undo()
    for bad in ("zzzzzz", "", ids[0][:1] if sum(i.startswith(ids[0][:1]) for i in ids) > 1 else "q"):
        with pytest.raises(LookupError) as slow:
            through_manifest([bad])
        with pytest.raises(LookupError) as quick:
            list(Library(lib.root).articles([ids[1], bad]))
        assert str(quick.value) == str(slow.value)


def test_the_catalog_order_is_the_three_sort_order_it_replaces(tmp_path):
    rng = random.Random(9)
    files = {}
    for n in range(3000):
        row = {"id": f"{n:05x}a", "title": rng.choice(["Alpha", "alpha", "Beta", "b", "Zed", ""]) + str(rng.randint(0, 2)),
               "outlet": None, "published": rng.choice([None, "2025-01-01", "2025-01-02", "2024-12-31"]), "hash": ""}
        files[f"/x/{n}.txt"] = {"mtime_ns": 1, "size": 1, "articles": [row]}
    lib = Library(tmp_path / "lib")
    lib._manifest = {"version": 1, "roots": ["/x"], "files": files, "duplicates": {}}
    rows = [{"id": r["id"], "title": r["title"], "outlet": None, "published": r["published"], "path": p}
            for p, e in files.items() for r in e["articles"]]
    rows.sort(key=lambda r: (r["title"].lower(), r["id"]))
    rows.sort(key=lambda r: r["published"] or "", reverse=True)
    rows.sort(key=lambda r: r["published"] is None)
    assert lib.catalog() == rows


def test_the_manifest_brief_wrote_is_not_checked_row_by_row_again_but_an_edited_one_is(src, tmp_path, monkeypatch):
    import index.indexer as indexer

    lib = Library(tmp_path / "lib")
    update(lib, [src])
    checked = []
    real = indexer.read_manifest_file
    monkeypatch.setattr(indexer, "read_manifest_file", lambda path: checked.append(path.name) or real(path))
    (src / "a02.txt").write_text(story(20), encoding="utf-8")
    assert update(lib, [src]).updated == 1 and "manifest.json" not in checked
    manifest = json.loads(lib.manifest_path.read_text())
    manifest["files"][str(src / "a03.txt")]["articles"][0]["id"] = "NOT AN ID\x1b[31m"
    lib.manifest_path.write_text(json.dumps(manifest))
    (src / "a02.txt").write_text(story(21), encoding="utf-8")
    report = update(lib, [src])
    assert "manifest.json" in checked
    assert any("was damaged" in note and "rebuilt it from the index" in note for note in report.notes), report.notes


def test_both_ways_of_filling_the_store_store_the_same(tmp_path):
    sketches = planted_set(seed=23)
    dumps = []
    for in_sql in (True, False):
        with SketchStore(tmp_path / f"{in_sql}.db") as store:
            store.fill(sketches, in_sql=in_sql)
            dumps.append((store.all(), store.conn.execute("SELECT k FROM post ORDER BY k").fetchall()))
    assert dumps[0] == dumps[1] and dumps[0][0] == sketches and len(dumps[0][1]) > 1000
