"""LineView: a scrollable column of text blocks (paragraphs) drawn line by line, with a gutter mark.

Mounting one Static per paragraph costs a widget, a style resolution and a Rich layout each: opening a
240-paragraph article took a few hundred milliseconds before anything was drawn. Here a block is a plain
string plus styled spans (never markup: untrusted text stays text); it is word-wrapped in plain Python
into (start, end) offsets for the width there is (kept per width, so resizing back costs nothing), and
only the lines on screen become Strips (cached per block). A block's lines start with a one-cell gutter
(its ``mark``, a character, so that the cursor shows without colour too) and one blank cell; blocks are
``gap`` blank lines apart and at most ``max_width`` cells wide (the gutter included), as the paragraph
widgets were (brief.tcss: .para max-width 100, margin-bottom 1).

Changing a block's spans, mark or component style redraws that block only; its height does not change.
A click posts ``LineView.Clicked`` with the block under the mouse.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

GUTTER = 2  # the mark and one blank cell
_WORD = re.compile(r"[^ ]+")
# Characters other than these may not be one cell wide (wide, combining, zero-width): the slower path.
# These are one cell each in Rich's tables (rich.cells): Latin, Latin-1, the extended Latin blocks,
# dashes, quotes, the ellipsis and the currency signs news text is made of.
_NOT_ONE_CELL = re.compile(r"[^\n -~\xa0-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20bf]")


@dataclass(eq=False)
class Block:
    """A paragraph: ``text`` (clean, one string), ``spans`` (start, end, Style) over it in order,
    ``mark`` the gutter character, ``mark_class``/``text_class`` component classes of the view (or
    None) styling the gutter and the whole block."""

    text: str
    spans: list[tuple[int, int, Style]] = field(default_factory=list)
    mark: str = " "
    mark_class: str | None = None
    text_class: str | None = None
    style: Style | None = None  # applied to the whole text (a dim note)


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Word-wrap ``text`` into lines of at most ``width`` cells: (start, end) offsets of each line, the
    spaces where it breaks left out. Newlines break lines; a word longer than a line is cut. Greedy, as
    Rich wraps a paragraph (the same lines: see the tests)."""
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    wrap = _wrap_ascii if text.isascii() or not _NOT_ONE_CELL.search(text) else _wrap_cells
    pos = 0
    for hard in text.split("\n"):
        end = pos + len(hard)
        before = len(lines)
        wrap(text, width, pos, end, lines)
        if len(lines) == before:  # an empty line (or only spaces)
            lines.append((pos, pos))
        pos = end + 1
    return lines


def _wrap_ascii(text: str, width: int, pos: int, end: int, lines: list) -> None:
    """One cell per character (ASCII, most news text): a line is cut at ``width`` and moved back to the last space (C-speed
    string searches, one step of Python per line rather than per word)."""
    s = pos
    while s < end and text[s] == " ":
        s += 1
    while s < end:
        if end - s <= width:
            e = end
            while e > s and text[e - 1] == " ":
                e -= 1
            lines.append((s, e))
            return
        cut = s + width
        if text[cut] == " ":
            e = cut
        else:
            space = text.rfind(" ", s, cut)
            e = space if space > s else cut  # no space in the line: the word is cut
        nxt = e
        while e > s and text[e - 1] == " ":
            e -= 1
        lines.append((s, e))
        s = nxt
        while s < end and text[s] == " ":
            s += 1


def _wrap_cells(text: str, width: int, pos: int, end: int, lines: list) -> None:
    """Any text (wide characters take two cells): word by word."""
    start = line_end = -1
    used = 0
    for m in _WORD.finditer(text, pos, end):
        s, e = m.start(), m.end()
        w = cell_len(text[s:e])
        gap = cell_len(text[line_end:s]) if start >= 0 else 0
        if start >= 0 and used + gap + w <= width:
            used += gap + w
            line_end = e
            continue
        if start >= 0:
            lines.append((start, line_end))
        while w > width:  # a word longer than the line: cut it
            cut = _cut(text, s, e, width)
            lines.append((s, cut))
            s = cut
            w = cell_len(text[s:e])
        start, line_end, used = s, e, w
    if start >= 0:
        lines.append((start, line_end))


