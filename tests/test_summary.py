"""The card's summaries: the 1-3 sentence bottom line and the summary of about N words (--summary-words),
on made-up articles and on a real multinews-dev cluster (skipped without ../shared)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from briefs.card import build_card
from briefs.summary import words
from index.model import Article
from index.readers import read_file

CLUSTERS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "multinews-dev"


def art(aid: str, outlet: str | None, day: int | None, *paragraphs: str, title: str | None = None) -> Article:
    return Article(id=aid, path=f"/tmp/{aid}.txt", title=title or f"Story {aid}", paragraphs=list(paragraphs),
                   outlet=outlet, published=date(2025, 3, day) if day else None)


FLOOD = [
    art("f1", "Meridian", 2,
        "The Kavra dam failed on Saturday after four days of heavy rain, flooding the lower valley towns.",
        "About 1,200 residents were evacuated from the valley overnight by the regional emergency service.",
        "Engineers had warned in January that the spillway of the Kavra dam could not cope with a major flood.",
        "PHOTOS: The Kavra valley under water",
        "The regional governor said the army would help rebuild the two bridges that were swept away."),
    art("f2", "Harbour Ledger", 3,
        "Heavy rain caused the Kavra dam to fail on Saturday, and the lower valley towns were flooded.",
        "Some 1,200 people left their homes in the valley during the night, the emergency service said.",
        "A report in January had found that the spillway of the dam was too small for a major flood.",
        "Insurers expect claims from the flooded towns to run well into the millions over the coming months.",
        "Schools in the valley will stay closed for the rest of the week while the water goes down."),
    art("f3", "Wire Daily", 4,
        "Rescuers in the Kavra valley searched flooded houses on Monday after the dam gave way on Saturday.",
        "The emergency service said about 1,200 residents had been evacuated and that nobody was missing.",
        "The governor promised an inquiry into why the warnings about the spillway had not been acted on.",
        "Farmers said the floodwater had ruined the spring planting across most of the lower valley fields.",
        "Volunteers from neighbouring provinces arrived with boats, pumps and food for the evacuated families."),
]


ARTICLES: dict[int, list[Article]] = {}  # id(card) -> the articles it was built over


def own_location(card, line):
    """(source rank, paragraph, offset) of the sentence a summary line is, from its locations."""
    rank = {s.id: n for n, s in enumerate(card.sources)}
    paragraphs = {a.id: a.paragraphs for a in ARTICLES[id(card)]}
    found = [(rank[loc.source], loc.paragraph, paragraphs[loc.source][loc.paragraph].index(line.text))
             for loc in line.locations if line.text in paragraphs[loc.source][loc.paragraph]]
    assert found, f"no location of {line.text!r} holds it"
    return min(found)  # its first appearance, when articles carry the same sentence


def card_over(articles, n=None):
    card = build_card(articles, query=None, duplicates={}, summary_words=n)
    ARTICLES[id(card)] = articles
    return card


def check_summary(card, n):
    texts = [s.text for s in card.summary]
    assert texts, "a summary was asked for"
    assert sum(map(words, texts)) <= n
    assert len(set(texts)) == len(texts), "no sentence twice"
    places = [own_location(card, s) for s in card.summary]
    assert places == sorted(places), "reading order: the card's article order, then each article's own order"
    for line in card.summary:
        assert line.text[-1] in ".!\"”’'", f"a whole sentence: {line.text!r}"
        for loc in line.locations:
            article = next(a for a in ARTICLES[id(card)] if a.id == loc.source)
            assert 0 <= loc.paragraph < len(article.paragraphs)


def test_no_summary_unless_asked_for_and_the_bottom_line_stays_one_to_three_sentences():
    card = card_over(FLOOD)
    assert card.summary == [] and card.to_json()["summary"] == []
    assert 1 <= len(card.bottom_line) <= 3
    longer = card_over(FLOOD, 120)
    assert [s.text for s in longer.bottom_line] == [s.text for s in card.bottom_line]


def test_a_summary_of_about_n_words_in_whole_sentences_in_reading_order():
    card = card_over(FLOOD, 80)
    check_summary(card, 80)
    assert sum(words(s.text) for s in card.summary) >= 60  # about N: the budget is filled, not a sentence or two
    assert "PHOTOS" not in " ".join(s.text for s in card.summary)
    json_lines = card.to_json()["summary"]
    assert [j["text"] for j in json_lines] == [s.text for s in card.summary]
    assert all(j["locations"] and j["sources"] for j in json_lines)


def test_a_fact_every_article_reports_is_said_once_and_cites_them_all():
    card = card_over(FLOOD, 400)
    check_summary(card, 400)
    evacuated = [s for s in card.summary if "1,200" in s.text]
    assert len(evacuated) == 1, [s.text for s in evacuated]
    assert set(evacuated[0].sources) == {"f1", "f2", "f3"}


def test_a_summary_longer_than_the_articles_takes_each_sentence_once():
    card = card_over(FLOOD[:1], 1000)
    check_summary(card, 1000)
    assert len(card.summary) == 4  # every sentence of the article but the "PHOTOS:" label


def test_a_budget_smaller_than_any_sentence_still_gives_one_sentence():
    card = card_over(FLOOD, 3)
    assert len(card.summary) == 1 and card.summary[0].text in {s.text for s in card_over(FLOOD, 400).summary}


def test_the_summary_does_not_depend_on_the_order_articles_come_in():
    expected = [(s.text, s.locations) for s in card_over(FLOOD, 90).summary]
    for seed in range(3):
        shuffled = FLOOD[:]
        random.Random(seed).shuffle(shuffled)
        assert [(s.text, s.locations) for s in card_over(shuffled, 90).summary] == expected


@pytest.fixture(scope="module")
def cluster():
    folder = CLUSTERS / "cluster_100"
    if not folder.is_dir():
        pytest.skip("../shared/corpora/multinews-dev is not present")
    return [a for f in sorted(folder.glob("article_*.txt")) for a in read_file(f)]  # never summary.txt


def test_a_250_word_summary_of_a_real_cluster(cluster):
    card = card_over(cluster, 250)
    check_summary(card, 250)
    assert sum(words(s.text) for s in card.summary) >= 200
    assert 1 <= len(card.bottom_line) <= 3
    assert len({src for s in card.summary for src in s.sources}) >= 2, "a multi-source story is told from its sources"


def test_a_quote_that_runs_over_sentences_is_one_line_never_cut_open():
    articles = [
        art("q1", "Meridian", 2,
            "The Kavra dam failed on Saturday after four days of heavy rain, flooding the lower valley towns.",
            "“We lost the spillway in minutes. Nobody could have held that water back,” said Lena Ortiz, who runs "
            "the dam for the regional water board."),
        art("q2", "Harbour Ledger", 3,
            "Heavy rain caused the Kavra dam to fail on Saturday, and the lower valley towns were flooded.",
            "Rescuers searched the flooded houses of the lower valley towns for two days after the dam failed."),
    ]
    card = card_over(articles, 200)
    check_summary(card, 200)
    texts = [s.text for s in card.summary]
    assert not any(t.startswith("“We lost the spillway in minutes.") and t.endswith("minutes.") for t in texts)
    assert not any(t.startswith("Nobody could have held") for t in texts)
    whole = [t for t in texts if t.startswith("“We lost")]
    assert whole == ["“We lost the spillway in minutes. Nobody could have held that water back,” said Lena Ortiz, "
                     "who runs the dam for the regional water board."]
