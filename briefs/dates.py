"""Dates and periods named in a sentence, resolved against the article's published date.

Resolution rules (published date P):
- a weekday is the most recent such day on or before P ("last Friday": strictly before P, "next Friday": after),
  or the next one on or after P when the sentence speaks of the future ("will", "expected", "due to");
- a month without a year is its nearest past occurrence (the current month counts);
- a day without a year is its nearest past occurrence, unless it falls within the next 31 days
  ("ready to fight on November 1" written on October 25 is this year's November 1);
- a season is its nearest past occurrence ("last summer": the most recent summer already over);
- an explicit date in brackets after a weekday wins ("on Sunday (October 20)").
Without P and without a year, a mention keeps its text with start and end None.
The published date itself is never a mention: only what the text says is.

An undated article's day or month written without a year ("on October 18") can still be placed from its own
dated context (``place_in_context``): an explicit date with a year joined to it ("in June and July 2009")
gives the year whose occurrence is nearest to it. Otherwise it is a partial date (``month_day``: month and
day, year not given); a weekday or "last week" with no anchor stays unplaced — never a made-up date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["DateMention", "MonthDay", "extract_dates", "date_spans", "month_day", "place_in_context", "is_anchor",
           "partial_label"]

LOOKAHEAD_DAYS = 31  # a day-month without year this close after the published date is in the future
CONTEXT_DAYS = 62  # a year-less date this close to a dated one of its paragraph takes that year
MAX_YEAR_SPAN = 30  # "1950-53" is a period; "2000-2500" is a count


@dataclass(frozen=True, slots=True)
class DateMention:
    text: str  # as written, prepositions ("on", "in") left out
    start: date | None
    end: date | None
    precision: str  # "day" | "month" | "season" | "year"
    sentence: str


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}  # first month, northern hemisphere

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d,.]\d)"
_YEAR = r"(?:19|20)\d\d(?!\d)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_REL = r"(?:(?P<rel>last|this|next|[Ee]arly|[Ll]ate|[Mm]id-?)\s+)?"
_B = r"(?<![\w-])"  # no word or hyphen glued before
_E = r"(?![\w-])"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("range", re.compile(
        _B + rf"(?:[Bb]etween|[Ff]rom)\s+(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})\s+(?:and|to|until|through)\s+(?:the\s+)?"
        rf"(?:(?P<m2>{_MONTH})\s+)?(?P<d2>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?" + _E)),
    ("range", re.compile(
        _B + rf"(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})\s*[-–]\s*(?P<d2>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?" + _E)),
    ("range_dm", re.compile(
        _B + rf"(?:[Bb]etween|[Ff]rom)\s+(?P<d1>{_DAY})\s+(?:(?P<m1>{_MONTH})\s+)?(?:and|to|until)\s+(?P<d2>{_DAY})\s+"
        rf"(?P<m2>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?" + _E)),
    ("weekday_dated", re.compile(
        _B + rf"{_REL}(?P<w>{_WEEKDAY})\s*\(\s*(?:(?P<m>{_MONTH})\s+(?P<d>{_DAY})|(?P<d_>{_DAY})\s+(?P<m_>{_MONTH}))"
        rf"(?:,?\s+(?P<y>{_YEAR}))?\s*\)")),
    ("day", re.compile(_B + rf"(?P<m>{_MONTH})\s+(?P<d>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?" + _E)),
    ("day", re.compile(_B + rf"(?P<d>{_DAY})\s+(?P<m>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?" + _E)),
    ("month", re.compile(_B + rf"{_REL}(?P<m>{_MONTH})(?:\s+(?:of\s+)?(?P<y>{_YEAR}))?" + _E)),
    ("season", re.compile(
        _B + r"(?:(?P<in>in\s+(?:the\s+)?)|(?P<rel>last|this|next|[Ee]arly|[Ll]ate)\s+)?"
        r"(?P<s>[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all|[Ww]inter)"
        rf"(?:\s+(?:of\s+)?(?P<y>{_YEAR}))?" + _E)),
    ("weekday", re.compile(_B + rf"{_REL}(?P<w>{_WEEKDAY})" + _E)),
    ("relative", re.compile(_B + r"(?P<rel>yesterday|(?:last|this)\s+(?:week|month|year))" + _E, re.I)),
    ("years", re.compile(_B + rf"(?P<y>{_YEAR})\s*[-–]\s*(?P<y2>\d\d(?:\d\d)?)(?!\d)")),
    ("year", re.compile(
        rf"(?:(?<=\bin )|(?<=\bsince )|(?<=\bby )|(?<=\buntil )|(?<=\bduring )|(?<=\bfrom )|(?<=\bof )|(?<=\bIn ))"
        rf"{_REL}(?P<y>{_YEAR})(?!\s*[-–]?\s*\d)" + _E)),
]
_AMBIGUOUS_MONTHS = ("may", "march", "mar", "mar.")  # words first, months only with context
_MONTH_CONTEXT = re.compile(r"\b(?:in|since|by|until|of|from|during|early|late|mid-?|last|next|this)\s+$", re.I)


def extract_dates(sentence: str, published: date | None = None) -> list[DateMention]:
    """The date and period mentions of ``sentence`` in order, resolved against ``published``."""
    return [mention for _, mention in _matches(sentence, published)]


def date_spans(sentence: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every date mention in ``sentence``."""
    return [span for span, _ in _matches(sentence, None)]


