"""The Textual app of `brief`: search (home), reader, help, saved searches; compare and card screens plug in.

Public API, for the screens (tui.screens.compare / tui.screens.card are written against it)::

    app = BriefApp(library, *, hint=None, theme=None, config_path=None)
    app.library                                   index.library.Library (opened once)
    app.open_article(article_id, *, query=None, highlight=None)
        push the reader; ``query`` terms highlighted (n/N jump); the paragraph containing
        ``highlight`` (a passage's text) is marked and scrolled to
    app.open_compare(ids)                          push tui.screens.compare.CompareScreen(ids)
    app.open_card(query=None, ids=None, brief=None) push tui.screens.card.CardScreen(query=..., ids=...); with
                                                   ``brief`` (its name) the card of a brief's articles
    app.card_history: bool                         cards built are kept in the library's card history and say
                                                   what changed since the one before (True; test harnesses: off)
    app.marked: list[str]                          marked article ids, in mark order (shared by screens)
    app.toggle_mark(article_id) -> bool            True when now marked; posts MarksChanged to the screen
    app.pinned: list[dict]                         the current brief's pins {"text": str, "sources": [ids]}
    app.pin(text, sources, *, kind="line", origin=None) -> bool
                                                   pin into the current brief (index.pins kinds; origin:
                                                   {"card": query} / {"article": id, "paragraph": n}...);
                                                   False when already pinned; posts PinsChanged
    app.unpin(text) -> bool                        False when it was not pinned; posts PinsChanged
    app.briefs: index.pins.Briefs                  every brief of the library (<library>/briefs.json), read
                                                   at first use; change it only through change_briefs
    app.change_briefs(change) -> result            apply change(briefs) now, and to the file in the
                                                   background (re-read, change, replace, under its lock);
                                                   posts PinsChanged; BriefsError -> a warning, None
    app.reload_briefs()                            read the file again in the background (another brief
                                                   may have changed it); PinsChanged when it did
    app.open_brief()                               push tui.screens.brief.BriefScreen (the current brief)
    app.back() / app.forward()                     history: back pops the screen, keeping it (and its state:
                                                   query, selection, scroll) for forward
    app.push_history(screen)                       push a screen as a new place (clears forward history)
    with app.searcher() as s: ...                  THE shared Whoosh searcher, under a lock (workers share it),
                                                   refreshed when the index changed (app.refresh_searcher());
                                                   hold it briefly: typed searches wait for it
    with app.background_searcher() as s: ...       a second searcher, for long unhurried work (hit counts,
                                                   related articles) so that it never holds up a search
    app.index_generation: int                      bumped whenever the searchers see a changed index
    app.get_article(article_id) -> Article         cached; call from a worker (it takes the searcher lock)
    app.catalog() -> list[dict]                    every article row, newest first (a light cached copy of
                                                   the manifest's rows, reloaded when the manifest changes)
    app.say(message, severity="information")       a notification; never interprets markup (article text is safe)
    app.keymap: dict[str, str]                     the user's remaps (action id -> key string) in force
    app.watching: bool                             whether the app keeps the library up to date as files change
                                                   (the config's ``watch``; f5 toggles it: app.toggle_watch())
    on_index_changed(IndexChanged) on screens      the index changed on disk (the app's watching, `brief watch`,
                                                   `brief index`); the searchers and catalog already see it
    app.is_read(id) / app.mark_read(id) / app.mark_unread(id) / app.toggle_read(id)
                                                   read marks (<library>/userstate.json, index.userstate); the
                                                   reader marks what it shows; posts UserStateChanged(ids)
    app.tags_of(id) -> list[str] / app.tags_label(id) -> "#flood #levee" / app.set_tags(id, tags)
    app.edit_tags(id, title=None)                  the tag dialog (tui.widgets.tagdialog); Enter saves
    app.user_tags() -> {tag: ids}                  for index.search's search()/count_hits(user_tags=...)
    app.user_state_label(id) -> " · read · #flood" what a list row adds; app.user_state_generation: bumped
                                                   at every change (for a screen's cache keys)
    app.unread_query() -> Query | None             "unread only": AND it with a search's filter_query
    app.reindex()                                  ctrl+r: index.indexer.update in a worker, with progress

Screens set ``SCOPE = "<scope>"`` and ``BINDINGS = tui.actions.bindings("<scope>")``; help (?) and the
command palette list that scope's actions and the app scope's, with the effective keys.

Screens reach this API at run time through ``self.app`` and never import this module: the messages it
posts (MarksChanged, PinsChanged) are in tui.messages, the base screen class in tui.screens.base, what
screens share besides (notifications, the extraction cache) in tui.services.
"""

from __future__ import annotations

import copy
import gc
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from .actions import REGISTRY, Action, actions_for, effective_key, key_label, register
from .actions import bindings as action_bindings
from .messages import MarksChanged, PinsChanged

if TYPE_CHECKING:
    from index.library import Library
    from index.model import Article

