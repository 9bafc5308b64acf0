"""The index workers' shortcuts against the paths they replace: a stemmed text field analysed in one loop
(index.parallel.fast_index_for) yields what Whoosh's field.index yields, and a library indexed by the
workers holds the same postings (terms, weights, positions, field lengths) as one indexed serially."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import index.indexer
import index.parallel
from index.indexer import update
from index.library import Library
from index.parallel import fast_analysis, fast_index_for
from index.schema import article_schema

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MULTINEWS = SHARED / "corpora" / "multinews-dev"
HOSTILE = ROOT / "tests" / "hostile"

EDGES = [
    "", " ", "a", "A an the of to", "U.S. officials said the U.N. vote... was 3.5% up; e.g. a.b.c",
    "Running runners ran; RUNNING, run-off. It's the runner's", "naïve café Zürich İstanbul ΣΊΣΥΦΟΣ straße",
    "x* wild*card and **stars** 1,000,000 2025-03-04", "日本語のテキスト 中文 한국어", "\u00a0spaced\u2003out\ttabs",
    "the the the the", "Sentence one.\n\nSentence two, with the ferry to Osk.", "a" * 300 + " b" * 50,
    "Straße STRASSE strasse ǅemal ǆ", "\ufffd replaced \ufffd",
]


def texts() -> list[str]:
    out = list(EDGES)
    for folder in (MULTINEWS, SHARED / "seeds", HOSTILE):
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file())[:400]:
                out.append(path.read_bytes()[:200_000].decode("utf-8", "replace"))
    rng = random.Random(7)
    words = " ".join(out).split()
    for _ in range(200):  # random mixes, stop words and all
        out.append(" ".join(rng.choice(words) for _ in range(rng.randint(0, 80))))
    return out


def test_the_fast_analysis_yields_what_whoosh_yields_for_every_text():
    schema = article_schema()
    fields = {name: schema[name] for name in ("title", "body")}
    fast = {name: fast_index_for(field) for name, field in fields.items()}
    assert all(fast.values())
    corpus = texts()
    assert len(corpus) > 300
    for text in corpus:
        for name, field in fields.items():
            assert list(fast[name](text)) == list(field.index(text)), (name, text[:80])


def test_only_stemmed_text_fields_get_the_fast_analysis():
    schema = article_schema()
    assert sorted(fast_analysis(schema)) == ["body", "title"]
    for name in ("id", "path", "outlet", "author", "tags", "published", "outlet_facet"):
        assert fast_index_for(schema[name]) is None
    assert fast_analysis(schema) == []  # never twice


def test_a_list_value_goes_through_whoosh_itself():
    schema = article_schema()
    stock = list(schema["body"].index(["alfa", "bravo", "alfa"]))
    fast = fast_index_for(schema["body"])
    assert list(fast(["alfa", "bravo", "alfa"])) == stock


def postings(lib: Library) -> tuple[dict, dict]:
    """Every (field, term) -> {article id: (weight, positions or value)}, and each article's field lengths."""
    with lib.open_index().searcher() as s:
        reader = s.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        terms: dict = {}
        for fieldname, text in reader.all_terms():
            if fieldname.startswith("_"):
                continue
            m = reader.postings(fieldname, text)
            entries = {}
            while m.is_active():
                docnum = m.id()
                if docnum in ids:
                    fmt = reader.schema[fieldname].format
                    pos = tuple(m.value_as("positions")) if fmt.supports("positions") else m.value()
                    entries[ids[docnum]] = (m.weight(), pos)
                m.next()
            if entries:
                terms[(fieldname, text)] = entries
        lengths = {ids[d]: (reader.doc_field_length(d, "title"), reader.doc_field_length(d, "body")) for d in ids}
    return terms, lengths


