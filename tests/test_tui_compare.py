"""The compare screen, driven with Pilot: aligned rows, differing figures marked, claim-by-claim moves,
opening a passage, swapping and adding sources, untrusted article text shown as is."""

from __future__ import annotations

import pytest

pytest.importorskip("briefs.extract")

from rich.console import Console  # noqa: E402

from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402
from test_tui_card import Harness, demo_lib, find_id, settle, sync  # noqa: E402,F401
from tui.screens.compare import CompareScreen, SourcePicker, differing_spans  # noqa: E402
from tui.widgets.rowlist import RowList  # noqa: E402


def lines_of(row, ctx, width: int, current=False, side=0) -> list[str]:
    console = Console(width=width, no_color=True, record=True, file=open("/dev/null", "w"))
    console.print(row.view(ctx, current, side, False, width))
    return console.export_text().splitlines()


def two_tolls(lib) -> list[str]:
    """Kavra Evening Post (toll nine) and Northgate Review (toll 11): the same story two days apart."""
    return [find_id(lib, "Kavra Evening Post", "death toll"), find_id(lib, "Northgate Review", "levee")]


@sync
async def test_two_articles_aligned_on_rows_with_the_differing_figure_marked(demo_lib):
    ids = two_tolls(demo_lib)
    app = Harness(demo_lib, CompareScreen(ids))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.kinds()[-1] == "Compared"
        screen = app.screen
        rows = screen.query_one(RowList)
        alike = [r for r in rows.rows if getattr(r, "kind", "") in ("alike", "differs")]
        assert alike, "nothing aligned"
        for r in alike:  # every aligned row carries both articles' wording
            assert {c.source for c in r.cells} == set(ids)
        # side by side when wide: both sources' wording starts on the row's first line
        first = lines_of(alike[0], rows.ctx, 110)[0]
        assert "[1]" in first and "[2]" in first
        # stacked when narrow: one source per block, the label on a line of its own
        narrow = lines_of(alike[0], rows.ctx, 76)
        assert not any("[1]" in line and "[2]" in line for line in narrow)
        assert narrow[0].lstrip().startswith(("= alike", "≠ DIFFERS"))
        # the differing figure (9 dead vs 11) is marked with a label, not colour alone
        differs = [r for r in rows.rows if getattr(r, "differs", False)]
        assert differs
        assert any("≠" in line for line in lines_of(differs[0], rows.ctx, 110))
        figure_rows = [r for r in rows.rows if getattr(r, "kind", "") == "figure"] + \
            [r for r in differs if r.kind == "differs"]
        assert figure_rows
        # each source's own claims are flagged
        only = [r for r in rows.rows if getattr(r, "kind", "") == "only"]
        assert {r.cells[0].source for r in only} == set(ids)
        assert "ONLY [1]" in lines_of(only[0], rows.ctx, 110)[0] or "ONLY [2]" in lines_of(only[0], rows.ctx, 110)[0]


