"""The timeline of undated articles: a day or month without a year is placed from a dated mention of its own
paragraph, or kept as a partial date ("18 Oct, year not given"); a weekday without an anchor is not placed.
On the seeds (no outlet, no date) the story's October events are on the card (skipped without ../shared)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from briefs.card import build_card
from briefs.dates import MonthDay, extract_dates, month_day, partial_label, place_in_context
from briefs.export import card_to_markdown as to_markdown
from index.indexer import update
from index.library import Library
from index.model import Article

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SCHEMA = Path(__file__).resolve().parent.parent / "briefs" / "card.schema.json"


@pytest.mark.parametrize("text, parts", [
    ("October 18", (MonthDay(10, 18), None)),
    ("between October 8 and 13", (MonthDay(10, 8), MonthDay(10, 13))),
    ("between October 8 to the 13th", (MonthDay(10, 8), MonthDay(10, 13))),
    ("last Friday (October 18)", (MonthDay(10, 18), None)),
    ("18 October", (MonthDay(10, 18), None)),
    ("August", (MonthDay(8), None)),
    ("December 30, 2023", None),  # it has its year
    ("Tuesday", None), ("last week", None), ("last summer", None), ("last October", None), ("February 30", None),
])
def test_month_day_of_a_mention_without_a_year(text, parts):
    assert month_day(text) == parts


def test_partial_labels_say_the_year_is_not_given():
    assert partial_label(MonthDay(10, 18)) == "18 Oct, year not given"
    assert partial_label(MonthDay(10, 8), MonthDay(10, 13)) == "8–13 Oct, year not given"
    assert partial_label(MonthDay(6)) == "June, year not given"
    assert MonthDay(10, 8).iso() == "--10-08" and MonthDay(6).iso() == "--06"


def _one(sentence):
    (m,) = extract_dates(sentence, None)
    return m


@pytest.mark.parametrize("sentence, anchor, start, end", [
    ("He said so in January.", date(2023, 12, 30), date(2024, 1, 1), date(2024, 1, 31)),
    ("The talks began on December 28.", date(2023, 12, 30), date(2023, 12, 28), date(2023, 12, 28)),
    ("They met on January 3.", date(2023, 12, 30), date(2024, 1, 3), date(2024, 1, 3)),
    ("Ships sailed between December 28 and January 2.", date(2023, 12, 30), date(2023, 12, 28), date(2024, 1, 2)),
])
def test_a_date_without_a_year_takes_the_year_of_a_close_dated_mention(sentence, anchor, start, end):
    placed = place_in_context(_one(sentence), [anchor])
    assert (placed.start, placed.end) == (start, end)


@pytest.mark.parametrize("sentence", ["In April, the monitors reported it.", "On October 18 they spoke.",
                                      "He spoke on Tuesday."])
def test_a_far_or_relative_date_is_not_placed(sentence):
    """April 2023 and April 2024 are both four months from "December 30, 2023": the year stays unknown."""
    assert place_in_context(_one(sentence), [date(2023, 12, 30)]).start is None


def _card(*paragraphs, published=None):
    a = Article(id="u1", path="/tmp/u1.txt", title="Undated", paragraphs=list(paragraphs), published=published)
    return build_card([a], query="q", duplicates={})


def test_an_undated_article_keeps_its_chronology_as_partial_dates_never_made_up():
    card = _card("On October 8 the minister spoke in parliament about the troops.",
                 "On Sunday (October 20), the president gave a video address about the troops.",
                 "The spokesman said on Tuesday that the talks would go on.",
                 "In December and January 2024, missiles were fired at the city.",
                 "He was sentenced in June for the April 15, 2013, bombing of the marathon.",
                 "The last total eclipse of a Blue Moon was on March 31, 1866, astronomers said.")
    by_when = {t.when: t for t in card.timeline}
    assert "Tuesday" not in by_when  # no anchor: not placed, no invented date
    oct8, oct20 = by_when["October 8"], by_when["Sunday (October 20)"]
    assert (oct8.date, oct8.year_known, oct8.month_day, oct8.partial) == (None, False, "--10-08", "8 Oct, year not given")
    assert oct20.partial == "20 Oct, year not given"
    dec = by_when["December"]
    assert (dec.date, dec.end, dec.year_known, dec.year_from) == (date(2023, 12, 1), date(2023, 12, 31), True,
                                                                 "January 2024")
    assert dec.also == ["January 2024"]  # one sentence, once: at its earliest date, the other listed with it
    # another event's year in the sentence is not June's (the sentence was in 2015): the sentence is shown once,
    # at the date it gives with its year, and June is listed as written, without a year
    bombing = by_when["April 15, 2013"]
    assert "June" not in by_when and bombing.also == ["June"] and bombing.date == date(2013, 4, 15)
    assert "March 31" not in by_when  # its year (1866) is written: never "year not given"
    order = [t.when for t in card.timeline]
    assert order == ["April 15, 2013", "December", "October 8", "Sunday (October 20)"]
    assert len({t.text for t in card.timeline}) == len(card.timeline)
    data = card.to_json()["timeline"]
    assert data[2]["date"] is None and data[2]["partial"] == "8 Oct, year not given"
    assert data[0]["also"] == ["June"] and data[2]["also"] == []
    md = to_markdown(card)
    assert "**8 Oct, year not given** (“October 8”)" in md and "year from “January 2024”" in md
    assert "- **2013-04-15** (“April 15, 2013”; also “June”): He was sentenced" in md


def test_a_dated_article_is_resolved_as_before():
    card = _card("On October 8 the minister spoke in parliament about the troops.", published=date(2024, 10, 25))
    (t,) = card.timeline
    assert (t.date, t.year_known, t.partial) == (date(2024, 10, 8), True, None)


# --------------------------------------------------------------------------- the seeds


@pytest.fixture(scope="module")
def seeds_card(tmp_path_factory):
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not present")
    lib = Library(tmp_path_factory.mktemp("seeds-timeline"))
    update(lib, [SEEDS])
    return build_card([lib.get(r["id"]) for r in lib.catalog()], query="q", duplicates=lib.near_duplicates())


def test_the_seeds_october_events_are_on_the_timeline(seeds_card):
    partial = {t.partial for t in seeds_card.timeline if not t.year_known}
    # the Oct 8-13 ferrying, the Oct 18 NIS statement, the Oct 20 address, the Nov 1 readiness
    assert {"8–13 Oct, year not given", "18 Oct, year not given", "20 Oct, year not given",
            "1 Nov, year not given"} <= partial
    ferrying = [t for t in seeds_card.timeline if t.partial == "8–13 Oct, year not given"]
    assert sum(len(t.sources) for t in ferrying) >= 3  # three seeds tell it
    nis = next(t for t in seeds_card.timeline if t.when == "October 18")
    assert "National Intelligence Service" in nis.text


def test_the_seeds_timeline_makes_up_no_year(seeds_card):
    """A placed entry shows a year written in the article (its own mention, or the dated one beside it)."""
    for t in seeds_card.timeline:
        if t.year_known:
            assert re.search(r"(?:19|20)\d\d", t.when + " " + (t.year_from or ""))
        else:
            assert t.date is None and t.end is None and t.month_day.startswith("--")


def test_the_seeds_card_json_follows_the_schema(seeds_card):
    from test_card import _validate

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(seeds_card.to_json()))
    assert _validate(data, schema, schema) is None
    data["timeline"][0]["year_known"] = "no"
    assert _validate(data, schema, schema) is not None


# --------------------------------------------------------------------------- multinews-dev

MULTINEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "multinews-dev"


def _cluster_card(tmp_path, name):
    folder = MULTINEWS / name
    if not folder.is_dir():
        pytest.skip("../shared/corpora/multinews-dev is not present")
    src = tmp_path / "src"
    src.mkdir()
    for f in folder.glob("article_*.txt"):  # never summary.txt
        (src / f.name).write_bytes(f.read_bytes())
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    return build_card([lib.get(r["id"]) for r in lib.catalog()], query=None, duplicates=lib.near_duplicates())


def test_on_multinews_a_month_joined_to_a_dated_one_takes_its_year(tmp_path):
    card = _cluster_card(tmp_path, "cluster_180")
    june = [t for t in card.timeline if t.when == "June" and "June and July 2009" in t.text]
    assert june and all((t.date, t.year_from) == (date(2009, 6, 1), "July 2009") for t in june)


def test_on_multinews_another_events_year_is_not_taken(tmp_path):
    """"Tsarnaev was sentenced to death in June for ... the April 15, 2013, Boston Marathon bombing": the
    sentence was in 2015; June stays a month without a year."""
    card = _cluster_card(tmp_path, "cluster_167")
    june = [t for t in card.timeline if "sentenced to death in June" in t.text]
    assert june and all("June" in t.also or (t.date is None and t.partial == "June, year not given") for t in june)
    assert not any(t.when == "June" and t.date is not None for t in card.timeline)
    assert len({t.text for t in card.timeline}) == len(card.timeline)  # no sentence twice
