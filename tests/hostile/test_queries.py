"""Hostile queries: every query ends quickly as results or one line saying what is wrong with it
(exit 2), never a traceback, a hang or Whoosh's own error text."""

from __future__ import annotations

import random

import pytest

from .conftest import article, assert_clean, run_brief


def build(src, lib, extra: dict[str, str] | None = None) -> None:
    from index.indexer import update
    from index.library import Library

    for i, topic in enumerate(("reservoir", "harbour", "bridge", "orchard")):
        (src / f"a{i}.md").write_text(f"---\ndate: 2025-03-0{i + 1}\n---\n" + article(150, topic), encoding="utf-8")
    for name, text in (extra or {}).items():
        (src / name).write_text(text, encoding="utf-8")
    update(Library(lib), [src])


@pytest.fixture
def built(src, lib):
    build(src, lib)
    return lib


def bad_query(run, *words: str) -> str:
    """Exit 2 with one line naming the problem (each of ``words`` in it)."""
    assert_clean(run, codes=(2,))
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("brief: bad query:"), run
    assert len(lines[0]) < 300, run  # the query is quoted short, not whole
    for w in words:
        assert w in lines[0], run
    return lines[0]


# ----------------------------------------------------------------------------------------------
# Through the CLI, as a user meets them


def test_huge_one_word_query(built, home):
    bad_query(run_brief("search", "a" * 102_400, home=home, library=built), "102,400 characters", "2,000")


def test_ten_thousand_nested_brackets(built, home):
    bad_query(run_brief("search", "(" * 10_000 + "dam" + ")" * 10_000, home=home, library=built), "20,003 characters")
    bad_query(run_brief("search", "(" * 30 + "dam" + ")" * 30, home=home, library=built), "30 deep", "20")


@pytest.mark.parametrize("text", ["NOT NOT NOT", "AND", "OR OR", "NOT", "AND OR NOT", '""', "!!!", "((()))", "\u200b",
                                  "?", "? ??"])
def test_operators_and_punctuation_alone(text, built, home):
    bad_query(run_brief("search", text, home=home, library=built))


@pytest.mark.parametrize("text", ["res?rvoir", "? reservoir", "reservoir ?", "*", "title:*", "id:*", "res*",
                                  "reservoir~", "reservoir~2", "NOT reservoir", "reservoir NOT", "reservoir AND",
                                  "[a TO c]", "zzz*", "NOT zzz*", "reservoir^3", '"" reservoir', "日本*"])
def test_odd_but_fine_queries_answer(text, built, home):
    for cmd in (["search", text], ["card", text]):
        assert_clean(run_brief(*cmd, home=home, library=built), codes=(0,))


def _hits(run) -> int:
    import re

    m = re.search(r"(\d+) hits?", run.err)
    return int(m.group(1)) if m else 0


def test_a_question_mark_ending_a_word_is_punctuation_and_a_word_nobody_has_narrows_to_nothing(built, home):
    def hits(text):
        return _hits(assert_clean(run_brief("search", text, home=home, library=built), codes=(0,)))

    assert hits("reservoir") == 1
    assert hits("reservoir?") == hits("reservoir level?") == hits("reservoir ?") == 1  # not a wildcard
    assert hits("res?rvoir") == 1  # inside a word it is one letter
    assert hits('"reservoir?"') == 1  # a phrase keeps it (and ignores the punctuation)
    # a wildcard no word matches, ANDed: no article holds it, so none answers (it used to be dropped)
    assert hits("zzz* reservoir") == 0 and hits("reservoir zzq?y") == 0
    assert hits("reservoir NOT zzz*") == 1 and hits("reservoir OR zzz*") == 1


def test_every_article_for_star(built, home):
    run = assert_clean(run_brief("search", "*", home=home, library=built))
    assert "4 hits" in run.err


@pytest.mark.parametrize("text, words", [
    ("reservoir~9", ["2 letters"]),
    ("a" * 60 + "~1", ["40 letters"]),
    ("\x1b[31mreservoir", ["control character", "U+001B"]),
    ("reservoir\x07", ["U+0007"]),
    ("(reservoir", ["never closed"]),
    ("reservoir)", ["no matching"]),
    ('"reservoir', ["closing quote"]),
    (" ".join(["reservoir"] * 101), ["101 words", "100"]),
    ("a* b* c* d* e* f* g* h* i*", ["9 wildcard", "8"]),
])
def test_limits_say_what_they_are(text, words, built, home):
    bad_query(run_brief("search", text, home=home, library=built), *words)


def test_wildcard_standing_for_too_many_words(src, lib, home):
    """A prefix matching 1,200 different words of the index is searched for its 1,000 commonest, saying so."""
    rng = random.Random(4)
    vocab = {"zq" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(1300)}
    words = sorted(vocab)[:1200]
    build(src, lib, {f"w{i}.txt": f"Word list {i}\n\n" + " ".join(words[i::4]) + "\n" for i in range(4)})
    run = assert_clean(run_brief("search", "zq*", home=home, library=lib))
    assert "'zq*' matches 1,200 words; only its 1,000 commonest were searched" in run.err, run
    assert_clean(run_brief("search", "zqa*", home=home, library=lib))  # a narrower prefix is fine


