"""The app's user state (read marks, the user's tags, the tag dialog) and re-index from the app (ctrl+r),
driven with Pilot on a copy of the demo library; a `brief tag` at the same time; another writer's lock."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Static

from index import userstate
from index.indexer import hold_lock, update
from index.library import Library
from index.search import search
from tui.actions import REGISTRY
from tui.app import BriefApp
from tui.messages import UserStateChanged
from tui.screens.search import SearchScreen
from tui.widgets.reindex import ReindexScreen
from tui.widgets.tagdialog import TagDialog

from tui_support import HOSTILE_TITLE, async_test, home_ready, notices, screen_text, until

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo"

NEW_ARTICLE = """---
title: Engineers reopen the Sorrel dam spillway
outlet: Valley Courier
date: 2025-03-09
---

Engineers reopened the Sorrel dam spillway on Sunday, the regional water authority said.
"""


@pytest.fixture
def library(tmp_path, monkeypatch):
    src = tmp_path / "src"
    shutil.copytree(DEMO, src)
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    monkeypatch.setenv("BRIEF_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    return src, lib


class Listening(Screen):
    """A screen that records the UserStateChanged messages it gets (as a list screen would redraw)."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list = []

    def on_user_state_changed(self, message: UserStateChanged) -> None:
        self.got.append(message.ids)


def on_disk(lib) -> dict:
    path = lib.root / "userstate.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_the_reindex_key_is_free_in_every_scope():
    import tui.config

    tui.config._ensure_all_registered()
    assert [a.id for a in REGISTRY.values() if "ctrl+r" in a.key.split(",")] == ["app.reindex"]
    # t is the screens' tag key, and nothing else's (the app scope's included)
    assert all(a.id.endswith(".tags") for a in REGISTRY.values() if "t" in a.key.split(","))


@async_test
async def test_read_marks_reach_every_screen_and_the_file_and_a_command_s_changes_come_back(library):
    src, lib = library
    app = BriefApp(lib)
    app.USERSTATE_POLL = 0.2
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        listening = Listening()
        app.push_screen(listening)
        await pilot.pause()
        first = app.catalog()[0]["id"]
        second = next(r["id"] for r in app.catalog() if "Sorrel Dam" in r["title"] and r["id"] != first)
        assert not app.is_read(first)
        assert app.mark_read(first) and not app.mark_read(first)  # once only
        assert app.is_read(first)
        await until(pilot, lambda: on_disk(lib).get("read") == [first])
        assert listening.got[0] == [first]
        app.toggle_read(first)
        await pilot.pause()
        assert not app.is_read(first) and "Marked unread" in notices(app)
        await until(pilot, lambda: on_disk(lib).get("read") == [])

        # `brief read` / `brief tag` in another terminal: the app sees it within its poll
        userstate.update(lib.root, lambda s: s.mark_read([second]) | s.set_tags(second, ["levee"]))
        listening.got.clear()
        await until(pilot, lambda: app.is_read(second))
        assert app.tags_of(second) == ["levee"] and app.tags_label(second) == "#levee"
        assert None in listening.got  # "anything may have changed": the screens redraw
        assert app.user_tags() == {"levee": frozenset({second})}
        fq = app.unread_query()
        with app.searcher() as s:
            unread = {h.id for h in search(s, "dam", limit=50, filter_query=fq).hits}
            every = {h.id for h in search(s, "dam", limit=50).hits}
        assert unread == every - {second} and second in every


