"""Reading source files into articles: plain text, Markdown, saved HTML pages, RSS/Atom feeds, JSON lines.

``iter_source_files(roots)`` walks files and folders and says, for each file, whether it can be read
(reason ``None``) or why it is skipped. ``read_file(path, problems)`` turns one file into its articles
(feeds and JSON lines hold many); a file that cannot be read raises ``ReadError`` naming the reason
(``SkipFile`` for a file deliberately left out, ``ReaderUnavailable`` when the reader's package is missing
or broken), and smaller trouble is appended to ``problems`` as ``"path: what happened"`` while the rest
of the file is still read. Two kinds of such lines, told apart by ``is_note``:

- a part of the file skipped (one bad feed entry, one bad JSON line): the line ends with ``"; skipped"``;
- a remark on a file read all the same (read as Windows-1252, front matter left out, text cut to the
  size limit, a date that is not a real date): any other line, a *note*.

Every format's text goes through the same cleaning (index.clean) and the same metadata heuristics
(index.plaintext); what a format states explicitly (front matter, feed fields, page metadata) wins
over what the heuristics guess. Source files are only ever opened for reading, never a pipe, socket or
device, and the work on one file is bounded whatever it holds (see the limits below).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from .model import Article, ReadError, ReaderUnavailable, SkipFile, make_id
from .sanitize import display_path

__all__ = [
    "SUPPORTED", "iter_source_files", "read_file", "check_readers", "is_note",
    "LINK_OUTSIDE", "LINK_BROKEN", "LINK_REPEAT", "SPECIAL_FILE", "FOLDER_UNREADABLE",
    "MAX_ARTICLE_CHARS", "MAX_FILE_BYTES", "FRONT_MATTER_MAX",
]

SUPPORTED = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".jsonl": "jsonl",
}

# --------------------------------------------------------------------------- limits
#
# One article's text is cut (at a paragraph boundary, with a note) at MAX_ARTICLE_CHARS: a long report is
# 100-300 KB of text and a book-length piece about 1 MB (170,000 words), so nothing a reader pastes or saves
# is cut; above that the text is a dump, and every search that matches it pays for its length (passages are
# looked for in the body: with a 4 MB article a cold search took 3 s, with a 31 MB one over 60 s; 1 MB: 0.4 s).
MAX_ARTICLE_CHARS = 1_000_000
# Text and Markdown files are read only as far as that text can reach (4 bytes a character at most, and
# the front matter); formats that hold many articles, or markup around one, are read whole up to:
MAX_FILE_BYTES = {
    "html": 32_000_000,  # a saved page with its images inlined can be tens of megabytes
    "feed": 16_000_000,  # feedparser reads about 1.5 MB of entries a second: 16 MB is ~10 s
    "jsonl": 32_000_000,  # an export of thousands of articles
}
FRONT_MATTER_MAX = 64_000  # a few dozen `key: value` lines are a few hundred bytes
_TEXT_READ_BYTES = 4 * MAX_ARTICLE_CHARS + FRONT_MATTER_MAX + 1_000
# trafilatura's work grows with the page's size and number of elements (0.3-0.7 ms each): a page above
# these, once its scripts, styles and inline images are set aside, is read with the simple HTML reader.
HTML_EXTRACT_CHARS = 3_000_000
HTML_EXTRACT_TAGS = 15_000
_BAD_LINES_NAMED = 20  # JSON lines: bad lines named one by one; the rest are counted in one line
_QUOTED_CHARS = 40  # how much of an unreadable value a note quotes


def _size(n: int) -> str:
    """1_500 -> "2 KB", 2_500_000 -> "2.5 MB", 31_500_000 -> "32 MB" (decimal units)."""
    if n >= 1_000_000:
        mb = n / 1_000_000
        return (f"{mb:.1f}".rstrip("0").rstrip(".") if mb < 10 else f"{mb:.0f}") + " MB"
    return f"{max(1, round(n / 1_000))} KB"


def _quoted(value) -> str:
    from .sanitize import safe_inline

    text = safe_inline(str(value))
    return repr(text if len(text) <= _QUOTED_CHARS else text[: _QUOTED_CHARS - 1] + "…")


def is_note(message: str) -> bool:
    """True for a ``problems`` line that remarks on a file read all the same (it goes to the report's
    notes), False for one naming a part of the file that was skipped (it ends with "; skipped")."""
    return not message.endswith("; skipped")


# --------------------------------------------------------------------------- finding files

LINK_OUTSIDE = "links leading outside the indexed folders"  # skip reasons (see iter_source_files)
LINK_BROKEN = "broken links"
LINK_REPEAT = "links to a file or folder read already"
SPECIAL_FILE = "pipes or devices"
FOLDER_UNREADABLE = "folders that could not be opened"


def _kind(path: str) -> str | None:
    return SUPPORTED.get(os.path.splitext(path)[1].lower())


def _skip_reason(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return f"unsupported file type {ext}" if ext else "unsupported file type (no extension)"


def _under(path: str, real_roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in real_roots)


def iter_source_files(roots: Iterable[str | os.PathLike], follow_links: bool = False
                      ) -> Iterator[tuple[Path, str | None]]:
    """(path, None) for every readable source file under ``roots``, (path, reason) for skipped ones.

    Folders are walked recursively in sorted order (a folder's files, then its subfolders); hidden files
    and folders (a leading dot) and editor leftovers (``~`` backups) are passed over silently. A root
    that does not exist yields ``(root, "no such file or folder")``; a root that is a link stands for its
    target.

    Links are what `find` and `rg` users expect: one whose real target is outside every root yields
    ``LINK_OUTSIDE`` (never opened) unless ``follow_links`` is given; one that leads nowhere yields
    ``LINK_BROKEN``. Links that stay inside are followed, folders included. Every file and folder is read
    once however many ways lead to it (a link to a folder above it cannot loop): the path without a link
    wins, other ways yield ``LINK_REPEAT``. Pipes, sockets and devices yield ``SPECIAL_FILE`` (opening a
    pipe would wait forever), also when a link leads to one.
    """
    roots = [os.path.abspath(os.fspath(r)) for r in roots]
    real_roots = [os.path.realpath(r) for r in roots]
    walked: set[tuple[int, int]] = set()  # folders (st_dev, st_ino) walked or queued
    files: dict[tuple[int, int], str] = {}  # files yielded (st_dev, st_ino) -> the path they were yielded as
    links: list[tuple[str, str]] = []  # (link path, its real target) inside the roots: after the direct walk

    def walk(top: str, top_st: os.stat_result) -> Iterator[tuple[str, str | None]]:
        stack = [(top, top_st.st_dev)]
        while stack:
            folder, dev = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                yield folder, FOLDER_UNREADABLE
                continue
            subfolders = []
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name.endswith("~"):
                    continue
                path = entry.path
                try:
                    if entry.is_symlink():
                        yield from link(path)
                    elif entry.is_dir(follow_symlinks=False):
                        st = entry.stat(follow_symlinks=False)
                        if (st.st_dev, st.st_ino) not in walked:
                            walked.add((st.st_dev, st.st_ino))
                            subfolders.append((path, st.st_dev))
                    elif entry.is_file(follow_symlinks=False):
                        key = (dev, entry.inode())
                        if key not in files:
                            files[key] = path
                            yield path, (None if _kind(name) else _skip_reason(name))
                        elif files[key] != path:  # (the same path: a root given twice, or inside another)
                            yield path, LINK_REPEAT  # a hard link to a file read already
                    else:
                        yield path, SPECIAL_FILE
                except OSError:  # gone meanwhile, or not stat-able: the indexer's stat says why
                    yield path, None if _kind(name) else _skip_reason(name)
            stack.extend(reversed(subfolders))

    def link(path: str) -> Iterator[tuple[str, str | None]]:
        try:
            os.stat(path)
        except OSError:  # no target, a loop of links, no permission to look
            yield path, LINK_BROKEN
            return
        real = os.path.realpath(path)
        if not follow_links and not _under(real, real_roots):
            yield path, LINK_OUTSIDE
        else:
            links.append((path, real))

    def follow(path: str, real: str) -> Iterator[tuple[str, str | None]]:
        st = os.stat(path)
        key = (st.st_dev, st.st_ino)
        if stat.S_ISDIR(st.st_mode):
            if key in walked:
                yield path, LINK_REPEAT
            else:
                walked.add(key)
                yield from walk(path, st)
        elif not stat.S_ISREG(st.st_mode):
            yield path, SPECIAL_FILE
        elif key in files:
            yield path, LINK_REPEAT
        else:
            files[key] = path
            yield path, (None if _kind(path) else _skip_reason(path))

    def each() -> Iterator[tuple[str, str | None]]:
        for root, real in zip(roots, real_roots):
            try:
                st = os.stat(real)
            except OSError:
                yield root, "no such file or folder"
                continue
            key = (st.st_dev, st.st_ino)
            if stat.S_ISDIR(st.st_mode):
                if key not in walked:
                    walked.add(key)
                    yield from walk(real, st)
            elif not stat.S_ISREG(st.st_mode):
                yield real, SPECIAL_FILE
            elif key not in files:
                files[key] = real
                yield real, (None if _kind(real) else _skip_reason(real))
        # Links last: a file or folder also reached without one is read under its own path.
        done = 0
        while done < len(links):
            path, real = links[done]
            done += 1
            try:
                yield from follow(path, real)
            except OSError:  # the target went away meanwhile
                yield path, LINK_BROKEN

    for path, reason in each():
        yield Path(path), reason


# --------------------------------------------------------------------------- readers' packages

_SETUP_FIX = "install brief's locked dependencies: pip install -c requirements.lock -e ."
_PACKAGES = {  # reader -> (module imported, what cannot be read without it)
    "html": ("trafilatura", "saved HTML pages"),
    "feed": ("feedparser", "RSS/Atom feeds"),
    "markdown": ("markdown_it", "Markdown files"),
    "front matter": ("yaml", "Markdown front matter"),
}
_modules: dict[str, object] = {}  # reader -> its module, or the setup message: one import per process


def _setup_message(reader: str, exc: BaseException) -> str:
    module, what = _PACKAGES[reader]
    text = " ".join(str(exc).split())
    if isinstance(exc, ModuleNotFoundError) and exc.name == module:
        why = f"{module} is not installed"
    elif "lxml.html.clean" in text or "lxml_html_clean" in text:
        why = f"{module} fails to import (lxml.html.clean is now the separate package lxml_html_clean)"
    elif isinstance(exc, ModuleNotFoundError) and exc.name:
        why = f"{module} fails to import (it needs {exc.name}, which is not installed)"
    else:
        why = f"{module} fails to import ({type(exc).__name__}: {text[:160]})"
    return f"{what} cannot be read: {why}; {_SETUP_FIX}"


def _load(reader: str):
    """The reader's module, or its setup message (a str) when it cannot be imported; tried once."""
    if reader not in _modules:
        module = _PACKAGES[reader][0]
        try:
            if reader == "html":
                import logging

                logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs a warning per odd page
            _modules[reader] = __import__(module)
        except Exception as exc:  # noqa: BLE001 - a broken install raises anything
            from .sanitize import safe_inline

            _modules[reader] = safe_inline(_setup_message(reader, exc))
    return _modules[reader]


def _broken(reader: str, path: str, exc: ImportError) -> ReaderUnavailable:
    """A reader whose package imported but then failed to import a piece of its own, while reading: it
    is unavailable for the rest of the run, like one that fails to import."""
    from .sanitize import safe_inline

    _modules[reader] = safe_inline(_setup_message(reader, exc))
    return ReaderUnavailable(path, reader, _modules[reader])


def _need(reader: str, path: str):
    got = _load(reader)
    if isinstance(got, str):
        raise ReaderUnavailable(path, reader, got)
    return got


def check_readers() -> list[tuple[str, str | None]]:
    """(reader, None when it works here, else the setup message naming the package and the fix), for
    every reader that needs a package beyond the standard library: `brief doctor` prints them.

    Each reader is imported (once per process, as when indexing) and then tried on a tiny input of its
    own, so that a package that imports but fails when used is caught too."""
    samples = {
        "html": lambda m: m.bare_extraction("<html><body><article><p>" + "A short test paragraph. " * 20
                                            + "</p></article></body></html>", with_metadata=True),
        "feed": lambda m: m.parse(b"<rss version='2.0'><channel><item><title>t</title></item></channel></rss>",
                                  sanitize_html=False, resolve_relative_uris=False).entries[0],
        "markdown": lambda m: m.MarkdownIt("commonmark", {"html": True}).render("# t\n\n*a*"),
        "front matter": lambda m: m.load("a: 1", Loader=_yaml_loader(m)),
    }
    out: list[tuple[str, str | None]] = []
    for reader in _PACKAGES:
        got = _load(reader)
        if not isinstance(got, str):
            try:
                samples[reader](got)
                got = None
            except Exception as exc:  # noqa: BLE001
                from .sanitize import safe_inline

                module, what = _PACKAGES[reader]
                got = safe_inline(f"{what} cannot be read: {module} imports but fails when used "
                                  f"({type(exc).__name__}: {' '.join(str(exc).split())[:160]}); {_SETUP_FIX}")
        out.append((reader, got))
    return out


# --------------------------------------------------------------------------- reading bytes


def _read_bytes(path: str, kind: str) -> tuple[bytes, int]:
    """(the bytes to read, the file's size). Only a regular file is opened, and without blocking: a pipe
    (whose open would wait for a writer forever), a socket or a device is refused before and after open."""
    limit = MAX_FILE_BYTES.get(kind)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(path, "not a regular file (a pipe, socket or device); not read")
        if limit is not None and st.st_size > limit:
            raise ReadError(path, f"too large to read ({_size(st.st_size)}; brief reads {_KIND_NAMES[kind]} "
                                  f"up to {_size(limit)})")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ReadError(path, "not a regular file (a pipe, socket or device); not read")
            want = _TEXT_READ_BYTES if limit is None else limit
            data = f.read(want + 1)
    except OSError as exc:
        raise ReadError(path, f"could not be opened ({exc.strerror or exc})") from None
    if len(data) > want:
        if limit is not None:  # grew past the limit since the stat
            raise ReadError(path, f"too large to read (over {_size(limit)})")
        data = data[:want]
    return data, max(st.st_size, len(data))


_KIND_NAMES = {"html": "saved pages", "feed": "feeds", "jsonl": "JSON lines files"}


def _decode(path: str, data: bytes, problems: list[str], cut: bool = False) -> str:
    """Text of a file: UTF-8 (BOM or not), else UTF-16 with a BOM, else Windows-1252 (said in problems).
    ``cut``: ``data`` is the beginning of a longer file (it may end inside a character)."""
    import codecs

    if not data.strip():
        raise ReadError(path, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return codecs.getincrementaldecoder("utf-16")().decode(data, final=not cut)
        except UnicodeDecodeError:
            raise ReadError(path, "not text (broken UTF-16)") from None
    if b"\x00" in data[:8192]:
        raise ReadError(path, "not text (binary data)")
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=not cut)
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(4, len(text) // 200):
        raise ReadError(path, "not text (not UTF-8, and not Windows-1252 either)")
    problems.append(f"{display_path(path)}: read as Windows-1252 (it is not valid UTF-8)")
    return text


def _cut_at(text: str, limit: int) -> int:
    """Where to cut ``text`` to at most ``limit`` characters: a paragraph end, else a line, a sentence, a word."""
    for sep in ("\n\n", "\n", ". ", " "):
        at = text.rfind(sep, limit // 2, limit)
        if at > 0:
            return at + 1 if sep == ". " else at
    return limit


def _cap(path: str, text: str, problems: list[str], where: str = "", whole: int | None = None) -> str:
    """``text`` cut to MAX_ARTICLE_CHARS (see _cut_at), with a note naming the file and both sizes.
    ``whole``: the file's size when only its beginning was read (the text is cut already)."""
    if len(text) <= MAX_ARTICLE_CHARS and whole is None:
        return text
    total = whole if whole is not None else len(text)
    shown = _size(total) if _size(total) != _size(MAX_ARTICLE_CHARS) else f"{total / 1_000_000:.3f} MB"
    what = f"the file is {shown}" if whole is not None else f"article text is {shown}"
    problems.append(f"{display_path(path)}: {where}{what}; only the first {_size(MAX_ARTICLE_CHARS)} "
                    f"of its text is indexed")
    return text[: _cut_at(text, MAX_ARTICLE_CHARS)] if len(text) > MAX_ARTICLE_CHARS else text


# --------------------------------------------------------------------------- metadata helpers


def _calendar_date(year: int, month: int, day: int) -> date | str:
    """The date, or why there is none: a year no calendar holds, or a day the month does not have."""
    if not 1 <= year <= 9999:
        return f"not a real date (year {year})"
    try:
        return date(year, month, day)
    except ValueError:
        return "not a real date"


_ISO_DATE = re.compile(r"([+-]?\d+)-(\d{1,2})-(\d{1,2})(?![\d])")
_ODD_YEAR = re.compile(r"(?<![\d+-])(?:0000|[1-9]\d{4,}|0+[1-9]\d{4,})(?![\d:])")  # not a zone (+0000), not a time


def _stated_date(value) -> date | str | None:
    """A date stated in front matter, a feed or a JSON line: the date, None when none is stated, or (a
    str) why the value stated is not one (a day that does not exist, a year no calendar holds, no date).

    Strings are ISO dates (time and zone after it ignored), RFC 822 dates (feeds) or written-out dates."""
    from .plaintext import date_or_reason

    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return _stated_date(value[0])
    if not isinstance(value, str):
        return "not a date brief can read"
    text = value.strip()
    if not text:
        return None
    m = _ISO_DATE.match(text)
    if m:
        return _calendar_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    from email.utils import parsedate_tz  # RFC 822, as in feeds: "Mon, 21 Oct 2024 08:00:00 GMT"

    try:
        parts = parsedate_tz(text[:200])
    except (TypeError, ValueError, IndexError):
        parts = None
    if parts:
        year = _ODD_YEAR.search(text)
        if year:  # RFC 822 reads a year below 100 as 19xx or 20xx: "0000" is not 2000
            return f"not a real date (year {int(year.group())})"
        return _calendar_date(parts[0], parts[1], parts[2])
    found = date_or_reason(text)
    return found if found is not None else "not a date brief can read"


def _published(path: str, problems: list[str], where: str, value, fallback: date | None) -> date | None:
    """The stated date if it is one; else the date the text gives (``fallback``), with a note saying why
    the stated one was not used."""
    found = _stated_date(value)
    if isinstance(found, date):
        return found
    if found is not None:
        outcome = "the date in its text is used" if fallback else "the article is kept undated"
        problems.append(f"{display_path(path)}: {where}the date {_quoted(value)} is {found}; {outcome}")
    return fallback


def _as_text(value, depth: int = 0) -> str | None:
    """A one-line string from a metadata value (lists joined with commas); None when empty."""
    from .sanitize import safe_inline

    if value is None or isinstance(value, (dict, bool)) or depth > 3:
        return None
    if isinstance(value, (list, tuple)):
        parts = [_as_text(v, depth + 1) for v in value[:100]]
        value = ", ".join(p for p in parts if p)
    text = safe_inline(str(value)[:10_000])
    return text or None


def _as_tags(value) -> list[str]:
    if value is None:
        return []
    items = value[:500] if isinstance(value, (list, tuple)) else str(value)[:10_000].split(",")
    tags: list[str] = []
    for item in items:
        if isinstance(item, dict):  # feedparser's {"term": ...}
            item = item.get("term") or item.get("label")
        text = _as_text(item)
        if text:
            for part in text.split(","):
                part = part.strip()
                if part and part not in tags:
                    tags.append(part)
    return tags


def _first(mapping: dict, *names: str):
    lowered = {str(k).lower(): v for k, v in mapping.items()}
    for name in names:
        value = lowered.get(name)
        if value not in (None, "", [], ()):
            return value
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_key(key: str) -> str:
    """An entry's key as it can be stored (Whoosh encodes it as UTF-8): lone surrogates become U+FFFD.
    Nothing else changes, so the id of every key that could be stored before stays the same."""
    return key if key.isascii() else _SURROGATE.sub("\ufffd", key)


def _article(path: str, key: str, doc, problems: list[str], where: str = "", *, title=None, outlet=None,
             author=None, published=None, url=None, tags=None) -> Article:
    """An Article from a parsed PlainDoc, with explicitly stated metadata winning over the heuristics."""
    from .plaintext import _words

    title = _as_text(title)
    paragraphs = list(doc.paragraphs)
    if title and paragraphs and _words(paragraphs[0]) == _words(title):
        paragraphs = paragraphs[1:]  # the headline repeated as the first line of the body
    return Article(
        id=make_id(path, key),
        path=path,
        title=title or doc.title,
        paragraphs=paragraphs,
        outlet=_as_text(outlet) or doc.outlet,
        author=_as_text(author) or doc.author,
        published=_published(path, problems, where, published, doc.published),
        url=_as_text(url),
        tags=_as_tags(tags) or list(doc.tags),
        key=key,
    )


def _require_text(path: str, article: Article, what: str = "no article text found") -> Article:
    if not article.paragraphs:
        raise ReadError(path, what)
    return article


# --------------------------------------------------------------------------- plain text


def _read_text(path: str, text: str, problems: list[str], whole: int | None) -> list[Article]:
    from .plaintext import parse_plain_text

    text = _cap(path, text, problems, whole=whole)
    return [_require_text(path, _article(path, "", parse_plain_text(text), problems))]


# --------------------------------------------------------------------------- Markdown

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_GENERATOR_BRIEF = re.compile(r"^generator:[ \t]*(?:brief|'brief'|\"brief\")[ \t]*(?:#.*)?$", re.MULTILINE)
_ATX_TITLE = re.compile(r"\A\s*#\s+(?P<title>[^\n]+?)\s*#*\s*(?:\n|\Z)")
_SETEXT_TITLE = re.compile(r"\A\s*(?P<title>[^\n]+)\n=+[ \t]*(?:\n|\Z)")


class _AliasRefused(Exception):
    pass


_LOADERS: dict = {}


def _yaml_loader(yaml):
    """PyYAML's safe loader, refusing anchors and aliases outright (a "billion laughs" alias bomb expands
    a few hundred bytes into gigabytes) and leaving dates as the strings they are written as (so that a day
    that does not exist is said, not an exception that drops the article)."""
    loader = _LOADERS.get(id(yaml))
    if loader is None:
        class Loader(yaml.SafeLoader):
            def compose_node(self, parent, index):
                event = self.peek_event()
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                    raise _AliasRefused
                return super().compose_node(parent, index)

        Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
        loader = _LOADERS[id(yaml)] = Loader
    return loader


# Front matter that is only `key: value` lines of the plainest kinds is read without PyYAML (its pure-Python
# scanner takes ~0.5 ms a file, as long as the rest of reading a short article): a value in double quotes
# with no backslash or quote inside, in single quotes with no quote inside, a YYYY-MM-DD date (a string, as
# _yaml_loader leaves dates), or plain words that YAML reads as a string too. Anything else, and any key or
# value YAML would resolve to another type (true, no, null, ...), goes to PyYAML as before; the two are
# compared in tests/test_readers_fast.py.
_SIMPLE_FIELD = re.compile(
    r"(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?: +(?:"
    r'"(?P<dq>[^"\\\n\r\x85\u2028\u2029]*)"'
    r"|'(?P<sq>[^'\n\r\x85\u2028\u2029]*)'"
    r"|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"|(?P<plain>[A-Za-z][A-Za-z0-9 .,'()/&+-]*?)"
    r"))? *"
)
_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})  # resolved to bool/None
_PRINTABLE = re.compile("[\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")  # minus \x85


def _simple_front_matter(raw: str) -> dict | None:
    """What PyYAML (with _yaml_loader) reads from ``raw`` when it is plain `key: value` lines; else None."""
    if not _PRINTABLE.fullmatch(raw) or "\ufeff" in raw:
        return None
    data: dict = {}
    for line in raw.split("\n"):
        m = _SIMPLE_FIELD.fullmatch(line)
        if m is None:
            return None
        key = m["key"]
        if key.lower() in _YAML_WORDS or len(key) > 200:  # PyYAML refuses a key of over 1,024 characters
            return None
        if m["dq"] is not None:
            if "\t" in m["dq"]:
                return None
            value = m["dq"]
        elif m["sq"] is not None:
            if "\t" in m["sq"]:
                return None
            value = m["sq"]
        elif m["date"] is not None:
            value = m["date"]
        elif m["plain"] is not None:
            value = m["plain"]
            if value.lower() in _YAML_WORDS:
                return None
        else:
            value = None
        data[key] = value
    return data


def _front_matter(path: str, text: str, problems: list[str]) -> tuple[dict, str]:
    """(the front matter's fields, the text after it). Raises SkipFile for brief's own card exports."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    raw, body = m.group("yaml"), text[m.end():]
    if _GENERATOR_BRIEF.search(raw[:FRONT_MATTER_MAX]):
        raise SkipFile(path, "brief's own card export")
    shown = display_path(path)
    if len(raw) > FRONT_MATTER_MAX:
        problems.append(f"{shown}: front matter is {_size(len(raw))}, more than brief reads "
                        f"({_size(FRONT_MATTER_MAX)}); read the text without it")
        return {}, body
    yaml = _need("front matter", path)
    try:
        data = _simple_front_matter(raw)
        if data is None:
            data = yaml.load(raw, Loader=_yaml_loader(yaml))
    except ImportError as exc:
        raise _broken("front matter", path, exc) from None
    except _AliasRefused:
        problems.append(f"{shown}: front matter uses YAML aliases, which brief does not read; "
                        f"read the text without it")
        return {}, body
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        problems.append(f"{shown}: front matter is not valid YAML{line}; read the text without it")
        return {}, body
    except RecursionError:
        problems.append(f"{shown}: front matter is nested too deeply to read; read the text without it")
        return {}, body
    except Exception as exc:  # noqa: BLE001 - e.g. an integer of 5,000 digits
        problems.append(f"{shown}: front matter could not be read ({type(exc).__name__}); "
                        f"read the text without it")
        return {}, body
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(f"{shown}: front matter is not a set of `key: value` fields; read the text without it")
        data = {}
    return data, body


# Markdown's inline markup costs markdown-it-py up to ~30 microseconds a "[" (it looks ahead for the end of
# every link): a paragraph's inline markup is parsed while this budget lasts, the rest is read as it is.
MARKDOWN_INLINE_BUDGET = 200_000


def _inline_cost(text: str) -> int:
    return (5 * text.count("[") + 5 * text.count("![") + text.count("*") + text.count("_") + text.count("`")
            + text.count("<") + text.count("&"))


_PARSERS: dict = {}


def _bounded_inline(state) -> None:
    """markdown-it's "inline" core rule, parsing each paragraph's inline markup while
    MARKDOWN_INLINE_BUDGET lasts; the paragraphs past it are one text token each (counted in
    ``state.env["plain"]``)."""
    from markdown_it.token import Token

    budget = MARKDOWN_INLINE_BUDGET
    for token in state.tokens:
        if token.type != "inline":
            continue
        cost = _inline_cost(token.content)
        if cost <= budget:
            budget -= cost
            token.children = [] if token.children is None else token.children
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        else:
            text = Token("text", "", 0)
            text.content = token.content
            token.children = [text]
            state.env["plain"] = state.env.get("plain", 0) + 1


def _markdown_parser(markdown_it):
    """One CommonMark parser per process (building one compiles its rules and linkify's patterns, ~1 ms:
    as long as reading a short article); rendering keeps no state between documents."""
    md = _PARSERS.get(id(markdown_it))
    if md is None:
        md = markdown_it.MarkdownIt("commonmark", {"html": True})
        md.core.ruler.at("inline", _bounded_inline)
        _PARSERS[id(markdown_it)] = md
    return md


def _markdown_paragraphs(path: str, body: str, problems: list[str]) -> list[str]:
    """Markdown -> the text of its blocks, one paragraph each (emphasis, links and inline HTML dropped)."""
    markdown_it = _need("markdown", path)

    from .htmltext import html_to_paragraphs

    env: dict = {}
    try:
        html = _markdown_parser(markdown_it).render(body, env)
    except ImportError as exc:
        raise _broken("markdown", path, exc) from None
    plain = env.get("plain", 0)
    if plain:
        problems.append(f"{display_path(path)}: more Markdown markup than brief reads; {plain:,} "
                        f"paragraph{'s' if plain > 1 else ''} read as plain text, markup and all")
    return html_to_paragraphs(html)


def _read_markdown(path: str, text: str, problems: list[str], whole: int | None) -> list[Article]:
    from .plaintext import parse_plain_text
    from .sanitize import sanitize

    meta, body = _front_matter(path, sanitize(text), problems)
    body = _cap(path, body, problems, whole=whole)
    heading = None
    if not _first(meta, "title"):
        m = _ATX_TITLE.match(body) or _SETEXT_TITLE.match(body)
        if m:
            heading, body = m.group("title"), body[m.end():]
    doc = parse_plain_text("\n\n".join(_markdown_paragraphs(path, body, problems)))
    article = _article(
        path, "", doc, problems,
        title=_first(meta, "title", "headline") or heading,
        outlet=_first(meta, "outlet", "source", "publisher", "site", "sitename", "publication"),
        author=_first(meta, "author", "authors", "byline", "by"),
        published=_first(meta, "date", "published", "pubdate", "published_at", "created"),
        url=_first(meta, "url", "link", "canonical", "source_url"),
        tags=_first(meta, "tags", "categories", "keywords", "labels"),
    )
    return [_require_text(path, article)]


# --------------------------------------------------------------------------- saved HTML pages

_DATA_URI = re.compile(r"data:[\w/+.-]{0,100}(?:;[\w=.-]{0,100})*,[A-Za-z0-9+/=%\s]{512,}")


def _set_aside(page: str, tag: str, keep: str | None = None) -> str:
    """``page`` without its ``<tag>...</tag>`` elements (those whose opening tag holds ``keep`` stay);
    one that never ends takes the rest of the page with it, as in a browser. Linear: str.find only."""
    low = page.lower()
    if f"<{tag}" not in low:
        return page
    out, pos = [], 0
    while True:
        start = low.find(f"<{tag}", pos)
        if start < 0:
            break
        after = low[start + len(tag) + 1: start + len(tag) + 2]
        if after and (after.isalnum() or after in "-_:"):  # <scripts>, <style-x>: not this element
            out.append(page[pos:start + 1])
            pos = start + 1
            continue
        close = low.find(f"</{tag}", start)
        head_end = low.find(">", start)
        if keep and 0 <= head_end and keep in low[start:head_end]:
            stop = len(page) if close < 0 else close
            out.append(page[pos:stop])
            pos = stop
            continue
        out.append(page[pos:start])
        if close < 0:
            pos = len(page)
            break
        end = low.find(">", close)
        pos = len(page) if end < 0 else end + 1
    out.append(page[pos:])
    return "".join(out)


def _lighter_page(page: str) -> str:
    """A page without what takes room but holds no article text: scripts (not JSON-LD metadata), styles,
    SVG drawings, comments and inline (data:) images."""
    page = _set_aside(page, "script", keep="ld+json")
    for tag in ("style", "svg"):
        page = _set_aside(page, tag)
    if "<!--" in page:
        out, pos = [], 0
        while (start := page.find("<!--", pos)) >= 0:
            out.append(page[pos:start])
            end = page.find("-->", start + 4)
            pos = len(page) if end < 0 else end + 3
        page = "".join(out) + page[pos:]
    return _DATA_URI.sub("data:,", page) if "data:" in page else page


# The page's own name for its site, in the order trusted: what a page says about itself in its <head> (or
# its JSON-LD), never a name met in its text (a source it cites), a copyright line or a social-media handle.
_HEAD_CHARS = 300_000
_META_TAG = re.compile(r"<meta\b([^>]{0,2000})>", re.IGNORECASE)
_LINK_TAG = re.compile(r"<link\b([^>]{0,2000})>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_LD_JSON = re.compile(r"<script\b[^>]{0,300}application/ld\+json[^>]{0,300}>(.{0,200000}?)</script",
                      re.IGNORECASE | re.DOTALL)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d{1,5}\)(https?://[^\s>]{1,2000}?)\s*-->", re.IGNORECASE)
_SITE_NAMES = ("og:site_name", "application-name", "publisher", "dc.publisher", "dcterms.publisher")
_ARTICLE_TYPES = ("article", "posting", "webpage", "report")  # NewsArticle, BlogPosting, WebPage, Report...
_NOT_OUTLET_HOSTS = ("web.archive.org", "archive.org", "archive.ph", "archive.today", "archive.is",
                     "webcache.googleusercontent.com", "localhost")


def _attrs(tag: str) -> dict[str, str]:
    import html

    out = {}
    for m in _ATTR.finditer(tag):
        value = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        out.setdefault(m.group(1).lower(), html.unescape(value).strip())
    return out


def _site_name(value) -> str | None:
    """A site name as a page states it, or None for what is not one (a URL, a handle, a copyright line)."""
    text = _as_text(value)
    if not text:
        return None
    text = " ".join(text.split())
    if (len(text) > 80 or text.startswith(("@", "©", "(c)", "http:", "https:", "www.")) or "copyright" in text.lower()
            or not any(c.isalpha() for c in text)):
        return None
    return text


def _host_outlet(url: str | None) -> str | None:
    """The outlet a page's own address names: its host without www. (``bbc.co.uk``); an archive's copy
    names the page archived; None for an address that names no site."""
    from urllib.parse import urlsplit

    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    inner = re.match(r"https?://web\.archive\.org/web/[^/]{1,40}/(https?://.+)", url, re.IGNORECASE)
    if inner:
        url = inner.group(1)
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host or "." not in host or host.replace(".", "").isdigit() or host in _NOT_OUTLET_HOSTS:
        return None
    for prefix in ("www.", "m.", "amp.", "mobile."):
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix):]
    return host if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", host) else None


def _ld_publisher(head: str) -> str | None:
    """The publisher's name of the page's own JSON-LD article (or web page), references in @graph followed."""
    for m in _LD_JSON.finditer(head):
        try:
            data = json.loads(m.group(1).strip())
        except (ValueError, RecursionError):
            continue
        items = data if isinstance(data, list) else [data]
        nodes = []
        for item in items:
            if isinstance(item, dict):
                graph = item.get("@graph")
                nodes.extend(x for x in (graph if isinstance(graph, list) else [item]) if isinstance(x, dict))
        by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
        for node in nodes:
            types = node.get("@type")
            types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
            if not any(isinstance(t, str) and any(k in t.lower() for k in _ARTICLE_TYPES) for t in types):
                continue
            publisher = node.get("publisher")
            if isinstance(publisher, list):
                publisher = publisher[0] if publisher else None
            if isinstance(publisher, dict) and isinstance(publisher.get("@id"), str) and "name" not in publisher:
                publisher = by_id.get(publisher["@id"], publisher)
            name = publisher.get("name") if isinstance(publisher, dict) else publisher
            name = _site_name(name)
            if name:
                return name
    return None


def _page_identity(page: str) -> tuple[str | None, str | None]:
    """(the outlet, the page's own URL) as the page states them: og:site_name, application-name, a publisher
    meta tag, the publisher of its JSON-LD article; else the host of its canonical, og:url or "saved from"
    address. Never from the article's text: a name there may be a source the article cites."""
    head = page[:_HEAD_CHARS]
    end = head.lower().find("</head")
    head = head if end < 0 else head[:end + 7]
    metas: dict[str, str] = {}
    for m in _META_TAG.finditer(head):
        attrs = _attrs(m.group(1))
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        if key and attrs.get("content") and key not in metas:
            metas[key] = attrs["content"]
    url = None
    for m in _LINK_TAG.finditer(head):
        attrs = _attrs(m.group(1))
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href", "").startswith("http"):
            url = attrs["href"]
            break
    url = url or (metas.get("og:url") if metas.get("og:url", "").startswith("http") else None)
    if not url:
        saved = _SAVED_FROM.search(page[:4000])
        url = saved.group(1) if saved else None
    name = _site_name(metas.get("og:site_name")) or _ld_publisher(head)
    for key in _SITE_NAMES[1:]:
        name = name or _site_name(metas.get(key))
    return name or _host_outlet(url), url


def _read_html(path: str, text: str, problems: list[str]) -> list[Article]:
    trafilatura = _need("html", path)
    from .plaintext import parse_plain_text

    page = text
    if len(page) > HTML_EXTRACT_CHARS or page.count("<") > HTML_EXTRACT_TAGS:
        page = _lighter_page(page)
    if len(page) > HTML_EXTRACT_CHARS or page.count("<") > HTML_EXTRACT_TAGS:
        return _read_big_page(path, page, problems)
    try:
        doc = trafilatura.bare_extraction(page, include_comments=False, with_metadata=True)
    except ImportError as exc:
        raise _broken("html", path, exc) from None
    except RecursionError:
        raise ReadError(path, "the page is nested too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - trafilatura and lxml raise many kinds
        raise ReadError(path, f"the page could not be read ({type(exc).__name__}: {_quoted(exc)[1:-1]})") from None
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not body.strip():
        raise ReadError(path, "no article text found in the page")
    body = _cap(path, "\n\n".join(line for line in body.split("\n") if line.strip()), problems)
    plain = parse_plain_text(body)
    tags = list(getattr(doc, "tags", None) or []) + list(getattr(doc, "categories", None) or [])
    # trafilatura's sitename also takes a copyright line, a Twitter handle or a part of the title: the
    # outlet is only what the page says of itself (_page_identity)
    outlet, own_url = _page_identity(text)
    article = _article(
        path, "", plain, problems,
        title=getattr(doc, "title", None),
        outlet=outlet,
        author=getattr(doc, "author", None),
        published=getattr(doc, "date", None),
        url=getattr(doc, "url", None) or own_url,
        tags=tags,
    )
    if not any(len(p.split()) >= 6 for p in article.paragraphs):  # only menus and labels were left
        raise ReadError(path, "no article text found in the page")
    return [article]


def _read_big_page(path: str, page: str, problems: list[str]) -> list[Article]:
    """A page too big for trafilatura: all of its visible text, read with the simple HTML reader."""
    from .htmltext import html_to_paragraphs
    from .plaintext import parse_plain_text

    problems.append(f"{display_path(path)}: the page is too big for the article extractor "
                    f"({_size(len(page))}, {page.count('<'):,} tags without its scripts and images; it reads "
                    f"up to {_size(HTML_EXTRACT_CHARS)} and {HTML_EXTRACT_TAGS:,} tags); all of its text "
                    f"is read, menus included")
    title = re.search(r"<title[^>]{0,200}>([^<]{1,500})</title", page[:200_000], re.IGNORECASE)
    body = _cap(path, "\n\n".join(html_to_paragraphs(page)), problems)
    outlet, url = _page_identity(page)
    article = _article(path, "", parse_plain_text(body), problems,
                       title=(html_to_paragraphs(title.group(1)) or [None])[0] if title else None,
                       outlet=outlet, url=url)
    return [_require_text(path, article, "no article text found in the page")]


# --------------------------------------------------------------------------- feeds


def _entry_key(entry, n: int) -> str:
    return _clean_key(str(entry.get("id") or entry.get("link") or entry.get("title") or f"#{n}"))


def _entry_date(entry):
    """The date feedparser read for an entry; else (for _published to say why) the string it could not
    read, or one it read wrongly (it takes year 0000 for 2000)."""
    get = dict.get  # not feedparser's own get, which maps "updated" to "published" with a warning
    for field in ("published", "updated", "created"):
        stamp, raw = get(entry, f"{field}_parsed"), get(entry, field)
        if stamp:
            found = _calendar_date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
            if isinstance(found, date) and not (isinstance(raw, str) and isinstance(_stated_date(raw), str)
                                                and _ODD_YEAR.search(raw)):
                return found
            return raw or f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}"
    for field in ("published", "updated", "created"):
        if get(entry, field):
            return get(entry, field)
    return None


_CHARREF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});?")


def _charref(m: re.Match) -> bytes:
    digits = m.group(1)
    code = int(digits[1:], 16) if digits[:1] in b"xX" else int(digits)
    return m.group() if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else b"&#xFFFD;"


def _read_feed(path: str, data: bytes, problems: list[str]) -> list[Article]:
    feedparser = _need("feed", path)
    from .htmltext import html_to_paragraphs
    from .plaintext import parse_plain_text

    if b"&#" in data:  # a character reference to no character (&#xD800;) makes feedparser fail on the file
        data = _CHARREF.sub(_charref, data)
    # Not sanitized nor rewritten by feedparser (its sanitizer is slow on hostile markup: 5 s for a
    # megabyte of "<"): brief never renders the HTML, it keeps only the text (index.htmltext).
    try:
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    except ImportError as exc:
        raise _broken("feed", path, exc) from None
    if not parsed.entries:
        if parsed.get("bozo"):
            exc = parsed.get("bozo_exception")
            reason = getattr(exc, "getMessage", lambda: None)() or exc
            raise ReadError(path, f"not a readable RSS/Atom feed ({_quoted(reason)[1:-1]})")
        raise ReadError(path, "a feed with no entries")
    feed = parsed.get("feed", {})
    outlet = feed.get("title")
    shown = display_path(path)
    articles: list[Article] = []
    seen_keys: set[str] = set()
    for n, entry in enumerate(parsed.entries, 1):
        key = _entry_key(entry, n)
        name = _quoted(entry.get("title") or key)
        if key in seen_keys:
            problems.append(f"{shown}: entry {name} appears twice in the feed (the first is kept); skipped")
            continue
        seen_keys.add(key)
        try:
            contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
            html = max(contents, key=len) if contents else entry.get("summary", "")
            paragraphs = html_to_paragraphs(html or "")
            if not paragraphs:
                problems.append(f"{shown}: entry {name} has no text; skipped")
                continue
            where = f"entry {name}: "
            text = _cap(path, "\n\n".join(paragraphs), problems, where)
            articles.append(_article(
                path, key, parse_plain_text(text), problems, where,
                title=entry.get("title"),
                outlet=outlet,
                author=entry.get("author"),
                published=_entry_date(entry),
                url=entry.get("link"),
                tags=entry.get("tags"),
            ))
        except Exception as exc:  # noqa: BLE001 - one odd entry must not lose the others
            problems.append(f"{shown}: entry {name} could not be read ({type(exc).__name__}); skipped")
    if not articles:
        raise ReadError(path, "no feed entry has any text")
    return articles


# --------------------------------------------------------------------------- JSON lines

_JSON_KINDS = {int: "a number", float: "a number", str: "a string", list: "a list", bool: "true or false",
               type(None): "null"}


def _jsonl_lines(path: str, data: bytes, problems: list[str]) -> list[tuple[int, str | None]]:
    """(line number, its text) for each non-blank line; text None for a line holding NUL bytes. Lines are
    split at LF only (a JSON string may hold U+2028), decoded one by one: UTF-8, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [(n, line.rstrip("\r")) for n, line in enumerate(_decode(path, data, problems).split("\n"), 1)
                if line.strip()]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out: list[tuple[int, str | None]] = []
    legacy: list[int] = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        if b"\x00" in raw:
            out.append((n, None))
            continue
        try:
            out.append((n, raw.decode("utf-8").rstrip("\r")))
        except UnicodeDecodeError:
            out.append((n, raw.decode("cp1252", errors="replace").rstrip("\r")))
            legacy.append(n)
    if legacy:
        which = ", ".join(map(str, legacy[:10])) + (", …" if len(legacy) > 10 else "")
        problems.append(f"{display_path(path)}: line{'s' if len(legacy) > 1 else ''} {which} read as "
                        f"Windows-1252 (not valid UTF-8)")
    return out


def _read_jsonl(path: str, data: bytes, problems: list[str]) -> list[Article]:
    from .plaintext import parse_plain_text
    from .sanitize import sanitize

    if not data.strip():
        raise ReadError(path, "empty file")
    shown = display_path(path)
    articles: list[Article] = []
    seen_keys: set[str] = set()
    bad: list[str] = []

    def skip(n: int, why: str) -> None:
        bad.append(f"{shown}: line {n} {why}; skipped")

    for n, line in _jsonl_lines(path, data, problems):
        if line is None:
            skip(n, "holds NUL bytes (binary data)")
            continue
        try:
            row = json.loads(line)
        except RecursionError:
            skip(n, "is nested too deeply to read")
            continue
        except ValueError as exc:
            skip(n, f"is not JSON ({getattr(exc, 'msg', None) or type(exc).__name__})")
            continue
        if not isinstance(row, dict):
            skip(n, f"is not an article object (it is {_JSON_KINDS.get(type(row), 'not an object')})")
            continue
        try:
            body = _first(row, "body", "text", "content")
            if isinstance(body, list):
                body = "\n\n".join(str(p) for p in body if isinstance(p, (str, int, float)))
            if not isinstance(body, str) or not body.strip():
                skip(n, "has no body")
                continue
            key = _first(row, "id", "url", "link")
            key = _clean_key(str(key) if key is not None and not isinstance(key, (dict, list)) else f"line {n}")
            if key in seen_keys:
                key = f"{key}#{n}"
            seen_keys.add(key)
            where = f"line {n}: "
            plain = parse_plain_text(sanitize(_cap(path, body, problems, where)))
            if not plain.paragraphs:
                skip(n, "has no article text")
                continue
            articles.append(_article(
                path, key, plain, problems, where,
                title=_first(row, "title", "headline"),
                outlet=_first(row, "outlet", "source", "publisher", "site"),
                author=_first(row, "author", "authors", "byline"),
                published=_first(row, "published", "date", "published_at", "pubdate"),
                url=_first(row, "url", "link"),
                tags=_first(row, "tags", "categories", "keywords"),
            ))
        except RecursionError:
            skip(n, "is nested too deeply to read")
        except Exception as exc:  # noqa: BLE001 - one odd line must not lose the others
            skip(n, f"could not be read ({type(exc).__name__})")
    problems.extend(bad[:_BAD_LINES_NAMED])
    if len(bad) > _BAD_LINES_NAMED:
        more = len(bad) - _BAD_LINES_NAMED
        problems.append(f"{shown}: {more:,} more bad line{'s' if more > 1 else ''}; skipped")
    if not articles:
        raise ReadError(path, "no article on any line (JSON lines: one object with a \"body\" per line)")
    return articles


# --------------------------------------------------------------------------- one file


def read_file(path: str | os.PathLike, problems: list[str] | None = None) -> list[Article]:
    """The articles in one source file. Raises ReadError (file and reason) when there are none, SkipFile
    for a file deliberately not indexed, ReaderUnavailable when the reader's package cannot be used here.

    Never raises anything else: an unexpected failure of a reader is a ReadError naming it."""
    path = os.path.abspath(os.fspath(path))
    problems = problems if problems is not None else []
    kind = _kind(path)
    if kind is None:
        raise ReadError(path, _skip_reason(path))
    try:
        return _read(path, kind, problems)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(path, "could not be read (nested too deeply)") from None
    except MemoryError:
        raise ReadError(path, "could not be read (not enough memory)") from None
    except Exception as exc:  # noqa: BLE001 - a reader's bug must name the file, not stop the run
        raise ReadError(path, f"could not be read ({type(exc).__name__}: {_quoted(exc)[1:-1]})") from None


def _read(path: str, kind: str, problems: list[str]) -> list[Article]:
    data, size = _read_bytes(path, kind)
    if kind == "feed":
        if not data.strip():
            raise ReadError(path, "empty file")
        return _read_feed(path, data, problems)
    if kind == "jsonl":
        return _read_jsonl(path, data, problems)
    cut = size > len(data)
    text = _decode(path, data, problems, cut=cut)
    whole = size if cut else None
    if kind == "markdown":
        return _read_markdown(path, text, problems, whole)
    if kind == "html":
        return _read_html(path, text, problems)
    return _read_text(path, text, problems, whole)