@pytest.mark.skipif(not MULTINEWS.is_dir(), reason="../shared/corpora/multinews-dev is not present")
def test_the_workers_index_holds_the_postings_the_serial_path_writes(tmp_path, monkeypatch):
    source = tmp_path / "articles"
    files = sorted(MULTINEWS.glob("cluster_*/article_*.txt"))[:90]
    for n, path in enumerate(files):
        (source / f"{n // 30}").mkdir(parents=True, exist_ok=True)
        (source / f"{n // 30}" / f"{n:03d}.txt").write_bytes(path.read_bytes())
    monkeypatch.setattr(index.parallel, "CHUNK", 4)
    with monkeypatch.context() as m:
        m.setattr(index.indexer, "PARALLEL_THRESHOLD", 10**6)
        serial = Library(tmp_path / "serial")
        update(serial, [source])
    started = []
    original = index.parallel.Workers.__init__

    def init(self, *args, **kwargs):
        started.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(index.indexer, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(index.parallel.Workers, "__init__", init)
    par = Library(tmp_path / "parallel")
    update(par, [source])
    assert started  # the workers did it
    serial_terms, serial_lengths = postings(serial)
    par_terms, par_lengths = postings(par)
    assert len(serial_terms) > 5000
    assert par_terms == serial_terms
    assert par_lengths == serial_lengths


def test_resemblance_is_what_the_bottom_k_definition_gives():
    """dedup.resemblance (sorted union, set intersections) against the definition it replaced (heapq)."""
    import heapq

    from index.dedup import SKETCH_SIZE, resemblance

    def reference(a, b):
        if not a or not b:
            return 0.0
        sa, sb = set(a), set(b)
        union = heapq.nsmallest(SKETCH_SIZE, sa | sb)
        return sum(1 for h in union if h in sa and h in sb) / len(union)

    rng = random.Random(5)
    pairs = [([], [1]), ([1], []), ([], []), ([1, 2, 3], [1, 2, 3]), (list(range(5)), list(range(3, 100))),
             ([5, 5, 1], [1, 5])]
    for _ in range(3000):
        common = rng.sample(range(2**32), rng.randint(0, 64))
        a = sorted(set(common[: rng.randint(0, len(common))] + rng.sample(range(2**32), rng.randint(0, 64))))[:64]
        b = sorted(set(common + rng.sample(range(2**32), rng.randint(0, 64))))[:64]
        pairs.append((a, b) if rng.random() < 0.5 else (b[::-1], a))
    for a, b in pairs:
        assert resemblance(a, b) == reference(a, b)


def test_a_sketch_is_the_bottom_k_of_its_shingle_hashes():
    """dedup.sketch (sorted) against heapq.nsmallest, which it replaced, on short and long texts."""
    import heapq
    import zlib

    from index import dedup

    def reference(text):
        words = dedup._WORD.findall(text.lower())
        if not words:
            return []
        span = min(dedup.SHINGLE_WORDS, len(words))
        hashes = {zlib.crc32(" ".join(words[i: i + span]).encode("utf-8", "surrogatepass"))
                  for i in range(len(words) - span + 1)}
        return heapq.nsmallest(dedup.SKETCH_SIZE, hashes)

    corpus = texts()
    corpus.append(" ".join(corpus))  # a long one
    for text in corpus:
        assert dedup.sketch(text) == reference(text)


def exhaustive_pairs(sketches, new_ids, threshold):
    """find_pairs as it was: every article sharing _MIN_SHARED values with a new one compared with it."""
    from collections import defaultdict

    from index import dedup

    postings = defaultdict(list)
    for aid, values in sketches.items():
        for h in values:
            postings[h].append(aid)
    pairs = set()
    for aid in new_ids:
        values = sketches.get(aid)
        if not values:
            continue
        shared = defaultdict(int)
        for h in values:
            for other in postings[h]:
                if other != aid:
                    shared[other] += 1
        for other, count in shared.items():
            if count >= dedup._MIN_SHARED and dedup.resemblance(values, sketches[other]) >= threshold:
                pairs.add((min(aid, other), max(aid, other)))
    return pairs


def test_near_duplicate_pairs_are_those_the_exhaustive_comparison_finds():
    from index import dedup

    rng = random.Random(11)
    corpus = [t for t in texts() if len(t.split()) > 3]
    sketches = {}
    for n, text in enumerate(corpus):
        sketches[f"a{n:04d}"] = dedup.sketch(text)
        words = text.split()
        for k in range(rng.randint(0, 2)):  # planted copies: a few words changed, cut or added
            copy = list(words)
            for _ in range(rng.randint(0, max(1, len(copy) // rng.choice((3, 8, 20))))):
                copy[rng.randrange(len(copy))] = rng.choice(words)
            if rng.random() < 0.5:
                copy = copy[: rng.randint(len(copy) // 2, len(copy))]
            sketches[f"c{n:04d}{k}"] = dedup.sketch(" ".join(copy))
    sketches["short"] = [1, 2, 3, 4, 5, 6, 7]
    sketches["short2"] = [1, 2, 3, 4, 5, 6, 8]
    ids = sorted(sketches)
    assert len(exhaustive_pairs(sketches, ids, dedup.THRESHOLD)) > 50  # copies were found
    for threshold in (dedup.THRESHOLD, 0.3, 0.8, 1.0, 0.0):
        for new in (ids, rng.sample(ids, 40), ids[:1], []):
            assert dedup.find_pairs(sketches, new, threshold) == exhaustive_pairs(sketches, new, threshold)
    repeated = dict(sketches, rep=sketches["a0001"] + sketches["a0001"][:10])  # a sketch repeating values
    assert dedup.find_pairs(repeated, ids + ["rep"]) == exhaustive_pairs(repeated, ids + ["rep"], dedup.THRESHOLD)
