"""Reading source files into articles: plain text, Markdown, saved HTML pages, RSS/Atom feeds, JSON lines.

``iter_source_files(roots)`` walks files and folders and says, for each file, whether it can be read
(reason ``None``) or why it is skipped. ``read_file(path, problems)`` turns one file into its articles
(feeds and JSON lines hold many); a file that cannot be read raises ``ReadError`` naming the reason,
and smaller trouble (one bad feed entry, unreadable front matter) is appended to ``problems`` as
``"path: what happened"`` while the rest of the file is still read.

Every format's text goes through the same cleaning (index.clean) and the same metadata heuristics
(index.plaintext); what a format states explicitly (front matter, feed fields, page metadata) wins
over what the heuristics guess. Source files are only ever opened for reading.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from .model import Article, ReadError, make_id

__all__ = ["SUPPORTED", "iter_source_files", "read_file", "MAX_FILE_BYTES"]

SUPPORTED = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".jsonl": "jsonl",
}
MAX_FILE_BYTES = 32 * 1024 * 1024  # a pasted article is kilobytes; a feed export may be megabytes


# --------------------------------------------------------------------------- finding files


def _kind(path: str) -> str | None:
    return SUPPORTED.get(os.path.splitext(path)[1].lower())


def _skip_reason(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return f"unsupported file type {ext}" if ext else "unsupported file type (no extension)"


LINK_OUTSIDE = "links leading outside the indexed folders"  # skip reason (see iter_source_files)


def iter_source_files(roots: Iterable[str | os.PathLike], follow_links: bool = False
                      ) -> Iterator[tuple[Path, str | None]]:
    """(path, None) for every readable source file under ``roots``, (path, reason) for skipped ones.

    Folders are walked recursively in sorted order; hidden files and folders (a leading dot) and
    editor leftovers (``~`` backups) are passed over silently. A root that does not exist yields
    ``(root, "no such file or folder")``.

    Symbolic links that lead outside the roots are skipped with the reason ``LINK_OUTSIDE`` unless
    ``follow_links`` (``brief index --follow-links``) is given.
    """
    for root in roots:
        root = os.path.abspath(os.fspath(root))
        if os.path.isfile(root):
            yield Path(root), (None if _kind(root) else _skip_reason(root))
            continue
        if not os.path.isdir(root):
            yield Path(root), "no such file or folder"
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or name.endswith("~"):
                    continue
                path = os.path.join(folder, name)
                if not os.path.isfile(path):  # a dangling link, a socket
                    continue
                yield Path(path), (None if _kind(path) else _skip_reason(path))


# --------------------------------------------------------------------------- decoding


def _read_bytes(path: str) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise ReadError(path, f"too large to be an article ({size // (1024 * 1024)} MB)")
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise ReadError(path, f"could not be opened ({exc.strerror or exc})") from None


def _decode(path: str, data: bytes, problems: list[str]) -> str:
    """Text of a file: UTF-8 (BOM or not), else UTF-16 with a BOM, else Windows-1252 (said in problems)."""
    if not data.strip():
        raise ReadError(path, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError(path, "not text (broken UTF-16)") from None
    if b"\x00" in data[:8192]:
        raise ReadError(path, "not text (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(4, len(text) // 200):
        raise ReadError(path, "not text (not UTF-8, and not Windows-1252 either)")
    problems.append(f"{path}: not UTF-8; read as Windows-1252")
    return text


# --------------------------------------------------------------------------- metadata helpers


def _as_date(value) -> date | None:
    """A date from front matter, feed or JSON values: date, datetime, ISO or written-out strings."""
    from .plaintext import parse_date

    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    return parse_date(text)


def _as_text(value) -> str | None:
    """A one-line string from a metadata value (lists joined with commas); None when empty."""
    from .sanitize import safe_inline

    if value is None or isinstance(value, (dict, bool)):
        return None
    if isinstance(value, (list, tuple)):
        parts = [_as_text(v) for v in value]
        value = ", ".join(p for p in parts if p)
    text = safe_inline(str(value))
    return text or None


def _as_tags(value) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
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


def _article(path: str, key: str, doc, *, title=None, outlet=None, author=None, published=None, url=None,
             tags=None) -> Article:
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
        published=_as_date(published) or doc.published,
        url=_as_text(url),
        tags=_as_tags(tags) or list(doc.tags),
        key=key,
    )


def _require_text(path: str, article: Article, what: str = "no article text found") -> Article:
    if not article.paragraphs:
        raise ReadError(path, what)
    return article


# --------------------------------------------------------------------------- formats


def _read_text(path: str, text: str, problems: list[str]) -> list[Article]:
    from .plaintext import parse_plain_text

    return [_require_text(path, _article(path, "", parse_plain_text(text)))]


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_ATX_TITLE = re.compile(r"\A\s*#\s+(?P<title>[^\n]+?)\s*#*\s*(?:\n|\Z)")
_SETEXT_TITLE = re.compile(r"\A\s*(?P<title>[^\n]+)\n=+[ \t]*(?:\n|\Z)")


def _front_matter(path: str, text: str, problems: list[str]) -> tuple[dict, str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    import yaml

    try:
        data = yaml.safe_load(m.group("yaml"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        problems.append(f"{path}: front matter is not valid YAML{line}; read the text without it")
        return {}, text[m.end():]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(f"{path}: front matter is not a set of `key: value` fields; read the text without it")
        data = {}
    return data, text[m.end():]


def _markdown_paragraphs(body: str) -> list[str]:
    """Markdown -> the text of its blocks, one paragraph each (emphasis, links and inline HTML dropped)."""
    from markdown_it import MarkdownIt

    from .htmltext import html_to_paragraphs

    html = MarkdownIt("commonmark", {"html": True}).render(body)
    return html_to_paragraphs(html)


def _read_markdown(path: str, text: str, problems: list[str]) -> list[Article]:
    from .clean import sanitize
    from .plaintext import parse_plain_text

    meta, body = _front_matter(path, sanitize(text), problems)
    heading = None
    if not _first(meta, "title"):
        m = _ATX_TITLE.match(body) or _SETEXT_TITLE.match(body)
        if m:
            heading, body = m.group("title"), body[m.end():]
    doc = parse_plain_text("\n\n".join(_markdown_paragraphs(body)))
    article = _article(
        path, "", doc,
        title=_first(meta, "title", "headline") or heading,
        outlet=_first(meta, "outlet", "source", "publisher", "site", "sitename", "publication"),
        author=_first(meta, "author", "authors", "byline", "by"),
        published=_first(meta, "date", "published", "pubdate", "published_at", "created"),
        url=_first(meta, "url", "link", "canonical", "source_url"),
        tags=_first(meta, "tags", "categories", "keywords", "labels"),
    )
    return [_require_text(path, article)]


def _read_html(path: str, text: str, problems: list[str]) -> list[Article]:
    import logging

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs a warning per odd page
    import trafilatura

    from .plaintext import parse_plain_text

    doc = trafilatura.bare_extraction(text, include_comments=False, with_metadata=True)
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not body.strip():
        raise ReadError(path, "no article text found in the page")
    plain = parse_plain_text("\n\n".join(line for line in body.split("\n") if line.strip()))
    tags = list(getattr(doc, "tags", None) or []) + list(getattr(doc, "categories", None) or [])
    article = _article(
        path, "", plain,
        title=getattr(doc, "title", None),
        outlet=getattr(doc, "sitename", None),
        author=getattr(doc, "author", None),
        published=getattr(doc, "date", None),
        url=getattr(doc, "url", None),
        tags=tags,
    )
    if not any(len(p.split()) >= 6 for p in article.paragraphs):  # only menus and labels were left
        raise ReadError(path, "no article text found in the page")
    return [article]


def _entry_key(entry, n: int) -> str:
    return str(entry.get("id") or entry.get("link") or entry.get("title") or f"#{n}")


def _read_feed(path: str, data: bytes, problems: list[str]) -> list[Article]:
    import feedparser

    from .htmltext import html_to_paragraphs
    from .plaintext import parse_plain_text

    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: None)() or parsed.get("bozo_exception")
            raise ReadError(path, f"not a readable RSS/Atom feed ({reason})")
        raise ReadError(path, "a feed with no entries")
    feed = parsed.get("feed", {})
    outlet = feed.get("title")
    articles: list[Article] = []
    seen_keys: set[str] = set()
    for n, entry in enumerate(parsed.entries, 1):
        key = _entry_key(entry, n)
        name = entry.get("title") or key
        if key in seen_keys:
            problems.append(f"{path}: entry {name!r} appears twice in the feed; kept the first")
            continue
        seen_keys.add(key)
        contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
        html = max(contents, key=len) if contents else entry.get("summary", "")
        paragraphs = html_to_paragraphs(html or "")
        if not paragraphs:
            problems.append(f"{path}: entry {name!r} has no text; skipped")
            continue
        published = None
        for field in ("published_parsed", "updated_parsed", "created_parsed"):
            stamp = entry.get(field)
            if stamp:
                published = date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
                break
        plain = parse_plain_text("\n\n".join(paragraphs))
        articles.append(_article(
            path, key, plain,
            title=entry.get("title"),
            outlet=outlet,
            author=entry.get("author"),
            published=published,
            url=entry.get("link"),
            tags=entry.get("tags"),
        ))
    if not articles:
        raise ReadError(path, "no feed entry has any text")
    return articles


def _read_jsonl(path: str, text: str, problems: list[str]) -> list[Article]:
    from .clean import sanitize
    from .plaintext import parse_plain_text

    articles: list[Article] = []
    seen_keys: set[str] = set()
    lines = text.splitlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            problems.append(f"{path}: line {n} is not JSON ({exc.msg}); skipped")
            continue
        if not isinstance(row, dict):
            problems.append(f"{path}: line {n} is not an article object; skipped")
            continue
        body = _first(row, "body", "text", "content")
        if isinstance(body, list):
            body = "\n\n".join(str(p) for p in body)
        if not isinstance(body, str) or not body.strip():
            problems.append(f"{path}: line {n} has no body; skipped")
            continue
        key = str(_first(row, "id", "url", "link") or f"line {n}")
        if key in seen_keys:
            key = f"{key}#{n}"
        seen_keys.add(key)
        plain = parse_plain_text(sanitize(body))
        if not plain.paragraphs:
            problems.append(f"{path}: line {n} has no article text; skipped")
            continue
        articles.append(_article(
            path, key, plain,
            title=_first(row, "title", "headline"),
            outlet=_first(row, "outlet", "source", "publisher", "site"),
            author=_first(row, "author", "authors", "byline"),
            published=_first(row, "published", "date", "published_at", "pubdate"),
            url=_first(row, "url", "link"),
            tags=_first(row, "tags", "categories", "keywords"),
        ))
    if not articles:
        raise ReadError(path, "no article on any line (JSON lines: one object with a \"body\" per line)")
    return articles


def read_file(path: str | os.PathLike, problems: list[str] | None = None) -> list[Article]:
    """The articles in one source file. Raises ReadError (file and reason) when there are none."""
    path = os.path.abspath(os.fspath(path))
    problems = problems if problems is not None else []
    kind = _kind(path)
    if kind is None:
        raise ReadError(path, _skip_reason(path))
    data = _read_bytes(path)
    if kind == "feed":
        if not data.strip():
            raise ReadError(path, "empty file")
        return _read_feed(path, data, problems)
    text = _decode(path, data, problems)
    if kind == "markdown":
        return _read_markdown(path, text, problems)
    if kind == "html":
        return _read_html(path, text, problems)
    if kind == "jsonl":
        return _read_jsonl(path, text, problems)
    return _read_text(path, text, problems)


def check_readers() -> list[tuple[str, str | None]]:
    """(reader, None when it works here, else the setup message naming the package and the fix), for
    every reader that needs a package beyond the standard library: `brief doctor` prints them."""
    checks = [("html", "trafilatura"), ("feed", "feedparser"), ("markdown", "markdown_it"), ("front matter", "yaml")]
    out = []
    for kind, module in checks:
        try:
            __import__(module)
            out.append((kind, None))
        except Exception as exc:  # noqa: BLE001 - a broken install raises anything
            out.append((kind, f"{module} cannot be imported ({type(exc).__name__}: {exc}); "
                              f"reinstall with `pip install -c requirements.lock -e .`"))
    return out
