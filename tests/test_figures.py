"""Figures in real-shaped news sentences: value, hedge, what is counted, and what is not a figure."""

from __future__ import annotations

import pytest

from briefs.figures import counted_key, find_figures, parse_number_words


def only(sentence: str):
    (figure,) = find_figures(sentence)
    return figure


@pytest.mark.parametrize("sentence, value, hedge, counted", [
    ("Aboard were 2,300 Ruritanian special forces soldiers.", 2300, None, "Ruritanian special forces soldiers"),
    ("Officials said about 1800 marines had landed at the port.", 1800, "about", "marines"),
    ("The ministry plans to send up to 14,000 soldiers to the front.", 14000, "up to", "soldiers"),
    ("Ships ferried nearly 1,500 reservists to the island between May 3 and May 9.", 1500, "nearly", "reservists"),
    ("It is an initial force of potentially 9,000 conscripts that is set to move.", 9000, "potentially", "conscripts"),
    ("Customs officers found at least 7,000 shipping containers at the docks.", 7000, "at least", "shipping containers"),
    ("They could hold as many as 3.2 million artillery shells.", 3_200_000, "as many as", "artillery shells"),
    ("The minister's intelligence says twelve thousand troops are on their way.", 12000, None, "troops"),
    ("Some 2,300 homes had been damaged across the valley.", 2300, "some", "homes damaged"),
    ("Seventeen people are still missing.", 17, None, "people missing"),
    ("The storm dumped 215 millimetres of rain on the hills.", 215, None, "millimetres of rain"),
    ("The board set aside 6.5 million crowns for repairs.", 6_500_000, None, "crowns"),
    ("Prices rose 4.5 percent last year.", 4.5, None, "percent"),
    ("The state has one of the largest armies in the world, at 1.1 million troops.", 1_100_000, None, "troops"),
    ("More than 300 flights were cancelled on the first day.", 300, "more than", "flights"),
])
def test_value_hedge_and_what_is_counted(sentence, value, hedge, counted):
    figure = only(sentence)
    assert figure.value == value
    assert figure.hedge == hedge
    assert figure.counted == counted
    assert figure.text in sentence and figure.sentence == sentence


@pytest.mark.parametrize("sentence", [
    "The gates were opened on March 4, 2025 at 9:12 AM.",
    "The dam was completed in 1961 and raised in 1998.",
    "He served with the 575th Marine Battalion and the 41st Engineer Regiment.",
    "Engineers opened Gate 2 and closed Highway 9 to traffic.",
    "Debris came from a Hwasong-11 missile and a KN-23 launcher.",
    "The siren went at half past two and again at 2:15 a.m.",
    "The talks lasted two months and the deal runs over two years.",
    "A two-year contract was signed two days after the vote.",
    "The office is at 12 Quay Street in the old town.",
    "It was 6°C at dawn.",
    "Hundreds of soldiers and thousands of civilians fled the town.",
    "The war, now in its 32nd month, has no end in sight.",
    "The Korean war of 1950-53 ended in an armistice.",
    "Nobody knows how many people were inside.",
    "It is one of the largest armies in the world.",
    "The strategy rests on the three Ds: deter, defend, deny.",
])
def test_dates_ordinals_labels_times_durations_and_vague_plurals_are_not_figures(sentence):
    assert find_figures(sentence) == []


def test_every_number_in_a_sentence_is_its_own_figure():
    figures = find_figures("The toll rose to 11 on Thursday and 17 people remain missing.")
    assert [f.value for f in figures] == [11, 17]
    assert figures[1].counted_key == "people|missing"


def test_a_toll_or_a_number_of_people_names_what_a_bare_number_counts():
    (figure,) = find_figures("The number of people killed by the collapse rose to nine on Wednesday.")
    assert figure.value == 9 and figure.counted_key == "people|killed"
    (figure,) = find_figures("The civil protection service put the death toll at 14.")
    assert figure.counted_key == "people|killed"


def test_synonyms_fold_into_one_key_and_events_keep_counts_apart():
    keys = {f.counted_key for s in ("Up to 12,000 soldiers were sent.", "About 1500 special forces arrived.",
                                     "Nearly 11,000 infantry troops are training.", "It sent 900 commandos.")
            for f in find_figures(s)}
    assert keys == {"troops"}
    killed, missing = (only("Fire killed 11 people in the town.").counted_key,
                       only("Officials said 11 people were missing.").counted_key)
    assert killed != missing
    assert only("Rescuers found two more bodies near the mill.").counted_key != killed  # an increment, not a toll


