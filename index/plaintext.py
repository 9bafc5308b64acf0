"""Metadata heuristics for plain text.

parse_plain_text(text) -> PlainDoc: title (a first line that reads as a headline, else derived from the
lede), author (byline or "About the Author" bio), outlet (only when the text names it; never invented),
published (a dateline when present), tags (a blog's "Labels:" line) and the cleaned paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .clean import (clean_paragraphs, drop_boilerplate, drop_page_furniture, normalise_paragraphs, sanitize, split_paragraphs,
                    strip_furniture_prefix)


@dataclass(slots=True)
class PlainDoc:
    title: str
    paragraphs: list[str]
    author: str | None = None
    outlet: str | None = None
    published: date | None = None
    tags: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- dates

_MONTHS = {name: i for i, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"], start=1) for name in names.split()}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_FORMS = [  # never inside a longer run of digits: "99999-01-01" is not 9999-01-01
    re.compile(r"(?<!\d)(?P<year>\d{4})[-/](?P<mnum>\d{1,2})[-/](?P<day>\d{1,2})(?!\d)"),
    re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})(?!\d)"),
    re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})(?!\d)"),
]
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = r"(?:\s*(?:,|at|-|–|\|)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5}|\s*GMT[+-]\d+)?)?"
_LABEL = r"(?:published|posted|updated|last updated|first published|date|dated)(?:\s+on)?\s*:?\s*"
_DATE_SHAPED = re.compile(r"(?<!\d)[+-]?(?P<year>\d{5,}|0{4})-(?P<mnum>\d{1,2})-(?P<day>\d{1,2})(?!\d)")


def date_or_reason(text: str) -> date | str | None:
    """The first calendar date written in ``text`` (2024-10-21, October 21, 2024, 21 Oct 2024); a str
    saying why when the first date-shaped words are not a real date (2025-02-30, year 0 or 99999); None
    when there is none."""
    for form in _DATE_FORMS:
        m = form.search(text)
        if not m:
            continue
        month = int(m.group("mnum")) if "mnum" in m.groupdict() else _MONTHS.get(m.group("month").lower())
        if not month:
            return None
        year = int(m.group("year"))
        if year == 0:
            return "not a real date (year 0)"
        try:
            return date(year, month, int(m.group("day")))
        except ValueError:
            return "not a real date"
    m = _DATE_SHAPED.search(text)
    if m:
        return f"not a real date (year {int(m.group('year'))})"
    return None


def parse_date(text: str) -> date | None:
    """A calendar date written as 2024-10-21, October 21, 2024 or 21 Oct 2024 (the first one found)."""
    found = date_or_reason(text)
    return found if isinstance(found, date) else None


def date_line(text: str) -> date | None:
    """The date of a line that is only a date, with an optional "Published:" label, weekday and time."""
    pattern = rf"^(?:{_LABEL})?{_WEEKDAY}(?P<date>.{{6,30}}?){_TIME}$"
    m = re.match(pattern, text.strip(), re.IGNORECASE)
    if not m:
        return None
    found = parse_date(m.group("date"))
    return found if found and _only_date(m.group("date")) else None


def _only_date(text: str) -> bool:
    return any(form.fullmatch(text.strip().rstrip(".,")) for form in _DATE_FORMS)


# --------------------------------------------------------------------------- names

_PARTICLES = {"de", "da", "del", "della", "der", "den", "van", "von", "la", "le", "du", "dos", "al", "el", "bin", "ibn"}
_ROLE_WORDS = re.compile(r"\b(?:staff|writer|reporter|correspondent|editor|contributor|columnist|analyst|desk|"
                         r"team|bureau|special|senior|chief|news\s+service)\b", re.IGNORECASE)


def is_person_name(text: str) -> bool:
    """Two to five capitalised words (initials and particles like "van" allowed), no digits."""
    words = text.split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in text):
        return False
    if words[0].lower() in _PARTICLES or words[-1].lower() in _PARTICLES:
        return False
    return all(w.lower() in _PARTICLES or (w[0].isupper() and re.fullmatch(r"[^\W\d_][\w.'’-]*", w)) for w in words)


def _tidy_name(name: str) -> str:
    name = " ".join(name.split()).strip(" ,.")
    return name.title() if name.isupper() else name


# --------------------------------------------------------------------------- header lines


@dataclass(slots=True)
class _Meta:
    author: str | None = None
    outlet: str | None = None
    published: date | None = None


_BYLINE = re.compile(r"^(?:by|written by|words by|story by|author)\s*:?\s+(?P<rest>.+)$", re.IGNORECASE)


def byline(text: str) -> _Meta | None:
    """"By Jane Doe", "By Jane Doe and John Roe, Reuters", "Author: Jane Doe": author, outlet, date."""
    m = _BYLINE.match(text.strip())
    if not m:
        return None
    chunks = [c.strip() for c in re.split(r",(?!\s*\d{4})|\s[|·•]\s", m.group("rest")) if c.strip()]
    names = [_tidy_name(n) for n in re.split(r"\s+(?:and|&)\s+", chunks[0])]
    if not all(is_person_name(n) for n in names):
        return None
    meta = _Meta(author=" and ".join(names))
    for chunk in chunks[1:]:
        when = date_line(chunk)
        if when:
            meta.published = meta.published or when
        elif meta.outlet is None and not _ROLE_WORDS.search(chunk) and _outlet_like(chunk) and not _DATE_LIKE.match(chunk):
            meta.outlet = chunk
    return meta


_DATE_LIKE = re.compile(r"^(?:[A-Za-z]{3,9}\.?\s+\d{1,2}\b|\d{1,2}\s+[A-Za-z]{3,9}\b|\d)")  # "June 14", "14 June"


def _outlet_like(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and text[:1].isupper() and not re.search(r"[.!?:;]$", text)


def header_line(text: str) -> _Meta | None:
    """A short "Outlet | date", "Jane Doe | Reuters" or "By X | date" line at the top of the text."""
    parts = [p.strip() for p in re.split(r"\s*[|·•]\s*", text.strip()) if p.strip()]
    if len(parts) < 2 or any(len(p) > 60 for p in parts):
        return None
    meta, names = _Meta(), []
    for part in parts:
        when = date_line(part)
        by = byline(part)
        if when:
            meta.published = meta.published or when
        elif by:
            meta.author, meta.outlet = by.author, meta.outlet or by.outlet
        elif _outlet_like(part):
            names.append(part)
        else:
            return None
    if meta.author is None and len(names) >= 2 and is_person_name(names[0]):
        meta.author, names = names[0], names[1:]
    if names and (meta.author or meta.published):
        meta.outlet = meta.outlet or names[0]
    return meta if (meta.author or meta.published) else None


# Wires and networks whose name alone in a dateline's brackets is taken as the outlet, whatever the place's case
# ("Seoul (CNN) North and South...", "(CNN) -- After days...", "Dec 17 (Reuters) - ..."): written as usual.
KNOWN_WIRES = {w.casefold(): w for w in (
    "AP", "Reuters", "AFP", "CNN", "BBC", "UPI", "Bloomberg", "Xinhua", "dpa", "ANSA", "EFE", "IANS", "PTI",
    "Yonhap", "Kyodo", "TASS", "Interfax", "CBS", "NBC", "ABC", "Fox", "NPR", "AAP", "CP", "RIA Novosti",
    "Anadolu", "WENN", "Reuters Health", "CNN Money", "CNNMoney", "AP Photo")} | {"associated press": "AP"}
_PLACE_UPPER = r"[A-Z][A-Z.'’/-]*(?:\s[A-Z][A-Z.'’/-]*){0,4}"  # KYIV, NEW ORLEANS, JAKARTA/PANGKALAN BUN
_PLACE_MIXED = r"[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}"  # Seoul, Washington, New York
_REGION = r"(?:,\s*[A-Z][\w.'’]*(?:\s[A-Z0-9][\w.'’]*){0,3})?"  # , Tenn. / , Jamaica / , N.C. / , Oct 21
_MONTH_DAY = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}"  # Dec 17
_OUTLET = r"(?P<outlet>[A-Z][\w.&'’/ -]{0,30}?)"
_DASH = r"\s*(?:--|[-—–])\s+"
# "KYIV, Oct 21 (Reuters) - ", "FRANKLIN, Tenn. (AP) — ", "MEBANE, N.C. (WXII/WNCN) — ": any outlet, dash needed
_DATELINE = re.compile(rf"^{_PLACE_UPPER}{_REGION}\s*\({_OUTLET}\){_DASH}")
# "Seoul (CNN) North...", "Washington (CNN) -- ", "(CNN) The", "Beijing (AFP) - ", "Dec 17 (Reuters) - ":
# known wires only
_WIRE_DATELINE = re.compile(
    rf"^(?:(?:{_PLACE_UPPER}|{_PLACE_MIXED}){_REGION}\s*|{_MONTH_DAY}\s*)?\({_OUTLET}\)(?:{_DASH}|\s+(?=[A-Z\"“‘]))")
_NOT_OUTLET = re.compile(r"^(?:[RDI](?:-.*)?|[RDI]\.?-[A-Z].*|[A-Z][a-z]?\.?|\d.*|.*\b(?:photo|file|left|right|above)\b.*)$",
                         re.IGNORECASE)


DATELINE_PARAGRAPHS = 3  # the paragraphs (after the title) where a dateline can open the text


def _dateline(text: str) -> tuple[re.Match[str], str] | None:
    """The wire dateline opening ``text`` and its outlet, if any (see _DATELINE and _WIRE_DATELINE)."""
    for pattern in (_DATELINE, _WIRE_DATELINE):
        m = pattern.match(text)
        if not m or m.end() >= len(text):
            continue
        outlet = " ".join(m.group("outlet").split())
        known = KNOWN_WIRES.get(outlet.casefold())
        if known:
            return m, known
        if pattern is _DATELINE and not _NOT_OUTLET.match(outlet):
            return m, outlet
    return None


def strip_dateline(text: str) -> str:
    """A sentence without its wire dateline: "KYIV, Oct 21 (Reuters) - Ukraine said ..." -> "Ukraine said ..."."""
    found = _dateline(text)
    return text[found[0].end():] if found else text


def dateline_outlet(text: str) -> str | None:
    """The wire named in a dateline at the very start of ``text``: "KYIV, Oct 21 (Reuters) - ..." -> "Reuters",
    "Washington (CNN) -- ..." -> "CNN". Never an outlet the text merely cites ("told Reuters")."""
    found = _dateline(text)
    return found[1] if found else None


def _read_header(paragraphs: list[str]) -> tuple[_Meta, list[str]]:
    """Metadata lines near the top (bylines, dates, "Outlet | date") read and taken out of the paragraphs."""
    meta, kept = _Meta(), []
    for i, p in enumerate(paragraphs):
        if i >= 6 or len(p.split()) > 25:
            if i < 8 and meta.outlet is None:
                meta.outlet = dateline_outlet(p)
            kept.extend(paragraphs[i:])
            break
        found = byline(p) or header_line(p)
        when = None if found else date_line(p)
        if found is None and when is None:
            kept.append(p)
            continue
        if found:
            meta.author = meta.author or found.author
            meta.outlet = meta.outlet or found.outlet
            when = found.published
        meta.published = meta.published or when
    return meta, kept


# --------------------------------------------------------------------------- author bio and tags

_ABOUT = re.compile(r"^about the (?:author|writer)s?\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_BIO_NAME = re.compile(r"^(?P<name>[^\W\d_][\w.'’ -]{2,60}?)\s+(?:is|was|has|serves|writes|covers|reports|joined)\b")


def bio_author(paragraphs: list[str]) -> str | None:
    """The name opening an "About the Author" bio: "Jane Roe is a seasoned ..." -> "Jane Roe"."""
    for i, p in enumerate(paragraphs):
        about = _ABOUT.match(p)
        if not about:
            continue
        bio = about.group("rest") or (paragraphs[i + 1] if i + 1 < len(paragraphs) else "")
        m = _BIO_NAME.match(bio)
        if m and is_person_name(m.group("name")):
            return _tidy_name(m.group("name"))
    return None


_LABELS = re.compile(r"^(?:labels|tags|filed under|topics)\s*:\s*(?P<tags>.+)$", re.IGNORECASE)


def labels(paragraphs: list[str]) -> list[str]:
    """Tags from a blog's "Labels: a, b, c" line."""
    tags: list[str] = []
    for p in paragraphs:
        m = _LABELS.match(p)
        for tag in (t.strip() for t in m.group("tags").split(",")) if m else ():
            if tag and tag not in tags:
                tags.append(tag)
    return tags


