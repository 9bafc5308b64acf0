"""Honest independence (articles of unknown outlet never count as outlets of their own), and the outlet, date
and title a user sets (`brief set`): stored in the library, applied at once, kept across re-indexing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from briefs.card import build_card
from briefs.compare import compare
from briefs.export import card_to_markdown
from briefs.sources import independent_sources, support_label
from index import documents
from index.indexer import set_metadata, update
from index.library import Library
from index.model import Article
from index.search import search

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"

STORY = [
    "The Kavra dam failed on Monday night after days of heavy rain, flooding three villages in the valley.",
    "About 1,200 residents were evacuated from the valley by Tuesday morning, the regional governor said.",
    "Engineers said the spillway had been damaged during a storm last winter and never fully repaired.",
]


def pasted(n: int, outlet: str | None = None) -> Article:
    """The same story, worded a little differently, as a pasted article (no outlet unless given)."""
    lede = f"Report {n}: " + STORY[0]
    return Article(id=f"art{n:05d}", path=f"/tmp/pasted/{n}.txt", title=f"Dam fails in Kavra ({n})",
                   paragraphs=[lede, *STORY[1:]], outlet=outlet)


def dam_fact(card):
    return next(f for f in card.facts if "dam failed" in f.text)


# ---------------------------------------------------------------------------------------------- independence


def test_unknown_outlets_count_as_one_source_together():
    outlets = {"a": None, "b": None, "c": None, "d": "Meridian", "e": "meridian ", "f": "Harbour Ledger"}
    assert independent_sources(["a", "b", "c"], outlets, {}) == 1
    assert independent_sources(["a", "b", "d", "e"], outlets, {}) == 2
    assert independent_sources(["a", "d", "f"], outlets, {}) == 3
    # an unknown-outlet copy of a known outlet's article counts with that outlet, not as the unknown source
    assert independent_sources(["a", "d"], outlets, {"a": ["d"], "d": ["a"]}) == 1


def test_fifteen_pasted_articles_are_one_source():
    outlets = {f"a{n}": None for n in range(15)}
    assert independent_sources(list(outlets), outlets, {}) == 1
    assert support_label(1, 15, 15) == "15 articles, outlets unknown"


def test_pasted_articles_are_never_as_many_sources_nor_confirmed():
    card = build_card([pasted(n) for n in range(5)], query="kavra dam", duplicates={})
    fact = dam_fact(card)
    assert fact.articles == 5 and fact.unknown_outlet_articles == 5
    assert fact.independent == 1 and fact.credibility == 3  # never "5 sources · credibility 1 confirmed"
    data = card.to_json()["facts"][card.facts.index(fact)]
    assert (data["independent_sources"], data["articles"], data["unknown_outlet_articles"]) == (1, 5, 5)
    md = card_to_markdown(card)
    assert "5 articles, outlets unknown" in md and "5 independent sources" not in md
    assert "5 source articles, outlets unknown" in md


def test_unknown_outlets_weigh_at_most_one_source_beside_the_known_ones():
    articles = [pasted(1, "Meridian"), pasted(2, "Harbour Ledger")] + [pasted(n) for n in range(3, 8)]
    fact = dam_fact(build_card(articles, query="kavra dam", duplicates={}))
    assert (fact.independent, fact.articles, fact.unknown_outlet_articles) == (3, 7, 5)
    assert support_label(fact.independent, fact.articles, fact.unknown_outlet_articles) == \
        "2 sources + 5 articles, outlets unknown"
    one_known = dam_fact(build_card([pasted(1, "Meridian"), pasted(2), pasted(3)], query="kavra dam", duplicates={}))
    assert one_known.independent == 2 and one_known.credibility == 2  # not 3 sources, not confirmed


def test_setting_outlets_makes_the_articles_count_as_sources():
    fact = dam_fact(build_card([pasted(n, f"Outlet {n}") for n in range(3)], query="kavra dam", duplicates={}))
    assert (fact.independent, fact.unknown_outlet_articles, fact.credibility) == (3, 0, 1)


def test_compare_counts_unknown_outlets_honestly():
    result = compare([pasted(1), pasted(2), pasted(3)], {})
    claim = next(c for c in result.aligned if "dam failed" in c.sides[0].text)
    data = claim.to_json()
    assert (data["independent_sources"], data["articles"], data["unknown_outlet_articles"]) == (1, 3, 3)


def test_the_apps_compare_and_card_counts_say_articles_when_outlets_are_unknown():
    from tui.screens.card import card_rows
    from tui.screens.compare import _count

    result = compare([pasted(1), pasted(2), pasted(3)], {})
    claim = next(c for c in result.aligned if "dam failed" in c.sides[0].text)
    assert _count(claim.independent, claim) == "3 articles, outlets unknown"
    card = build_card([pasted(1, "Meridian"), pasted(2), pasted(3)], query="kavra dam", duplicates={})
    rows, _ = card_rows(card)
    metas = [r.meta.plain for r in rows if getattr(r, "meta", None) is not None]
    assert any(m.startswith("1 source + 2 articles, outlets unknown · credibility 2") for m in metas), metas


@pytest.mark.skipif(not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")), reason="../shared/seeds is not present")
def test_the_seeds_card_says_its_outlets_are_unknown(tmp_path):
    lib = Library(tmp_path / "lib")
    update(lib, [SEEDS])
    card = build_card(list(lib.articles()), query=None, duplicates=lib.near_duplicates())
    assert card.facts and all(f.independent == 1 and f.credibility in (3, 5) for f in card.facts)
    assert all(f.unknown_outlet_articles == f.articles for f in card.facts)
    assert "independent sources" not in card_to_markdown(card).split("## Key facts")[1].split("*Credibility")[0]


# ---------------------------------------------------------------------------------------------- overrides


def write(folder: Path, name: str, title: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def indexed(tmp_path):
    src = tmp_path / "src"
    write(src, "one.txt", "Floodwater reaches Kavra harbour", "The river at Kavra rose two metres overnight, the "
          "harbour master said on Tuesday.\n\nCrews worked through the night to shore up the embankment.")
    write(src, "two.txt", "Ferry services suspended along the coast", "All ferries between Osk and Lemma were "
          "cancelled after the storm warning, the operator said.\n\nServices resume on Friday if winds drop.")
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    ids = {r["title"]: r["id"] for r in lib.catalog()}
    return lib, src, ids["Floodwater reaches Kavra harbour"]


def hits(lib: Library, query: str) -> list[str]:
    with lib.open_index().searcher() as s:
        return [h.id for h in search(s, query, limit=20).hits]


def row_of(lib: Library, aid: str) -> dict:
    lib.forget()
    return next(r for r in lib.catalog() if r["id"] == aid)


def test_set_outlet_date_and_title_is_seen_at_once_everywhere(indexed):
    lib, src, aid = indexed
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    row = set_metadata(lib, aid[:5], {"outlet": "Kavra Courier", "published": "2025-03-04", "title": "Harbour flood"})
    assert (row["id"], row["outlet"], row["published"], row["title"]) == (aid, "Kavra Courier", "2025-03-04",
                                                                         "Harbour flood")
    assert row["set"] == {"outlet": "Kavra Courier", "published": "2025-03-04", "title": "Harbour flood"}
    assert hits(lib, "outlet:courier") == [aid] and hits(lib, "title:harbour") == [aid]
    assert hits(lib, "date:2025-03-04") == [aid]
    article = lib.get(aid)
    assert (article.outlet, article.published, article.title) == ("Kavra Courier", date(2025, 3, 4), "Harbour flood")
    assert row_of(lib, aid)["outlet"] == "Kavra Courier"
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before  # sources never modified
    stored = json.loads((lib.root / "overrides.json").read_text())
    assert stored == {"version": 1, "articles": {aid: {"outlet": "Kavra Courier", "published": "2025-03-04",
                                                      "title": "Harbour flood"}}}


def test_overrides_are_kept_when_the_file_changes_and_across_rebuild(indexed):
    lib, src, aid = indexed
    set_metadata(lib, aid, {"outlet": "Kavra Courier"})
    with open(src / "one.txt", "a", encoding="utf-8") as f:
        f.write("\nThe harbour reopens on Monday, the master said in a later statement.\n")
    report = update(lib)
    assert report.updated == 1
    assert row_of(lib, aid)["outlet"] == "Kavra Courier" and hits(lib, "outlet:courier") == [aid]
    update(lib, rebuild=True)
    assert row_of(lib, aid)["outlet"] == "Kavra Courier" and hits(lib, "outlet:courier") == [aid]
    assert lib.get(aid).outlet == "Kavra Courier"


def test_clearing_gives_back_what_the_file_states(indexed):
    lib, src, aid = indexed
    set_metadata(lib, aid, {"outlet": "Kavra Courier", "title": "Harbour flood"})
    row = set_metadata(lib, aid, {"outlet": ""})
    assert row["outlet"] is None and row["title"] == "Harbour flood" and row["set"] == {"title": "Harbour flood"}
    assert hits(lib, "outlet:courier") == []
    row = set_metadata(lib, aid, {"title": None})
    assert row["title"] == "Floodwater reaches Kavra harbour" and row["set"] == {}
    assert json.loads((lib.root / "overrides.json").read_text())["articles"] == {}
    assert "own" not in row_of(lib, aid)


def test_an_override_not_yet_applied_is_applied_by_the_next_index(indexed):
    lib, src, aid = indexed
    # a `brief set` killed after writing overrides.json, before its commit (or the file edited by hand)
    (lib.root / "overrides.json").write_text(json.dumps({"version": 1, "articles": {aid: {"outlet": "Late Wire"}}}))
    update(lib)
    assert row_of(lib, aid)["outlet"] == "Late Wire" and hits(lib, "outlet:wire") == [aid]


def test_a_damaged_overrides_file_is_said_and_never_stops_indexing(indexed):
    lib, src, aid = indexed
    set_metadata(lib, aid, {"outlet": "Kavra Courier"})
    (lib.root / "overrides.json").write_text("{not json")
    report = update(lib)
    assert any("overrides.json is damaged" in n for n in report.notes)
    assert row_of(lib, aid)["outlet"] == "Kavra Courier"  # what was applied stays
    assert documents.OVERRIDES == {}


def test_bad_values_and_unknown_ids_change_nothing(indexed):
    lib, src, aid = indexed
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        set_metadata(lib, aid, {"published": "04/03/2025"})
    with pytest.raises(ValueError, match="calendar"):
        set_metadata(lib, aid, {"published": "2025-02-30"})
    with pytest.raises(LookupError, match="no article with id"):
        set_metadata(lib, "zzzzzz", {"outlet": "X"})
    assert not (lib.root / "overrides.json").exists()
    assert row_of(lib, aid)["outlet"] is None


def test_the_parallel_writer_applies_overrides_too(tmp_path, monkeypatch):
    import index.indexer as indexer

    src = tmp_path / "src"
    for n in range(6):
        write(src, f"{n}.txt", f"Story number {n} about the harbour", f"The harbour at Kavra reopened, report {n} "
              f"said on Tuesday.\n\nShips waited outside for a day, report {n} added.")
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    aid = next(r["id"] for r in lib.catalog() if r["title"].startswith("Story number 3"))
    set_metadata(lib, aid, {"outlet": "Harbour Wire"})
    monkeypatch.setattr(indexer, "PARALLEL_THRESHOLD", 2)
    update(lib, rebuild=True)
    assert row_of(lib, aid)["outlet"] == "Harbour Wire" and hits(lib, "outlet:wire") == [aid]


# ---------------------------------------------------------------------------------------------- the command


def brief(*args: str, library: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BRIEF_LIBRARY"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "tui", "--library", str(library), *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def test_brief_set_prints_json_and_says_its_errors_in_one_line(indexed):
    lib, src, aid = indexed
    done = brief("set", aid, "--outlet", "Kavra Courier", "--date", "2025-03-04", "--json", library=lib.root)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["outlet"] == "Kavra Courier" and data["published"] == "2025-03-04" and data["id"] == aid
    listed = json.loads(brief("list", "--json", library=lib.root).stdout)["articles"]
    assert next(r for r in listed if r["id"] == aid)["outlet"] == "Kavra Courier"
    found = json.loads(brief("search", "outlet:courier", "--json", library=lib.root).stdout)
    assert [h["id"] for h in found["hits"]] == [aid]

    bad = brief("set", aid, "--date", "March 4", library=lib.root)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "YYYY-MM-DD" in bad.stderr
    unknown = brief("set", "zzzzzz", "--outlet", "X", library=lib.root)
    assert unknown.returncode == 1 and "no article with id 'zzzzzz'" in unknown.stderr
    assert unknown.stderr.strip().count("\n") == 0
    nothing = brief("set", aid, library=lib.root)
    assert nothing.returncode == 2 and "--outlet" in nothing.stderr
    shown = brief("show", aid, library=lib.root).stdout
    assert "Kavra Courier (set by you)" in shown and "2025-03-04 (set by you)" in shown
    cleared = brief("set", aid, "--outlet", "", library=lib.root)
    assert cleared.returncode == 0 and "unknown outlet" in cleared.stdout
