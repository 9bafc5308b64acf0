"""The bundled demo library, indexed as `brief --demo` does it, searched the way the README says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.indexer import update
from index.library import Library
from index.search import search

GOLD = json.loads((Path(__file__).resolve().parent / "gold" / "demo_gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    demo_dir = Path(__file__).resolve().parent.parent / "index" / "demo"
    lib = Library(tmp_path_factory.mktemp("demo-lib"))
    report = update(lib, [demo_dir])
    return lib, report


def titles(lib: Library, q: str) -> set[str]:
    with lib.open_index().searcher() as s:
        return {h.title for h in search(s, q, limit=50).hits}


def gold_titles(**where) -> set[str]:
    return {a["title"] for a in GOLD["articles"] if all(a.get(k) == v for k, v in where.items())}


def test_every_demo_file_is_read_without_a_problem(demo):
    lib, report = demo
    assert report.problems == [] and report.skipped == {}
    assert lib.article_count() == len(GOLD["articles"])


def test_the_story_query_finds_the_story_and_nothing_else(demo):
    lib, _ = demo
    story = {t for t in gold_titles(story=True) if not t.endswith(".")}  # one title is derived from its lede
    found = titles(lib, '"sorrel dam"')
    assert story <= found
    assert not found & gold_titles(story=False)


def test_fields_narrow_by_outlet_author_tag_and_date(demo):
    lib, _ = demo
    assert titles(lib, 'outlet:"kavra evening post"') == gold_titles(outlet="Kavra Evening Post")
    assert titles(lib, "author:marlow") == gold_titles(author="Tomas Marlow")
    assert titles(lib, "date:2025-03-06") == gold_titles(published="2025-03-06")
    assert titles(lib, "date:..2025-03-04") == {a["title"] for a in GOLD["articles"]
                                                if a["published"] and a["published"] <= "2025-03-04"}


def test_fuzzy_search_forgives_swapped_letters_in_a_name(demo):
    lib, _ = demo
    assert titles(lib, "petrle~") == titles(lib, "petrel") != set()


def test_not_excludes_and_stemming_joins_word_forms(demo):
    lib, _ = demo
    assert "Beavers are back in the Ammer marshes after a century away" not in titles(lib, "dam NOT beavers")
    assert titles(lib, "flooding") == titles(lib, "floods") == titles(lib, "flooded")


def test_the_syndicated_copy_is_linked_to_its_original(demo):
    lib, _ = demo
    by_title = {r["title"]: r["id"] for r in lib.catalog()}
    for a in GOLD["articles"]:
        if a["syndicated_copy_of"]:
            (original,) = [g["title"] for g in GOLD["articles"] if g["file"] == a["syndicated_copy_of"]]
            assert by_title[original] in lib.near_duplicates()[by_title[a["title"]]]
    linked = {i for ids in lib.near_duplicates().values() for i in ids}
    assert len(linked) == 2 * sum(1 for a in GOLD["articles"] if a["syndicated_copy_of"])
