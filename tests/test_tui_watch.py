"""The app follows the index on disk and can watch the library's folders: real files dropped into a
temporary folder while the app runs (headless, Pilot), with real file events; the list, its count, the
notice, the user's place, and a card's offer to rebuild."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from index.indexer import hold_lock, update
from index.library import Library
from tui.actions import REGISTRY
from tui.app import BriefApp
from tui.config import load_config
from tui.screens.card import CardScreen
from tui.screens.search import SearchScreen

from tui_support import async_test, home_ready, notices, screen_text, until

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo"

NEW_ARTICLE = """---
title: Engineers reopen the Sorrel dam spillway
outlet: Valley Courier
date: 2025-03-09
---

Engineers reopened the Sorrel dam spillway on Sunday, the regional water authority said, after crews
cleared the debris that had blocked the Brannock sluice since the breach.

About 300 residents were still in shelters, a spokeswoman said.
"""


@pytest.fixture
def library(tmp_path, monkeypatch):
    """A copy of the demo folder indexed into a library of its own; a config file the test writes."""
    src = tmp_path / "src"
    shutil.copytree(DEMO, src)
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    monkeypatch.setenv("BRIEF_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    return src, lib


def watching_config(tmp_path, on: bool = True) -> None:
    (tmp_path / "config.toml").write_text(f"watch = {'true' if on else 'false'}\n")


async def watching(pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: any(m.startswith("Watching ") for m in notices(app)))
    await until(pilot, lambda: app._watcher is not None and app._watcher.roots)
    await pilot.pause(0.3)  # the catch-up ran and the inotify watches are set


# ------------------------------------------------------------------------------------------------


def test_the_watch_setting_and_its_key(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("watch = true\n")
    assert load_config(cfg).watch is True and load_config(cfg).problems == []
    cfg.write_text('watch = "yes"\n')
    config = load_config(cfg)
    assert config.watch is False and config.problems == [f"{cfg}: watch must be true or false (without quotes), "
                                                         f"not 'yes'"]
    assert load_config(tmp_path / "none.toml").watch is False
    import tui.config

    tui.config._ensure_all_registered()
    taken = [a.id for a in REGISTRY.values() if "f5" in a.key.split(",")]
    assert taken == ["app.watch"]  # free in every scope


@async_test
async def test_a_dropped_file_shows_in_the_list_with_a_notice_and_the_place_is_kept(library, tmp_path):
    src, lib = library
    watching_config(tmp_path)
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        search = await home_ready(pilot)
        await watching(pilot)
        assert app.watching and search.total == 17
        await pilot.pause()
        assert "17 articles (newest first)" in screen_text(app) and "· watching the folders" in screen_text(app)
        results = search.query_one("#results")
        results.focus()
        await pilot.press("down", "down", "down")
        chosen = search.current().id
        assert results.highlighted == 3

        (src / "spillway.md").write_text(NEW_ARTICLE)  # newer than every other: the top of the list
        await until(pilot, lambda: search.total == 18)
        assert "1 new article" in notices(app)
        assert search.items[0].title == "Engineers reopen the Sorrel dam spillway"
        assert search.current().id == chosen and results.highlighted == 4  # the same article, one lower
        assert app.focused is results
        await pilot.pause()
        assert "18 articles" in screen_text(app) and "Engineers reopen the Sorrel dam spillway" in screen_text(app)

        await pilot.press("f5")  # stops watching
        await until(pilot, lambda: not app.watching)
        assert "Stopped watching the library's folders" in notices(app)
        await pilot.pause()
        assert "watching the folders" not in screen_text(app)
        (src / "later.md").write_text(NEW_ARTICLE.replace("spillway", "sluice"))
        await pilot.pause(1.5)
        assert search.total == 18  # nobody indexes it now


@async_test
async def test_a_typed_query_and_its_selection_stay_when_articles_come(library, tmp_path):
    src, lib = library
    watching_config(tmp_path)
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        search = await home_ready(pilot)
        await watching(pilot)
        search.query_one("#query").focus()
        await pilot.press(*"dam")
        await until(pilot, lambda: search.shown_query == "dam" and not search.busy and not search.counting)
        before = search.total
        results = search.query_one("#results")
        results.focus()
        await pilot.press("down")
        chosen = search.current().id

        (src / "spillway.md").write_text(NEW_ARTICLE)
        await until(pilot, lambda: search.total == before + 1 and not search.counting)
        assert search.query_one("#query").value == "dam" and search.shown_query == "dam"
        assert search.current().id == chosen
        assert any(it.title == "Engineers reopen the Sorrel dam spillway" for it in search.items)
        assert "1 new article" in notices(app)


@async_test
async def test_without_watching_the_app_follows_another_writer(library, tmp_path):
    src, lib = library
    app = BriefApp(lib)  # no config: not watching
    async with app.run_test(size=(100, 30)) as pilot:
        search = await home_ready(pilot)
        assert not app.watching and search.total == 17
        (src / "spillway.md").write_text(NEW_ARTICLE)
        gone = next(p for p in src.glob("*.txt"))
        gone.unlink()
        update(Library(lib.root), [src])  # `brief index` in another terminal
        await until(pilot, lambda: search.total == 17 and any(
            it.title == "Engineers reopen the Sorrel dam spillway" for it in search.items))
        assert "1 new article, 1 removed" in notices(app)
        # the searchers were opened again: a search finds the new article, not the removed one
        search.query_one("#query").focus()
        await pilot.press(*"brannock")
        await until(pilot, lambda: search.shown_query == "brannock" and not search.busy)
        assert [it.title for it in search.items] == ["Engineers reopen the Sorrel dam spillway"]


@async_test
async def test_an_open_card_offers_the_new_articles(library, tmp_path):
    src, lib = library
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        app.open_card(query="sorrel dam")
        await until(pilot, lambda: isinstance(app.screen, CardScreen) and app.screen.card is not None, timeout=30)
        card = app.screen
        built = len(card.card.sources)
        (src / "spillway.md").write_text(NEW_ARTICLE)
        (src / "unrelated.md").write_text("---\ntitle: A bake sale\n---\n\nThe school bake sale raised money.\n")
        update(Library(lib.root), [src])
        await until(pilot, lambda: card.query("#card-offer"))
        offer = str(card.query_one("#card-offer").render())
        assert offer.startswith("1 new article for this card's query · r to rebuild")  # not the bake sale
        await pilot.pause()
        assert screen_text(app).splitlines()[0].strip().startswith("1 new article for")  # the line at the top
        await pilot.press("r")
        await until(pilot, lambda: card.card is not None and not card.query("#card-offer"), timeout=30)
        assert len(card.card.sources) == built + 1


@async_test
async def test_the_app_waits_for_another_writer_and_says_so_once(library, tmp_path):
    src, lib = library
    watching_config(tmp_path)
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        search = await home_ready(pilot)
        await watching(pilot)
        with hold_lock(Library(lib.root)):
            (src / "spillway.md").write_text(NEW_ARTICLE)
            await until(pilot, lambda: any("is writing to" in m for m in notices(app)))
            await pilot.pause(1.0)
            assert search.total == 17
        await until(pilot, lambda: search.total == 18)
        with hold_lock(Library(lib.root)):  # again (a `brief watch` elsewhere, batch after batch)
            (src / "sluice.md").write_text(NEW_ARTICLE.replace("spillway", "sluice"))
            await pilot.pause(1.0)
            assert search.total == 18
        await until(pilot, lambda: search.total == 19)
        said = [m for m in notices(app) if "is writing to" in m]
        assert len(said) == 1 and f"pid {os.getpid()}" in said[0]  # said once, not at every batch


@async_test
async def test_watching_a_library_without_folders_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEF_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lib = Library(tmp_path / "empty")
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        await pilot.press("f5")
        await until(pilot, lambda: any(m.startswith("Cannot watch: nothing to watch") for m in notices(app)))
        await until(pilot, lambda: not app.watching)


@async_test
async def test_an_empty_library_fills_while_the_app_is_open(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEF_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = tmp_path / "src"
    src.mkdir()
    lib = Library(tmp_path / "lib")
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        search = await home_ready(pilot)
        await pilot.pause()
        assert "Your library is empty" in screen_text(app)
        (src / "spillway.md").write_text(NEW_ARTICLE)
        update(Library(lib.root), [src])  # the `brief index ~/articles` the hint asks for
        await until(pilot, lambda: search.total == 1)
        await pilot.pause()
        assert "Your library is empty" not in screen_text(app)
        assert "Engineers reopen the Sorrel dam spillway" in screen_text(app)