register(
    Action("app.help", "question_mark,f1", "help", "app", "app.help", help="Show every key of this screen"),
    Action("app.back", "backspace,alt+left", "back", "app", "app.back",
           help="Go back to the previous screen, where you left it"),
    Action("app.forward", "alt+right", "forward", "app", "app.forward", show=False,
           help="Go forward again after going back"),
    Action("app.palette", "ctrl+p", "commands", "app", "app.command_palette",
           help="Open the command palette (every action, searchable)"),
    Action("app.quit", "ctrl+q", "quit", "app", "app.quit", help="Quit brief"),
    Action("app.brief", "P,f3", "brief", "app", "app.open_brief", show=False,
           help="Your brief: the pins of the current brief (open, reorder, note, export, other briefs)"),
)
register(  # the "watching" section of BriefApp
    Action("app.watch", "f5", "watch", "app", "app.toggle_watch", show=False,
           help="Watch the folders: index files as they change (on/off)"),
)
register(  # the "user state" section of BriefApp
    Action("app.reindex", "ctrl+r", "re-index", "app", "app.reindex", show=False,
           help="Re-index: bring the library up to date with its folders now, with progress"),
)

HISTORY_LIMIT = 30
ARTICLE_CACHE = 64
THEMES = {"ansi": "ansi-dark", "dark": "textual-dark", "light": "textual-light"}


