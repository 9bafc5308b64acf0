"""The keyboard row list the card and compare screens share: RowList, the rows it lists, and the keys of a
screen built on one (RowListActions).

A row (Row) renders itself at the width it is given and carries the places in articles (Target) that
`enter` opens; headings (Heading) are rows the cursor skips. Left/right choose which of a row's targets
opens (the row shows the chosen one with SIDE_MARK).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

__all__ = ["RowList", "RowListActions", "Row", "Heading", "Target", "SIDE_MARK"]

CURRENT_MARK = "▶"
SIDE_MARK = "›"


@dataclass(frozen=True, slots=True)
class Target:
    """A place in an article a row can open: the article id and the sentence to highlight."""

    source: str
    highlight: str | None = None


class Row:
    """One selectable line of a RowList. Subclasses render it; ``targets`` are what `enter` opens."""

    selectable = True
    kind = "row"

    def __init__(self, targets: Iterable[Target] = (), pin: dict | None = None) -> None:
        self.targets = list(targets)
        self.pin = pin  # {"text", "sources"} for the custom brief, or None when it cannot be pinned

    def view(self, ctx: dict, current: bool, side: int, pinned: bool, width: int) -> RenderableType:
        raise NotImplementedError

    def plain(self) -> str:
        """The row as plain text (tests and debugging)."""
        console = Console(width=200, no_color=True, record=True, file=open("/dev/null", "w"))
        console.print(self.view({}, False, 0, False, 200))
        return console.export_text()


class Heading(Row):
    selectable = False
    kind = "heading"

    def __init__(self, title: str, note: str = "", upper: bool = True) -> None:
        super().__init__()
        self.title, self.note, self.upper = title, note, upper

    def view(self, ctx, current, side, pinned, width):
        text = Text()
        text.append(self.title.upper() if self.upper else self.title, style="bold underline")
        if self.note:
            text.append("  " + self.note, style="italic")
        return text


class RowView(Widget):
    """One row on screen; the current one carries a ▶ marker (never colour alone)."""

    DEFAULT_CSS = """
    RowView { height: auto; padding: 0 1 0 0; }
    RowView.-heading { margin-top: 1; }
    RowView.-current { background: $boost; text-style: bold; }
    RowList:focus RowView.-current { background: $block-cursor-blurred-background; }
    """

    def __init__(self, row: Row, index: int) -> None:
        super().__init__(classes="-heading" if not row.selectable else "")
        self.row, self.index = row, index

    def render(self) -> RenderableType:
        rows: RowList = self.parent  # type: ignore[assignment]
        current = rows.cursor == self.index
        pinned = rows.is_pinned(self.row)
        inner = _RowRender(self.row, rows.ctx, current, rows.side if current else 0, pinned)
        grid = Table.grid(expand=True)
        grid.add_column(width=2, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(Text(CURRENT_MARK if current else " "), inner)
        return grid

    def on_click(self, event: events.Click) -> None:
        rows: RowList = self.parent  # type: ignore[assignment]
        if self.row.selectable:
            rows.focus()
            if rows.cursor == self.index and event.chain >= 2:
                rows.post_message(RowList.Chosen(rows, self.row, rows.side))
            rows.move_to(self.index)


class _RowRender:
    """Renders a row at the width it is given (the compare rows change layout with the width)."""

    def __init__(self, row: Row, ctx: dict, current: bool, side: int, pinned: bool) -> None:
        self.row, self.ctx, self.current, self.side, self.pinned = row, ctx, current, side, pinned

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.row.view(self.ctx, self.current, self.side, self.pinned, options.max_width)


class RowList(VerticalScroll, inherit_bindings=False):
    """A focusable list of rows with a cursor that skips headings, and a chosen side per row."""

    DEFAULT_CSS = """
    RowList { height: 1fr; scrollbar-size-vertical: 1; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "previous", show=False),
        Binding("down", "move(1)", "next", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home", "edge(-1)", "first", show=False),
        Binding("end", "edge(1)", "last", show=False),
        Binding("enter", "choose", "open", show=False),
    ]

    can_focus = True

    class Chosen(Message):
        """The user chose a row (enter or a double click)."""

        def __init__(self, rows: RowList, row: Row, side: int) -> None:
            super().__init__()
            self.rows, self.row, self.side = rows, row, side

        @property
        def control(self) -> RowList:
            return self.rows

    class Moved(Message):
        def __init__(self, rows: RowList, index: int) -> None:
            super().__init__()
            self.rows, self.index = rows, index

        @property
        def control(self) -> RowList:
            return self.rows

    cursor: reactive[int] = reactive(-1, init=False, always_update=True, repaint=False)

    def __init__(self, *, id: str | None = None, pinned: Callable[[Row], bool] | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.ctx: dict = {}
        self.side = 0
        self._pinned = pinned or (lambda row: False)
        self._views: list[RowView] = []

    # -- content ------------------------------------------------------------------------------

    async def set_rows(self, rows: list[Row], ctx: dict | None = None, cursor: int | None = None) -> None:
        self.rows = list(rows)
        if ctx is not None:
            self.ctx = ctx
        await self.remove_children()
        self._views = [RowView(r, i) for i, r in enumerate(self.rows)]
        self.side = 0
        first = cursor if cursor is not None and 0 <= cursor < len(self.rows) and self.rows[cursor].selectable \
            else self._next_selectable(-1, 1)
        self.set_reactive(RowList.cursor, -1 if first is None else first)
        await self.mount_all(self._views)
        self.scroll_home(animate=False)
        if first is not None:
            self.call_after_refresh(self._scroll_to_cursor)
            self.post_message(self.Moved(self, first))

    def refresh_rows(self) -> None:
        """Re-render every row (after the context changed: swapped columns, a new pin...)."""
        for v in self._views:
            v.refresh(layout=True)

    def is_pinned(self, row: Row) -> bool:
        return self._pinned(row)

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_target(self) -> Target | None:
        row = self.current
        if row is None or not row.targets:
            return None
        return row.targets[min(self.side, len(row.targets) - 1)]

    # -- movement -----------------------------------------------------------------------------

    def _next_selectable(self, start: int, step: int) -> int | None:
        i = start + step
        while 0 <= i < len(self.rows):
            if self.rows[i].selectable:
                return i
            i += step
        return None

    def watch_cursor(self, old: int, new: int) -> None:
        for i in (old, new):
            if 0 <= i < len(self._views):
                self._views[i].refresh(layout=True)
        self._scroll_to_cursor()
        self.call_after_refresh(self._scroll_to_cursor)  # again once the current row has its full height
        self.post_message(self.Moved(self, new))

    def _scroll_to_cursor(self) -> None:
        if not (0 <= self.cursor < len(self._views)):
            return
        view = self._views[self.cursor]
        before = self.cursor - 1
        if before >= 0 and not self.rows[before].selectable:
            self.scroll_to_widget(self._views[before], animate=False, immediate=True)
        self.scroll_to_widget(view, animate=False, immediate=True)

    def move_to(self, index: int) -> None:
        if 0 <= index < len(self.rows) and self.rows[index].selectable:
            if index != self.cursor:
                self.side = 0
            self.cursor = index

    def action_move(self, step: int) -> None:
        target = self._next_selectable(self.cursor, 1 if step > 0 else -1)
        if target is not None:
            self.move_to(target)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        lines = 0
        i = self.cursor
        while True:
            nxt = self._next_selectable(i, direction)
            if nxt is None:
                break
            lines += max(1, self._views[nxt].outer_size.height)
            i = nxt
            if lines >= height - 2:
                break
        self.move_to(i)

    def action_edge(self, direction: int) -> None:
        target = self._next_selectable(len(self.rows) if direction > 0 else -1, -direction)
        if target is not None:
            self.move_to(target)

    def move_where(self, predicate: Callable[[Row], bool], step: int) -> bool:
        """Move to the next (step 1) or previous (-1) row for which ``predicate`` holds."""
        i = self._next_selectable(self.cursor, step)
        while i is not None:
            if predicate(self.rows[i]):
                self.move_to(i)
                return True
            i = self._next_selectable(i, step)
        return False

    def cycle_side(self, step: int) -> None:
        row = self.current
        if row is None or len(row.targets) < 2:
            return
        self.side = (self.side + step) % len(row.targets)
        self._views[self.cursor].refresh(layout=True)

    def set_side(self, side: int) -> None:
        row = self.current
        if row is None or not (0 <= side < len(row.targets)):
            return
        self.side = side
        self._views[self.cursor].refresh(layout=True)

    def action_choose(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(self, row, self.side))


class RowListActions:
    """The keys a screen built on one RowList shares (the card and compare screens)."""

    @property
    def rows(self) -> RowList:
        return self.query_one(RowList)

    def action_move(self, step: int) -> None:
        self.rows.action_move(step)

    def action_side(self, step: int) -> None:
        self.rows.cycle_side(step)

    def action_edge(self, direction: int) -> None:
        """The first (-1) or last (1) line, as Home/End in the list."""
        self.rows.action_edge(direction)

    def action_open_passage(self) -> None:
        self._open(self.rows.current_target)

    def on_row_list_chosen(self, message: RowList.Chosen) -> None:
        """Enter or a click on a row: open the passage of the side it shows (``_open`` is the screen's)."""
        row = message.row
        if row.targets:
            self._open(row.targets[min(message.side, len(row.targets) - 1)])
