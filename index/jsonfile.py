"""The library's own small JSON files (briefs, user state, card history): written atomically (a tmp file in
the same folder, fsync, os.replace: never a half-written file), and, for those two writers may change at
once (the app and a command), a read-modify-replace under an fcntl lock file."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path


def write_atomic(path: Path, data, *, prefix: str, indent: int | None = None, newline: bool = False) -> None:
    """``data`` as JSON (ASCII: lone surrogates of odd text survive) into ``path``, all at once."""
    text = json.dumps(data, ensure_ascii=True, indent=indent) + ("\n" if newline else "")
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(lock_path: Path, wait: float):
    """Hold ``lock_path`` (fcntl, created if need be) for one read-modify-replace; TimeoutError after ``wait``
    seconds of another holder."""
    import fcntl

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        end = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > end:
                    raise TimeoutError(f"{lock_path} is held by another brief for more than {wait:g} s; "
                                       f"try again") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # releases the lock