# What each pattern cannot match without (a cheap search first: most sentences hold no date at all). Every
# month name and abbreviation of _MONTH starts with one of these; every weekday ends in "day".
_MUST = {
    "month": re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"),
    "weekday": re.compile(r"day"),
    "season": re.compile(r"[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all|[Ww]inter"),
    "relative": re.compile(r"yesterday|last|this", re.I),
    "year": re.compile(r"(?:19|20)\d\d"),
}
_NEEDS = {"range": "month", "range_dm": "month", "weekday_dated": "weekday", "day": "month", "month": "month",
          "season": "season", "weekday": "weekday", "relative": "relative", "years": "year", "year": "year"}


def _matches(sentence: str, published: date | None) -> list[tuple[tuple[int, int], DateMention]]:
    """Non-overlapping mentions, earlier patterns winning over later ones."""
    taken: list[tuple[tuple[int, int], DateMention]] = []
    present: dict[str, bool] = {}
    for kind, pattern in _PATTERNS:
        need = _NEEDS[kind]
        if need not in present:
            present[need] = _MUST[need].search(sentence) is not None
        if not present[need]:
            continue
        for match in pattern.finditer(sentence):
            span = match.span()
            if any(span[0] < b and a < span[1] for (a, b), _ in taken):
                continue
            if not _plausible(kind, match, sentence):
                continue
            start, end, precision = _RESOLVERS[kind](match, published)
            if kind == "weekday" and published and not match.group("rel") and _FUTURE.search(sentence):
                start = end = _next_weekday(match, published)  # "will have it finished by Thursday"
            text = match.group(0)[len(match.group("in") or ""):] if kind == "season" else match.group(0)
            taken.append((span, DateMention(text, start, end, precision, sentence)))
    return sorted(taken, key=lambda item: item[0])


def _plausible(kind: str, match: re.Match[str], sentence: str) -> bool:
    """Reject month words used as words ("may", "March" as a verb), bare seasons ("spring" the noun)
    and number ranges that only look like years ("2000-2500 troops")."""
    if kind == "years":
        return 0 < _years_span(match) <= MAX_YEAR_SPAN
    if kind == "month":
        word = match.group("m").lower()
        if word in _AMBIGUOUS_MONTHS:
            return bool(match.group("rel") or match.group("y") or _MONTH_CONTEXT.search(sentence[:match.start()]))
        return True
    if kind == "season":
        return bool(match.group("in") or match.group("rel") or match.group("y"))
    return True


def _years_span(match: re.Match[str]) -> int:
    """Years between the two ends of "1950-53" / "1950-1953"."""
    first, tail = int(match.group("y")), match.group("y2")
    last = int(tail) if len(tail) == 4 else first // 100 * 100 + int(tail)
    return last - first


def _month_number(text: str) -> int:
    return _MONTHS[text.lower().rstrip(".")]


