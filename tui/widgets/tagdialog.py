"""The dialog that sets an article's tags (the app's edit_tags): one line of tags, Enter saves, Escape cancels.

Returns the cleaned tags (index.userstate.split_tags: lowercase words of letters, digits, - and _), [] to
remove them all, None when cancelled. A tag that is not one is said in the dialog, which stays open. What the
user typed, the article's title and the tags shown are text, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from index.sanitize import safe_inline
from index.userstate import UserStateError, split_tags

NOTE = "tags: words of letters, digits, - and _, spaces between · enter save · escape cancel"


class TagDialog(ModalScreen[list[str] | None]):
    SCOPE = "dialog"
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, tags: list[str], known: list[tuple[str, int]] | None = None) -> None:
        super().__init__()
        self._title, self._tags, self._known = title, list(tags), list(known or [])

    def compose(self) -> ComposeResult:
        title = safe_inline(self._title or "this article")
        title = title if len(title) <= 60 else title[:59] + "…"
        with Vertical(classes="dialog", id="tag-dialog"):
            yield Static(Text(f"Tags of {title}", style="bold"), classes="dialog-title")
            yield Input(" ".join(self._tags), placeholder="flood levee follow-up", id="tag-input")
            yield Static(Text(""), id="tag-problem", classes="dialog-note")
            if self._known:
                shown = " ".join(f"#{t} ({n})" for t, n in self._known[:12])
                yield Static(Text(f"yours: {shown}", style="dim"), id="tag-known", classes="dialog-note")
            yield Static(Text(NOTE, style="dim"), classes="dialog-note")

    def on_mount(self) -> None:
        inp = self.query_one(Input)
        inp.cursor_blink = not self.app.is_headless
        inp.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            tags = split_tags(event.value)
        except UserStateError as exc:
            self.query_one("#tag-problem", Static).update(Text(f"⚠ {safe_inline(str(exc))}"))
            return
        self.dismiss(tags)

    def action_cancel(self) -> None:
        self.dismiss(None)
