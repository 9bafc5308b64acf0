"""Pins in the app: kept in the library across runs, and the brief screen (P) over them — open, reorder,
remove, note, named briefs, export, card — driven with Pilot over the demo library (its briefs go to each
test's own folder: tests/conftest.py)."""

from __future__ import annotations

import json

import pytest

from index import pins
from tui.app import BriefApp
from tui.screens.brief import BriefExportDialog, BriefScreen, PinRow
from tui.screens.card import CardScreen
from tui.screens.export import ConfirmOverwrite
from tui.screens.reader import ReaderScreen
from tui.widgets.dialogs import ChoiceScreen, PromptScreen

from tui_support import HINT, async_test, demo_lib, no_config, reader_ready, screen_text, search_for, settle, wait_until  # noqa: F401,E501

FLOOD = "Sorrel Dam wall gives way, flooding towns in Orlen Province"
TOLL = "Four dead as Sorrel Dam breach sends floodwater through Vela valley"


def _id(lib, title: str) -> str:
    return next(r["id"] for r in lib.catalog() if r["title"] == title)


def _fixed_pins(lib) -> list[pins.Pin]:
    """Three pins with fixed ids and times (snapshots), citing demo articles; one also a gone article."""
    flood, toll = _id(lib, FLOOD), _id(lib, TOLL)
    art = lib.get(flood)
    made = [
        pins.Pin("pin0001", "fact", "The wall of the Sorrel Dam gave way early on Tuesday.", [flood, toll], None,
                 "2025-03-08T09:00:00+00:00", {"card": "sorrel dam"}),
        pins.Pin("pin0002", "paragraph", art.paragraphs[1], [flood], "Ask the ministry about this",
                 "2025-03-08T09:05:00+00:00", {"article": flood, "paragraph": 1}),
        pins.Pin("pin0003", "article", TOLL, [toll, "gone0001"], None, "2025-03-08T09:10:00+00:00",
                 {"article": toll}),
    ]
    pins.update(lib.root, lambda b: [b.add_pin(p) for p in made] and True)
    return made


def _texts(lib, name: str | None = None) -> list[str]:
    state = pins.load(lib.root)
    brief = state.get(name) if name else state.current_brief()
    return [p.text for p in brief.pins] if brief else []


async def _brief_screen(pilot) -> BriefScreen:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BriefScreen)
    return screen