def _day_number(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_year(month: int, day: int, published: date | None) -> int | None:
    """The year of a day-month without year: nearest past, or the coming weeks."""
    if published is None:
        return None
    candidate = _safe_date(published.year, month, day)
    if candidate is None:
        return published.year
    if candidate <= published + timedelta(days=LOOKAHEAD_DAYS):
        return published.year
    return published.year - 1


def _day(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    month, day = _month_number(match.group("m")), _day_number(match.group("d"))
    year = int(match.group("y")) if match.group("y") else _day_year(month, day, published)
    found = _safe_date(year, month, day) if year else None
    return found, found, "day"


def _range(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    groups = match.groupdict()
    m1 = _month_number(groups["m1"] or groups["m2"])
    m2 = _month_number(groups["m2"]) if groups.get("m2") else m1
    d1, d2 = _day_number(groups["d1"]), _day_number(groups["d2"])
    year = int(groups["y"]) if groups.get("y") else _day_year(m2, d2, published)
    if not year:
        return None, None, "day"
    end = _safe_date(year, m2, d2)
    start = _safe_date(year - 1 if m1 > m2 else year, m1, d1)
    return start, end, "day"


def _weekday_dated(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    month = _month_number(match.group("m") or match.group("m_"))
    day = _day_number(match.group("d") or match.group("d_"))
    year = int(match.group("y")) if match.group("y") else _day_year(month, day, published)
    found = _safe_date(year, month, day) if year else None
    return found, found, "day"


def _weekday(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    if published is None:
        return None, None, "day"
    target = _WEEKDAYS[match.group("w").lower()]
    relation = (match.group("rel") or "").lower()
    back = (published.weekday() - target) % 7
    if relation == "last" and back == 0:
        back = 7
    found = published - timedelta(days=back)
    if relation == "next":
        found = published + timedelta(days=(target - published.weekday()) % 7 or 7)
    return found, found, "day"


_FUTURE = re.compile(r"\b(?:will|won[’']t|shall|expects?|expected|due\s+to|(?:is|are)\s+set\s+to|scheduled|"
                     r"plans?\s+to|going\s+to)\b", re.I)


def _next_weekday(match: re.Match[str], published: date) -> date:
    """The weekday on or after ``published``: a sentence about the future points forward."""
    target = _WEEKDAYS[match.group("w").lower()]
    return published + timedelta(days=(target - published.weekday()) % 7)


def _month(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    month = _month_number(match.group("m"))
    if match.group("y"):
        year = int(match.group("y"))
    elif published is None:
        return None, None, "month"
    else:
        year = published.year if month <= published.month else published.year - 1
        if (match.group("rel") or "").lower() == "next" and month <= published.month:
            year = published.year + 1
        elif (match.group("rel") or "").lower() == "next":
            year = published.year
    return date(year, month, 1), _month_end(year, month), "month"


def _season_bounds(first_month: int, year: int) -> tuple[date, date]:
    start = date(year, first_month, 1)
    end_month, end_year = (first_month + 2, year) if first_month != 12 else (2, year + 1)
    return start, _month_end(end_year, end_month)


def _season(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    first = _SEASONS[match.group("s").lower()]
    if match.group("y"):
        return (*_season_bounds(first, int(match.group("y"))), "season")
    if published is None:
        return None, None, "season"
    relation = (match.group("rel") or "").lower()
    year = published.year + (1 if first == 12 else 0)
    while _season_bounds(first, year)[0] > published:  # nearest past start
        year -= 1
    if relation == "last":
        while _season_bounds(first, year)[1] >= published:  # already over
            year -= 1
    elif relation == "next":
        year += 1
    return (*_season_bounds(first, year), "season")


def _relative(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    words = match.group("rel").lower().split()
    unit = words[-1]
    precision = {"week": "day", "month": "month", "year": "year"}.get(unit, "day")
    if published is None:
        return None, None, precision
    if unit == "yesterday":
        day = published - timedelta(days=1)
        return day, day, "day"
    back = words[0] == "last"
    if unit == "week":
        monday = published - timedelta(days=published.weekday() + (7 if back else 0))
        return monday, monday + timedelta(days=6), "day"
    if unit == "month":
        year, month = published.year, published.month
        if back:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return date(year, month, 1), _month_end(year, month), "month"
    year = published.year - (1 if back else 0)
    return date(year, 1, 1), date(year, 12, 31), "year"


def _years(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    first = int(match.group("y"))
    return date(first, 1, 1), date(first + _years_span(match), 12, 31), "year"


def _year(match: re.Match[str], published: date | None) -> tuple[date | None, date | None, str]:
    year = int(match.group("y"))
    return date(year, 1, 1), date(year, 12, 31), "year"


_RESOLVERS = {
    "range": _range, "range_dm": _range, "weekday_dated": _weekday_dated, "day": _day, "month": _month,
    "season": _season, "weekday": _weekday, "relative": _relative, "years": _years, "year": _year,
}


# ------------------------------------------------------------------------------ dates without a year


@dataclass(frozen=True, slots=True, order=True)
class MonthDay:
    """A calendar date written without its year: "October 18" -> (10, 18); "in October" -> (10, None)."""
    month: int
    day: int | None = None

    def iso(self) -> str:
        """ISO 8601's year-less form: "--10-18", or "--10" for a whole month."""
        return f"--{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")


_YEARLESS_KINDS = ("range", "range_dm", "weekday_dated", "day", "month")


def month_day(text: str) -> tuple[MonthDay, MonthDay | None] | None:
    """The month and day (and the end of a range) of a mention written without a year, as extracted
    ("between October 8 and 13" -> (10, 8), (10, 13)); None when it has a year or is no calendar date
    (a weekday alone, "last week", a season)."""
    for kind, pattern in _PATTERNS:
        if kind not in _YEARLESS_KINDS:
            continue
        m = pattern.fullmatch(text)
        if not m or m.groupdict().get("y"):
            continue
        if kind == "month":
            if (m.group("rel") or "").lower() in ("last", "next", "this"):
                return None  # "last October": relative to a publication date the article does not give
            return MonthDay(_month_number(m.group("m"))), None
        if kind in ("range", "range_dm"):
            g = m.groupdict()
            m1 = _month_number(g["m1"] or g["m2"])
            m2 = _month_number(g["m2"]) if g.get("m2") else m1
            first, last = MonthDay(m1, _day_number(g["d1"])), MonthDay(m2, _day_number(g["d2"]))
            return (first, last) if _valid(first) and _valid(last) else None
        month = _month_number(m.group("m") if "m_" not in m.groupdict() else (m.group("m") or m.group("m_")))
        day = _day_number(m.group("d") if "d_" not in m.groupdict() else (m.group("d") or m.group("d_")))
        found = MonthDay(month, day)
        return (found, None) if _valid(found) else None
    return None


def _valid(md: MonthDay) -> bool:
    return md.day is None or _safe_date(2000, md.month, md.day) is not None  # 2000: February 29 exists


def _nearest(md: MonthDay, anchor: date) -> date | None:
    """The occurrence of ``md`` nearest to ``anchor`` (the year before, of, or after it)."""
    options = [_safe_date(y, md.month, md.day or 1) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
    options = [d for d in options if d]
    return min(options, key=lambda d: abs((d - anchor).days)) if options else None


def place_in_context(mention: DateMention, anchors: list[date]) -> DateMention:
    """``mention`` placed from explicit dates with a year (``anchors``, best first; the card passes only the
    dates joined to it, see briefs.timeline): a day or month without a year takes the year that puts it within ``CONTEXT_DAYS`` of an
    anchor, the first anchor that allows it winning ("in January" beside "December 30, 2023" is January 2024).
    Unchanged when it already has a date, has no month and day, or no anchor is that close: "in April"
    beside "December 30, 2023" could be April 2023 or 2024, and stays a partial date."""
    if mention.start is not None or not anchors:
        return mention
    parts = month_day(mention.text)
    if parts is None:
        return mention
    first, last = parts
    for anchor in anchors:
        start = _nearest(first, anchor)
        if start is None:
            return mention
        if last is None:
            end = start if first.day else _month_end(start.year, start.month)
        else:
            end = _safe_date(start.year + (1 if (last.month, last.day) < (first.month, first.day) else 0),
                             last.month, last.day or 1)
        if end is None:
            return mention
        gap = 0 if start <= anchor <= end else min(abs((start - anchor).days), abs((end - anchor).days))
        if gap <= CONTEXT_DAYS:
            return DateMention(mention.text, start, end, mention.precision, mention.sentence)
    return mention


def is_anchor(mention: DateMention) -> bool:
    """An explicit date with its year written, to the day or month ("December 30, 2023", "September 2022")."""
    return (mention.start is not None and mention.precision in ("day", "month")
            and re.search(_YEAR, mention.text) is not None)


def partial_label(first: MonthDay, last: MonthDay | None = None) -> str:
    """"18 Oct, year not given"; "8–13 Oct, year not given"; "Oct, year not given"."""
    def short(md: MonthDay) -> str:
        return f"{md.day} {calendar.month_abbr[md.month]}" if md.day else calendar.month_name[md.month]

    if last is None or last == first:
        when = short(first)
    elif last.month == first.month and first.day and last.day:
        when = f"{first.day}–{last.day} {calendar.month_abbr[first.month]}"
    else:
        when = f"{short(first)} – {short(last)}"
    return f"{when}, year not given"
