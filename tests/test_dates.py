"""Dates and periods in sentences, resolved against the published date (a Thursday, 6 March 2025)."""

from __future__ import annotations

from datetime import date

import pytest

from briefs.dates import extract_dates

THU = date(2025, 3, 6)


@pytest.mark.parametrize("sentence, text, start, end", [
    ("Ships sailed sometime between October 8 and 13.", "between October 8 and 13", date(2024, 10, 8), date(2024, 10, 13)),
    ("Zelenskyy spoke on Sunday (October 20) in a video address.", "Sunday (October 20)", date(2024, 10, 20), date(2024, 10, 20)),
    ("The treaty was signed last summer.", "last summer", date(2024, 6, 1), date(2024, 8, 31)),
    ("They will be ready to fight on March 20.", "March 20", date(2025, 3, 20), date(2025, 3, 20)),
    ("The dam failed on Tuesday.", "Tuesday", date(2025, 3, 4), date(2025, 3, 4)),
    ("The director is due to answer questions on Monday.", "Monday", date(2025, 3, 10), date(2025, 3, 10)),
    ("We will have it finished by Saturday night.", "Saturday", date(2025, 3, 8), date(2025, 3, 8)),
    ("The report is dated August 2024.", "August 2024", date(2024, 8, 1), date(2024, 8, 31)),
    ("It was the worst flood since 1998.", "1998", date(1998, 1, 1), date(1998, 12, 31)),
])
def test_mentions_resolve_against_the_published_date(sentence, text, start, end):
    (mention,) = extract_dates(sentence, THU)
    assert (mention.text, mention.start, mention.end) == (text, start, end)


def test_without_a_published_date_a_mention_keeps_its_text_but_no_date():
    (mention,) = extract_dates("The ships sailed on October 18.", None)
    assert mention.text == "October 18" and mention.start is None


@pytest.mark.parametrize("sentence", [
    "You may go home now.", "Troops march on the capital.", "The spring was broken.", "It sent 2000-2500 troops.",
])
def test_words_that_only_look_like_dates_are_not_dates(sentence):
    assert extract_dates(sentence, THU) == []
