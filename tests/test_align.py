from __future__ import annotations

from briefs.align import Unit, align, quoted_spans, tokens
from briefs.mentions import Mention, group_figures
from briefs.sources import independent_sources


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


def test_one_outlet_counts_once_and_unknown_outlets_count_as_one_source_together():
    outlets = {"a": "Meridian", "b": "meridian", "c": None, "d": None, "e": "Harbour Ledger"}
    assert independent_sources(["a", "b"], outlets, {}) == 1
    assert independent_sources(["c", "d"], outlets, {}) == 1  # two pasted articles: not two outlets
    assert independent_sources(["a", "c", "e"], outlets, {}) == 3
    assert independent_sources(["a", "c", "d", "e"], outlets, {}) == 3


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


def claims_of(units):
    return [sorted((u.article_id, u.index) for u in c.units) for c in align(units)]


def test_one_minister_saying_different_things_in_two_articles_is_not_one_claim():
    units = [
        unit("a", 0, "Interior Minister Teodor Raske said on Thursday that he had ordered an independent investigation."),
        unit("a", 1, "Heavy rain is expected again in the valley on Sunday."),
        unit("b", 0, "Interior Minister Teodor Raske visited the shelters in Eastfield on Thursday."),
        unit("b", 1, "The bridge over the river reopened to traffic on Friday."),
        unit("c", 0, "Interior Minister Teodor Raske called the relief fund a first instalment, not the final bill."),
    ]
    assert align(units) == []


def test_one_minister_quoted_twice_on_different_things_is_not_one_claim():
    units = [
        unit("a", 0, "\"I have ordered an independent investigation, and its report will be published in full.\" "
                     "— Interior Minister Teodor Raske"),
        unit("b", 0, "“The people of this valley are owed the whole truth, not a version of it,” "
                     "Interior Minister Teodor Raske said."),
        unit("c", 0, "Regional Governor Ana Petrel declared a state of emergency across Orlen Province."),
        unit("d", 0, "Regional Governor Ana Petrel visited the families at the sports centre in the afternoon."),
    ]
    assert align(units) == []


def test_a_quote_aligns_with_a_paraphrase_of_what_it_says():
    units = [
        unit("a", 0, "\"I have ordered an independent investigation, and its report will be published in full.\" "
                     "— Interior Minister Teodor Raske"),
        unit("b", 0, "Interior Minister Teodor Raske said he had ordered an independent investigation into why "
                     "the dam failed."),
        unit("c", 0, "“No family will be left to carry this alone,” Interior Minister Teodor Raske said."),
    ]
    assert claims_of(units) == [[("a", 0), ("b", 0)]]


def test_two_wordings_of_one_event_still_align():
    units = [
        unit("a", 0, "An inspection of the Sorrel Dam last summer found cracks in its eastern wall, "
                     "opposition lawmaker Rafael Tunis said on Thursday."),
        unit("a", 1, "The death toll rose to 11 on Thursday.", [11]),
        unit("b", 0, "Engineers found the cracks in the dam's eastern wall during an inspection last summer, "
                     "the water authority confirmed."),
        unit("b", 1, "Schools in Kavra will stay closed until March 12."),
    ]
    assert claims_of(units) == [[("a", 0), ("b", 0)]]


def test_different_figures_about_one_thing_are_different_claims():
    units = [
        unit("a", 0, "Nine people are now confirmed dead, according to the Civil Protection Directorate.", [9]),
        unit("b", 0, "The Civil Protection Directorate confirmed 4 people dead by Tuesday afternoon.", [4]),
    ]
    assert align(units) == []


