"""Checking a library's health for `brief doctor`: plain data, no printing, no Textual.

``check_library(root, chosen_by)`` looks at a library folder without changing anything in it (no lock
file is created, nothing is written, a held lock is never waited for) and answers a ``LibraryHealth``:
facts (JSON-ready values), problems (something is wrong: each says what and the way out), warnings
(worth knowing, not wrong) and notes. Every path in a message goes through ``display_path``, so the
result is safe to print as it is.

Each check is cheap at 20,000 articles: the index's ids come from its term list (no stored document
is read), sizes from one ``scandir`` per folder, bounded in count.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import threading

from .sanitize import display_path, safe_inline

REBUILD = "run `brief index --rebuild` to rebuild it from the sources"
MAX_MANIFEST_BYTES = 512 * 1024 * 1024  # parsed above this size, a manifest would take longer than a check may
MAX_SCAN_ENTRIES = 200_000  # files counted per folder for the sizes (the extraction cache holds one per article)
LEFTOVER = re.compile(r"^(?:index\.new\..+|index\.old\..+|manifest\.next\.json|.+\.tmp)$")


class LibraryHealth:
    """facts (name -> JSON-ready value, in the order they are shown), problems, warnings, notes."""

    def __init__(self) -> None:
        self.facts: dict = {}
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []

    def __repr__(self) -> str:
        return f"LibraryHealth({self.to_json()!r})"

    def to_json(self) -> dict:
        return {"facts": self.facts, "problems": self.problems, "warnings": self.warnings, "notes": self.notes}


def run_bounded(fn, seconds: float) -> tuple[str, object]:
    """``fn()`` in a daemon thread: ("ok", its result), ("error", the exception it raised) or
    ("timeout", None) when it has not returned within ``seconds`` (it is then left running)."""
    box: dict = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the caller, never raised in a thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="brief-doctor-check", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return "timeout", None
    if "error" in box:
        return "error", box["error"]
    return "ok", box.get("value")


def describe(exc: BaseException) -> str:
    text = safe_inline(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# ------------------------------------------------------------------------------------------------ the lock


def lock_state(lock_path: str) -> dict:
    """Whether the library's write lock is held, and by which pid: {"state": "free" | "held" |
    "unknown", "pid": int | None, "command": str | None, "detail": str | None}.

    The lock file is opened read-only and never created; a non-blocking flock is tried and let go at
    once. A lock file that is not a regular file (a FIFO would block a plain open) is not read."""
    import fcntl

    out = {"state": "free", "pid": None, "command": None, "detail": None}
    try:
        fd = os.open(lock_path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        out["detail"] = "no lock file (no `brief index` has run here)"
        return out
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return {**out, "state": "unknown", "detail": "brief.lock is a symbolic link: not followed"}
        return {**out, "state": "unknown", "detail": f"brief.lock cannot be opened ({describe(exc)})"}
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return {**out, "state": "unknown", "detail": "brief.lock is not a regular file"}
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return {**out, "state": "unknown", "detail": f"brief.lock cannot be tested ({describe(exc)})"}
            out["state"] = "held"
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
        try:
            raw = os.pread(fd, 32, 0).decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            raw = ""
        if raw.isdigit() and len(raw) < 12:
            pid = int(raw)
            if out["state"] == "held":
                out["pid"] = pid
                out["command"] = _command_of(pid)
            else:
                out["detail"] = f"last held by pid {pid}"
    finally:
        os.close(fd)
    return out


def _command_of(pid: int) -> str | None:
    """The command line of a running process (Linux), shortened and made safe; None when unknown."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            raw = f.read(400)
    except OSError:
        return None
    words = [w.decode("utf-8", "backslashreplace") for w in raw.split(b"\0") if w]
    text = safe_inline(" ".join(words))
    return text[:160] or None


# ------------------------------------------------------------------------------------------------ sizes


def folder_size(path: str, limit: int = MAX_SCAN_ENTRIES) -> tuple[int, int, bool]:
    """(bytes, files, complete) of the regular files under ``path``, links not followed, at most
    ``limit`` entries looked at."""
    total = files = seen = 0
    stack = [path]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    seen += 1
                    if seen > limit:
                        return total, files, False
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            total += entry.stat(follow_symlinks=False).st_size
                            files += 1
                    except OSError:
                        continue
        except OSError:
            continue
    return total, files, True


def _file_size(path: str) -> int | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


# ------------------------------------------------------------------------------------------------ the index


