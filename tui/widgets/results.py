"""The result list of the search screen: a line-API widget that paints only the rows on screen.

Textual's OptionList turns every prompt into a Visual, wraps it twice (once to measure, once to draw)
and asks for a layout of the whole screen whenever its line count changes (clearing it drops the count to
zero): most of the time of showing new results on a 20k library went there. Here the screen hands over
each item as ready-wrapped lines of (text, style) pieces, built by plain Python; the widget turns the
visible lines into Strips (cached per item) and repaints itself, nothing else. Keys, mouse and messages
follow OptionList's: up/down/page up/page down move the cursor, enter (or a click) selects; home and end
are the screen's actions (search.first, search.last: the last hit may need loading first), which call
action_first / action_last here.

The cursor row is marked by a bar in the left column as well as by its background, so that it shows
without colour too (NO_COLOR, monochrome terminals).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Line = list[tuple[str, Style | None]]
Renderer = Callable[[int, int], list[Line]]  # (item index, width) -> its lines

CURSOR_BAR = "▌"


class ResultList(ScrollView, can_focus=True, inherit_bindings=False):
    BINDINGS = [
        Binding("up", "cursor_up", "up", show=False),
        Binding("down", "cursor_down", "down", show=False),
        Binding("pageup", "page_up", "page up", show=False),
        Binding("pagedown", "page_down", "page down", show=False),
        Binding("enter", "select", "open", show=False),
    ]
    COMPONENT_CLASSES = {"result-list--cursor"}
    DEFAULT_CSS = """
    ResultList {
        height: 1fr;
        background: $surface;
    }
    ResultList > .result-list--cursor {
        background: $block-cursor-blurred-background;
        text-style: $block-cursor-blurred-text-style;
    }
    ResultList:focus > .result-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    highlighted: reactive[int | None] = reactive(None, always_update=True)

    class _ItemMessage(Message):
        def __init__(self, results: ResultList, index: int) -> None:
            super().__init__()
            self.results, self.index = results, index

        @property
        def control(self) -> ResultList:
            return self.results

    class Highlighted(_ItemMessage):
        """The cursor moved to item ``index``."""

    class Selected(_ItemMessage):
        """Item ``index`` was chosen (enter or a click)."""

    def __init__(self, renderer: Renderer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderer = renderer
        self._count = 0
        self._lines: list[list[Line]] = []  # per item, wrapped for self._width
        self._starts: list[int] = []  # first line of each item
        self._owner: list[int] = []  # line -> item
        self._width = 0
        self._strips: dict[tuple[int, bool], list[Strip]] = {}
        self._token: int | None = None
        self.painted_token = 0  # the last token (see mark) whose content has been drawn

    # -- content ----------------------------------------------------------------------------------

    @property
    def option_count(self) -> int:
        return self._count

    def set_count(self, count: int, highlighted: int | None = 0) -> None:
        """The items are now 0..count-1 (all new): re-render them, scroll to the top."""
        self._count = count
        self._relayout()
        if self.scroll_offset.y:  # scrolling asks for a layout of the whole screen: only when needed
            self.scroll_to(y=0, animate=False, immediate=True)
        self.highlighted = (highlighted if count else None)

    def extend_count(self, count: int) -> None:
        """Items were added at the end (the older ones are unchanged)."""
        if count <= self._count:
            return
        width = self._content_width()
        for n in range(self._count, count):
            self._add_item(n, width)
        self._count = count
        self._update_virtual_size()
        self.refresh()

    def invalidate(self) -> None:
        """Every item may look different (marks changed): render them again."""
        self._relayout()

    def _content_width(self) -> int:
        return max(10, self.scrollable_content_region.width or (self.size.width - 2) or 78)

    def _relayout(self) -> None:
        width = self._content_width()
        self._width = width
        self._lines, self._starts, self._owner = [], [], []
        self._strips.clear()
        for n in range(self._count):
            self._add_item(n, width)
        self._update_virtual_size()
        self.refresh()

    def _add_item(self, n: int, width: int) -> None:
        lines = self._renderer(n, width - 1) or [[]]
        self._starts.append(len(self._owner))
        self._owner.extend([n] * len(lines))
        self._lines.append(lines)

    def _update_virtual_size(self) -> None:
        size = Size(self._width, len(self._owner))
        if size != self.virtual_size:
            self.virtual_size = size

    # -- painting ---------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        if self._count and self._content_width() != self._width:
            self._relayout()
            self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_focus(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._strips.clear()
        self.refresh()

    def _item_strips(self, n: int) -> list[Strip]:
        cursor = n == self.highlighted
        key = (n, cursor)
        strips = self._strips.get(key)
        if strips is None:
            base = self.rich_style
            if cursor:
                base = base + self.get_component_rich_style("result-list--cursor", partial=True)
            width = self._width
            strips = []
            for line in self._lines[n]:
                segments = [Segment(CURSOR_BAR if cursor else " ", base)]
                for text, style in line:
                    segments.append(Segment(text, base + style if style else base))
                strips.append(Strip(segments).adjust_cell_length(width, base))
            self._strips[key] = strips
        return strips

    def mark(self, token: int) -> None:
        """Remember ``token`` as painted_token once the current content has been drawn (a frame went out)."""
        self._token = token

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._count and self._content_width() != self._width:
            self._relayout()  # a scrollbar came or went: wrap again for the room there is now
            self._scroll_to_cursor()
        lines = super().render_lines(crop)
        if self._token is not None:
            # The compositor writes the frame right after rendering, in the same call.
            self.painted_token, self._token = self._token, None
        return lines

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line_no = scroll_y + y
        width = self.scrollable_content_region.width
        if line_no >= len(self._owner) or not self._lines:
            return Strip.blank(width, self.rich_style)
        n = self._owner[line_no]
        strip = self._item_strips(n)[line_no - self._starts[n]]
        return strip.crop(scroll_x, scroll_x + width) if scroll_x else strip

    # -- the cursor -------------------------------------------------------------------------------

    def validate_highlighted(self, value: int | None) -> int | None:
        if value is None or not self._count:
            return None
        return max(0, min(value, self._count - 1))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        for n in (old, new):
            if n is not None:
                self._strips.pop((n, True), None)
                self._strips.pop((n, False), None)
        self.refresh()
        if new is not None:
            self._scroll_to_cursor()
            self.post_message(self.Highlighted(self, new))

    def _scroll_to_cursor(self) -> None:
        n = self.highlighted
        if n is None or n >= len(self._starts):
            return
        top, height = self._starts[n], len(self._lines[n])
        y, visible = self.scroll_offset.y, self.scrollable_content_region.height
        if y <= top and top + height <= y + visible:
            return  # already in view (scrolling asks for a layout of the whole screen)
        region = Region(0, top, max(1, self._width), height)
        self.scroll_to_region(region, animate=False, force=True, immediate=True)

    def action_cursor_up(self) -> None:
        if self._count:
            self.highlighted = max(0, (self.highlighted if self.highlighted is not None else 1) - 1)

    def action_cursor_down(self) -> None:
        if self._count:
            self.highlighted = 0 if self.highlighted is None else min(self._count - 1, self.highlighted + 1)

    def _items_per_page(self) -> int:
        if not self._count:
            return 1
        average = max(1, len(self._owner) // self._count)
        return max(1, self.scrollable_content_region.height // average - 1)

    def action_page_up(self) -> None:
        if self._count:
            self.highlighted = max(0, (self.highlighted or 0) - self._items_per_page())

    def action_page_down(self) -> None:
        if self._count:
            self.highlighted = min(self._count - 1, (self.highlighted or 0) + self._items_per_page())

    def action_first(self) -> None:
        if self._count:
            self.highlighted = 0

    def action_last(self) -> None:
        if self._count:
            self.highlighted = self._count - 1

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self, self.highlighted))

    def on_click(self, event: events.Click) -> None:
        line_no = self.scroll_offset.y + event.y
        if 0 <= line_no < len(self._owner):
            n = self._owner[line_no]
            self.highlighted = n
            self.post_message(self.Selected(self, n))
