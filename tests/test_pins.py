"""Briefs and pins kept in the library (index/pins.py), a brief as a document (briefs/brief.py), and the
commands `brief briefs`, `brief pins` and `brief card --brief` — on the seeds where it matters."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path

import pytest

import tui.cli
from index import pins
from index.indexer import update
from index.library import Library

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


# ----------------------------------------------------------------------------------------------
# Storage


def test_briefs_round_trip_with_order_notes_and_origins(tmp_path):
    fact = pins.make_pin("Seven ships sailed.", ["a1", "b2", "a1"], "fact", {"card": "ships"})
    para = pins.make_pin("A whole paragraph.", ["c3"], "paragraph", {"article": "c3", "paragraph": 2})
    state, added = pins.update(tmp_path, lambda b: b.add_pin(fact))
    assert added and state.current == pins.DEFAULT_BRIEF
    pins.update(tmp_path, lambda b: b.add_pin(para))
    again, dup = pins.update(tmp_path, lambda b: b.add_pin(pins.make_pin("Seven ships sailed.", ["x"])))
    assert dup is False and len(again.current_brief().pins) == 2  # the same text is pinned once
    pins.update(tmp_path, lambda b: b.set_note(para.id, "  check   this  "))
    pins.update(tmp_path, lambda b: b.move_pin(para.id, -1))
    loaded = pins.load(tmp_path)
    brief = loaded.current_brief()
    assert [p.text for p in brief.pins] == ["A whole paragraph.", "Seven ships sailed."]
    assert brief.pins[0].note == "check this" and brief.pins[0].origin == {"article": "c3", "paragraph": 2}
    assert brief.pins[1].sources == ["a1", "b2"] and brief.pins[1].kind == "fact"
    assert brief.sources == ["c3", "a1", "b2"] and loaded.problem is None
    assert len({p.id for p in brief.pins}) == 2 and all(len(p.id) == 7 for p in brief.pins)
    # named briefs: create, switch, rename, delete; the current one follows
    pins.update(tmp_path, lambda b: b.switch("Dam inquiry", create=True))
    pins.update(tmp_path, lambda b: b.add_pin(pins.make_pin("Levee held.", ["d4"], "fact")))
    pins.update(tmp_path, lambda b: b.rename("dam INQUIRY", "Dam inquiry, day 2"))
    state = pins.load(tmp_path)
    assert state.names() == ["Pinned", "Dam inquiry, day 2"] and state.current == "Dam inquiry, day 2"
    with pytest.raises(pins.BriefsError, match="already a brief named 'Pinned'"):
        pins.update(tmp_path, lambda b: b.create(" pinned "))
    with pytest.raises(pins.BriefsError, match="no brief named 'Nope'"):
        pins.update(tmp_path, lambda b: b.rename("Nope", "x"))
    pins.update(tmp_path, lambda b: b.delete("Dam inquiry, day 2"))
    state = pins.load(tmp_path)
    assert state.names() == ["Pinned"] and state.current == "Pinned"
    assert not list(tmp_path.glob(".briefs-*.tmp"))  # nothing left of the atomic writes


def _writer(root: str, who: str, n: int) -> None:
    for k in range(n):
        pins.update(root, lambda b: b.add_pin(pins.make_pin(f"{who} pin {k}", [f"{who}{k}"], "fact")))


def test_two_processes_pinning_at_once_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), who, 40)) for who in ("app", "cli")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    texts = [p.text for p in pins.load(tmp_path).current_brief().pins]
    assert len(texts) == 80 and {f"{w} pin {k}" for w in ("app", "cli") for k in range(40)} == set(texts)
    assert [t for t in texts if t.startswith("app")] == [f"app pin {k}" for k in range(40)]  # each in order


def test_a_garbled_file_is_one_message_and_is_set_aside_never_overwritten(tmp_path):
    path = tmp_path / "briefs.json"
    path.write_text("{not json", encoding="utf-8")
    state = pins.load(tmp_path)
    assert state.briefs == [] and state.damaged and str(path) in state.problem and "not valid JSON" in state.problem
    state, _ = pins.update(tmp_path, lambda b: b.add_pin(pins.make_pin("New.", ["a"])))
    (aside,) = tmp_path.glob("briefs-damaged-*.json")
    assert aside.read_text(encoding="utf-8") == "{not json" and "kept as" in state.problem
    assert [p.text for p in pins.load(tmp_path).current_brief().pins] == ["New."]


def test_entries_brief_does_not_write_are_skipped_with_one_message(tmp_path):
    good = pins.make_pin("Kept.", ["a"]).to_json()
    (tmp_path / "briefs.json").write_text(json.dumps({"version": 1, "current": "Mine", "briefs": [
        {"name": "Mine", "pins": [good, {"id": 3, "text": "bad id"}, "junk", dict(good, id="other"),
                                  {"id": "zz", "text": "", "sources": []}]},
        {"name": "   "}, 7, {"name": "mine", "pins": []},
        {"name": "Other", "pins": [dict(good, id="o1", kind="made-up", sources=["b"], origin={"paragraph": "x"})]},
    ]}), encoding="utf-8")
    state = pins.load(tmp_path)
    assert state.names() == ["Mine", "Other"] and state.current == "Mine"
    assert [p.text for p in state.get("mine").pins] == ["Kept."]
    other = state.get("Other").pins[0]
    assert other.kind == "line" and other.origin == {}
    assert state.problem.count(str(tmp_path / "briefs.json")) == 1 and "7 entries" in state.problem
    for text in ("[]", '{"briefs": 3}', json.dumps({"version": 99, "briefs": []})):
        (tmp_path / "briefs.json").write_text(text, encoding="utf-8")
        assert pins.load(tmp_path).problem
    with pytest.raises(pins.BriefsError, match="newer brief"):  # never overwrites a newer brief's file
        pins.update(tmp_path, lambda b: b.add_pin(pins.make_pin("x", [])))


# ----------------------------------------------------------------------------------------------
# A brief as a document, on the seeds


@pytest.fixture(scope="module")
def seeds_lib(tmp_path_factory):
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not present")
    folder = tmp_path_factory.mktemp("seed-files")
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    lib = Library(tmp_path_factory.mktemp("seeds-lib"))
    update(lib, [folder])
    from briefs.card import build_card

    return lib, build_card(list(lib.articles()), query="north korean troops", duplicates=lib.near_duplicates())


@pytest.fixture
def seeded_brief(seeds_lib, tmp_path):
    """The seeds' card: its first two key facts, a figure and a quote pinned, with a note; plus a pin
    citing an article no longer in the library. In a library folder of the test's own."""
    lib = Library(tmp_path / "lib")
    shutil.copytree(seeds_lib[0].root, lib.root)
    card = seeds_lib[1]
    state = pins.Briefs()
    f1, f2 = card.facts[:2]
    state.add_pin(pins.make_pin(f1.text, f1.sources, "fact", {"card": "north korean troops"},
                                note="Check the NIS figure [1500] *again*"))
    state.add_pin(pins.make_pin(f2.text, f2.sources, "fact", {"card": "north korean troops"}))
    q = card.quotes[0]
    state.add_pin(pins.make_pin(f"“{q.text}” — {q.speaker or 'unattributed'}", [q.source], "quote"))
    state.add_pin(pins.make_pin("A paragraph of an article since removed.", ["gone0001"], "paragraph",
                                {"article": "gone0001", "paragraph": 2}))
    pins.update(lib.root, lambda b: b.briefs.extend(state.briefs) or True)
    return lib, card


