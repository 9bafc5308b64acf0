"""Card building over small hand-made articles, with a stand-in for the per-article extraction."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from briefs.card import build_card
from index.model import Article

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "briefs" / "card.schema.json"
NOW = datetime(2025, 3, 5, 12, 0, tzinfo=timezone.utc)

_FIGURE = re.compile(r"\b(about |nearly |some )?(\d{1,3},\d{3}|\d{3,}) (\w+)")
_DAY = re.compile(r"\bMarch (\d{1,2})\b")
_QUOTE = re.compile(r"“([^”]+)”,? said ([A-Z]\w+ [A-Z]\w+)")


def fake_extraction(article: Article):
    """What the extraction module gives, from simple patterns: enough to exercise the card."""
    sentences, figures, dates, quotes = [], [], [], []
    for p, para in enumerate(article.paragraphs):
        for text in re.split(r"(?<=[.!?”])\s+(?=[A-Z“])", para):
            sentences.append(NS(text=text, paragraph=p))
            for m in _FIGURE.finditer(text):
                attributed = "the regional governor" if "governor" in text else None
                figures.append(NS(value=float(m.group(2).replace(",", "")), text=m.group(0), hedge=(m.group(1) or "").strip() or None,
                                  counted=m.group(3), counted_key=m.group(3).rstrip("s"), attributed_to=attributed,
                                  sentence=text))
            for m in _DAY.finditer(text):
                day = date(2025, 3, int(m.group(1)))
                dates.append(NS(text=m.group(0), start=day, end=day, precision="day", sentence=text))
        for m in _QUOTE.finditer(para):
            quotes.append(NS(text=m.group(1), speaker=m.group(2), role=None, paragraph_index=p))
    people = [NS(name=q.speaker, role="chief engineer", mentions=1) for q in quotes]
    places = [NS(name="Kavra", mentions=1)] if "Kavra" in article.body else []
    entities = NS(people=people, organizations=[], places=places)
    return NS(sentences=sentences, figures=figures, dates=dates, entities=entities, quotes=quotes)


class FakeCache:
    def __init__(self) -> None:
        self.calls = 0

    def get(self, article):
        self.calls += 1
        return fake_extraction(article)


def art(aid, outlet, day, *paragraphs, title=None):
    return Article(id=aid, path=f"/tmp/{aid}.txt", title=title or f"Story {aid}", paragraphs=list(paragraphs),
                   outlet=outlet, published=date(2025, 3, day) if day else None)


DAM = [
    art("aaaa0001", "Meridian", 2,
        "The Kavra dam failed on March 1 after days of heavy rain. About 1,200 residents were evacuated from the valley.",
        "“We lost the spillway in minutes,” said Lena Ortiz, who runs the dam."),
    art("bbbb0002", "Harbour Ledger", 3,
        "Heavy rain caused the Kavra dam to fail on March 1, engineers said.",
        "Some 1,700 residents were evacuated from the valley, the regional governor said."),
    art("cccc0003", "Wire Daily", 2,
        "The Kavra dam failed on March 1 after days of heavy rain. About 1,200 residents were evacuated from the valley.",
        "“We lost the spillway in minutes,” said Lena Ortiz, who runs the dam."),
    art("dddd0004", None, 4,
        "The Kavra dam failed on March 1, after days of heavy rain upstream.",
        "A new footbridge opened in the market town of Sella with a brass band playing."),
]
COPIES = {"aaaa0001": ["cccc0003"], "cccc0003": ["aaaa0001"]}


def card_of(articles, dups=COPIES, query="kavra dam"):
    return build_card(articles, query=query, duplicates=dups, cache=FakeCache(), now=NOW)


def fact_with(card, words):
    return next(f for f in card.facts if all(w in f.text for w in words))


def test_a_fact_counts_independent_sources_with_copies_and_one_outlet_once():
    card = card_of(DAM)
    failed = fact_with(card, ["dam", "March 1"])
    assert set(failed.sources) == {"aaaa0001", "bbbb0002", "cccc0003", "dddd0004"}
    assert failed.independent == 3  # the Wire Daily copy of Meridian counts once
    assert failed.credibility == 1


def test_a_story_told_by_one_source_is_marked_single_source():
    card = card_of(DAM)
    bridge = fact_with(card, ["footbridge"])
    assert bridge.single_source and bridge.credibility == 3 and bridge.sources == ["dddd0004"]


def test_an_estimate_that_changes_from_day_to_day_is_evolving_not_a_conflict():
    card = card_of(DAM)
    (d,) = card.disagreements
    assert d.kind == "evolving"
    assert [s.value for s in d.claims] == [1200, 1700]  # oldest first
    assert d.claims[1].attributed_to == "the regional governor"
    assert set(d.claims[0].sources) == {"aaaa0001", "cccc0003"}


def test_figures_that_differ_on_one_day_conflict_and_their_facts_are_graded_contradicted():
    same_day = [DAM[0], art("bbbb0002", "Harbour Ledger", 2, *DAM[1].paragraphs)]
    card = card_of(same_day, dups={})
    (d,) = card.disagreements
    assert d.kind == "conflict"
    evacuated = [f for f in card.facts if "evacuated" in f.text]
    assert evacuated and all(f.credibility == 5 for f in evacuated)


def test_a_fact_is_not_supported_by_an_article_that_states_another_figure():
    card = card_of(DAM)
    evacuated = fact_with(card, ["1,200", "evacuated"])
    assert "bbbb0002" not in evacuated.sources  # it says 1,700
    assert evacuated.independent == 1


def test_every_line_cites_the_paragraph_it_came_from():
    card = card_of(DAM)
    paragraphs = {a.id: a.paragraphs for a in DAM}
    for f in card.facts:
        for p in f.passages:
            assert p.text in paragraphs[p.source][p.paragraph]
    for f in card.figures:
        for loc in f.locations:
            assert f.figure in paragraphs[loc.source][loc.paragraph]
    for t in card.timeline:
        assert t.locations and all(t.when in paragraphs[loc.source][loc.paragraph] for loc in t.locations)
    for q in card.quotes:
        assert q.text in paragraphs[q.source][q.paragraph]
    for s in card.bottom_line:
        assert s.sources and any(s.text in p for aid in s.sources for p in paragraphs[aid])


def test_summary_is_one_to_three_sentences_from_the_articles_without_repeating_itself():
    card = card_of(DAM)
    assert 1 <= len(card.bottom_line) <= 3
    texts = [s.text for s in card.bottom_line]
    assert len({t.split()[1] + t.split()[-1] for t in texts}) == len(texts)
    assert sum("dam" in t and "March 1" in t for t in texts) <= 1


def test_summary_words_gives_the_copies_sentence_once_citing_both_and_leaves_the_bottom_line_alone():
    plain = card_of(DAM)
    card = build_card(DAM, query=None, duplicates=COPIES, cache=FakeCache(), now=NOW, summary_words=60)
    assert plain.summary == [] and [s.text for s in card.bottom_line] == [s.text for s in plain.bottom_line]
    texts = [s.text for s in card.summary]
    assert texts and sum(len(t.split()) for t in texts) <= 60 and len(set(texts)) == len(texts)
    evacuated = [s for s in card.summary if "1,200 residents" in s.text]
    assert len(evacuated) == 1 and {"aaaa0001", "cccc0003"} <= set(evacuated[0].sources)
    assert card.to_json()["summary"] == [s.to_json() for s in card.summary]

def test_timeline_merges_one_dated_event_across_articles():
    card = card_of(DAM)
    march1 = [t for t in card.timeline if t.date == date(2025, 3, 1)]
    assert len(march1) == 1 and len(march1[0].sources) == 4


def test_quotes_keep_their_speaker_and_appear_once():
    card = card_of(DAM)
    assert [(q.speaker, q.text) for q in card.quotes] == [("Lena Ortiz", "We lost the spillway in minutes,")]


def test_the_cache_is_asked_once_per_article():
    cache = FakeCache()
    build_card(DAM + [DAM[0]], query=None, duplicates=COPIES, cache=cache, now=NOW)
    assert cache.calls == 4


def test_progress_is_reported():
    seen = []
    build_card(DAM, query=None, duplicates={}, cache=FakeCache(), now=NOW, progress=lambda *a: seen.append(a))
    assert ("extracting", 4, 4) in seen


# ----------------------------------------------------------------------------------------------
# JSON and its schema


def _validate(data, schema, root, path="$"):
    """A small JSON Schema (draft 2020-12 subset) validator: type, required, properties,
    additionalProperties, items, enum, const, minimum, maximum, $ref to $defs, anyOf."""
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return _validate(data, root["$defs"][name], root, path)
    if "anyOf" in schema:
        errors = [_validate(data, s, root, path) for s in schema["anyOf"]]
        if all(errors):
            return errors[0]
        return None
    kinds = schema.get("type")
    if kinds:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        py = {"object": dict, "array": list, "string": str, "null": type(None), "boolean": bool,
              "integer": int, "number": (int, float)}
        if not any(isinstance(data, py[k]) and not (k in ("integer", "number") and isinstance(data, bool))
                   for k in kinds):
            return f"{path}: {data!r} is not {kinds}"
    if "enum" in schema and data not in schema["enum"]:
        return f"{path}: {data!r} not in {schema['enum']}"
    if "const" in schema and data != schema["const"]:
        return f"{path}: {data!r} != {schema['const']!r}"
    if "minimum" in schema and isinstance(data, (int, float)) and data < schema["minimum"]:
        return f"{path}: below minimum"
    if isinstance(data, dict):
        for key in schema.get("required", []):
            if key not in data:
                return f"{path}: missing {key}"
        props = schema.get("properties", {})
        for key, value in data.items():
            if key in props:
                err = _validate(value, props[key], root, f"{path}.{key}")
                if err:
                    return err
            elif schema.get("additionalProperties") is False:
                return f"{path}: unexpected {key}"
    if isinstance(data, list) and "items" in schema:
        for n, item in enumerate(data):
            err = _validate(item, schema["items"], root, f"{path}[{n}]")
            if err:
                return err
    return None


def test_card_json_follows_the_schema_in_the_repository():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    data = json.loads(json.dumps(card_of(DAM).to_json()))
    assert _validate(data, schema, schema) is None
    assert data["schema"] == "brief.card/2" and data["generated"] == "2025-03-05T12:00:00+00:00"
    assert all(isinstance(f["value"], (int, float)) for f in data["figures"])


@pytest.mark.parametrize("broken", [
    lambda d: d.pop("facts"),
    lambda d: d["facts"][0].update(credibility=4),
    lambda d: d["figures"][0].update(value="1,200"),
    lambda d: d["disagreements"][0].update(kind="maybe"),
])
def test_the_schema_rejects_a_malformed_card(broken):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(card_of(DAM).to_json()))
    broken(data)
    assert _validate(data, schema, schema) is not None



# ----------------------------------------------------------------------------------------------
# End to end: `brief card` and `brief compare` over the bundled demo library and the real seeds


def _brief(*args: str, library=None):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "tui"] + (["--library", str(library)] if library else []) + list(args)
    env = {**{k: v for k, v in os.environ.items() if k != "BRIEF_LIBRARY"}, "PYTHONPATH": str(root)}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=env, timeout=120)


@pytest.fixture(scope="module")
def demo_library(tmp_path_factory):
    lib = tmp_path_factory.mktemp("demolib")
    done = _brief("index", str(Path(__file__).resolve().parent.parent / "index" / "demo"), "-q", library=lib)
    assert done.returncode == 0, done.stderr
    return lib


def test_demo_card_json_validates_and_cites_only_its_sources(demo_library):
    done = _brief("card", "sorrel dam", "--format", "json", "-q", library=demo_library)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert _validate(data, schema, schema) is None
    ids = {s["id"] for s in data["sources"]}
    cited = {i for f in data["facts"] for i in f["sources"]} | {q["source"] for q in data["quotes"]}
    assert cited <= ids and len(ids) >= 11
    kinds = {d["about"]: d["kind"] for d in data["disagreements"]}
    assert kinds.get("people killed") == "evolving" and kinds.get("people displaced") == "conflict"
    speakers = {q["speaker"] for q in data["quotes"]}
    assert {"Ana Petrel", "Mira Solberg"} <= speakers


def test_demo_facts_are_carried_by_articles_that_report_them_not_by_mentions_of_a_name(demo_library):
    data = json.loads(_brief("card", "sorrel dam", "--format", "json", "-q", library=demo_library).stdout)
    raske = [f for f in data["facts"] if any("Raske" in p["text"] for p in f["passages"])]
    assert raske, "the minister's investigation is a key fact"
    for fact in raske:  # every passage reports the investigation, none only names the minister
        assert all("investigat" in p["text"] for p in fact["passages"]), fact
        assert fact["independent_sources"] == 3
    for fact in data["facts"]:
        assert not fact["text"].lstrip().startswith(("\"", "“")), fact["text"]  # a bare quote never stands for a fact
    toll = next(f for f in data["facts"] if re.search(r"\b(11|[Ee]leven)\b", f["text"]))
    # every outlet that puts the toll at 11, and its two articles of unknown outlet as one source
    assert (toll["independent_sources"], toll["articles"], toll["unknown_outlet_articles"]) == (5, 6, 2)


def test_boilerplate_never_reaches_a_card(demo_library):
    gold = json.loads((Path(__file__).resolve().parent / "gold" / "demo_gold.json").read_text(encoding="utf-8"))
    done = _brief("card", "--all", "-q", library=demo_library)
    assert done.returncode == 0, done.stderr
    body = done.stdout.split("\n## Sources")[0]
    squashed = re.sub(r"\s+", "", body)
    for text in gold["boilerplate"]:
        if len(text) >= 12:  # short ones ("pic.", "Read more") can be ordinary words
            assert re.sub(r"\s+", "", text) not in squashed, text


def test_card_markdown_parses_and_ids_and_compare_work(demo_library):
    from markdown_it import MarkdownIt

    listing = json.loads(_brief("list", "--json", library=demo_library).stdout)["articles"]
    story = [a["id"] for a in listing if "Sorrel" in a["title"]][:3]
    done = _brief("card", "--ids", ",".join(story), "-q", library=demo_library)
    assert done.returncode == 0, done.stderr
    assert MarkdownIt("commonmark").enable("table").parse(done.stdout)
    assert all(f"[^{i}]:" in done.stdout for i in story)
    compared = _brief("compare", story[0], story[1], "--json", library=demo_library)
    assert compared.returncode == 0, compared.stderr
    assert {s["id"] for s in json.loads(compared.stdout)["sources"]} == set(story[:2])


def test_seed_card_attributes_troop_numbers_and_shows_the_disagreement(seeds_dir, tmp_path):
    assert _brief("index", str(seeds_dir), "-q", library=tmp_path).returncode == 0
    done = _brief("card", "north korean troops", "--format", "json", "-q", library=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    troops = [d for d in data["disagreements"] if any(c["value"] == 11000 for c in d["claims"])]
    assert troops and troops[0]["kind"] == "range"  # "ten thousand" and "nearly 11,000" overlap: estimates
    values = {c["value"]: c["attributed_to"] or "" for c in troops[0]["claims"]}
    assert {10000, 11000} <= set(values)
    assert "Budanov" in values[11000] and "Zelenskyy" in values[10000]
    assert any(f["value"] == 12000 and "Intelligence Service" in (f["attributed_to"] or "")  # planned: another figure
               for f in data["figures"])
    assert any(f["value"] == 1500 and "National Intelligence Service" in (f["attributed_to"] or "")
               for f in data["figures"])
    quotes = {q["text"][:25]: q["speaker"] for q in data["quotes"]}
    assert {"Kyrylo Budanov", "Dmitry Peskov"} <= set(quotes.values())
    names = " ".join(p["name"] for p in data["people"])
    assert "Stavros" not in names  # the author bio is boilerplate, not a person of the story


# ----------------------------------------------------------------------------------------------
# No silent caps: the card (and its JSON) holds every quote and actor; Markdown says how many more


def _crowd(speakers: int = 14):
    """Articles quoting many people (two quotes each for the first few), naming many places."""
    first = ["Ana", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Karin",
             "Luis", "Marta", "Nils", "Olga", "Pavel", "Rosa", "Sven"]
    arts = []
    for n in range(speakers):
        name = f"{first[n]} Quill{chr(97 + n)}"
        paras = [f"The Kavra dam failed on March 1, report {n} says.",
                 f"“The water rose faster than anyone expected at site {n},” said {name}."]
        if n < 4:
            paras.append(f"“We will rebuild the levee number {n} before winter,” said {name}.")
        arts.append(art(f"q{n:07d}", f"Outlet {n}", 2 + n % 3, *paras))
    return arts


def test_the_card_and_its_json_hold_every_quote_grouped_by_speaker_and_every_actor():
    from briefs.actors import MAX_ACTORS, MAX_QUOTES

    articles = _crowd(18)
    card = card_of(articles, dups={})
    said = [(q.speaker, q.text) for a in articles for q in fake_extraction(a).quotes]
    assert len(said) == 22 > MAX_QUOTES
    assert sorted((q.speaker, q.text) for q in card.quotes) == sorted(said)  # every quote, each once
    assert len(card.people) == 18 > MAX_ACTORS
    data = json.loads(json.dumps(card.to_json()))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert _validate(data, schema, schema) is None
    assert sorted((q["speaker"], q["text"]) for q in data["quotes"]) == sorted(said)
    groups = data["quotes_by_speaker"]
    assert len(groups) == 18 and len({g["speaker"] for g in groups}) == 18
    assert sorted((g["speaker"], q["text"]) for g in groups for q in g["quotes"]) == sorted(said)
    assert all(q["speaker"] == g["speaker"] for g in groups for q in g["quotes"])
    assert [len(g["quotes"]) for g in groups if g["speaker"].startswith("Ana ")] == [2]
    assert {p["name"] for p in data["people"]} == {s for s, _ in said}
    assert all(p["mentions"] >= 1 for p in data["people"])
    assert "quotes" not in data["capped"] and "people" not in data["capped"]


def test_the_shown_quotes_are_each_speakers_first_before_anyones_second():
    from briefs.actors import MAX_QUOTES

    card = card_of(_crowd(8), dups={})  # 8 speakers, 12 quotes: the top 10 hold all 8 speakers
    shown = card.quotes[:MAX_QUOTES]
    assert len({q.speaker for q in shown}) == 8
    assert len(card.quotes) == 12


def test_markdown_shows_the_top_ones_and_says_how_many_more_there_are():
    from briefs.export import card_to_markdown

    card = card_of(_crowd(18), dups={})
    md = card_to_markdown(card)
    quotes_part = md.split("## Quotes", 1)[1].split("## Sources", 1)[0]
    assert quotes_part.count("> “") == 10
    speakers = len({q.speaker for q in card.quotes[10:]})  # the 8 not shown and some with a second quote
    assert speakers > 8
    assert f"*… and 12 more quotes from {speakers} speakers. All 22 are in the JSON export.*" in quotes_part
    people_part = md.split("### People", 1)[1].split("##", 1)[0]
    assert people_part.count("\n- ") == 16  # 15 people and the line saying how many more
    assert "- *… and 3 more people. All 18 are in the JSON export.*" in people_part


def test_more_quotes_counts_speakers_and_quotes_with_no_stated_speaker():
    from briefs.actors import more_quotes
    from briefs.cardmodel import QuoteLine

    def q(speaker):
        return QuoteLine(speaker, None, "text", "a", 0)

    assert more_quotes([q("A")] * 3, 3) == ""
    assert more_quotes([q("A"), q("B"), q("B"), q("C")], 1) == "3 more quotes from 2 speakers"
    assert more_quotes([q("A"), q(None)], 1) == "1 more quote with no stated speaker"
    assert more_quotes([q("A"), q("B"), q(None), q(None)], 1) == "3 more quotes: 1 from 1 speaker, 2 with no stated speaker"


def test_a_section_cut_at_its_cap_is_named_on_the_card_and_in_markdown():
    from briefs.card import MAX_FACTS
    from briefs.export import card_to_markdown

    articles = [art(f"f{n:07d}", f"Outlet {n}", 2, f"Engineer number {n} inspected {100 + n * 7} bolts of "
                    f"culvert {n} at dawn near the {['north', 'south', 'east', 'west'][n % 4]} gate.")
                for n in range(MAX_FACTS + 4)]
    card = card_of(articles, dups={})
    assert len(card.facts) == MAX_FACTS and card.capped.get("facts") == MAX_FACTS
    assert card.to_json()["capped"]["facts"] == MAX_FACTS
    md = card_to_markdown(card)
    assert f"*The card keeps at most {MAX_FACTS} key facts and this list is full" in md
    assert "keeps at most" not in card_to_markdown(card_of(DAM))  # the dam card is cut nowhere


def test_the_summary_is_a_section_after_the_bottom_line_with_its_citations():
    from briefs.cardmodel import Location, SummaryLine
    from briefs.export import card_to_markdown

    card = card_of(DAM)
    assert "## Summary" not in card_to_markdown(card)  # none unless asked for
    card.summary = [SummaryLine("The Kavra dam failed on March 1 after days of heavy rain.",
                                [Location("aaaa0001", 0), Location("bbbb0002", 0)]),
                    SummaryLine("Some 1,700 residents were evacuated_from the valley.", [Location("bbbb0002", 1)])]
    md = card_to_markdown(card)
    assert md.index("## Bottom line") < md.index("## Summary") < md.index("## Key facts")
    part = md.split("## Summary", 1)[1].split("##", 1)[0]
    assert "*19 words, every sentence taken from the articles.*" in part
    assert "The Kavra dam failed on March 1 after days of heavy rain. [^aaaa0001][^bbbb0002]" in part
    assert "evacuated\\_from the valley. [^bbbb0002]" in part  # escaped like every article text
    assert card.to_json()["summary"][1]["sources"] == ["bbbb0002"]


@pytest.fixture(scope="module")
def seeds_card(tmp_path_factory):
    """The seeds' card, built in-process over a fresh library (skips when ../shared is absent)."""
    from conftest import SEEDS

    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not present")
    from index.indexer import update
    from index.library import Library

    lib = Library(tmp_path_factory.mktemp("seeds-lib"))
    update(lib, [SEEDS], rebuild=True)
    articles = list(lib.articles(r["id"] for r in lib.catalog()))
    assert len(articles) == 5
    return build_card(articles, query=None, duplicates=lib.near_duplicates(), cache=None, now=NOW)


