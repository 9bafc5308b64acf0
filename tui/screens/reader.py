"""The reader: one cleaned article with its header, the query's terms highlighted, n/N between matches,
a paragraph cursor (▌ in the gutter: what p pins, y copies, Y cites), reading progress in the status line,
and a list of related articles (the same story from other outlets) to open or compare with: beside the
article on a wide terminal, hidden on a small one (one line says how many; R shows or hides the pane for the
session, r looks into it).

The article is read in a worker (from the app's shared searcher and article cache) and painted; only then
are related articles looked for, in a second worker on the app's background searcher (Whoosh's
more-like-this over the article's most distinctive terms takes a few hundred milliseconds on a 20k
library: it must hold up neither the article nor a search). Leaving the reader stops that search.
"""

from __future__ import annotations

import re
import weakref
from collections import OrderedDict
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from index.sanitize import display_path, sanitize

from ..actions import Action, bindings, key_of, register
from ..messages import MarksChanged
from ..widgets.keybar import KeyBar
from ..widgets.lineview import Block, LineView
from ..widgets.rowlist import Row, RowList, Target
from ..widgets.text import CURRENT, DIM, MARK, MATCH, TITLE, _wrap_segments, date_label, safe
from .base import FastScreen

register(
    Action("reader.next_match", "n", "next", "reader", "next_match", help="Jump to the next match of the query"),
    Action("reader.prev_match", "N", "prev", "reader", "prev_match", show=False,
           help="Jump to the previous match of the query"),
    Action("reader.next_paragraph", "right_square_bracket,J", "¶ next", "reader", "move_paragraph(1)",
           help="Move the paragraph cursor (▌) to the next paragraph"),
    Action("reader.prev_paragraph", "left_square_bracket,K", "¶ prev", "reader", "move_paragraph(-1)",
           show=False, help="Move the paragraph cursor (▌) to the previous paragraph"),
    Action("reader.related", "r", "related", "reader", "toggle_related",
           help="Move between the article and the related articles list (a hidden list is shown meanwhile)"),
    Action("reader.copy", "y", "copy ¶", "reader", "copy_paragraph",
           help="Copy the cursor's paragraph to the clipboard (OSC 52: works over SSH and in tmux)"),
    Action("reader.open_url", "o", "open URL", "reader", "open_url",
           help="Open the article's URL in a browser ($BROWSER, else the system's); with none (SSH), copy it"),
    Action("reader.mark", "space", "mark", "reader", "mark", help="Mark or unmark this article"),
    Action("reader.compare", "c", "compare", "reader", "compare",
           help="Compare this article with the related one under the cursor (or with the marked ones)"),
    Action("reader.details", "e", "outlet/date", "reader", "edit_details",
           help="Set this article's outlet, date or title (kept in the library; the file is not changed)"),
    Action("reader.related_pane", "R", "pane", "reader", "toggle_related_pane",
           help="Show or hide the related articles pane (for the rest of the session)"),
    Action("reader.cite", "Y", "cite", "reader", "copy_citation", show=False,
           help="Copy the cursor's paragraph as a citation: “text” — title, outlet, date, URL or path"),
    Action("reader.card", "b", "card", "reader", "card", show=False,
           help="Briefing card for this article and the marked ones"),
    Action("reader.pin", "p", "pin", "reader", "pin", show=False,
           help="Pin the cursor's paragraph (▌) into the current brief (again to unpin)"),
    Action("reader.tags", "t", "tags", "reader", "edit_tags", show=False,
           help="Your tags on this article (kept in the library; tag:NAME finds them)"),
    Action("reader.pin_article", "a", "pin article", "reader", "pin_article", show=False,
           help="Pin this article into the current brief (again to unpin; P shows the brief)"),
    Action("reader.down", "j", "down", "reader", "scroll_lines(1)", show=False,
           help="Scroll down a line (in the related list: the next article)"),
    Action("reader.up", "k", "up", "reader", "scroll_lines(-1)", show=False,
           help="Scroll up a line (in the related list: the previous article)"),
    Action("reader.top", "g", "top", "reader", "scroll_edge('home')", show=False,
           help="Go to the top (the cursor to the first paragraph; Home too)"),
    Action("reader.bottom", "G", "bottom", "reader", "scroll_edge('end')", show=False,
           help="Go to the bottom (the cursor to the last paragraph; End too)"),
)