def test_markdown_export_reads_like_a_card_with_its_citations(seeded_brief):
    from briefs.brief import brief_document, brief_to_markdown, library_sources
    from briefs.export import card_to_markdown

    lib, card = seeded_brief
    brief = pins.load(lib.root).current_brief()
    md = brief_to_markdown(brief_document(brief, library_sources(lib, brief.sources)))
    assert md.startswith("---\ngenerator: brief\nbrief: \"Pinned\"\n")  # `brief index` skips its own exports
    assert "# Brief: Pinned" in md and "*4 pins from " in md and "1 of them no longer in the library" in md
    body = md.split("## Pins", 1)[1].split("## Sources")[0]
    f1 = card.facts[0]
    cites = "".join(f"[^{s}]" for s in f1.sources)
    assert f"1. {f1.text.split(',')[0]}" in body and f"{cites}\n" in body
    assert "   - *Key fact · from the card for “north korean troops” · pinned " in body
    assert "   - **Note:** Check the NIS figure \\[1500\\] \\*again\\*" in body  # the note, escaped
    assert "⚠ its article is no longer in the library" in body and "3. “" in body
    sources = md.split("## Sources", 1)[1]
    card_md = card_to_markdown(card)
    for sid in brief.sources[:-1]:  # the same source lines as the card's
        line = next(x for x in sources.splitlines() if x.startswith(f"[^{sid}]:"))
        assert line in card_md
    assert "[^gone0001]: *No longer in the library*" in sources
    cited = {c for c in __import__("re").findall(r"\[\^([^\]]+)\]", body)}
    assert cited == set(brief.sources)  # every citation has its source line
    folder = lib.root.parent / "exported"
    folder.mkdir()
    (folder / "brief.md").write_text(md, encoding="utf-8")
    other = Library(lib.root.parent / "other-lib")
    update(other, [folder])
    assert other.article_count() == 0  # exported into an indexed folder, it is never indexed as an article


