"""The progress of a re-index run from the app (BriefApp.reindex): what it is doing, files read of the
total, a bar. Escape hides it and the run goes on; the app says the outcome when it ends.

The dialog reads the run's state (a ReindexProgress the app's worker updates) ten times a second: it never
waits on the run, and the run never waits on it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from index.sanitize import safe_inline


@dataclass
class ReindexProgress:
    """One run's state, written by its worker thread, read by the dialog (under ``lock``)."""

    where: str = ""
    stage: str = "scan"  # scan, wait (another writer), index, commit, done
    done: int = 0
    total: int = 0
    message: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, **values) -> None:
        with self.lock:
            for name, value in values.items():
                setattr(self, name, value)

    def snapshot(self) -> tuple[str, int, int, str]:
        with self.lock:
            return self.stage, self.done, self.total, self.message

    def line(self) -> str:
        stage, done, total, message = self.snapshot()
        if stage == "wait":
            return message
        if stage == "index":
            return f"Reading files: {done:,} of {total:,}"
        if stage == "commit":
            return "Writing the index…"
        if stage == "done":
            return message
        return "Looking for new, changed and deleted files…"


class ReindexScreen(ModalScreen[None]):
    SCOPE = "dialog"
    BINDINGS = [Binding("escape", "hide", "hide")]

    def __init__(self, progress: ReindexProgress, key: str) -> None:
        super().__init__()
        self.progress, self._key = progress, key

    def compose(self) -> ComposeResult:
        where = safe_inline(self.progress.where)
        where = where if len(where) <= 56 else "…" + where[-55:]
        with Vertical(classes="dialog", id="reindex-dialog"):
            yield Static(Text(f"Re-indexing {where}", style="bold"), classes="dialog-title")
            yield Static(Text(self.progress.line()), id="reindex-line")
            yield ProgressBar(total=None, show_eta=False, id="reindex-bar")
            yield Static(Text(f"escape hide (the run goes on; {self._key} shows this again)", style="dim"),
                         classes="dialog-note")

    def on_mount(self) -> None:
        self._show()
        self.set_interval(0.1, self._show, name="re-index progress")

    def _show(self) -> None:
        stage, done, total, _ = self.progress.snapshot()
        self.query_one("#reindex-line", Static).update(Text(self.progress.line()))
        bar = self.query_one(ProgressBar)
        if stage == "index" and total:
            bar.update(total=total, progress=done)
        elif stage in ("commit", "done") and bar.total:
            bar.update(progress=bar.total)

    def action_hide(self) -> None:
        self.dismiss(None)
