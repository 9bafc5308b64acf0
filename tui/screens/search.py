"""The search screen (home): a query bar with results as you type, paged results, facets, marks.

The query runs in a thread worker (group "search", exclusive: a newer keystroke cancels the older
search) after a short debounce; results come back as a message and are shown only if they belong to
the newest search. One page of hits is fetched at a time (as many as the list has rows for, and more
until the list is full) and the next one when the cursor nears the end, so 20,000 hits cost what 30 do;
End loads the rest in growing chunks, then goes to the real last hit. A query with nothing to search for
yet (one letter, "the") is a "keep typing" hint; a real problem is explained on the status line once the
typing pauses (or at Enter); the results stay.

Sorts (S): relevance is Whoosh's ranking; newest, oldest, outlet and title find every match without
scoring it and order the document numbers by keys read once per index (dates and outlets from the index's
columns, titles from the stored fields); undated articles come last. The empty query lists the catalog.

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

from ..actions import Action, actions_for, bindings, effective_key, key_label, register
from ..actions import get as REGISTRY_GET
from ..messages import IndexChanged, MarksChanged
from ..saved_searches import SORTS  # relevance, newest, oldest, outlet, title: the order S cycles them in
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
           help="Save this search (query, filters, sort, unread only) with a name"),
    Action("search.saved", "l", "saved", "search", "saved_searches", show=False, help="Saved searches: run or delete one"),
    Action("search.unmark_all", "U", "unmark all", "search", "unmark_all", show=False,
           help="Unmark every marked article"),
    Action("search.pin_article", "a", "pin article", "search", "pin_article", show=False,
           help="Pin the highlighted article into the current brief (again to unpin; P shows the brief)"),
    Action("search.tags", "t", "tags", "search", "edit_tags", show=False,
           help="Your tags on the highlighted article (kept in the library; tag:NAME finds them)"),
    Action("search.toggle_read", "N", "read/unread", "search", "toggle_read", show=False,
           help="Mark the highlighted article read or unread"),
    Action("search.unread_only", "u", "unread only", "search", "unread_only", show=False,
           help="Show only the articles not read yet (again to show every one)"),
)
register(  # the list itself: order, ends, the way from the query bar
    Action("search.sort", "S", "sort", "search", "cycle_sort",
           help="Sort the results: relevance, newest, oldest, outlet, title (again for the next; undated last)"),
    Action("search.results", "down", "results", "search", "focus_results", show=False,
           help="From the query bar down to the results (enter too: it searches at once)"),
    Action("search.first", "home,g", "first", "search", "first", show=False, help="Go to the first result"),
    Action("search.last", "end,G", "last", "search", "last", show=False,
           help="Go to the last result (the rest of a long list is loaded first: the status line says so)"),
)

PAGE = 10  # the least hits fetched at a time (more on a tall terminal: a page fills the list); ~2 ms a hit
PREFETCH = 5  # fetch the next page when the cursor is this close to the end
CACHE = 128  # pages and counts of recent searches kept
COUNT_AFTER = 0.3  # seconds after a page is painted before its hits are counted (if no newer search came)
END_CHUNK = 800  # the most hits fetched at a time on the way to the last one (End): ~0.4 s of snippets
ERROR_AFTER = 0.8  # seconds without a keystroke before a query problem (an unclosed quote...) is shown
UNKNOWN_OUTLET = "(unknown outlet)"  # the outlet filter and facet of the articles that name no outlet
SORT_LABELS = {"relevance": "by relevance", "newest": "newest first", "oldest": "oldest first",
               "outlet": "by outlet A–Z", "title": "by title A–Z"}
_NO_WORDS = ("has no words to search for", "the query is empty")  # still being typed: a hint, not a problem
_UNDATED = 2**64 - 1  # what Whoosh's published column holds for an article with no date


def _facet_value(outlet: str) -> str:
    """The outlet_facet term of an outlet filter ("" for the articles with no outlet)."""
    return "" if outlet == UNKNOWN_OUTLET else outlet.lower()


class _Stored:
    """A stored document in the shape index.search.make_hit reads (a Whoosh Hit's fields() and score)."""

    score = 0.0

    def __init__(self, fields: dict) -> None:
        self._fields = fields

    def fields(self) -> dict:
        return self._fields


class SearchKeyBar(KeyBar):
    """The search screen's key bar: on the query bar (where letters are typed) it says how to reach the
    results, before the app's keys; on the list, the screen's keys as every key bar shows them."""

    def refresh_keys(self, force: bool = False) -> None:
        from ..widgets.keybar import _short, _usable

        if not isinstance(self.screen.focused, Input):
            return super().refresh_keys(force)
        keymap = getattr(self.app, "keymap", {})
        state = (True, tuple(sorted(keymap.items())), self.size.width)
        if state == self._last and not force:
            return
        self._last = state
        down = key_label(effective_key(REGISTRY_GET("search.results"), keymap).split(",")[0])
        items = [(f"{down.replace('down', '↓')}/enter", "results")]  # enter also searches at once
        for a in actions_for("app"):
            k = _usable(effective_key(a, keymap), True) if a.show else None
            if k is not None:
                items.append((_short(key_label(k)), a.description))
        width, used = max(10, self.size.width - 2), 0
        t = Text(end="", no_wrap=True, overflow="ellipsis")
        for k, d in items:
            need = len(k) + len(d) + 4
            if used + need > width:
                continue
            self._append(t, k, d)
            used += need
        self.update(t, layout=False)


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
    notice: str | None = None  # what a bounded wildcard or fuzzy term left out (index.search.expansion_notice)


class SearchScreen(FastScreen):
    SCOPE = "search"
    BINDINGS = bindings("search")
    AUTO_FOCUS = "#query"
    debounce = 0.15  # seconds after the last keystroke before the search runs
    count_after = COUNT_AFTER

    class Results(Message):
        """Hits from ``start`` on (0: a new list; else more at the end of the list shown)."""

        def __init__(self, generation: int, start: int, result: Page) -> None:
            super().__init__()
            self.generation, self.start, self.result = generation, start, result

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

        def __init__(self, generation: int, count: int, result: Page) -> None:
            super().__init__()
            self.generation, self.count, self.result = generation, count, result

    def __init__(self) -> None:
        super().__init__()
        self.generation = 0
        self.shown_query: str | None = None  # the query whose results are on screen
        self.pending_query = ""
        self.items: list[Item] = []
        self.total = 0
        self.notice: str | None = None  # the shown results' expansion notice ("'s*' matches 1,197 words; ...")
        self.pages = 0
        self.busy = False
        self.error: str | None = None
        self.outlet: str | None = None  # display name
        self.dates: str | None = None
        self.unread_only = False  # u: the articles not read yet only
        self.facets: dict[str, int] = {}
        self.exact = True  # self.total is the exact count (else a lower bound, being counted)
        self.counting = False
        self._timer: Timer | None = None
        self._focus_results = False  # Enter was pressed before the results came: focus them when they do
        self._pages: OrderedDict[tuple, Page] = OrderedDict()
        self._counts: OrderedDict[tuple, tuple[int, dict[str, int]]] = OrderedDict()
        self._names: tuple[int, dict[str, str]] | None = None
        self.sort = "relevance"  # the user's choice; an empty query lists newest first for "relevance"
        self.page_size = PAGE  # hits fetched at a time, enough to fill the list (set per search)
        self.loaded_to = 0  # results fetched so far: the next fetch starts here
        self.asked_to = 0  # where the last fetch was to end (fewer came: the end of the hits)
        self.to_end = False  # End was pressed: load the rest, then go to the last
        self.typing_hint: str | None = None  # the query has nothing to search for yet (one letter, "the")
        self.error_shown = True  # self.error is on the status line (else held back while typing)
        self.error_query: str | None = None  # the query self.error is about
        self._typed_at = 0.0
        self._entered = False
        self._error_timer: Timer | None = None
        self._said: str | None = None  # the last failure notified (one notice, not one per keystroke)
        self._orders: OrderedDict[tuple, tuple] = OrderedDict()  # sorted hits of recent searches
        self._sort_keys: dict[tuple, list] = {}
        self._catalog_sorted: dict[tuple, list] = {}

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
        yield SearchKeyBar("search")

    def on_mount(self) -> None:
        self.query_one("#query", Input).cursor_blink = not self.app.is_headless
        self.query_one("#status", Static).update(Text("Opening the library…", style=DIM), layout=False)
        self._update_hint()
        self._layout(self.app.size.width)
        self.start_search("")

    def on_resize(self, event) -> None:
        self._layout(event.size.width)
        self.page_size = max(self.page_size, self._page_size(self.shown_query or ""))
        self.call_after_refresh(self._fill_view)  # taller: more hits to fill it

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
        import time

        self.pending_query = event.value
        self._entered = False
        self._typed_at = time.monotonic()
        if self._error_timer is not None:
            self._error_timer.stop()
            self._error_timer = None
        if self._timer is not None:
            self._timer.stop()
        if self.debounce <= 0:
            self.start_search(event.value)
        else:
            self._timer = self.set_timer(self.debounce, lambda: self.start_search(self.pending_query))

    def on_paste(self, event: events.Paste) -> None:
        """Text pasted while the results have the focus is a query ("/levee" pasted: the query levee)."""
        if isinstance(self.focused, Input):
            return
        event.stop()
        text = (event.text.splitlines() or [""])[0]
        text = text[1:] if text.startswith("/") else text
        inp = self.query_one("#query", Input)
        self.set_focus(inp)
        inp.insert_text_at_cursor(text)

    def _focus_list(self) -> None:
        # set_focus now, not Widget.focus() (which waits for the message queue): a key pressed right
        # after Enter must reach the list, not the query bar.
        self.set_focus(self.query_one("#results", ResultList))

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        self._entered = True  # a problem with this query is said at once
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.error and event.value == self.error_query and not self.busy:
            self._show_error(self.generation)
        elif event.value != self.shown_query or self.error:
            self.start_search(event.value)
        if self.items:
            self._focus_list()
        else:
            self._focus_results = True  # when they come

    def start_search(self, text: str) -> None:
        """Search ``text`` (with the current filters and sort) from its first hit; a newer call wins."""
        self._timer = None
        self.generation += 1
        self.pending_query = text
        self.busy = True
        self.counting = False
        self.to_end = False
        self.workers.cancel_group(self, "count")
        self.page_size = self._page_size(text)
        key = self._key(text, 0, self.page_size)
        page = self._pages.get(key)
        if page is not None:  # seen lately: no worker, no wait
            self._pages.move_to_end(key)
            self.asked_to = self.page_size
            self.on_search_screen_results(self.Results(self.generation, 0, page))
            return
        self.asked_to = self.page_size
        self._run(self.generation, text, 0, self.page_size, self.outlet, self.dates, self._sort_for(text))

    def _sort_for(self, text: str) -> str:
        """The sort in force for ``text``: an empty query has no relevance, and lists newest first."""
        return "newest" if self.sort == "relevance" and not text.strip() else self.sort

    def _page_size(self, text: str) -> int:
        """Hits enough to fill the list at its height (a hit takes 4 lines with a snippet, 2 without)."""
        try:
            rows = self.query_one("#results", ResultList).size.height
        except Exception:  # noqa: BLE001 - not mounted yet
            rows = 0
        rows = rows or max(0, self.app.size.height - 5)
        return max(PAGE, -(-rows // (4 if text.strip() else 2)) + 1)

    def _key(self, text: str, start: int, count: int) -> tuple:
        return (self.app.index_generation, text.strip(), _facet_value(self.outlet or "") if self.outlet else None,
                self.dates or "", self._sort_for(text), start, count, self._state_key())

    def _state_key(self) -> tuple:
        """What of the user state a cached page depends on: unread only, and the tags and read marks then."""
        return (self.unread_only, getattr(self.app, "user_state_generation", 0))

    def _user_tags(self):
        tags = getattr(self.app, "user_tags", None)
        return tags() if tags is not None else None

    def _more_to_load(self) -> bool:
        return self.loaded_to < self.total or (not self.exact and self.loaded_to >= self.asked_to)

    def _load_more(self) -> None:
        if self.busy or self.error is not None or not self._more_to_load() or self.shown_query is None:
            return
        self.busy = True
        start = self.loaded_to
        count = self.page_size
        if self.to_end:
            # To the end: twice as many each time, up to END_CHUNK (a newer search waits for at most one
            # chunk); a relevance page must start at a multiple of its size.
            count = max(self.page_size, min(start, END_CHUNK))
            while count > self.page_size and start % count:
                count -= self.page_size
        self.asked_to = start + count
        self._run(self.generation, self.shown_query, start, count, self.outlet, self.dates,
                  self._sort_for(self.shown_query))

    def _fill_view(self) -> None:
        """Fetch more while the list does not fill its height (a tall terminal, short hits)."""
        results = self.query_one("#results", ResultList)
        if results.virtual_size.height < results.size.height and self.items:
            self._load_more()

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run(self, generation: int, text: str, start: int, count: int, outlet: str | None, dates: str | None,
             sort: str = "relevance") -> None:
        from index.errors import LibraryError, QueryError

        worker = get_current_worker()
        try:
            if worker.is_cancelled:
                return
            result = self._fetch(text, start, count, outlet, dates, sort)
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
            self.post_message(self.Results(generation, start, result))

    def _fetch(self, text: str, start: int, count: int, outlet: str | None, dates: str | None, sort: str) -> Page:
        """Hits ``start`` to ``start + count`` of ``text`` (blocking: from a worker)."""
        if not text.strip():
            return self._search_catalog(start, count, outlet, dates, sort)
        if sort == "relevance":
            return self._search_index(text, start, count, outlet, dates)
        return self._search_sorted(text, start, count, outlet, dates, sort)

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count(self, generation: int, text: str, outlet: str | None, dates: str | None) -> None:
        """Count the hits, and per outlet, on the background searcher; stop as soon as a newer search starts."""
        from index.search import SearchCancelled, count_hits

        worker = get_current_worker()

        def stop() -> bool:
            return worker.is_cancelled or self.generation != generation

        key = (self.app.index_generation, text.strip(), dates or "", self._state_key())
        try:
            with self.app.background_searcher() as s:
                if stop():
                    return
                total, counts = count_hits(s, text, filter_query=self._filter_query(None, dates),
                                           group=self.app.outlet_values(s), should_stop=stop,
                                           user_tags=self._user_tags())
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
        """(hits within the outlet filter, facets by display name) from an outlet-blind count; the articles
        that name no outlet are a facet of their own (UNKNOWN_OUTLET), so that every hit can be reached."""
        names = self._outlet_names()
        facets = {names.get(k, k): v for k, v in counts.items() if k}
        if counts.get(""):
            facets[UNKNOWN_OUTLET] = counts[""]
        return (counts.get(_facet_value(outlet), 0) if outlet else total), facets

    def _filter_query(self, outlet: str | None, dates: str | None):
        from whoosh import query as wq

        from index.search import date_query

        parts = []
        if outlet:
            parts.append(wq.Term("outlet_facet", _facet_value(outlet)))
        if dates:
            parts.append(date_query(dates))
        unread = self.app.unread_query() if self.unread_only and hasattr(self.app, "unread_query") else None
        if unread is not None:
            parts.append(unread)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _search_index(self, text: str, start: int, count: int, outlet: str | None, dates: str | None) -> Page:
        from index.search import search

        fq = self._filter_query(outlet, dates)
        more = {"user_tags": self._user_tags()}
        try:
            worker = get_current_worker()
            more["should_stop"] = lambda: worker.is_cancelled  # a newer search came: stop (SearchCancelled)
        except Exception:  # noqa: BLE001 - not in a worker: nothing to stop for
            pass
        with self.app.searcher() as s:
            if start % count == 0:
                res = search(s, text, limit=count, page=start // count + 1, filter_query=fq, count=False, **more)
                hits = res.hits
            else:  # not on a page boundary (never in practice): the hits up to the end, sliced
                res = search(s, text, limit=start + count, page=1, filter_query=fq, count=False, **more)
                hits = res.hits[start:]
        items = [Item(h.id, h.title, h.outlet, h.published, h.snippet) for h in hits]
        total, exact, facets = res.total, res.total_exact, {}
        counted = self._counts.get((self.app.index_generation, text.strip(), dates or "", self._state_key()))
        if counted is not None:
            (total, facets), exact = self._totals(*counted, outlet), True
        result = Page(items, total, facets, exact, res.notice)
        self._remember(self._key(text, start, count), result)
        return result

    def _search_sorted(self, text: str, start: int, count: int, outlet: str | None, dates: str | None,
                       sort: str) -> Page:
        """Hits in date, outlet or title order: every match is found (no scoring), ordered by keys read
        once per index, and only the page asked for is read and given snippets."""
        from whoosh import query as wq

        from index.search import expansion_notice, make_hit, matching_docnums, prepare_query, query_terms

        generation = self.app.index_generation
        okey = (generation, text.strip(), _facet_value(outlet) if outlet else None, dates or "", sort,
                self._state_key())
        with self.app.searcher() as s:
            found = self._orders.get(okey)
            if found is None:
                q = prepare_query(text, s, user_tags=self._user_tags())
                notice = None
                if q is wq.NullQuery:
                    docs, terms = [], frozenset()
                else:
                    notice = expansion_notice(q)
                    terms = query_terms(q, s.reader(), bounded=True)
                    fq = self._filter_query(outlet, dates)
                    full = wq.And([q, fq]).normalize() if fq is not None else q
                    docs = matching_docnums(s, full)
                    if docs is None:
                        docs = list(s.docs_for_query(full))
                    keys = self._keys_for(s, sort)
                    docs.sort(key=keys.__getitem__)
                found = (docs, terms, notice)
                self._orders[okey] = found
                while len(self._orders) > 8:
                    self._orders.popitem(last=False)
            docs, terms, notice = found
            items = []
            for d in docs[start:start + count]:
                h = make_hit(_Stored(s.stored_fields(d)), terms)
                items.append(Item(h.id, h.title, h.outlet, h.published, h.snippet))
        result = Page(items, len(docs), {}, True, notice)
        counted = self._counts.get((generation, text.strip(), dates or "", self._state_key()))
        if counted is not None:
            result.facets = self._totals(*counted, outlet)[1]
        self._remember(self._key(text, start, count), result)
        return result

    def _keys_for(self, s, sort: str) -> list:
        """A sort key per document number of searcher ``s`` (cached per index generation): dates and
        outlets from the index's columns, titles from the stored fields (read once, ~0.2 s per 3,000)."""
        generation = self.app.index_generation
        keys = self._sort_keys.get((generation, sort))
        if keys is not None:
            return keys
        base = self._sort_keys.get((generation, "base"))
        if base is None:
            self._sort_keys.clear()  # an older index's
            reader = s.reader()
            n = reader.doc_count_all()
            try:
                stamps = list(reader.column_reader("published", translate=False))
            except Exception:  # noqa: BLE001 - no date column: all undated
                stamps = [_UNDATED] * n
            undated = [not isinstance(v, int) or v >= _UNDATED for v in stamps]
            stamps = [0 if u else v for u, v in zip(undated, stamps)]
            try:
                outlets = list(reader.column_reader("outlet_facet"))
            except Exception:  # noqa: BLE001
                outlets = [""] * n
            titles = [(reader.stored_fields(d).get("title") or "").casefold() for d in range(n)]
            base = (undated, stamps, outlets, titles)
            self._sort_keys[(generation, "base")] = base
        undated, stamps, outlets, titles = base
        if sort == "oldest":
            keys = list(zip(undated, stamps, titles))
        elif sort == "outlet":
            keys = [(not o, o, u, -v, t) for o, u, v, t in zip(outlets, undated, stamps, titles)]
        elif sort == "title":
            keys = [(not t, t, u, -v) for t, u, v in zip(titles, undated, stamps)]
        else:  # newest
            keys = [(u, -v, t) for u, v, t in zip(undated, stamps, titles)]
        self._sort_keys[(generation, sort)] = keys
        return keys

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

    def _sorted_catalog(self, sort: str) -> list[dict]:
        """The catalog rows in ``sort`` order (the catalog itself is newest first; undated last)."""
        rows = self.app.catalog()
        if sort in ("newest", "relevance"):
            return rows
        key = (id(rows), sort)
        found = self._catalog_sorted.get(key)
        if found is None:
            if sort == "oldest":
                # Stable: the catalog's A-Z within a day stays.
                found = sorted(rows, key=lambda r: (not r["published"], r["published"] or ""))
            elif sort == "outlet":
                found = sorted(rows, key=lambda r: (not r["outlet"], (r["outlet"] or "").casefold()))
            else:
                found = sorted(rows, key=lambda r: (not r["title"], (r["title"] or "").casefold()))
            self._catalog_sorted = {k: v for k, v in self._catalog_sorted.items() if k[0] == id(rows)}
            self._catalog_sorted[key] = found
        return found

    def _search_catalog(self, start: int, count: int, outlet: str | None, dates: str | None,
                        sort: str = "newest") -> Page:
        rows = self._sorted_catalog(sort)
        if dates:
            lo, hi = _date_bounds(dates)
            rows = [r for r in rows if r["published"] and lo <= r["published"] <= hi]
        if self.unread_only and hasattr(self.app, "is_read"):
            rows = [r for r in rows if not self.app.is_read(r["id"])]
        facets = {}
        if start == 0:
            for r in rows:
                name = r["outlet"] or UNKNOWN_OUTLET
                facets[name] = facets.get(name, 0) + 1
        if outlet:
            want = _facet_value(outlet)
            rows = [r for r in rows if (r["outlet"] or "").lower() == want]
        items = [Item(r["id"], r["title"], r["outlet"], r["published"]) for r in rows[start:start + count]]
        result = Page(items, len(rows), facets)
        self._remember(self._key("", start, count), result)
        return result

    # -- showing results ------------------------------------------------------------------------

    def on_search_screen_results(self, message: Results) -> None:
        if message.generation != self.generation:
            return  # an older search finished after a newer one started
        self.busy = False
        results = self.query_one("#results", ResultList)
        if message.start == 0:
            first_paint = self.shown_query is None
            self.error = None
            self.typing_hint = None
            self._said = None
            self.shown_query = self.pending_query
            self.items = list(message.result.items)
            self.total = message.result.total
            self.exact = message.result.exact
            self.notice = message.result.notice
            self.pages = 1
            self.loaded_to = len(self.items)
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
            self.pages += 1
            self.loaded_to = message.start + len(message.result.items)
            if not self.exact and not message.result.exact:
                self.total = max(self.total, message.result.total, len(self.items))
            if not self.exact and self.loaded_to < self.asked_to:  # fewer came: that was the end
                self.total, self.exact = len(self.items), True
            results.extend_count(len(self.items))
        if self.to_end:
            if self._more_to_load():
                self._load_more()
            else:
                self.to_end = False
                results.highlighted = len(self.items) - 1 if self.items else None
        else:
            self.call_after_refresh(self._fill_view)
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
            if key[1:4] == self._key(self.shown_query or "", 0, 0)[1:4]:
                page.total, page.exact, page.facets = message.total, True, message.facets
        self._update_status()
        self._update_facets()

    def on_search_screen_failed(self, message: Failed) -> None:
        if message.generation != self.generation:
            return
        import time

        self.busy = False
        self.counting = False
        self.to_end = False
        results = self.query_one("#results", ResultList)
        if message.bad_query and any(words in message.reason for words in _NO_WORDS):
            # One letter, or only words such as "the": nothing to search for yet, which is no problem
            # while typing. A hint; the results stay.
            self.error, self.typing_hint = None, self.pending_query.strip()
            self._update_status()
            results.mark(message.generation)
        elif message.bad_query:
            # A real problem (an unclosed quote...), said once the typing pauses (or at Enter): a quote
            # opened to type a phrase is not a mistake yet.
            self.error, self.typing_hint, self.error_query = message.reason, None, self.pending_query
            wait = ERROR_AFTER - (time.monotonic() - self._typed_at)
            if self._entered or wait <= 0:
                self._show_error(message.generation)
            else:
                self.error_shown = False
                if self._error_timer is not None:
                    self._error_timer.stop()
                self._error_timer = self.set_timer(wait, partial(self._show_error, message.generation))
                self._update_status()
            results.mark(message.generation)
            results.refresh()
        elif message.reason != self._said:  # one notice for one failure, not one per keystroke
            self._said = message.reason
            self.app.say(message.reason, severity="error")
        self.call_after_refresh(self._first_page_painted, message.generation)

    def _show_error(self, generation: int) -> None:
        self._error_timer = None
        if generation == self.generation and self.error is not None:
            self.error_shown = True
            self._update_status()

    def _render_item(self, n: int, width: int) -> list:
        it = self.items[n]
        lines = result_lines(marked=self.app.is_marked(it.id), title=it.title, outlet=it.outlet,
                             published=it.published, article_id=it.id, snippet=it.snippet, width=max(30, width - 1))
        label = getattr(self.app, "user_state_label", None)
        said = label(it.id) if label is not None else ""
        if said and len(lines) > 1:  # " · read · #flood": in words, never colour alone
            lines[1].append((said, DIM))
        return lines

    def _update_status(self) -> None:
        t = Text(end="")
        if self.error is not None and self.error_shown:
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
        t.append(f" ({SORT_LABELS[self._sort_for(self.shown_query or '')]})", style=DIM)
        if self.to_end:
            t.append(f" · loading… {len(self.items):,} of {self.total:,}{more}", style="bold")
        elif len(self.items) < self.total and self.exact:
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
        if self.unread_only:
            t.append(" · unread only", style="bold")
            t.append(" (u: all)", style=DIM)
        if getattr(self.app, "watching", False):
            t.append(" · watching the folders", style=DIM)
        if self.notice and self.shown_query:
            t.append(" · ")
            t.append(safe(self.notice), style="bold")
        if self.typing_hint is not None:
            t.append(f" · keep typing ({safe(self.typing_hint)[:30]!r}: no word to search for yet)", style=DIM)
        elif self.error is not None:
            t.append(" · …", style=DIM)  # a problem with what is being typed, said if the typing pauses
        elif self.shown_query and not self.total:
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
        size = self.page_size
        pages = min(max(1, -(-self.loaded_to // size)), self.REFRESH_PAGES)
        self.to_end = False
        self._search_again(self.generation, self.shown_query, pages * size, self.outlet, self.dates,
                           self._sort_for(self.shown_query))

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search_again(self, generation: int, text: str, count: int, outlet: str | None, dates: str | None,
                      sort: str = "relevance") -> None:
        worker = get_current_worker()
        try:
            result = self._fetch(text, 0, count, outlet, dates, sort)
            if text.strip():
                result = Page(result.items, result.total, {}, result.exact)  # the facets: counted again
        except Exception as exc:  # noqa: BLE001 - the results stay as they were; said
            if not worker.is_cancelled:
                self.post_message(self.Failed(generation, f"the library changed; searching again failed: {exc}",
                                              False))
            return
        if not worker.is_cancelled:
            self.post_message(self.Refreshed(generation, count, result))

    def on_search_screen_refreshed(self, message: Refreshed) -> None:
        if message.generation != self.generation:
            return
        self.busy = False
        results = self.query_one("#results", ResultList)
        keep_id, index, row = getattr(self, "_keep_place", (None, None, None))
        self.items = list(message.result.items)
        self.total, self.exact = message.result.total, message.result.exact
        self.pages = max(1, -(-len(self.items) // self.page_size))
        self.loaded_to, self.asked_to = len(message.result.items), message.count
        if message.result.facets or not self.shown_query:
            self.facets = message.result.facets
        found = next((n for n, it in enumerate(self.items) if it.id == keep_id), None)
        if found is None and index is not None and self.items:
            found = min(index, len(self.items) - 1)  # the article went: the one now in its place
        results.set_count(len(self.items), highlighted=found)
        starts = getattr(results, "_starts", [])
        at_top = row is not None and index is not None and index < len(starts) and starts[index] == row
        if found is not None and row is not None and found < len(starts):
            y = max(0, starts[found] - row)
            if at_top and starts[found] + len(results._lines[found]) <= results.size.height:
                y = 0  # the list was at its top and the article still shows there: the new ones show above it
            results.scroll_to(y=y, animate=False, immediate=True)
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
        # set_focus now, not Input.focus() (which waits for the message queue): the keys typed right
        # after "/" (a pasted "/levee") must all land in the query bar, none in the list.
        self.set_focus(self.query_one("#query", Input))

    def action_focus_results(self) -> None:
        if self.items:
            self._focus_list()

    def action_cycle_sort(self) -> None:
        """The next sort (an empty query has no relevance order: it skips it)."""
        text = self.query_text
        before = self._sort_for(text)
        n = SORTS.index(self.sort)
        for step in range(1, len(SORTS) + 1):
            self.sort = SORTS[(n + step) % len(SORTS)]
            if self._sort_for(text) != before:
                break
        self.start_search(self.query_text)

    def action_first(self) -> None:
        self.to_end = False
        results = self.query_one("#results", ResultList)
        if self.items:
            results.highlighted = 0
        self._update_status()

    def action_last(self) -> None:
        """The real last hit: what is not loaded yet is loaded first (twice as much each time, the status
        line saying "loading…"; the app stays responsive), then the cursor goes there."""
        results = self.query_one("#results", ResultList)
        if not self.items:
            return
        if self._more_to_load() and self.error is None:
            self.to_end = True
            results.highlighted = len(self.items) - 1
            self._load_more()
        else:
            results.highlighted = len(self.items) - 1
        self._update_status()

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
        rows = self.app.catalog()
        names = sorted({r["outlet"] for r in rows if r["outlet"]}, key=str.lower)
        if any(not r["outlet"] for r in rows):
            names.append(UNKNOWN_OUTLET)  # the articles that name none: reachable too
        choices: list[tuple[str, Text]] = [("", Text("Any outlet", style="bold"))]
        for name in sorted(names, key=lambda n: (-counts.get(n, 0), n == UNKNOWN_OUTLET, n.lower())):
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

    def action_edit_tags(self) -> None:
        it = self.current()
        if it is None:
            self.app.say("No article to tag here")
            return
        self.app.edit_tags(it.id, it.title)

    def action_toggle_read(self) -> None:
        it = self.current()
        if it is not None:
            self.app.toggle_read(it.id)

    def action_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self.app.say("Only the articles not read yet (u shows every one)" if self.unread_only
                     else "Every article, read or not")
        self.start_search(self.query_text)

    def on_user_state_changed(self, message) -> None:  # tui.messages.UserStateChanged: marks and tags shown
        self.refresh_marks()
        if self.unread_only:
            self.start_search(self.query_text)

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
                replaced = save_search(self.app.library, name, self.query_text, self.outlet, self.dates,
                                       self.sort, self.unread_only)
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
        self.sort = entry.get("sort") if entry.get("sort") in SORTS else "relevance"
        self.unread_only = bool(entry.get("unread"))
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
