"""Key facts: the wording most sources agree with (attribution included), attribution disagreements, and
who said it / who relayed it (issue 10, point 5), on small made-up articles and on the seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefs.card import build_card
from briefs.export import card_to_markdown
from briefs.facts import said_by
from index.indexer import update
from index.library import Library

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "briefs" / "card.schema.json"

FILLER = ["Local markets stayed open through the week and traders reported ordinary business.",
          "The regional football league postponed two matches because of the weather.",
          "A new bridge over the canal is due to open in the spring after long delays."]


def card_of(tmp_path: Path, texts: dict[str, str]):
    src = tmp_path / "src"
    src.mkdir()
    for n, (name, text) in enumerate(texts.items()):
        body = f"---\noutlet: Outlet {name.upper()}\n---\n" + text + "\n\n" + FILLER[n % len(FILLER)] + "\n"
        (src / f"{name}.md").write_text(body, encoding="utf-8")  # each of its own outlet: independent sources
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    return build_card(list(lib.articles()), query=None, duplicates=lib.near_duplicates())


def name_of(card, aid: str) -> str:
    return next(Path(s.path).stem for s in card.sources if s.id == aid)


NIS = {
    "a": "According to South Korea's National Intelligence Service, Russian navy ships carried 1,500 North Korean "
         "special forces to Vladivostok in October.",
    "b": "South Korea's National Intelligence Service said that Russian navy ships ferried 1,500 North Korean "
         "special forces to Vladivostok in October.",
    "c": "Ukraine's National Intelligence Service said that Russian navy ships carried 1,500 North Korean special "
         "forces to Vladivostok in October.",
}


def test_a_fact_is_shown_in_the_attribution_most_sources_give_and_the_other_is_a_disagreement(tmp_path):
    card = card_of(tmp_path, NIS)
    (fact,) = [f for f in card.facts if "1,500" in f.text]
    assert fact.independent == 3
    assert "South Korea" in fact.text and "Ukraine" not in fact.text
    assert [(a.who, sorted(name_of(card, s) for s in a.sources)) for a in fact.attributions] == [
        ("South Korea's National Intelligence Service", ["a", "b"]), ("Ukraine's National Intelligence Service", ["c"])]
    data = json.loads(json.dumps(card.to_json()))
    (row,) = [f for f in data["facts"] if "1,500" in f["text"]]
    assert [len(a["sources"]) for a in row["attributions"]] == [2, 1]
    md = card_to_markdown(card)
    assert "⚠ attribution disputed: South Korea's National Intelligence Service (2" in md
    assert "Ukraine's National Intelligence Service (1" in md


def test_the_same_source_named_two_ways_is_no_disagreement(tmp_path):
    card = card_of(tmp_path, {
        "a": "The Civil Protection Directorate said the death toll rose to 11 on Thursday after two more bodies were found.",
        "b": "The death toll rose to 11 on Thursday after two more bodies were found, the civil protection service said.",
        "c": "Officials said the death toll rose to 11 on Thursday after two more bodies were found near the river.",
    })
    (fact,) = [f for f in card.facts if "11" in f.text]
    assert fact.independent == 3
    assert fact.attributions == []
    assert "attribution disputed" not in card_to_markdown(card)


def test_two_people_credited_by_their_full_names_are_a_disagreement(tmp_path):
    card = card_of(tmp_path, {
        "a": "Defence Minister Anna Kovacs said that 3,000 troops had crossed the northern border on Monday.",
        "b": "Anna Kovacs said that 3,000 troops crossed the northern border on Monday night.",
        "c": "Army chief Peter Lindqvist said that 3,000 troops had crossed the northern border on Monday.",
    })
    (fact,) = [f for f in card.facts if "3,000" in f.text]
    assert [len(a.sources) for a in fact.attributions] == [2, 1]
    assert "Lindqvist" not in fact.text


def test_who_said_it_and_who_relayed_it_are_recorded(tmp_path):
    card = card_of(tmp_path, {
        "a": "The head of military intelligence, Lt Gen Kyrylo Budanov, told The War Zone that nearly 11,000 "
             "North Korean troops are training in eastern Russia.",
    })
    (fact,) = [f for f in card.facts if "11,000" in f.text]
    assert (fact.said_by, fact.via) == ("Lt Gen Kyrylo Budanov", "The War Zone")
    assert fact.to_json()["via"] == "The War Zone"
    assert "— Lt Gen Kyrylo Budanov, via The War Zone" in card_to_markdown(card)


def test_a_fact_without_attribution_has_none():
    assert said_by("Seven ships sailed from Chongjin to Vladivostok between October 8 and 13.") is None
    assert said_by("The agency's statement said 17 people were missing, according to the Interior Ministry.") \
        == "Interior Ministry"


def test_the_new_fields_follow_the_schema(tmp_path):
    from test_card import _validate

    card = card_of(tmp_path, NIS)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(card.to_json()))
    assert any(f["attributions"] for f in data["facts"])
    assert _validate(data, schema, schema) is None


# ---------------------------------------------------------------------------------------------- seeds

@pytest.fixture(scope="module")
def seeds_card(tmp_path_factory):
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not present")
    lib = Library(tmp_path_factory.mktemp("seeds-facts"))
    update(lib, [SEEDS])
    card = build_card(list(lib.articles()), query=None, duplicates=lib.near_duplicates())
    names = {s.id: Path(s.path).name[:3] for s in card.sources}
    return card, names


def test_seeds_the_1500_fact_reads_south_koreas_nis_and_shows_the_ukrainian_attribution(seeds_card):
    card, names = seeds_card
    (fact,) = [f for f in card.facts if "1500" in f.text.replace(",", "") and "Intelligence Service" in f.text]
    assert len(fact.sources) == 4 and fact.unknown_outlet_articles == 4  # pasted: outlets unknown
    assert "South Korea" in fact.text and "Ukraine's" not in fact.text
    assert [(a.who, sorted(names[s] for s in a.sources)) for a in fact.attributions] == [
        ("South Korea's National Intelligence Service", ["002", "004"]),
        ("Ukraine's National Intelligence Service", ["003"])]


def test_seeds_budanov_via_the_war_zone_on_the_fact_and_the_quote(seeds_card):
    card, _ = seeds_card
    (fact,) = [f for f in card.facts if "11,000" in f.text and "Budanov" in f.text]
    assert (fact.said_by, fact.via) == ("Lt Gen Kyrylo Budanov", "The War Zone")
    (quote,) = [q for q in card.quotes if q.text.startswith("They will be ready to fight in Ukraine on November 1")]
    assert (quote.speaker, quote.via) == ("Kyrylo Budanov", "The War Zone")
    (lankov,) = [q for q in card.quotes if q.text.startswith("Pyongyang would be paid well")]
    assert lankov.via == "BBC"


def test_seeds_grave_and_significant_security_threat_are_one_fact_of_two_seeds(seeds_card):
    card, names = seeds_card
    (fact,) = [f for f in card.facts if "security threat" in f.text]
    assert sorted(names[s] for s in fact.sources) == ["002", "004"]
    assert any("grave security threat" in p.text for p in fact.passages)


# ------------------------------------------------------------------ claims that report one thing, merged

MULTINEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "multinews-dev"


def cluster_card(tmp_path: Path, cluster: str):
    folder = MULTINEWS / cluster
    if not folder.is_dir():
        pytest.skip(f"../shared/corpora/multinews-dev/{cluster} is not present")
    src = tmp_path / "src"
    src.mkdir()
    for p in sorted(folder.glob("article_*.txt")):
        (src / p.name).write_bytes(p.read_bytes())
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    return build_card(list(lib.articles()), query=None, duplicates=lib.near_duplicates())


def test_an_article_saying_one_thing_twice_gives_one_fact(tmp_path):
    card = card_of(tmp_path, {
        "a": "Israel's cabinet approved the activation of up to 75,000 reservists late on Friday.\n\n"
             "Rockets hit the south of the country again overnight, the army said.\n\n"
             "Israel's cabinet on Friday authorized the mobilization of up to 75,000 reservists, a spokesman said.",
        "b": "Israel's Cabinet authorized the mobilization of up to 75,000 reservists, a spokesman says.\n\n"
             "Schools in the south stayed closed for a third day.\n\n"
             "Israel's Cabinet on Friday approved the activation of up to 75,000 reservists, spokesman Mark Regev said.",
    })
    facts = [f for f in card.facts if "75,000" in f.text]
    assert len(facts) == 1
    assert len(facts[0].passages) == 4 and facts[0].independent == 2


def test_the_same_words_about_two_people_stay_two_facts(tmp_path):
    card = card_of(tmp_path, {
        "a": "John Austin Huggins, 17, of Fairmont, is charged with two counts of felony arson and two counts of "
             "felony conspiracy.\n\nShellia Huggins, 19, of Fairmont, is charged with two counts of felony arson "
             "and two counts of felony conspiracy.",
        "b": "John Austin Huggins, 17, of Fairmont, was charged with two counts of felony arson and two counts of "
             "felony conspiracy.\n\nShellia Huggins, 19, of Fairmont, was charged with two counts of felony arson "
             "and two counts of felony conspiracy.",
    })
    assert len([f for f in card.facts if "Huggins" in f.text]) == 2


def test_multinews_the_75000_reservists_are_one_fact(tmp_path):
    card = cluster_card(tmp_path, "cluster_152")
    facts = [f for f in card.facts if "75,000 reservists" in f.text]
    assert len(facts) == 1 and len(facts[0].passages) >= 3


def test_multinews_people_charged_alike_stay_apart(tmp_path):
    card = cluster_card(tmp_path, "cluster_161")
    charged = [f for f in card.facts if " charged with " in f.text]
    assert charged
    for f in charged:
        subjects = {" ".join(p.text.split(",")[0].split()[:2]) for p in f.passages}
        assert len(subjects) == 1, subjects
