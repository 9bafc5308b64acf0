"""One registry of actions: bindings, remapping from the config file, help and palette, history keys."""

from __future__ import annotations

import pytest

from tui.actions import REGISTRY, Action, actions_for, bindings, check_key, key_label, register
from tui.app import BriefApp
from tui.config import load_config
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.screens.search import SearchScreen

from tui_support import HINT, async_test, demo_lib, no_config, reader_ready, screen_text, search_for, settle  # noqa: F401


def test_every_binding_carries_its_action_id():
    for scope in ("app", "search", "reader"):
        bs = bindings(scope)
        assert bs and [b.id for b in bs] == [a.id for a in actions_for(scope)]
        assert all(b.id.startswith(scope + ".") for b in bs)


def test_an_id_registers_once():
    with pytest.raises(ValueError, match="already registered"):
        register(Action("reader.next_match", "j", "again", "reader", "next_match"))
    with pytest.raises(ValueError, match="scope"):
        register(Action("reader.zz", "j", "x", "search", "x"))
    assert "reader.zz" not in REGISTRY


@pytest.mark.parametrize("key", ["j", "N", "ctrl+o", "alt+left", "backspace,alt+left", "f1", "question_mark", "?"])
def test_valid_keys(key):
    assert check_key(key) is None


@pytest.mark.parametrize("key, words", [("", "not a key"), ("ctl+j", "not a modifier"), ("jj", "not a key name"),
                                        ("a,,b", "empty alternative"), (3, "not a key")])
def test_bad_keys_are_explained(key, words):
    assert words in check_key(key)


def test_no_default_key_is_one_terminals_eat():
    eaten = {"ctrl+a", "ctrl+b", "ctrl+s", "ctrl+z", "ctrl+c"}
    for a in REGISTRY.values():
        assert not eaten & {k.strip() for k in a.key.split(",")}, a.id


def test_key_labels_are_readable():
    assert key_label("question_mark,f1") == "? / f1"
    assert key_label("slash") == "/"


def test_config_file_problems_are_sentences_naming_the_file(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('theme = "ansi"\ncolour = 1\n[keys]\n"reader.next_match" = "m"\n"reader.nope" = "x"\n'
                   '"reader.prev_match" = "ctl+m"\n"search.mark" = "ctrl+s"\n')
    config = load_config(cfg)
    assert config.theme == "ansi"
    assert config.keymap == {"reader.next_match": "m", "search.mark": "ctrl+s"}
    text = "\n".join(config.problems)
    assert all(str(cfg) in p for p in config.problems)
    assert "unknown action 'reader.nope'" in text and "'ctl' is not a modifier" in text
    assert "unknown setting 'colour'" in text and "flow control" in text
    cfg.write_text("[keys\n")
    assert "not valid TOML" in load_config(cfg).problems[0]
    assert load_config(tmp_path / "missing.toml").problems == []


@async_test
async def test_a_remapped_key_works_and_help_shows_it(demo_lib, tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[keys]\n"reader.next_match" = "m"\n"app.help" = "f2"\n')
    monkeypatch.setenv("BRIEF_CONFIG", str(cfg))
    app = BriefApp(demo_lib, hint=HINT)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.keymap == {"reader.next_match": "m", "app.help": "f2"}
        await search_for(pilot, "water")
        await pilot.press("enter")
        await reader_ready(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and len(reader.matches) >= 2
        await pilot.press("n")
        assert reader.current is None  # n is no longer next match
        await pilot.press("m")
        assert reader.current == 0
        await pilot.pause()
        assert "m next" in screen_text(app)  # the footer shows the remapped key
        status = str(reader.query_one("#reader-status").render())
        assert "m next · N previous" in status and "n next" not in status  # and so does the status line
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = help_screen.help_rows()
        assert ("Reader", "m", "Jump to the next match of the query", "reader.next_match") in rows
        assert ("Everywhere", "f2", "Show every key of this screen", "app.help") in rows
        text = screen_text(app)
        assert "Jump to the next match" in text and str(cfg) in text
        assert "reader.next_match" in text  # the id a [keys] line needs is on the help screen


@async_test
async def test_a_bad_config_is_a_notification_and_the_app_runs(demo_lib, tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('theme = "purple"\n[keys]\n"reader.nope" = "x"\n')
    monkeypatch.setenv("BRIEF_CONFIG", str(cfg))
    app = BriefApp(demo_lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("reader.nope" in m and str(cfg) in m for m in messages)
        assert any("Unknown theme 'purple'" in m for m in messages)
        assert isinstance(app.screen, SearchScreen) and app.screen.total == 17


@async_test
async def test_backspace_edits_the_query_and_goes_back_elsewhere(demo_lib, no_config):
    app = BriefApp(demo_lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("backspace")
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press("slash", "end")  # "/" goes to the query (selecting it); end keeps it
        await pilot.press("backspace")
        await pilot.pause()
        assert app.screen is search and search.query_one("#query").value == "da"
        search.query_one("#results").focus()
        await pilot.press("backspace")  # on the first screen there is nowhere to go back to
        await pilot.pause()
        assert app.screen is search
        assert any("first screen" in n.message for n in app._notifications)


@async_test
async def test_palette_lists_the_screen_and_app_actions_with_their_keys(demo_lib, tmp_path, monkeypatch):
    from tui.app import ActionsProvider

    cfg = tmp_path / "config.toml"
    cfg.write_text('[keys]\n"search.compare" = "C"\n')
    monkeypatch.setenv("BRIEF_CONFIG", str(cfg))
    app = BriefApp(demo_lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        provider = ActionsProvider(app.screen)
        names = [name for name, _, _ in provider._actions()]
        assert "Compare (C)" in names and "Mark (space)" in names and "Help (? / f1)" in names
        assert not any(n.startswith("Next") for n in names)  # reader actions are not offered on search
        hits = [h async for h in provider.search("compare")]
        assert hits and "Compare" in str(hits[0].match_display)
        calls = []
        app.screen.action_compare = lambda: calls.append("compare")
        hits[0].command()
        await pilot.pause()
        assert calls == ["compare"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