def index_ids(ix) -> tuple[set[str], int]:
    """The ids of the live documents of an open index, and how many ids are held by more than one live
    document. Read from each segment's term list: no stored document is loaded."""
    ids: set[str] = set()
    twice = 0
    with ix.reader() as reader:
        for leaf, _base in reader.leaf_readers():
            deleted = _deleted(leaf) if leaf.has_deletions() else ()
            for term, info in leaf.iter_field("id"):
                if deleted:
                    if info.doc_frequency() == 1:
                        if info.min_id() in deleted:
                            continue
                    elif not leaf.postings("id", term).is_active():
                        continue
                if term in ids:
                    twice += 1
                ids.add(term)
    return ids, twice


def _deleted(leaf) -> frozenset[int]:
    found = getattr(leaf, "deleted_docs_set", None)  # a cached property of Whoosh's SegmentReader
    if callable(found):
        found = found()
    if found is None:
        found = frozenset(d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d))
    return frozenset(found)


# ------------------------------------------------------------------------------------------------ the library


def check_library(root: str, chosen_by: str, *, demo_sources: str | None = None) -> LibraryHealth:
    """Everything `brief doctor` says about the library at ``root`` (see the module docstring).
    ``demo_sources``: the bundled demo's folder, when ``root`` is the demo library (every one of its
    files must then be in it)."""
    demo = demo_sources is not None
    h = LibraryHealth()
    shown = display_path(root)
    h.facts["path"] = shown
    h.facts["chosen_by"] = chosen_by
    try:
        st = os.stat(root)
    except FileNotFoundError:
        h.facts["exists"] = False
        h.notes.append(_no_library_hint(shown, demo))
        return h
    except OSError as exc:
        h.facts["exists"] = None
        h.problems.append(f"the library folder {shown} cannot be looked at ({describe(exc)}); check its permissions")
        return h
    if not stat.S_ISDIR(st.st_mode):
        h.facts["exists"] = False
        h.problems.append(f"the library path {shown} is not a folder; give another with --library DIR")
        return h
    h.facts["exists"] = True
    writable = os.access(root, os.W_OK)
    h.facts["writable"] = writable
    index_dir = os.path.join(root, "index")
    manifest_path = os.path.join(root, "manifest.json")
    has_index = os.path.isdir(index_dir)
    manifest_kind = _kind(manifest_path)
    if not has_index and manifest_kind is None:
        h.facts["state"] = "no library yet"
        h.notes.append(_no_library_hint(shown, demo))
        _leftovers(h, root, lock=None)
        return h
    if not writable:
        h.warnings.append(f"the library folder {shown} is read-only: searching works, `brief index` cannot update it")

    lock = lock_state(os.path.join(root, "brief.lock"))
    h.facts["lock"] = _lock_text(lock)
    if lock["pid"]:
        h.facts["lock_pid"] = lock["pid"]
    if lock["state"] == "unknown":
        h.warnings.append(f"library lock: {lock['detail']}")
    busy = lock["state"] == "held"

    if manifest_kind == "file" or not has_index:
        ids_index = _check_index(h, root, has_index)
    else:  # open_index refuses a library without its manifest: say why the index was not looked into
        ids_index = None
        h.facts["index"] = "not opened (no readable manifest beside it)"
    ids_manifest = _check_manifest(h, root, manifest_path, manifest_kind, demo_sources)
    if ids_index is not None and ids_manifest is not None:
        _agree(h, ids_index, ids_manifest, busy, lock)
    _sizes(h, root)
    _leftovers(h, root, lock)
    h.facts["state"] = "problems" if h.problems else "ok"
    return h


def _no_library_hint(shown: str, demo: bool) -> str:
    if demo:
        return f"the demo library is not built yet at {shown}: `brief --demo list` builds it (first use only)"
    return (f"no library at {shown} yet: index a folder with `brief index ~/articles` "
            f"(or try the bundled demo: `brief --demo`)")


