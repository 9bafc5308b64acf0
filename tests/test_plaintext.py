"""Plain-text metadata: title, author, outlet, date and tags, on synthetic texts and on the seeds."""

from __future__ import annotations

from datetime import date

import pytest

from index.plaintext import derive_title, first_sentence, parse_date, parse_plain_text

BODY = ("Officials in Seoul said on Monday that the troops had arrived at a base in the far east of the "
        "country and were being issued with uniforms and equipment.")
MORE = "The ministry gave no further details about the deployment or its timing."


def doc(*lines: str):
    return parse_plain_text("\n".join(lines))


# --------------------------------------------------------------------------- title


@pytest.mark.parametrize("headline", [
    "Troops Arrive at Eastern Base: Report",
    "Is the War About to Widen?",
    "Who sent the troops? And why now?",
    "Seoul Warns of ‘Grave Threat’ as Troops Deploy",
    "North Korea sends troops to Russia, Seoul says",
])
def test_a_headline_first_line_becomes_the_title(headline):
    d = doc(headline, BODY, MORE)
    assert d.title == headline
    assert d.paragraphs == [BODY, MORE]


@pytest.mark.parametrize("first", [
    "Officials Said the Troops Had Arrived.",  # ends with a period: a sentence
    "officials said the troops had arrived on Monday and were being equipped",  # not a headline's shape
    "“We will respond,” the Minister Said",  # a quote
])
def test_a_first_line_that_is_a_sentence_stays_in_the_body(first):
    d = doc(first, BODY, MORE)
    assert d.paragraphs[0] == first
    assert d.title != first or len(first) <= 90


def test_a_title_case_line_with_nothing_after_it_is_not_taken_as_a_headline():
    d = doc("Troops Arrive at Eastern Base", "Short note.")
    assert d.paragraphs == ["Troops Arrive at Eastern Base", "Short note."]


def test_without_a_headline_the_title_is_the_lede_sentence_cut_at_a_word():
    d = doc(BODY, MORE)
    assert d.title == "Officials in Seoul said on Monday that the troops had arrived at a base in the far east…"
    assert d.paragraphs == [BODY, MORE]


def test_derive_title_does_not_end_on_a_small_word_or_a_comma():
    lede = "Officials in Seoul, the capital, said on Monday that the troops had arrived."
    assert derive_title([lede], limit=25) == "Officials in Seoul…"
    assert derive_title([lede], limit=39) == "Officials in Seoul, the capital, said…"


def test_derive_title_keeps_a_short_first_sentence_whole_without_its_period():
    assert derive_title(["Mr. Kim met Dr. Roe in the U.S. on Friday. They talked for hours."]) == \
        "Mr. Kim met Dr. Roe in the U.S. on Friday"
    assert derive_title([]) == "(untitled)"


def test_first_sentence_is_not_fooled_by_initials():
    assert first_sentence("Joseph S. Bermudez Jr. spoke. Then he left.") == "Joseph S. Bermudez Jr. spoke."


def test_a_headline_pasted_twice_appears_once():
    d = doc("Troops Arrive at Eastern Base", "Troops Arrive at Eastern Base", BODY)
    assert d.title == "Troops Arrive at Eastern Base"
    assert d.paragraphs == [BODY]


# --------------------------------------------------------------------------- author and outlet


@pytest.mark.parametrize("line, author, outlet", [
    ("By Jane Doe", "Jane Doe", None),
    ("BY JANE DOE", "Jane Doe", None),
    ("By Jane Doe and John Roe, Reuters", "Jane Doe and John Roe", "Reuters"),
    ("By Jane Doe, Staff Writer", "Jane Doe", None),
    ("Jane Doe | Reuters", "Jane Doe", "Reuters"),
    ("Author: Ana de la Cruz", "Ana de la Cruz", None),
])
def test_bylines_give_author_and_named_outlet(line, author, outlet):
    d = doc("Troops Arrive at Eastern Base", line, BODY, MORE)
    assert (d.author, d.outlet) == (author, outlet)
    assert d.title == "Troops Arrive at Eastern Base"
    assert d.paragraphs == [BODY, MORE], "the byline is not body text"


def test_a_sentence_starting_with_by_is_not_a_byline():
    d = doc("By the end of the week, troops had arrived at the base.", BODY)
    assert d.author is None
    assert d.paragraphs[0].startswith("By the end of the week")


def test_author_from_an_about_the_author_bio_which_cleaning_then_drops():
    d = doc("Troops Arrive at Eastern Base", BODY, "About the Author",
            "Jane Q. Roe is a defense journalist and a former army officer.", "Image Credit: Shutterstock.")
    assert d.author == "Jane Q. Roe"
    assert d.paragraphs == [BODY]


def test_outlet_is_never_guessed_from_sources_the_article_cites():
    d = doc(BODY + " writes The Wall Street Journal", "Reuters reported the same. Photo: AP", MORE)
    assert d.outlet is None and d.author is None


def test_outlet_from_an_outlet_and_date_header():
    d = doc("Daily Ledger | October 21, 2024", "Troops Arrive at Eastern Base", BODY)
    assert (d.outlet, d.published, d.title) == ("Daily Ledger", date(2024, 10, 21), "Troops Arrive at Eastern Base")
    assert d.paragraphs == [BODY]


def test_outlet_from_a_wire_dateline_which_stays_in_the_text():
    lede = "SEOUL, Oct 21 (Reuters) - " + BODY
    d = doc("Troops Arrive at Eastern Base", lede)
    assert d.outlet == "Reuters"
    assert d.paragraphs == [lede]


# --------------------------------------------------------------------------- published


@pytest.mark.parametrize("line, when", [
    ("Published: 2024-10-21", date(2024, 10, 21)),
    ("Published on October 21, 2024 at 10:32 AM EDT", date(2024, 10, 21)),
    ("Updated 21 Oct 2024", date(2024, 10, 21)),
    ("Monday, October 21, 2024", date(2024, 10, 21)),
])
def test_a_date_line_near_the_top_gives_published(line, when):
    d = doc("Troops Arrive at Eastern Base", line, BODY)
    assert d.published == when
    assert d.paragraphs == [BODY]


def test_dates_inside_body_sentences_are_not_the_publication_date():
    d = doc("On October 8, 2024, the ships left port, officials said.", BODY)
    assert d.published is None


def test_parse_date_rejects_impossible_dates():
    assert parse_date("2024-02-30") is None
    assert parse_date("Sept. 3, 2024") == date(2024, 9, 3)


# --------------------------------------------------------------------------- tags


def test_blog_labels_become_tags_and_leave_the_body():
    d = doc("Troops Arrive at Eastern Base", BODY, "Labels: Korea, Russia, Korea", "0 Comments:")
    assert d.tags == ["Korea", "Russia"]
    assert d.paragraphs == [BODY]


def test_a_hard_wrapped_wire_story_with_header_and_furniture():
    text = """Dam Breach Forces Thousands From Homes

By Mira Okafor, Harbour Ledger
Published: 2025-03-02

KAVRA, March 2 - Engineers warned on Sunday that the upper dam at Kavra
could fail within hours, as water levels rose for a third straight day
and officials ordered 12,000 residents to leave.
The evacuation began at dawn.
Buses lined the main road out of the valley, and police went door to
door in the lowest-lying streets of the town.

Share this article
"""
    d = parse_plain_text(text)
    assert (d.title, d.author, d.outlet, d.published) == (
        "Dam Breach Forces Thousands From Homes", "Mira Okafor", "Harbour Ledger", date(2025, 3, 2))
    assert d.paragraphs == [
        "KAVRA, March 2 - Engineers warned on Sunday that the upper dam at Kavra could fail within hours, as water "
        "levels rose for a third straight day and officials ordered 12,000 residents to leave.",
        "The evacuation began at dawn.",
        "Buses lined the main road out of the valley, and police went door to door in the lowest-lying streets of "
        "the town.",
    ]


# --------------------------------------------------------------------------- seeds

SEED_TITLES = {
    1: "North Korean Troops Are Now Close to Fighting in Ukraine War: Report",
    3: "A Truly Unholy Alliance",
    4: "Are North Korean troops fighting Russia’s war in Ukraine? What does this mean for the conflict?",
}


@pytest.mark.parametrize("n", range(5))
def test_seed_title_author_outlet(seed_text, n):
    d = parse_plain_text(seed_text(n))
    if n in SEED_TITLES:
        assert d.title == SEED_TITLES[n]
        assert d.paragraphs[0] != d.title
    else:  # a lede, not a headline: the title is its first words, the lede stays in the body
        assert d.title.endswith("…") and len(d.title) <= 90
        assert d.paragraphs[0].startswith(d.title[:-1])
    assert d.author == ("Stavros Atlamazoglou" if n == 1 else None)
    assert d.outlet is None
    assert d.published is None


