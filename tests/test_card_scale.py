"""Cards over many articles: a card that uses fewer articles than match says so (CLI, JSON, Markdown, the app);
a big card says what it bounded; and the fast paths that made cards scale give what the paths they replace
gave (merged claims, key facts' wording, date patterns, cached tokens)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("briefs.extract")

from briefs import dates, facts, prepare  # noqa: E402
from briefs.card import build_card  # noqa: E402
from briefs.export import card_to_json, card_to_markdown  # noqa: E402
from briefs.extract import ExtractionCache  # noqa: E402
from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo"
SCHEMA_PATH = ROOT / "briefs" / "card.schema.json"
SEEDS = ROOT.parent / "shared" / "seeds"


def brief(*args: str, library: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BRIEF_LIBRARY"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "tui", "--library", str(library), *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


@pytest.fixture(scope="module")
def demo_lib(tmp_path_factory) -> Library:
    lib = Library(tmp_path_factory.mktemp("lib"))
    update(lib, [DEMO], rebuild=True)
    return lib


def _matching(lib: Library, query: str) -> int:
    from index.search import search

    with lib.open_index().searcher() as searcher:
        return search(searcher, query, limit=1, snippets=False).total


QUERY = "dam"


def test_a_card_over_fewer_articles_than_match_says_so_in_the_cli_json_and_markdown(demo_lib):
    total = _matching(demo_lib, QUERY)
    assert total >= 3, "the demo library has several articles about the dam"
    done = brief("card", QUERY, "--limit", "2", "--format", "json", "--quiet", library=demo_lib.root)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["sources"]) == 2
    assert (data["articles_used"], data["articles_matching"], data["chosen_by"]) == (2, total, "relevance")
    assert f"the 2 most relevant of {total} matching articles" in done.stderr
    assert "--limit" in done.stderr  # and how to use more

    md = brief("card", QUERY, "--limit", "2", "--quiet", library=demo_lib.root)
    assert md.returncode == 0, md.stderr
    assert f"Built from the 2 most relevant of {total} matching articles." in md.stdout
    assert f"articles_matching: {total}" in md.stdout.split("---")[1]  # the front matter too


def test_a_card_over_every_matching_article_says_nothing_of_a_selection(demo_lib):
    total = _matching(demo_lib, QUERY)
    done = brief("card", QUERY, "--format", "json", "--quiet", library=demo_lib.root)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["articles_used"] == data["articles_matching"] == total == len(data["sources"])
    assert data["chosen_by"] is None and data["reduced"] == {}
    assert "matching articles" not in done.stderr
    md = brief("card", QUERY, "--quiet", library=demo_lib.root)
    assert "Built from the" not in md.stdout and "articles_matching" not in md.stdout


def test_the_new_fields_follow_the_schema(demo_lib):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_card import _validate

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    articles = list(demo_lib.articles())
    card = build_card(articles[:2], query=QUERY, duplicates={}, cache=ExtractionCache(None), matching=9,
                      chosen_by="relevance")
    data = json.loads(card_to_json(card))
    assert _validate(data, schema, schema) is None
    assert (data["articles_used"], data["articles_matching"], data["chosen_by"]) == (2, 9, "relevance")
    # a card kept before these fields existed still validates: they are optional
    old = {k: v for k, v in data.items() if k not in ("articles_used", "articles_matching", "chosen_by", "reduced")}
    assert _validate(old, schema, schema) is None


def test_a_big_card_says_what_it_bounded_and_a_small_one_bounds_nothing(demo_lib, monkeypatch):
    articles = list(demo_lib.articles())
    cache = ExtractionCache(None)
    small = build_card(articles, query=None, duplicates={}, cache=cache)
    assert small.reduced == {} and small.reduced_note() is None
    monkeypatch.setattr(prepare, "BIG_CARD", 3)  # the demo library's articles stand for 200
    monkeypatch.setattr(prepare, "BIG_UNITS", 3 * len(articles))
    big = build_card(articles, query=None, duplicates={}, cache=cache)
    assert big.reduced["candidate_df"] == prepare.CANDIDATE_DF
    assert big.reduced["sentences_per_article"] == 3
    md = card_to_markdown(big)
    assert "first 3 sentences of each of the" in md and "reduced to stay fast" in md
    assert json.loads(card_to_json(big))["reduced"] == big.reduced


# -- the fast paths, each against the path it replaces -------------------------------------------------


def _merged_over_all_pairs(prep) -> list[list[tuple[str, int]]]:
    """merged_claims as it was: every claim asked against every group opened before it (each group's sentences)."""
    from briefs.align import similarity

    claims = list(prep.claims)
    where = {(u.article_id, u.index): k for k, u in enumerate(prep.units)}
    feats = prep.vectorizer.features

    def sim(x, y):
        i, j = sorted((where[(x.article_id, x.index)], where[(y.article_id, y.index)]))
        return similarity(prep.units[i], prep.units[j], feats[i], feats[j])

    def names(x):
        return frozenset(w.lower() for w in re.findall(r"\b[A-Z][a-z]+", x.text) if w.lower() not in facts._STOP)

    order = sorted(range(len(claims)), key=lambda k: (-prep.independent(claims[k].article_ids), k))
    groups: dict[int, list[int]] = {}
    for k in order:
        into = next((g for g in groups if facts._same_report(claims[g], claims[k], sim, names)), None)
        groups.setdefault(k if into is None else into, []).append(k)
    return [sorted({(u.article_id, u.index) for k in members for u in claims[k].units}) for members in groups.values()]


MULTINEWS = ROOT.parent / "shared" / "corpora" / "multinews-dev"
TWICE = {  # an article that says one thing twice: two claims merged into one (as in test_facts)
    "a.txt": "Israel's cabinet approved the activation of up to 75,000 reservists late on Friday.\n\n"
             "Rockets hit the south of the country again overnight, the army said.\n\n"
             "Israel's cabinet on Friday authorized the mobilization of up to 75,000 reservists, a spokesman said.",
    "b.txt": "Israel's Cabinet authorized the mobilization of up to 75,000 reservists, a spokesman says.\n\n"
             "Schools in the south stayed closed for a third day.\n\n"
             "Israel's Cabinet on Friday approved the activation of up to 75,000 reservists, spokesman Mark Regev said.",
}


@pytest.fixture(scope="module")
def many_articles(demo_lib, tmp_path_factory) -> list:
    """The demo articles, the seeds, a few real multinews-dev clusters and two articles whose claims merge."""
    src = tmp_path_factory.mktemp("src")
    for name, text in TWICE.items():
        (src / name).write_text(text, encoding="utf-8")
    if SEEDS.is_dir():
        for p in SEEDS.glob("*.txt"):
            (src / f"seed-{p.name}").write_bytes(p.read_bytes())
    for cluster in ("cluster_152", "cluster_161", "cluster_100", "cluster_101"):
        for p in sorted((MULTINEWS / cluster).glob("article_*.txt")):
            (src / f"{cluster}-{p.name}").write_bytes(p.read_bytes())
    lib = Library(tmp_path_factory.mktemp("many"))
    update(lib, [src], rebuild=True)
    return list(demo_lib.articles()) + list(lib.articles())


def test_merged_claims_merge_what_asking_every_pair_merged(many_articles):
    assert len(many_articles) >= 8
    cache = ExtractionCache(None)
    merged_some = False
    for chosen in (many_articles, many_articles[: len(many_articles) // 2], many_articles[len(many_articles) // 3:]):
        prep = prepare.prepare(chosen, {}, cache)
        fast = facts.merged_claims(prep)
        assert len(prep.claims) >= 2
        assert [sorted((u.article_id, u.index) for u in c.units) for c in fast] == _merged_over_all_pairs(prep)
        merged_some |= len(fast) < len(prep.claims)
    assert merged_some  # the comparison saw claims merged, not only claims left alone


def test_date_patterns_guarded_by_a_cheap_search_find_what_every_pattern_finds(many_articles, monkeypatch):
    from datetime import date

    cache = ExtractionCache(None)
    sentences = [s.text for a in many_articles for s in cache.get(a).sentences]
    sentences += ["Between March 3 and 5, 2024, the dam held.", "On Monday (March 4) it rained.",
                  "In the spring of 2019 and late summer, they met yesterday.", "The 1950-53 war; last week",
                  "from 3 to 5 May 2021", "Sept. 9", "early May 2020", "this year", "in 2012"]
    published = date(2025, 3, 5)
    guarded = [dates._matches(s, published) for s in sentences]
    every = {k: re.compile("") for k in dates._MUST}  # a guard that always passes: every pattern runs
    monkeypatch.setattr(dates, "_MUST", every)
    assert [dates._matches(s, published) for s in sentences] == guarded
    assert sum(map(len, guarded)) > 20


def test_cached_tokens_and_attributions_are_the_callers_own():
    from briefs.entities import attribution_spans, tokenize

    text = "The dam will hold, chief engineer Mara Velez said on Monday."
    first = tokenize(text)
    first.clear()
    assert [t.text for t in tokenize(text)][:3] == ["The", "dam", "will"]
    spans = attribution_spans(text)
    assert spans and spans[0][1].endswith("Mara Velez")
    spans.append((0, "someone else"))
    assert attribution_spans(text) != spans


# -- the app ---------------------------------------------------------------------------------------------


def test_the_card_screen_says_it_uses_the_most_relevant_of_the_matching_articles(demo_lib, monkeypatch):
    from textual.app import App

    import tui.app  # noqa: F401 - the app-wide actions the key bar shows
    from tui.screens.card import CardScreen

    total = _matching(demo_lib, QUERY)
    monkeypatch.setattr(CardScreen, "QUERY_LIMIT", 2)

    class Harness(App):
        def __init__(self) -> None:
            super().__init__()
            self.library = demo_lib
            self.marked, self.pinned = [], []

        def on_mount(self) -> None:
            self.push_screen(CardScreen(query=QUERY))

    async def run() -> tuple[str, list[str], object]:
        app = Harness()
        async with app.run_test(size=(140, 40)) as pilot:
            for _ in range(200):
                await pilot.pause(0.05)
                screen = app.screen
                if getattr(screen, "card", None) is not None:
                    break
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            status = str(screen.query_one("#card-status").render())
            rows = [r for r in screen.rows.rows if r.kind == "selection"]
            return status, [str(r.body) for r in rows], screen.card

    status, notes, card = asyncio.run(run())
    assert card is not None and len(card.sources) == 2
    assert f"2 of {total} matching articles" in status
    assert notes == [f"Built from the 2 most relevant of {total} matching articles."]