@sync
async def test_moving_claim_by_claim_and_opening_a_passage(demo_lib):
    ids = two_tolls(demo_lib)
    app = Harness(demo_lib, CompareScreen(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        start = rows.cursor
        assert rows.rows[start].selectable
        await pilot.press("j")
        assert rows.cursor > start and rows.current.selectable
        await pilot.press("k")
        assert rows.cursor == start
        await pilot.press("n")  # the next row whose figures differ
        assert getattr(rows.current, "differs", False)
        # enter opens the first source's sentence; l then enter the other one's
        await pilot.press("enter")
        first = app.opened[-1]
        await pilot.press("l", "enter")
        second = app.opened[-1]
        assert first[0] != second[0] and {first[0], second[0]} == set(ids)
        for aid, _query, highlight in (first, second):
            paragraphs = demo_lib.get(aid).paragraphs
            assert any(highlight in p for p in paragraphs)
        # the current row stays visible as the cursor goes down the list
        for _ in range(12):
            await pilot.press("j")
        view = rows.query("RowView")[rows.cursor]
        assert view.region.y >= rows.region.y and view.region.bottom <= rows.region.bottom + 1


@sync
async def test_swap_and_add_a_source(demo_lib):
    ids = two_tolls(demo_lib)
    app = Harness(demo_lib, CompareScreen(ids))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert screen.order == ids
        await pilot.press("s")
        assert screen.order == ids[::-1]
        rows = screen.query_one(RowList)
        alike = next(r for r in rows.rows if getattr(r, "kind", "") in ("alike", "differs"))
        first_line = lines_of(alike, rows.ctx, 110)[0]
        assert first_line.index("[2]") < first_line.index("[1]")  # Kavra's column is now on the left

        third = find_id(demo_lib, "Meridian Wire", "sorrel")
        await pilot.press("a")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, SourcePicker)
        assert third in picker.related  # same story comes first
        await pilot.press(*"meridian wall")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.ids == [*ids, third] or set(screen.ids) == {*ids, third}
        assert len(screen.result.sources) == 3
        assert screen.order[:2] == ids[::-1]  # the user's column order is kept
        await pilot.press("x")  # drop the chosen source of the current row again
        await settle(app, pilot)
        assert len(screen.result.sources) == 2


@sync
async def test_comparing_an_unknown_article_fails_with_a_notification(demo_lib):
    app = Harness(demo_lib, CompareScreen([find_id(demo_lib, "Meridian Wire", "sorrel"), "zzzzzzzz"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.kinds()[-1] == "Failed"
        assert app.screen.error and "zzzzzzzz" in app.screen.error
        assert any("zzzzzzzz" in n for n in app.notes())
        await pilot.press("j", "n", "enter", "s")  # nothing to do, nothing breaks
        assert app.opened == []


NASTY = """---
title: "Dam [bold]report[/] \x1b]8;;http://x\x07click\x1b]8;;\x07"
outlet: "[link=http://evil]Evil[/link] Times"
date: 2025-03-04
---

The dam [bold]failed[/] at 2 a.m. and [link=http://x]12 people[/link] died in Lisk, officials said [/].

Water from the reservoir \x1b[31mflooded\x1b[0m the lower town of Lisk overnight, police said.
"""

OTHER = """---
title: Dam fails at Lisk
outlet: Plain Post
date: 2025-03-05
---

The dam failed at 2 a.m. and 15 people died in Lisk, officials said on Tuesday.

Water from the reservoir flooded the lower town of Lisk overnight, police said on Tuesday.
"""


@sync
async def test_article_text_is_shown_as_is_never_as_markup_or_escapes(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "nasty.md").write_text(NASTY, encoding="utf-8")
    (folder / "other.md").write_text(OTHER, encoding="utf-8")
    lib = Library(tmp_path / "lib")
    update(lib, [folder], rebuild=True)
    ids = [r["id"] for r in lib.catalog()]
    app = Harness(lib, CompareScreen(ids))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.kinds()[-1] == "Compared"
        rows = app.screen.query_one(RowList)
        shown = "\n".join(line for r in rows.rows for line in lines_of(r, rows.ctx, 110))
        header = str(app.screen.query_one("#compare-sources").render().__class__)
        assert "[bold]failed[/]" in shown or "[bold]" in shown
        assert "\x1b" not in shown
        assert "≠" in shown  # 12 vs 15 people
        header_text = "\n".join(lines_of(_Wrap(app.screen.query_one("#compare-sources").render()), {}, 110))
        assert "[link=http://evil]Evil[/link] Times" in header_text
        assert "\x1b" not in header_text and header


class _Wrap:
    """Lets lines_of render a plain renderable."""

    def __init__(self, renderable) -> None:
        self.renderable = renderable

    def view(self, *args):
        return self.renderable


def test_differing_spans_marks_only_figures_about_the_same_thing():
    spans = differing_spans([("a", "Four people were killed in Lisk on Tuesday."),
                             ("b", "Nine people were killed in Lisk, officials said.")])
    assert spans and set(spans) == {0, 1}
    text = "Four people were killed in Lisk on Tuesday."
    start, end = spans[0][0]
    assert text[start:end].lower().startswith("four")
    assert differing_spans([("a", "Four people were killed."), ("b", "Four people were killed, police said.")]) == {}


@sync
async def test_compare_keys_can_be_remapped_by_action_id(demo_lib):
    ids = two_tolls(demo_lib)
    app = Harness(demo_lib, CompareScreen(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.set_keymap({"compare.swap": "w", "compare.next_difference": "ctrl+n"})
        await pilot.press("w")
        assert app.screen.order == ids[::-1]
        await pilot.press("s")  # the old key does nothing now
        assert app.screen.order == ids[::-1]
        rows = app.screen.query_one(RowList)
        rows.action_edge(-1)
        await pilot.press("j", "ctrl+n")
        assert getattr(rows.current, "differs", False)


def test_a_figure_row_puts_each_articles_own_sentence_and_hedge_in_its_column():
    from test_disagree import art

    from briefs.compare import compare
    from tui.screens.compare import compare_rows

    arts = [art("a11", "Ledger", "About 1,200 people were evacuated from the valley, the governor said."),
            art("b11", "Courier", "Police said nearly 1,200 people had been moved out of the valley."),
            art("c11", "Gazette", "Some 1,700 people were evacuated from the valley, the relief agency said.")]
    rows, _ = compare_rows(compare(arts, {}), {})
    (row,) = [r for r in rows if getattr(r, "kind", "") == "figure"]
    cells = {c.source: c.text.plain for c in row.cells}
    assert set(cells) == {"a11", "b11", "c11"}
    for a in arts:  # never another article's sentence in this one's column
        assert cells[a.id].endswith(a.paragraphs[0])
    assert cells["a11"].startswith("about 1,200") and cells["b11"].startswith("nearly 1,200")
    assert cells["c11"].startswith("some 1,700")
    assert {t.source: t.highlight for t in row.targets} == {a.id: a.paragraphs[0] for a in arts}


def test_the_narrow_header_gives_the_title_first_and_only_what_is_known_of_outlet_and_date():
    from datetime import date as day
    from types import SimpleNamespace

    from tui.screens.compare import narrow_line

    pasted = SimpleNamespace(title="Army engineers race to hold the line at Kavra as Sorrel Dam flood spreads",
                             outlet=None, published=None)
    line = narrow_line(pasted, "[2]", 80).plain
    assert line == "[2] Army engineers race to hold the line at Kavra as Sorrel Dam flood spreads"
    assert "unknown outlet" not in line and "undated" not in line  # no line spent on what is not known
    known = SimpleNamespace(title="Levee holds at Kavra as Sorrel Dam death toll reaches 11 after a week of rain",
                            outlet="Northgate Review", published=day(2025, 3, 6))
    line = narrow_line(known, "[1]", 80).plain
    assert len(line) <= 80 and line.startswith("[1] Levee holds at Kavra") and "…" in line
    assert line.endswith(" — Northgate Review · 2025-03-06")  # the title is cut, never the outlet and date
    hostile = SimpleNamespace(title="[bold]x[/] \x1b[31mred", outlet="[link=http://e]o[/link]", published=None)
    assert "\x1b" not in narrow_line(hostile, "[3]", 80).plain
