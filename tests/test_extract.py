"""Per-article extraction and its on-disk cache."""

from __future__ import annotations

import json
import os
import stat
from datetime import date

import pytest

from briefs.extract import VERSION, Extraction, ExtractionCache, extract
from index.model import Article

STORY = [
    "Ana Vell, the regional governor, said on Monday that about 12,000 people had been forced from their homes.",
    "“We have opened 14 shelters and we will open more,” Vell said.",
    "The death toll rose to 11 on Thursday, the Civil Protection Directorate said. She said the army would help.",
    "Up to 30 people were unaccounted for by midday, said Captain Emil Varo of the Civil Protection Directorate.",
    "He said 17 people were still missing.",
]


def article(paragraphs=STORY, published=date(2025, 3, 6), aid="a1") -> Article:
    return Article(id=aid, path=f"/tmp/{aid}.txt", title="Flood", paragraphs=list(paragraphs), published=published)


def test_extraction_has_everything_a_card_reads():
    ex = extract(article())
    assert [s.paragraph for s in ex.sentences] == [0, 1, 2, 2, 3, 4]
    by_value = {f.value: f for f in ex.figures}
    assert set(by_value) == {12000, 14, 11, 30, 17}
    assert by_value[12000].hedge == "about" and by_value[12000].attributed_to == "Ana Vell"
    assert by_value[14].attributed_to == "Ana Vell"  # a figure inside a quote belongs to its speaker
    assert by_value[11].attributed_to == "Civil Protection Directorate"
    assert by_value[30].attributed_to == "Emil Varo"
    assert by_value[17].attributed_to == "Emil Varo"  # "He said": the last person named
    assert all(f.sentence in {s.text for s in ex.sentences} for f in ex.figures)
    assert [q.speaker for q in ex.quotes] == ["Ana Vell"]
    assert ex.quotes[0].paragraph_index == 1
    assert any(d.start == date(2025, 3, 3) for d in ex.dates)  # "on Monday" before Thursday 6 March
    assert "Ana Vell" in [p.name for p in ex.entities.people]
    assert "Civil Protection Directorate" in [o.name for o in ex.entities.organizations]


def test_no_figure_no_attribution_invented():
    ex = extract(article(["The river fell overnight and the bridge reopened to traffic."]))
    assert ex.figures == [] and ex.quotes == []


def test_json_round_trip_is_lossless():
    ex = extract(article())
    again = Extraction.from_json(json.loads(json.dumps(ex.to_json())))
    assert again.to_json() == ex.to_json()


def test_the_cache_stores_one_file_per_article_and_reads_it_back(tmp_path):
    cache = ExtractionCache(tmp_path)
    first = cache.get(article())
    assert cache.misses == 1 and len(list(tmp_path.rglob("*.json"))) == 1
    fresh = ExtractionCache(tmp_path)
    assert fresh.get(article()).to_json() == first.to_json()
    assert fresh.hits == 1 and fresh.misses == 0
    assert not list(tmp_path.rglob(".tmp-*"))  # atomic writes leave no temporary files


def test_changed_text_or_published_date_is_extracted_again(tmp_path):
    cache = ExtractionCache(tmp_path)
    cache.get(article())
    cache.get(article(STORY[:2]))
    cache.get(article(published=date(2025, 3, 9)))
    assert cache.misses == 3


@pytest.mark.parametrize("damage", [b"{not json", b"", json.dumps({"version": VERSION - 1}).encode(),
                                    json.dumps({"version": VERSION, "sentences": 3}).encode()])
def test_a_corrupt_or_old_cache_file_is_recomputed(tmp_path, damage):
    cache = ExtractionCache(tmp_path)
    good = cache.get(article()).to_json()
    (path,) = tmp_path.rglob("*.json")
    path.write_bytes(damage)
    again = ExtractionCache(tmp_path)
    assert again.get(article()).to_json() == good and again.misses == 1
    assert Extraction.from_json(json.loads(path.read_text(encoding="utf-8"))).to_json() == good  # repaired


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_a_read_only_cache_folder_is_never_an_error(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        cache = ExtractionCache(folder)
        assert cache.get(article()).figures
        assert cache.get(article(aid="a2")).figures  # keeps working without writing
        assert not list(folder.iterdir())
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_cache_without_folder_keeps_extractions_in_memory():
    cache = ExtractionCache(None)
    assert cache.get(article()) is cache.get(article())


def test_a_cache_folder_that_is_a_file_is_not_an_error(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    assert ExtractionCache(blocker).get(article()).figures


def test_a_cache_that_cannot_be_written_carries_on(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    cache = ExtractionCache(tmp_path)
    assert cache.get(article()).figures and cache.get(article(aid="a2")).figures
    assert not cache.writable and not list(tmp_path.rglob("*.json"))


def test_many_uncached_articles_are_extracted_in_parallel_with_the_same_result(tmp_path, monkeypatch):
    import briefs.extract as ex

    monkeypatch.setattr(ex, "PARALLEL_FROM", 2)
    articles = [article(aid=f"p{n}", paragraphs=STORY[n:]) for n in range(4)]
    seen = []
    got = ExtractionCache(tmp_path).get_many(articles, progress=lambda *a: seen.append(a))
    assert {aid: e.to_json() for aid, e in got.items()} == {a.id: extract(a).to_json() for a in articles}
    assert seen[-1] == ("extracting", 4, 4) and len(list(tmp_path.rglob("*.json"))) == 4
    again = ExtractionCache(tmp_path)
    again.get_many(articles)
    assert again.hits == 4 and again.misses == 0


def test_a_wire_dateline_is_not_part_of_the_first_claim():
    a = Article(id="dl000001", path="/tmp/dl.txt", title="Dam wall fails",
                paragraphs=["KAVRA, March 4 (Meridian Wire) - Part of the dam wall gave way before dawn, officials said.",
                            "LISK (AP) - this is not a dateline position and stays as written."])
    texts = [s.text for s in extract(a).sentences]
    assert texts[0] == "Part of the dam wall gave way before dawn, officials said."
    assert texts[0] in a.paragraphs[0]  # still found in its paragraph, to open it in the reader
    assert texts[1].startswith("LISK (AP)")


def test_the_outlet_a_quote_was_given_to_survives_the_cache_round_trip():
    ex = extract(article(["“They will be ready to fight on November 1,” Lt Gen Kyrylo Budanov told The War Zone."]))
    assert [(q.speaker, q.via) for q in ex.quotes] == [("Kyrylo Budanov", "The War Zone")]
    again = Extraction.from_json(json.loads(json.dumps(ex.to_json())))
    assert again.quotes[0].via == "The War Zone"
