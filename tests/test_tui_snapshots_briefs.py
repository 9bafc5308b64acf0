"""SVG snapshots of the compare and card screens over the demo library, at 80×24 and 120×40.

Deterministic: the demo articles are indexed from a fixed path (ids come from paths), the card's
generation time is fixed (and not shown), workers are waited for, and inputs do not blink.
Update with `python -m pytest tests/test_tui_snapshots_briefs.py --snapshot-update` and look at them.
"""

from __future__ import annotations

import pytest

pytest.importorskip("briefs.extract")

from test_tui_card import Harness, card_screen, demo_lib, find_id, settle  # noqa: E402,F401
from tui.screens.compare import CompareScreen  # noqa: E402

SIZES = [(80, 24), (120, 40)]


async def ready(pilot) -> None:
    await settle(pilot.app, pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_screen(snap_compare, demo_lib, size):
    ids = [find_id(demo_lib, "Kavra Evening Post", "death toll"), find_id(demo_lib, "Northgate Review", "levee")]
    app = Harness(demo_lib, CompareScreen(ids))
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_screen_on_a_differing_row_with_the_second_source_chosen(snap_compare, demo_lib, size):
    ids = [find_id(demo_lib, "Kavra Evening Post", "death toll"), find_id(demo_lib, "Northgate Review", "levee"),
           find_id(demo_lib, "Meridian Wire", "sorrel")]
    app = Harness(demo_lib, CompareScreen(ids))

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("n", "l")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_card_screen(snap_compare, demo_lib, size):
    app = Harness(demo_lib, card_screen("sorrel dam"))
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_card_screen_figures_and_export_dialog(snap_compare, demo_lib, size):
    app = Harness(demo_lib, card_screen("sorrel dam"))

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "j", "e")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
