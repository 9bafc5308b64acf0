from __future__ import annotations

import json

import pytest
from test_card import DAM, FakeCache, art

from briefs.compare import compare


def test_compare_aligns_the_same_report_and_shows_each_wording():
    result = compare(DAM[1:2] + DAM[3:4], {}, FakeCache())
    (claim,) = [c for c in result.aligned if any("fail" in p.text for p in c.sides)]
    wordings = {p.source: p.text for p in claim.sides}
    assert wordings == {"bbbb0002": "Heavy rain caused the Kavra dam to fail on March 1, engineers said.",
                        "dddd0004": "The Kavra dam failed on March 1, after days of heavy rain upstream."}
    assert claim.independent == 2


def test_compare_lists_figures_that_differ_between_the_articles():
    result = compare(DAM[:2], {}, FakeCache())
    (diff,) = result.differences
    assert {(s.value, tuple(s.sources)) for s in diff.claims} == {(1200, ("aaaa0001",)), (1700, ("bbbb0002",))}


def test_compare_shows_what_only_one_article_says():
    result = compare(DAM[1:2] + DAM[3:4], {}, FakeCache())
    only_d = [p.text for p in result.unique["dddd0004"]]
    assert any("footbridge" in t for t in only_d)
    assert not any("Kavra dam" in t for t in only_d)
    assert all("footbridge" not in p.text for p in result.unique["bbbb0002"])


def test_compare_json_names_sources_and_paragraphs():
    data = json.loads(json.dumps(compare(DAM[:2], {}, FakeCache()).to_json()))
    assert data["schema"] == "brief.compare/1"
    assert [s["id"] for s in data["sources"]] == ["aaaa0001", "bbbb0002"]
    for claim in data["aligned"]:
        for side in claim["sides"]:
            assert side["text"] in next(a for a in DAM if a.id == side["source"]).paragraphs[side["paragraph"]]


def test_compare_needs_two_different_articles():
    with pytest.raises(ValueError):
        compare([DAM[0], DAM[0]], {}, FakeCache())


def _three_tolls():
    from test_disagree import art

    return [art("a11", "Ledger", "About 1,200 people were evacuated from the valley, the governor said."),
            art("b11", "Courier", "Police said nearly 1,200 people had been moved out of the valley."),
            art("c11", "Gazette", "Some 1,700 people were evacuated from the valley, the relief agency said.")]


def test_compare_json_gives_each_article_its_own_statement_of_a_value():
    arts = _three_tolls()
    data = json.loads(json.dumps(compare(arts, {}).to_json()))
    (diff,) = [d for d in data["differences"] if {c["value"] for c in d["claims"]} == {1200, 1700}]
    side = next(c for c in diff["claims"] if c["value"] == 1200)
    assert {(s["source"], s["figure"], s["text"]) for s in side["statements"]} == {
        ("a11", "About 1,200", arts[0].paragraphs[0]), ("b11", "nearly 1,200", arts[1].paragraphs[0])}


def test_brief_compare_prints_each_article_with_its_own_hedge_and_sentence(capsys):
    from tui.cli.cards import _print_comparison
    from tui.cli.shared import Out

    arts = _three_tolls()
    _print_comparison(Out(color=False), compare(arts, {}))
    out = capsys.readouterr().out
    figures = out.split("Figures that differ")[1].split("Only in")[0]
    lines = [line.strip() for line in figures.splitlines()]
    for art_, value in zip(arts, ("about 1,200", "nearly 1,200", "some 1,700")):
        (line,) = [line for line in lines if line.endswith(art_.paragraphs[0])]  # its own sentence, once
        assert line.startswith(value + " [")  # with its own hedge


def test_what_only_one_article_says_is_never_cut_silently(capsys):
    """At most MAX_UNIQUE sentences are shown under "only in", and the rest are counted (JSON, CLI)."""
    from briefs.compare import MAX_UNIQUE
    from tui.cli.cards import _print_comparison
    from tui.cli.shared import Out

    topics = ["orchard", "tunnel", "ferry", "library", "stadium", "market", "harbour", "school", "clinic",
              "railway", "museum", "bakery"]
    long_one = art("long0001", "Valley Courier", 2, *[f"The town council discussed the {t} budget at length on "
                                                      f"Monday evening, officials said." for t in topics])
    other = art("other002", "Harbour Ledger", 3, "A storm closed the coast road near Lemma for six hours overnight.")
    result = compare([long_one, other], {})
    assert len(result.unique["long0001"]) == MAX_UNIQUE < len(topics)
    assert result.more_unique("long0001") == len(topics) - MAX_UNIQUE
    data = json.loads(json.dumps(result.to_json()))
    (entry,) = [u for u in data["unique"] if u["source"] == "long0001"]
    assert entry["total"] == len(topics) and len(entry["sentences"]) == MAX_UNIQUE
    _print_comparison(Out(color=False), result)
    assert f"… and {len(topics) - MAX_UNIQUE} more sentences only" in capsys.readouterr().out
