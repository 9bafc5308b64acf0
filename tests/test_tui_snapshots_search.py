"""SVG snapshots of the home list (issue 12): the list filling 80x24, 120x40 and 200x50, a sort, the unknown
outlet in the facets, and the query bar's key bar.

Regenerate with `pytest tests/test_tui_snapshots_search.py --snapshot-update` and look at the report.
"""

from __future__ import annotations

import pytest

from tui.app import BriefApp

from tui_support import FIXED_DEMO, HINT, fixed_demo_library, search_for, settle

SIZES = [(80, 24), (120, 40), (200, 50)]


@pytest.fixture
def make_app(monkeypatch):
    monkeypatch.setenv("BRIEF_CONFIG", str(FIXED_DEMO / "no-config.toml"))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return lambda: BriefApp(fixed_demo_library(), hint=HINT)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_list_fills_the_screen(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
def test_hits_sorted_newest_first_with_the_unknown_outlet(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        await search_for(pilot, "dam")
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
