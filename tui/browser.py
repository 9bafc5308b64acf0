"""Opening an article's URL in a browser, and the text the reader copies to the clipboard.

No Textual here: the reader calls ``open_url`` in a worker (it may wait a moment for the browser command to
fail) and acts on the ``Opened`` it returns on the app's thread (a terminal browser needs the app
suspended; no browser at all: the URL is copied instead).

Which browser: ``$BROWSER`` first (entries separated by ":", each a command with an optional "%s" for the
URL, as Python's webbrowser and man pages read it), else Python's ``webbrowser``. A console browser that
webbrowser would start in the foreground (lynx, w3m...) is never started from a worker: it would fight the
app for the terminal. On Linux without a display (an SSH session) there is no graphical browser to start.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["Opened", "check_url", "open_url", "clean_copy", "TERMINAL_BROWSERS"]

# Browsers that draw in the terminal: run in the foreground, with the app suspended.
TERMINAL_BROWSERS = {"lynx", "w3m", "links", "links2", "elinks", "www-browser", "browsh", "carbonyl", "cha",
                     "chawan", "amfora", "edbrowse"}


@dataclass
class Opened:
    """What became of a request to open a URL.

    ``how``: "opened" (a browser was started: ``browser`` names it), "terminal" (run ``command`` in the
    foreground with the app suspended), "none" (no browser here: ``reason`` says why; copy the URL),
    "refused" (not an http(s) URL: ``reason``), "failed" (the browser command failed: ``reason``)."""

    how: str
    url: str
    browser: str = ""
    reason: str = ""
    command: list[str] = field(default_factory=list)


def check_url(url: str | None) -> str | None:
    """None when ``url`` may be handed to a browser, else why not, in words."""
    if not url or not url.strip():
        return "this article has no URL"
    if any(ord(c) < 0x21 or 0x7F <= ord(c) <= 0x9F for c in url):
        return "its URL holds spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "its URL cannot be read"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"only http and https links open in a browser (this one is {scheme + ':' if scheme else 'not a link'})"
    if not parts.hostname:
        return "its URL names no host"
    return None


def _browser_env(env) -> list[list[str]]:
    """The commands $BROWSER names, in order (each split as a shell would, without running a shell)."""
    value = (env.get("BROWSER") or "").strip()
    commands = []
    for entry in value.split(os.pathsep):
        try:
            words = shlex.split(entry)
        except ValueError:
            continue
        if words:
            commands.append(words)
    return commands


def _with_url(words: list[str], url: str) -> list[str]:
    if any("%s" in w for w in words):
        return [w.replace("%s", url) for w in words]
    return words + [url]


def _has_display(env) -> bool:
    return sys.platform in ("darwin", "win32") or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _no_browser_reason(env) -> str:
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return "no browser over SSH (no display; set $BROWSER to choose one)"
    return "no browser found (no display; set $BROWSER to choose one)"


def _start(command: list[str], wait: float) -> str | None:
    """Start a graphical browser command detached from the terminal; None when it started, else why not.
    It is given ``wait`` seconds to fail (a launcher that finds no handler exits at once)."""
    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError as exc:
        return f"{command[0]} could not be started ({exc.strerror or exc})"
    try:
        code = proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        return None  # still running: a browser window
    return None if code == 0 else f"{os.path.basename(command[0])} exited with status {code}"


def open_url(url: str | None, env=None, wait: float = 1.0) -> Opened:
    """Open ``url`` in a browser if there is one (blocking up to ``wait`` seconds: call it in a worker)."""
    env = os.environ if env is None else env
    problem = check_url(url)
    if problem:
        return Opened("refused", url or "", reason=problem)
    assert url is not None
    commands = _browser_env(env)
    if commands:
        tried = []
        for words in commands:
            path = shutil.which(words[0], path=env.get("PATH"))
            if path is None:
                tried.append(words[0])
                continue
            name = os.path.basename(words[0])
            command = _with_url([path] + words[1:], url)
            if name in TERMINAL_BROWSERS:
                return Opened("terminal", url, browser=name, command=command)
            failed = _start(command, wait)
            if failed:
                return Opened("failed", url, browser=name, reason=failed)
            return Opened("opened", url, browser=name)
        return Opened("none", url, reason=f"$BROWSER names no command found here ({', '.join(tried)})")
    if not _has_display(env):
        return Opened("none", url, reason=_no_browser_reason(env))
    import webbrowser

    try:
        controller = webbrowser.get()
    except webbrowser.Error:
        return Opened("none", url, reason="no browser found (set $BROWSER to choose one)")
    name = getattr(controller, "name", "") or type(controller).__name__
    if type(controller) is webbrowser.GenericBrowser:  # a console browser, run in the foreground
        args = list(getattr(controller, "args", None) or [name])
        return Opened("terminal", url, browser=os.path.basename(args[0]), command=_with_url(args, url))
    try:
        ok = controller.open(url, new=2)
    except Exception as exc:  # noqa: BLE001 - any browser's failure is one line to the user
        return Opened("failed", url, browser=name, reason=str(exc) or type(exc).__name__)
    if not ok:
        return Opened("failed", url, browser=name, reason=f"{name} did not open it")
    return Opened("opened", url, browser=name)


def clean_copy(text: str, one_line: bool = False) -> str:
    """Article text as it goes to the clipboard: escapes, control and invisible characters removed (the
    reader's text is sanitized already; this is the last word before the bytes leave the app)."""
    from index.sanitize import safe_inline, sanitize

    if one_line:
        return safe_inline(text)
    lines = [" ".join(line.split()) for line in sanitize(text or "").split("\n")]
    return "\n".join(lines).strip()
