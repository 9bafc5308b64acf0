from __future__ import annotations

import json

import pytest
from test_card import DAM, FakeCache

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
