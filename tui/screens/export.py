"""Export dialogs: the path to write a card to, and the confirmation before overwriting a file.

ExportDialog dismisses with the path typed (``~`` expanded) or None when cancelled;
ConfirmOverwrite dismisses with True (overwrite) or False. Both work from the keyboard alone:
enter accepts, escape cancels, y/n answer the confirmation.
"""

from __future__ import annotations

import os

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

__all__ = ["ExportDialog", "ConfirmOverwrite"]

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 100%; height: auto; padding: 1 2;
    border: round $accent; background: $panel;
}}
{name} .export-title {{ text-style: bold; margin-bottom: 1; }}
{name} .export-hint {{ margin-top: 1; }}
{name} .export-error {{ margin-top: 1; text-style: bold; display: none; }}
{name} .export-error.-shown {{ display: block; }}
{name} Horizontal {{ height: auto; margin-top: 1; }}
{name} Button {{ margin-right: 2; }}
"""


class ExportDialog(ModalScreen[str | None]):
    """Asks where to write the card, with a default path filled in."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ExportDialog")
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, default: str, what: str = "Markdown") -> None:
        super().__init__()
        self.default, self.what = default, what

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Export the card as {self.what}"), classes="export-title")
            yield Label(Text("Write to file:"))
            yield Input(self.default, id="export-path", select_on_focus=False)
            yield Static(Text(""), id="export-error", classes="export-error")
            yield Static(Text("enter write · escape cancel · an existing file is never overwritten without asking"),
                         classes="export-hint")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = not self.app.is_headless
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self._error("Type a file name or path.")
            return
        path = os.path.expanduser(path)
        if os.path.isdir(path):
            self._error("That is a folder: add a file name.")
            return
        self.dismiss(path)

    def _error(self, text: str) -> None:
        error = self.query_one("#export-error", Static)
        error.update(Text(text))
        error.add_class("-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmOverwrite(ModalScreen[bool]):
    """"FILE already exists. Overwrite it?" — y/enter on Overwrite, n/escape to keep the file."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ConfirmOverwrite")
    BINDINGS = [
        Binding("y", "answer(True)", "overwrite"),
        Binding("n", "answer(False)", "keep"),
        Binding("escape", "answer(False)", "keep"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("The file already exists"), classes="export-title")
            yield Static(Text(self.path))
            yield Static(Text("Overwrite it? y overwrite · n or escape keep it"), classes="export-hint")
            with Horizontal():
                yield Button("Overwrite (y)", id="overwrite", variant="warning")
                yield Button("Keep it (n)", id="keep")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "overwrite")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
