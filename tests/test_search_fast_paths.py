"""The shortcuts a cold `brief search` takes give exactly the answers Whoosh's own paths give.

Plain words skip Whoosh's query parser, hit totals are counted from term statistics and posting
blocks, field lengths are read into memory for ranking, and snippets look only at words that start
like a query term. Each is checked here against the slow path it replaces, on an index built to
exercise them: several segments, deleted documents, posting lists longer than one block.
"""

from __future__ import annotations

import random

import pytest

from index.schema import ARTICLES, article_schema
from index.search import (_TOKEN, _matches, count_hits, fast_count, field_values, make_parser, parse_query,
                          query_terms, search)

VOCAB = ("dam wall water level flood kavra convoy relief minister budget vote troops border "
         "harbour pilots strike storm ferry cancelled running runs ran displaced refugees agency").split()

QUERIES = [
    "dam", "water", "Running", "dam wall", "water level flood", "dam OR storm", "dam NOT wall",
    "flood kavra NOT convoy", "title:dam", "dam title:storm", '"water level"', "dam*", "ferri~1",
    "(dam OR wall) NOT level", "minister budget vote", "nothingmatches", "dam nothingmatches",
    "outlet:meridian", "outlet:meridian dam", "troops OR nothingmatches", "the dam",
]


@pytest.fixture(scope="module")
def index_with_deletions(tmp_path_factory):
    """Four segments (no merging) of 1,100 generated articles, with deleted documents in three of them."""
    from whoosh.filedb.filestore import FileStorage

    rng = random.Random(7)
    storage = FileStorage(str(tmp_path_factory.mktemp("ix")), supports_mmap=False)
    ix = storage.create_index(article_schema(), indexname=ARTICLES)
    counter = iter(range(10**6))

    def add(batch: int) -> None:
        writer = ix.writer()
        for _ in range(batch):
            n = next(counter)
            words = [rng.choice(VOCAB) for _ in range(rng.randint(5, 60))]
            title = " ".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 4))).title()
            outlet = rng.choice(["Meridian Wire", "Harbour Ledger", ""])
            writer.add_document(id=f"d{n}", path=f"/src/{n % 50}.txt", title=title, body=" ".join(words),
                                outlet=outlet, outlet_facet=outlet.lower())
        writer.commit(merge=False)

    for batch in (400, 300, 200):
        add(batch)
    writer = ix.writer()
    for path in ("/src/3.txt", "/src/17.txt", "/src/42.txt"):
        writer.delete_by_term("path", path)
    writer.commit(merge=False)
    add(200)  # a segment without deletions: counted from term statistics
    ix = storage.open_index(indexname=ARTICLES)
    leaves = [leaf.reader() for leaf, _ in ix.searcher().leaf_searchers()]
    assert [r.has_deletions() for r in leaves] == [True, True, True, False]
    return ix


@pytest.mark.parametrize("text", QUERIES)
def test_fast_count_equals_walking_every_match(index_with_deletions, text):
    with index_with_deletions.searcher() as s:
        q = parse_query(text, s.schema)
        walked = len(list(s.docs_for_query(q)))
        counted = fast_count(s, q)
        assert counted is None or counted == walked
        if text in ("dam", "dam wall", "dam OR storm", "dam NOT wall", "title:dam"):
            assert counted is not None  # the kinds of query it exists for really take it


@pytest.mark.parametrize("text", QUERIES)
def test_count_hits_and_outlet_counts_equal_walking_every_match(index_with_deletions, text):
    from whoosh import query

    with index_with_deletions.searcher() as s:
        outlets = field_values(s, "outlet_facet")
        q = parse_query(text, s.schema)
        walked = list(s.docs_for_query(q))
        expected = {}
        for docnum in walked:
            expected[outlets[docnum]] = expected.get(outlets[docnum], 0) + 1
        assert count_hits(s, text, group=outlets) == (len(walked), expected)
        assert count_hits(s, text) == (len(walked), {})
        within = query.Term("outlet_facet", "harbour ledger")
        narrowed = [d for d in walked if outlets[d] == "harbour ledger"]
        assert count_hits(s, text, filter_query=within)[0] == len(narrowed)


@pytest.mark.parametrize("text", QUERIES)
def test_search_gives_whooshs_page_total_and_ranking(index_with_deletions, text):
    with index_with_deletions.searcher() as ours, index_with_deletions.searcher() as theirs:
        q = make_parser(theirs.schema).parse(text)
        for page in (1, 2):
            expected = theirs.search_page(q, page, pagelen=5)
            result = search(ours, text, limit=5, page=page)
            assert result.total == expected.total
            assert [h.id for h in result.hits] == [h["id"] for h in expected]
            assert [round(h.score, 6) for h in result.hits] == [round(h.score, 6) for h in expected]
        from whoosh import query

        within = query.Term("outlet_facet", "meridian wire")
        expected = theirs.search_page(q, 1, pagelen=3, filter=within)
        result = search(ours, text, limit=3, filter_query=within)
        assert result.total == expected.total
        assert [h.id for h in result.hits] == [h["id"] for h in expected]