def _kind(path: str) -> str | None:
    """None (absent), "file", or what else it is."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return "unreadable"
    if stat.S_ISREG(st.st_mode):
        return "file"
    return "folder" if stat.S_ISDIR(st.st_mode) else "special file"


def _lock_text(lock: dict) -> str:
    if lock["state"] == "held":
        who = f"pid {lock['pid']}" if lock["pid"] else "a process whose pid it does not say"
        cmd = f" ({lock['command']})" if lock["command"] else ""
        return f"held by {who}{cmd}: a `brief index` is writing"
    if lock["state"] == "free":
        return "free" + (f" ({lock['detail']})" if lock["detail"] else "")
    return f"unknown ({lock['detail']})"


def _check_index(h: LibraryHealth, root: str, has_index: bool) -> set[str] | None:
    shown = display_path(root)
    if not has_index:
        h.facts["index"] = "missing"
        h.problems.append(f"the index folder of {shown} is missing although its manifest is there; {REBUILD}")
        return None
    from .errors import LibraryError
    from .storage import index_damage_message, open_index

    try:
        ix = open_index(root)
    except LibraryError as exc:
        h.facts["index"] = "cannot be opened"
        h.problems.append(safe_inline(str(exc)))
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged index raises anything
        h.facts["index"] = "cannot be opened"
        h.problems.append(index_damage_message(shown, exc)
                          or f"the index in {shown} could not be opened ({describe(exc)}); {REBUILD}")
        return None
    try:
        h.facts["index"] = "opens"
        h.facts["documents"] = ix.doc_count()
        h.facts["segments"] = len(ix._segments())
        ids, twice = index_ids(ix)
    except Exception as exc:  # noqa: BLE001
        h.facts["index"] = "opens, but cannot be read"
        h.problems.append(index_damage_message(shown, exc)
                          or f"the index in {shown} could not be read ({describe(exc)}); {REBUILD}")
        return None
    finally:
        try:
            ix.close()
        except Exception:  # noqa: BLE001
            pass
    if twice:
        h.problems.append(f"the index of {shown} holds {twice} article ids more than once; {REBUILD}")
    return {i.decode("utf-8", "surrogateescape") if isinstance(i, bytes) else str(i) for i in ids}


def _check_manifest(h: LibraryHealth, root: str, path: str, kind: str | None, demo_sources: str | None
                    ) -> set[str] | None:
    shown = display_path(path)
    if kind is None:
        h.facts["manifest"] = "missing"
        h.problems.append(f"the manifest {shown} is missing although the index is there (an interrupted run?); "
                          f"run `brief index --rebuild PATH...` with the folders to index")
        return None
    if kind != "file":
        h.facts["manifest"] = f"not a file ({kind})"
        h.problems.append(f"the manifest {shown} is not a regular file ({kind}); move it away and run "
                          f"`brief index --rebuild PATH...`")
        return None
    size = _file_size(path) or 0
    if size > MAX_MANIFEST_BYTES:
        h.facts["manifest"] = f"not read ({size} bytes)"
        h.warnings.append(f"the manifest {shown} is {size // (1024 * 1024)} MB: not read by this check")
        return None
    from .errors import LibraryError
    from .library import Library

    try:
        data = Library(root).read_manifest()
    except LibraryError as exc:
        h.facts["manifest"] = "cannot be read"
        h.problems.append(safe_inline(str(exc)))
        return None
    except Exception as exc:  # noqa: BLE001 - another helper's stricter checks may raise anything
        h.facts["manifest"] = "cannot be read"
        h.problems.append(f"the manifest {shown} could not be read ({describe(exc)}); "
                          f"run `brief index --rebuild PATH...` to start over")
        return None
    files = data.get("files")
    roots = data.get("roots")
    dups = data.get("duplicates", {})
    bad = 0
    ids: set[str] = set()
    articles = unreadable = twice = 0
    examples: list[str] = []
    if not isinstance(files, dict):
        files, bad = {}, 1
    for fpath, entry in files.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("articles", []), list):
            bad += 1
            continue
        if entry.get("error"):
            unreadable += 1
            if len(examples) < 3:
                examples.append(f"{display_path(str(fpath))}: {safe_inline(str(entry['error']))}")
        for art in entry.get("articles", ()):
            aid = art.get("id") if isinstance(art, dict) else None
            if not isinstance(aid, str):
                bad += 1
                continue
            articles += 1
            if aid in ids:
                twice += 1
            ids.add(aid)
    h.facts["manifest"] = "reads"
    h.facts["files"] = len(files)
    h.facts["articles"] = articles
    h.facts["unreadable_files"] = unreadable
    h.facts["roots"] = [display_path(str(r)) for r in roots] if isinstance(roots, list) else []
    if not isinstance(roots, list) or not isinstance(dups, dict):
        bad += 1
        dups = dups if isinstance(dups, dict) else {}
    links = sum(len(v) for v in dups.values() if isinstance(v, list))
    h.facts["near_duplicates"] = {"articles": len(dups), "links": links // 2}
    if bad:
        h.problems.append(f"the manifest {shown} has {bad} malformed entries; "
                          f"run `brief index --rebuild` to write it again")
    if twice:
        h.problems.append(f"the manifest {shown} lists {twice} article ids more than once; {REBUILD}")
    for r in roots if isinstance(roots, list) else ():
        if isinstance(r, str) and not os.path.exists(r):
            h.warnings.append(f"the indexed folder {display_path(r)} no longer exists; the next `brief index` "
                              f"without PATH cannot re-read it")
    if demo_sources is not None:
        _check_demo(h, root, files, demo_sources)
    elif unreadable:
        where = "; ".join(examples) + (" …" if unreadable > len(examples) else "")
        h.notes.append(f"{unreadable} files were recorded as unreadable ({where}); `brief index` "
                       f"names them and re-reads them when they change")
    return ids


def _check_demo(h: LibraryHealth, root: str, files: dict, sources: str) -> None:
    """The demo library must hold every bundled file: one missing or unreadable is a problem (the issue
    that started this: HTML failing to read left the demo quietly smaller)."""
    from .readers import iter_source_files

    bundled = [str(p) for p, reason in iter_source_files([sources]) if reason is None]
    missing = sorted(p for p in bundled if not (isinstance(files.get(p), dict) and files[p].get("articles")))
    h.facts["demo_files"] = f"{len(bundled) - len(missing)} of {len(bundled)} bundled files in the library"
    if missing:
        names = ", ".join(display_path(os.path.basename(p)) for p in missing[:4]) + (" …" if len(missing) > 4 else "")
        h.problems.append(f"the demo library is missing {len(missing)} of its {len(bundled)} bundled files ({names}); "
                          f"fix what the readers check says, then remove {display_path(root)} and run "
                          f"`brief --demo list` to build it again")


def _agree(h: LibraryHealth, index_ids_: set[str], manifest_ids: set[str], busy: bool, lock: dict) -> None:
    only_index = index_ids_ - manifest_ids
    only_manifest = manifest_ids - index_ids_
    h.facts["agree"] = not only_index and not only_manifest
    h.facts["only_in_index"] = len(only_index)
    h.facts["only_in_manifest"] = len(only_manifest)
    if not only_index and not only_manifest:
        return
    parts = []
    if only_manifest:
        parts.append(f"{len(only_manifest)} articles listed in the manifest are not in the index "
                     f"(e.g. {', '.join(sorted(safe_inline(i) for i in only_manifest)[:3])})")
    if only_index:
        parts.append(f"{len(only_index)} indexed articles are not in the manifest "
                     f"(e.g. {', '.join(sorted(safe_inline(i) for i in only_index)[:3])})")
    text = "manifest and index disagree: " + "; ".join(parts)
    if busy:
        who = f" (pid {lock['pid']})" if lock["pid"] else ""
        h.warnings.append(f"{text}, while a `brief index`{who} is writing; run `brief doctor` again when it has finished")
    else:
        h.problems.append(f"{text}; run `brief index --rebuild` to make them agree")


def _sizes(h: LibraryHealth, root: str) -> None:
    total, files, complete = folder_size(os.path.join(root, "index"))
    h.facts["size_index"] = total
    h.facts["index_files"] = files
    h.facts["size_manifest"] = _file_size(os.path.join(root, "manifest.json"))
    sketches = os.path.join(root, "sketches.db")  # an old library's are in sketches.json until `brief index`
    h.facts["size_sketches"] = _file_size(sketches if os.path.lexists(sketches) else os.path.join(root, "sketches.json"))
    cache = os.path.join(root, "cache", "extract")
    if os.path.isdir(cache):
        total, files, complete = folder_size(cache)
        h.facts["size_extraction_cache"] = total
        h.facts["extraction_cache_files"] = files if complete else f"over {MAX_SCAN_ENTRIES}"
    else:
        h.facts["size_extraction_cache"] = None


def _leftovers(h: LibraryHealth, root: str, lock: dict | None) -> None:
    found = []
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                if LEFTOVER.match(entry.name):
                    found.append(display_path(entry.name))
                    if len(found) >= 20:
                        break
    except OSError:
        return
    h.facts["leftovers"] = sorted(found)
    if found:
        if lock and lock["state"] == "held":
            h.notes.append(f"work files of the `brief index` running now: {', '.join(sorted(found))}")
        else:
            h.notes.append(f"leftovers of an interrupted `brief index`: {', '.join(sorted(found))}; "
                           f"nothing uses them: they can be deleted while no `brief index` runs")


def human_size(n: int | None) -> str:
    if n is None:
        return "none"
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover
