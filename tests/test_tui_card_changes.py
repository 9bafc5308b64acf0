"""The app's card screen says what changed since the card built before for the same query (the library's
card history), at the top of the card: on the real seeds, four indexed, then the fifth."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytest.importorskip("briefs.extract")

from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402
from test_tui_card import Harness, settle, sync  # noqa: E402
from tui.screens.card import CardScreen  # noqa: E402
from tui.widgets.rowlist import RowList  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@pytest.fixture
def seeds():
    if not SEEDS.is_dir() or len(list(SEEDS.glob("*.txt"))) < 5:
        pytest.skip("../shared/seeds is not present")
    return sorted(SEEDS.glob("*.txt"))


class HistoryHarness(Harness):
    card_history = True  # as BriefApp


def _screen(query: str, minute: int) -> CardScreen:
    screen = CardScreen(query=query)
    screen.now = datetime(2026, 11, 30, 14, minute, tzinfo=timezone.utc)
    return screen


def _headings(rows: RowList) -> list[str]:
    return [r.title for r in rows.rows if not r.selectable]


@sync
async def test_the_card_screen_shows_what_a_fifth_seed_brought_and_keeps_it_on_rebuild(seeds, tmp_path):
    folder, lib = tmp_path / "articles", Library(tmp_path / "lib")
    folder.mkdir()
    for path in seeds[:4]:
        shutil.copy(path, folder / path.name)
    update(lib, [folder])

    app = HistoryHarness(lib, _screen("north korean", 2))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        assert app.screen.card is not None
        assert not any(h.startswith("What changed") for h in _headings(rows))  # the first card: nothing before
        before = {s.id for s in app.screen.card.sources}

    shutil.copy(seeds[4], folder / seeds[4].name)
    update(lib, [folder])
    app = HistoryHarness(lib, _screen("north korean", 9))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        rows = screen.query_one(RowList)
        (new_id,) = {s.id for s in screen.card.sources} - before
        assert _headings(rows)[0] == "What changed since 2026-11-30 14:02"  # at the top of the card
        changed = [r for r in rows.rows if r.kind == "change"]
        new_source = next(r for r in changed if r.body.plain.startswith("New source"))
        assert [t.source for t in new_source.targets] == [new_id]
        new_facts = [r for r in changed if r.body.plain.startswith("New fact")]
        assert new_facts and all(new_id in {t.source for t in r.targets} for r in new_facts)
        assert any(r.body.plain.startswith(("New figure", "No longer")) or "→" in r.body.plain for r in changed)
        rows.move_to(rows.rows.index(new_source))
        await pilot.press("enter")
        assert app.opened[-1][0] == new_id  # the new source opens in the reader
        screen._write(screen.card, str(tmp_path / "card.md"), "markdown", False, screen.changes)
        exported = (tmp_path / "card.md").read_text(encoding="utf-8")
        assert "## What changed since 2026-11-30 14:02" in exported and f"New sources: `{new_id}`" in exported
        await pilot.press("r")  # a rebuild compares with the same earlier card, not with itself
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        assert _headings(rows)[0] == "What changed since 2026-11-30 14:02"
        assert any(r.body.plain.startswith("New source") for r in rows.rows if r.kind == "change")

    app = HistoryHarness(lib, _screen("north korean", 20))  # opened again later: nothing new since 14:09
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        assert _headings(rows)[0] == "What changed since 2026-11-30 14:09"
        assert [r.body.plain for r in rows.rows if r.kind == "change"] == ["Nothing changed."]


@sync
async def test_a_first_card_rebuilt_for_new_articles_says_what_they_brought(seeds, tmp_path):
    """No earlier card: the first build shows no section; a rebuild after a fifth seed arrived compares with
    the card the screen showed, and one that changed nothing still shows none."""
    folder, lib = tmp_path / "articles", Library(tmp_path / "lib")
    folder.mkdir()
    for path in seeds[:4]:
        shutil.copy(path, folder / path.name)
    update(lib, [folder])
    app = HistoryHarness(lib, _screen("north korean", 2))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        before = {s.id for s in screen.card.sources}
        await pilot.press("r")
        await settle(app, pilot)
        assert screen.changes is None and not any(h.startswith("What changed") for h in _headings(screen.rows))
        shutil.copy(seeds[4], folder / seeds[4].name)
        update(lib, [folder])
        await pilot.press("r")
        await settle(app, pilot)
        (new_id,) = {s.id for s in screen.card.sources} - before
        assert _headings(screen.rows)[0] == "What changed since 2026-11-30 14:02"
        assert screen.changes["new_sources"] == [new_id]


@sync
async def test_the_card_of_a_brief_is_kept_as_the_brief_s_card(tmp_path):
    """The brief screen's `b` card is kept under the brief's key (as `brief card --brief NAME`), not the ids'."""
    from index import cardhistory
    from test_tui_card import stable_demo_copy

    lib = Library(tmp_path / "lib")
    update(lib, [stable_demo_copy()])
    ids = [r["id"] for r in lib.catalog() if "Sorrel" in r["title"]][:3]
    screen = CardScreen(ids=ids, brief="Dam week")
    app = HistoryHarness(lib, screen)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert screen.card is not None
        assert "the brief “Dam week” (3 articles)" in str(screen.query_one("#card-title").render())
    assert [k["key"] for k in cardhistory.keys(lib.root)] == ["brief:Dam week"]
