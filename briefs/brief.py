"""A stored brief (index.pins) as a document, exported like a card: Markdown with footnote citations and a
Sources list (``brief_to_markdown``), JSON (``brief_to_json``, ``briefs/brief.schema.json``).

Every pin keeps the text it was pinned with and cites its articles; an article that has left the library
since is still cited, and marked as gone. Untrusted text is made safe as in the card export (briefs.export).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from index.pins import Brief, Pin
from index.sanitize import safe_inline, unsurrogate

from .cardmodel import SourceInfo
from .export import _cite, escape, json_safe, safe_path

__all__ = ["BriefDocument", "brief_document", "brief_to_json", "brief_to_markdown", "library_sources",
           "origin_label", "KIND_LABELS"]

SCHEMA = "brief.brief/1"
KIND_LABELS = {"fact": "key fact", "summary": "bottom line", "figure": "figure", "disagreement": "disagreement",
               "timeline": "timeline", "quote": "quote", "paragraph": "paragraph", "article": "article",
               "line": "line"}


@dataclass
class BriefDocument:
    brief: Brief
    sources: list[SourceInfo]  # every article the pins cite that the library still holds, in pin order
    missing: list[str]  # the ids of those it no longer holds
    generated: datetime


def library_sources(lib, ids) -> dict[str, SourceInfo]:
    """The articles of ``ids`` the library still holds, as card sources (id -> SourceInfo)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    held = {r["id"] for r in lib.catalog()}
    return {a.id: SourceInfo(a.id, a.title, a.outlet, a.author, a.published, a.path)
            for a in lib.articles([i for i in ids if i in held])}


def brief_document(brief: Brief, sources: dict[str, SourceInfo], now: datetime | None = None) -> BriefDocument:
    """The document of ``brief``, with ``sources`` (``library_sources``) the articles still held."""
    cited = brief.sources
    return BriefDocument(brief, [sources[i] for i in cited if i in sources], [i for i in cited if i not in sources],
                         now or datetime.now(timezone.utc).replace(microsecond=0))


def origin_label(origin: dict) -> str:
    """Where a pin was taken from, in words (plain text; escape it for Markdown)."""
    if origin.get("card"):
        return f"from the card for “{origin['card']}”"
    if origin.get("brief"):
        return f"from the card of the brief “{origin['brief']}”"
    if origin.get("card_ids"):
        n = len(origin["card_ids"])
        return f"from a card of {n} article{'s' * (n != 1)}"
    if origin.get("article") and isinstance(origin.get("paragraph"), int):
        return f"paragraph {origin['paragraph'] + 1} of the article"
    if origin.get("article"):
        return "the whole article"
    return ""


def _when(iso: str) -> str:
    """"2026-12-02 14:02" from an ISO time ("" when there is none)."""
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


def _date(value) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)[:10] if value else "undated"


def _outlets_note(doc: BriefDocument) -> str:
    unknown = sum(1 for s in doc.sources if not s.outlet)
    if not unknown:
        return ""
    return ", outlets unknown" if unknown == len(doc.sources) else f", {unknown} of unknown outlet"


def brief_to_markdown(doc: BriefDocument) -> str:
    """The brief as CommonMark: its pins in their order, each with its citations, kind, origin and note;
    then the Sources (title, outlet, date, id, path; an article no longer in the library said so)."""
    brief = doc.brief
    name = safe_inline(unsurrogate(brief.name))
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    cited = brief.sources
    out = ["---", "generator: brief", f"brief: {quoted}", f"generated: {doc.generated.isoformat(timespec='seconds')}",
           "sources:"] + [f"  - {safe_inline(i)}" for i in cited] + ["---", ""]
    out += [f"# Brief: {escape(brief.name)}", ""]
    n_pins, n_src = len(brief.pins), len(cited)
    line = (f"*{n_pins} pin{'s' * (n_pins != 1)} from {n_src} source article{'s' * (n_src != 1)}{_outlets_note(doc)}"
            f", generated {escape(doc.generated.isoformat(timespec='seconds'))}")
    if doc.missing:
        line += f"; {len(doc.missing)} of them no longer in the library"
    out += [line + ".*", ""]
    if not brief.pins:
        out += ["*No pins yet: in the app, press p on a card line or in the reader.*", ""]
    else:
        out += ["## Pins", ""]
        gone = set(doc.missing)
        for n, pin in enumerate(brief.pins, 1):
            out += _pin_lines(n, pin, gone)
            out.append("")
    out += ["## Sources", ""]
    held = {s.id: s for s in doc.sources}
    for sid in cited:
        s = held.get(sid)
        if s is None:
            out.append(f"[^{safe_inline(sid)}]: *No longer in the library* (id `{safe_inline(sid).replace('`', '')}`); "
                       f"the pins citing it keep the text they were pinned with.")
        else:
            meta = ", ".join((escape(s.outlet) or "unknown outlet", _date(s.published)))
            out.append(f"[^{safe_inline(s.id)}]: **{escape(s.title) or 'untitled'}**, {meta}. "
                       f"Path: `{safe_path(s.path).replace('`', '')}`")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _pin_lines(n: int, pin: Pin, gone: set[str]) -> list[str]:
    text = escape(pin.text)
    if pin.kind == "article":
        text = f"**{text or 'untitled'}**"
    lines = [f"{n}. {text} {_cite(pin.sources)}".rstrip()]
    about = [KIND_LABELS.get(pin.kind, pin.kind).capitalize()]
    origin = origin_label(pin.origin)
    if origin:
        about.append(escape(origin))
    if _when(pin.added):
        about.append(f"pinned {_when(pin.added)}")
    lines.append(f"   - *{' · '.join(about)}*")
    missing = [s for s in pin.sources if s in gone]
    if missing:
        what = "its article is" if len(missing) == len(pin.sources) == 1 else \
            f"{len(missing)} of its {len(pin.sources)} articles are"
        lines.append(f"   - ⚠ {what} no longer in the library")
    if pin.note:
        lines.append(f"   - **Note:** {escape(pin.note)}")
    return lines


def brief_json(doc: BriefDocument) -> dict:
    brief = doc.brief
    held = {s.id: s for s in doc.sources}
    gone = set(doc.missing)
    sources = []
    for sid in brief.sources:
        s = held.get(sid)
        entry = s.to_json() if s else {"id": sid, "title": None, "outlet": None, "author": None, "published": None,
                                      "path": None}
        entry["in_library"] = s is not None
        sources.append(entry)
    return {"schema": SCHEMA, "name": brief.name, "generated": doc.generated.isoformat(timespec="seconds"),
            "created": brief.created or None, "updated": brief.updated or None,
            "pins": [{"n": n, "id": p.id, "kind": p.kind, "text": p.text, "sources": list(p.sources), "note": p.note,
                      "added": p.added or None, "origin": dict(p.origin),
                      "missing_sources": [s for s in p.sources if s in gone]}
                     for n, p in enumerate(brief.pins, 1)],
            "sources": sources}


def brief_to_json(doc: BriefDocument) -> str:
    """The brief as JSON text (``briefs/brief.schema.json``), safe to print and valid UTF-8."""
    import json

    return json.dumps(json_safe(brief_json(doc)), ensure_ascii=False, indent=2) + "\n"