def test_json_export_has_every_pin_its_sources_and_what_is_gone(seeded_brief):
    from briefs.brief import brief_document, brief_to_json, library_sources

    lib, card = seeded_brief
    brief = pins.load(lib.root).current_brief()
    data = json.loads(brief_to_json(brief_document(brief, library_sources(lib, brief.sources))))
    schema = json.loads((Path(__file__).resolve().parent.parent / "briefs" / "brief.schema.json").read_text())
    from test_card import _validate

    assert _validate(data, schema, schema) is None
    assert data["schema"] == "brief.brief/1" and data["name"] == "Pinned"
    assert [p["n"] for p in data["pins"]] == [1, 2, 3, 4] and data["pins"][0]["sources"] == card.facts[0].sources
    assert data["pins"][0]["note"].startswith("Check the NIS") and data["pins"][3]["missing_sources"] == ["gone0001"]
    held = {s["id"]: s for s in data["sources"]}
    assert held["gone0001"]["in_library"] is False and held["gone0001"]["title"] is None
    first = held[card.facts[0].sources[0]]
    assert first["in_library"] and first["path"].endswith(".txt") and first["title"]


def test_untrusted_text_stays_text_in_the_markdown(tmp_path):
    from briefs.brief import brief_document, brief_to_markdown

    state = pins.Briefs()
    state.create("<script>x</script> # \x1b[31mred")
    state.switch("<script>x</script> # red")
    state.add_pin(pins.make_pin("# Heading? [link](http://evil) \x1b]8;;http://x\x07here <b>", ["id1"],
                                note="*bold* \x1b[2J"))
    md = brief_to_markdown(brief_document(state.current_brief(), {}))
    body = md.split("\n---\n", 1)[1]  # the front matter holds the name as a quoted YAML string, as a card's query
    assert "\x1b" not in md and "\x07" not in md and "<script>" not in body and "<b>" not in body
    assert "# Brief: \\<script\\>x\\</script\\> # red" in body
    assert "\\[link\\](http://evil)" in md and "1. \\# Heading?" in md and "\\*bold\\*" in md


# ----------------------------------------------------------------------------------------------
# Commands


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = tui.cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_brief_briefs_list_show_export_and_pins(seeded_brief, capsys, tmp_path):
    lib, card = seeded_brief
    L = ("--library", str(lib.root))
    pins.update(lib.root, lambda b: b.create("Empty one"))
    code, out, err = _run(capsys, "briefs", *L)
    assert code == 0 and out.splitlines()[0].startswith("▶ Pinned") and "4 pins · " in out and "Empty one" in out
    code, out, _ = _run(capsys, "briefs", "--json", *L)
    data = json.loads(out)
    assert data["current"] == "Pinned" and [b["pins"] for b in data["briefs"]] == [4, 0]
    code, out, _ = _run(capsys, "briefs", "show", *L)
    assert code == 0 and out.startswith("Brief: Pinned (current)")
    assert f"1. {card.facts[0].text}" in out and "note: Check the NIS" in out and "no longer in the library" in out
    code, out, _ = _run(capsys, "briefs", "show", "pinned", "--json", *L)
    assert json.loads(out)["pins"][1]["text"] == card.facts[1].text
    code, out, _ = _run(capsys, "briefs", "export", *L)
    assert code == 0 and out.startswith("---\ngenerator: brief") and "## Sources" in out
    target = tmp_path / "out.json"
    assert _run(capsys, "briefs", "export", "--format", "json", "-o", str(target), *L)[0] == 0
    assert json.loads(target.read_text())["name"] == "Pinned"
    code, _, err = _run(capsys, "briefs", "export", "-o", str(target), *L)
    assert code == 1 and "already exists" in err
    assert _run(capsys, "briefs", "export", "-o", str(target), "--force", *L)[0] == 0
    assert target.read_text().startswith("---\ngenerator: brief")
    code, out, _ = _run(capsys, "pins", *L)
    assert code == 0 and len(out.splitlines()) == 4 and "key fact" in out
    code, out, _ = _run(capsys, "pins", "--all", "--json", *L)
    assert [p["brief"] for p in json.loads(out)["pins"]] == ["Pinned"] * 4
    code, out, err = _run(capsys, "pins", "--brief", "empty ONE", *L)
    assert code == 0 and "No pins in the brief 'Empty one'" in err


