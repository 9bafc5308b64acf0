"""What the screens share beyond the app's own API (tui.app, reached as ``self.app``): notifications
shown as is, failures told in a line, the library's extraction cache."""

from __future__ import annotations

from .widgets.text import safe


def extraction_cache(lib):
    """The library's extraction cache (the same folder the command line uses)."""
    from briefs.extract import ExtractionCache

    return ExtractionCache(lib.root / "cache" / "extract")


def say(screen, message: str, *, title: str = "", severity: str = "information") -> None:
    """A notification shown as is: paths and article text are never read as markup."""
    screen.notify(safe(message), title=title, severity=severity, markup=False)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, (LookupError, ValueError, OSError)) else f"{type(exc).__name__}: {text}"
