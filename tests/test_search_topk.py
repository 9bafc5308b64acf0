"""Phrase and proximity queries rank their page by checking candidates in score order (index.search
_phrase_search) instead of Whoosh checking every document that holds the words: the pages shown must be
Whoosh's own (same documents, same order, same scores; ties in document order), and a total shown as
exact must be Whoosh's full count. Checked on the demo library and on an index of several segments with
deleted documents, whose short articles from a small vocabulary give many tied scores.
"""

from __future__ import annotations

import random

import pytest

import index.search as search_module
from index.schema import ARTICLES, article_schema
from index.search import SearchResult, count_hits, prepare_query, search

VOCAB = ("the dam wall water level flood kavra convoy relief minister budget vote troops border harbour "
         "pilots strike storm ferry last year told reporters oil prices white house said").split()

PHRASES = [
    '"dam wall"', '"water level"', '"last year"', '"told reporters"', '"oil prices"', '"white house"',
    '"the dam"', '"flood the"', '"said the"', '"dam wall water"', '"storm ferry pilots"', '"kavra convoy"',
    '"dam wall"~3', '"last year"~2', '"minister budget"~4',
    '"dam wall" flood', '"water level" OR storm', '"dam wall" OR "water level"', 'flood NOT "dam wall"',
    '"last year" NOT storm', '"told reporters" "oil prices"', 'title:"dam wall"', '"dam wall" title:flood',
    '(flood OR storm) "white house"', '"nothing here"', '"dam nothingmatches"',
]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """Four segments (no merging) of 2,300 generated articles, with deleted documents in three."""
    from whoosh.filedb.filestore import FileStorage

    rng = random.Random(11)
    storage = FileStorage(str(tmp_path_factory.mktemp("ix")), supports_mmap=False)
    ix = storage.create_index(article_schema(), indexname=ARTICLES)
    counter = iter(range(10**6))

    def add(batch: int) -> None:
        writer = ix.writer()
        for _ in range(batch):
            n = next(counter)
            words = [rng.choice(VOCAB) for _ in range(rng.randint(4, 30))]
            for common in ("last year", "told reporters", "oil prices", "white house"):  # in a share of them
                if rng.random() < 0.3:
                    words.insert(rng.randint(0, len(words)), common)
            title = " ".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 4))).title()
            writer.add_document(id=f"d{n}", path=f"/src/{n % 60}.txt", title=title, body=" ".join(words),
                                outlet="Meridian Wire" if n % 3 else "Harbour Ledger",
                                outlet_facet="meridian wire" if n % 3 else "harbour ledger")
        writer.commit(merge=False)

    for batch in (900, 600, 400):
        add(batch)
    writer = ix.writer()
    for path in ("/src/3.txt", "/src/17.txt", "/src/42.txt", "/src/59.txt"):
        writer.delete_by_term("path", path)
    writer.commit(merge=False)
    add(400)
    ix = storage.open_index(indexname=ARTICLES)
    with ix.searcher() as s:
        assert [leaf.reader().has_deletions() for leaf, _ in s.leaf_searchers()] == [True, True, True, False]
    return ix


@pytest.fixture(scope="module")
def demo_index():
    from tui.cli.shared import demo_library

    return demo_library(quiet=True).open_index()


DEMO_PHRASES = ['"sorrel dam"', '"civil protection"', '"national water"', '"eastern wall"', '"had been"',
                '"last summer"~2', '"water authority" OR "old quay"', 'dam NOT "eastern wall"', '"sorrel dam" flood',
                '"the dam"', '"in the"~2', '"governor ana" petrel']


def _whoosh_ranking(searcher, text: str, filter_query=None) -> list[tuple[str, float]]:
    """Whoosh's own full ranking, every match scored (its top-hits collector with a limit loses matches
    under a phrase, see index.search._ranked): (id, score), best first, ties in document order."""
    q = prepare_query(text, searcher)
    every = searcher.search(q, limit=None, **({"filter": filter_query} if filter_query else {}))
    return [(h["id"], round(h.score, 9)) for h in every]