@async_test
async def test_the_tag_dialog_saves_cleaned_tags_refuses_bad_ones_and_tag_search_finds_them(library):
    src, lib = library
    app = BriefApp(lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        untagged = next(r for r in app.catalog() if "Conservatory" in r["title"])
        app.edit_tags(untagged["id"])
        await until(pilot, lambda: isinstance(app.screen, TagDialog))
        await pilot.pause()
        assert "Tags of Kavra Conservatory names cellist" in screen_text(app)
        await pilot.press(*"Music a/b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)  # stays open, says why
        assert "'a/b' is not a tag: use letters, digits, - and _ only" in screen_text(app)
        inp = app.screen.query_one("#tag-input")
        inp.value = ""
        await pilot.press(*"#Music  cello-news", "enter")
        await until(pilot, lambda: not isinstance(app.screen, TagDialog))
        assert app.tags_of(untagged["id"]) == ["music", "cello-news"]
        assert "Tags: #music #cello-news" in notices(app)
        await until(pilot, lambda: on_disk(lib).get("tags") == {untagged["id"]: ["music", "cello-news"]})
        with app.searcher() as s:
            assert [h.id for h in search(s, "tag:music", user_tags=app.user_tags()).hits] == [untagged["id"]]
            front = {h.id for h in search(s, "tag:flood").hits}
            assert front and untagged["id"] not in front  # the demo's own front-matter tags still match
            assert {h.id for h in search(s, "tag:flood OR tag:cello*", user_tags=app.user_tags()).hits} == \
                front | {untagged["id"]}

        app.edit_tags(untagged["id"])  # escape changes nothing; the dialog shows the tags known
        await until(pilot, lambda: isinstance(app.screen, TagDialog))
        await pilot.pause()
        assert app.screen.query_one("#tag-input").value == "music cello-news"
        assert "yours: #cello-news (1) #music (1)" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, TagDialog))
        assert app.tags_of(untagged["id"]) == ["music", "cello-news"]
    assert not list(src.rglob("*userstate*"))  # nothing written next to the sources


