"""The base class of the app's full screens (search, reader)."""

from __future__ import annotations

from textual.screen import Screen


class FastScreen(Screen):
    """A Screen that skips the second layout Textual does when it is pushed.

    Textual lays a pushed screen out on ScreenResume, then again on the Resize event that follows, at the
    same size: a whole layout and repaint (10-20 ms at 120x40) for nothing. Changes of content still ask
    for their own layout. (Private Textual API, pinned version: tui.app's tests cover pushing screens.)
    """

    _laid_out_at = None

    def _refresh_layout(self, size=None, scroll: bool = False) -> None:
        super()._refresh_layout(size, scroll)
        self._laid_out_at = size or self.outer_size

    def _screen_resized(self, size) -> None:
        if size == self._laid_out_at:
            return
        super()._screen_resized(size)