@pytest.mark.parametrize("text", [
    "dam", "Running runs ran", "the dam", "the", "water level", "troops 2024", "café naïve", "a_b x1",
    "dam AND wall", "dam and wall", "4.8", "Zelenskyy's", "north-korean", "日本語",
])
def test_plain_words_build_the_parsers_query(index_with_deletions, text):
    from index.search import _plain_query

    schema = index_with_deletions.schema
    plain = _plain_query(text, schema)
    if text in ("dam", "Running runs ran", "the dam", "water level", "troops 2024", "café naïve", "日本語"):
        assert plain is not None
    if text in ("dam AND wall", "4.8", "Zelenskyy's", "north-korean"):
        assert plain is None  # operators and punctuation go to the parser
    if plain is not None:
        assert plain == make_parser(schema).parse(text)


def _reference_matches(body: str, terms: frozenset[str]):
    """Every token of the body, stemmed: what the snippet's matches must equal."""
    from whoosh.lang.porter import stem

    found = []
    for m in _TOKEN.finditer(body):
        word = m.group().lower()
        if word in terms or stem(word) in terms:
            found.append((m.start(), m.end(), word if word in terms else stem(word)))
    return found


@pytest.mark.parametrize("body", [
    "The dams at Kavra were damaged; DAM walls ran. U.S.dam x.dam dam's dams, Dam.",
    "4.8 million, 4..8 and 1,500 people; zephyrine Zéphyrine ZEPHYRINES.",
    "İstanbul istanbul — running runs ran RUNNER",
    "",
])
def test_snippet_matches_equal_stemming_every_word(body, demo_dir):
    for terms in (frozenset({"dam", "4.8", "million", "zephyrin"}), frozenset({"run", "istanbul", "1"}),
                  frozenset({"u.s", "x"}), frozenset()):
        assert _matches(body, terms) == _reference_matches(body, terms)
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(demo_dir.rglob("*.txt")))
    terms = frozenset({"dam", "wall", "minist", "displac", "12,000", "water"})
    assert _matches(text, terms) == _reference_matches(text, terms)
    assert _matches(text, terms)


def test_query_terms_still_drive_the_snippet(index_with_deletions):
    with index_with_deletions.searcher() as s:
        hit = search(s, "flooding", limit=1).hits[0]
        assert any(match and segment.lower().startswith("flood") for segment, match in hit.snippet)
        assert "flood" in query_terms(parse_query("flooding", s.schema), s.reader())


def test_terms_the_index_lacks_are_left_out_of_ors(index_with_deletions):
    from whoosh import query

    from index.search import _without_absent_terms

    with index_with_deletions.searcher() as s:
        reader = s.reader()
        q = parse_query("troops OR nothingmatches", s.schema)
        assert _without_absent_terms(q, reader) == query.Or([query.Term("title", "troop"), query.Term("body", "troop")])
        # A word in no title: its title term goes, the body term is the whole query.
        lone = query.Or([query.Term("title", "nothingmatch"), query.Term("body", "dam")])
        assert _without_absent_terms(lone, reader) == query.Term("body", "dam")
        # Nothing to look for at all: left as it is (it matches nothing either way).
        nothing = parse_query("nothingmatches", s.schema)
        assert _without_absent_terms(nothing, reader) == nothing
        assert search(s, "nothingmatches").total == 0


@pytest.mark.parametrize("text", ["dam", "water level flood", "dam OR storm", "title:dam", "minister budget vote"])
def test_ranking_equals_scoring_every_match(index_with_deletions, text):
    """Block skipping (with deletions in three of four segments) keeps exactly the best-scored hits."""
    with index_with_deletions.searcher() as ours, index_with_deletions.searcher() as theirs:
        every = theirs.search(make_parser(theirs.schema).parse(text), limit=None)  # scores every match
        scores = {hit["id"]: round(hit.score, 6) for hit in every}
        best = sorted(scores.values(), reverse=True)[:5]
        result = search(ours, text, limit=5)
        assert [round(h.score, 6) for h in result.hits] == best
        assert all(scores[h.id] == round(h.score, 6) for h in result.hits)


def test_postings_with_deleted_documents_still_report_new_blocks(index_with_deletions):
    """Whoosh's ranking only looks at block quality when next() says a new block began; the matcher
    that hides deleted documents must say so too, and never stop on a deleted document."""
    with index_with_deletions.searcher() as s:
        leaf_searcher = s.leaf_searchers()[0][0]
        leaf = leaf_searcher.reader()
        assert leaf.has_deletions()
        key = ("body", b"dam")
        assert leaf.doc_frequency(*key) > 256  # three blocks of 128 postings or more
        m = leaf_searcher.postings(*key)  # with the searcher's scorer, as ranking uses it
        assert type(m).__name__ == "FilterMatcher"
        entered = 0
        while m.is_active():
            assert m.id() not in leaf.deleted_docs_set
            entered += bool(m.next())
        assert entered >= 2
        m = leaf_searcher.postings(*key)
        m.skip_to_quality(m.block_quality() + 1e-9)  # past the first block
        assert not m.is_active() or m.id() not in leaf.deleted_docs_set