class ActionsProvider(Provider):
    """The command palette over the action registry: the current screen's scope and the app scope."""

    def _actions(self) -> list[tuple[str, str, Action]]:
        scope = getattr(self.screen, "SCOPE", None)
        keymap = getattr(self.app, "keymap", {})
        found = []
        for sc in ([scope] if scope else []) + ["app"]:
            for a in actions_for(sc):
                if a.id == "app.palette":
                    continue
                name = f"{a.description[:1].upper()}{a.description[1:]} ({key_label(effective_key(a, keymap))})"
                found.append((name, a.long_help, a))
        return found

    def _run(self, action: Action) -> None:
        self.app.call_later(self.screen.run_action, action.action)

    async def discover(self) -> Hits:
        for name, help_text, a in self._actions():
            yield DiscoveryHit(name, partial(self._run, a), help=f"{help_text} · {a.id}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, a in self._actions():
            score = max(matcher.match(name), matcher.match(a.long_help) * 0.8, matcher.match(a.id) * 0.8)
            if score > 0:  # the action id too: the name a [keys] line of the config file uses
                yield Hit(score, matcher.highlight(name), partial(self._run, a), help=f"{help_text} · {a.id}")


class BriefApp(App):
    """See the module docstring for the API the screens use."""

    CSS_PATH = "brief.tcss"
    TITLE = "brief"
    BINDINGS = action_bindings("app")
    COMMANDS = {ActionsProvider}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, library: Library, *, hint: str | None = None, theme: str | None = None,
                 config_path: str | os.PathLike | None = None) -> None:
        super().__init__()
        self.library = library
        self.hint = hint
        self.marked: list[str] = []
        self.card_history = True  # card screens keep their cards in the library's card history, and compare
        self._briefs = None  # index.pins.Briefs, read at first use (marks and pins)
        self._pin_writer = None
        self._pin_jobs = 0
        self.keymap: dict[str, str] = {}
        self._theme_choice = theme
        self._config_path = config_path
        self._forward: list[Screen] = []
        self._lock = threading.RLock()
        self._searcher = None
        self._index = None
        self._checked_at = 0.0
        self._bg_lock = threading.RLock()
        self._bg_searcher = None
        self._bg_generation = -1
        self._outlets: list | None = None
        self.index_generation = 0
        self._articles: OrderedDict[str, Article] = OrderedDict()
        self._catalog: list[dict] | None = None
        self._catalog_lock = threading.Lock()

    @property
    def _background_screens(self) -> list[Screen]:
        # Textual counts the screen under the top one as visible even when the top one is opaque, and so
        # lays it out again on every screen switch; only modal (see-through) screens show what is below.
        stack = self._screen_stack
        if stack and not isinstance(stack[-1], _modal_types()) and stack[-1].styles.background.a == 1:
            return []
        return super()._background_screens

    # -- start-up -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from .config import load_config
        from .screens.search import SearchScreen

        config = load_config(self._config_path)
        for problem in config.problems:
            self.say(problem, severity="warning", timeout=12)
        self.keymap = dict(config.keymap)
        if self.keymap:
            self.set_keymap(self.keymap)
        self._apply_theme(os.environ.get("BRIEF_THEME") or self._theme_choice or config.theme, config.path)
        _ = self.briefs  # read the library's briefs now (a problem with the file is said)
        self.push_screen(SearchScreen())

    def _apply_theme(self, name: str | None, config_path: Path | None) -> None:
        if not name:
            return
        theme = THEMES.get(name, name)
        if theme not in self.available_themes:
            names = ", ".join(sorted(set(THEMES) | set(self.available_themes)))
            self.say(f"Unknown theme {name!r} (from {config_path or 'the command line'}); choose one of: {names}",
                     severity="warning", timeout=12)
            return
        self.theme = theme

    # -- notifications --------------------------------------------------------------------------

    def say(self, message: str, severity: str = "information", timeout: float | None = None) -> None:
        """A notification whose text is shown as is (no markup): safe for article titles."""
        from index.sanitize import safe_inline

        kwargs = {"timeout": timeout} if timeout is not None else {}
        self.notify(safe_inline(message), severity=severity, markup=False, **kwargs)

    # -- the shared searcher --------------------------------------------------------------------

    @contextmanager
    def searcher(self) -> Iterator:
        """The one Whoosh searcher, locked for the caller; reopened when the index has changed."""
        with self._lock:
            if self._searcher is None:
                self._index = self.library.open_index()
                self._searcher = self._index.searcher()
                self._checked_at = time.monotonic()
            elif time.monotonic() - self._checked_at > 2.0:
                self._checked_at = time.monotonic()
                if not self._searcher.up_to_date():
                    self._refresh_locked()
            yield self._searcher

    def refresh_searcher(self) -> None:
        """Pick up a changed index (after `brief index` ran) now."""
        with self._lock:
            if self._searcher is not None:
                self._refresh_locked()

    def _refresh_locked(self) -> None:
        self._searcher = self._searcher.refresh()
        self._articles.clear()
        self._catalog = None
        self.library._manifest = None  # re-read the manifest for the catalog and ids
        self.index_generation += 1

    @contextmanager
    def background_searcher(self) -> Iterator:
        """A second searcher for long work (counting hits, related articles), under its own lock, so that
        a typed search never waits for it. Follows the shared searcher when that one sees a changed index."""
        with self._bg_lock:
            with self._lock:
                if self._searcher is None:
                    self._index = self.library.open_index()
                    self._searcher = self._index.searcher()
                    self._checked_at = time.monotonic()
                generation = self.index_generation
                index = self._index
            if self._bg_searcher is None or self._bg_generation != generation:
                if self._bg_searcher is not None:
                    self._bg_searcher.close()
                self._bg_searcher = None
                self._bg_searcher = index.searcher()
                self._bg_generation = generation
                self._outlets = None
            yield self._bg_searcher

    def outlet_values(self, searcher) -> list:
        """The outlet facet value of every document of ``searcher`` (the background one), by document number."""
        from index.search import field_values

        with self._bg_lock:
            if self._outlets is None:
                self._outlets = field_values(searcher, "outlet_facet")
            return self._outlets

    def get_article(self, article_id: str) -> Article:
        """The stored article (cached). Blocking: call it from a worker."""
        from index.library import article_from_fields

        with self._lock:
            art = self._articles.get(article_id)
            if art is not None:
                self._articles.move_to_end(article_id)
                return art
            with self.searcher() as s:
                fields = s.document(id=article_id)
                if fields is None:
                    full = self.library.resolve_id(article_id)
                    fields = s.document(id=full)
                if fields is None:
                    raise LookupError(f"no article with id {article_id!r}")
            art = article_from_fields(fields)
            self._articles[article_id] = art
            while len(self._articles) > ARTICLE_CACHE:
                self._articles.popitem(last=False)
            return art

    def catalog(self) -> list[dict]:
        """Every article row {id, title, outlet, published, path}, newest first (cached).

        Parsing the manifest of a big library takes a while (several MB of JSON at 20k articles), so a
        light copy of the rows is kept in the user cache folder and used while the manifest is unchanged.
        """
        with self._catalog_lock:
            if self._catalog is None:
                self._catalog = self._load_catalog()
                # 100k long-lived objects at 20k articles: out of the garbage collector's full passes,
                # which otherwise stall a keystroke or a screen switch by tens of milliseconds now and then.
                gc.freeze()
            return self._catalog

    def _load_catalog(self) -> list[dict]:
        from .catalog import load_catalog

        return load_catalog(self.library)

    def close_searcher(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
        with self._bg_lock:
            if self._bg_searcher is not None:
                self._bg_searcher.close()
                self._bg_searcher = None

    async def on_unmount(self) -> None:
        self.close_searcher()
        self.flush_pins()

    # -- errors ---------------------------------------------------------------------------------

    crash_log: Path | None = None  # where the traceback of an unexpected exception was written

    def _handle_exception(self, error: Exception) -> None:
        """An exception nothing handled (a bug): the app exits with code 1, the traceback goes to a log
        file in the user cache folder, and run() says so in one line; the terminal never gets the
        traceback Textual would print. BRIEF_DEBUG=1 keeps Textual's own report. (Private Textual API,
        pinned version: tests/test_tui_app.py covers it.)"""
        if _debug():
            super()._handle_exception(error)
            return
        self._return_code = 1
        if self._exception is None:
            self._exception = error  # run_test re-raises it, so that a test sees the failure
            self._exception_event.set()
            self.crash_log = log_crash(error)
        self._close_messages_no_wait()

    # -- marks and pins -------------------------------------------------------------------------

    def is_marked(self, article_id: str) -> bool:
        return article_id in self.marked

    def toggle_mark(self, article_id: str) -> bool:
        if article_id in self.marked:
            self.marked.remove(article_id)
            now = False
        else:
            self.marked.append(article_id)
            now = True
        self._broadcast(MarksChanged())
        return now

    def clear_marks(self) -> None:
        self.marked.clear()
        self._broadcast(MarksChanged())

    # Pins live in the library's briefs.json (index.pins): every change is applied at once to the copy
    # here, and then, in order, on one writer thread, to the file read fresh under its lock (so a command
    # pinning at the same time loses nothing); the file's state comes back when no change is pending.

    class PinsSaved(Message):
        def __init__(self, briefs, problem: str | None) -> None:
            super().__init__()
            self.briefs, self.problem = briefs, problem

    @property
    def briefs(self):
        if self._briefs is None:
            from index.pins import load

            self._briefs = load(self.library.root)
            if self._briefs.problem and self.is_running:
                self.call_later(self.say, self._briefs.problem, "warning", 12)
        return self._briefs

    @property
    def pinned(self) -> list[dict]:
        brief = self.briefs.current_brief()
        return [{"text": p.text, "sources": list(p.sources)} for p in brief.pins] if brief else []

    def pin(self, text: str, sources: list[str], *, kind: str = "line", origin: dict | None = None) -> bool:
        from index.pins import make_pin

        new = make_pin(text, sources, kind, origin)
        return bool(self.change_briefs(lambda b: b.add_pin(copy.deepcopy(new))))

    def unpin(self, text: str) -> bool:
        return self.change_briefs(lambda b: b.remove_text(text)) is not None

    def change_briefs(self, change):
        """``change(briefs)`` on the briefs here now and on the file in the background; its result (a falsy
        one changes nothing on disk). A BriefsError (a name taken...) is said as a warning: None."""
        from index.pins import BriefsError

        try:
            result = change(self.briefs)
        except BriefsError as exc:
            self.say(str(exc)[:1].upper() + str(exc)[1:], severity="warning")
            return None
        if result is None or result is False:
            return result
        self._pin_job(change)
        self._broadcast(PinsChanged())
        return result

    def reload_briefs(self) -> None:
        self._pin_job(None)

    def _pin_job(self, change) -> None:
        import concurrent.futures

        from index import pins

        if self._pin_writer is None:
            self._pin_writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="brief-pins")
        self._pin_jobs += 1
        root = self.library.root

        def job() -> None:
            state, problem = None, None
            try:
                if change is None:
                    state = pins.load(root)
                else:
                    state, _ = pins.update(root, change)
                problem = state.problem
            except pins.BriefsError:  # changed meanwhile by another brief (a name taken): take the file as is
                state = pins.load(root)
                problem = state.problem
            except Exception as exc:  # noqa: BLE001 - a read-only library, a full disk: said, pins kept here
                from .services import describe_error

                problem = (f"Pins could not be saved in {pins.path_for(root)} ({describe_error(exc)}); they are "
                           f"kept until you quit")
            self.post_message(self.PinsSaved(state, problem))

        self._pin_writer.submit(job)

    def on_brief_app_pins_saved(self, message: PinsSaved) -> None:
        self._pin_jobs -= 1
        if message.problem:
            self.say(message.problem, severity="warning", timeout=12)
        if message.briefs is None or self._pin_jobs > 0:
            return
        message.briefs.problem = None
        if self._briefs is None or message.briefs.to_json() != self._briefs.to_json():
            self._briefs = message.briefs
            self._broadcast(PinsChanged())

    def flush_pins(self) -> None:
        """Wait for the pins being written (at quit)."""
        if self._pin_writer is not None:
            self._pin_writer.shutdown(wait=True)
            self._pin_writer = None

    def open_brief(self) -> None:
        from .screens.brief import BriefScreen

        if isinstance(self.screen, BriefScreen):
            return
        self.push_history(BriefScreen())

    def action_open_brief(self) -> None:
        self.open_brief()

    def _broadcast(self, message: Message) -> None:
        if self._screen_stack:
            self.screen.post_message(message)

    # -- navigation -----------------------------------------------------------------------------

    def push_history(self, screen: Screen) -> None:
        """Push ``screen`` as a new place: what was forward of here is forgotten."""
        self._drop_forward()
        self.push_screen(screen)

    def _drop_forward(self) -> None:
        while self._forward:
            old = self._forward.pop()
            self.uninstall_screen(old)
            old.remove()

    def back(self) -> None:
        """Back to the previous screen as it was; this one is kept for forward()."""
        if isinstance(self.screen, _modal_types()):
            self.pop_screen()
            return
        if len(self.screen_stack) <= 2:  # the default screen and home
            self.say("Already at the first screen")
            return
        current = self.screen
        self.install_screen(current, name=f"history-{id(current)}")
        self._forward.append(current)
        if len(self._forward) > HISTORY_LIMIT:
            old = self._forward.pop(0)
            self.uninstall_screen(old)
            old.remove()
        self.pop_screen()

    def forward(self) -> None:
        if not self._forward:
            self.say("Nothing to go forward to")
            return
        screen = self._forward.pop()
        self.uninstall_screen(screen)
        self.push_screen(screen)

    def action_back(self) -> None:
        self.back()

    def action_forward(self) -> None:
        self.forward()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(getattr(self.screen, "SCOPE", None)))

    # -- opening things -------------------------------------------------------------------------

    def open_article(self, article_id: str, *, query: str | None = None, highlight: str | None = None) -> None:
        from .screens.reader import ReaderScreen, find_matches

        # Reading one stored article takes a millisecond or two: when no worker holds the searcher, do it
        # now, so that the reader's first frame has the text (a worker and a second layout cost more than
        # the read). Otherwise (a search is running) or for an id prefix, the reader's worker reads it.
        preloaded = None
        if self._lock.acquire(blocking=False):
            try:
                article = self._articles.get(article_id)
                if article is None:
                    with self.searcher() as s:
                        fields = s.document(id=article_id)
                    if fields is not None:
                        article = self.get_article(article_id)
                if article is not None:
                    preloaded = (article, find_matches(self, article, query))
            except Exception:  # noqa: BLE001 - the reader's worker tries again and reports the failure
                preloaded = None
            finally:
                self._lock.release()
        self.push_history(ReaderScreen(article_id, query=query, highlight=highlight, preloaded=preloaded))

    def open_compare(self, ids: list[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if len(ids) < 2:
            self.say("Compare needs two or more articles: mark them with space", severity="warning")
            return
        try:
            from .screens.compare import CompareScreen
        except ImportError:
            self.say("Compare is not available yet", severity="warning")
            return
        self.push_history(CompareScreen(ids))

    def open_card(self, query: str | None = None, ids: list[str] | None = None, brief: str | None = None) -> None:
        if not query and not ids:
            self.say("A card needs a query or marked articles", severity="warning")
            return
        try:
            from .screens.card import CardScreen
        except ImportError:
            self.say("Briefing cards are not available yet", severity="warning")
            return
        self.push_history(CardScreen(query=query, ids=list(ids) if ids else None, brief=brief))

    # -- watching -------------------------------------------------------------------------------
    # The app follows the index on disk, whoever writes it: every WATCH_POLL seconds a stat of the manifest
    # in force (Library.signature); when it changed, the searchers are opened again (Whoosh's refresh()
    # keeps a segment's reader whose deletions changed), the catalog reloaded, and every screen gets
    # IndexChanged (the search list shows the new articles where the user was; a card offers a rebuild).
    # Watching (the config's ``watch = true``, or f5) runs index.watch's engine in a thread worker: the app
    # is then a writer, under the library's lock like `brief index` (another writer is waited for).

    WATCH_POLL = 1.0
    watching: reactive[bool] = reactive(False, init=False)  # screens may watch it (the search status shows it)
    _watcher = None
    _seen_signature: object = None
    _known_ids: frozenset | None = None
    _reloading = False
    _reload_again = False

    @on(events.Mount)
    def _start_following(self) -> None:
        from .config import load_config

        self._seen_signature = self._signature_now()
        self.set_interval(self.WATCH_POLL, self._poll_index, name="follow the index")
        if load_config(self._config_path).watch:  # (its problems are said by on_mount)
            self.start_watching()

    @on(events.Unmount)
    def _stop_on_exit(self) -> None:
        self.stop_watching()

    def _signature_now(self):
        try:
            return self.library.signature()
        except Exception:  # noqa: BLE001 - a manifest being replaced: looked at again next time
            return self._seen_signature

    def _poll_index(self) -> None:
        """A stat every second: reload what the screens show when the index changed on disk."""
        if self._known_ids is None and self._catalog is not None:
            self._known_ids = frozenset(r["id"] for r in self._catalog)
        signature = self._signature_now()
        if signature == self._seen_signature:
            return
        self._seen_signature = signature
        if self._reloading:
            self._reload_again = True
            return
        self._reloading = True
        self.run_worker(self._reload_index, thread=True, group="index-reload", exit_on_error=False,
                        name="reload the index")

    def _reload_index(self) -> None:
        """In a thread: open the searchers again, reload the catalog, tell the screens what came and went."""
        old = self._known_ids
        if old is None and self._catalog is not None:
            old = frozenset(r["id"] for r in self._catalog)
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._index = None
            self._articles.clear()
            self._catalog = None
            self.library._manifest = None
            self.index_generation += 1
            generation = self.index_generation
        with self._bg_lock:
            if self._bg_searcher is not None:
                self._bg_searcher.close()
                self._bg_searcher = None
        new: list[str] = []
        removed: list[str] = []
        try:
            rows = self.catalog()
            ids = frozenset(r["id"] for r in rows)
            if old is not None:
                new = [r["id"] for r in rows if r["id"] not in old]
                removed = sorted(old - ids)
            self._known_ids = ids
        except Exception as exc:  # noqa: BLE001 - a damaged manifest: said; the screens keep what they show
            self._from_thread(self.say, f"The library changed but cannot be read now: {exc}", "warning")
            self._from_thread(self._reloaded, None)
            return
        self._from_thread(self._reloaded, (new, removed, generation))

    def _reloaded(self, change) -> None:
        from .messages import IndexChanged

        self._reloading = False
        if change is not None:
            new, removed, generation = change
            for screen in list(self.screen_stack) + list(self._forward):
                screen.post_message(IndexChanged(new, removed, generation))
            parts = ([f"{len(new)} new article{'s' * (len(new) != 1)}"] if new else []) + (
                [f"{len(removed)} removed" if new else f"{len(removed)} article{'s' * (len(removed) != 1)} removed"]
                if removed else [])
            if parts:
                self.say(", ".join(parts), timeout=4)
        if self._reload_again:
            self._reload_again = False
            self._seen_signature = None  # look again now: it changed while this reload ran
            self._poll_index()

    def _from_thread(self, fn, *args) -> None:
        try:
            self.call_from_thread(fn, *args)
        except RuntimeError:  # the app is closing
            pass

    def action_toggle_watch(self) -> None:
        if self.watching:
            self.stop_watching()
            self.say("Stopped watching the library's folders")
        else:
            self.start_watching()

    def start_watching(self) -> None:
        """Run the watch engine in a thread worker (see the section's comment)."""
        from index.watch import Watcher

        if self.watching:
            return
        self.watching = True
        self._watcher = Watcher(self.library, on_batch=self._watch_batch, repeat_waits=False,
                                on_message=lambda text, severity: self._from_thread(self.say, text, severity))
        self.run_worker(partial(self._watch, self._watcher), thread=True, group="watch", exit_on_error=False,
                        name="watch the folders")

    def stop_watching(self) -> None:
        watcher, self._watcher = self._watcher, None
        self.watching = False
        if watcher is not None:
            watcher.stop()

    def _watch(self, watcher) -> None:
        """In a thread: what is watched, said; then the watch until stop_watching()."""
        from index.errors import LibraryError

        key = key_label(effective_key(REGISTRY["app.watch"], self.keymap))
        try:
            roots, missing = watcher.prepare()
            where = roots[0] if len(roots) == 1 else f"{len(roots)} folders"
            gone = f" ({len(missing)} not there: not watched)" if missing else ""
            self._from_thread(self.say, f"Watching {where} for new and changed files{gone} ({key} stops)")
            watcher.run()
        except LibraryError as exc:
            self._from_thread(self.say, f"Cannot watch: {exc}", "warning")
        except Exception as exc:  # noqa: BLE001 - the watch ends, said; the app goes on
            self._from_thread(self.say, f"Watching stopped: {type(exc).__name__}: {exc}", "error")
        finally:
            self._from_thread(self._watch_ended, watcher)

    def _watch_ended(self, watcher) -> None:
        if self._watcher is watcher:
            self._watcher = None
            self.watching = False

    def _watch_batch(self, batch) -> None:
        """In the watch thread: a batch was indexed; files that could not be read are said, and the screens
        follow at once (not at the next poll)."""
        for problem in batch.problems[:3]:
            self._from_thread(self.say, f"Skipped {problem}", "warning")
        if len(batch.problems) > 3:
            self._from_thread(self.say, f"… and {len(batch.problems) - 3} more files skipped", "warning")
        for line in batch.setup:
            self._from_thread(self.say, line, "error")
        self._from_thread(self._poll_index)

    # -- user state -----------------------------------------------------------------------------
    # Read marks and the user's own tags live in the library's userstate.json (index.userstate). A change
    # is applied at once to the copy here (screens ask is_read / tags_of as they draw) and then, in order,
    # on one writer thread, to the file read fresh under its lock, so that `brief tag` or `brief read` at
    # the same time loses nothing; every USERSTATE_POLL seconds a stat of the file picks up their changes.
    # Every screen gets UserStateChanged. Re-index (ctrl+r) runs index.indexer.update in a worker with a
    # progress dialog (tui.widgets.reindex); the follow-the-index code above then refreshes the screens.

    USERSTATE_POLL = 2.0
    user_state_generation = 0  # bumped at every change of the read marks or tags (a screen's cache key)
    REINDEX_WAIT = 30.0  # seconds a re-index waits for another writer
    _userstate = None
    _us_writer = None
    _us_jobs = 0
    _us_seen: object = None
    _reindex_progress = None

    class UserStateSaved(Message):
        def __init__(self, state, problem: str | None, ids: list[str] | None) -> None:
            super().__init__()
            self.state, self.problem, self.ids = state, problem, ids

    @property
    def user_state(self):
        """index.userstate.UserState of the library, read at first use (a problem with the file is said)."""
        if self._userstate is None:
            from index import userstate

            self._us_seen = self._userstate_signature()
            self._userstate = userstate.load(self.library.root)
            if self._userstate.problem and self.is_running:
                self.call_later(self.say, self._userstate.problem, "warning", 12)
        return self._userstate

    def is_read(self, article_id: str) -> bool:
        return self.user_state.is_read(article_id)

    def tags_of(self, article_id: str) -> list[str]:
        return self.user_state.tags_of(article_id)

    def tags_label(self, article_id: str) -> str:
        """The article's tags as shown: "#flood #levee" ("" when none); plain text (tags hold no markup)."""
        return " ".join(f"#{t}" for t in self.user_state.tags_of(article_id))

    def user_state_label(self, article_id: str) -> str:
        """What a list row adds to its meta line: " · read" and/or " · #flood #levee" ("" for neither);
        state in words, never colour alone."""
        state = self.user_state
        tags = state.tags_of(article_id)
        return (" · read" if state.is_read(article_id) else "") + (" · " + " ".join(f"#{t}" for t in tags) if tags else "")

    def user_tags(self) -> dict:
        """{tag: article ids} for index.search's ``user_tags`` (a tag: term then finds the user's tags)."""
        return self.user_state.ids_by_tag()

    def unread_query(self):
        """A Whoosh query for "unread only" (AND it with a search's filter_query); None when nothing is read."""
        from whoosh import query as wq

        read = sorted(self.user_state.read)
        return wq.Not(wq.Or([wq.Term("id", i) for i in read])) if read else None

    def mark_read(self, article_id: str) -> bool:
        """Mark an article read (the reader calls it when it shows one); False when it already was."""
        return self.change_user_state(lambda s: s.mark_read([article_id]), [article_id])

    def mark_unread(self, article_id: str) -> bool:
        return self.change_user_state(lambda s: s.mark_unread([article_id]), [article_id])

    def toggle_read(self, article_id: str) -> bool:
        """Read <-> unread; True when now read (said in a notification)."""
        now = not self.is_read(article_id)
        (self.mark_read if now else self.mark_unread)(article_id)
        self.say("Marked read" if now else "Marked unread", timeout=2)
        return now

    def set_tags(self, article_id: str, tags: list[str]) -> bool:
        """Replace the user's tags on an article (cleaned; a bad tag is said as a warning: False)."""
        return self.change_user_state(lambda s: s.set_tags(article_id, tags), [article_id])

    def edit_tags(self, article_id: str, title: str | None = None) -> None:
        """Open the tag dialog (tui.widgets.tagdialog) for an article; Enter saves its tags."""
        from .widgets.tagdialog import TagDialog

        if title is None:
            rows = self._catalog or []
            title = next((r.get("title") or "" for r in rows if r.get("id") == article_id), "") or article_id
        before = self.tags_of(article_id)

        def done(tags: list[str] | None) -> None:
            if tags is None or tags == before:
                return
            if self.set_tags(article_id, tags):
                self.say(("Tags: " + " ".join(f"#{t}" for t in tags)) if tags else "Tags removed", timeout=3)

        self.push_screen(TagDialog(title, before, self.user_state.tag_counts()), done)

    def change_user_state(self, change, ids: list[str] | None = None) -> bool:
        """``change(state)`` here now and on the file in the background; True when it changed something."""
        from index.userstate import UserStateError

        state = self.user_state.copy()  # changed aside, then swapped in: a worker reading the old one is safe
        try:
            changed = bool(change(state))
        except UserStateError as exc:
            self.say(str(exc)[:1].upper() + str(exc)[1:], severity="warning")
            return False
        if changed:
            self._userstate = state
            self._userstate_job(change, ids)
            self._broadcast_user_state(ids)
        return changed

    def _broadcast_user_state(self, ids: list[str] | None) -> None:
        from .messages import UserStateChanged

        self.user_state_generation += 1
        for screen in list(self.screen_stack) + list(self._forward):
            screen.post_message(UserStateChanged(ids))

    def _userstate_signature(self):
        from index.userstate import path_for

        try:
            st = os.stat(path_for(self.library.root))
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _userstate_job(self, change, ids: list[str] | None) -> None:
        import concurrent.futures

        from index import userstate

        if self._us_writer is None:
            self._us_writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="brief-userstate")
        self._us_jobs += 1
        root = self.library.root

        def job() -> None:
            state, problem = None, None
            try:
                state = userstate.load(root) if change is None else userstate.update(root, change)[0]
                problem = state.problem
            except userstate.UserStateError as exc:  # a newer brief's file: left alone, said
                problem = str(exc)
            except Exception as exc:  # noqa: BLE001 - a read-only library, a full disk: said, kept here
                from .services import describe_error

                problem = (f"Read marks and tags could not be saved in {userstate.path_for(root)} "
                           f"({describe_error(exc)}); they are kept until you quit")
            self.post_message(self.UserStateSaved(state, problem, ids))

        self._us_writer.submit(job)

    def on_brief_app_user_state_saved(self, message: UserStateSaved) -> None:
        self._us_jobs -= 1
        if message.problem:
            self.say(message.problem, severity="warning", timeout=12)
        self._us_seen = self._userstate_signature()
        if message.state is None or self._us_jobs > 0:
            return
        message.state.problem = None
        if self._userstate is None or message.state.to_json() != self._userstate.to_json():
            self._userstate = message.state  # another writer's changes too
            self._broadcast_user_state(None)

    @on(events.Mount)
    def _start_following_user_state(self) -> None:
        self.set_interval(self.USERSTATE_POLL, self._poll_user_state, name="follow the user state")

    def _poll_user_state(self) -> None:
        if self._userstate is None or self._us_jobs:
            return
        signature = self._userstate_signature()
        if signature != self._us_seen:
            self._us_seen = signature
            self._userstate_job(None, None)

    @on(events.Unmount)
    def _flush_user_state(self) -> None:
        if self._us_writer is not None:
            self._us_writer.shutdown(wait=True)
            self._us_writer = None

    # re-index

    @property
    def reindexing(self) -> bool:
        return self._reindex_progress is not None

    def action_reindex(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Bring the index up to date with the folders indexed before (`brief index`), in a worker; the
        progress dialog shows it (escape hides it; ctrl+r again while it runs shows it again)."""
        from .widgets.reindex import ReindexProgress, ReindexScreen

        key = key_label(effective_key(REGISTRY["app.reindex"], self.keymap))
        if self._reindex_progress is None:
            self._reindex_progress = ReindexProgress(where=str(self.library.root))
            self.run_worker(partial(self._reindex, self._reindex_progress), thread=True, group="reindex",
                            exit_on_error=False, name="re-index")
        if not isinstance(self.screen, ReindexScreen):
            self.push_screen(ReindexScreen(self._reindex_progress, key))

    def _reindex(self, progress) -> None:
        """In a thread: index.indexer.update over the library's roots, its progress into ``progress``."""
        from index.errors import LibraryError, LockTimeout
        from index.indexer import update

        last = [0.0]

        def on_progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if stage != "index" or done == total or now - last[0] > 0.05:
                last[0] = now
                progress.set(stage=stage, done=done, total=total)

        def on_wait(text: str) -> None:
            import re

            pid = re.search(r"\(pid \d+\)", text)
            progress.set(stage="wait", message=f"Another writer{' ' + pid.group() if pid else ''} holds the library's "
                         f"lock (`brief index`, `brief watch` or an app watching); waiting up to "
                         f"{self.REINDEX_WAIT:.0f} s for it…")

        outcome, severity = "", "information"
        try:
            report = update(self.library, wait=self.REINDEX_WAIT, progress=on_progress, on_wait=on_wait)
            outcome = f"Re-indexed: {report.added} added, {report.updated} updated, {report.removed} removed"
            skipped = len(report.problems) + len(report.setup)
            if skipped:
                outcome += f"; {len(report.problems)} file{'s' * (len(report.problems) != 1)} could not be read"
                severity = "warning"
                for line in (report.setup + report.problems)[:3]:
                    self._from_thread(self.say, f"Skipped {line}", "warning")
        except LockTimeout:
            outcome, severity = (f"Not re-indexed: another writer (`brief index`, `brief watch` or an app watching) "
                                 f"held the library's lock for {self.REINDEX_WAIT:g} s; try again when it has "
                                 f"finished"), "warning"
        except LibraryError as exc:
            outcome, severity = f"Not re-indexed: {exc}", "warning"
        except Exception as exc:  # noqa: BLE001 - the run ends, said; the previous index is intact
            outcome, severity = f"Re-index stopped: {type(exc).__name__}: {exc}", "error"
        progress.set(stage="done", message=outcome)
        self._from_thread(self._reindexed, progress, outcome, severity)

    def _reindexed(self, progress, outcome: str, severity: str) -> None:
        from .widgets.reindex import ReindexScreen

        if self._reindex_progress is progress:
            self._reindex_progress = None
        if isinstance(self.screen, ReindexScreen) and self.screen.progress is progress:
            self.pop_screen()
        self.say(outcome, severity=severity, timeout=8)
        self._poll_index()  # the screens follow now, not at the next poll


def _modal_types() -> tuple[type, ...]:
    from textual.screen import ModalScreen

    return (ModalScreen,)


def _debug() -> bool:
    return os.environ.get("BRIEF_DEBUG", "") not in ("", "0")


CRASH_LOG_LIMIT = 1024 * 1024  # the log starts over beyond this


def crash_log_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("brief", appauthor=False)) / "crash.log"


def log_crash(error: BaseException) -> Path | None:
    """Append ``error``'s traceback (with the versions in use) to the crash log; its path, or None when
    it could not be written."""
    import platform
    import traceback
    from datetime import datetime

    try:
        from importlib.metadata import version

        versions = f"brief {version('brief-reader')}, textual {version('textual')}"
    except Exception:  # noqa: BLE001 - not installed as a package
        versions = "brief (not installed)"
    entry = (f"--- {datetime.now().isoformat(timespec='seconds')} · {versions} · Python {platform.python_version()}"
             f" · {platform.platform()}\n" + "".join(traceback.format_exception(error)) + "\n")
    try:
        path = crash_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.exists() and path.stat().st_size > CRASH_LOG_LIMIT else "a"
        with open(path, mode, encoding="utf-8", errors="backslashreplace") as f:
            f.write(entry)
        return path
    except Exception:  # noqa: BLE001 - a read-only or full cache folder: say so instead
        return None


def crash_line(error: BaseException, log: Path | None) -> str:
    """The one line the terminal gets for an unexpected exception in the app."""
    from index.sanitize import display_path, safe_inline

    text = safe_inline(str(error))
    text = text if len(text) <= 200 else text[:200] + "…"
    what = f"{type(error).__name__}: {text}" if text else type(error).__name__
    where = f"details in {display_path(str(log))}" if log else "its details could not be saved (the cache folder is not writable)"
    return f"brief: internal error ({what}); {where}; please report it"


def run(library: Library, *, hint: str | None = None, theme: str | None = None) -> int:
    """Run the app in the terminal (the `brief` command with no sub-command). Exit code 0, or 1 after an
    unexpected exception: one line on stderr, the traceback in the crash log (BRIEF_DEBUG=1: Textual's own
    traceback)."""
    import sys

    app = BriefApp(library, hint=hint, theme=theme)
    try:
        app.run()
    except Exception as exc:  # noqa: BLE001 - outside the message loop (the driver, the terminal)
        if _debug():
            raise
        sys.stderr.write(crash_line(exc, log_crash(exc)) + "\n")
        return 1
    if app._exception is not None and not _debug():
        sys.stderr.write(crash_line(app._exception, app.crash_log) + "\n")
        return 1
    return app.return_code or 0