def test_seed_card_json_holds_all_26_attributed_quotes_with_their_speakers(seeds_card):
    from briefs.export import card_to_json, card_to_markdown

    data = json.loads(card_to_json(seeds_card))
    attributed = [q for q in data["quotes"] if q["speaker"]]
    assert len(attributed) == 26
    speakers = {q["speaker"] for q in attributed}
    for name in ("Edward Howell", "Andrei Lankov", "Bermudez", "Kyrylo Budanov", "Dmitry Peskov", "John Healey"):
        assert any(name in s for s in speakers), name
    grouped = [(g["speaker"], q["text"]) for g in data["quotes_by_speaker"] for q in g["quotes"]]
    assert sorted(grouped, key=str) == sorted(((q["speaker"], q["text"]) for q in data["quotes"]), key=str)
    assert len({g["speaker"] for g in data["quotes_by_speaker"]}) == len(data["quotes_by_speaker"])
    howell = next(g for g in data["quotes_by_speaker"] if g["speaker"] and "Howell" in g["speaker"])
    assert "Oxford" in (howell["role"] or "") and len(howell["quotes"]) == 2
    assert len(data["people"]) > 15 and all(p["mentions"] >= 1 for p in data["people"])
    assert len(data["organizations"]) > 15 and len(data["places"]) > 15
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert _validate(data, schema, schema) is None
    md = card_to_markdown(seeds_card)
    rest = len(data["quotes"]) - 10
    assert f"*… and {rest} more quotes" in md and f"All {len(data['quotes'])} are in the JSON export.*" in md
    assert f"- *… and {len(data['people']) - 15} more people. All {len(data['people'])} are in the JSON" in md


def test_quotes_are_grouped_by_speaker_as_credited_never_under_someone_else():
    from briefs.cardmodel import QuoteLine, quotes_by_speaker

    said = [("Mr. Musk", "a"), ("Musk", "b"), (None, "c"), ("Mr Musk", "d"), ("Elon Musk", "e"), ("Clinton", "f"),
            ("Mrs Clinton", "g")]
    groups = quotes_by_speaker([QuoteLine(s, None, t, "x", 0) for s, t in said])
    assert [(g, [q.text for q in qs]) for g, _, qs in groups] == [
        ("Mr. Musk", ["a", "d"]), ("Musk", ["b"]), ("Elon Musk", ["e"]), ("Clinton", ["f"]), ("Mrs Clinton", ["g"]),
        (None, ["c"])]
    assert [q.speaker for _, _, qs in groups for q in qs if q.text == "d"] == ["Mr Musk"]  # kept as written