@async_test
async def test_pins_made_in_card_and_reader_are_there_after_quitting(demo_lib, no_config, tmp_path):
    """The issue's "Done when": pin in the app, quit, reopen: the brief is there, and exports well."""
    app = BriefApp(demo_lib, hint=HINT)
    flood = _id(demo_lib, FLOOD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_card(query="sorrel dam")
        await wait_until(pilot, lambda: getattr(app.screen, "card", None) is not None)
        card = app.screen
        rows = card.rows
        rows.move_to(next(n for n, r in enumerate(rows.rows) if r.kind == "fact"))
        fact = rows.current.pin["text"]
        where = {t.source: t.highlight for t in rows.current.targets}  # each source's own sentence
        assert len(where) >= 2
        await pilot.press("p")
        assert app.pinned[0]["text"] == fact and "◆pinned" in screen_text(app)
        app.open_article(flood, query="spillway")
        await reader_ready(pilot)
        await pilot.press("n", "p")
        paragraph = app.screen.paragraphs[app.screen.matches[0][0]]
        await pilot.press("a")  # the whole article too
        assert [p["text"] for p in app.pinned] == [fact, paragraph, FLOOD]
        await pilot.press("backspace")
        await settle(pilot)
        assert app.screen is card
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("x")  # the fact, removed from the brief screen...
        await settle(pilot)
        await pilot.press("backspace")
        await settle(pilot)
        assert app.screen is card and "◆pinned" not in screen_text(app)  # ...is no longer marked on the card
        await pilot.press("p")
        assert app.pinned[-1]["text"] == fact
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("end", "K", "K")  # the last pin back to the top
        assert [p["text"] for p in app.pinned] == [fact, paragraph, FLOOD]
    again = BriefApp(demo_lib, hint=HINT)
    async with again.run_test(size=(100, 30)) as pilot:
        screen = await _brief_screen(pilot)
        assert [r.pin.text for r in screen.rows.rows] == [fact, paragraph, FLOOD]
        kinds = [(r.pin.kind, r.pin.origin) for r in screen.rows.rows]
        assert kinds[0][0] == "fact" and kinds[0][1]["card"] == "sorrel dam"
        assert {t.source: t.highlight for t in screen.rows.rows[0].targets} == where  # opens each at its own
        await pilot.press("l", "enter")  # the second source, at its own sentence
        await reader_ready(pilot)
        reader = again.screen
        second = screen.rows.rows[0].targets[1]
        assert reader.article_id == second.source and reader.passage is not None
        assert " ".join(second.highlight.split()) in " ".join(reader.paragraphs[reader.passage].split())
        await pilot.press("backspace")
        await settle(pilot)
        assert kinds[1][0] == "paragraph" and kinds[1][1]["article"] == flood and kinds[2][0] == "article"
        text = screen_text(again)
        assert "Brief: Pinned" in text and "3 pins" in text and "from the card for “sorrel dam”" in text
        out = tmp_path / "brief.md"
        screen.export_to(str(out), "markdown")
        await wait_until(pilot, lambda: out.exists())
    md = out.read_text(encoding="utf-8")
    assert md.startswith("---\ngenerator: brief\n") and "# Brief: Pinned" in md and "*3 pins from " in md
    assert f"3. **{FLOOD}** [^{flood}]" in md and "## Sources" in md and f"[^{flood}]: **{FLOOD}**" in md


@async_test
async def test_open_reorder_remove_undo_and_note(demo_lib, no_config):
    made = _fixed_pins(demo_lib)
    app = BriefApp(demo_lib, hint=HINT)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _brief_screen(pilot)
        text = screen_text(app)
        assert "Meridian Wire" in text or "unknown outlet" in text  # each pin with its sources: outlet · title
        assert "gone0001: no longer in the library" not in text  # only on the current row
        await pilot.press("j", "j")
        assert "gone0001: no longer in the library" in screen_text(app)
        await pilot.press("k", "enter")
        await reader_ready(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.passage == 1  # at the pinned paragraph
        await pilot.press("backspace")
        await settle(pilot)
        await pilot.press("J")  # the paragraph down
        assert _texts_now(app) == [made[0].text, made[2].text, made[1].text]
        await pilot.press("K", "K")
        assert _texts_now(app) == [made[1].text, made[0].text, made[2].text]
        await pilot.press("x")
        assert _texts_now(app) == [made[0].text, made[2].text]
        await pilot.press("u")
        assert _texts_now(app) == [made[1].text, made[0].text, made[2].text]
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("#prompt-input").value = "Call the *dam* operator"
        await pilot.press("enter")
        await settle(pilot)
        assert "✎ Call the *dam* operator" in screen_text(app)
        app.flush_pins()
    kept = pins.load(demo_lib.root).current_brief().pins
    assert [p.text for p in kept] == [made[1].text, made[0].text, made[2].text]
    assert kept[0].note == "Call the *dam* operator" and kept[0].id == "pin0002"


def _texts_now(app) -> list[str]:
    app.flush_pins()
    return [p.text for p in pins.load(app.library.root).current_brief().pins]


@async_test
async def test_named_briefs_switch_create_rename_delete(demo_lib, no_config):
    made = _fixed_pins(demo_lib)
    app = BriefApp(demo_lib, hint=HINT)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _brief_screen(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#prompt-input").value = "Dam inquiry"
        await pilot.press("enter")
        await settle(pilot)
        assert app.briefs.current == "Dam inquiry" and "Brief: Dam inquiry" in screen_text(app)
        assert "No pins yet" in screen_text(app)
        app.pin("A new line.", [made[0].sources[0]], kind="fact")
        await settle(pilot)
        assert [r.pin.text for r in screen.rows.rows] == ["A new line."]
        await pilot.press("R")
        await settle(pilot)
        app.screen.query_one("#prompt-input").value = "Dam inquiry, day 2"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen) and [v for v, _ in dialog._choices][:2] == ["Pinned", "Dam inquiry, day 2"]
        await pilot.press("enter")  # Pinned
        await settle(pilot)
        assert app.briefs.current == "Pinned" and len(screen.rows.rows) == 3
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")  # yes, delete it
        await settle(pilot)
        assert app.briefs.names() == ["Pinned"] and app.briefs.current == "Pinned"
        app.flush_pins()
    state = pins.load(demo_lib.root)
    assert state.names() == ["Pinned"] and [p.text for p in state.current_brief().pins] == [p.text for p in made]


@async_test
async def test_export_markdown_and_json_asks_before_overwriting(demo_lib, no_config, tmp_path):
    _fixed_pins(demo_lib)
    app = BriefApp(demo_lib, hint=HINT)
    target = tmp_path / "out.json"
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _brief_screen(pilot)
        await pilot.press("E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BriefExportDialog) and "Export the brief as JSON" in screen_text(app)
        assert dialog.query_one("#export-path").value.startswith("./brief-pinned-")
        dialog.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: target.exists())
        data = json.loads(target.read_text(encoding="utf-8"))
        assert [p["id"] for p in data["pins"]] == ["pin0001", "pin0002", "pin0003"]
        assert {s["id"]: s["in_library"] for s in data["sources"]}["gone0001"] is False
        target.write_text("keep me")
        screen.export_to(str(target), "markdown")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmOverwrite))
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text() == "keep me"
        screen.export_to(str(target), "markdown")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmOverwrite))
        await pilot.press("y")
        await wait_until(pilot, lambda: target.read_text() != "keep me")
    assert target.read_text().startswith("---\ngenerator: brief\n")