@pytest.mark.parametrize("words, value", [
    ("ten thousand", 10_000), ("twenty-five", 25), ("Seventeen", 17), ("a million", 1_000_000),
    ("two hundred and six", 206), ("four", 4), ("banana", None),
])
def test_number_words(words, value):
    assert parse_number_words(words) == value


def test_counted_key_is_none_when_nothing_is_counted():
    assert counted_key(None, "killed") is None
    (figure,) = find_figures("The figure stood at 40 by the evening.")
    assert figure.counted is None and figure.counted_key is None


def test_seed_sentences_keep_their_figures(seed_text):
    from index.clean import clean_text

    text = " ".join(clean_text(seed_text(4)))
    values = sorted(f.value for f in find_figures(text))
    for expected in (1500, 11000, 2600, 10000, 4_800_000):
        assert expected in values
    assert 575 not in values and 2023 not in values and 20 not in values  # no ordinals, years, days


def test_a_plan_or_a_forecast_is_keyed_apart_from_a_done_thing():
    planned = only("Pyongyang plans to send up to 12,000 soldiers to Russia.")
    done = only("Russian ships ferried 1,500 North Korean soldiers to Vladivostok.")
    assert planned.counted_key == "troops|planned" and done.counted_key == "troops"
    assert only("The first cadre of 2,600 soldiers would go to Kursk.").counted_key.endswith("|planned")
    (total,) = [f for f in find_figures("A total of 12,000 troops formed into four brigades are to be dispatched.")
                if f.value == 12_000]
    assert total.counted_key == "troops|planned"
    # the verb of what is counted decides, not a later one: the fund exists
    assert only("The 4.8 million crown relief fund announced on Thursday will begin paying.").counted_key \
        == "fund"


def test_a_stage_of_a_whole_is_keyed_as_that_stage():
    wave = only("It gave permission to send the first wave of approximately 1000 North Korean soldiers.")
    cadre = only("He added that the first cadre of 2,600 soldiers would go to Kursk.")
    assert wave.hedge == "approximately"
    assert wave.counted_key == cadre.counted_key == "troops|first|planned"


def test_money_without_a_counted_noun_is_a_figure_about_money():
    money = only("The campaign raised $972,814 in the third quarter.")
    assert money.value == 972_814 and money.counted == "dollars" and money.counted_key
    assert only("It left a $26 million estate.").counted == "estate"


def test_an_address_block_is_not_a_figure():
    assert find_figures("Police are investigating the double murder in the 800 block of Buffalo Springs Drive.") == []


@pytest.mark.parametrize("sentence, text, low, high", [
    ("Irene could bring 6 to 10 inches of rain, forecasters said.", "6 to 10", 6, 10),
    ("The corridor may get four to six inches of rain.", "four to six", 4, 6),
    ("Between 200 and 300 people were evacuated.", "Between 200 and 300", 200, 300),
    ("The repairs will cost $5 to $7 million.", "$5 to $7 million", 5e6, 7e6),
])
def test_a_written_range_is_one_figure_read_as_its_range(sentence, text, low, high):
    from briefs.disagree import value_range

    (fig,) = [f for f in find_figures(sentence) if f.text == text]
    assert value_range(fig.value, fig.hedge) == (low, high)


@pytest.mark.parametrize("sentence", ["The toll rose from 4 to 9 people.", "The senate voted 52 to 48 in favour."])
def test_a_change_or_a_vote_is_not_a_range(sentence):
    assert all(f.hedge is None for f in find_figures(sentence))


@pytest.mark.parametrize("sentence", ["Iraq fired missiles at Israel in the 1991 Gulf War.",
                                      "The 2016 election changed everything.", "The 2008 Olympics were held in Beijing."])
def test_a_year_naming_an_event_is_not_a_figure(sentence):
    """multinews cluster_152 showed "1,991 Gulf War" among the card's figures."""
    assert find_figures(sentence) == []


def test_a_count_after_the_is_still_a_figure():
    (fig,) = find_figures("The 2000 people who marched were tired.")
    assert fig.value == 2000 and fig.counted == "people"
