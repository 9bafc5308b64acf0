"""Wildcards, prefixes and fuzzy terms ranked as one summed list (index.expansion.summed_matcher): the
same pages, scores and counts as Whoosh's own query of the words they stand for, on real articles
(multinews-dev) in an index of several segments with deleted documents; bounded expansions keep the
commonest words and say so; a newer keystroke stops the ranking itself.

The reference is Whoosh ranking every document (limit=None, no block-quality skipping) for the OR of
the words Whoosh's own Prefix/Wildcard/FuzzyTerm find, with its plain tree of unions: Whoosh's
ArrayUnionMatcher under an AND, and its skipping with a limit, both drop matches on these indexes (the
reference would then be wrong, not the shortcut)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from whoosh import query
from whoosh.reading import IndexReader

from index import expansion
from index import search as search_module
from index.indexer import update
from index.library import Library
from index.search import Expansion, SearchCancelled, count_hits, parse_query, prepare_query, search

MULTINEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "multinews-dev"

QUERIES = ["con*", "pre*", "th*", "c?n*", "*ing", "econ~", "wether~2", "presidnet~", "said pre*", "con* OR dam~",
           "NOT con*", "title:con*", "con*^2", "gov* AND NOT said", "(con* OR pre*) AND year", '"last year" com*',
           "[cona TO conf]"]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """multinews-dev in three segments, some of its articles re-indexed (deleted documents)."""
    clusters = sorted(MULTINEWS.glob("cluster_*"))
    if not clusters:
        pytest.skip("../shared/corpora/multinews-dev is not present")
    root = tmp_path_factory.mktemp("expand")
    for n, cluster in enumerate(clusters):
        dest = root / ("a" if n < 50 else "b" if n < 80 else "c") / cluster.name
        dest.mkdir(parents=True)
        for article in cluster.glob("article_*.txt"):
            shutil.copy(article, dest)
    lib = Library(root / "lib")
    update(lib, [root / "a"])
    update(lib, [root / "a", root / "b"])
    for article in sorted((root / "a").glob("*/article_*.txt"))[::7]:  # changed: their old documents deleted
        article.write_text(article.read_text(encoding="utf-8") + "\n\nA line added later.\n", encoding="utf-8")
    update(lib, [root / "a", root / "b", root / "c"])
    with lib.open_index().searcher() as s:
        assert len(s.reader().readers) >= 2 and s.reader().has_deletions()
    return lib


def _plain(q, reader):
    """``q`` with each wildcard, prefix, fuzzy term and range as Whoosh's own OR of the words it finds."""
    if isinstance(q, query.MultiTerm):
        if type(q) is query.FuzzyTerm:
            words = sorted(IndexReader.terms_within(reader, q.fieldname, q.text, q.maxdist, prefix=q.prefixlength))
        else:
            words = [reader.schema[q.fieldname].from_bytes(b) for b in q._btexts(reader)]
        return query.Or([query.Term(q.fieldname, w) for w in words], boost=q.boost) if words else query.NullQuery
    return q if q.is_leaf() else q.apply(lambda child: _plain(child, reader))


def _reference(s, q, monkeypatch) -> list[tuple[str, float]]:
    """Every matching article, ranked by Whoosh: [(id, score)] best first (lower document number first
    among equal scores)."""
    monkeypatch.setattr(query.Or, "matcher_type", query.Or.DEFAULT_MATCHER)
    try:
        found = s.search(q.normalize(), limit=None, optimize=False)
        return [(s.stored_fields(h.docnum)["id"], h.score) for h in found]
    finally:
        monkeypatch.undo()


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _same_page(ours: list[tuple[str, float]], ranked: list[tuple[str, float]], start: int) -> None:
    """``ours`` is ``ranked[start:start + len(ours)]``: the same scores (to float rounding: Whoosh adds a
    document's word scores in another order) and the same articles, where articles whose scores are
    equal to that rounding may come in either order (and, at the page's edge, be any of them)."""
    page = ranked[start:start + len(ours)]
    assert len(ours) == len(page)
    for (mine, mine_score), (theirs, their_score) in zip(ours, page):
        assert _close(mine_score, their_score), (mine, mine_score, theirs, their_score)
    for n, (mine, score) in enumerate(ours):
        if mine != page[n][0]:
            tied = {i for i, sc in ranked if _close(sc, score)}
            assert mine in tied and page[n][0] in tied, (n, mine, page[n])