def _cut(text: str, s: int, e: int, width: int) -> int:
    used = 0
    for i in range(s, e):
        c = cell_len(text[i])
        if used + c > width:
            return max(i, s + 1)
        used += c
    return e


class LineView(ScrollView, can_focus=True):
    """Blocks of text, wrapped to the width lazily and drawn line by line (see the module's docstring)."""

    COMPONENT_CLASSES: set[str] = set()
    DEFAULT_CSS = """
    LineView { height: 1fr; }
    """

    class Clicked(Message):
        """Block ``index`` was clicked."""

        def __init__(self, view: LineView, index: int) -> None:
            super().__init__()
            self.view, self.index = view, index

        @property
        def control(self) -> LineView:
            return self.view

    def __init__(self, *, gap: int = 1, max_width: int | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.gap = gap
        self.max_width = max_width
        self.blocks: list[Block] = []
        self._width = 0  # the text's width the layout below is for (0: none yet)
        self._wrapped: dict[int, list[list[tuple[int, int]]]] = {}  # text width -> lines of each block
        self._lines: list[list[tuple[int, int]]] = []
        self._starts: list[int] = []  # first line (y) of each block
        self._strips: dict[int, list[Strip]] = {}
        self._styles: dict[tuple, Style] = {}  # component classes' styles (see _component_style)
        self._strip_width = 0  # the cells the strips are padded to (the view's width)
        self.drawn = 0  # how many times lines have been drawn since set_blocks (a frame went out)

    # -- content ----------------------------------------------------------------------------------

    def set_blocks(self, blocks: list[Block]) -> None:
        """Show these blocks (all new) from the top."""
        self.blocks = list(blocks)
        self._wrapped.clear()
        self._width = 0
        self._strips.clear()
        self.drawn = 0
        if self.scroll_offset.y:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._ensure_layout()
        self.refresh()

    def update_block(self, n: int, **changes) -> None:
        """Change a block's spans, mark, mark_class or text_class (not its text): it is drawn again."""
        block = self.blocks[n]
        for name, value in changes.items():
            setattr(block, name, value)
        self._strips.pop(n, None)
        self.refresh()

    # -- layout -----------------------------------------------------------------------------------

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _text_width(self, content: int) -> int:
        room = min(content, self.max_width) if self.max_width else content
        return max(1, room - GUTTER)

    def _ensure_layout(self) -> bool:
        """Wrap the blocks for the width there is now (if it changed): True when the layout changed."""
        content = self._content_width()
        if content <= 0:
            return False
        width = self._text_width(content)
        if width == self._width:
            return False
        anchor = self._anchor()
        self._width = width
        lines = self._wrapped.get(width)
        if lines is None:
            lines = [wrap_offsets(b.text, width) for b in self.blocks]
            self._wrapped[width] = lines
            while len(self._wrapped) > 4:
                self._wrapped.pop(next(iter(self._wrapped)))
        self._lines = lines
        starts, y = [], 0
        for block_lines in lines:
            starts.append(y)
            y += len(block_lines) + self.gap
        self._starts = starts
        self._strips.clear()
        height = y  # the gap after the last block too (as the paragraph widgets' bottom margin)
        size = Size(width + GUTTER, height)
        if size != self.virtual_size:
            self.virtual_size = size
        if anchor is not None:  # the block that was at the top stays there (a resize rewraps)
            n, share = anchor
            y = self._starts[n] + round(share * len(self._lines[n]))
            if y != self.scroll_offset.y:
                self.scroll_to(y=y, animate=False, immediate=True)
        return True

    def _anchor(self) -> tuple[int, float] | None:
        if not self._starts or not self.scroll_offset.y:
            return None
        y = self.scroll_offset.y
        n = self.block_at(y)
        if n is None:
            return None
        return n, max(0, y - self._starts[n]) / max(1, len(self._lines[n]))

    def block_at(self, y: int) -> int | None:
        """The block on virtual line ``y`` (the one above, for a blank line between blocks)."""
        if not self._starts or y < 0:
            return None
        return max(0, bisect_right(self._starts, y) - 1)

    def block_region(self, n: int) -> Region | None:
        """Where block ``n`` is in the scrolled content (x 0, its first line, its height), or None when
        the view has no size yet."""
        self._ensure_layout()
        if not self._width or not 0 <= n < len(self._starts):
            return None
        return Region(0, self._starts[n], self._width + GUTTER, len(self._lines[n]))

    def visible_blocks(self) -> range:
        """The blocks with a line in view."""
        if not self._starts:
            return range(0)
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        first = self.block_at(top) or 0
        last = self.block_at(max(top, top + height - 1)) or 0
        return range(first, last + 1)

    def scroll_to_block(self, n: int, *, top: bool = False, center: bool = False) -> None:
        region = self.block_region(n)
        if region is not None:
            self.scroll_to_region(region, animate=False, top=top, center=center, force=True, immediate=True)

    # -- painting ---------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._ensure_layout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def on_focus(self) -> None:
        self._restyle()
        self.refresh()

    def on_blur(self) -> None:
        self._restyle()
        self.refresh()

    def _component_style(self, name: str, under: str | None = None) -> Style:
        """A component class's colours blended over the view's background (and over ``under``'s): a
        translucent colour such as $boost is a tint, which a Rich style cannot carry as it is."""
        key = (name, under)
        style = self._styles.get(key)
        if style is None:
            _, background = self.background_colors
            if under is not None:
                below = self.get_component_styles(under)
                if below.has_rule("background"):
                    background = background + below.background
            styles = self.get_component_styles(name)
            if styles.has_rule("background"):
                background = background + styles.background
            style = Style(color=(background + styles.color).rich_color if styles.has_rule("color") else None,
                          bgcolor=background.rich_color if styles.has_rule("background") else None)
            style += styles.text_style
            self._styles[key] = style
        return style

    def _restyle(self) -> None:
        self._strips.clear()
        self._styles.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._ensure_layout()  # a scrollbar came or went: wrap again for the room there is now
        lines = super().render_lines(crop)
        if self.blocks and self._width:
            self.drawn += 1  # the compositor writes the frame right after rendering, in the same call
        return lines

    def _block_strips(self, n: int) -> list[Strip]:
        strips = self._strips.get(n)
        if strips is not None:
            return strips
        block = self.blocks[n]
        base = self.rich_style
        if block.text_class:
            base = base + self._component_style(block.text_class)
        mark_style = base
        if block.mark_class:
            mark_style = base + self._component_style(block.mark_class, block.text_class)
        text_style = base + block.style if block.style else base
        width = self._width + GUTTER  # the block's own background (a cursor's) stops at its measure...
        view, plain = max(width, self._strip_width), self.rich_style  # ...the view's goes on: no padding per frame
        text, spans = block.text, block.spans
        strips = []
        k = 0  # the first span that may reach into this line
        for s, e in self._lines[n]:
            segments = [Segment(block.mark, mark_style), Segment(" ", base)]
            pos = s
            while k < len(spans) and spans[k][1] <= s:
                k += 1
            j = k
            while j < len(spans) and spans[j][0] < e:
                a, b, style = spans[j]
                a, b = max(a, pos), min(b, e)
                if a > pos:
                    segments.append(Segment(text[pos:a], text_style))
                if b > a:
                    segments.append(Segment(text[a:b], text_style + style))
                    pos = b
                j += 1
            if pos < e:
                segments.append(Segment(text[pos:e], text_style))
            strip = Strip(segments).adjust_cell_length(width, base)
            strips.append(strip.adjust_cell_length(view, plain) if view > width else strip)
        self._strips[n] = strips
        return strips

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line_no = scroll_y + y
        width = self.scrollable_content_region.width
        if width != self._strip_width:  # the view is wider or narrower than the strips were padded to
            self._strip_width = width
            self._strips.clear()
        n = self.block_at(line_no)
        if n is None or not self._width or line_no - self._starts[n] >= len(self._lines[n]):
            return Strip.blank(width, self.rich_style)
        strip = self._block_strips(n)[line_no - self._starts[n]]
        strip = strip.adjust_cell_length(width, self.rich_style) if strip.cell_length != width else strip
        return strip.crop(scroll_x, scroll_x + width) if scroll_x else strip

    def on_click(self, event: events.Click) -> None:
        line_no = self.scroll_offset.y + event.y
        n = self.block_at(line_no)
        if n is not None and line_no - self._starts[n] < len(self._lines[n]):
            self.post_message(self.Clicked(self, n))