def test_an_unknown_brief_exits_1_naming_the_briefs(seeded_brief, capsys):
    lib, _ = seeded_brief
    L = ("--library", str(lib.root))
    for argv in (("briefs", "show", "Nope"), ("briefs", "export", "Nope"), ("pins", "--brief", "Nope"),
                 ("card", "--brief", "Nope", "-q")):
        code, out, err = _run(capsys, *argv, *L)
        assert code == 1 and out == "" and "no brief named 'Nope'" in err and "'Pinned'" in err, argv
    (lib.root / "briefs.json").write_text("garbage", encoding="utf-8")
    code, out, err = _run(capsys, "briefs", *L)
    assert code == 0 and "briefs.json is not valid JSON" in err and "Traceback" not in err


def test_brief_card_from_a_brief_is_kept_under_its_own_key(seeded_brief, capsys):
    from index import cardhistory

    lib, card = seeded_brief
    L = ("--library", str(lib.root))
    code, out, err = _run(capsys, "card", "--brief", "pinned", "--format", "json", "-q", *L)
    assert code == 0, err
    data = json.loads(out)
    brief = pins.load(lib.root).current_brief()
    assert [s["id"] for s in data["sources"]] and {s["id"] for s in data["sources"]} == set(brief.sources[:-1])
    assert "1 of the brief's" in err and "no longer in the library" in err
    assert len(cardhistory.load(lib.root, cardhistory.card_key(brief="Pinned"))) == 1
    code, out, err = _run(capsys, "card", "--brief", "Pinned", "--since", "last", "-q", *L)
    assert code == 0 and "## What changed since" in out
    code, _, err = _run(capsys, "card", "x", "--brief", "Pinned", *L)
    assert code == 2 and "--brief NAME" in err


def test_brief_pins_add_and_remove(seeded_brief, capsys):
    lib, _ = seeded_brief
    L = ("--library", str(lib.root))
    aid = lib.catalog()[0]["id"]
    article = lib.get(aid)
    code, out, err = _run(capsys, "pins", "add", aid[:6], "--paragraph", "2", "--note", "why?", "--json", *L)
    assert code == 0, err
    pin = json.loads(out)
    assert pin["text"] == article.paragraphs[1] and pin["origin"] == {"article": aid, "paragraph": 1}
    assert pin["note"] == "why?" and pin["brief"] == "Pinned" and pin["kind"] == "paragraph"
    code, _, err = _run(capsys, "pins", "add", aid, "--paragraph", "2", *L)
    assert code == 0 and "Already pinned" in err
    code, _, err = _run(capsys, "pins", "add", aid, "--brief", "Elsewhere", *L)
    assert code == 0 and "into 'Elsewhere' (1 pin): pin " in err
    state = pins.load(lib.root)
    assert state.current == "Pinned" and [p.kind for p in state.get("Elsewhere").pins] == ["article"]
    assert state.get("Elsewhere").pins[0].text == " ".join(article.title.split())
    code, _, err = _run(capsys, "pins", "add", aid, "--paragraph", str(len(article.paragraphs) + 1), *L)
    assert code == 2 and "paragraph" in err
    assert _run(capsys, "pins", "add", "nosuchid", *L)[0] == 1
    code, _, err = _run(capsys, "pins", "remove", pin["id"], *L)
    assert code == 0 and pin["id"] in err
    assert pin["id"] not in pins.load(lib.root).pin_ids()
    code, _, err = _run(capsys, "pins", "remove", pin["id"], *L)
    assert code == 1 and "no pin with id" in err
