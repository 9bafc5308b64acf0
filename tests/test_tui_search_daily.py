"""The search screen as a daily tool (issue 12): the query bar while typing, a list that fills the screen,
End to the real last hit, sorts, the unknown-outlet facet, and slow (fuzzy) queries that never freeze it."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

import tui.screens.search as search_module
from index.indexer import update
from index.library import Library
from tui.app import BriefApp
from tui.screens.search import UNKNOWN_OUTLET, SearchScreen

from tui_support import HINT, async_test, demo_lib, jsonl_library, no_config, screen_text, search_for, settle  # noqa: F401

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEEDS = SHARED / "seeds"
MULTINEWS = SHARED / "corpora" / "multinews-dev"


@pytest.fixture
def app(demo_lib, no_config):
    return BriefApp(demo_lib, hint=HINT)


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


def keybar(app) -> str:
    return str(app.screen.query_one("SearchKeyBar").render())


async def type_in_query(pilot, text: str) -> None:
    screen = pilot.app.screen
    screen.set_focus(screen.query_one("#query"))
    screen.query_one("#query").value = ""
    await pilot.press(*text)


# -- the query bar --------------------------------------------------------------------------------

@async_test
async def test_a_first_letter_or_a_stopword_is_a_quiet_hint_not_a_problem(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        for text in ("l", "the"):
            await type_in_query(pilot, text)
            await pilot.pause(screen.debounce + 0.1)
            await settle(pilot)
            assert screen.error is None and screen.typing_hint == text
            assert "Query problem" not in screen_text(app) and "keep typing" in status(app)
            assert screen.total == 17  # the list stays (every article)
        assert not [n for n in app._notifications if "no words" in n.message]


@async_test
async def test_an_unclosed_quote_is_said_only_once_the_typing_pauses(app, monkeypatch):
    monkeypatch.setattr(search_module, "ERROR_AFTER", 0.6)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await type_in_query(pilot, 'dam "water')  # on the way to a phrase
        await pilot.pause(screen.debounce + 0.1)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.error and "closing quote" in screen.error and not screen.error_shown
        assert "Query problem" not in screen_text(app)
        await pilot.pause(0.8)  # the pause
        assert screen.error_shown and "Query problem" in screen_text(app) and "closing quote" in status(app)
        await pilot.press(*' levels"')  # the phrase closed: the problem goes
        await pilot.pause(screen.debounce + 0.1)
        await settle(pilot)
        assert screen.error is None and screen.shown_query == 'dam "water levels"'
        assert not [n for n in app._notifications if "quote" in n.message]  # the status line, no notices


@async_test
async def test_enter_says_the_problem_at_once(app, monkeypatch):
    monkeypatch.setattr(search_module, "ERROR_AFTER", 30.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, 'dam "water')
        assert app.screen.error_shown and "Query problem" in screen_text(app)


@async_test
async def test_keys_typed_right_after_slash_all_land_in_the_query(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.set_focus(screen.query_one("#results"))
        await pilot.pause()
        await pilot.press("slash", *"levee")  # no pause: as a pasted "/levee" arrives
        dbg = (app.focused, app.screen_stack)
        assert isinstance(app.screen, SearchScreen)  # `l` did not open the saved searches
        assert screen.query_one("#query").value == "levee", dbg
        await pilot.pause(screen.debounce + 0.1)
        await settle(pilot)
        assert screen.shown_query == "levee" and screen.items


@async_test
async def test_text_pasted_on_the_list_becomes_the_query(app):
    from textual import events

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.set_focus(screen.query_one("#results"))
        await pilot.pause()
        screen.query_one("#results").post_message(events.Paste("/levee"))
        await pilot.pause()
        assert app.focused.id == "query" and screen.query_one("#query").value == "levee"


@async_test
async def test_the_key_bar_on_the_query_bar_says_how_to_reach_the_results(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.focused.id == "query"
        bar = keybar(app)
        assert "↓" in bar and "results" in bar and "enter" in bar and "help" in bar
        await pilot.press("down")
        await pilot.pause()
        assert app.focused.id == "results"
        bar = keybar(app)
        assert "query" in bar and "mark" in bar and "↓ results" not in bar


@async_test
async def test_a_question_mark_at_a_word_end_is_no_error(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam?")
        screen = app.screen
        assert screen.error is None and screen.shown_query == "dam?" and screen.total == 14
        assert "Query problem" not in screen_text(app) and "min()" not in screen_text(app)


@async_test
async def test_one_notice_for_a_failure_not_one_per_keystroke(tmp_path, no_config):
    app = BriefApp(Library(tmp_path / "empty"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for text in ("d", "da", "dam", "dams"):
            app.screen.start_search(text)
            await settle(pilot)
        assert len([n for n in app._notifications if "no library" in n.message]) == 1


# -- the list fills the screen; ends and pages ------------------------------------------------------

def _rows_drawn(app) -> int:
    results = app.screen.query_one("#results")
    return min(results.virtual_size.height, results.size.height)


@async_test
async def test_the_list_fills_a_tall_terminal(tmp_path, no_config):
    lib = jsonl_library(tmp_path, [{"title": f"Ferry {i:02d} cancelled", "body": f"storm number {i} on the coast",
                                    "outlet": "Coast", "published": f"2025-03-{1 + i % 28:02d}"} for i in range(80)])
    app = BriefApp(lib)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        height = screen.query_one("#results").size.height
        assert height > 40
        assert len(screen.items) * 2 >= height and _rows_drawn(app) == height  # no empty half
        await search_for(pilot, "storm")
        assert _rows_drawn(app) == height and len(screen.items) < 80  # filled, not everything loaded


# -- sorts ------------------------------------------------------------------------------------------

def _dates(screen) -> list:
    return [str(it.published) if it.published else None for it in screen.items]


async def _sort_to(pilot, label: str) -> None:
    screen = pilot.app.screen
    screen.set_focus(screen.query_one("#results"))
    for _ in range(6):
        if f"({search_module.SORT_LABELS[label]})" in status(pilot.app) and screen._sort_for(screen.query_text) == label:
            return
        await pilot.press("S")
        await settle(pilot)
    raise AssertionError(f"never sorted {label}: {status(pilot.app)}")


@async_test
async def test_sorts_cycle_with_one_key_and_the_status_line_says_which(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        screen = app.screen
        assert "(by relevance)" in status(app)
        relevance = [it.id for it in screen.items]
        await pilot.press("end")  # every hit loaded, to see the whole order
        await settle(pilot)
        await _sort_to(pilot, "newest")
        await pilot.press("end")
        await settle(pilot)
        dates = _dates(screen)
        assert len(dates) == screen.total == 14
        dated = [d for d in dates if d]
        assert dated == sorted(dated, reverse=True) and dates[len(dated):] == [None] * (14 - len(dated))  # undated last
        assert [it.id for it in screen.items] != relevance
        await _sort_to(pilot, "oldest")
        await pilot.press("end")
        await settle(pilot)
        dates = _dates(screen)
        dated = [d for d in dates if d]
        assert dated == sorted(dated) and dates[len(dated):] == [None] * (14 - len(dated))  # undated last again
        await _sort_to(pilot, "outlet")
        await pilot.press("end")
        await settle(pilot)
        outlets = [it.outlet for it in screen.items]
        named = [o for o in outlets if o]
        assert named == sorted(named, key=str.casefold) and outlets[len(named):] == [None] * (14 - len(named))
        await _sort_to(pilot, "title")
        await pilot.press("end")
        await settle(pilot)
        titles = [it.title.casefold() for it in screen.items]
        assert titles == sorted(titles)
        await _sort_to(pilot, "relevance")
        assert [it.id for it in screen.items][:len(relevance)] == relevance


@async_test
async def test_the_home_list_sorts_too_and_skips_relevance(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "(newest first)" in status(app)
        newest = [it.id for it in screen.items]
        screen.set_focus(screen.query_one("#results"))
        await pilot.press("S")
        await settle(pilot)
        assert "(oldest first)" in status(app)  # not "relevance", which is newest first here
        dates = _dates(screen)
        dated = [d for d in dates if d]
        assert dated == sorted(dated) and dates[len(dated):] == [None] * (len(dates) - len(dated))
        for _ in range(3):
            await pilot.press("S")
            await settle(pilot)
        assert "(newest first)" in status(app) and [it.id for it in screen.items] == newest


# -- the unknown outlet -----------------------------------------------------------------------------

@async_test
async def test_the_articles_with_no_outlet_are_a_facet_and_a_filter(app):
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        screen = app.screen
        assert screen.facets[UNKNOWN_OUTLET] == 4 and sum(screen.facets.values()) == screen.total == 14
        assert UNKNOWN_OUTLET in screen_text(app)
        screen.set_focus(screen.query_one("#results"))
        await pilot.press("f")
        await pilot.pause()
        chooser = app.screen
        names = [c[0] for c in chooser._choices]
        assert UNKNOWN_OUTLET in names
        chooser.query_one("#choices").highlighted = names.index(UNKNOWN_OUTLET)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.outlet == UNKNOWN_OUTLET and screen.total == 4
        assert len(screen.items) == 4 and all(it.outlet is None for it in screen.items)
        assert f"outlet: {UNKNOWN_OUTLET}" in screen_text(app)
        await search_for(pilot, "")  # the home list, narrowed the same way
        assert screen.total == 5 and all(it.outlet is None for it in screen.items)


# -- slow queries never freeze the screen -------------------------------------------------------------

@async_test
async def test_a_slow_fuzzy_query_runs_off_the_ui_thread_and_a_newer_one_wins(app, monkeypatch):
    import index.search as isearch

    real_search, real_prepare = isearch.search, isearch.prepare_query
    threads = []

    def slow_search(searcher, text, **kw):
        if "~" in text:
            time.sleep(3.0)  # a UI that waited for it would take 3 s over the keystrokes below
        return real_search(searcher, text, **kw)

    def watched_prepare(text, searcher, *args, **kw):
        threads.append(threading.current_thread() is threading.main_thread())
        return real_prepare(text, searcher, *args, **kw)

    monkeypatch.setattr(isearch, "search", slow_search)
    monkeypatch.setattr(isearch, "prepare_query", watched_prepare)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await type_in_query(pilot, "flod~")
        await pilot.pause(screen.debounce + 0.1)  # the slow search has started
        assert screen.busy
        started = time.monotonic()
        await pilot.press("ctrl+u", *"levee")  # typing goes on while it runs
        assert screen.query_one("#query").value == "levee"
        assert time.monotonic() - started < 2.5  # (five keystrokes: well under a second on a quiet machine)
        end = time.monotonic() + 10
        while screen.shown_query != "levee" and time.monotonic() < end:
            await pilot.pause(0.05)
        assert screen.shown_query == "levee"
        await pilot.pause(3.2)  # long after the slow one ended
        assert screen.shown_query == "levee" and screen.items
        assert threads and not any(threads)  # parsing and expansion ran in workers


@async_test
async def test_a_bounded_wildcard_says_what_it_left_out(app, monkeypatch):
    import index.search as isearch

    monkeypatch.setattr(isearch, "MAX_EXPANSION", 2)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await search_for(pilot, "re*")
        assert screen.total and "only its 2 commonest" in status(app)
        screen.action_cycle_sort()  # by date: every match found, the same words kept
        await settle(pilot)
        assert screen.sort == "newest" and "only its 2 commonest" in status(app)
        await search_for(pilot, "levee")
        assert "commonest" not in status(app)


# -- real text ------------------------------------------------------------------------------------

@async_test
async def test_on_the_seeds_every_article_is_reachable_by_the_unknown_outlet(tmp_path, no_config):
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not present")
    lib = Library(tmp_path / "lib")
    update(lib, [SEEDS])
    app = BriefApp(lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.total == 5 and screen.facets == {UNKNOWN_OUTLET: 5}
        titles = [it.title.casefold() for it in screen.items]
        assert titles == sorted(titles)  # undated: A-Z, not reverse
        screen.outlet = UNKNOWN_OUTLET
        screen.start_search("")
        await settle(pilot)
        assert screen.total == 5


@async_test
async def test_a_multinews_cluster_sorts_by_outlet_and_date(tmp_path, no_config):
    clusters = sorted(MULTINEWS.glob("cluster_*")) if MULTINEWS.is_dir() else []
    if not clusters:
        pytest.skip("../shared/corpora/multinews-dev is not present")
    src = tmp_path / "src"
    src.mkdir()
    for cluster in clusters[:6]:
        for f in cluster.glob("article_*.txt"):
            shutil.copy(f, src / f"{cluster.name}-{f.name}")
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    app = BriefApp(lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        total = screen.total
        assert total >= 6 and sum(screen.facets.values()) == total  # every article in some facet
        await search_for(pilot, "said")
        hits = screen.total
        assert hits
        await _sort_to(pilot, "outlet")
        await pilot.press("end")
        await settle(pilot)
        assert len(screen.items) == hits
        outlets = [it.outlet for it in screen.items]
        named = [o for o in outlets if o]
        assert named == sorted(named, key=str.casefold) and outlets[len(named):] == [None] * (hits - len(named))