def test_a_sentence_that_reports_two_things_supports_both_claims():
    killed, missing = ("people|killed", 11.0), ("people|missing", 17.0)
    units = [
        Unit("a", 0, 0, "The death toll rose to 11 on Thursday and 17 people remain missing, the directorate said.",
             (11, 17), (killed, missing)),
        Unit("b", 0, 0, "The directorate said the death toll stood at 11, unchanged since Thursday.", (11,), (killed,)),
        Unit("c", 0, 0, "Eleven people are dead, the civil protection service says.", (11,), (killed,)),
        Unit("b", 1, 1, "The directorate said 17 people were still missing.", (17,), (missing,)),
        Unit("c", 1, 1, "Seventeen people are still missing.", (17,), (missing,)),
    ]
    claims = claims_of(units)
    assert [("a", 0), ("b", 0), ("c", 0)] in claims
    assert [("a", 0), ("b", 1), ("c", 1)] in claims


def test_questions_report_nothing_and_align_with_nothing():
    units = [
        unit("a", 0, "North Korean troops joining the Russian war near the border?"),
        unit("b", 0, "North Korean troops are joining the Russian war near the border."),
    ]
    assert align(units) == []


def test_the_representative_reads_on_its_own():
    units = [
        unit("a", 0, "Those investigators will be appointed by Interior Minister Teodor Raske, who ordered an "
                     "independent investigation into the dam failure."),
        unit("b", 0, "Interior Minister Teodor Raske ordered an independent investigation into the dam failure, "
                     "led by engineers with no ties to the authority."),
    ]
    (claim,) = align(units)
    assert claim.representative().article_id == "b"


def test_quoted_spans_run_across_broken_quotes():
    assert quoted_spans('Anker said: "Once a wall starts to go, you cannot close it.') == [(12, 59)]
    assert quoted_spans("You can only get people out of the way.”") == [(0, 40)]
    assert quoted_spans("“No family will be left,” Raske said, “not one.”") == [(0, 25), (38, 48)]
    assert quoted_spans("The Sorrel Dam’s wall gave way.") == []


# ------------------------------------------------------------------ alignment recall (issue 10, point 6)

def test_word_forms_and_words_news_use_for_one_another_share_a_stem():
    words = "charged charge deployment deployed evacuation evacuated apprehended arrested grave significant examined checked"
    stem = {w: tokens(w)[0][0] for w in words.split()}
    assert stem["charged"] == stem["charge"]
    assert stem["deployment"] == stem["deployed"]
    assert stem["evacuation"] == stem["evacuated"]
    assert stem["apprehended"] == stem["arrested"]
    assert stem["grave"] == stem["significant"]
    assert stem["examined"] == stem["checked"]


def _vests():
    return [
        unit("a", 0, "The new award vests in quarterly increments over the next four years as long as he stays."),
        unit("a", 1, "The weather in the capital stayed mild for the season."),
        unit("b", 0, "He celebrated the award, which will vest in quarterly increments until 2019, by watching "
                     "the final and meeting a retired player."),
        unit("b", 1, "Analysts expect the grain harvest to improve next year."),
    ]


def test_a_shared_phrase_of_rare_words_lifts_a_paraphrase_over_the_threshold(monkeypatch):
    import briefs.align as align_module

    claims = align(_vests())
    assert [sorted(c.article_ids) for c in claims] == [["a", "b"]]
    monkeypatch.setattr(align_module, "PHRASE_BONUS", 0.0)
    assert align(_vests()) == []  # the words alone fall short: the phrase is what aligns them


def test_grave_and_significant_security_threat_are_one_claim():
    units = [
        unit("a", 0, 'The government on Tuesday called the deployment a "significant security threat" and warned '
                     "that it would take phased measures in response."),
        unit("b", 0, "A statement later said that the deployment of troops poses a grave security threat to the "
                     "country and the international community."),
        unit("b", 1, "The Information Security Centre released the footage on Friday."),
    ]
    assert [sorted(c.article_ids) for c in align(units)] == [["a", "b"]]


def test_a_shared_name_and_place_phrase_alone_make_no_claim():
    units = [
        unit("a", 0, "Volunteers of the Haven Relief Network collected boots and gloves at the Eastfield "
                     "sports hall on Friday."),
        unit("b", 0, "About 1,500 residents of Lisk were taken to school halls and the Eastfield sports hall "
                     "by Monday evening.", [1500]),
    ]
    assert align(units) == []
