"""People with roles, organisations and places, and who a sentence attributes something to."""

from __future__ import annotations

import pytest

from briefs.entities import attribution_spans, extract_entities, relayed_by


def test_people_with_roles_and_merged_name_variants():
    ents = extract_entities([
        "Ukrainian Foreign Minister Andrii Vell said the talks failed. Mr. Vell left early.",
        "The head of the Northern Intelligence Directorate (NID), Lt Gen Pavlo Sarn, told reporters so.",
        "According to Ivan Lesk, director of the Risk Group, Pyongyang would be paid well.",
        "Putin and North Korean leader Kim Jong Un signed a treaty.",
    ])
    people = {p.name: p.role for p in ents.people}
    assert people["Andrii Vell"] == "Ukrainian Foreign Minister"
    assert people["Pavlo Sarn"] == "Lt Gen, head of the Northern Intelligence Directorate (NID)"
    assert people["Kim Jong Un"] == "North Korean leader"
    assert "Pyongyang" not in people  # the apposition role belongs to Lesk
    assert "Vell" not in people and "Mr. Vell" not in people  # merged into Andrii Vell


def test_organisations_and_places():
    ents = extract_entities([
        "The Institute for the Study of War assessed the front. Troops moved to Vladivostok.",
        "Captain Emil Varo of the Civil Protection Directorate warned people. KN-23 missiles were used.",
    ])
    orgs = [o.name for o in ents.organizations]
    assert "Institute for the Study of War" in orgs and "Civil Protection Directorate" in orgs
    assert "KN" not in orgs
    assert "Vladivostok" in [p.name for p in ents.places]
    assert ("Emil Varo", "Captain, Civil Protection Directorate") in [(p.name, p.role) for p in ents.people]


@pytest.mark.parametrize("sentence, source", [
    ("According to South Korea's National Intelligence Service, ships delivered 1500 troops.",
     "South Korea's National Intelligence Service"),
    ("Lt Gen Pavlo Sarn, told The War Zone that there are 11,000 troops.", "Lt Gen Pavlo Sarn"),
    ("“We don’t have the full picture,” said Sarn.", "Sarn"),
    ("Fighting spread in the east, writes The Wall Street Journal", "Wall Street Journal"),
    ("It killed four people, civil protection officials said.", "civil protection officials"),
    ("“It would pay well,” Lesk told the BBC, adding, “It gives them experience.”", "Lesk"),
    ("The civil protection service put the death toll at nine.", "civil protection service"),
    ("Mr. Vell's revelation that ten thousand troops are coming shocked Seoul.", "Mr. Vell"),
])
def test_attribution_cues(sentence, source):
    assert attribution_spans(sentence)[0][1] == source


@pytest.mark.parametrize("sentence", [
    "And nor can the United States yet confirm the reports.",
    "The agency that runs the Sorrel Dam has acknowledged the cracks.",
    "The river fell sharply overnight.",
])
def test_no_attribution_is_invented(sentence):
    assert attribution_spans(sentence) == []


@pytest.mark.parametrize("sentence, outlet", [
    ("Lt Gen Kyrylo Budanov told The War Zone that 11,000 troops are training in eastern Russia.", "The War Zone"),
    ("The troops are poorly trained, writes The Wall Street Journal.", "The Wall Street Journal"),
    ("CNN reported that the troops arrived on Friday.", "CNN"),
    ("The agency told Reuters on Monday that it would act.", "Reuters"),
    ("According to The New York Times, the deal collapsed.", "The New York Times"),
    ("Putin told Kim Jong Un that he was grateful for the support.", None),  # people are not outlets
    ("According to Ukrainian military intelligence, the first troops are close to fighting.", None),
    ("He said the fire was out by midnight.", None),
    ("“Reuters reported it first,” she said.", None),  # inside a quote
])
def test_the_outlet_that_relayed_a_sentence(sentence, outlet):
    assert relayed_by(sentence) == outlet


def test_a_name_ending_in_a_role_word_is_not_split_at_it():
    """multinews-dev cluster_129: "Martin Luther King Jr. National Memorial" once made a person "Jr. National
    Memorial" with the role "Martin Luther King" ("king" is a role word)."""
    ents = extract_entities(["The Martin Luther King Jr. National Memorial postponed its dedication on Sunday.",
                             "Officials said the Martin Luther King Jr. National Memorial would open later."])
    assert not any(p.name.startswith("Jr") or p.role == "Martin Luther King" for p in ents.people)
    ents = extract_entities(["Kremlin spokesman Dmitry Peskov said the talks would go on, and spoke again later."])
    assert [(p.name, p.role) for p in ents.people] == [("Dmitry Peskov", "Kremlin spokesman")]