@async_test
async def test_hostile_titles_and_typed_escapes_stay_text_in_the_dialog(library):
    src, lib = library
    app = BriefApp(lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await home_ready(pilot)
        first = app.catalog()[0]["id"]
        app.edit_tags(first, title=HOSTILE_TITLE)
        await until(pilot, lambda: isinstance(app.screen, TagDialog))
        await pilot.pause()
        text = screen_text(app)
        assert "Dam [bold]breach[/] [link=http://evil.example]click[/link]" in text and "\x1b" not in text
        app.screen.query_one("#tag-input").value = "\x1b[2Jx [red]y[/red]"
        await pilot.press("enter")
        await pilot.pause()
        problem = str(app.screen.query_one("#tag-problem", Static).render())
        assert "is not a tag" in problem and "\x1b" not in problem
        assert app.tags_of(first) == []


@async_test
async def test_a_damaged_state_file_is_one_warning_naming_it_and_the_app_goes_on(library):
    src, lib = library
    (lib.root / "userstate.json").write_text('{"read": "everything"}', encoding="utf-8")
    app = BriefApp(lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        first = app.catalog()[0]["id"]
        assert not app.is_read(first)
        await pilot.pause()
        warned = [m for m in notices(app) if "userstate.json" in m]
        assert len(warned) == 1 and "kept aside" in warned[0]
        app.mark_read(first)
        await until(pilot, lambda: on_disk(lib).get("read") == [first])
        (aside,) = lib.root.glob("userstate-damaged-*.json")
        assert aside.read_text(encoding="utf-8") == '{"read": "everything"}'


@async_test
async def test_reindex_shows_progress_hides_with_escape_and_the_list_follows(library):
    src, lib = library
    app = BriefApp(lib)
    async with app.run_test(size=(80, 24)) as pilot:
        search_screen = await home_ready(pilot)
        assert search_screen.total == 17
        (src / "spillway.md").write_text(NEW_ARTICLE)
        (src / "2025-03-03-kavra-evening-post-reservoir-record.md").unlink()
        with hold_lock(lib):  # another writer: the run waits for it, and says so
            await pilot.press("ctrl+r")
            await until(pilot, lambda: isinstance(app.screen, ReindexScreen))
            await until(pilot, lambda: "Another writer" in screen_text(app))
            assert "holds the library's lock" in screen_text(app) and "escape hide" in screen_text(app)
            await pilot.press("escape")  # hidden; the run goes on
            await until(pilot, lambda: isinstance(app.screen, SearchScreen))
            assert app.reindexing
            await pilot.press("ctrl+r")  # shows it again, does not start a second run
            await until(pilot, lambda: isinstance(app.screen, ReindexScreen))
            assert len([w for w in app.workers if w.name == "re-index"]) == 1
        await until(pilot, lambda: not app.reindexing, timeout=30)
        assert isinstance(app.screen, SearchScreen)
        assert "Re-indexed: 1 added, 0 updated, 1 removed" in notices(app)
        await until(pilot, lambda: search_screen.items[0].title == "Engineers reopen the Sorrel dam spillway")
        assert search_screen.total == 17 and "1 new article, 1 removed" in notices(app)


@async_test
async def test_reindex_says_when_another_writer_keeps_the_lock(library):
    src, lib = library
    app = BriefApp(lib)
    app.REINDEX_WAIT = 0.3
    async with app.run_test(size=(120, 40)) as pilot:
        await home_ready(pilot)
        with hold_lock(lib):
            app.reindex()
            await until(pilot, lambda: not app.reindexing, timeout=10)
        await pilot.pause()
        assert "Not re-indexed: another writer (`brief index`, `brief watch` or an app watching) held the " \
               "library's lock for 0.3 s; try again when it has finished" in notices(app)
        assert isinstance(app.screen, SearchScreen)


# ----------------------------------------------------------------------------------------------
# Snapshots: the tag dialog and the re-index dialog at 80x24 and 120x40, over the fixed demo library


SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def make_app(monkeypatch):
    from tui_support import FIXED_DEMO, HINT, fixed_demo_library

    monkeypatch.setenv("BRIEF_CONFIG", str(FIXED_DEMO / "no-config.toml"))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return lambda: BriefApp(fixed_demo_library(), hint=HINT)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tag_dialog_snapshot(snap_compare, make_app, size):
    from tui_support import settle

    async def run_before(pilot):
        await settle(pilot)
        app = pilot.app
        rows = app.catalog()
        app.set_tags(rows[1]["id"], ["flood", "follow-up"])
        app.set_tags(rows[2]["id"], ["flood"])
        app.edit_tags(rows[0]["id"])
        await settle(pilot)
        app.screen.query_one("#tag-input").value = "bridge Flood x/y"
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reindex_dialog_snapshot(snap_compare, make_app, size):
    from tui_support import settle
    from tui.widgets.reindex import ReindexProgress

    async def run_before(pilot):
        await settle(pilot)
        progress = ReindexProgress(where="/home/user/articles-library", stage="index", done=120, total=251)
        pilot.app.push_screen(ReindexScreen(progress, "ctrl+r"))
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@async_test
async def test_the_reader_marks_an_article_read_and_t_tags_it(library):
    from tui.screens.reader import ReaderScreen

    src, lib = library
    app = BriefApp(lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        aid = lib.catalog()[0]["id"]
        assert not app.is_read(aid)
        app.open_article(aid)
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.article is not None)
        await pilot.pause(0.1)
        assert app.is_read(aid)  # opening it marked it read
        await pilot.press("t")
        await pilot.pause(0.2)
        await pilot.press(*"flood", "enter")
        await until(pilot, lambda: app.tags_of(aid) == ["flood"])
        assert app.tags_of(aid) == ["flood"]
        await pilot.pause(0.2)
        assert "#flood" in str(app.screen.query_one("#reader-status").render())


@async_test
async def test_the_home_list_says_read_and_tags_and_u_shows_only_the_unread(library):
    from tui.screens.search import SearchScreen

    src, lib = library
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        total = screen.total
        first = screen.items[0].id
        app.mark_read(first)
        app.set_tags(first, ["flood"])
        await until(pilot, lambda: "· read · #flood" in screen_text(app))
        assert "· read · #flood" in screen_text(app)  # in words, not colour
        screen.query_one("#results").focus()
        await pilot.press("u")
        await until(pilot, lambda: screen.total == total - 1)
        assert screen.total == total - 1 and first not in {it.id for it in screen.items}
        assert "unread only" in screen_text(app)
        await pilot.press("u")
        await until(pilot, lambda: screen.total == total)
        assert screen.total == total
