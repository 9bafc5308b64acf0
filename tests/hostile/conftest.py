"""The hostile suite: every input, query and fault we could think of, run the way a user meets it.

Each test builds its own input (nothing is shipped), runs `brief` as a fresh process and checks the four
promises: no traceback, no hang (every command ends well inside ``TIMEOUT``), no article lost, no terminal
escape leaked, no code executed. README's "Hostile input and faults" table lists the cases.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
TIMEOUT = 30  # seconds: the bound for every case

# What must never reach a user's terminal: C0 controls other than tab/newline (ESC, BEL, ...), DEL, C1.
_LEAK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Run:
    """One finished `brief` process: ``code``, ``out``, ``err`` (text, decoded leniently)."""

    def __init__(self, args: list[str], done: subprocess.CompletedProcess) -> None:
        self.args = args
        self.code = done.returncode
        self.out = done.stdout.decode("utf-8", "backslashreplace")
        self.err = done.stderr.decode("utf-8", "backslashreplace")
        self.raw_out, self.raw_err = done.stdout, done.stderr

    def __repr__(self) -> str:
        return f"Run({self.args!r}, code={self.code}, err={self.err[-600:]!r})"


def brief_env(home: Path, extra: dict | None = None) -> dict:
    """An environment of our own: no BRIEF_* from the caller, cache/data/config under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "HOME": str(home),
        "NO_COLOR": "1",
        "COLUMNS": "100",
    })
    env.update(extra or {})
    return env


def run_brief(*args: str, home: Path, library: Path | None = None, env: dict | None = None,
              timeout: float = TIMEOUT, input: bytes | None = None, code: str | None = None) -> Run:
    """Run ``brief ARGS`` (or ``python -c CODE ARGS``, for a test that must patch something first) as a
    fresh process; fail the test if it does not end within ``timeout`` seconds."""
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "tui"]
    if library is not None:
        cmd += ["--library", os.fspath(library)]
    cmd += [os.fspath(a) for a in args]
    try:
        done = subprocess.run(cmd, capture_output=True, cwd=home, env=brief_env(home, env), timeout=timeout,
                              input=input)
    except subprocess.TimeoutExpired:
        pytest.fail(f"brief {' '.join(map(str, args))} did not end within {timeout:.0f}s")
    return Run(list(args), done)


def assert_clean(run: Run, codes=(0,)) -> Run:
    """The promises every command keeps: an expected exit code, no traceback, no escape leaked, and any
    failure said in one line."""
    assert run.code in codes, run
    assert "Traceback" not in run.err and "Traceback" not in run.out, run
    assert not _LEAK.search(run.out) and not _LEAK.search(run.err), run
    if run.code:
        assert run.err.strip(), f"{run!r}: failed without saying why"
    return run


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh HOME (with its own cache, data and config folders) for one test."""
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """An empty folder for the test's source files."""
    s = tmp_path / "src"
    s.mkdir()
    return s


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """Where the test's library goes (not created)."""
    return tmp_path / "lib"


def article(words: int = 80, topic: str = "reservoir") -> str:
    """A plain article body about ``topic``, long enough to index."""
    sentence = f"The {topic} level rose again on Monday, officials said in a statement to reporters."
    n = max(1, words // len(sentence.split()))
    return f"{topic.title()} Report\n\n" + " ".join([sentence] * n) + "\n"


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under ``folder``: (mode, mtime_ns, content), to prove sources were never modified."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            out[str(p.relative_to(folder))] = (st.st_mode, st.st_mtime_ns, p.read_bytes())
    return out


def write(folder: Path, name: str, text: str) -> Path:
    """Write a source file (folders made as needed)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bump(path: Path) -> None:
    """Make ``path`` look changed to `brief index` (its mtime a second later), its content as it is."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