# ----------------------------------------------------------------------------------------------
# In process: parse_query, search, count_hits, best_passages


@pytest.fixture
def searcher(built):
    from index.storage import open_index

    with open_index(str(built)).searcher() as s:
        yield s


def _all_paths(searcher, text):
    from index.search import best_passages, count_hits, search

    search(searcher, text)
    search(searcher, text, count=False, page=2)
    search(searcher, text, facets=True)
    count_hits(searcher, text)
    best_passages(searcher, text)


@pytest.mark.parametrize("text", ["res?", "zzz?", "zz?z", "id:zzz*", "outlet:zzz*", "title:zzz*", "NOT zzz*",
                                  "reservoir NOT zzz*", "zzz* OR reservoir", "reservoir AND zzz*"])
def test_wildcards_matching_nothing(searcher, text):
    """Whoosh failed on these ("min() arg is an empty sequence", as the app showed): now no hits or hits."""
    _all_paths(searcher, text)


def test_not_of_nothing_is_everything(searcher):
    from index.search import count_hits, search

    assert search(searcher, "NOT zzz*").total == search(searcher, "*").total == 4
    assert count_hits(searcher, "NOT zzzqqq")[0] == 4


def test_expansion_keeps_hits_and_scores(searcher):
    """A wildcard ranked through Expansion finds and scores what Whoosh's own query finds and scores."""
    from index.search import Expansion, parse_query, prepare_query, search

    q = prepare_query("re*", searcher)  # reservoir, report, reporters: one Expansion of the title's and body's
    assert isinstance(q, Expansion) or any(isinstance(n, Expansion) for n in q.children()), q
    for text in ["re*", "harb?ur", "reservoir~1", "[level TO offic]", "level res*"]:
        ours = {h.id: round(h.score, 6) for h in search(searcher, text, limit=50).hits}
        whoosh_own = parse_query(text, searcher.schema)  # Prefix, Wildcard, FuzzyTerm, TermRange
        theirs = {searcher.stored_fields(h.docnum)["id"]: round(h.score, 6)
                  for h in searcher.search(whoosh_own, limit=50)}
        assert ours == theirs and ours, text


def test_control_characters_and_escapes(searcher):
    from index.errors import QueryError
    from index.search import parse_query

    for text in ["dam\x00", "\x1b]0;title\x07dam", "dam\x9b31m", "dam\x7f"]:
        with pytest.raises(QueryError, match="control character"):
            parse_query(text, searcher.schema)
    for text in ["dam\\", "\\(dam\\)", "dam\tlevel", "dam\nlevel", "'dam'", "dam''"]:
        _all_paths(searcher, text)


def test_expansion_budget_and_clock(searcher, monkeypatch):
    from index import search as search_module
    from index.errors import QueryError

    monkeypatch.setattr(search_module, "MAX_EXPANDED_POSTINGS", 3)  # the commonest word of each field is kept
    assert "only its 1 commonest was searched" in search_module.search(searcher, "re*").notice
    monkeypatch.setattr(search_module, "MAX_EXPANDED_POSTINGS", 10**9)
    monkeypatch.setattr(search_module, "EXPANSION_SECONDS", -1)
    with pytest.raises(QueryError, match="took over"):
        search_module.search(searcher, "*e*")


TOKENS = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "(", ")", '"', "'", "title:", "outlet:", "author:", "tag:",
          "id:", "date:", "date:2025", "date:2025-03..", "published:", "body:", "colour:", "~", "~1", "~2", "~9", "*",
          "?", "^", "^2", "^-1", "[", "]", "{", "}", "+", "-", "\\", ":", "..", "reservoir", "level", "harbour",
          "bridge", "res", "é", "日本", "ﬁ", "\u200b", "\ud800", "\u202e", "🙂", "0", "2025-03-01", "a" * 45, "&&",
          "||", "!", "/", "<", ">", "=", "%", ","]


def _soup(rng: random.Random) -> str:
    parts = [rng.choice(TOKENS) for _ in range(rng.randint(1, 12))]
    return "".join(p + rng.choice(["", " ", " ", "  "]) for p in parts)


def test_token_soup_fuzz(searcher):
    """Seeded random soups of operators, brackets, quotes, fields, ~, *, ?, unicode: each is a query
    (which every search path runs) or a QueryError; nothing else comes out."""
    from whoosh import query

    from index.errors import QueryError
    from index.search import parse_query

    rng = random.Random(20251201)
    outcomes = {"query": 0, "error": 0}
    for _ in range(600):
        text = _soup(rng)
        try:
            q = parse_query(text, searcher.schema)
        except QueryError as exc:
            assert str(exc) and "\n" not in str(exc), text
            outcomes["error"] += 1
            continue
        assert isinstance(q, query.Query), text
        try:
            _all_paths(searcher, text)
        except QueryError:
            outcomes["error"] += 1
            continue
        outcomes["query"] += 1
    assert outcomes["query"] > 50 and outcomes["error"] > 50, outcomes