NARROW = 100  # below this many columns the related list goes under the article
TALL = 40  # a narrow terminal this tall shows the related list (under the article) unless told otherwise
RELATED = 8
SIDE_WIDTH, SIDE_MAX, ARTICLE_WIDTH = 40, 80, 106  # the related pane's columns (usual, widest); the article's
PARAGRAPH_WIDTH = 100  # a paragraph's measure, its gutter included
CURSOR_MARK = "▌"  # the paragraph cursor's gutter (a character: NO_COLOR keeps it): Textual's "outer" border
PASSAGE_MARK = "┃"  # the paragraph the reader was opened at: the "heavy" border
_RELATED_CACHE: OrderedDict[tuple, list] = OrderedDict()  # (library, index generation, id) -> related
# The related pane shown (True) or hidden (False) as the user chose it with R, for the app's session;
# absent: it follows the terminal's size.
_PANE_CHOICE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class ArticleView(LineView):
    """The article's text: one block per paragraph, drawn line by line (tui.widgets.lineview), so that
    opening a long article costs what is on screen, not a widget per paragraph. The gutter holds the
    paragraph cursor (▌, its paragraph on a lighter background) and the passage the reader was opened at
    (┃). Home and End go to the first and last paragraph, cursor included (the screen's g and G)."""

    COMPONENT_CLASSES = {"article-view--cursor", "article-view--cursor-mark", "article-view--passage-mark"}
    DEFAULT_CSS = """
    ArticleView > .article-view--cursor { background: $boost; }
    ArticleView > .article-view--cursor-mark { color: $foreground; }
    ArticleView > .article-view--passage-mark { color: $accent; }
    """

    def action_scroll_home(self) -> None:
        self.screen.action_scroll_edge("home")

    def action_scroll_end(self) -> None:
        self.screen.action_scroll_edge("end")


@dataclass
class Related:
    id: str
    title: str
    outlet: str | None
    published: object


class RelatedRow(Row):
    """A related article in the list: its outlet and date, then its title (the list's ▶ marks the cursor)."""

    def __init__(self, related: Related) -> None:
        super().__init__([Target(related.id)])
        self.related = related

    def view(self, ctx, current, side, pinned, width):
        r = self.related
        t = Text(end="")
        t.append(f"{MARK if r.id in ctx.get('marked', ()) else ' '} ", style=TITLE)
        t.append(safe(r.outlet) or "unknown outlet", style="bold italic")
        t.append(f" · {date_label(r.published)}", style=DIM)
        for line in _wrap_segments([(r.title or "(untitled)", False)], max(10, width - 2), 2):
            t.append("\n  ")
            t.append("".join(w for w, _ in line), style=TITLE if current else "")
        return t


class NoteRow(Row):
    """A line of the list the cursor skips ("no related articles")."""

    selectable = False
    kind = "note"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def view(self, ctx, current, side, pinned, width):
        return Text(self.text, style=DIM)


