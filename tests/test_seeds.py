"""The real pasted articles in ../shared/seeds, indexed and searched as a user would (skipped without them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.indexer import update
from index.library import Library
from index.search import search

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not present")
    lib = Library(tmp_path_factory.mktemp("seeds-lib"))
    report = update(lib, [SEEDS])
    return lib, report


@pytest.fixture
def lib(seeded):
    return seeded[0]


def seed_id(lib: Library, n: int) -> str:
    return next(r["id"] for r in lib.catalog() if r["path"].rsplit("/", 1)[-1].startswith(f"{n:03d}_"))


def found(lib: Library, q: str) -> set[int]:
    by_id = {r["id"]: int(r["path"].rsplit("/", 1)[-1][:3]) for r in lib.catalog()}
    with lib.open_index().searcher() as s:
        return {by_id[h.id] for h in search(s, q, limit=20).hits}


def test_every_seed_becomes_one_clean_article(seeded):
    lib, report = seeded
    assert report.added == 5 and report.problems == []
    assert lib.article_count() == 5


def test_titles_are_headlines_or_derived_from_the_lede(lib):
    titles = {n: lib.get(seed_id(lib, n)).title for n in range(5)}
    assert titles[1] == "North Korean Troops Are Now Close to Fighting in Ukraine War: Report"
    assert titles[3] == "A Truly Unholy Alliance"
    assert titles[4].startswith("Are North Korean troops fighting Russia’s war in Ukraine?")
    assert titles[0].startswith("Sometime between October 8 and 13")
    assert titles[2].startswith("According to South Korea")


def test_the_article_pasted_twice_is_kept_once(lib):
    paragraphs = lib.get(seed_id(lib, 0)).paragraphs
    assert len(paragraphs) == len(set(paragraphs)) == 4


def test_boilerplate_is_gone_and_broken_sentences_are_whole(lib):
    text = {n: "\n".join(lib.get(seed_id(lib, n)).paragraphs) for n in range(5)}
    assert "Image Credit" not in text[1] and "is a seasoned defense journalist" not in text[1]
    assert "Photo: AP" not in text[2]
    assert "Post a Comment" not in text[3] and "0 Comments" not in text[3]
    assert "pic.twitter.com" not in text[4] and "featured-image" not in text[4]
    assert "as many as 4.8 million artillery shells" in text[4]


def test_author_from_the_bio(lib):
    assert lib.get(seed_id(lib, 1)).author == "Stavros Atlamazoglou"
    assert found(lib, "author:atlamazoglou") == {1}


def test_search_stems_phrases_and_fuzzy(lib):
    assert 4 in found(lib, "deploy")  # "being deployed"
    assert found(lib, '"special forces"') == {0, 2}
    assert found(lib, "budanow~1") == {4}
    assert found(lib, "vladivostok NOT kursk") == {0, 3}
    assert found(lib, "title:alliance") == {3}
