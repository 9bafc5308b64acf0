from __future__ import annotations

from briefs.align import Mention, Unit, align, group_figures, independent_sources, tokens


def unit(aid, n, text, values=()):
    return Unit(aid, n, n, text, tuple(values))


def test_tokens_drop_stop_words_stem_plurals_and_keep_numbers_whole():
    toks = tokens("The ships carried 1,500 soldiers to Vladivostok.")
    stems = [s for s, _ in toks]
    assert "the" not in stems and "to" not in stems
    assert "1500" in stems and "ship" in stems
    assert ("vladivostok", True) in toks  # a capitalised word inside a sentence counts as a name


def test_paraphrases_in_different_articles_form_one_claim_and_unrelated_sentences_none():
    units = [
        unit("a", 0, "Russian navy ships carried 1,500 North Korean special forces to Vladivostok last week.", [1500]),
        unit("a", 1, "The weather in the capital stayed mild for the season."),
        unit("b", 0, "About 1,500 North Korean special forces were ferried to Vladivostok by Russian ships.", [1500]),
        unit("b", 1, "Analysts expect the grain harvest to improve next year."),
        unit("c", 0, "Pyongyang's special forces, 1,500 of them, reached Vladivostok aboard Russian navy ships.", [1500]),
    ]
    claims = align(units)
    assert len(claims) == 1
    assert sorted(claims[0].article_ids) == ["a", "b", "c"]


def test_a_claim_never_holds_two_sentences_of_one_article():
    units = [
        unit("a", 0, "The dam at Kavra failed on Monday night after heavy rain."),
        unit("a", 1, "The Kavra dam failed on Monday night after the heavy rain."),
        unit("b", 0, "Heavy rain made the Kavra dam fail on Monday night."),
    ]
    for claim in align(units):
        assert len(claim.article_ids) == len(set(claim.article_ids))


def test_one_outlet_counts_once_and_unknown_outlets_count_per_article():
    outlets = {"a": "Meridian", "b": "meridian", "c": None, "d": None, "e": "Harbour Ledger"}
    assert independent_sources(["a", "b"], outlets, {}) == 1
    assert independent_sources(["c", "d"], outlets, {}) == 2
    assert independent_sources(["a", "c", "e"], outlets, {}) == 3


def test_near_duplicate_copies_count_once_even_under_another_outlet():
    outlets = {"a": "Meridian", "b": "Wire Copy Daily", "c": None}
    dups = {"a": ["b", "c"], "b": ["a"], "c": ["a"]}
    assert independent_sources(["a", "b", "c"], outlets, dups) == 1
    assert independent_sources(["b", "c"], outlets, {"b": ["c"]}) == 1


def mention(aid, value, key="troop", hedge=None, n=0):
    return Mention(aid, 0, n, value, hedge, key + "s", key, str(value), f"{value} {key}s in {aid}", None)


def test_figures_group_by_counted_thing_then_magnitude_then_agreement():
    clusters = group_figures([
        mention("a", 11000, hedge="potentially"), mention("b", 12000), mention("c", 10000),
        mention("d", 1_200_000), mention("e", 1500, hedge="nearly"), mention("f", 1500),
        mention("g", 12000, key="shell"),
    ])
    by_values = sorted(sorted({m.value for side in c for m in side}) for c in clusters)
    assert [10000, 11000, 12000] in by_values  # one disagreement across three values
    assert [1_200_000] in by_values  # a standing army is not part of it
    troops = next(c for c in clusters if {m.value for s in c for m in s} == {10000, 11000, 12000})
    assert len(troops) == 3
    agreeing = next(c for c in clusters if {m.value for s in c for m in s} == {1500})
    assert len(agreeing) == 1 and {m.article_id for m in agreeing[0]} == {"e", "f"}  # "nearly 1,500" agrees
    shells = next(c for c in clusters if c[0][0].counted_key == "shell")
    assert len(shells) == 1 and len(shells[0]) == 1
