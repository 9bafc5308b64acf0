"""SVG snapshots of search, reader and help at 80x24 and 120x40 over the demo library.

Regenerate with `pytest tests/test_tui_snapshots_core.py --snapshot-update` and look at the report.
Deterministic: the demo library is built at a fixed path (ids and paths come from it), no user config,
no blinking cursor (headless), no clock.
"""

from __future__ import annotations

import pytest

from tui.app import BriefApp

from tui_support import FIXED_DEMO, HINT, fixed_demo_library, reader_ready, search_for, settle

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEF_CONFIG", str(FIXED_DEMO / "no-config.toml"))  # shown in help: a fixed path
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return lambda: BriefApp(fixed_demo_library(), hint=HINT)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_search_screen(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        await search_for(pilot, "dam")
        await pilot.press("down", "space")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reader_screen(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        await search_for(pilot, "levee")
        await pilot.press("enter")
        await reader_ready(pilot)
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        await search_for(pilot, "dam")
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
