"""The search screen: results as you type, errors inline, marks, facets, paging, saved searches."""

from __future__ import annotations

import json

import pytest

from tui.app import BriefApp
from tui.screens.search import PAGE, SearchScreen

from tui_support import HINT, async_test, demo_lib, jsonl_library, no_config, screen_text, search_for, settle  # noqa: F401


@pytest.fixture
def app(demo_lib, no_config):
    return BriefApp(demo_lib, hint=HINT)


@async_test
async def test_home_lists_every_article_newest_first_with_the_hint(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.total == 17 and screen.shown_query == ""
        assert screen.items[0].title.startswith("Halvik bridge reopens")
        text = screen_text(app)
        assert "17 articles" in text and "brief index ~/articles" in text
        assert app.focused.id == "query"
        await pilot.press("down")  # from the query bar down into the results
        await pilot.pause()
        assert app.focused.id == "results"


@async_test
async def test_typing_a_query_shows_ranked_hits_after_the_debounce(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(*"breach")
        assert screen.shown_query == ""  # nothing yet: the debounce has not fired
        assert screen._timer is not None
        await pilot.pause(screen.debounce + 0.1)
        await settle(pilot)
        assert screen.shown_query == "breach"
        assert 0 < screen.total < 17
        assert all("breach" in (it.title + " ".join(t for t, _ in it.snippet)).lower() for it in screen.items[:2])
        assert f"{screen.total} hits" in screen_text(app)


@async_test
async def test_a_newer_search_wins_over_an_older_one(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.start_search("apple")
        screen.start_search("levee")
        await settle(pilot)
        assert screen.shown_query == "levee"
        assert screen.items and all("apple" not in it.title.lower() for it in screen.items)
        # A late answer for an older generation is dropped.
        old = SearchScreen.Results(screen.generation - 1, 0, type(screen)._search_catalog(screen, 0, PAGE, None, None))
        screen.post_message(old)
        await pilot.pause()
        assert screen.shown_query == "levee"


@async_test
async def test_a_bad_query_is_explained_inline_and_the_results_stay(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        screen = app.screen
        before = [it.id for it in screen.items]
        await search_for(pilot, 'dam "water')
        assert screen.error and "closing quote" in screen.error
        assert [it.id for it in screen.items] == before
        text = screen_text(app)
        assert "Query problem" in text and "closing quote" in text and "'dam'" in text
        await search_for(pilot, "nosuchfield:dam")
        assert "unknown field" in screen.error
        await search_for(pilot, "levee")
        assert screen.error is None and screen.shown_query == "levee"


@async_test
async def test_zero_hits_says_so(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "zzyzzyx")
        assert app.screen.total == 0
        assert "0 hits" in screen_text(app) and "nothing matches" in screen_text(app)


@async_test
async def test_space_marks_with_a_visible_marker_and_moves_down(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        screen = app.screen
        first, second = screen.items[0].id, screen.items[1].id
        await pilot.press("space")
        assert app.marked == [first]
        assert screen.query_one("#results").highlighted == 1
        await pilot.press("space")
        assert app.marked == [first, second]
        await pilot.pause()
        text = screen_text(app)
        assert "● 2 marked" in text and text.count("●") >= 3  # two rows and the status line
        await pilot.press("up", "space")
        assert app.marked == [first]


@async_test
async def test_compare_and_card_go_through_the_app(app, monkeypatch):
    calls = []
    monkeypatch.setattr(app, "open_compare", lambda ids: calls.append(("compare", ids)))
    monkeypatch.setattr(app, "open_card", lambda query=None, ids=None: calls.append(("card", query, ids)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        await pilot.press("c")
        assert calls == []  # fewer than two marked: a notification instead
        assert any("Mark two or more" in n.message for n in app._notifications)
        await pilot.press("b")
        assert calls == [("card", "dam", None)]
        await pilot.press("space", "space", "c", "b")
        ids = [it.id for it in app.screen.items[:2]]
        assert calls[1:] == [("compare", ids), ("card", None, ids)]


@async_test
async def test_outlet_facet_narrows_and_clears(app):
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        screen = app.screen
        assert screen.facets["Harbour Ledger"] == 2
        assert "Harbour Ledger" in screen_text(app)  # the facet panel is shown when wide
        await pilot.press("f")
        await pilot.pause()
        chooser = app.screen
        names = [c[0] for c in chooser._choices]
        chooser.query_one("#choices").highlighted = names.index("Harbour Ledger")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.outlet == "Harbour Ledger"
        assert screen.total == 2 and {it.outlet for it in screen.items} == {"Harbour Ledger"}
        assert "outlet: Harbour Ledger" in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
        assert screen.outlet is None and screen.total > 2


@async_test
async def test_date_range_narrows_the_list_and_the_search(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#results").focus()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"2025-03-04..2025-03-05", "enter")
        await settle(pilot)
        assert screen.dates == "2025-03-04..2025-03-05"
        assert screen.total == 6
        assert all("2025-03-04" <= it.published <= "2025-03-05" for it in screen.items)
        await search_for(pilot, "dam")
        assert screen.total and all(str(it.published) in ("2025-03-04", "2025-03-05") for it in screen.items)
        screen.query_one("#results").focus()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"03-2025", "enter")
        await pilot.pause()
        assert screen.dates == "2025-03-04..2025-03-05"  # refused, with the reason
        assert any("Dates:" in n.message for n in app._notifications)


@async_test
async def test_saved_search_round_trip(tmp_path, no_config):
    lib = jsonl_library(tmp_path, [{"title": f"Ferry {n}", "body": "ferries cancelled by the storm", "outlet": "Coast"}
                                   for n in range(3)])
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "storm")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("ctrl+u", *"storms", "enter")
        await pilot.pause()
        saved = json.loads((lib.root / "saved-searches.json").read_text())
        assert saved["searches"] == [{"name": "storms", "query": "storm", "outlet": None, "dates": None,
                                      "sort": "relevance", "unread": False}]
        await search_for(pilot, "nothing")
        assert app.screen.total == 0
        app.screen.query_one("#results").focus()
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#query").value == "storm"
        assert app.screen.total == 3


@async_test
async def test_a_saved_search_keeps_its_sort_and_unread_only(tmp_path, no_config):
    titles = ["Ferry Charlie", "Ferry Alpha", "Ferry Bravo"]
    lib = jsonl_library(tmp_path, [{"title": t, "body": "ferries cancelled by the storm " * (n + 1), "outlet": "Coast"}
                                   for n, t in enumerate(titles)])
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "storm")
        screen = app.screen
        while screen.sort != "title":
            screen.action_cycle_sort()
        screen.action_unread_only()
        await settle(pilot)
        assert [h.title for h in screen.items] == sorted(titles)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("ctrl+u", *"ferries", "enter")
        await pilot.pause()
        saved = json.loads((lib.root / "saved-searches.json").read_text())["searches"]
        assert (saved[0]["sort"], saved[0]["unread"]) == ("title", True)
        screen.action_cycle_sort()  # another sort, every article, another query
        screen.action_unread_only()
        await search_for(pilot, "nothing")
        app.screen.query_one("#results").focus()
        await pilot.press("l")
        await pilot.pause()
        assert "sort: title" in screen_text(app) and "unread only" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert (screen.sort, screen.unread_only) == ("title", True)
        assert [h.title for h in screen.items] == sorted(titles)
        assert "by title" in screen_text(app)


@async_test
async def test_many_hits_are_fetched_a_page_at_a_time_and_end_goes_to_the_real_last(tmp_path, no_config):
    n = PAGE * 6 + 5
    lib = jsonl_library(tmp_path, [{"title": f"Storm report {i}", "body": f"gale number {i} hit the coast",
                                    "outlet": "Coast"} for i in range(n)])
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "gale")
        screen = app.screen
        results = screen.query_one("#results")
        size = screen.page_size
        assert screen.total == n and len(screen.items) == size < n
        await pilot.press("pagedown")
        await settle(pilot)
        assert results.highlighted > 1 and len(screen.items) >= 2 * size  # the next page came as it neared
        await pilot.press("end")
        await settle(pilot)
        assert len(screen.items) == n and len({it.id for it in screen.items}) == n
        assert results.highlighted == n - 1  # the real last hit, not the last one loaded
        assert not screen.to_end and "loading" not in screen_text(app)
        await pilot.press("home")
        assert results.highlighted == 0
        await pilot.press("G")  # g / G as in less and vim
        assert results.highlighted == n - 1
        await pilot.press("pageup")
        assert 0 < results.highlighted < n - 1


@async_test
async def test_empty_library_shows_how_to_fill_it(tmp_path, no_config):
    from index.library import Library

    app = BriefApp(Library(tmp_path / "empty"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Your library is empty" in screen_text(app) and "brief index" in screen_text(app)
        await search_for(pilot, "dam")
        assert any("no library" in n.message for n in app._notifications)


@async_test
async def test_the_page_comes_first_then_the_exact_count_and_facets(app):
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.count_after = 60.0  # as while typing: the count waits for a pause
        screen.start_search("dam")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.shown_query == "dam" and len(screen.items) == PAGE and screen.counting
        assert "counting" in screen_text(app)
        screen._start_count(screen.generation)  # the pause came
        await settle(pilot)
        assert not screen.counting and screen.exact and screen.total == 14
        assert sum(screen.facets.values()) <= screen.total and screen.facets["Harbour Ledger"] == 2
        assert "14 hits" in screen_text(app)


@async_test
async def test_a_newer_search_stops_the_count_and_a_query_seen_before_is_instant(app):
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await search_for(pilot, "dam")
        assert screen.total == 14 and screen.exact
        await search_for(pilot, "levee")
        generation = screen.generation
        screen.start_search("dam")  # seen before: shown at once, count included, no worker
        assert screen.generation == generation + 1 and not screen.busy
        assert screen.shown_query == "dam" and screen.total == 14 and screen.exact and not screen.counting


@async_test
async def test_going_back_returns_the_focus_to_the_results(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        assert app.focused.id == "results"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
        await pilot.press("backspace")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen) and app.focused.id == "results"
        await pilot.press("space")  # acts on the results, not typed into the query
        assert app.screen.query_one("#query").value == "dam" and len(app.marked) == 1


@async_test
async def test_a_key_right_after_enter_goes_to_the_results(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#query").focus()
        await pilot.press(*"levee")
        await pilot.press("enter", "space")  # no pause between them
        await settle(pilot)
        assert screen.query_one("#query").value == "levee"
        assert app.focused.id == "results" and len(app.marked) == 1


@async_test
async def test_enter_before_any_result_focuses_them_when_they_come(tmp_path, no_config):
    lib = jsonl_library(tmp_path, [{"title": "Levee story", "body": "The levee held.", "published": "2025-03-04"}])
    app = BriefApp(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await search_for(pilot, "nothingmatches")
        assert screen.total == 0 and app.focused.id == "query"
        screen.query_one("#query").value = "levee"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.items and app.focused.id == "results"