@pytest.mark.parametrize("text", QUERIES)
def test_the_pages_scores_and_counts_of_whoosh(library, text, monkeypatch):
    with library.open_index().searcher() as s:
        ranked = _reference(s, _plain(parse_query(text, s.schema), s.reader()), monkeypatch)
        for page in range(1, min(3, (len(ranked) + 9) // 10) + 1):
            result = search(s, text, limit=10, page=page)
            _same_page([(h.id, h.score) for h in result.hits], ranked, (page - 1) * 10)
            assert result.total == len(ranked) and result.notice is None
        quick = search(s, text, limit=10, count=False)  # the app's first page
        _same_page([(h.id, h.score) for h in quick.hits], ranked, 0)
        assert count_hits(s, text)[0] == len(ranked)
        q = prepare_query(text, s)
        assert sorted(s.docs_for_query(q)) == sorted(s.docs_for_query(_plain(parse_query(text, s.schema), s.reader())))


def test_one_pattern_over_title_and_body_is_one_summed_list(library):
    with library.open_index().searcher() as s:
        q = prepare_query("con*", s)
        assert type(q) is Expansion and {t.fieldname for t in q.subqueries} == {"title", "body"}
        leaf = s.leaf_searchers()[0][0]
        m = q.matcher(leaf, leaf.context())
        assert type(m) is expansion.SummedMatcher and m.supports_block_quality()


def _walk(m) -> list[tuple[int, float]]:
    found = []
    while m.is_active():
        found.append((m.id(), m.score()))
        m.next()
    return found


def test_the_summed_list_ranks_as_whoosh_own_matchers(library, monkeypatch):
    """The fast path against the one it replaces (Whoosh's matchers: an array union of each field's words,
    still used for another weighting model): every matching document of every segment, with the same
    score to the last bit."""
    with library.open_index().searcher() as s:
        for text in QUERIES:
            q = prepare_query(text, s)
            found = 0
            for leaf, _offset in s.leaf_searchers():
                fast = _walk(q.matcher(leaf, leaf.context()))
                with monkeypatch.context() as patched:
                    patched.setattr(expansion, "summed_matcher", lambda *args, **kwargs: None)
                    slow = _walk(prepare_query(text, s).matcher(leaf, leaf.context()))
                assert fast == slow, text
                found += len(fast)
            assert found or text == "presidnet~", text


def _commonest(reader, field: str, prefix: str, k: int) -> list[str]:
    words = list(reader.expand_prefix(field, prefix))
    order = sorted(range(len(words)), key=lambda n: -reader.doc_frequency(field, words[n]))[:k]
    return [reader.schema[field].from_bytes(words[n]) for n in sorted(order)]


def test_a_pattern_over_too_many_words_keeps_its_commonest_and_says_so(library, monkeypatch):
    """What changes when bounded: the pattern stands for its MAX_EXPANSION commonest words of each field
    (the most articles; index order among equals), ranked as Whoosh ranks the OR of exactly those."""
    with library.open_index().searcher() as s:
        reader = s.reader()
        everything = search(s, "con*", limit=10)
        monkeypatch.setattr(search_module, "MAX_EXPANSION", 12)
        bounded = search(s, "con*", limit=10)
        body_words = len(list(reader.expand_prefix("body", "con")))
        assert bounded.notice == f"'con*' matches {body_words:,} words; only its 12 commonest were searched"
        assert bounded.to_json()["notice"] == bounded.notice and "notice" not in everything.to_json()
        kept = query.Or([query.Term(f, w) for f in ("title", "body") for w in _commonest(reader, f, "con", 12)])
        monkeypatch.undo()
        ranked = _reference(s, kept, monkeypatch)
        _same_page([(h.id, h.score) for h in bounded.hits], ranked, 0)
        assert bounded.total == len(ranked) < everything.total
        assert [h.id for h in bounded.hits] != [h.id for h in everything.hits]


def test_too_many_places_keeps_the_commonest_words_that_fit(library, monkeypatch):
    with library.open_index().searcher() as s:
        reader = s.reader()
        freqs = sorted((reader.doc_frequency("body", w) for w in reader.expand_prefix("body", "pre")), reverse=True)
        monkeypatch.setattr(search_module, "MAX_EXPANDED_POSTINGS", freqs[0] + freqs[1] + freqs[2] // 2)
        q = prepare_query("body:pre*", s)
        assert len(q.subqueries) == 2 and "only its 2 commonest were searched" in q.notice
        assert sorted(reader.doc_frequency("body", t.text) for t in q.subqueries) == sorted(freqs[:2])
        monkeypatch.setattr(search_module, "MAX_EXPANDED_POSTINGS", 1)  # at least one word is kept
        q = prepare_query("body:pre*", s)
        assert type(q) is Expansion and len(q.subqueries) == 1 and "only its 1 commonest was searched" in q.notice


def test_a_newer_keystroke_stops_the_ranking_itself(library, monkeypatch):
    """should_stop is asked while the postings are read and scored, not only between stages."""
    monkeypatch.setattr(expansion, "CHECK_EVERY", 64)
    with library.open_index().searcher() as s:
        q = prepare_query("con*", s)
        asked = []

        def stop_once_ranking() -> bool:
            asked.append(1)
            return True

        q.should_stop = search_module._stopper(stop_once_ranking)
        leaf = s.leaf_searchers()[0][0]
        with pytest.raises(SearchCancelled) as stopped:
            q.matcher(leaf, leaf.context())
        assert any(frame.name == "summed_matcher" for frame in stopped.traceback)
        # and through search(): stopped once the words are found, while they are ranked
        calls = []

        def later() -> bool:
            calls.append(1)
            return len(calls) > 3

        with pytest.raises(SearchCancelled):
            search(s, "con*", limit=10, count=False, should_stop=later)
        assert len(calls) > 3


def test_should_stop_saying_no_changes_nothing(library):
    with library.open_index().searcher() as s:
        for text in ("con*", "econ~", "said pre*"):
            plain = [(h.id, h.score) for h in search(s, text, limit=20).hits]
            assert [(h.id, h.score) for h in search(s, text, limit=20, should_stop=lambda: False).hits] == plain


def test_a_copied_expansion_keeps_its_words_and_notice(library, monkeypatch):
    """Whoosh copies queries (with_boost, normalize): the copy ranks the same and keeps the notice."""
    monkeypatch.setattr(search_module, "MAX_EXPANSION", 5)
    with library.open_index().searcher() as s:
        q = prepare_query("con*", s)
        boosted = q.with_boost(2.0)
        assert boosted.notice == q.notice and boosted.found is q.found
        ours = {s.stored_fields(h.docnum)["id"]: h.score for h in s.search(q, limit=10)}
        twice = {s.stored_fields(h.docnum)["id"]: h.score for h in s.search(boosted, limit=10)}
        assert ours.keys() == twice.keys() and all(_close(twice[i], 2 * ours[i]) for i in ours)


def test_the_word_lists_read_in_one_piece_are_whoosh_own(library):
    """lexicon() reads each segment's term table in one piece: the same words as Whoosh's reader.lexicon."""
    with library.open_index().searcher() as s:
        for r in s.reader().readers:
            for field in ("title", "body", "outlet_facet", "id", "tags", "published"):
                whoosh_own = list(r.lexicon(field))
                assert expansion._segment_lexicon(r, field) == whoosh_own, field
        words, by_length = expansion.lexicon(s.reader(), "body")
        assert words == sorted({w for r in s.reader().readers for w in r.field_terms("body")})
        assert sum(len(v) for v in by_length.values()) == len(words)


def test_a_pattern_bounded_to_one_word_keeps_its_boost(library, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_EXPANSION", 1)
    with library.open_index().searcher() as s:
        plain = {h.id: h.score for h in search(s, "title:con*", limit=10).hits}
        q = prepare_query("(title:con* OR title:zzqx*)^3", s)  # the OR's boost on a one-word Expansion
        assert type(q) is Expansion and len(q.subqueries) == 1 and q.boost == 3
        boosted = {s.stored_fields(h.docnum)["id"]: h.score for h in s.search(q, limit=10)}
        assert plain.keys() == boosted.keys() and plain
        assert all(_close(boosted[i], 3 * plain[i]) for i in plain)


def test_size_estimates_as_whoosh_makes_them(library):
    """Whoosh sizes a query's parts (the page's estimated total, the order of an AND's parts): an
    Expansion's estimates from the term infos it kept are CompoundQuery's own."""
    from whoosh.query.compound import CompoundQuery

    with library.open_index().searcher() as s:
        for text in ("con*", "econ~", "*ing", "title:con*", "[cona TO conf]"):
            q = prepare_query(text, s)
            assert type(q) is Expansion, text
            for r in [s.reader(), *s.reader().readers]:
                assert q._freqs(r) is not None
                assert q.estimate_size(r) == CompoundQuery.estimate_size(q, r), text
                assert q.estimate_min_size(r) == CompoundQuery.estimate_min_size(q, r), text


@pytest.mark.parametrize("window", [expansion.WINDOW, 300, 20])  # 20: shorter than an entry
def test_the_words_of_a_prefix_read_in_windows_are_whoosh_own(library, monkeypatch, window):
    monkeypatch.setattr(expansion, "WINDOW", window)
    with library.open_index().searcher() as s:
        for r in s.reader().readers:
            for field, prefix in (("body", b"con"), ("body", b"a"), ("title", b"pre"), ("body", b""), ("body", b"zzzq"),
                                  ("outlet_facet", b""), ("tags", b"x")):
                mine = [(w, i.doc_frequency(), i.is_inlined()) for w, i in expansion._prefix_items(r, field, prefix)]
                theirs = [(w, i.doc_frequency(), i.is_inlined()) for w, i in r.iter_prefix(field, prefix)]
                assert mine == theirs, (field, prefix)


def test_damaged_postings_are_struct_errors_not_loops():
    """What a damaged posting list reads as: struct.error (brief names the index as damaged), never a loop
    or an allocation sized by garbage."""
    import pickle
    import struct

    class Info:
        def __init__(self, n):
            self.n = n

        def is_inlined(self):
            return False

        def extent(self):
            return 0, (self.n,)

    class Reader:
        def __init__(self, raw):
            self._terms = type("T", (), {"_postfile": type("F", (), {"get": lambda _self, o, n: raw[o:o + n]})()})()

    def block(info, data, last=True):
        body = pickle.dumps(info, 2) + pickle.dumps(data, 2)
        return struct.pack("!i", -len(body) if last else len(body)) + body

    good = expansion._MAGIC + block((2, 3, 1.0, 0, 1, 1), ((1, 2), None, None))
    assert list(expansion._posting_blocks(Reader(good), "body", b"x", Info(len(good)))) == [((1, 3), (1.0, 1.0))]
    for raw in (expansion._MAGIC + struct.pack("!i", 0) + b"\0" * 8,  # a block of no length
                expansion._MAGIC + struct.pack("!i", 10**6) + b"\0" * 8,  # running past the postings
                expansion._MAGIC + block((2**31 - 1, 3, 1.0, 0, 1, 1), ((1, 2), None, None)),  # a count of garbage
                expansion._MAGIC + block((2, 3, 1.0, 0, 1, 1), (("a", 2), None, None))):  # ids that are not numbers
        with pytest.raises(struct.error):
            list(expansion._posting_blocks(Reader(raw), "body", b"x", Info(len(raw))))