# --------------------------------------------------------------------------- title

_SMALL_WORDS = {"a", "an", "the", "and", "or", "but", "nor", "for", "of", "to", "in", "on", "at", "by", "from",
                "with", "as", "vs", "via", "into", "over", "up", "per", "off", "out", "is", "are", "be", "than"}


def is_title_case(text: str) -> bool:
    """Most words that are not small words start with a capital (or a digit)."""
    words = [w.strip("\"“”‘’'()[],:;—–-") for w in text.split()]
    big = [w for w in words if w and w.lower() not in _SMALL_WORDS]
    capitalised = sum(w[0].isupper() or w[0].isdigit() for w in big)
    return len(big) >= 2 and capitalised >= 0.8 * len(big)


def is_headline(line: str, following: list[str]) -> bool:
    """A short-ish first line without a final period, followed by body text: in Title Case, a question, or
    (sentence-case headlines) at most 14 words starting with a capital."""
    line = line.strip()
    words = line.split()
    if not following or not 1 <= len(words) <= 25 or len(line) > 160:
        return False
    if line.endswith((".", ",", ";", ":", "…")) or line.startswith(("“", '"')):
        return False
    body_follows = any(len(p.split()) >= 12 for p in following[:3])
    shaped = line.endswith("?") or is_title_case(line) or (len(words) <= 14 and line[0].isupper())
    return body_follows and shaped


