"""The reader: one cleaned article with its header, the query's terms highlighted, n/N between matches,
and a side list of related articles (the same story from other outlets) to open or compare with.

The article is read in a worker (from the app's shared searcher and article cache) and painted; only then
are related articles looked for, in a second worker on the app's background searcher (Whoosh's
more-like-this over the article's most distinctive terms takes a few hundred milliseconds on a 20k
library: it must hold up neither the article nor a search). Leaving the reader stops that search.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from index.sanitize import display_path, sanitize

from ..actions import Action, bindings, key_of, register
from ..messages import MarksChanged
from ..widgets.keybar import KeyBar
from ..widgets.text import DIM, MARK, TITLE, _wrap_segments, date_label, paragraph_text, safe
from .base import FastScreen

register(
    Action("reader.next_match", "n", "next", "reader", "next_match", help="Jump to the next match of the query"),
    Action("reader.prev_match", "N", "prev", "reader", "prev_match",
           help="Jump to the previous match of the query"),
    Action("reader.mark", "space", "mark", "reader", "mark", help="Mark or unmark this article"),
    Action("reader.related", "r", "related", "reader", "toggle_related",
           help="Move between the article and the related articles list"),
    Action("reader.compare", "c", "compare", "reader", "compare",
           help="Compare this article with the related one under the cursor (or with the marked ones)"),
    Action("reader.card", "b", "card", "reader", "card", show=False,
           help="Briefing card for this article and the marked ones"),
    Action("reader.pin", "p", "pin", "reader", "pin", show=False,
           help="Pin the paragraph of the current match (else the one on screen) into the current brief "
                "(again to unpin)"),
    Action("reader.pin_article", "a", "pin article", "reader", "pin_article", show=False,
           help="Pin this article into the current brief (again to unpin; P shows the brief)"),
    Action("reader.details", "e", "outlet/date", "reader", "edit_details",
           help="Set this article's outlet, date or title (kept in the library; the file is not changed)"),
    Action("reader.down", "j", "down", "reader", "scroll_lines(1)", show=False, help="Scroll down a line"),
    Action("reader.up", "k", "up", "reader", "scroll_lines(-1)", show=False, help="Scroll up a line"),
    Action("reader.top", "g", "top", "reader", "scroll_edge('home')", show=False, help="Go to the top"),
    Action("reader.bottom", "G", "bottom", "reader", "scroll_edge('end')", show=False, help="Go to the bottom"),
)

NARROW = 100  # below this many columns the related list goes under the article
RELATED = 8
_RELATED_CACHE: OrderedDict[tuple, list] = OrderedDict()  # (library, index generation, id) -> related


class Paragraph(Static):
    """A paragraph of the article; the first one drawn tells the reader that the text is on screen."""

    def render_lines(self, crop):
        lines = super().render_lines(crop)
        screen = self.screen
        if not screen.painted:
            screen.painted = True  # the compositor writes the frame right after rendering, in the same call
        return lines


@dataclass
class Related:
    id: str
    title: str
    outlet: str | None
    published: object


class ReaderScreen(FastScreen):
    SCOPE = "reader"
    BINDINGS = bindings("reader")

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
        self.related: list[Related] = []
        self.related_done = False
        self.painted = False  # the article's text has been drawn (set by Paragraph)

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
        with Horizontal(id="reader-body"):
            with VerticalScroll(id="article"):
                if self.article is not None:
                    yield from self._paragraph_widgets()
            with Vertical(id="side"):
                yield Static(Text("Related: same story, other outlets", style="bold"), id="related-title")
                yield OptionList(id="related")
        yield Static(id="reader-status", classes="status")
        yield KeyBar("reader")

    def on_mount(self) -> None:
        self._layout(self.app.size.width)
        self.set_focus(self.query_one("#article"))
        if self.article is not None:
            self._show_loaded()
        else:
            self._load(self.article_id, self.search_query, self.highlight)

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        self.query_one("#reader-body").set_class(width < NARROW, "narrow")

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
            self.on_reader_screen_related_found(self.RelatedFound(list(known)))
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
        self.query_one("#article", VerticalScroll).mount_all(self._paragraph_widgets())
        self._show_loaded()

    def _take(self, article, matches: list[list[tuple[int, int]]]) -> None:
        self.article = article
        self.article_id = article.id
        self.paragraphs = [sanitize(p) for p in article.paragraphs]
        self.matches = [(pi, s, e) for pi, ms in enumerate(matches) for s, e in ms]
        self._per_para = matches

    def _paragraph_widgets(self) -> list[Static]:
        widgets = [Paragraph(paragraph_text(p, self._per_para[n]), classes="para", id=f"p{n}")
                   for n, p in enumerate(self.paragraphs)]
        return widgets or [Paragraph(Text("(this article has no text)", style="dim"), classes="para")]

    def _show_loaded(self) -> None:
        self._render_header()
        self.passage = _find_passage(self.paragraphs, self.highlight) if self.highlight else None
        if self.passage is not None:
            self.query_one(f"#p{self.passage}").add_class("passage")
            later = [n for n, (pi, _, _) in enumerate(self.matches) if pi >= self.passage]
            if later and self.matches[later[0]][0] == self.passage:
                self._set_current(later[0], scroll=False)
            self.call_after_refresh(self._scroll_to_paragraph, self.passage)
        self._update_status()
        self.call_after_refresh(self._start_related)

    def on_reader_screen_related_found(self, message: RelatedFound) -> None:
        self.related = message.related
        self.related_done = True
        ol = self.query_one("#related", OptionList)
        ol.clear_options()
        if not self.related:
            ol.add_option(Option(Text("No related articles found", style="dim"), disabled=True))
            return
        ol.add_options(Option(self._related_prompt(r), id=r.id) for r in self.related)
        ol.highlighted = 0

    def _related_prompt(self, r: Related) -> Text:
        width = max(20, (self.query_one("#related").size.width or 40) - 4)
        t = Text(end="")
        t.append(f"{MARK if self.app.is_marked(r.id) else ' '} ", style=TITLE)
        t.append(safe(r.outlet) or "unknown outlet", style="bold italic")
        t.append(f" · {date_label(r.published)}", style=DIM)
        for line in _wrap_segments([(r.title or "(untitled)", False)], width, 2):
            t.append("\n  ")
            t.append("".join(w for w, _ in line))
        return t

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

    def _update_status(self) -> None:
        t = Text(end="")
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
        elif self.article is not None:
            t.append(f"{len(self.paragraphs)} paragraphs", style=DIM)
        if self.app.marked:
            t.append(f" · {MARK} {len(self.app.marked)} marked")
        if self.app.pinned:
            t.append(f" · {len(self.app.pinned)} pinned")
        self.query_one("#reader-status", Static).update(t, layout=False)

    # -- matches --------------------------------------------------------------------------------

    def _set_current(self, n: int | None, scroll: bool = True) -> None:
        old = self.current
        self.current = n
        touched = {self.matches[i][0] for i in (old, n) if i is not None}
        for pi in touched:
            local = [k for k, (p, _, _) in enumerate(self.matches) if p == pi]
            cur = local.index(n) if n in local else None
            self.query_one(f"#p{pi}", Static).update(paragraph_text(self.paragraphs[pi], self._per_para[pi], cur))
        if scroll and n is not None:
            self._scroll_to_paragraph(self.matches[n][0], center=True)
        self._update_status()

    def _scroll_to_paragraph(self, pi: int, center: bool = False) -> None:
        try:
            widget = self.query_one(f"#p{pi}")
        except Exception:  # noqa: BLE001
            return
        self.query_one("#article", VerticalScroll).scroll_to_widget(widget, animate=False, top=not center,
                                                                    center=center)

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

    def action_scroll_lines(self, n: int) -> None:
        self.query_one("#article", VerticalScroll).scroll_relative(y=n, animate=False)

    def action_scroll_edge(self, where: str) -> None:
        body = self.query_one("#article", VerticalScroll)
        body.scroll_home(animate=False) if where == "home" else body.scroll_end(animate=False)

    # -- related, marks, compare, pins ----------------------------------------------------------

    def action_toggle_related(self) -> None:
        related = self.query_one("#related", OptionList)
        if related.has_focus:
            self.query_one("#article").focus()
        else:
            related.focus()

    @on(OptionList.OptionSelected, "#related")
    def _open_related(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_article(event.option.id, query=self.search_query)

    def _related_under_cursor(self) -> str | None:
        ol = self.query_one("#related", OptionList)
        if not self.related or ol.highlighted is None:
            return None
        return self.related[ol.highlighted].id

    def action_compare(self) -> None:
        if self.article is None:
            return
        other = self._related_under_cursor()
        related_focused = self.query_one("#related", OptionList).has_focus
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
        if self.query_one("#related", OptionList).has_focus and self._related_under_cursor():
            self.app.toggle_mark(self._related_under_cursor())
        else:
            now = self.app.toggle_mark(self.article.id)
            self.app.say(f"{'Marked' if now else 'Unmarked'}: {self.article.title}")

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
        if self.article is None:
            return
        if self.current is not None:
            pi = self.matches[self.current][0]
        elif self.passage is not None:
            pi = self.passage
        else:
            pi = self._first_visible_paragraph()
        if pi is None:
            return
        if self.app.pin(self.paragraphs[pi], [self.article.id], kind="paragraph",
                        origin={"article": self.article.id, "paragraph": pi}):
            self.app.say(f"Pinned paragraph {pi + 1} ({len(self.app.pinned)} pinned; P shows the brief)")
        elif self.app.unpin(self.paragraphs[pi]):  # again: unpinned, as on the card
            self.app.say(f"Unpinned paragraph {pi + 1} ({len(self.app.pinned)} pinned)")

    def action_pin_article(self) -> None:
        if self.article is not None:
            pin_article(self.app, self.article.id, self.article.title)

    def _first_visible_paragraph(self) -> int | None:
        body = self.query_one("#article", VerticalScroll)
        top = body.scroll_y
        for n in range(len(self.paragraphs)):
            w = self.query_one(f"#p{n}")
            if w.virtual_region.bottom > top:
                return n
        return None

    def on_marks_changed(self, message: MarksChanged) -> None:
        self.refresh_marks()

    def on_screen_resume(self) -> None:
        self.refresh_marks()
        if self.article is not None and not self.related_done:
            self.call_after_refresh(self._start_related)  # stopped when the reader was left

    def on_screen_suspend(self) -> None:
        if not self.related_done:
            self.workers.cancel_group(self, "related")

    def refresh_marks(self) -> None:
        if self.article is not None:
            self._render_header()
            self._update_status()
        ol = self.query_one("#related", OptionList)
        for r in self.related:
            try:
                ol.replace_option_prompt(r.id, self._related_prompt(r))
            except Exception:  # noqa: BLE001
                pass


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
