"""SVG snapshots of the daily-reader states of issue 12 at 80x24 and 120x40 over the demo library: read marks
and tags in the list, the tag dialog, "unread only", the saved searches with their sort, the palette finding
an action by its id, the re-index progress dialog, and the brief screen with pins.

Regenerate with `pytest tests/test_tui_snapshots_daily.py --snapshot-update` and look at the report.
User state goes to each test's own folder (tests/conftest.py), saved searches too (here): the demo library the
tests share is never written.
"""

from __future__ import annotations

import pytest

from tui.app import BriefApp

from tui_support import FIXED_DEMO, HINT, fixed_demo_library, settle

SIZES = [(80, 24), (120, 40)]
IDS = lambda s: f"{s[0]}x{s[1]}"  # noqa: E731


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    import tui.saved_searches

    monkeypatch.setenv("BRIEF_CONFIG", str(FIXED_DEMO / "no-config.toml"))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(tui.saved_searches, "saved_path", lambda library: tmp_path / "saved-searches.json")
    return lambda: BriefApp(fixed_demo_library(), hint=HINT)


def _first_rows(app, n: int) -> list[str]:
    return [row["id"] for row in app.catalog()[:n]]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_read_marks_and_tags_in_the_list(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        app = pilot.app
        first, second, third = _first_rows(app, 3)
        app.mark_read(first)
        app.set_tags(second, ["levee", "follow-up"])
        app.mark_read(third)
        app.set_tags(third, ["levee"])
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_unread_only(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        for aid in _first_rows(pilot.app, 2):
            pilot.app.mark_read(aid)
        pilot.app.screen.query_one("#results").focus()
        await pilot.press("u")
        await settle(pilot)
        pilot.app.clear_notifications()  # "Only the articles not read yet" goes after a few seconds
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_tag_dialog(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        app = pilot.app
        app.set_tags(_first_rows(app, 2)[1], ["levee", "follow-up"])
        app.screen.query_one("#results").focus()
        await pilot.press("down", "t")  # the tagged one: its tags are in the box
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_saved_searches_with_their_sort(snap_compare, make_app, size):
    async def run_before(pilot):
        from tui.saved_searches import save_search

        await settle(pilot)
        lib = pilot.app.library
        save_search(lib, "levee", "levee", None, None)
        save_search(lib, "dams, oldest first", "dam*", None, "2025-03", sort="oldest", unread=True)
        pilot.app.screen.query_one("#results").focus()
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_palette_finds_an_action_by_its_id(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"search.unread")
        from textual.widgets import Input

        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # the palette's own box blinks even headless: the cursor, always shown
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_reindex_progress_dialog(snap_compare, make_app, size):
    async def run_before(pilot):
        from tui.widgets.reindex import ReindexProgress, ReindexScreen

        await settle(pilot)
        progress = ReindexProgress(where="/home/me/news", stage="index", done=7, total=17)
        pilot.app.push_screen(ReindexScreen(progress, "ctrl+r"))
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_brief_screen_with_pins(snap_compare, make_app, size, monkeypatch):
    import time

    import index.pins

    monkeypatch.setattr(index.pins, "now_iso", lambda: "2025-03-07T09:30:00+00:00")  # the pins' times are shown
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()

    async def run_before(pilot):
        await settle(pilot)
        app = pilot.app
        first, second = _first_rows(app, 2)
        app.pin("The levee held through the night, officials said.", [first, second])
        app.pin("Crews worked until dawn.", [second], kind="paragraph")
        await settle(pilot)
        app.screen.query_one("#results").focus()
        await pilot.press("P")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
