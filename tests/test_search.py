"""Query syntax and results, on a small library written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import QueryError
from index.indexer import update
from index.library import Library
from index.search import search

ARTICLES = [
    {"title": "Dam Breach Floods Lower Kavra", "outlet": "Meridian Wire", "author": "Ines Marlow",
     "published": "2025-03-04", "tags": ["flood", "kavra"],
     "body": "The eastern dam at Kavra failed before dawn, flooding the lower town.\n\n"
             "About 12,000 people were displaced, according to Regional Governor Ana Petrel."},
    {"title": "Relief Convoys Reach Kavra", "outlet": "Harbour Ledger", "author": "Tomas Reyes",
     "published": "2025-03-06", "tags": ["flood", "aid"],
     "body": "Relief convoys reached the flooded districts on Thursday.\n\n"
             "The UN refugee agency said at least 15,500 people had been displaced."},
    {"title": "Budget Vote Delayed", "outlet": "Capital Post", "author": "Ines Marlow",
     "published": "2025-02-20", "tags": ["politics"],
     "body": "Parliament postponed the budget vote for a third week.\n\nThe finance minister blamed the opposition."},
    {"title": "Harbour Pilots Strike", "outlet": "Harbour Ledger", "author": None, "published": None, "tags": [],
     "body": "Harbour pilots walked out over pay, leaving container ships waiting offshore."},
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    with open(src / "articles.jsonl", "w", encoding="utf-8") as f:
        for n, a in enumerate(ARTICLES):
            f.write(json.dumps({"id": f"a{n}", **a}) + "\n")
    lib = Library(tmp_path_factory.mktemp("lib"))
    update(lib, [src])
    with lib.open_index().searcher() as s:
        yield s


def titles(searcher, q: str) -> list[str]:
    return sorted(h.title for h in search(searcher, q, limit=20).hits)


def test_words_are_stemmed(searcher):
    assert titles(searcher, "flooding") == ["Dam Breach Floods Lower Kavra", "Relief Convoys Reach Kavra"]
    assert titles(searcher, "displace") == ["Dam Breach Floods Lower Kavra", "Relief Convoys Reach Kavra"]


def test_words_are_anded_by_default_and_or_not_work(searcher):
    assert titles(searcher, "kavra convoys") == ["Relief Convoys Reach Kavra"]
    assert titles(searcher, "convoys OR budget") == ["Budget Vote Delayed", "Relief Convoys Reach Kavra"]
    assert titles(searcher, "kavra NOT convoys") == ["Dam Breach Floods Lower Kavra"]


def test_phrases_match_words_in_order(searcher):
    assert titles(searcher, '"refugee agency"') == ["Relief Convoys Reach Kavra"]
    assert titles(searcher, '"agency refugee"') == []


def test_wildcards_and_fuzzy_terms(searcher):
    assert titles(searcher, "harb*") == ["Harbour Pilots Strike"]
    assert titles(searcher, "conv*") == ["Relief Convoys Reach Kavra"]
    assert titles(searcher, "parliment~1") == ["Budget Vote Delayed"]
    assert titles(searcher, "parliment") == []


def test_friendly_fields(searcher):
    assert titles(searcher, "outlet:ledger") == ["Harbour Pilots Strike", "Relief Convoys Reach Kavra"]
    assert titles(searcher, 'outlet:"meridian wire"') == ["Dam Breach Floods Lower Kavra"]
    assert titles(searcher, "author:marlow") == ["Budget Vote Delayed", "Dam Breach Floods Lower Kavra"]
    assert titles(searcher, "tag:aid") == ["Relief Convoys Reach Kavra"]
    assert titles(searcher, "title:kavra") == ["Dam Breach Floods Lower Kavra", "Relief Convoys Reach Kavra"]


def test_date_ranges(searcher):
    assert titles(searcher, "date:2025-03-01..2025-03-05") == ["Dam Breach Floods Lower Kavra"]
    assert titles(searcher, "date:2025-03") == ["Dam Breach Floods Lower Kavra", "Relief Convoys Reach Kavra"]
    assert titles(searcher, "date:..2025-02-28") == ["Budget Vote Delayed"]
    assert titles(searcher, "kavra date:2025-03-05..") == ["Relief Convoys Reach Kavra"]


def test_snippets_mark_the_matching_words(searcher):
    hit = search(searcher, "displaced", limit=1).hits[0]
    marked = [t for t, is_match in hit.snippet if is_match]
    assert marked and all(t.lower() == "displaced" for t in marked)
    assert "displaced" in hit.snippet_text


def test_json_shape(searcher):
    data = search(searcher, "kavra", limit=1).to_json()
    assert set(data) == {"query", "total", "hits"} and data["total"] == 2
    assert set(data["hits"][0]) == {"id", "title", "outlet", "published", "path", "score", "snippet"}
    assert Path(data["hits"][0]["path"]).is_absolute()


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "empty"),
        ('"refugee agency', "closing quote"),
        ("(kavra OR dam", "never closed"),
        ("kavra)", "no matching"),
        ("colour:red", "unknown field 'colour'"),
        ("date:2025-13-01", "not a real date"),
        ("date:yesterday", "date:"),
        ("date:2025-03-05..2025-03-01", "ends before it starts"),
        ("kavra~x", "whole number"),
    ],
)
def test_bad_queries_are_explained(searcher, query, message):
    with pytest.raises(QueryError, match=message):
        search(searcher, query)


def test_paging(searcher):
    first = search(searcher, "kavra", limit=1, page=1)
    second = search(searcher, "kavra", limit=1, page=2)
    assert first.total == second.total == 2
    assert first.hits[0].id != second.hits[0].id


def test_best_passages_are_the_paragraphs_that_answer_the_query(searcher):
    from index.search import best_passages

    passages = best_passages(searcher, "displaced")
    assert {p.text for p in passages} == {
        "About 12,000 people were displaced, according to Regional Governor Ana Petrel.",
        "The UN refugee agency said at least 15,500 people had been displaced.",
    }
    top = best_passages(searcher, "refugee agency displaced", limit=1)[0]
    assert top.text.startswith("The UN refugee agency") and top.n == 1
    assert best_passages(searcher, "volcano") == []


def test_facets_count_the_hits_per_outlet(searcher):
    result = search(searcher, "kavra OR harbour OR budget", limit=1, facets=True)
    assert result.facets["outlet"] == {"harbour ledger": 2, "meridian wire": 1, "capital post": 1}
    assert sum(result.facets["outlet"].values()) == result.total


def test_uncounted_search_gives_the_same_page_and_a_lower_bound(searcher):
    full = search(searcher, "kavra OR harbour OR budget", limit=2, page=1)
    fast = search(searcher, "kavra OR harbour OR budget", limit=2, page=1, count=False)
    assert [h.id for h in fast.hits] == [h.id for h in full.hits]
    assert fast.total <= full.total == 4
    assert fast.total == full.total or not fast.total_exact
    second = search(searcher, "kavra OR harbour OR budget", limit=2, page=2, count=False)
    assert [h.id for h in second.hits] == [h.id for h in search(searcher, "kavra OR harbour OR budget", limit=2,
                                                                   page=2).hits]
    assert "total_exact" not in fast.to_json()


def test_count_hits_counts_per_value_and_can_be_stopped(searcher):
    from whoosh import query as wq

    from index.search import SearchCancelled, count_hits, date_query, field_values

    outlets = field_values(searcher, "outlet_facet")
    total, counts = count_hits(searcher, "kavra OR harbour OR budget", group=outlets)
    assert total == 4
    assert counts == {"harbour ledger": 2, "meridian wire": 1, "capital post": 1}
    assert count_hits(searcher, "kavra", filter_query=date_query("2025-03-05..")) == (1, {})
    assert count_hits(searcher, "kavra", filter_query=wq.Term("outlet_facet", "meridian wire"))[0] == 1
    with pytest.raises(SearchCancelled):
        count_hits(searcher, "kavra OR harbour", should_stop=lambda: True, check_every=1)
