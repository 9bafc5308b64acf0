"""A one-line key bar built from the action registry (what Textual's Footer shows, for a fraction of the cost).

Textual's Footer mounts a widget per key and re-mounts them all whenever the bindings change (every focus
change and screen switch): that alone made opening an article take hundreds of milliseconds. This bar is
one Static whose text is rebuilt from the registry, with the user's remapped keys. Keys an Input would take
(letters, space, backspace) are left out while the focus is in one, and help always stays visible.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input, Static

from ..actions import actions_for, effective_key, key_label

_TYPED = {"space", "backspace", "delete", "left", "right", "home", "end", "enter"}


def _usable(key: str, typing: bool) -> str | None:
    """The first alternative of ``key`` that works now (while typing, not one the Input takes)."""
    for k in key.split(","):
        k = k.strip()
        if typing and (len(k) == 1 or k in _TYPED or k in ("question_mark", "slash")):
            continue
        return k
    return None


def _short(label: str) -> str:
    return label.replace("ctrl+", "^").replace("backspace", "⌫")


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope
        self._last: tuple | None = None

    def on_mount(self) -> None:
        self.watch(self.screen, "focused", self._focus_changed, init=True)

    def _focus_changed(self, _focused=None) -> None:
        self.refresh_keys()

    def on_resize(self) -> None:
        self.refresh_keys(force=True)

    def refresh_keys(self, force: bool = False) -> None:
        keymap = getattr(self.app, "keymap", {})
        typing = isinstance(self.screen.focused, Input)
        state = (typing, tuple(sorted(keymap.items())), self.size.width)
        if state == self._last and not force:
            return
        self._last = state
        items = []
        tail = []
        for a in actions_for(self.scope) + actions_for("app"):
            if not a.show:
                continue
            k = _usable(effective_key(a, keymap), typing)
            if k is None:
                continue
            (tail if a.scope == "app" else items).append((_short(key_label(k)), a.description))
        width = max(10, self.size.width - 2)
        t = Text(end="", no_wrap=True, overflow="ellipsis")
        tail_len = sum(len(k) + len(d) + 4 for k, d in tail[:2])  # help and back always fit
        used = 0
        for k, d in items:
            need = len(k) + len(d) + 4
            if used + need + tail_len > width:
                break
            self._append(t, k, d)
            used += need
        for k, d in tail:
            if used + len(k) + len(d) + 4 > width:
                continue
            self._append(t, k, d)
            used += len(k) + len(d) + 4
        self.update(t, layout=False)  # one line, docked: a whole-screen layout per focus change is waste

    @staticmethod
    def _append(t: Text, key: str, description: str) -> None:
        t.append(f" {key} ", style="bold reverse")
        t.append(f"{description} ", style="")
        t.append(" ")