def test_query_terms_bounded_for_the_reader_screen(searcher, monkeypatch):
    """The reader screen highlights a query's words (query_terms): a wildcard over too many words is
    bounded there too (its commonest words are highlighted), not minutes of expansion."""
    from index import search as search_module
    from index.errors import QueryError

    monkeypatch.setattr(search_module, "MAX_EXPANSION", 2)
    q = search_module.parse_query("*e*", searcher.schema)
    assert 1 <= len(search_module.query_terms(q, searcher.reader())) <= 4  # two a field
    monkeypatch.setattr(search_module, "MAX_CANDIDATES", 2)
    with pytest.raises(QueryError, match="more than 2 different words"):
        search_module.query_terms(q, searcher.reader())


# ----------------------------------------------------------------------------------------------
# 4. A huge article does not hang a search


def add_huge_article(lib, stored_mb: int = 31) -> str:
    """Rewrite one article of the library as a huge one, the way an index built before article sizes
    were capped holds it: a body of ``stored_mb`` MB with the common word "level" every few words
    (1 MB of it indexed, all of it stored: Whoosh's _stored_ field, so that the test builds fast;
    searching reads and shows the stored body). Returns its id."""
    from whoosh.filedb.filestore import FileStorage

    ix = FileStorage(str(lib / "index"), supports_mmap=False).open_index(indexname="articles")
    with ix.searcher() as s:
        fields = dict(next(iter(s.documents())))
    chunk = "The water level rose again and the level of the river was a level of concern. " * 64
    indexed = chunk * (1_000_000 // len(chunk))
    fields["body"] = indexed
    fields["_stored_body"] = indexed * stored_mb
    writer = ix.writer()
    writer.update_document(**fields)
    writer.commit()
    return fields["id"]


def test_huge_article_search_is_bounded(src, lib, home):
    build(src, lib)
    huge = add_huge_article(lib)
    for args in (["search", "level"], ["search", "level", "--json"], ["search", "lev*"], ["search", '"water level"'],
                 ["search", "level OR reservoir", "-n", "50"]):
        run = assert_clean(run_brief(*args, home=home, library=lib), codes=(0,))
        assert huge in run.out, args
        assert len(run.out) < 20_000, args  # a snippet, not the article


def test_huge_article_in_process(src, lib):
    """count_hits, best_passages and snippets over a huge article: bounded, and still right."""
    from index.search import best_passages, count_hits, make_snippet, search
    from index.storage import open_index

    build(src, lib)
    huge = add_huge_article(lib, stored_mb=8)
    with open_index(str(lib)).searcher() as s:
        result = search(s, "level")
        hit = next(h for h in result.hits if h.id == huge)
        assert any(match and text.lower() == "level" for text, match in hit.snippet)
        assert hit.snippet[-1] == (" …", False)
        assert count_hits(s, "level")[0] == result.total == 4
        passages = best_passages(s, "river level")
        assert passages and passages[0].article_id == huge
    body = "Nothing here. " * 200_000 + "The dam held."  # the only match is past what a snippet looks at
    assert make_snippet(body, frozenset({"dam"}))[-1][0].endswith("…")


def test_snippet_windows_unchanged_by_the_linear_sweep():
    """The one-sweep window choice picks the windows the former all-pairs count picked."""
    from index.search import _matches, _window_counts

    rng = random.Random(7)
    for _ in range(500):
        words = [rng.choice(["dam", "river", "level", "x", "y" * rng.randint(1, 200), "flood"]) for _ in range(60)]
        body = " ".join(words)
        matches = _matches(body, frozenset(rng.sample(["dam", "river", "level", "flood", "yyyyy"], 2)))
        width = rng.choice([10, 50, 170])
        pairs = [(len({t for s, e, t in matches if a <= s and e <= a + width}), -a, a) for a, _, _ in matches]
        assert list(_window_counts(matches, width)) == pairs


def test_wildcards_as_the_app_searches(src, lib):
    """The app asks for a page without the exact count (count=False): Whoosh then estimated the total
    through each wildcard, failing on one that matches no word of a field ("min() arg is an empty
    sequence" for ``?``, ``flood*``...)."""
    from index.indexer import update
    from index.library import Library
    from index.search import search
    from index.storage import open_index

    for i in range(40):
        (src / f"a{i}.txt").write_text(f"Report {i}\n\n" + "The floods rose on Monday, officials said. " * (1 + i % 7),
                                       encoding="utf-8")
    update(Library(lib), [src])
    with open_index(str(lib)).searcher() as s:
        for text in ["flood?", "flood*", "reservoir OR flood*", "flo?d", "zzz*", "zz?z"]:
            result = search(s, text, limit=1, count=False)
            assert result.total <= 40
        assert search(s, "flood*", limit=50, count=False).total == 40
        assert search(s, "zzz*", count=False).total_exact
