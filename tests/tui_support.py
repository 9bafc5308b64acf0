"""Shared helpers for the app's tests: demo and hostile libraries, screen text, waiting for workers."""

from __future__ import annotations

import asyncio
import fcntl
import functools
import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from index.indexer import update
from index.library import Library

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo"

# Ids and the paths in the reader's header come from the source paths, so snapshots need the demo
# library built from a copy at a fixed place (shared by xdist workers under a lock).
FIXED_DEMO = (Path("/tmp") if Path("/tmp").is_dir() else Path(tempfile.gettempdir())) / "brief-tui-test-demo"
# Counting hits waits for a pause in the typing; tests type nothing more, so count at once.
from tui.screens.search import SearchScreen  # noqa: E402

SearchScreen.count_after = 0.0

HINT = "Demo library. For your own articles: brief index ~/articles, then brief"


def _demo_stamp() -> list[list[str]]:
    """What the fixed library was built from: the demo files and the code that reads and cleans them.

    The fixed path outlives a checkout (another checkout or a CI run on the same machine reuses it), so a
    library built by other code or from other files is rebuilt rather than trusted.
    """
    parts = [(str(p.relative_to(DEMO)), p) for p in DEMO.rglob("*") if p.is_file()]
    parts += [(f"index/{p.name}", p) for p in (ROOT / "index").glob("*.py")]
    return [[name, hashlib.blake2b(p.read_bytes(), digest_size=12).hexdigest()] for name, p in sorted(parts)]


_HELD = []  # the shared lock on the fixed library, held while this test process may read it


def fixed_demo_library() -> Library:
    """The demo library at FIXED_DEMO, (re)built when stale. The process then keeps a shared lock on it
    until it ends, so that another checkout's test run (which may need another build) waits for this run
    to end instead of rebuilding the library under its feet; the processes of one run share the lock."""
    lib = Library(FIXED_DEMO / "library")
    if _HELD:
        return lib
    FIXED_DEMO.mkdir(parents=True, exist_ok=True)
    lock = open(FIXED_DEMO / ".lock", "w")
    sources, stamp, want = FIXED_DEMO / "demo", FIXED_DEMO / "stamp.json", _demo_stamp()

    def fresh() -> bool:
        return lib.exists() and stamp.exists() and json.loads(stamp.read_text()) == [list(w) for w in want]

    while True:
        fcntl.flock(lock, fcntl.LOCK_SH)
        if fresh():
            _HELD.append(lock)
            return lib
        fcntl.flock(lock, fcntl.LOCK_UN)
        try:  # rebuild only when nobody reads it; else wait for them (or for another process to build it)
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            time.sleep(0.2)
            continue
        if not fresh():
            shutil.rmtree(sources, ignore_errors=True)
            shutil.rmtree(lib.root, ignore_errors=True)
            shutil.copytree(DEMO, sources)
            update(lib, [sources], rebuild=True)
            stamp.write_text(json.dumps(want))
        fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def demo_lib() -> Library:
    return fixed_demo_library()


@pytest.fixture
def no_config(tmp_path, monkeypatch):
    """No user config file and no theme from the environment."""
    monkeypatch.setenv("BRIEF_CONFIG", str(tmp_path / "no-such-config.toml"))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    return tmp_path / "no-such-config.toml"


HOSTILE_TITLE = "Dam [bold]breach[/] [link=http://evil.example]click[/link] \x1b]8;;http://x\x07here\x1b]8;;\x07"


def jsonl_library(tmp: Path, articles: list[dict]) -> Library:
    src = tmp / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "feed.jsonl").write_text("\n".join(json.dumps(a) for a in articles) + "\n", encoding="utf-8")
    lib = Library(tmp / "lib")
    update(lib, [src], rebuild=True)
    return lib


def async_test(fn):
    """Run an async test with asyncio.run (the test extra has no asyncio plugin for pytest)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


def screen_text(app) -> str:
    """What the terminal shows now, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _quiet(app) -> bool:
    """No worker running, and the screen waits for nothing (a search, a hit count)."""
    screen = app.screen
    return not any(w.is_running for w in app.workers) and not getattr(screen, "busy", False) \
        and not getattr(screen, "counting", False)


async def settle(pilot, timeout: float = 10.0) -> None:
    """Let workers finish and their messages be handled (and the search screen count its hits)."""
    import time

    end = time.monotonic() + timeout
    await pilot.pause()
    for n in range(1000):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if (n >= 1 and _quiet(pilot.app)) or time.monotonic() > end:
            break


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    """Poll ``condition()`` between message-queue pauses (state, not a fixed sleep), failing after ``timeout``."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting for the app"
        await settle(pilot)
        await pilot.pause(0.01)


async def until(pilot, condition, timeout: float = 10.0) -> None:
    """Poll ``condition()`` between short pauses, without waiting for the workers (a watch worker never ends)."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting for the app"
        await pilot.pause(0.05)


def notices(app) -> list[str]:
    """The notifications the app has shown."""
    return [n.message for n in app._notifications]


async def home_ready(pilot):
    """Wait until the home list (empty query) is shown and nothing is being searched."""
    from tui.screens.search import SearchScreen

    await until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen) and pilot.app.screen.shown_query == ""
                and not pilot.app.screen.busy)
    return pilot.app.screen


async def reader_ready(pilot) -> None:
    """Wait until the reader on top has its article and its related list."""
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "article", None) is not None
                     and getattr(pilot.app.screen, "related_done", False))


async def search_for(pilot, text: str) -> None:
    """Type a query in the query bar and submit it (Enter skips the debounce)."""
    screen = pilot.app.screen
    screen.query_one("#query").focus()
    await pilot.pause()
    screen.query_one("#query").value = ""
    await pilot.press(*text) if text else None
    await pilot.press("enter")
    await settle(pilot)
