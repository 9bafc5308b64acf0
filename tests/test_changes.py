"""briefs.changes: what changed between two cards of the same query (made-up articles and the real seeds)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from briefs.changes import card_changes, is_empty
from test_card import DAM, _brief, art, card_of

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

NEW = art("eeee0005", "Valley Post", 5,
          "About 2,400 residents were evacuated from the valley by March 5, the regional governor said.",
          "A second levee near Sella was reinforced with sandbags overnight by volunteers.")


def test_the_same_card_twice_reports_no_changes():
    a = card_of(DAM).to_json()
    b = card_of(DAM).to_json()
    changes = card_changes(a, b)
    assert changes["since"] == a["generated"]
    assert is_empty(changes)
    assert changes == card_changes(a, b)  # deterministic


def test_a_new_article_names_the_new_source_its_facts_and_figures():
    before = card_of(DAM).to_json()
    after = card_of(DAM + [NEW]).to_json()
    changes = card_changes(before, after)
    assert changes["new_sources"] == ["eeee0005"]
    assert any("levee" in f["text"] for f in changes["new_facts"])
    assert all("eeee0005" in f["sources"] for f in changes["new_facts"])
    figures = {(f["counted"], f["value"]) for f in changes["changed_figures"]} | {
        (f["counted"], f["value"]) for f in changes["new_figures"]}
    assert any(f["now"]["value"] == 2400 for f in changes["changed_figures"]) or any(
        f["value"] == 2400 for f in changes["new_figures"]), figures
    assert not [g for g in changes["gone"] if g["kind"] == "source"]


def test_removing_an_article_reports_what_is_gone_and_credibility_that_fell():
    before = card_of(DAM).to_json()
    after = card_of(DAM[:1] + DAM[3:]).to_json()
    changes = card_changes(before, after)
    gone_sources = [g["id"] for g in changes["gone"] if g["kind"] == "source"]
    assert gone_sources == ["bbbb0002", "cccc0003"]
    assert changes["new_sources"] == []


def test_facts_match_by_passage_or_word_overlap_and_figures_by_what_they_count():
    prev = {"generated": "2026-11-30T14:02:00+00:00", "sources": [{"id": "a"}],
            "facts": [{"text": "The dam failed on March 1 after heavy rain in the valley.", "credibility": 3,
                       "sources": ["a"], "passages": [{"source": "a", "paragraph": 0, "text": "x"}]}],
            "figures": [{"counted": "residents evacuated", "value": 1200.0, "hedge": "about"}],
            "disagreements": [{"about": "residents evacuated", "kind": "conflict", "claims": []}]}
    cur = copy.deepcopy(prev)
    cur["generated"] = "2026-12-01T09:00:00+00:00"
    cur["sources"].append({"id": "b"})
    cur["facts"][0]["text"] = "The dam failed on March 1 after heavy rain in the valley, officials said."
    cur["facts"][0]["passages"] = [{"source": "b", "paragraph": 2, "text": "y"}]
    cur["facts"][0]["credibility"] = 2
    cur["figures"][0].update(value=1500.0, hedge="up to")
    cur["disagreements"] = []
    changes = card_changes(prev, cur)
    assert changes["since"] == "2026-11-30T14:02:00+00:00"
    assert changes["new_sources"] == ["b"]
    assert changes["new_facts"] == []
    assert changes["credibility_changed"] == [{"text": cur["facts"][0]["text"], "before": 3, "now": 2}]
    assert changes["changed_figures"] == [{"counted": "residents evacuated", "before": {"value": 1200.0, "hedge": "about"},
                                           "now": {"value": 1500.0, "hedge": "up to"}}]
    assert changes["gone"] == [{"kind": "disagreement", "about": "residents evacuated", "disagreement_kind": "conflict"}]


@pytest.fixture
def seeds():
    if not SEEDS.is_dir() or len(list(SEEDS.glob("*.txt"))) < 5:
        pytest.skip("../shared/seeds is not present")
    return sorted(SEEDS.glob("*.txt"))


def _card(lib) -> dict:
    done = _brief("card", "--all", "--format", "json", "-q", library=lib)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_on_the_seeds_a_fifth_article_shows_as_its_source_facts_and_figures(seeds, tmp_path):
    folder, lib = tmp_path / "articles", tmp_path / "lib"
    folder.mkdir()
    for path in seeds[:4]:
        shutil.copy(path, folder / path.name)
    assert _brief("index", str(folder), "-q", library=lib).returncode == 0
    first = _card(lib)
    again = _card(lib)
    assert is_empty(card_changes(first, again))
    shutil.copy(seeds[4], folder / seeds[4].name)
    assert _brief("index", str(folder), "-q", library=lib).returncode == 0
    second = _card(lib)
    changes = card_changes(first, second)
    new_ids = {s["id"] for s in second["sources"]} - {s["id"] for s in first["sources"]}
    assert len(new_ids) == 1 and changes["new_sources"] == sorted(new_ids)
    (new_id,) = new_ids
    assert changes["new_facts"] and all(new_id in f["sources"] for f in changes["new_facts"])
    figs = changes["new_figures"] + [f for f in second["figures"]
                                     if any(c["counted"] == f["counted"] for c in changes["changed_figures"])]
    assert figs and any(new_id in f["sources"] for f in figs)


def test_card_history_keeps_the_last_cards_per_key_atomically(tmp_path):
    from index import cardhistory

    key = cardhistory.card_key("Kavra  Dam")
    assert key == cardhistory.card_key("kavra dam") != cardhistory.card_key(ids=["b", "a"])
    assert cardhistory.card_key(ids=["b", "a"]) == cardhistory.card_key(ids=["a", "b"])
    for n in range(cardhistory.KEEP + 3):
        cardhistory.save(tmp_path, key, {"generated": f"2026-11-{n + 1:02d}T10:00:00+00:00", "n": n})
    kept = cardhistory.load(tmp_path, key)
    assert [c["n"] for c in kept] == list(range(3, cardhistory.KEEP + 3))
    assert [p.name for p in (tmp_path / "cards").iterdir() if p.name.endswith(".tmp")] == []
    assert cardhistory.pick(kept, "last")["n"] == cardhistory.KEEP + 2
    assert cardhistory.pick(kept, "2026-11-10")["n"] == 9
    assert cardhistory.pick(kept, "2026-11-10T09:00:00+00:00")["n"] == 8
    assert cardhistory.pick(kept, "2026-11-01") is None
    assert cardhistory.load(tmp_path, cardhistory.card_key("other")) == []


def _next_second(iso: str) -> None:
    import time
    from datetime import datetime, timezone

    while datetime.now(timezone.utc).replace(microsecond=0) <= datetime.fromisoformat(iso):
        time.sleep(0.05)


def test_brief_card_keeps_its_cards_and_fills_changes_and_since(seeds, tmp_path):
    from test_card import SCHEMA_PATH, _validate

    folder, lib = tmp_path / "articles", tmp_path / "lib"
    folder.mkdir()
    for path in seeds[:4]:
        shutil.copy(path, folder / path.name)
    assert _brief("index", str(folder), "-q", library=lib).returncode == 0
    none = _brief("card", "--all", "--since", "last", "-q", library=lib)
    assert none.returncode == 1 and "no earlier card" in none.stderr and none.stdout == ""
    bad = _brief("card", "--all", "--since", "yesterday", "-q", library=lib)
    assert bad.returncode == 2 and "--since" in bad.stderr
    first = _card(lib)
    assert first["changes"] is None
    assert list((lib / "cards").glob("*.json")) and not (folder / "cards").exists()
    same = _card(lib)
    assert is_empty(same["changes"]) and same["changes"]["since"] == first["generated"]
    shutil.copy(seeds[4], folder / seeds[4].name)
    assert _brief("index", str(folder), "-q", library=lib).returncode == 0
    _next_second(first["generated"])  # cards are timed to the second: --since the first must not be the second
    second = _card(lib)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert _validate(second, schema, schema) is None
    (new_id,) = {s["id"] for s in second["sources"]} - {s["id"] for s in first["sources"]}
    assert second["changes"]["new_sources"] == [new_id]
    assert second["changes"]["new_figures"]
    md = _brief("card", "--all", "--since", first["generated"], "-q", library=lib)
    assert md.returncode == 0, md.stderr
    head = md.stdout.split("## Key facts")[0]
    assert "## What changed since" in head and f"New sources: `{new_id}`" in head and "New fact:" in head


def _write(folder: Path, name: str, outlet: str, *paragraphs: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"---\ntitle: {name}\noutlet: {outlet}\n---\n\n" + "\n\n".join(paragraphs) + "\n",
                               encoding="utf-8")


def test_brief_history_lists_what_is_kept_what_each_card_changed_and_clears_it(tmp_path):
    folder, lib = tmp_path / "articles", tmp_path / "lib"
    _write(folder, "a.md", "Valley Post", "The Kavra dam failed on March 1 after heavy rain, officials said.",
           "About 1,200 residents were evacuated from the valley, the governor said.")
    _write(folder, "b.md", "Harbour Ledger", "The Kavra dam failed on March 1 after heavy rain, engineers said.",
           "Some 1,200 residents were evacuated from the valley overnight.")
    assert _brief("index", str(folder), "-q", library=lib).returncode == 0
    empty = _brief("history", library=lib)
    assert empty.returncode == 0 and "No card kept yet" in empty.stderr
    assert _brief("card", "kavra dam", "-q", library=lib).returncode == 0
    assert _brief("card", "Kavra  Dam", "-q", library=lib).returncode == 0  # the same card: kept once
    _write(folder, "c.md", "Meridian Wire", "The Kavra dam failed on March 1, the utility said.",
           "A second levee near Sella was reinforced with sandbags overnight by volunteers.")
    assert _brief("index", str(folder), "-q", library=lib).returncode == 0
    assert _brief("card", "kavra dam", "-q", library=lib).returncode == 0
    assert _brief("card", "--all", "-q", library=lib).returncode == 0

    listing = _brief("history", library=lib)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("every article") and "1 card" in lines[0]
    assert lines[1].startswith("kavra dam") and "2 cards" in lines[1] and "3 articles" in lines[1]

    one = _brief("history", "kavra dam", library=lib)
    rows = one.stdout.splitlines()
    assert len(rows) == 2 and "2 articles" in rows[0] and rows[0].endswith("first card")
    assert "3 articles" in rows[1] and "1 new source" in rows[1]
    data = json.loads(_brief("history", "kavra dam", "--json", library=lib).stdout)
    assert data["key"] == "query:kavra dam" and [c["articles"] for c in data["cards"]] == [2, 3]
    assert data["cards"][0]["changes"] is None and data["cards"][1]["changes"]["new_sources"] == 1

    refused = _brief("history", "--clear", library=lib)
    assert refused.returncode == 2 and "--everything" in refused.stderr
    cleared = _brief("history", "kavra dam", "--clear", library=lib)
    assert cleared.returncode == 0 and "Forgot 2 cards of kavra dam" in cleared.stderr
    after = _brief("card", "kavra dam", "--format", "json", "-q", library=lib)
    assert json.loads(after.stdout)["changes"] is None  # a new history starts
    everything = _brief("history", "--clear", "--everything", library=lib)
    assert everything.returncode == 0 and "Forgot 2 cards" in everything.stderr
    assert _brief("history", library=lib).stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == ["a.md", "b.md", "c.md"]  # the sources untouched
