"""The gold annotations of the bundled demo library must match the demo files exactly.

The briefing engine is scored against tests/gold/demo_gold.json; a gold string that is not in its
article (or an article missing from the gold) would make that score meaningless.
"""

from __future__ import annotations

import html
import json
import re
from itertools import combinations
from pathlib import Path

import feedparser
import pytest
import trafilatura

from index.dedup import THRESHOLD, resemblance, sketch

GOLD_PATH = Path(__file__).resolve().parent / "gold" / "demo_gold.json"
_TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def gold() -> dict:
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))


def entry_text(path: Path, entry: str | None) -> str:
    """The text a gold string must be found in: the file, or one entry of a feed or JSON lines file."""
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        (row,) = [r for r in rows if r["title"] == entry]
        return row["title"] + "\n\n" + row["body"]
    if path.suffix in (".rss", ".atom"):
        (item,) = [e for e in feedparser.parse(str(path)).entries if e.title == entry]
        return html.unescape(item.title + "\n\n" + item.content[0].value)
    assert entry is None, f"{path.name} holds one article, but the gold names entry {entry!r}"
    raw = path.read_text(encoding="utf-8")
    return html.unescape(raw) if path.suffix == ".html" else raw


def squash(text: str) -> str:
    """Whitespace removed: hard wraps and pastes that split a sentence mid-token still match."""
    return re.sub(r"\s+", "", text)


def contains(demo_dir: Path, file: str, entry: str | None, needle: str) -> bool:
    return squash(needle) in squash(entry_text(demo_dir / file, entry))


def readable_text(path: Path, entry: str | None) -> str:
    """Roughly what a reader shows: the extracted article for saved pages, tags dropped elsewhere."""
    if path.suffix == ".html":
        return trafilatura.extract(path.read_text(encoding="utf-8"), include_comments=False)
    return _TAG.sub(" ", entry_text(path, entry))


def story_words(text: str) -> set[str]:
    return set(re.findall(r"\w+", _TAG.sub(" ", text).lower()))


def test_every_demo_file_and_entry_is_annotated(gold, demo_dir):
    on_disk = {p.relative_to(demo_dir).as_posix() for p in demo_dir.rglob("*") if p.is_file()}
    annotated = {a["file"] for a in gold["articles"]}
    assert annotated == on_disk
    for article in gold["articles"]:
        text = entry_text(demo_dir / article["file"], article["entry"])
        if not article.get("title_from_lede"):
            assert squash(article["title"]) in squash(text), article["file"]


def test_story_has_the_promised_shape(gold):
    story = [a for a in gold["articles"] if a["story"]]
    assert 11 <= len(story) <= 13
    assert 3 <= len(gold["articles"]) - len(story) <= 4
    assert len({a["outlet"] for a in story if a["outlet"]}) in (5, 6)
    assert sum(1 for a in gold["articles"] if a["syndicated_copy_of"]) == 1


def test_fact_evidence_is_in_the_named_articles(gold, demo_dir):
    outlets = {(a["file"], a["entry"]): a["outlet"] for a in gold["articles"]}
    for fact in gold["facts"]:
        assert len(fact["evidence"]) == len(fact["where"]), fact["text"]
        for evidence, where in zip(fact["evidence"], fact["where"]):
            assert contains(demo_dir, where["file"], where["entry"], evidence), (fact["text"], evidence)
        named = {outlets[(w["file"], w["entry"])] for w in fact["where"]} - {None}
        assert set(fact["outlets"]) == named, fact["text"]


def test_figure_sentences_and_quotes_are_exact(gold, demo_dir):
    for figure in gold["figures"]:
        assert contains(demo_dir, figure["file"], figure["entry"], figure["sentence"]), figure["sentence"]
    for quote in gold["quotes"]:
        assert contains(demo_dir, quote["file"], quote["entry"], quote["text"]), quote["text"]


def test_boilerplate_and_not_figures_occur_in_the_demo(gold, demo_dir):
    everything = squash("".join(html.unescape(p.read_text(encoding="utf-8")) for p in demo_dir.rglob("*") if p.is_file()))
    for text in gold["boilerplate"] + gold["not_figures"]:
        assert squash(text) in everything, text


def test_disagreements_are_backed_by_figures(gold):
    for disagreement in gold["disagreements"]:
        counted = {f["value"] for f in gold["figures"] if f["counted"] == disagreement["about"]}
        assert set(disagreement["values"]) <= counted, disagreement["about"]
        assert len(set(disagreement["values"])) >= 2


def test_story_query_separates_story_from_unrelated(gold, demo_dir):
    terms = set(gold["story_query"].lower().split())
    for article in gold["articles"]:
        words = story_words(entry_text(demo_dir / article["file"], article["entry"]))
        assert terms <= words if article["story"] else not terms <= words, article["title"]


def test_only_the_syndicated_copy_is_a_near_duplicate(gold, demo_dir):
    sketches = {(a["file"], a["entry"]): sketch(readable_text(demo_dir / a["file"], a["entry"]))
                for a in gold["articles"]}
    copies = {((a["file"], a["entry"]), (a["syndicated_copy_of"], None))
              for a in gold["articles"] if a["syndicated_copy_of"]}
    for a, b in combinations(sketches, 2):
        similar = resemblance(sketches[a], sketches[b]) >= THRESHOLD
        assert similar == ((a, b) in copies or (b, a) in copies), (a, b)


def test_actors_are_named_in_story_text(gold, demo_dir):
    story_text = " ".join(entry_text(demo_dir / a["file"], a["entry"]) for a in gold["articles"] if a["story"])
    for name in gold["organizations"] + gold["places"]:
        assert name in story_text, name
    for person in gold["people"]:
        if person["story"]:
            assert person["name"] in story_text, person["name"]
    speakers = {p["name"] for p in gold["people"]} | set(gold["organizations"])
    for quote in gold["quotes"]:
        assert quote["speaker"] is None or quote["speaker"] in speakers, quote["speaker"]
