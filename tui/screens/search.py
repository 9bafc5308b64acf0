"""The search screen (home): a query bar with results as you type, paged results, facets, marks.

The query runs in a thread worker (group "search", exclusive: a newer keystroke cancels the older
search) after a short debounce; results come back as a message and are shown only if they belong to
the newest search. One page of hits is fetched at a time and the next one when the cursor nears the end,
so 20,000 hits cost what 30 do. A bad query is explained on the status line; the results stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ..actions import Action, bindings, register
from ..app import MarksChanged
from ..widgets.keybar import KeyBar
from ..widgets.text import DIM, MARK, result_prompt, safe

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
)

PAGE = 15
PREFETCH = 5  # fetch the next page when the cursor is this close to the end


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


class SearchScreen(Screen):
    SCOPE = "search"
    BINDINGS = bindings("search")
    AUTO_FOCUS = "#query"
    debounce = 0.15  # seconds after the last keystroke before the search runs

    class Results(Message):
        def __init__(self, generation: int, page: int, result: Page) -> None:
            super().__init__()
            self.generation, self.page, self.result = generation, page, result

    class Failed(Message):
        def __init__(self, generation: int, reason: str, bad_query: bool) -> None:
            super().__init__()
            self.generation, self.reason, self.bad_query = generation, reason, bad_query

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
        self._timer: Timer | None = None

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="query-bar"):
            yield Static(Text("Search ›", style="bold"), id="query-label")
            yield Input(placeholder="words, \"a phrase\", outlet:name, date:2025-03 … (f1 help)", id="query")
        yield Static(id="hint", classes="hint")
        yield Static(id="status", classes="status")
        with Horizontal(id="search-body"):
            yield OptionList(id="results")
            yield Static(id="facets")
        yield KeyBar("search")

    def on_mount(self) -> None:
        self.query_one("#query", Input).cursor_blink = not self.app.is_headless
        self._update_hint()
        self._layout(self.app.size.width)
        self.start_search("")

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        self.query_one("#search-body").set_class(width >= 110, "wide")

    def _update_hint(self) -> None:
        hint = self.query_one("#hint", Static)
        lib = self.app.library
        if not lib.exists() or not self.app.catalog():
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
            self.query_one("#results", OptionList).focus()

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if event.value != self.shown_query or self.error:
            self.start_search(event.value)
        if self.items:
            self.query_one("#results", OptionList).focus()

    def start_search(self, text: str) -> None:
        """Search ``text`` (with the current filters) from its first page; a newer call wins."""
        self._timer = None
        self.generation += 1
        self.pending_query = text
        self.busy = True
        self._run(self.generation, text, 1, self.outlet, self.dates)

    def _load_more(self) -> None:
        if self.busy or self.error is not None or len(self.items) >= self.total or self.shown_query is None:
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
        counts: dict[str, int] = {}
        with self.app.searcher() as s:
            res = search(s, text, limit=PAGE, page=page, filter_query=fq)
            if page == 1:
                counts = _outlet_counts(s, text, self._filter_query(None, dates))
        items = [Item(h.id, h.title, h.outlet, h.published, h.snippet) for h in res.hits]
        names = self._outlet_names() if counts else {}
        facets = {names.get(k, k): v for k, v in counts.items() if k}
        return Page(items, res.total, facets)

    def _outlet_names(self) -> dict[str, str]:
        return {(r["outlet"] or "").lower(): r["outlet"] for r in self.app.catalog() if r["outlet"]}

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
        return Page(items, len(rows), facets)

    # -- showing results ------------------------------------------------------------------------

    def on_search_screen_results(self, message: Results) -> None:
        if message.generation != self.generation:
            return  # an older search finished after a newer one started
        self.busy = False
        ol = self.query_one("#results", OptionList)
        if message.page == 1:
            self.error = None
            self.shown_query = self.pending_query
            self.items = list(message.result.items)
            self.total = message.result.total
            self.pages = 1
            self.facets = message.result.facets
            ol.clear_options()
            ol.add_options(self._option(it) for it in self.items)
            if self.items:
                ol.highlighted = 0
        else:
            seen = {it.id for it in self.items}
            new = [it for it in message.result.items if it.id not in seen]
            self.items.extend(new)
            self.pages = message.page
            ol.add_options(self._option(it) for it in new)
        self._update_status()
        self._update_facets()

    def on_search_screen_failed(self, message: Failed) -> None:
        if message.generation != self.generation:
            return
        self.busy = False
        if message.bad_query:
            self.error = message.reason
            self._update_status()
        else:
            self.app.say(message.reason, severity="error")

    def _option(self, it: Item) -> Option:
        width = max(30, (self.query_one("#results").size.width or self.app.size.width) - 4)
        return Option(result_prompt(marked=self.app.is_marked(it.id), title=it.title, outlet=it.outlet,
                                    published=it.published, article_id=it.id, snippet=it.snippet,
                                    width=width), id=it.id)

    def _update_status(self) -> None:
        t = Text(end="")
        if self.error is not None:
            t.append("⚠ Query problem: ", style="bold reverse")
            t.append(" " + safe(self.error), style="bold")
            if self.items:
                t.append(f"  (still showing the results for {self.shown_query!r})" if self.shown_query
                         else "  (still showing every article)", style=DIM)
            self.query_one("#status", Static).update(t)
            return
        what = "hit" if self.shown_query else "article"
        t.append(f"{self.total:,} {what}{'s' * (self.total != 1)}", style="bold")
        if not self.shown_query:
            t.append(" (newest first)", style=DIM)
        if len(self.items) < self.total:
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
        if self.shown_query and not self.total:
            t.append(" · nothing matches: try fewer words, OR, or a wildcard such as evacu*", style=DIM)
        self.query_one("#status", Static).update(t)

    def _update_facets(self) -> None:
        t = Text(end="")
        t.append("Outlets", style="bold")
        t.append("  f to choose\n", style=DIM)
        for name, count in sorted(self.facets.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:12]:
            chosen = self.outlet and name.lower() == self.outlet.lower()
            t.append("▸ " if chosen else "  ", style="bold")
            t.append(f"{safe(name)[:20]:<20} {count:>5}\n", style="bold" if chosen else "")
        if not self.facets:
            t.append("  (none known)\n", style=DIM)
        t.append("\nDates", style="bold")
        t.append("  d to set\n", style=DIM)
        t.append(f"  {self.dates or 'any'}\n")
        self.query_one("#facets", Static).update(t)

    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index >= len(self.items) - PREFETCH:
            self._load_more()

    @on(OptionList.OptionSelected, "#results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    # -- marks ----------------------------------------------------------------------------------

    def on_marks_changed(self, message: MarksChanged) -> None:
        self.refresh_marks()

    def on_screen_resume(self) -> None:
        self.refresh_marks()

    def refresh_marks(self) -> None:
        ol = self.query_one("#results", OptionList)
        for it in self.items:
            try:
                ol.replace_option_prompt(it.id, self._option(it).prompt)
            except Exception:  # noqa: BLE001 - the option list was refilled meanwhile
                pass
        self._update_status()

    # -- actions --------------------------------------------------------------------------------

    def current(self) -> Item | None:
        ol = self.query_one("#results", OptionList)
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
        ol = self.query_one("#results", OptionList)
        if ol.highlighted is not None and ol.highlighted < len(self.items) - 1:
            ol.highlighted += 1

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
        from ..widgets.dialogs import PromptScreen
        from .saved import save_search

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


def _outlet_counts(searcher, text: str, filter_query) -> dict[str, int]:
    """Hits per outlet (lower-cased facet value) for the query, ignoring the outlet filter.

    Done here rather than with index.search.search(facets=True), whose groupedby Whoosh refuses.
    Unscored, so it costs a walk over the matching documents and no ranking.
    """
    from whoosh import sorting

    from index.search import parse_query

    q = parse_query(text, searcher.schema)
    kwargs = {"filter": filter_query} if filter_query is not None else {}
    results = searcher.search(q, limit=None, scored=False, groupedby={"outlet": sorting.FieldFacet("outlet_facet")},
                              maptype=sorting.Count, **kwargs)
    return dict(results.groups("outlet"))


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
