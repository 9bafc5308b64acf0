"""Fuzzy terms (``econ~``) are expanded by brief itself (index.expansion.fuzzy_words): the same words as
Whoosh's IndexReader.terms_within (Damerau-Levenshtein distance, a shared prefix), without reading and
merging every segment's word list for each term. Checked on the demo and on multinews-dev (when present)."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest
from whoosh import query
from whoosh.reading import IndexReader
from whoosh.support.levenshtein import damerau_levenshtein

from index.expansion import fuzzy_words as _fuzzy_words
from index.expansion import within_one as _within_one
from index.indexer import update
from index.library import Library
from index.search import search

MULTINEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "multinews-dev"


def _words(reader, field, text, maxdist, prefix):
    node = query.FuzzyTerm(field, text, maxdist=maxdist, prefixlength=prefix)
    return list(_fuzzy_words(node, reader, time.monotonic() + 5))


def _whoosh(reader, field, text, maxdist, prefix):
    # the base implementation (what a multi-segment reader runs), in index order
    return sorted(IndexReader.terms_within(reader, field, text, maxdist, prefix=prefix))


def test_within_one_is_damerau_levenshtein_at_most_one():
    rng = random.Random(7)
    for _ in range(50_000):
        a = "".join(rng.choice("abcd") for _ in range(rng.randrange(0, 6)))
        b = "".join(rng.choice("abcd") for _ in range(rng.randrange(0, 6)))
        assert _within_one(a, b) == (damerau_levenshtein(a, b) <= 1), (a, b)
    assert _within_one("teh", "the") and _within_one("econ", "icon") and not _within_one("econ", "neo")


def _check_same_words(lib: Library, texts: list[str]) -> int:
    compared = 0
    with lib.open_index().searcher() as s:
        reader = s.reader()
        for text in texts:
            for field in ("title", "body"):
                for maxdist in (0, 1, 2):
                    for prefix in (0, 1, 3):
                        mine = _words(reader, field, text, maxdist, prefix)
                        assert mine == _whoosh(reader, field, text, maxdist, prefix), (field, text, maxdist, prefix)
                        compared += len(mine)
    return compared


def test_the_same_words_as_whoosh_on_the_demo(tmp_path, demo_dir):
    lib = Library(tmp_path / "lib")
    update(lib, [demo_dir])
    assert _check_same_words(lib, ["parliment", "kavra", "convoy", "flod", "teh", "x", "harbuor", "é"]) > 10


def test_the_same_words_as_whoosh_on_real_articles_in_two_segments(tmp_path):
    clusters = sorted(MULTINEWS.glob("cluster_*"))[:12]
    if not clusters:
        pytest.skip("../shared/corpora/multinews-dev is not present")
    for n, cluster in enumerate(clusters):
        dest = tmp_path / ("a" if n < 6 else "b") / cluster.name
        dest.mkdir(parents=True)
        for article in cluster.glob("article_*.txt"):
            shutil.copy(article, dest)
    lib = Library(tmp_path / "lib")
    update(lib, [tmp_path / "a"])
    update(lib, [tmp_path / "a", tmp_path / "b"])  # a second segment
    with lib.open_index().searcher() as s:
        assert len(getattr(s.reader(), "readers", [])) >= 2
    assert _check_same_words(lib, ["econ", "presidnet", "govern", "polce", "said", "yaer", "wether"]) > 100
    with lib.open_index().searcher() as s:
        assert search(s, "wether~", limit=5).total > search(s, "wether", limit=5).total


def test_a_new_word_is_found_once_the_index_has_it(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "one.txt").write_text("Floods in the valley\n\nThe river rose over the levee last night, officials said.\n",
                                 encoding="utf-8")
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    with lib.open_index().searcher() as s:
        assert search(s, "zorblaxe~", limit=5).total == 0
    (src / "two.txt").write_text("A new word\n\nResidents called the storm a zorblax, a word no one had heard.\n",
                                 encoding="utf-8")
    update(lib, [src])
    with lib.open_index().searcher() as s:
        hits = search(s, "zorblaxe~", limit=5).hits
    assert [h.title for h in hits] == ["A new word"]


# ----------------------------------------------------------------------------------------------
# should_stop: a newer keystroke can stop a wildcard or fuzzy search that is still running


def test_should_stop_never_changes_the_hits_and_stops_a_search_when_asked(tmp_path, demo_dir):
    from index.search import SearchCancelled

    lib = Library(tmp_path / "lib")
    update(lib, [demo_dir])
    with lib.open_index().searcher() as s:
        for q in ("reserv*", "c*", "reservior~", "breech~", "kavra", "dam*"):
            plain = [h.id for h in search(s, q, limit=10, count=False).hits]
            assert plain, q
            assert [h.id for h in search(s, q, limit=10, count=False, should_stop=lambda: False).hits] == plain
            with pytest.raises(SearchCancelled):
                search(s, q, limit=10, count=False, should_stop=lambda: True)


def test_a_wildcard_over_real_articles_is_stopped_while_its_words_are_opened(tmp_path):
    from index.search import SearchCancelled, count_hits

    clusters = sorted(MULTINEWS.glob("cluster_*"))[:20]
    if not clusters:
        pytest.skip("../shared/corpora/multinews-dev is not present")
    for cluster in clusters:
        dest = tmp_path / "src" / cluster.name
        dest.mkdir(parents=True)
        for article in cluster.glob("article_*.txt"):
            shutil.copy(article, dest)
    lib = Library(tmp_path / "lib")
    update(lib, [tmp_path / "src"])
    with lib.open_index().searcher() as s:
        assert search(s, "con*", limit=10).total > 10
        asked = []

        def second_time() -> bool:  # only a check during the search itself can see a second call
            asked.append(1)
            return len(asked) >= 2

        with pytest.raises(SearchCancelled):
            search(s, "con*", limit=10, count=False, should_stop=second_time)
        asked.clear()
        with pytest.raises(SearchCancelled):
            count_hits(s, "con*", should_stop=second_time, check_every=1)
