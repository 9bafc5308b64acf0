"""The app as a whole: untrusted article text, themes and NO_COLOR, the shared searcher, `brief` opening it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from index.indexer import update
from tui.app import BriefApp
from tui.screens.reader import ReaderScreen

from tui_support import (HOSTILE_TITLE, ROOT, async_test, demo_lib, jsonl_library, no_config,  # noqa: F401
                         screen_text, search_for, settle)

HOSTILE_BODY = ("The [bold]levee[/bold] held [link=http://evil.example]overnight[/link], officials said [/] "
                "and \x1b]8;;http://x\x07a link\x1b]8;;\x07 and \x1b[31mred\x1b[0m and [on red]colour[/on red].")


@pytest.fixture
def hostile(tmp_path, no_config):
    lib = jsonl_library(tmp_path, [
        {"title": HOSTILE_TITLE, "body": HOSTILE_BODY, "outlet": "[i]Evil[/i] Outlet", "author": "[b]Me[/b]",
         "published": "2025-03-04", "url": "http://x/[bold]"},
        {"title": "A quiet levee story", "body": "The levee held and nothing odd happened at the levee.",
         "outlet": "Plain Post", "published": "2025-03-05"},
    ])
    return BriefApp(lib)


@async_test
async def test_markup_and_escapes_in_articles_are_shown_as_text(hostile):
    app = hostile
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await search_for(pilot, "levee")
        text = screen_text(app)
        assert "[bold]breach[/]" in text and "[link=http://evil.example]click[/link]" in text
        assert "[i]Evil[/i] Outlet" in text
        assert "\x1b" not in text and "8;;" not in text
        hostile_id = next(it.id for it in app.screen.items if "[bold]" in it.title)
        app.screen.query_one("#results").highlighted = [it.id for it in app.screen.items].index(hostile_id)
        await pilot.press("enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.article_id == hostile_id
        await pilot.press("space")  # marking notifies with the title: shown as is
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]levee[/bold] held [link=http://evil.example]overnight[/link]" in text
        assert "officials said [/]" in text and "[on red]colour[/on red]" in text
        assert "[b]Me[/b]" in text and "http://x/[bold]" in text
        assert "\x1b" not in text and "31m" not in text
        assert any("[bold]breach[/]" in n.message for n in app._notifications)
        # Matches are highlighted inside hostile text without breaking it.
        await pilot.press("n")
        pi, s, e = reader.matches[0]
        assert reader.paragraphs[pi][s:e] == "levee"


@async_test
async def test_no_color_renders_without_colour(demo_lib, no_config, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = BriefApp(demo_lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        await search_for(pilot, "dam")
        await pilot.press("space")
        await pilot.pause()
        assert "●" in screen_text(app)  # the mark is a shape, not a colour


@pytest.mark.parametrize("theme, expected", [("ansi", "ansi-dark"), ("light", "textual-light"), ("nord", "nord")])
@async_test
async def test_themes_by_option(demo_lib, no_config, theme, expected):
    app = BriefApp(demo_lib, theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == expected


@async_test
async def test_theme_from_config_file(demo_lib, tmp_path, monkeypatch):
    cfg = tmp_path / "c.toml"
    cfg.write_text('theme = "ansi"\n')
    monkeypatch.setenv("BRIEF_CONFIG", str(cfg))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    app = BriefApp(demo_lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "ansi-dark"


@async_test
async def test_one_searcher_shared_by_workers_and_refreshed(demo_lib, no_config):
    app = BriefApp(demo_lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with app.searcher() as s1:
            pass
        seen = []

        def worker():
            with app.searcher() as s:
                seen.append(s)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(s is s1 for s in seen)
        app.refresh_searcher()
        with app.searcher() as s2:
            assert s2.doc_count() == 17


@async_test
async def test_open_compare_and_card_need_something_to_work_on(demo_lib, no_config):
    app = BriefApp(demo_lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_compare(["a"])
        app.open_card()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Compare needs two" in m for m in messages) and any("needs a query" in m for m in messages)


def test_brief_without_a_terminal_still_prints_the_status(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tui", "--library", str(tmp_path / "none")], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "usage" in done.stderr.lower()


def test_brief_on_a_terminal_opens_the_app(tmp_path, monkeypatch):
    """`brief` with no command on a TTY runs the app over the library (the demo when there is none)."""
    import tui.app
    import tui.cli

    ran = []
    monkeypatch.setattr(tui.app, "run", lambda lib, hint=None, theme=None: ran.append((lib, hint, theme)) or 0)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BRIEF_LIBRARY", raising=False)
    assert tui.cli.main(["--theme", "ansi"]) == 0
    lib, hint, theme = ran[-1]
    assert lib.root == tmp_path / "cache" / "brief" / "demo-library" and "brief index" in hint and theme == "ansi"
    assert tui.cli.main(["--library", str(tmp_path / "mine")]) == 0
    assert ran[-1][0].root == tmp_path / "mine" and ran[-1][1] is None


@async_test
async def test_unpin_posts_pins_changed(demo_lib, no_config):
    from tui.messages import PinsChanged

    app = BriefApp(demo_lib)
    seen = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        post = app.screen.post_message
        app.screen.post_message = lambda message: (seen.append(message), post(message))[1]
        assert app.pin("The levee held.", ["a1"]) and not app.pin("The levee held.", ["a1"])
        assert app.unpin("The levee held.") and app.pinned == []
        assert not app.unpin("The levee held.")
        assert len([m for m in seen if isinstance(m, PinsChanged)]) == 2


@async_test
async def test_background_searcher_is_a_second_one_that_follows_a_refresh(demo_lib, no_config):
    app = BriefApp(demo_lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with app.searcher() as s, app.background_searcher() as b:
            assert b is not s and b.doc_count() == s.doc_count() == 17
            assert len(app.outlet_values(b)) == b.doc_count()
        generation = app.index_generation
        app.refresh_searcher()
        assert app.index_generation == generation + 1
        with app.background_searcher() as b2:
            assert b2 is not b and b2.doc_count() == 17


def test_catalog_is_cached_until_the_manifest_changes(tmp_path, monkeypatch, no_config):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lib = jsonl_library(tmp_path, [{"title": "One", "body": "First text.", "published": "2025-03-04"}])
    first = BriefApp(lib).catalog()
    assert [r["title"] for r in first] == ["One"]
    assert list((tmp_path / "cache" / "brief" / "catalogs").iterdir())
    assert BriefApp(lib).catalog() == first  # from the cache
    (tmp_path / "src" / "feed.jsonl").write_text(
        '{"title": "One", "body": "First text.", "published": "2025-03-04"}\n'
        '{"title": "Two", "body": "Second text.", "published": "2025-03-05"}\n', encoding="utf-8")
    update(lib)
    assert [r["title"] for r in BriefApp(lib).catalog()] == ["Two", "One"]


def test_brief_index_leaves_the_app_catalog_ready(tmp_path, monkeypatch, no_config):
    """The first start of the app after `brief index` reads the cached catalog, not the manifest."""
    import marshal
    import subprocess
    import sys

    from index.library import Library
    from tui.catalog import catalog_cache_path

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("Dam Holds\n\nThe dam at Kavra held overnight.\n", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tui", "--library", str(tmp_path / "lib"), "index", str(src)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lib = Library(tmp_path / "lib")
    cache = catalog_cache_path(lib.root)
    key, rows = marshal.loads(cache.read_bytes())
    assert [r["title"] for r in rows] == ["Dam Holds"]
    st = lib.manifest_path.stat()
    assert key[2:] == [st.st_mtime_ns, st.st_size]  # matches the manifest just written
    monkeypatch.setattr(Library, "catalog", lambda self: pytest.fail("the manifest was parsed again"))
    assert [r["title"] for r in BriefApp(lib).catalog()] == ["Dam Holds"]