_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sgt", "capt", "gov", "sen", "rep", "jr", "sr",
                  "prof", "rev", "no", "vol", "vs", "etc", "inc", "co", "corp", "ltd", "u.s", "u.k", "u.n", "e.g",
                  "i.e", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "mt", "ft", "sgt", "gov", "atty",
                  "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la",
                  "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "tenn",
                  "tex", "va", "vt", "wash", "wis", "wyo"}


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (abbreviations like "Mr." and initials do not end it)."""
    for m in re.finditer(r"[.!?][\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])", text):
        # the word before the mark (abbreviations are short: 80 characters before it are enough, and keep
        # this linear in a paragraph of a million "Mr. A")
        word = re.search(r"([\w.]+)[.!?]?$", text[max(0, m.start() - 80): m.start() + 1].rstrip(".!?"))
        last = word.group(1).lower() if word else ""
        if text[m.start()] == "." and (last in _ABBREVIATIONS or re.fullmatch(r"[a-z](?:\.[a-z])*", last)):
            continue
        return text[: m.end()]
    return text


_PLACE_DASH = re.compile(r"^[A-Z][A-Z.'’]+(?:\s[A-Z][A-Z.'’]+){0,3}(?:,\s[A-Z][\w.]+(?:\s[A-Z][\w.]+)?)?(?:\s?(?:--|[—–])\s?|\s-\s)(?=[A-Z\"“‘])")
# an outlet-less dateline ("CAIRO — ", "FORT WORTH -- ") is not part of a title


def derive_title(paragraphs: list[str], limit: int = 90) -> str:
    """A title from the lede: its first sentence, cut at a word boundary to about ``limit`` characters."""
    if not paragraphs:
        return "(untitled)"
    lede = _PLACE_DASH.sub("", strip_dateline(paragraphs[0]), count=1)
    sentence = first_sentence(re.sub(r"^(?:--|[—–-])\s+(?=\S)", "", lede)).strip()  # "— A quick-thinking ..."
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    words = (cut if sentence[limit - 1] == " " else cut.rsplit(" ", 1)[0]).split()
    while len(words) > 1 and (words[-1].lower() in _SMALL_WORDS or words[-1] in {"—", "–", "-"}):
        words.pop()  # no dangling "of the…"
    return " ".join(words).rstrip(",;:") + "…"


# --------------------------------------------------------------------------- parse_plain_text


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def parse_plain_text(text: str) -> PlainDoc:
    """A pasted article -> title, cleaned paragraphs and the metadata the text itself states."""
    raw = split_paragraphs(sanitize(text))
    meta, body = _read_header(raw)
    author = meta.author or bio_author(raw)
    title = ""
    # page furniture never becomes the title ("Tweet with a location", "Photo: HGTV", "1 of 6")
    body = strip_furniture_prefix(drop_boilerplate(drop_page_furniture(normalise_paragraphs(body))))
    if body and is_headline(body[0], body[1:]):
        title, body = body[0], body[1:]
    paragraphs = clean_paragraphs(body)
    if title and paragraphs and _words(paragraphs[0]) == _words(title):
        paragraphs = paragraphs[1:]  # the headline pasted twice
    # a wire dateline opens the article's text: its first paragraph, or one of the next two after a caption
    outlet = meta.outlet or next(filter(None, map(dateline_outlet, paragraphs[:DATELINE_PARAGRAPHS])), None)
    return PlainDoc(
        title=title or derive_title(paragraphs),
        paragraphs=paragraphs,
        author=author,
        outlet=outlet,
        published=meta.published,
        tags=labels(raw),
    )
