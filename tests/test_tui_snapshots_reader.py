"""SVG snapshots of the reader (issue 12) at 80x24 and 120x40: the related pane hidden and shown, the
paragraph cursor (▌) moved down by a match, the progress in the status line, the related list's ▶.

Regenerate with `pytest tests/test_tui_snapshots_reader.py --snapshot-update` and look at the report.
Deterministic as tests/test_tui_snapshots_core.py: the demo library at a fixed path, no user config.
"""

from __future__ import annotations

import pytest

from tui.app import BriefApp

from tui_support import FIXED_DEMO, HINT, fixed_demo_library, reader_ready, search_for, settle

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def make_app(monkeypatch):
    monkeypatch.setenv("BRIEF_CONFIG", str(FIXED_DEMO / "no-config.toml"))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return lambda: BriefApp(fixed_demo_library(), hint=HINT)


def _opened_at_a_match(toggle: bool):
    async def run_before(pilot):
        await settle(pilot)
        await search_for(pilot, "dam")
        await pilot.press("enter")
        await reader_ready(pilot)
        await pilot.press("n")  # the cursor follows the match down the article
        if toggle:
            await pilot.press("R")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reader_as_it_opens(snap_compare, make_app, size):
    """80x24: the pane hidden (one line for it); 120x40: beside the article."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_opened_at_a_match(False))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reader_with_the_pane_toggled(snap_compare, make_app, size):
    """80x24: the pane shown under the article; 120x40: hidden."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_opened_at_a_match(True))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reader_in_the_related_list(snap_compare, make_app, size):
    """r: into the related list (looked into at 80x24), j: the second article under ▶."""
    async def run_before(pilot):
        await _opened_at_a_match(False)(pilot)
        await pilot.press("r", "j")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