class ReaderScreen(FastScreen):
    SCOPE = "reader"
    BINDINGS = bindings("reader")
    # The paragraph gutter (ArticleView): every paragraph keeps a one-cell column, blank but for the
    # cursor's (▌) and the passage the reader was opened at (┃), so the text never moves when the cursor does.
    CSS = """
    ReaderScreen #side.-hidden { display: none; }
    ReaderScreen #related-line { height: 1; padding: 0 1; display: none; color: $text-muted; }
    ReaderScreen #related-line.-shown { display: block; }
    """

    class Loaded(Message):
        def __init__(self, article, matches: list[list[tuple[int, int]]], error: str | None = None) -> None:
            super().__init__()
            self.article, self.matches, self.error = article, matches, error

    class DetailsSet(Message):
        """The outlet, date or title was set (``article`` read again) or could not be (``error``)."""

        def __init__(self, article, changes: dict, error: str | None = None) -> None:
            super().__init__()
            self.article, self.changes, self.error = article, changes, error

    class RelatedFound(Message):
        def __init__(self, related: list[Related]) -> None:
            super().__init__()
            self.related = related

    class UrlOpened(Message):
        """What became of opening the article's URL (tui.browser.Opened)."""

        def __init__(self, result) -> None:
            super().__init__()
            self.result = result

    def __init__(self, article_id: str, *, query: str | None = None, highlight: str | None = None,
                 preloaded: tuple | None = None) -> None:
        """``preloaded``: (article, matches) when the app could read them at once (see BriefApp.open_article):
        the text is then in the first frame, without a worker and a second layout."""
        super().__init__()
        self._preloaded = preloaded
        self.article_id = article_id
        self.search_query = query
        self.highlight = highlight
        self.article = None
        self.paragraphs: list[str] = []
        self.matches: list[tuple[int, int, int]] = []  # (paragraph, start, end) in reading order
        self.current: int | None = None
        self.passage: int | None = None  # paragraph index of ``highlight``
        self.cursor: int | None = None  # the paragraph cursor (▌): what p pins, y copies, Y cites
        self.related: list[Related] = []
        self.related_done = False
        self.peeking = False  # the related pane is shown only while its list has the focus (r)
        self._per_para: list[list[tuple[int, int]]] = []
        self._side_width: int | None = None  # set on a wide terminal
        self._upto: list[int] = [0]  # characters of text up to the end of each paragraph (progress)

    def compose(self) -> ComposeResult:
        if self._preloaded is not None:
            self._take(*self._preloaded)
            self._preloaded = None
        header = Static(Text("Loading…", style="dim"), id="reader-header")
        if self.article is not None:
            text = self._header_text()
            header = Static(text, id="reader-header")
            header._shown = text.plain
        yield header
        shown = self.pane_shown()
        with Horizontal(id="reader-body"):
            body = ArticleView(id="article", gap=1, max_width=PARAGRAPH_WIDTH)
            if self.article is not None:
                body.set_blocks(self._blocks())
            yield body
            with Vertical(id="side", classes="" if shown else "-hidden"):
                yield Static(Text("Related: same story, other outlets", style="bold"), id="related-title")
                yield RowList(id="related")
        yield Static(self._related_line(), id="related-line", classes="" if shown else "-shown")
        yield Static(id="reader-status", classes="status")
        yield KeyBar("reader")

    def on_mount(self) -> None:
        self._layout(self.app.size.width)
        body = self.query_one("#article", ArticleView)
        self.watch(body, "scroll_y", self._scrolled, init=False)
        self.watch(self, "focused", self._focus_moved, init=False)
        self.set_focus(body)
        if self.article is not None:
            self._show_loaded()
        else:
            self._load(self.article_id, self.search_query, self.highlight)

    def on_resize(self, event) -> None:
        self._layout(event.size.width)
        self._apply_pane()

    def _layout(self, width: int) -> None:
        self.query_one("#reader-body").set_class(width < NARROW, "narrow")
        # A wide terminal: the article keeps its measure (paragraphs are at most 100 columns), the related
        # list gets the rest (its titles on one line) rather than a strip of empty columns in between.
        want = min(SIDE_MAX, width - ARTICLE_WIDTH) if width >= NARROW and width - SIDE_WIDTH > ARTICLE_WIDTH \
            else None
        if want != self._side_width:
            self._side_width = want
            self.query_one("#side").styles.width = want  # None: the style sheet's (40, or the width under)

    # -- the related pane: shown, hidden, looked into -------------------------------------------

    def pane_shown(self) -> bool:
        """Whether the related pane is on screen: as the user chose it this session (R), else by the
        terminal's size (beside the article on a wide one, hidden on a small one), or while looked into."""
        if self.peeking:
            return True
        chosen = _PANE_CHOICE.get(self.app)
        if chosen is not None:
            return chosen
        width, height = self.app.size
        return width >= NARROW or height >= TALL

    def _apply_pane(self) -> None:
        shown = self.pane_shown()
        side = self.query_one("#side")
        if side.has_class("-hidden") == shown:
            side.set_class(not shown, "-hidden")
            rows = self.query_one("#related", RowList)
            if not shown and self.focused is rows:
                self.set_focus(self.query_one("#article"))
        line = self.query_one("#related-line", Static)
        line.set_class(not shown, "-shown")
        if not shown:
            line.update(self._related_line(), layout=False)
        self.call_after_refresh(self._keep_cursor_in_view)  # the view may have shrunk under the cursor

    @property
    def painted(self) -> bool:
        """The article's text has been drawn (a frame with it went out)."""
        if self.article is None:
            return False
        try:
            return self._body().drawn > 0
        except NoMatches:  # not composed yet
            return False

    def _body(self) -> ArticleView:
        return self.query_one("#article", ArticleView)

    def _keep_cursor_in_view(self) -> None:
        if self.cursor is not None and self.paragraphs and self._region(self.cursor).height \
                and not self.in_view(self.cursor):
            self._body().scroll_to_block(self.cursor)

    def _related_line(self) -> Text:
        """The line that stands for the hidden pane: how many related articles, and the keys."""
        keymap = getattr(self.app, "keymap", {})
        look, pane = key_of("reader.related", keymap), key_of("reader.related_pane", keymap)
        t = Text(end="", no_wrap=True, overflow="ellipsis")
        if not self.related_done:
            t.append("Related: looking for the same story in other outlets…", style=DIM)
        elif not self.related:
            t.append("Related: none found (no other outlet's article on this story)", style=DIM)
        else:
            n = len(self.related)
            t.append(f"▸ {n} related article{'' if n == 1 else 's'}", style="bold")
            t.append(" (same story, other outlets)", style=DIM)
            t.append(f" · {look} list · {pane} show pane", style=DIM)
        return t

    def _focus_moved(self, focused) -> None:
        if self.peeking and focused is not None and focused is not self.query_one("#related", RowList):
            self.peeking = False  # looked into, left: hidden again
            self._apply_pane()

    def action_toggle_related(self) -> None:
        rows = self.query_one("#related", RowList)
        if self.focused is rows:
            self.set_focus(self.query_one("#article"))
            return
        if not self.pane_shown():
            self.peeking = True
            self._apply_pane()
        self.set_focus(rows)

    def action_toggle_related_pane(self) -> None:
        shown = not self.pane_shown()
        self.peeking = False
        _PANE_CHOICE[self.app] = shown
        self._apply_pane()
        key = key_of("reader.related_pane", getattr(self.app, "keymap", {}))
        self.app.say(f"Related pane {'shown' if shown else 'hidden'} for this session ({key} to "
                     f"{'hide' if shown else 'show'} it)")

    # -- loading --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="reader", exit_on_error=False)
    def _load(self, article_id: str, query: str | None, highlight: str | None) -> None:
        try:
            article = self.app.get_article(article_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user, the app carries on
            self.post_message(self.Loaded(None, [], str(exc)))
            return
        matches = find_matches(self.app, article, query)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(article, matches))

    def _start_related(self) -> None:
        """After the article is painted: find related articles, unless known or already being found."""
        if self.article is None or self.related_done or not self.is_current:
            return
        key = (str(self.app.library.root), self.app.index_generation, self.article.id)
        known = _RELATED_CACHE.get(key)
        if known is not None:
            self.post_message(self.RelatedFound(list(known)))
            return
        self._find_related(self.article, key)

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def _find_related(self, article, key: tuple) -> None:
        from index.search import Stopped, related_articles

        worker = get_current_worker()

        def stop() -> bool:
            return worker.is_cancelled

        related: list[Related] = []
        try:
            with self.app.background_searcher() as s:
                # the same story: more-like-this over the title and lede, sharing enough of their key
                # terms (not one word: a beaver dam is not the Sorrel Dam), from other outlets
                for hit in related_articles(s, article, RELATED, stop):
                    pub = hit.get("published")
                    related.append(Related(hit["id"], hit.get("title") or "", hit.get("outlet") or None,
                                           pub.date() if pub else None))
        except Stopped:
            return
        except Exception:  # noqa: BLE001 - related articles are a nicety; the article is what matters
            related = []
        if stop():
            return
        _RELATED_CACHE[key] = related[:RELATED]
        while len(_RELATED_CACHE) > 256:
            _RELATED_CACHE.popitem(last=False)
        self.post_message(self.RelatedFound(related[:RELATED]))

    def on_reader_screen_loaded(self, message: Loaded) -> None:
        if message.article is None:
            self.query_one("#reader-header", Static).update(Text(f"Could not open {self.article_id}: {safe(message.error)}"))
            self.app.say(f"Could not open the article: {message.error}", severity="error")
            return
        self._take(message.article, message.matches)
        self._body().set_blocks(self._blocks())
        self._show_loaded()

    def _take(self, article, matches: list[list[tuple[int, int]]]) -> None:
        self.article = article
        self.article_id = article.id
        self.paragraphs = [sanitize(p) for p in article.paragraphs]
        self.matches = [(pi, s, e) for pi, ms in enumerate(matches) for s, e in ms]
        self._per_para = matches
        self._upto = [0]
        for p in self.paragraphs:
            self._upto.append(self._upto[-1] + len(p))

    def _blocks(self) -> list[Block]:
        if not self.paragraphs:
            return [Block("(this article has no text)", style=DIM)]
        return [Block(p, self._spans(n)) for n, p in enumerate(self.paragraphs)]

    def _spans(self, pi: int) -> list[tuple[int, int, object]]:
        """The matches in paragraph ``pi`` (start, end, style), the current one reversed; overlapping
        ones left out (the first wins), as in the search results."""
        current = None
        if self.current is not None and self.matches[self.current][0] == pi:
            current = [k for k, (p, _, _) in enumerate(self.matches) if p == pi].index(self.current)
        spans, pos = [], 0
        for n, (a, b) in enumerate(self._per_para[pi]):
            if a < pos:
                continue
            spans.append((a, b, CURRENT if n == current else MATCH))
            pos = b
        return spans

    def _decorate(self, pi: int) -> None:
        """Paragraph ``pi``'s gutter and background: the cursor (▌), else the passage (┃), else blank."""
        if pi == self.cursor:
            mark, mark_class, text_class = CURSOR_MARK, "article-view--cursor-mark", "article-view--cursor"
        elif pi == self.passage:
            mark, mark_class, text_class = PASSAGE_MARK, "article-view--passage-mark", None
        else:
            mark, mark_class, text_class = " ", None, None
        self._body().update_block(pi, mark=mark, mark_class=mark_class, text_class=text_class)

    def _show_loaded(self) -> None:
        mark_read = getattr(self.app, "mark_read", None)
        if mark_read is not None and self.article is not None:
            mark_read(self.article.id)  # opened: read (u on the home list, or `brief unread`, undoes it)
        self._render_header()
        self.passage = _find_passage(self.paragraphs, self.highlight) if self.highlight else None
        if self.paragraphs:
            self.set_cursor(self.passage or 0, scroll=False)
        if self.passage is not None:
            self._decorate(self.passage)
            later = [n for n, (pi, _, _) in enumerate(self.matches) if pi >= self.passage]
            if later and self.matches[later[0]][0] == self.passage:
                self._set_current(later[0], scroll=False)
            self.call_after_refresh(self._scroll_to_paragraph, self.passage)
        self._update_status()
        self.call_after_refresh(self._start_related)

    async def on_reader_screen_related_found(self, message: RelatedFound) -> None:
        self.related = message.related
        self.related_done = True
        rows = self.query_one("#related", RowList)
        if self.related:
            await rows.set_rows([RelatedRow(r) for r in self.related], ctx=self._related_ctx())
        else:
            await rows.set_rows([NoteRow("No related articles found")], ctx=self._related_ctx())
        self._apply_pane()

    def _related_ctx(self) -> dict:
        return {"marked": set(self.app.marked)}

    def _render_header(self) -> None:
        header = self.query_one("#reader-header", Static)
        text = self._header_text()
        if text.plain != getattr(header, "_shown", None):  # unchanged: no layout
            header._shown = text.plain
            header.update(text)

    def _header_text(self) -> Text:
        a = self.article
        t = Text(end="")
        if self.app.is_marked(a.id):
            t.append(f"{MARK} marked  ", style="bold")
        t.append(safe(a.title) or "(untitled)", style="bold")
        t.append("\n")
        t.append(safe(a.outlet) or "unknown outlet", style="italic")
        t.append(" · ")
        t.append(safe(a.author) or "unknown author")
        t.append(" · ")
        t.append(date_label(a.published))
        t.append(f" · {a.id}", style=DIM)
        t.append("\n")
        t.append(display_path(a.path), style=DIM)  # undecodable bytes as \xff, as the CLI shows them
        if a.url:
            t.append("\n")
            t.append(safe(a.url), style=DIM)
        return t

    def progress(self) -> str:
        """Where the cursor is: "¶ 3 of 12 · 25%" (the share of the text up to the end of its paragraph)."""
        if self.cursor is None or not self.paragraphs:
            return ""
        total = self._upto[-1]
        share = round(100 * self._upto[self.cursor + 1] / total) if total else 100
        return f"¶ {self.cursor + 1} of {len(self.paragraphs)} · {share}%"

    def _update_status(self) -> None:
        t = Text(end="", no_wrap=True, overflow="ellipsis")
        where = self.progress()
        if where:
            t.append(where, style="bold")
            t.append("  ")
        if self.search_query:
            if self.matches:
                at = "–" if self.current is None else str(self.current + 1)
                t.append(f"match {at} of {len(self.matches)}", style="bold")
                t.append(" for ")
                t.append(safe(self.search_query))
                keymap = getattr(self.app, "keymap", {})  # the keys in force, remaps included
                t.append(f"  {key_of('reader.next_match', keymap)} next · "
                         f"{key_of('reader.prev_match', keymap)} previous", style=DIM)
            else:
                t.append("no match of ", style=DIM)
                t.append(safe(self.search_query))
                t.append(" in the text (it may match the title or a field)", style=DIM)
        if self.app.marked:
            t.append(f" · {MARK} {len(self.app.marked)} marked")
        if self.app.pinned:
            t.append(f" · {len(self.app.pinned)} pinned")
        tags_of = getattr(self.app, "tags_of", None)
        tags = tags_of(self.article.id) if tags_of is not None and self.article is not None else []
        if tags:
            t.append(" · " + " ".join(f"#{safe(tag)}" for tag in tags))
        self.query_one("#reader-status", Static).update(t, layout=False)

    # -- the paragraph cursor -------------------------------------------------------------------

    def set_cursor(self, pi: int, scroll: bool = True) -> None:
        """Put the paragraph cursor on paragraph ``pi`` (brought into view when ``scroll``)."""
        if not self.paragraphs:
            return
        pi = max(0, min(pi, len(self.paragraphs) - 1))
        old, self.cursor = self.cursor, pi
        if old != pi:
            if old is not None and old < len(self.paragraphs):
                self._decorate(old)
            self._decorate(pi)
        if scroll and not self._wholly_in_view(pi):  # brought up to the top, to be read on from there
            self._body().scroll_to_block(pi, top=True)
        self._update_status()

    def _region(self, pi: int) -> Region:
        """Where paragraph ``pi`` is in the scrolled text (height 0 before the first layout)."""
        return self._body().block_region(pi) or Region(0, 0, 0, 0)

    def paragraph_region(self, pi: int) -> Region | None:
        """The cells paragraph ``pi`` takes on the screen now (its gutter at x), clipped to the view;
        None when it is not on screen."""
        body = self._body()
        region = body.block_region(pi)
        if region is None:
            return None
        content = body.scrollable_content_region
        shown = Region(content.x, content.y + region.y - round(body.scroll_y), region.width, region.height)
        clipped = shown.intersection(content)
        return clipped if clipped.height else None

    def _wholly_in_view(self, pi: int) -> bool:
        top, height = self._view()
        region = self._region(pi)
        return region.height > 0 and self._overlap(region, top, height) == region.height

    def _view(self) -> tuple[int, int]:
        body = self._body()
        return round(body.scroll_y), body.scrollable_content_region.height

    @staticmethod
    def _overlap(region, top: int, height: int) -> int:
        return max(0, min(region.bottom, top + height) - max(region.y, top))

    def in_view(self, pi: int) -> bool:
        """More than half of the paragraph is on screen, or it fills the view: the cursor may stay on it."""
        top, height = self._view()
        region = self._region(pi)
        seen = self._overlap(region, top, height)
        return seen > 0 and (2 * seen > region.height or seen >= height)

    def _scrolled(self, _value=None) -> None:
        """The view moved (j/k, pages, the mouse): a cursor that left it moves to the nearest paragraph in
        view (one wholly on screen if there is one)."""
        if self.cursor is None or not self.paragraphs:
            return
        top, height = self._view()
        if height <= 0 or self._region(self.cursor).height == 0 or self.in_view(self.cursor):
            return
        seen = []
        for n in self._body().visible_blocks():  # only those on screen: the others do not overlap
            region = self._region(n)
            seen.append((n, self._overlap(region, top, height), region.height))
        if not seen:
            return
        whole = [n for n, s, h in seen if s and s == h]
        usable = whole or [n for n, _, _ in seen if self.in_view(n)] or \
            [max(seen, key=lambda x: x[1])[0]]
        self.set_cursor(min(usable, key=lambda n: abs(n - self.cursor)), scroll=False)

    def on_line_view_clicked(self, message: LineView.Clicked) -> None:
        if self.paragraphs:
            self.set_cursor(message.index, scroll=False)

    def action_move_paragraph(self, step: int) -> None:
        if self.cursor is None:
            return
        target = self.cursor + step
        if not 0 <= target < len(self.paragraphs):
            self.app.say("At the last paragraph" if step > 0 else "At the first paragraph")
            return
        self.set_cursor(target)

    # -- matches --------------------------------------------------------------------------------

    def _set_current(self, n: int | None, scroll: bool = True) -> None:
        old = self.current
        self.current = n
        touched = {self.matches[i][0] for i in (old, n) if i is not None}
        body = self._body()
        for pi in touched:
            body.update_block(pi, spans=self._spans(pi))
        if n is not None:
            self.set_cursor(self.matches[n][0], scroll=False)  # the cursor follows the match
        if scroll and n is not None:
            self._scroll_to_paragraph(self.matches[n][0], center=True)
        self._update_status()

    def _scroll_to_paragraph(self, pi: int, center: bool = False) -> None:
        if 0 <= pi < len(self.paragraphs):
            self._body().scroll_to_block(pi, top=not center, center=center)

    def action_next_match(self) -> None:
        if not self.matches:
            self.app.say("No matches to jump to" if self.search_query else "Open the article from a search to jump between matches")
            return
        n = 0 if self.current is None else (self.current + 1) % len(self.matches)
        if self.current is not None and n == 0:
            self.app.say("Back to the first match")
        self._set_current(n)

    def action_prev_match(self) -> None:
        if not self.matches:
            self.app.say("No matches to jump to")
            return
        n = len(self.matches) - 1 if self.current is None else (self.current - 1) % len(self.matches)
        self._set_current(n)

    # -- scrolling ------------------------------------------------------------------------------

    def _related_focused(self) -> bool:
        # the screen's focus, not the widget's has_focus: that one follows the Focus event, which may not
        # have been handled yet when a key typed right after r arrives
        return self.focused is self.query_one("#related", RowList)

    def action_scroll_lines(self, n: int) -> None:
        if self._related_focused():  # j/k move in the related list, as the arrows do
            self.query_one("#related", RowList).action_move(n)
            return
        self._body().scroll_relative(y=n, animate=False, immediate=True)

    def action_scroll_edge(self, where: str) -> None:
        if self._related_focused():
            self.query_one("#related", RowList).action_edge(-1 if where == "home" else 1)
            return
        body = self._body()
        if self.paragraphs:
            self.set_cursor(0 if where == "home" else len(self.paragraphs) - 1, scroll=False)
        # at once: the view knows its height (no frame with the cursor moved and the view not yet)
        body.scroll_home(animate=False, immediate=True) if where == "home" else \
            body.scroll_end(animate=False, immediate=True)

    # -- related, marks, compare, pins ----------------------------------------------------------

    def on_row_list_chosen(self, message: RowList.Chosen) -> None:
        if isinstance(message.row, RelatedRow):
            self.app.open_article(message.row.related.id, query=self.search_query)

    def _related_under_cursor(self) -> str | None:
        row = self.query_one("#related", RowList).current
        return row.related.id if isinstance(row, RelatedRow) else None

    def action_compare(self) -> None:
        if self.article is None:
            return
        other = self._related_under_cursor()
        related_focused = self._related_focused()
        if self.app.marked and not related_focused:
            ids = [self.article.id] + [i for i in self.app.marked if i != self.article.id]
        elif other:
            ids = [self.article.id, other]
        else:
            self.app.say("No related article to compare with: mark articles with space on the search screen",
                         severity="warning")
            return
        self.app.open_compare(ids)

    def action_card(self) -> None:
        if self.article is None:
            return
        self.app.open_card(ids=[self.article.id] + [i for i in self.app.marked if i != self.article.id])

    def action_mark(self) -> None:
        if self.article is None:
            return
        if self._related_focused() and self._related_under_cursor():
            self.app.toggle_mark(self._related_under_cursor())
        else:
            now = self.app.toggle_mark(self.article.id)
            self.app.say(f"{'Marked' if now else 'Unmarked'}: {self.article.title}")

    # -- the browser and the clipboard ----------------------------------------------------------

    def action_open_url(self) -> None:
        from ..browser import check_url

        if self.article is None:
            return
        problem = check_url(self.article.url)
        if problem:
            self.app.say(f"Not opened: {problem}", severity="warning")
            return
        self._open_url(self.article.url)

    @work(thread=True, exclusive=True, group="reader-url", exit_on_error=False)
    def _open_url(self, url: str) -> None:
        """Start the browser off the app's thread: a launcher may take a second to start or to fail."""
        from ..browser import Opened, open_url

        try:
            result = open_url(url)
        except Exception as exc:  # noqa: BLE001 - one line to the user, the URL copied instead
            result = Opened("failed", url, reason=str(exc) or type(exc).__name__)
        self.post_message(self.UrlOpened(result))

    def on_reader_screen_url_opened(self, message: UrlOpened) -> None:
        r = message.result
        if r.how == "opened":
            self.app.say(f"Opened in {r.browser}: {r.url}")
        elif r.how == "refused":
            self.app.say(f"Not opened: {r.reason}", severity="warning")
        elif r.how == "terminal":
            self._run_in_terminal(r)
        else:
            self._copy_url_instead(r.url, r.reason)

    def _run_in_terminal(self, r) -> None:
        """A browser that draws in the terminal (lynx, w3m...) gets it: the app is suspended meanwhile."""
        import subprocess

        try:
            with self.app.suspend():
                subprocess.run(r.command, check=False)
        except Exception as exc:  # noqa: BLE001 - no terminal to hand over (a test, a web driver)
            self._copy_url_instead(r.url, f"{r.browser} cannot run here ({str(exc) or type(exc).__name__})")

    def _copy_url_instead(self, url: str, reason: str) -> None:
        from ..browser import clean_copy

        self.app.copy_to_clipboard(clean_copy(url, one_line=True))
        self.app.say(f"Not opened: {reason}. Copied the URL to the clipboard instead: {url}", severity="warning",
                     timeout=8)

    def _cursor_text(self) -> str | None:
        if self.article is None or self.cursor is None or not self.paragraphs:
            self.app.say("No paragraph to copy", severity="warning")
            return None
        return self.paragraphs[self.cursor]

    def action_copy_paragraph(self) -> None:
        from ..browser import clean_copy

        text = self._cursor_text()
        if text is None:
            return
        text = clean_copy(text)
        self.app.copy_to_clipboard(text)
        self.app.say(f"Copied paragraph {self.cursor + 1} ({len(text)} characters) to the clipboard")

    def action_copy_citation(self) -> None:
        text = self._cursor_text()
        if text is None:
            return
        self.app.copy_to_clipboard(citation(self.article, text))
        self.app.say(f"Copied a citation of paragraph {self.cursor + 1} to the clipboard")

    # -- the outlet, date and title the user sets ------------------------------------------------

    def action_edit_details(self) -> None:
        from ..widgets.dialogs import MetadataScreen

        if self.article is None:
            return
        a = self.article
        values = {"outlet": a.outlet or "", "published": a.published.isoformat() if a.published else "",
                  "title": a.title}

        def chosen(changes: dict | None) -> None:
            if changes:
                self._set_details(a.id, changes)
            elif changes is not None:
                self.app.say("Nothing changed")

        self.app.push_screen(MetadataScreen(f"Outlet, date and title of {a.id}", values), chosen)

    @work(thread=True, exclusive=True, group="reader-details", exit_on_error=False)
    def _set_details(self, article_id: str, changes: dict) -> None:
        """Store the changes in the library and apply them to the index (under its write lock), then read
        the article again through the app's refreshed searcher."""
        from index.indexer import set_metadata

        from ..services import describe_error

        try:
            set_metadata(self.app.library, article_id, changes, wait=5.0)
            self.app.refresh_searcher()  # caches dropped, index generation bumped...
            # ...and the searchers opened again: Whoosh's refresh() reuses a segment's reader whose
            # deletions changed (segments compare by id), so it would still see the old document
            self.app.close_searcher()
            article = self.app.get_article(article_id)
        except Exception as exc:  # noqa: BLE001 - said to the user; the article stays as it was
            self.post_message(self.DetailsSet(None, changes, describe_error(exc)))
            return
        self.post_message(self.DetailsSet(article, changes))

    def on_reader_screen_details_set(self, message: DetailsSet) -> None:
        if message.article is None:
            self.app.say(f"Could not set the article's details: {message.error}", severity="error")
            return
        if self.article is not None and message.article.id == self.article.id:
            self.article = message.article
            self._render_header()
        for screen in self.app.screen_stack:  # the search screen's list (home: the catalog) shows it too
            again = getattr(screen, "start_search", None)
            if screen is not self and callable(again) and getattr(screen, "shown_query", None) is not None:
                try:
                    again(screen.shown_query)
                except Exception:  # noqa: BLE001 - a list refreshed later is no reason to fail the change
                    pass
        a = message.article
        said = {"outlet": f"outlet {a.outlet or 'unknown'}", "published": f"date {date_label(a.published)}",
                "title": f"title {a.title}"}
        self.app.say("Saved: " + ", ".join(said[name] for name in message.changes if name in said))

    def action_pin(self) -> None:
        """Pin the cursor's paragraph: the one marked ▌, which n/N and the scrolling keep on screen."""
        if self.article is None or self.cursor is None or not self.paragraphs:
            return
        pi = self.cursor
        if self.app.pin(self.paragraphs[pi], [self.article.id], kind="paragraph",
                        origin={"article": self.article.id, "paragraph": pi}):
            self.app.say(f"Pinned paragraph {pi + 1} ({len(self.app.pinned)} pinned; P shows the brief)")
        elif self.app.unpin(self.paragraphs[pi]):  # again: unpinned, as on the card
            self.app.say(f"Unpinned paragraph {pi + 1} ({len(self.app.pinned)} pinned)")

    def action_pin_article(self) -> None:
        if self.article is not None:
            pin_article(self.app, self.article.id, self.article.title)

    def action_edit_tags(self) -> None:
        if self.article is not None:
            self.app.edit_tags(self.article.id, self.article.title)

    def on_user_state_changed(self, message) -> None:  # tui.messages.UserStateChanged: the tags shown
        if self.article is not None:
            self._update_status()

    def on_marks_changed(self, message: MarksChanged) -> None:
        self.refresh_marks()

    def on_screen_resume(self) -> None:
        self.refresh_marks()
        self._apply_pane()  # R pressed in another reader meanwhile
        if self.article is not None and not self.related_done:
            self.call_after_refresh(self._start_related)  # stopped when the reader was left

    def on_screen_suspend(self) -> None:
        if not self.related_done:
            self.workers.cancel_group(self, "related")

    def refresh_marks(self) -> None:
        if self.article is not None:
            self._render_header()
            self._update_status()
        rows = self.query_one("#related", RowList)
        rows.ctx = self._related_ctx()
        rows.refresh_rows()


