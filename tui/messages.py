"""The messages the app (tui.app) posts to the screen on top when its shared state changes.

Screens handle them (``on_marks_changed``, ``on_pins_changed``) and import them from here, never from
the app.
"""

from __future__ import annotations

from textual.message import Message


class MarksChanged(Message):
    """The marked articles changed (``app.marked``)."""


class PinsChanged(Message):
    """The pinned facts changed (``app.pinned``)."""