# --------------------------------------------------------------------------- wire datelines (issue 10)


@pytest.mark.parametrize("lede, outlet", [
    ("CAIRO (Reuters) — Egypt's army said on Wednesday that it had taken control of the capital.", "Reuters"),
    ("FRANKLIN, Tenn. (AP) — Republican candidate Donald Trump spoke on Saturday at a rally.", "AP"),
    ("WASHINGTON (CNN) -- A man who jumped the fence on Tuesday was apprehended by officers.", "CNN"),
    ("Washington (CNN) -- A man who jumped the fence on Tuesday was apprehended by officers.", "CNN"),
    ("Seoul (CNN) North and South Korean athletes will march together at the opening ceremony.", "CNN"),
    ("(CNN) -- After days of pleading with executives, the parents got what they had prayed for.", "CNN"),
    ("(AP) — Officials said Saturday that they were confident the wreckage had been found.", "AP"),
    ("Beijing (AFP) - A Chinese man who sued officials over a panda attack has won damages.", "AFP"),
    ("Dec 17 (Reuters) - A last-minute ticket buying frenzy could make the jackpot the biggest.", "Reuters"),
    ("MEBANE, N.C. (WXII/WNCN) — A woman authorities believe has robbed jewelry stores was held.", "WXII/WNCN"),
])
def test_outlet_from_a_wire_dateline_at_the_start(lede, outlet):
    d = doc(lede, MORE)
    assert d.outlet == outlet
    assert d.paragraphs[0] == lede  # the text itself stays as written
    assert "(" not in d.title and d.title.split()[0] not in ("CAIRO", "FRANKLIN", "WASHINGTON", "Seoul", "Dec")


@pytest.mark.parametrize("lede", [
    "Officials told Reuters on Monday that the troops had arrived at a base in the far east.",
    "According to the AP, the troops had arrived at a base in the far east of the country.",
    "The troops arrived on Monday, CNN reported, at a base in the far east of the country.",
    "Rep. Elijah Cummings (D-Md.) ranks his time on the committee among the lowest points.",
    "JOHN SMITH (R-TEXAS) — said on Monday that the troops had arrived at a base in the east.",
    "Shane Bauer (2nd L) and Josh Fattal (2nd R) sit with their mothers during a news conference.",
    "Some 1,700 residents (AP) - were evacuated from the valley on Monday, officials said.",
])
def test_no_outlet_from_a_source_the_article_cites_or_a_bracket_that_is_no_wire(lede):
    assert doc(lede, MORE).outlet is None


def test_a_dateline_deep_in_the_text_is_not_the_outlet():
    d = doc(BODY, MORE, MORE + " Again.", "MOSCOW (Reuters) - Russia said it had no comment on the report.")
    assert d.outlet is None


def test_a_dateline_after_a_photo_caption_still_gives_the_outlet():
    d = doc("Shane Bauer (2nd L) and Josh Fattal (2nd R) sit with their mothers during a news conference in "
            "Tehran May 20, 2010, before the trial was called.", "TEHRAN |",
            "TEHRAN (Reuters) - Iranian authorities have delayed the trial of two Americans, a spokesman said.")
    assert d.outlet == "Reuters"
    assert "TEHRAN |" not in d.paragraphs


def test_a_byline_with_a_dated_chunk_gives_the_date_not_an_outlet():
    d = doc("By Alex Acquisto , BDN Staff • June 14, 2017 2:30 pm", BODY, MORE)
    assert (d.author, d.outlet, d.published) == ("Alex Acquisto", None, date(2017, 6, 14))


@pytest.mark.parametrize("lede, start", [
    ("FRANKLIN, Tenn. (AP) — Republican candidate Donald Trump spoke on Saturday. More.", "Republican candidate"),
    ("Former football star and actor O.J. Simpson could be one step closer to freedom. More.", "Former football star and actor O.J. Simpson could"),
    ("Water from the Mt. Tabor Reservoir system tested clean on Thursday. More.", "Water from the Mt. Tabor Reservoir"),
    ("CAIRO — The Muslim Brotherhood worked to stretch its lead on Tuesday. More.", "The Muslim Brotherhood"),
    ("US-Russia talks resumed on Tuesday in Geneva after a pause. More.", "US-Russia talks"),
])
def test_a_title_from_the_lede_without_its_dateline_or_a_cut_abbreviation(lede, start):
    assert derive_title([lede]).startswith(start)