def pin_article(app, article_id: str, title: str | None) -> None:
    """Pin a whole article into the current brief (its title is the pin's text), or unpin it when it is."""
    text = " ".join((title or "").split()) or f"Article {article_id}"
    if any(p["text"] == text and p["sources"] == [article_id] for p in app.pinned):
        app.unpin(text)
        app.say(f"Unpinned the article ({len(app.pinned)} pinned)")
    elif app.pin(text, [article_id], kind="article", origin={"article": article_id}):
        app.say(f"Pinned the article: {text} ({len(app.pinned)} pinned; P shows the brief)")
    else:
        app.say("A pin with that text is already in the brief")


def find_matches(app, article, query: str | None) -> list[list[tuple[int, int]]]:
    """(start, end) of every match of ``query`` in each (sanitized) paragraph of ``article``."""
    from index.errors import QueryError

    paragraphs = [sanitize(p) for p in article.paragraphs]
    if not (query and query.strip()):
        return [[] for _ in paragraphs]
    from index.search import _matches, parse_query, query_terms

    try:
        with app.searcher() as s:
            terms = query_terms(parse_query(query, s.schema), s.reader())
    except QueryError:
        terms = frozenset()
    if not terms:
        return [[] for _ in paragraphs]
    return [[(a, b) for a, b, _ in _matches(p, terms)] for p in paragraphs]


