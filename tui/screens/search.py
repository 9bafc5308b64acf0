"""The search screen (home): a query bar with results as you type, paged results, facets, marks.

The query runs in a thread worker (group "search", exclusive: a newer keystroke cancels the older
search) after a short debounce; results come back as a message and are shown only if they belong to
the newest search. One page of hits is fetched at a time and the next one when the cursor nears the end,
so 20,000 hits cost what 30 do. A bad query is explained on the status line; the results stay.

Showing a page does not wait for the hits to be counted: Whoosh finds the best hits without visiting
every match, while counting them (and per outlet, for the facets) visits all of them. So the page is
painted first, then a second worker (group "count") counts on the app's background searcher, giving way
at once to a newer search. Recent pages and counts are kept, so going back to an earlier query (deleting
what was typed) is instant.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from functools import partial

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from ..actions import Action, bindings, register
from ..messages import IndexChanged, MarksChanged
from ..widgets.keybar import KeyBar
from ..widgets.results import ResultList
from ..widgets.text import DIM, MARK, result_lines, safe
from .base import FastScreen

register(
    Action("search.query", "slash", "query", "search", "focus_query", help="Go to the query bar (results as you type)"),
    Action("search.open", "o", "open", "search", "open", show=False,
           help="Open the highlighted article (enter works too)"),
    Action("search.mark", "space", "mark", "search", "mark", help="Mark or unmark the highlighted article"),
    Action("search.compare", "c", "compare", "search", "compare", help="Compare the marked articles side by side"),
    Action("search.card", "b", "card", "search", "card",
           help="Briefing card for the marked articles, or for the query when none is marked"),
    Action("search.outlet", "f", "outlet", "search", "pick_outlet", help="Narrow the results to one outlet"),
    Action("search.dates", "d", "dates", "search", "pick_dates", show=False,
           help="Narrow the results to a date range (2025-03-04..2025-03-06, 2025-03, ..2025-03-05)"),
    Action("search.clear_filters", "x", "clear filters", "search", "clear_filters", show=False,
           help="Remove the outlet and date filters"),
    Action("search.save", "s", "save", "search", "save_search", show=False,
           help="Save this search (query and filters) with a name"),
    Action("search.saved", "l", "saved", "search", "saved_searches", show=False, help="Saved searches: run or delete one"),
    Action("search.unmark_all", "U", "unmark all", "search", "unmark_all", show=False,
           help="Unmark every marked article"),
    Action("search.pin_article", "a", "pin article", "search", "pin_article", show=False,
           help="Pin the highlighted article into the current brief (again to unpin; P shows the brief)"),
)

PAGE = 10  # a screenful at 40 rows; on a big library each hit of the first page costs ~2 ms
PREFETCH = 5  # fetch the next page when the cursor is this close to the end
CACHE = 128  # pages and counts of recent searches kept
COUNT_AFTER = 0.3  # seconds after a page is painted before its hits are counted (if no newer search came)


@dataclass
class Item:
    id: str
    title: str
    outlet: str | None
    published: object
    snippet: list | None = None


@dataclass
class Page:
    items: list[Item]
    total: int
    facets: dict[str, int] = field(default_factory=dict)
    exact: bool = True  # False: ``total`` is a lower bound until the hits are counted


class SearchScreen(FastScreen):
    SCOPE = "search"
    BINDINGS = bindings("search")
    AUTO_FOCUS = "#query"
    debounce = 0.15  # seconds after the last keystroke before the search runs
    count_after = COUNT_AFTER

    class Results(Message):
        def __init__(self, generation: int, page: int, result: Page) -> None:
            super().__init__()
            self.generation, self.page, self.result = generation, page, result

    class Failed(Message):
        def __init__(self, generation: int, reason: str, bad_query: bool) -> None:
            super().__init__()
            self.generation, self.reason, self.bad_query = generation, reason, bad_query

    class Counted(Message):
        def __init__(self, generation: int, total: int, facets: dict[str, int]) -> None:
            super().__init__()
            self.generation, self.total, self.facets = generation, total, facets

    class Refreshed(Message):
        """The results shown, searched again on a changed index (as many as were loaded)."""

        def __init__(self, generation: int, pages: int, result: Page) -> None:
            super().__init__()
            self.generation, self.pages, self.result = generation, pages, result

    def __init__(self) -> None:
        super().__init__()
        self.generation = 0
        self.shown_query: str | None = None  # the query whose results are on screen
        self.pending_query = ""
        self.items: list[Item] = []
        self.total = 0
        self.pages = 0
        self.busy = False
        self.error: str | None = None
        self.outlet: str | None = None  # display name
        self.dates: str | None = None
        self.facets: dict[str, int] = {}
        self.exact = True  # self.total is the exact count (else a lower bound, being counted)
        self.counting = False
        self._timer: Timer | None = None
        self._focus_results = False  # Enter was pressed before the results came: focus them when they do
        self._pages: OrderedDict[tuple, Page] = OrderedDict()
        self._counts: OrderedDict[tuple, tuple[int, dict[str, int]]] = OrderedDict()
        self._names: tuple[int, dict[str, str]] | None = None

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="query-bar"):
            yield Static(Text("Search ›", style="bold"), id="query-label")
            yield Input(placeholder="words, \"a phrase\", outlet:name, date:2025-03 … (f1 help)", id="query")
        yield Static(id="hint", classes="hint")
        yield Static(id="status", classes="status")
        with Horizontal(id="search-body"):
            yield ResultList(self._render_item, id="results")
            yield Static(id="facets")
        yield KeyBar("search")

    def on_mount(self) -> None:
        self.query_one("#query", Input).cursor_blink = not self.app.is_headless
        self.query_one("#status", Static).update(Text("Opening the library…", style=DIM), layout=False)
        self._update_hint()
        self._layout(self.app.size.width)
        self.start_search("")

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        self.query_one("#search-body").set_class(width >= 110, "wide")

    def _update_hint(self, empty: bool = False) -> None:
        """The demo hint, or how to fill an empty library (``empty``: the library has no article)."""
        hint = self.query_one("#hint", Static)
        lib = self.app.library
        if empty or not lib.exists():
            text = Text("Your library is empty. Index a folder from a shell: ", style="bold")
            text.append("brief index ~/articles", style="bold reverse")
            text.append("  (or try the demo: brief --demo)")
            hint.update(text)
            hint.display = True
        elif self.app.hint:
            hint.update(Text(self.app.hint))
            hint.display = True
        else:
            hint.display = False

    # -- running searches -----------------------------------------------------------------------

    @property
    def query_text(self) -> str:
        return self.query_one("#query", Input).value

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self.pending_query = event.value
        if self._timer is not None:
            self._timer.stop()
        if self.debounce <= 0:
            self.start_search(event.value)
        else:
            self._timer = self.set_timer(self.debounce, lambda: self.start_search(self.pending_query))

    def on_key(self, event) -> None:
        # Down from the query bar goes to the results (the Input has no use for it).
        if event.key == "down" and isinstance(self.focused, Input) and self.focused.id == "query" and self.items:
            event.stop()
            self._focus_list()

    def _focus_list(self) -> None:
        # set_focus now, not Widget.focus() (which waits for the message queue): a key pressed right
        # after Enter must reach the list, not the query bar.
        self.set_focus(self.query_one("#results", ResultList))

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if event.value != self.shown_query or self.error:
            self.start_search(event.value)
        if self.items:
            self._focus_list()
        else:
            self._focus_results = True  # when they come

    def start_search(self, text: str) -> None:
        """Search ``text`` (with the current filters) from its first page; a newer call wins."""
        self._timer = None
        self.generation += 1
        self.pending_query = text
        self.busy = True
        self.counting = False
        self.workers.cancel_group(self, "count")
        key = self._key(text, 1)
        page = self._pages.get(key)
        if page is not None:  # seen lately: no worker, no wait
            self._pages.move_to_end(key)
            self.on_search_screen_results(self.Results(self.generation, 1, page))
            return
        self._run(self.generation, text, 1, self.outlet, self.dates)

    def _key(self, text: str, page: int) -> tuple:
        return (self.app.index_generation, text.strip(), (self.outlet or "").lower(), self.dates or "", page)

    def _more_to_load(self) -> bool:
        return len(self.items) < self.total or (not self.exact and len(self.items) >= self.pages * PAGE)

    def _load_more(self) -> None:
        if self.busy or self.error is not None or not self._more_to_load() or self.shown_query is None:
            return
        self.busy = True
        self._run(self.generation, self.shown_query, self.pages + 1, self.outlet, self.dates)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run(self, generation: int, text: str, page: int, outlet: str | None, dates: str | None) -> None:
        from index.errors import LibraryError, QueryError

        worker = get_current_worker()
        try:
            if text.strip():
                result = self._search_index(text, page, outlet, dates)
            else:
                result = self._search_catalog(page, outlet, dates)
        except QueryError as exc:
            if not worker.is_cancelled:
                self.post_message(self.Failed(generation, str(exc), True))
            return
        except (LibraryError, LookupError, OSError, ValueError) as exc:
            if not worker.is_cancelled:
                self.post_message(self.Failed(generation, str(exc), False))
            return
        except Exception as exc:  # noqa: BLE001 - a failure is shown; the app carries on
            if not worker.is_cancelled:
                self.post_message(self.Failed(generation, f"search failed: {type(exc).__name__}: {exc}", False))
            return
        if not worker.is_cancelled:
            self.post_message(self.Results(generation, page, result))

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count(self, generation: int, text: str, outlet: str | None, dates: str | None) -> None:
        """Count the hits, and per outlet, on the background searcher; stop as soon as a newer search starts."""
        from index.search import SearchCancelled, count_hits

        worker = get_current_worker()

        def stop() -> bool:
            return worker.is_cancelled or self.generation != generation

        key = (self.app.index_generation, text.strip(), dates or "")
        try:
            with self.app.background_searcher() as s:
                if stop():
                    return
                total, counts = count_hits(s, text, filter_query=self._filter_query(None, dates),
                                           group=self.app.outlet_values(s), should_stop=stop)
        except SearchCancelled:
            return
        except Exception as exc:  # noqa: BLE001 - the page is shown already; the count is a nicety
            if not stop():
                self.post_message(self.Failed(generation, f"counting failed: {type(exc).__name__}: {exc}", False))
            return
        self._counts[key] = (total, counts)
        if not stop():
            self.post_message(self.Counted(generation, *self._totals(total, counts, outlet)))

    def _totals(self, total: int, counts: dict[str, int], outlet: str | None) -> tuple[int, dict[str, int]]:
        """(hits within the outlet filter, facets by display name) from an outlet-blind count."""
        names = self._outlet_names()
        facets = {names.get(k, k): v for k, v in counts.items() if k}
        return (counts.get(outlet.lower(), 0) if outlet else total), facets

    def _filter_query(self, outlet: str | None, dates: str | None):
        from whoosh import query as wq

        from index.search import date_query

        parts = []
        if outlet:
            parts.append(wq.Term("outlet_facet", outlet.lower()))
        if dates:
            parts.append(date_query(dates))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _search_index(self, text: str, page: int, outlet: str | None, dates: str | None) -> Page:
        from index.search import search

        fq = self._filter_query(outlet, dates)
        with self.app.searcher() as s:
            res = search(s, text, limit=PAGE, page=page, filter_query=fq, count=False)
        items = [Item(h.id, h.title, h.outlet, h.published, h.snippet) for h in res.hits]
        total, exact, facets = res.total, res.total_exact, {}
        counted = self._counts.get((self.app.index_generation, text.strip(), dates or ""))
        if counted is not None:
            (total, facets), exact = self._totals(*counted, outlet), True
        result = Page(items, total, facets, exact)
        self._remember(self._key(text, page), result)
        return result

    def _remember(self, key: tuple, page: Page) -> None:
        self._pages[key] = page
        while len(self._pages) > CACHE:
            self._pages.popitem(last=False)
        while len(self._counts) > CACHE:
            self._counts.popitem(last=False)

    def _outlet_names(self) -> dict[str, str]:
        rows = self.app.catalog()
        if self._names is None or self._names[0] != id(rows):
            self._names = (id(rows), {(r["outlet"] or "").lower(): r["outlet"] for r in rows if r["outlet"]})
        return self._names[1]

    def _search_catalog(self, page: int, outlet: str | None, dates: str | None) -> Page:
        rows = self.app.catalog()
        if dates:
            lo, hi = _date_bounds(dates)
            rows = [r for r in rows if r["published"] and lo <= r["published"] <= hi]
        facets = {}
        if page == 1:
            for r in rows:
                if r["outlet"]:
                    facets[r["outlet"]] = facets.get(r["outlet"], 0) + 1
        if outlet:
            rows = [r for r in rows if (r["outlet"] or "").lower() == outlet.lower()]
        start = (page - 1) * PAGE
        items = [Item(r["id"], r["title"], r["outlet"], r["published"]) for r in rows[start:start + PAGE]]
        result = Page(items, len(rows), facets)
        self._remember(self._key("", page), result)
        return result

    # -- showing results ------------------------------------------------------------------------

    def on_search_screen_results(self, message: Results) -> None:
        if message.generation != self.generation:
            return  # an older search finished after a newer one started
        self.busy = False
        results = self.query_one("#results", ResultList)
        if message.page == 1:
            first_paint = self.shown_query is None
            self.error = None
            self.shown_query = self.pending_query
            self.items = list(message.result.items)
            self.total = message.result.total
            self.exact = message.result.exact
            self.pages = 1
            self.facets = message.result.facets
            results.set_count(len(self.items))
            results.mark(message.generation)
            if first_paint or (not self.shown_query and not self.items):
                self._update_hint(empty=not self.shown_query and not self.items and not self.outlet
                                  and not self.dates)
            if self.shown_query and (not self.exact or not self.facets):
                self.counting = True
            if self.items and self._focus_results:
                self._focus_list()
            elif not self.items and self.focused is results:
                self.set_focus(self.query_one("#query", Input))  # nothing to act on: back to typing
            self._focus_results = False
            self.call_after_refresh(self._first_page_painted, message.generation)
        else:
            seen = {it.id for it in self.items}
            new = [it for it in message.result.items if it.id not in seen]
            self.items.extend(new)
            self.pages = message.page
            if not self.exact and not message.result.exact:
                self.total = max(self.total, message.result.total, len(self.items))
            results.extend_count(len(self.items))
        self._update_status()
        self._update_facets()

    @property
    def painted(self) -> int:
        """The generation (search) whose first page of results the terminal shows (a frame was drawn)."""
        return self.query_one("#results", ResultList).painted_token

    def _first_page_painted(self, generation: int) -> None:
        """The page is (about to be) on screen: count the hits (and per outlet) once typing has paused."""
        if generation != self.generation:
            return
        if self.counting:
            key = (self.app.index_generation, (self.shown_query or "").strip(), self.dates or "")
            counted = self._counts.get(key)
            if counted is not None:
                self.on_search_screen_counted(self.Counted(generation, *self._totals(*counted, self.outlet)))
            else:
                # Counting visits every match (a second or more for a wildcard over 20k articles) and,
                # Python threads sharing one interpreter lock, would slow the next keystroke's search:
                # it waits for a pause in the typing, and a newer search stops it.
                if self.count_after > 0:
                    self.set_timer(self.count_after, partial(self._start_count, generation))
                else:
                    self._start_count(generation)

    def _start_count(self, generation: int) -> None:
        if generation == self.generation and self.counting:
            self._count(generation, self.shown_query or "", self.outlet, self.dates)

    def on_search_screen_counted(self, message: Counted) -> None:
        if message.generation != self.generation:
            return
        self.counting = False
        self.total, self.exact, self.facets = message.total, True, message.facets
        for key, page in self._pages.items():  # the pages of this search now know their count
            if key[1:4] == self._key(self.shown_query or "", 1)[1:4]:
                page.total, page.exact, page.facets = message.total, True, message.facets
        self._update_status()
        self._update_facets()

    def on_search_screen_failed(self, message: Failed) -> None:
        if message.generation != self.generation:
            return
        self.busy = False
        self.counting = False
        if message.bad_query:
            self.error = message.reason
            self._update_status()
            self.query_one("#results", ResultList).mark(message.generation)
            self.query_one("#results", ResultList).refresh()
        else:
            self.app.say(message.reason, severity="error")
        self.call_after_refresh(self._first_page_painted, message.generation)

    def _render_item(self, n: int, width: int) -> list:
        it = self.items[n]
        return result_lines(marked=self.app.is_marked(it.id), title=it.title, outlet=it.outlet,
                            published=it.published, article_id=it.id, snippet=it.snippet, width=max(30, width - 1))

    def _update_status(self) -> None:
        t = Text(end="")
        if self.error is not None:
            t.append("⚠ Query problem: ", style="bold reverse")
            t.append(" " + safe(self.error), style="bold")
            if self.items:
                t.append(f"  (still showing the results for {self.shown_query!r})" if self.shown_query
                         else "  (still showing every article)", style=DIM)
            self.query_one("#status", Static).update(t, layout=False)
            return
        what = "hit" if self.shown_query else "article"
        more = "" if self.exact else "+"
        t.append(f"{self.total:,}{more} {what}{'s' * (self.total != 1 or bool(more))}", style="bold")
        if self.counting:
            t.append(" (counting…)", style=DIM)
        if not self.shown_query:
            t.append(" (newest first)", style=DIM)
        if len(self.items) < self.total and self.exact:
            t.append(f" · {len(self.items):,} loaded", style=DIM)
        if self.outlet:
            t.append(" · outlet: ")
            t.append(safe(self.outlet), style="bold")
        if self.dates:
            t.append(" · dates: ")
            t.append(self.dates, style="bold")
        if self.outlet or self.dates:
            t.append(" (x clears)", style=DIM)
        if self.app.marked:
            t.append(f" · {MARK} {len(self.app.marked)} marked")
        if getattr(self.app, "watching", False):
            t.append(" · watching the folders", style=DIM)
        if self.shown_query and not self.total:
            t.append(" · nothing matches: try fewer words, OR, or a wildcard such as evacu*", style=DIM)
        self.query_one("#status", Static).update(t, layout=False)

    def _update_facets(self) -> None:
        t = Text(end="")
        t.append("Outlets", style="bold")
        t.append("  f to choose\n", style=DIM)
        for name, count in sorted(self.facets.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:12]:
            chosen = self.outlet and name.lower() == self.outlet.lower()
            t.append("▸ " if chosen else "  ", style="bold")
            t.append(f"{safe(name)[:20]:<20} {count:>5}\n", style="bold" if chosen else "")
        if self.counting:
            t.append("  counting…\n", style=DIM)
        elif not self.facets:
            t.append("  (none known)\n", style=DIM)
        t.append("\nDates", style="bold")
        t.append("  d to set\n", style=DIM)
        t.append(f"  {self.dates or 'any'}\n")
        self.query_one("#facets", Static).update(t, layout=False)

    @on(ResultList.Highlighted, "#results")
    def _highlighted(self, event: ResultList.Highlighted) -> None:
        if event.index >= len(self.items) - PREFETCH:
            self._load_more()

    @on(ResultList.Selected, "#results")
    def _selected(self, event: ResultList.Selected) -> None:
        self.action_open()

    # -- the index changed on disk (the app's watching, `brief watch`, `brief index`) ---------------

    REFRESH_PAGES = 20  # at most this many pages are searched again (the place is kept within them)

    @on(events.Mount)
    def _follow_watching(self) -> None:
        """The status line says when the app watches the folders (app.watching, f5)."""
        if hasattr(type(self.app), "watching"):
            self.watch(self.app, "watching", lambda _on: self._update_status(), init=False)

    def on_index_changed(self, message: IndexChanged) -> None:
        """Search again what is shown (the query, its filters, as many results as were loaded), then put
        the cursor back on the article it was on, at the same height: new articles appear, the user's
        place, the typed query and the scroll stay."""
        if self.shown_query is None or self._timer is not None or self.pending_query != self.shown_query:
            return  # a search is about to run or running: it sees the new index
        results = self.query_one("#results", ResultList)
        current = self.current()
        index = results.highlighted
        starts = getattr(results, "_starts", [])
        row = (starts[index] - results.scroll_offset.y) if index is not None and index < len(starts) else None
        self._keep_place = (current.id if current else None, index, row)
        self.generation += 1
        self.busy = True
        self.counting = False
        self.workers.cancel_group(self, "count")
        self._search_again(self.generation, self.shown_query, min(max(1, self.pages), self.REFRESH_PAGES),
                           self.outlet, self.dates)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search_again(self, generation: int, text: str, pages: int, outlet: str | None, dates: str | None) -> None:
        worker = get_current_worker()
        try:
            if text.strip():
                from index.search import search

                with self.app.searcher() as s:
                    res = search(s, text, limit=PAGE * pages, page=1, filter_query=self._filter_query(outlet, dates),
                                 count=False)
                items = [Item(h.id, h.title, h.outlet, h.published, h.snippet) for h in res.hits]
                result = Page(items, res.total, {}, res.total_exact)
            else:
                first = self._search_catalog(1, outlet, dates)
                items = list(first.items)
                for page in range(2, pages + 1):
                    items += self._search_catalog(page, outlet, dates).items
                result = Page(items, first.total, first.facets)
        except Exception as exc:  # noqa: BLE001 - the results stay as they were; said
            if not worker.is_cancelled:
                self.post_message(self.Failed(generation, f"the library changed; searching again failed: {exc}",
                                              False))
            return
        if not worker.is_cancelled:
            self.post_message(self.Refreshed(generation, pages, result))

    def on_search_screen_refreshed(self, message: Refreshed) -> None:
        if message.generation != self.generation:
            return
        self.busy = False
        results = self.query_one("#results", ResultList)
        keep_id, index, row = getattr(self, "_keep_place", (None, None, None))
        self.items = list(message.result.items)
        self.total, self.exact = message.result.total, message.result.exact
        self.pages = max(1, -(-len(self.items) // PAGE))
        if message.result.facets or not self.shown_query:
            self.facets = message.result.facets
        found = next((n for n, it in enumerate(self.items) if it.id == keep_id), None)
        if found is None and index is not None and self.items:
            found = min(index, len(self.items) - 1)  # the article went: the one now in its place
        results.set_count(len(self.items), highlighted=found)
        starts = getattr(results, "_starts", [])
        if found is not None and row is not None and found < len(starts):
            results.scroll_to(y=max(0, starts[found] - row), animate=False, immediate=True)
        results.mark(message.generation)
        if not self.shown_query:  # an empty library that has articles now, or one emptied
            self._update_hint(empty=not self.items and not self.outlet and not self.dates)
        self.counting = bool(self.shown_query)  # the count and the outlets, again on the changed index
        self._update_status()
        self._update_facets()
        self.call_after_refresh(self._first_page_painted, message.generation)

    # -- marks ----------------------------------------------------------------------------------

    def on_marks_changed(self, message: MarksChanged) -> None:
        self.refresh_marks()

    def on_screen_suspend(self) -> None:
        self._left_from = self.focused

    def on_screen_resume(self) -> None:
        # Back where the user left: the result list keeps the focus (space, c, b act on the results),
        # whatever the screens on top did with it.
        left_from = getattr(self, "_left_from", None)
        if left_from is not None and left_from.is_attached and self.focused is not left_from:
            self.set_focus(left_from, scroll_visible=False)
        self.refresh_marks()

    def refresh_marks(self) -> None:
        self.query_one("#results", ResultList).invalidate()
        self._update_status()

    # -- actions --------------------------------------------------------------------------------

    def current(self) -> Item | None:
        ol = self.query_one("#results", ResultList)
        if ol.highlighted is None or ol.highlighted >= len(self.items):
            return None
        return self.items[ol.highlighted]

    def action_focus_query(self) -> None:
        self.query_one("#query", Input).focus()

    def action_open(self) -> None:
        it = self.current()
        if it is None:
            self.app.say("No article to open: type a query first")
            return
        self.app.open_article(it.id, query=self.shown_query or None)

    def action_mark(self) -> None:
        it = self.current()
        if it is None:
            return
        self.app.toggle_mark(it.id)
        ol = self.query_one("#results", ResultList)
        if ol.highlighted is not None and ol.highlighted < len(self.items) - 1:
            ol.highlighted += 1

    def action_pin_article(self) -> None:
        it = self.current()
        if it is None:
            self.app.say("No article to pin: type a query first")
            return
        text = " ".join((it.title or "").split()) or f"Article {it.id}"
        if any(p["text"] == text and p["sources"] == [it.id] for p in self.app.pinned):
            self.app.unpin(text)
            self.app.say(f"Unpinned the article ({len(self.app.pinned)} pinned)")
        elif self.app.pin(text, [it.id], kind="article", origin={"article": it.id}):
            self.app.say(f"Pinned the article: {text} ({len(self.app.pinned)} pinned; P shows the brief)")
        else:
            self.app.say("A pin with that text is already in the brief")

    def action_unmark_all(self) -> None:
        self.app.clear_marks()

    def action_compare(self) -> None:
        if len(self.app.marked) < 2:
            self.app.say("Mark two or more articles with space, then press c to compare them", severity="warning")
            return
        self.app.open_compare(list(self.app.marked))

    def action_card(self) -> None:
        if self.app.marked:
            self.app.open_card(ids=list(self.app.marked))
        elif self.shown_query:
            self.app.open_card(query=self.shown_query)
        else:
            self.app.say("Type a query or mark articles first, then press b for a briefing card", severity="warning")

    def action_pick_outlet(self) -> None:
        from ..widgets.dialogs import ChoiceScreen

        counts = self.facets or {}
        names = sorted({r["outlet"] for r in self.app.catalog() if r["outlet"]}, key=str.lower)
        choices: list[tuple[str, Text]] = [("", Text("Any outlet", style="bold"))]
        for name in sorted(names, key=lambda n: (-counts.get(n, 0), n.lower())):
            label = Text(f"{safe(name)}")
            label.append(f"  {counts.get(name, 0)}", style=DIM)
            choices.append((name, label))

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self.outlet = value or None
            self.start_search(self.query_text)

        self.app.push_screen(ChoiceScreen("Narrow to one outlet", choices), chosen)

    def action_pick_dates(self) -> None:
        from ..widgets.dialogs import PromptScreen

        def chosen(value: str | None) -> None:
            if value is None:
                return
            value = value.strip().removeprefix("date:")
            if value:
                problem = _check_dates(value)
                if problem:
                    self.app.say(problem, severity="warning")
                    return
            self.dates = value or None
            self.start_search(self.query_text)

        self.app.push_screen(PromptScreen("Narrow to dates", self.dates or "", "2025-03-04..2025-03-06",
                                          "a day, a month (2025-03), a year, or FROM..TO (either end may be empty);"
                                          " empty for any date"), chosen)

    def action_clear_filters(self) -> None:
        if self.outlet or self.dates:
            self.outlet = self.dates = None
            self.start_search(self.query_text)

    def action_save_search(self) -> None:
        from ..saved_searches import save_search
        from ..widgets.dialogs import PromptScreen

        def chosen(name: str | None) -> None:
            name = (name or "").strip()
            if not name:
                return
            try:
                replaced = save_search(self.app.library, name, self.query_text, self.outlet, self.dates)
            except OSError as exc:
                self.app.say(f"Could not save the search: {exc}", severity="error")
                return
            self.app.say(f"{'Updated' if replaced else 'Saved'} search {name!r} (l lists saved searches)")

        self.app.push_screen(PromptScreen("Save this search as", self.query_text.strip()[:40], "a name"), chosen)

    def action_saved_searches(self) -> None:
        from .saved import SavedScreen

        def chosen(entry: dict | None) -> None:
            if entry is not None:
                self.run_saved(entry)

        self.app.push_screen(SavedScreen(self.app.library), chosen)

    def run_saved(self, entry: dict) -> None:
        self.outlet = entry.get("outlet") or None
        self.dates = entry.get("dates") or None
        inp = self.query_one("#query", Input)
        with inp.prevent(Input.Changed):
            inp.value = entry.get("query", "")
        self.start_search(inp.value)


def _date_bounds(dates: str) -> tuple[str, str]:
    """ISO strings bounding a date filter, for the catalog (the index uses index.search.date_query)."""
    from index.search import date_query

    q = date_query(dates)
    lo = q.startdate.date().isoformat() if q.startdate else "0000-01-01"
    hi = q.enddate.date().isoformat() if q.enddate else "9999-12-31"
    return lo, hi


def _check_dates(dates: str) -> str | None:
    from index.errors import QueryError

    try:
        _date_bounds(dates)
    except QueryError as exc:
        return f"Dates: {exc}"
    return None