@async_test
async def test_card_of_the_brief_and_article_pins_from_search(demo_lib, no_config):
    made = _fixed_pins(demo_lib)
    app = BriefApp(demo_lib, hint=HINT)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "levee")
        hit = app.screen.items[0]
        await pilot.press("a")  # focus is on the results after submitting
        assert app.pinned[-1] == {"text": hit.title, "sources": [hit.id]}
        assert app.briefs.current_brief().pins[-1].kind == "article"
        await pilot.press("a")  # again: unpinned
        assert len(app.pinned) == 3
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, BriefScreen)
        await pilot.press("b")
        await settle(pilot)
        card = app.screen
        assert isinstance(card, CardScreen)
        held = {r["id"] for r in demo_lib.catalog()}
        assert card.ids == [s for s in dict.fromkeys(s for p in made for s in p.sources) if s in held]


@async_test
async def test_a_damaged_briefs_file_is_one_notice_and_the_app_goes_on(demo_lib, no_config):
    path = pins.path_for(demo_lib.root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{garbage", encoding="utf-8")
    app = BriefApp(demo_lib, hint=HINT)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        assert any(str(path) in n and "not valid JSON" in n for n in notes)
        assert app.pinned == []
        assert app.pin("A line.", ["x"])
        app.flush_pins()
    assert [p.text for p in pins.load(demo_lib.root).current_brief().pins] == ["A line."]
    assert list(path.parent.glob("briefs-damaged-*.json"))


@async_test
async def test_a_command_pinning_while_the_app_runs_loses_nothing(demo_lib, no_config, capsys):
    import tui.cli

    app = BriefApp(demo_lib, hint=HINT)
    flood, toll = _id(demo_lib, FLOOD), _id(demo_lib, TOLL)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.pin("From the app, first.", [flood], kind="fact")
        app.flush_pins()
        assert tui.cli.main(["pins", "add", toll, "--library", str(demo_lib.root)]) == 0  # the command's pin
        assert app.pin("From the app, second.", [flood], kind="fact")  # re-read, changed, replaced: both kept
        app.flush_pins()
        await settle(pilot)
        want = ["From the app, first.", TOLL, "From the app, second."]
        assert _texts(demo_lib) == want
        assert [p["text"] for p in app.pinned] == want  # the app took the file's state back
        await pilot.press("P")
        await settle(pilot)
        assert TOLL in screen_text(app)


@async_test
async def test_an_empty_brief_says_how_to_pin_and_every_key_is_harmless(demo_lib, no_config, tmp_path):
    app = BriefApp(demo_lib, hint=HINT)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _brief_screen(pilot)
        assert "No pins yet" in screen_text(app) and "0 pins" in screen_text(app)
        await pilot.press("j", "J", "K", "x", "u", "n", "enter", "l", "D")
        await settle(pilot)
        assert app.screen is screen and app.briefs.briefs == []
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is screen  # no card without articles, said
        out = tmp_path / "empty.md"
        screen.export_to(str(out), "markdown")
        await wait_until(pilot, lambda: out.exists())
    assert "No pins yet" in out.read_text(encoding="utf-8")
    assert not pins.path_for(demo_lib.root).exists()  # looking changes nothing on disk


def test_the_brief_key_is_in_the_palette_and_free_everywhere():
    from tui.actions import REGISTRY, actions_for

    brief = REGISTRY["app.brief"]
    assert brief.key == "P,f3" and brief.action == "app.open_brief"
    for scope in ("search", "reader", "card", "compare", "brief"):
        keys = {k for a in actions_for(scope) for k in a.key.split(",")}
        assert not keys & {"P", "f3"}, scope
    assert "a" in REGISTRY["reader.pin_article"].key and "a" in REGISTRY["search.pin_article"].key


@pytest.mark.parametrize("size", [(80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_brief_screen_snapshot(snap_compare, demo_lib, monkeypatch, size):
    from tui_support import FIXED_DEMO

    monkeypatch.setenv("BRIEF_CONFIG", str(FIXED_DEMO / "no-config.toml"))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    _fixed_pins(demo_lib)

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.open_brief()
        await settle(pilot)
        await pilot.press("j")
        await pilot.pause()

    assert snap_compare(BriefApp(demo_lib, hint=HINT), terminal_size=size, run_before=run_before)