def _find_passage(paragraphs: list[str], highlight: str) -> int | None:
    """The paragraph holding ``highlight``: the one containing it, else the one sharing most of its words."""
    needle = " ".join(sanitize(highlight).split())
    if not needle:
        return None
    for n, p in enumerate(paragraphs):
        if needle in " ".join(p.split()):
            return n
    words = set(re.findall(r"\w+", needle.lower()))
    best, best_score = None, 0.0
    for n, p in enumerate(paragraphs):
        pw = set(re.findall(r"\w+", p.lower()))
        score = len(words & pw) / (len(words) or 1)
        if score > best_score:
            best, best_score = n, score
    return best if best_score >= 0.5 else None


def citation(article, paragraph: str) -> str:
    """A paragraph as a citation: “text” — Title, Outlet, date, URL (or the file's path), on one line of
    clean text; what is not known (outlet, date) is left out rather than written "unknown"."""
    from ..browser import check_url, clean_copy

    parts = [clean_copy(article.title, one_line=True) or "(untitled)"]
    if article.outlet:
        parts.append(clean_copy(article.outlet, one_line=True))
    if article.published:
        parts.append(date_label(article.published))
    where = article.url if article.url and check_url(article.url) is None else display_path(article.path)
    parts.append(clean_copy(where, one_line=True))
    return f"“{clean_copy(paragraph, one_line=True)}” — {', '.join(p for p in parts if p)}"
