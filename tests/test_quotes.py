"""Quotes and their speakers, in every common shape, from invented paragraphs shaped like real pastes."""

from __future__ import annotations

import pytest

from briefs.entities import extract_entities
from briefs.quotes import find_quotes


def quotes_of(*paragraphs: str):
    paragraphs = list(paragraphs)
    return [(q.speaker, q.text) for q in find_quotes(paragraphs, extract_entities(paragraphs))]


@pytest.mark.parametrize("paragraph, speaker, text", [
    ("“The bridge will hold until Friday,” said Marta Velin, the city engineer.",
     "Marta Velin", "The bridge will hold until Friday"),
    ("“The bridge will hold until Friday,” Marta Velin said on Monday.", "Marta Velin", "The bridge will hold until Friday"),
    ("Defence Minister Oren Talby said: “We are ready for the next phase of the operation.”",
     "Oren Talby", "We are ready for the next phase of the operation."),
    ("Oren Talby told the Evening Courier: “Nobody expected the river to rise this fast.”",
     "Oren Talby", "Nobody expected the river to rise this fast."),
    ("Oren Talby, a lecturer in hydrology at the University of Brenn, told Radio Nine, “We cannot rule it out.”",
     "Oren Talby", "We cannot rule it out."),
    ("“This looks like another invented story,” Palace spokesman Ivo Drask was quoted as saying earlier.",
     "Ivo Drask", "This looks like another invented story"),
    ("\"We have seen nothing like it,\" Harbour chief Lena Mott told reporters.",
     "Lena Mott", "We have seen nothing like it"),
])
def test_speaker_before_or_after_the_quote(paragraph, speaker, text):
    assert quotes_of(paragraph) == [(speaker, text)]


def test_a_follow_on_quote_keeps_the_speaker_of_the_quote_before_it():
    found = quotes_of("“We moved the stock upstairs,” said Lidia Orn, who runs a shop by the bridge. "
                      "“I have never seen the water this high.”")
    assert found == [("Lidia Orn", "We moved the stock upstairs"), ("Lidia Orn", "I have never seen the water this high.")]


def test_a_pronoun_speaker_is_the_last_person_named_before_the_quote():
    found = quotes_of("Up to 30 people were unaccounted for, said Captain Emil Varo of the Rescue Directorate.",
                      "“We are searching house by house,” he said.")
    assert found == [("Emil Varo", "We are searching house by house")]


def test_a_pronoun_speaker_named_only_by_a_cue_is_not_replaced_by_someone_else():
    found = quotes_of("Interior Minister Karl Brede visited the shelters.",
                      "A woman who gave only her first name, Dora, said she had been home once. "
                      "“The water line is above the light switches,” she said.")
    assert found == [("Dora", "The water line is above the light switches")]


def test_a_cluster_of_quotes_with_the_speaker_after_them():
    cleaned = ("\"This is a grave escalation.\" \"We will answer it with our partners.\" — "
               "Foreign Minister Ansel Rudd")
    assert quotes_of(cleaned) == [("Ansel Rudd", "This is a grave escalation."),
                                  ("Ansel Rudd", "We will answer it with our partners.")]


def test_the_raw_glued_cluster_shape_of_a_paste():
    glued = ("\"It could free their units for fighting elsewhere.\"\"I would rule out an attack this month.\""
             "Petra Lind, editor, Eastern Defence Weekly")
    found = find_quotes([glued], extract_entities([glued]))
    assert [(q.speaker, q.role) for q in found] == [("Petra Lind", "editor, Eastern Defence Weekly")] * 2


def test_a_quote_that_continues_into_the_next_paragraph_keeps_one_speaker():
    found = quotes_of("Spokeswoman Mira Tal said: “The cracks were known and they were measured every month.",
                      "“What happened on Tuesday was not something our instruments predicted.”")
    assert found == [("Mira Tal", "The cracks were known and they were measured every month."),
                     ("Mira Tal", "What happened on Tuesday was not something our instruments predicted.")]


def test_a_role_alone_after_the_quote_names_the_one_person_with_that_role():
    found = quotes_of("“The threat is real,” British Defence Secretary Alan Forde said in parliament.",
                      "“It is a wider alliance of aggression,” the British Defence Secretary.")
    assert [s for s, _ in found] == ["Alan Forde", "Alan Forde"]


def test_partial_quote_credited_to_the_sentence_subject():
    found = quotes_of("Finance Minister Teo Rask called the fund “a first instalment, not the final bill”.")
    assert found == [("Teo Rask", "a first instalment, not the final bill")]


def test_a_broken_paste_with_the_speaker_in_the_next_paragraph():
    found = quotes_of("Aid groups say the money will not go far. “People ask us when they can go home,”",
                      "said Sara Vell, who coordinates the network's work in the valley.")
    assert found == [("Sara Vell", "People ask us when they can go home")]


@pytest.mark.parametrize("paragraphs", [
    ["A voice in the background can be heard saying, “We can’t film them. Here are the new ones.”"],
    ["Residents shouted “Anyone still inside, wave something white!” from the boats."],
    ["The council was told in a letter that the works were “assessed for repair without delay”."],
])
def test_no_speaker_is_guessed_when_none_is_clear(paragraphs):
    found = quotes_of(*paragraphs)
    assert found and all(speaker is None for speaker, _ in found)


def test_scare_quotes_are_not_quotes():
    assert quotes_of("He warned that “thousands” had crossed the so-called \"red line\" last week.") == []


def test_no_quote_no_output():
    assert quotes_of("The river fell sharply overnight and the bridge reopened.") == []


def test_seed_quotes_go_to_the_right_speakers(seeds_dir):
    from index.clean import clean_text

    paragraphs = clean_text(next(seeds_dir.glob("004_*.txt")).read_text(encoding="utf-8"))
    speakers = {q.text[:30]: q.speaker for q in find_quotes(paragraphs, extract_entities(paragraphs))}
    by_start = {text.split()[0] + " " + text.split()[1]: s for text, s in speakers.items()}
    assert by_start["This is"] == "Volodymyr Zelenskyy"  # "..., he said" after "Zelenskyy in a video address"
    assert by_start["We don’t"] == "Kyrylo Budanov"
    assert by_start["This seems"] == "Dmitry Peskov"
    assert by_start["We can’t"] is None  # a voice in the background
    assert by_start["It’s a"] == "Joseph S Bermudez Jr"


@pytest.mark.parametrize("paragraph, via", [
    ("“They will be ready to fight on November 1,” Lt Gen Kyrylo Budanov told The War Zone.", "The War Zone"),
    ("Oren Talby told the Evening Courier: “Nobody expected the river to rise this fast.”", "the Evening Courier"),
    ("Oren Talby, a lecturer in hydrology, told Radio Nine, “We cannot rule it out at all.”", "Radio Nine"),
    ("“We have seen nothing like it,” Harbour chief Lena Mott told reporters.", None),
    ("“The bridge will hold until Friday,” said Marta Velin, the city engineer.", None),
    ("“The deal is off for now,” Marta Velin told Oren Talby on Monday.", None),  # a person is not an outlet
])
def test_the_outlet_a_quote_was_given_to_is_recorded(paragraph, via):
    (quote,) = find_quotes([paragraph], extract_entities([paragraph]))
    assert quote.speaker and quote.via == via


def test_an_unattributed_quote_has_no_outlet():
    paragraph = "“Nobody expected the river to rise this fast,” the Evening Courier reported."
    (quote,) = find_quotes([paragraph], extract_entities([paragraph]))
    assert quote.speaker is None or quote.via is None or quote.speaker != quote.via