def _page(ranked, limit: int, page: int, count: bool):
    """The page search_page gives (past the end: the last page) for count=True; the hits from
    (page - 1) * limit for count=False, as the app pages."""
    if count and ranked:
        page = min(page, -(-len(ranked) // limit))
    return ranked[(page - 1) * limit:page * limit]


def _check(searcher, text: str, filter_query=None) -> None:
    from index.errors import QueryError

    try:
        prepare_query(text, searcher)
    except QueryError:
        return  # only stop words: refused on both paths
    ranked = _whoosh_ranking(searcher, text, filter_query)
    full = len(ranked)
    for limit, page in ((1, 1), (3, 1), (10, 1), (3, 2), (10, 3)):
        for count in (True, False):
            expected = _page(ranked, limit, page, count)
            got = search(searcher, text, limit=limit, page=page, count=count, filter_query=filter_query)
            assert [(h.id, round(h.score, 9)) for h in got.hits] == expected, (text, limit, page)
            if got.total_exact:
                assert got.total == full
            elif count:
                assert len(expected) <= got.total  # an estimate, but never below what was found
            else:
                assert got.total <= full  # the app's quick count: a lower bound
                assert got.total >= (page - 1) * limit + len(expected)


@pytest.mark.parametrize("text", PHRASES)
def test_pages_equal_whooshs_on_segments_with_deletions(segmented, text):
    with segmented.searcher() as s:
        _check(s, text)


@pytest.mark.parametrize("text", DEMO_PHRASES)
def test_pages_equal_whooshs_on_the_demo_library(demo_index, text):
    with demo_index.searcher() as s:
        _check(s, text)


@pytest.mark.parametrize("text", ['"dam wall"', '"last year"~2', '"water level" OR storm'])
def test_pages_equal_whooshs_within_a_filter(segmented, text):
    from whoosh import query

    with segmented.searcher() as s:
        _check(s, text, filter_query=query.Term("outlet_facet", "harbour ledger"))


@pytest.mark.parametrize("text", ['"last year"', '"told reporters"', '"oil prices"~2', '"white house" said',
                                  '"last year" OR "oil prices"'])
def test_the_shortcut_is_taken_and_its_estimate_is_labelled(segmented, text, monkeypatch):
    """With few candidates allowed an exact count, the total is an estimate, labelled so, near the truth;
    exact=True and count_hits give Whoosh's full count."""
    monkeypatch.setattr(search_module, "PHRASE_EXACT_CANDIDATES", 50)
    monkeypatch.setattr(search_module, "PHRASE_SAMPLE", 200)
    taken = []
    real = search_module._phrase_search

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(search_module, "_phrase_search", spy)
    with segmented.searcher() as s:
        full = len(_whoosh_ranking(s, text))
        got = search(s, text, limit=10)
        assert taken == [True]
        assert full > 100  # enough candidates for an estimate
        assert not got.total_exact
        assert abs(got.total - full) <= 0.25 * full
        assert got.to_json()["total_exact"] is False
        exact = search(s, text, limit=10, exact=True)
        assert exact.total_exact and exact.total == full
        assert [h.id for h in exact.hits] == [h.id for h in got.hits]
        assert count_hits(s, text)[0] == full


def test_a_page_needing_many_candidates_still_equals_whooshs(segmented, monkeypatch):
    """Few candidates per round or per batch: the page is filled over several, or by Whoosh's path."""
    monkeypatch.setattr(search_module, "PHRASE_MAX_RANKED", 64)
    monkeypatch.setattr(search_module, "PHRASE_FIRST_ROUND", 4)
    monkeypatch.setattr(search_module, "PHRASE_BATCH", 1)
    with segmented.searcher() as s:
        for text in ('"flood the"', '"dam wall water"', '"storm ferry pilots"', '"last year" storm', '"white house"'):
            _check(s, text)


def test_phrase_bounds_are_the_bag_of_words_scores(segmented):
    """The bounds computed from posting blocks are Whoosh's own scores of the phrase's words (a bag),
    for every candidate, deleted documents left out."""
    from index.search import _phrase_bounds, _phrase_fields, _relaxed

    with segmented.searcher() as s:
        for text in ('"last year"', '"dam wall water"', 'title:"dam wall"', '"told reporters"~3'):
            q = prepare_query(text, s)
            bounds = _phrase_bounds(s, _phrase_fields(q))
            every = s.search(_relaxed(q), limit=None)
            ours = {d: b for b, d in bounds}
            assert sorted(ours) == sorted(h.docnum for h in every)  # the same candidates
            assert all(abs(ours[h.docnum] - h.score) <= 1e-9 * h.score for h in every)  # rounding apart
            assert [b for b, _ in bounds] == sorted(ours.values(), reverse=True)


def test_json_and_cli_say_when_a_total_is_an_estimate(demo_index, monkeypatch, capsys):
    from tui.cli import main

    monkeypatch.setattr(search_module, "PHRASE_FIRST_ROUND", 2)
    monkeypatch.setattr(search_module, "PHRASE_BATCH", 1)
    monkeypatch.setattr(search_module, "PHRASE_EXACT_CANDIDATES", 2)
    monkeypatch.setattr(search_module, "PHRASE_SAMPLE", 3)
    with demo_index.searcher() as s:
        estimated = search(s, '"sorrel dam"', limit=1)
        full = search(s, '"sorrel dam"', limit=1, exact=True)
    assert not estimated.total_exact and full.total_exact
    assert main(["--demo", "search", '"sorrel dam"', "-n", "1"]) == 0
    err = capsys.readouterr().err
    assert f"1 of about {estimated.total} hits" in err
    assert main(["--demo", "search", '"sorrel dam"', "-n", "1", "--exact"]) == 0
    assert f"1 of {full.total} hits" in capsys.readouterr().err
    assert main(["--demo", "search", '"sorrel dam"', "-n", "1", "--json"]) == 0
    import json

    shown = json.loads(capsys.readouterr().out)
    assert shown["total_exact"] is False and shown["total"] == estimated.total
    assert main(["--demo", "search", '"sorrel dam"', "-n", "1", "--json", "--exact"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert "total_exact" not in shown and shown["total"] == full.total  # an exact count: the shape as before
    assert isinstance(estimated, SearchResult)
