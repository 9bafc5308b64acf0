"""Cards and comparisons as CommonMark, and writing them to files safely.

Article text is escaped so that no character in it is read as Markdown or HTML; control characters
and terminal escapes are dropped from it (a card is often printed on a terminal); citations are
footnotes `[^id]` (rendered as footnotes by GitHub and most viewers, as plain text elsewhere). A card
written as JSON (``card_to_json``) carries the same safe text. Paths are shown in their display form
(undecodable bytes of a file name as ``\\xff`` escapes), so both are valid UTF-8.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from index.sanitize import display_path, safe_inline, sanitize, unsurrogate

from .actors import MAX_ACTORS, MAX_QUOTES, more_quotes
from .cardmodel import CREDIBILITY_LEGEND, Card, Disagreement, FigureLine
from .sources import support_label
from .timeline import entry_label, entry_written

__all__ = ["card_to_json", "card_to_markdown", "escape", "format_value", "json_safe", "safe_path", "write_file"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_LEADING_BLOCK = re.compile(r"^(#|>|[-+=]|\d+[.)])")
_GRADES = {1: "confirmed", 2: "probably true", 3: "possibly true", 5: "contradicted"}


def escape(text: str | None) -> str:
    """``text`` on one line, without control characters or terminal escapes, every Markdown/HTML special
    character backslash-escaped."""
    flat = _SPECIAL.sub(r"\\\1", safe_inline(unsurrogate(text or "")))
    return _LEADING_BLOCK.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], flat)


def safe_path(path: str | None) -> str:
    """A source path as a card shows it: display form, on one line, no control characters."""
    return display_path(unsurrogate(path or ""))


def json_safe(data, key: str | None = None):
    """``data`` (JSON-ready) with every string safe to print and valid UTF-8: control characters and
    escapes removed (line breaks kept), paths (a ``path`` key) in their display form."""
    if isinstance(data, str):
        return safe_path(data) if key == "path" else sanitize(unsurrogate(data))
    if isinstance(data, dict):
        return {(json_safe(k) if isinstance(k, str) else k): json_safe(v, k if isinstance(k, str) else None)
                for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(v, key) for v in data]
    return data


_NO_CHANGES = object()


def card_to_json(card: Card, changes=_NO_CHANGES) -> str:
    """The card as JSON text (``briefs/card.schema.json``), safe to print and valid UTF-8; with ``changes``
    (``briefs.changes.card_changes``, or None: no earlier card) as its ``changes`` when given."""
    import json

    data = card.to_json()
    if changes is not _NO_CHANGES:
        data["changes"] = changes
    return json.dumps(json_safe(data), ensure_ascii=False, indent=2) + "\n"


def _changes_section(changes: dict) -> list[str]:
    """"What changed since <time>": the card's changes since an earlier card of the same query."""
    from .changes import since_label

    out = [f"## What changed since {escape(since_label(changes.get('since')))}", ""]
    items: list[str] = []
    if changes.get("new_sources"):
        items.append("- New sources: " + ", ".join(f"`{safe_inline(i)}`" for i in changes["new_sources"]))
    for f in changes.get("new_facts") or []:
        items.append(f"- New fact: {escape(f.get('text'))} {_cite(f.get('sources') or [])}")
    for f in changes.get("new_figures") or []:
        items.append(f"- New figure: {escape(hedged_value(f['value'], f.get('hedge')))} {escape(f.get('counted'))} "
                     f"{_cite(f.get('sources') or [])}")
    for f in changes.get("changed_figures") or []:
        b, n = f["before"], f["now"]
        items.append(f"- {escape(f.get('counted'))}: {escape(hedged_value(b['value'], b.get('hedge')))} → "
                     f"{escape(hedged_value(n['value'], n.get('hedge')))}")
    for f in changes.get("credibility_changed") or []:
        items.append(f"- Credibility {f.get('before')} → {f.get('now')}: {escape(f.get('text'))}")
    for d in changes.get("new_disagreements") or []:
        items.append(f"- New disagreement: **{escape(d.get('about'))}** ({escape(d.get('kind'))})")
    for g in changes.get("gone") or []:
        what = {"source": lambda: f"source `{safe_inline(g.get('id'))}`",
                "fact": lambda: f"fact: {escape(g.get('text'))}",
                "figure": lambda: f"figure: {escape(hedged_value(g['value'], g.get('hedge')))} {escape(g.get('counted'))}",
                "disagreement": lambda: f"disagreement: {escape(g.get('about'))} (resolved)"}.get(
                    g.get("kind"), lambda: escape(str(g)))()
        items.append(f"- No longer on the card: {what}")
    return out + (items or ["Nothing changed."]) + [""]


def _cite(ids) -> str:
    return "".join(f"[^{safe_inline(i)}]" for i in dict.fromkeys(ids))


def format_value(value: float) -> str:
    """1500.0 -> "1,500"; 4.8e6 -> "4,800,000"; 2.5 -> "2.5"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _grade(f) -> str:
    """"credibility 1: confirmed, 3 independent sources"; single source needs no count."""
    label = f"credibility {f.credibility}: {_GRADES[f.credibility]}"
    unknown = getattr(f, "unknown_outlet_articles", 0)
    if unknown:  # never "5 independent sources" for five articles of unknown outlet
        if f.articles == 1:
            return f"{label}, outlet unknown"
        return f"{label}, {support_label(f.independent, f.articles, unknown, 'independent source')}"
    if f.independent == 1:
        return f"{label}, single source"
    return f"{label}, {f.independent} independent sources"


def _front_matter(card: Card) -> list[str]:
    query = safe_inline(unsurrogate(card.query)) if card.query is not None else ""
    quoted = '"' + query.replace("\\", "\\\\").replace('"', '\\"') + '"'
    # ``generator: brief`` marks the file as brief's own export: `brief index` skips it (index.readers).
    lines = ["---", "generator: brief", f"query: {quoted if card.query is not None else 'null'}",
             f"generated: {card.generated.isoformat(timespec='seconds')}", "sources:"]
    lines += [f"  - {safe_inline(s.id)}" for s in card.sources]
    if card.selection_note():  # the card uses fewer articles than match: how many matched, how they were chosen
        lines += [f"articles_matching: {card.articles_matching}", f"chosen_by: {safe_inline(card.chosen_by or 'first')}"]
    return lines + ["---", ""]


def _title(card: Card) -> str:
    if card.query:
        return f"# Brief: {escape(card.query)}"
    return f"# Brief: {len(card.sources)} article{'s' * (len(card.sources) != 1)}"


def hedged_value(value: float, hedge: str | None) -> str:
    """A value with its hedge as words: "about 1,500", "up to 12,000", "1,500"."""
    return f"{hedge} {format_value(value)}" if hedge else format_value(value)


DIFFERS_MARKS = {"conflict": " ⚠", "evolving": " ↗", "range": " ↔"}  # a figure's part in a disagreement
DIFFERS_WORDS = {"conflict": "disputed", "evolving": "estimate changed over time", "range": "estimates overlap"}

KIND_LABELS = {"conflict": "sources disagree", "evolving": "estimate changed over time",
               "range": "estimates that overlap, not a contradiction"}


def _figure_row(f: FigureLine) -> str:
    value = ("≈ " if f.hedge else "") + format_value(f.value)
    cells = [value + DIFFERS_MARKS.get(f.differs or "", ""), escape(f.counted) or "—", escape(f.figure),
             escape(f.attributed_to) or "—", _cite(f.sources)]
    return "| " + " | ".join(cells) + " |"


def _disagreement(d: Disagreement) -> list[str]:
    lines = [f"- **{escape(d.about)}** ({d.kind}: {KIND_LABELS.get(d.kind, d.kind)})"]
    for side in d.claims:
        when = f" ({side.published.isoformat()})" if side.published else ""
        said: dict[tuple, list[str]] = {}  # articles stating the value in the same words, sentence and credit
        for st in side.statements:
            said.setdefault((st.figure, st.text, st.attributed_to), []).append(st.source)
        if len(said) <= 1:
            who = f", according to {escape(side.attributed_to)}" if side.attributed_to else ""
            lines.append(f"  - **{escape(side.figure)}**{who}{when}: {escape(side.text)} {_cite(side.sources)}")
            continue
        lines.append(f"  - **{escape(hedged_value(side.value, side.hedge))}**{when}, "
                     f"in {len(side.statements)} articles:")
        for (figure, text, credit), sources in said.items():  # each article's own figure and sentence
            who = f", according to {escape(credit)}" if credit else ""
            lines.append(f"    - “{escape(figure)}”{who}: {escape(text)} {_cite(sources)}")
    return lines


def _actors(title: str, actors, noun: tuple[str, str]) -> list[str]:
    """The first MAX_ACTORS, then how many more there are (all of them are in the JSON)."""
    if not actors:
        return []
    lines = [f"### {title}", ""]
    for a in actors[:MAX_ACTORS]:
        role = f", {escape(a.role)}" if a.role else ""
        lines.append(f"- {escape(a.name)}{role} {_cite(a.sources)}")
    rest = len(actors) - MAX_ACTORS
    if rest > 0:
        lines.append(f"- *… and {rest} more {noun[rest != 1]}. All {len(actors)} are in the JSON export.*")
    return lines + [""]


_CAPPED = {"facts": "key facts", "figures": "figures", "timeline": "dated events"}


def _capped(card: Card, section: str) -> list[str]:
    """A note under a section the card cut at its cap (Card.capped)."""
    cap = card.capped.get(section)
    if not cap:
        return []
    return [f"*The card keeps at most {cap} {_CAPPED[section]} and this list is full: others may have been left out.*",
            ""]


def card_to_markdown(card: Card, changes: dict | None = None) -> str:
    """The card as a CommonMark document with footnote citations; ``changes`` (since an earlier card of the
    same query) as a section after the bottom line."""
    out = _front_matter(card) + [_title(card), ""]
    unknown = sum(1 for s in card.sources if not s.outlet)
    outlets = "" if not unknown else (", outlets unknown" if unknown == len(card.sources) else
                                      f", {unknown} of unknown outlet")
    out += [f"*{len(card.sources)} source article{'s' * (len(card.sources) != 1)}{outlets}, generated "
            f"{escape(card.generated.isoformat(timespec='seconds'))}.*", ""]
    for note in (card.selection_note(), card.reduced_note()):  # fewer articles than match; a big card's bounds
        if note:
            out += [f"*{escape(note)}*", ""]
    if card.bottom_line:
        out += ["## Bottom line", ""]
        out += [" ".join(f"{escape(s.text)} {_cite(s.sources)}" for s in card.bottom_line), ""]
    if changes:
        out += _changes_section(changes)
    if card.summary:
        words = sum(len(s.text.split()) for s in card.summary)
        out += ["## Summary", "", f"*{words} words, every sentence taken from the articles.*", ""]
        out += [" ".join(f"{escape(s.text)} {_cite(s.sources)}" for s in card.summary), ""]
    if card.facts:
        out += ["## Key facts", ""]
        for n, f in enumerate(card.facts, 1):
            chain = ", via ".join(escape(x) for x in (f.said_by, f.via) if x) if f.via else ""  # who relayed it
            out.append(f"{n}. {escape(f.text)} {_cite(f.sources)} *({_grade(f)})*" + (f" — {chain}" if chain else ""))
            if len(f.attributions) > 1:
                out.append("   - ⚠ attribution disputed: " + "; ".join(
                    f"{escape(a.who)} ({len(a.sources)} {_cite(a.sources)})" for a in f.attributions))
        out += ["", f"*{CREDIBILITY_LEGEND}*", ""]
        out += _capped(card, "facts")
    if card.figures or card.disagreements:
        out += ["## Figures", ""]
    if card.figures:
        out += ["| Value | Counted | As written | Attributed to | Sources |", "| ---: | --- | --- | --- | --- |"]
        out += [_figure_row(f) for f in card.figures]
        marks = [f"{DIFFERS_MARKS[k].strip()} {DIFFERS_WORDS[k]}" for k in ("conflict", "evolving", "range")
                 if any(f.differs == k for f in card.figures)]
        out += ["", "*" + "; ".join(["≈ hedged figure"] + marks) + (", see below" if marks else "") + ".*", ""]
        out += _capped(card, "figures")
    if card.disagreements:
        out += ["### Disagreements", ""]
        for d in card.disagreements:
            out += _disagreement(d)
        out.append("")
    if card.timeline:
        out += ["## Timeline", ""]
        for t in card.timeline:
            # "1998", a range "2025-03-02 to 03-04", a partial date "18 Oct, year not given" (never a made-up
            # year); how it was written only when that says more, and the claim's other dates
            written = "; ".join(escape(w) for w in entry_written(t))
            out.append(f"- **{escape(entry_label(t))}**" + (f" ({written})" if written else "") +
                       f": {escape(t.text)} {_cite(t.sources)}")
        out.append("")
        out += _capped(card, "timeline")
    if card.people or card.organizations or card.places:
        out += ["## People, organisations and places", ""]
        out += _actors("People", card.people, ("person", "people"))
        out += _actors("Organisations", card.organizations, ("organisation", "organisations"))
        out += _actors("Places", card.places, ("place", "places"))
    if card.quotes:
        out += ["## Quotes", ""]
        for q in card.quotes[:MAX_QUOTES]:
            who = escape(q.speaker) if q.speaker else "unattributed"
            role = f", {escape(q.role)}" if q.role else ""
            via = f", via {escape(q.via)}" if q.via else ""
            out += [f"> “{escape(q.text)}”", f"> — {who}{role}{via} {_cite([q.source])}", ""]
        more = more_quotes(card.quotes, MAX_QUOTES)
        if more:
            out += [f"*… and {escape(more)}. All {len(card.quotes)} are in the JSON export.*", ""]
    out += ["## Sources", ""]
    for s in card.sources:
        meta = ", ".join(x for x in (escape(s.outlet) or "unknown outlet",
                                     s.published.isoformat() if s.published else "undated") if x)
        out.append(f"[^{safe_inline(s.id)}]: **{escape(s.title) or 'untitled'}**, {meta}. Path: `{safe_path(s.path).replace('`', '')}`")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def write_file(path: str | os.PathLike, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path`` all at once: never a partial file, and no overwrite unless ``force``."""
    target = Path(path)
    if target.exists() and not force:
        raise FileExistsError(f"{target} already exists (use --force to overwrite it)")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # an ordinary file, not mkstemp's private 0600
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if force:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if the file appeared meanwhile
            os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
