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


class IndexChanged(Message):
    """The library's index changed on disk (the app's own watching, `brief watch` or `brief index`
    elsewhere) and the app's searchers and catalog now see it; posted to every screen, not only the top one. ``new`` and ``removed``: article ids that
    came and went (an article re-read keeps its id: it is in neither); ``generation``: the app's
    index_generation that sees the change."""

    def __init__(self, new: list[str], removed: list[str], generation: int) -> None:
        super().__init__()
        self.new, self.removed, self.generation = list(new), list(removed), generation


class UserStateChanged(Message):
    """Read marks or the user's tags changed (``app.is_read``, ``app.tags_of``): by this app or, seen on
    disk, by `brief tag`/`brief read`; posted to every screen. ``ids``: the articles concerned (None: any
    of them, e.g. the file was reloaded)."""

    def __init__(self, ids: list[str] | None = None) -> None:
        super().__init__()
        self.ids = None if ids is None else list(ids)
