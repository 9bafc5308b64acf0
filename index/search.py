"""Query parsing and searching.

Syntax: Whoosh's (AND by default, OR, NOT, "phrases", wildcards, fuzzy ``term~2``) plus the
friendly fields ``outlet:``, ``author:``, ``tag:``, ``title:``, ``id:`` and
``date:2024-10-01..2024-10-31`` (also ``date:2024-10``, ``date:2024``, open ends ``date:2024-10-01..``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .errors import QueryError
from .schema import import_whoosh

import_whoosh()

from whoosh import qparser, query  # noqa: E402
from whoosh.qparser import syntax  # noqa: E402

FIELD_ALIASES = {"tags": ["tag"], "outlet": ["source"], "published": ["date"]}
KNOWN_FIELDS = {"title", "body", "outlet", "source", "author", "tag", "tags", "date", "published", "id"}


# ----------------------------------------------------------------------------------------------
# Dates


def _month_days(year: int, month: int) -> int:
    import calendar  # only date: queries need it

    return calendar.monthrange(year, month)[1]


def _parse_day(text: str, end: bool) -> datetime:
    """'2024', '2024-10' or '2024-10-05' -> the first (or, with end, the last) moment it covers."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if not m:
        raise QueryError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    try:
        if not month:
            d = date(year, 12, 31) if end else date(year, 1, 1)
        elif not day:
            d = date(year, month, _month_days(year, month) if end else 1)
        else:
            d = date(year, month, day)
    except ValueError as exc:
        raise QueryError(f"date {text!r} is not a real date ({exc})") from None
    moment = datetime(d.year, d.month, d.day)
    return moment + timedelta(days=1) - timedelta(microseconds=1) if end else moment


def date_query(text: str) -> query.Query:
    """``2024-10-01..2024-10-31``, ``2024-10``, ``..2024-10-31`` -> a range over ``published``."""
    if ".." in text:
        lo, _, hi = text.partition("..")
        if not lo and not hi:
            raise QueryError("date: needs a date or a range such as date:2024-10-01..2024-10-31")
        start = _parse_day(lo, end=False) if lo else None
        end = _parse_day(hi, end=True) if hi else None
        if start and end and start > end:
            raise QueryError(f"date range {text!r} ends before it starts")
    else:
        start, end = _parse_day(text, end=False), _parse_day(text, end=True)
    return query.DateRange("published", start, end)


class _DateNode(syntax.SyntaxNode):
    def __init__(self, text: str) -> None:
        self.text = text

    def r(self) -> str:
        return f"date:{self.text}"

    def query(self, parser) -> query.Query:
        return date_query(self.text)


_DATE_VALUE = r"[0-9][0-9.\-]*|\.\.[0-9][0-9\-]*"


class _DatePlugin(qparser.TaggingPlugin):
    priority = -5  # taggers run in ascending priority: before the field tagger (0)
    expr = rf"(?<![\w:])(?:date|published):(?P<text>{_DATE_VALUE})"
    nodetype = _DateNode


# ----------------------------------------------------------------------------------------------
# Parsing


def _check_syntax(text: str) -> None:
    """Catch what Whoosh would silently misread: unknown fields, unclosed quotes or brackets."""
    if text.count('"') % 2:
        raise QueryError('a phrase is missing its closing quote (")')
    outside = re.sub(r'"[^"]*"', " ", text)
    depth = 0
    for ch in outside:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QueryError("a ')' has no matching '('")
    if depth:
        raise QueryError("a '(' is never closed")
    for m in re.finditer(r"(?<![\w:])([A-Za-z_]+):", outside):
        name = m.group(1).lower()
        if name not in KNOWN_FIELDS:
            raise QueryError(
                f"unknown field {m.group(1)!r}: use outlet:, author:, tag:, title:, date: or id:"
            )
    for m in re.finditer(r"(?<![\w:])(?:date|published):(\S*)", outside, re.IGNORECASE):
        if not re.fullmatch(_DATE_VALUE, m.group(1)):
            raise QueryError(
                f"{m.group(0)!r}: date: takes YYYY, YYYY-MM, YYYY-MM-DD or a range such as 2024-10-01..2024-10-31"
            )
    for m in re.finditer(r"(\S+)~(\S*)", outside):
        if m.group(2) and not m.group(2).isdigit():
            raise QueryError(f"fuzzy term {m.group(0)!r}: the number after ~ must be a whole number")


def make_parser(schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(_DatePlugin())
    return parser


def parse_query(text: str, schema) -> query.Query:
    text = text.strip()
    if not text:
        raise QueryError("the query is empty")
    _check_syntax(text)
    q = make_parser(schema).parse(text)
    if q is query.NullQuery:
        raise QueryError(f"the query {text!r} has no words to search for")
    return q


# ----------------------------------------------------------------------------------------------
# Results


class Hit:
    """One search hit; ``snippet`` is a list of (text, is_match) segments."""

    __slots__ = ("id", "title", "outlet", "published", "path", "score", "snippet")

    def __init__(self, id: str, title: str, outlet: str | None, published: date | None, path: str,
                 score: float, snippet: list[tuple[str, bool]]) -> None:
        self.id, self.title, self.outlet, self.published = id, title, outlet, published
        self.path, self.score, self.snippet = path, score, snippet

    def __repr__(self) -> str:
        return f"Hit({self.id!r}, {self.title!r}, score={self.score:.3f})"

    @property
    def snippet_text(self) -> str:
        return "".join(t for t, _ in self.snippet)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
            "path": self.path,
            "score": round(self.score, 4),
            "snippet": self.snippet_text,
        }


class SearchResult:
    """One page of hits, the total count, and facet counts when asked for."""

    __slots__ = ("query", "total", "hits", "page", "facets", "total_exact")

    def __init__(self, query: str, total: int, hits: list[Hit], page: int = 1, total_exact: bool = True) -> None:
        self.query, self.total, self.hits, self.page = query, total, hits, page
        self.facets: dict[str, dict[str, int]] = {}
        # False only for search(count=False): ``total`` is then a lower bound (see count_hits)
        self.total_exact = total_exact

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "hits": [h.to_json() for h in self.hits]}


_TOKEN = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer pattern


def query_terms(q: query.Query, reader) -> frozenset[str]:
    """The index terms (stemmed, wildcards and fuzzy terms expanded) a query looks for in text fields."""
    # Leaf by leaf: Whoosh's Query.existing_terms reuses its ``fieldname`` argument as a loop
    # variable, so over a whole tree it drops every field after the first one it meets.
    terms = {t for leaf in q.leaves() for t in leaf.existing_terms(reader, phrases=True, expand=True)}
    return frozenset(
        t.decode("utf-8") if isinstance(t, bytes) else str(t) for field_name, t in terms if field_name in ("body", "title")
    )


def _matches(body: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word in ``body`` that stems to one of ``terms``.

    Cheaper than Whoosh's highlighter, which re-analyses the whole text: only words that share
    their first two letters with a term are stemmed at all.
    """
    from whoosh.lang.porter import stem

    prefixes = {t[:2] for t in terms}
    found = []
    for m in _TOKEN.finditer(body):
        word = m.group().lower()
        if word[:2] not in prefixes:
            continue
        if word in terms:
            found.append((m.start(), m.end(), word))
        else:
            stemmed = stem(word)
            if stemmed in terms:
                found.append((m.start(), m.end(), stemmed))
    return found


def make_snippet(body: str, terms: frozenset[str], width: int = 170, fragments: int = 2) -> list[tuple[str, bool]]:
    """Up to ``fragments`` windows of ``body`` around the densest matches, as (text, is_match) segments."""
    flat = re.sub(r"\s+", " ", body).strip()
    matches = _matches(flat, terms) if terms else []
    if not matches:
        return [(_lede(flat, width + 30), False)]
    windows: list[tuple[int, int]] = []
    candidates = sorted(
        ((len({t for s, e, t in matches if a <= s and e <= a + width}), -a, a) for a, _, _ in matches), reverse=True
    )
    for _, _, a in candidates:
        lo = max(0, a - width // 4)
        hi = min(len(flat), lo + width)
        if all(hi <= w_lo or lo >= w_hi for w_lo, w_hi in windows):
            windows.append((lo, hi))
        if len(windows) == fragments:
            break
    segments: list[tuple[str, bool]] = []
    for n, (lo, hi) in enumerate(sorted(windows)):
        lo = lo if lo == 0 else flat.find(" ", lo) + 1 or lo
        cut = flat.rfind(" ", lo, hi) if hi < len(flat) else hi
        hi = cut if cut > lo else hi
        if n or lo:
            segments.append(("… " if n == 0 else " … ", False))
        pos = lo
        for s, e, _ in matches:
            if s >= lo and e <= hi:
                if s > pos:
                    segments.append((flat[pos:s], False))
                segments.append((flat[s:e], True))
                pos = e
        if pos < hi:
            segments.append((flat[pos:hi], False))
    if windows and sorted(windows)[-1][1] < len(flat):
        segments.append((" …", False))
    return segments


def _lede(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def make_hit(hit, terms: frozenset[str] | None) -> Hit:
    fields = hit.fields()
    body = fields.get("body") or ""
    snippet = make_snippet(body, terms) if terms is not None else [(_lede(body), False)]
    published = fields.get("published")
    return Hit(
        id=fields["id"],
        title=fields.get("title") or "",
        outlet=fields.get("outlet") or None,
        published=published.date() if isinstance(published, datetime) else None,
        path=fields.get("path") or "",
        score=float(hit.score or 0.0),
        snippet=snippet,
    )


def search(
    searcher,
    text: str,
    *,
    limit: int = 10,
    page: int = 1,
    snippets: bool = True,
    facets: bool = False,
    filter_query: query.Query | None = None,
    count: bool = True,
) -> SearchResult:
    """Run ``text`` against an open article searcher; only the returned page is highlighted.

    ``count=False`` skips counting the hits beyond this page, which on a big library costs as much as
    finding the page again (Whoosh ranks the top hits without visiting every match): ``total`` is then
    exact only when ``total_exact`` says so, else a lower bound; count_hits gives the exact count later.
    """
    q = parse_query(text, searcher.schema)
    kwargs = {"filter": filter_query} if filter_query is not None else {}
    if facets:
        from whoosh import sorting

        kwargs["groupedby"] = {"outlet": sorting.FieldFacet("outlet_facet", maptype=sorting.Count)}
    terms = query_terms(q, searcher.reader()) if snippets else None
    if not count and page >= 1:
        found = searcher.search(q, limit=page * limit, **kwargs)
        exact = found.has_exact_length()
        page_hits = found[(page - 1) * limit:page * limit]
        total = len(found) if exact else max(found.estimated_min_length(), found.scored_length())
        out = SearchResult(query=text, total=total, hits=[make_hit(h, terms) for h in page_hits], page=page,
                           total_exact=exact)
        results = found
    else:
        results = searcher.search_page(q, page, pagelen=limit, **kwargs)
        hits = [make_hit(h, terms) for h in results]
        out = SearchResult(query=text, total=results.total, hits=hits, page=page)
    if facets:
        counts = (results.results if hasattr(results, "results") else results).groups("outlet")
        out.facets["outlet"] = {
            (k.decode("utf-8") if isinstance(k, bytes) else k) or "": n
            for k, n in sorted(counts.items(), key=lambda kv: -kv[1])
        }
    return out


class SearchCancelled(Exception):
    """count_hits stopped because ``should_stop()`` said so."""


def field_values(searcher, fieldname: str) -> list:
    """The value of a sortable field for every document, indexed by document number (one column read)."""
    return list(searcher.reader().column_reader(fieldname))


def count_hits(searcher, text: str, *, filter_query: query.Query | None = None, group=None,
               should_stop=None, check_every: int = 512) -> tuple[int, dict]:
    """How many documents match ``text`` (within ``filter_query``), without scoring them.

    With ``group`` (a sequence indexed by document number, e.g. ``field_values(searcher, "outlet_facet")``)
    also how many per value. ``should_stop()`` is asked every ``check_every`` documents; when it returns
    True, SearchCancelled is raised (a newer search wants the CPU).
    """
    q = parse_query(text, searcher.schema)
    if filter_query is not None:
        q = query.And([q, filter_query])
    total = 0
    counts: dict = {}
    for docnum in searcher.docs_for_query(q):
        total += 1
        if group is not None:
            value = group[docnum]
            counts[value] = counts.get(value, 0) + 1
        if should_stop is not None and not total % check_every and should_stop():
            raise SearchCancelled()
    return total, counts


# ----------------------------------------------------------------------------------------------
# Passages


class Passage:
    """Paragraph ``n`` of an article, scored for a query."""

    __slots__ = ("article_id", "n", "text", "score")

    def __init__(self, article_id: str, n: int, text: str, score: float) -> None:
        self.article_id, self.n, self.text, self.score = article_id, n, text, score

    def __repr__(self) -> str:
        return f"Passage({self.article_id!r}, {self.n}, score={self.score:.2f})"


def best_passages(searcher, text: str, *, limit: int = 10, articles: int = 50,
                  filter_query: query.Query | None = None) -> list[Passage]:
    """The paragraphs that best answer ``text`` across the library.

    The articles matching the query are found with the index; their stored paragraphs are then
    scored with BM25 over the terms that actually matched (so stems, wildcards and fuzzy terms
    count), using the index's own inverse document frequencies.
    """
    q = parse_query(text, searcher.schema)
    kwargs = {"filter": filter_query} if filter_query is not None else {}
    results = searcher.search(q, limit=articles, terms=True, **kwargs)
    matched = {term for field_name, term in results.matched_terms() if field_name in ("body", "title")}
    words = {t.decode("utf-8") if isinstance(t, bytes) else t for t in matched}
    if not words:
        return []
    idf = {w: searcher.idf("body", w) for w in words}
    analyzer = searcher.schema["body"].analyzer
    scored: list[Passage] = []
    for hit in results:
        fields = hit.fields()
        for n, para in enumerate((fields.get("body") or "").split("\n\n")):
            tokens = [t.text for t in analyzer(para)]
            score = _bm25(tokens, idf)
            if score > 0:
                scored.append(Passage(fields["id"], n, para, score))
    scored.sort(key=lambda p: p.score, reverse=True)
    return scored[:limit]


def _bm25(tokens: list[str], idf: dict[str, float], k1: float = 1.2, b: float = 0.75,
          avg_len: float = 60.0) -> float:
    if not tokens:
        return 0.0
    counts: dict[str, int] = {}
    for t in tokens:
        if t in idf:
            counts[t] = counts.get(t, 0) + 1
    norm = k1 * (1 - b + b * len(tokens) / avg_len)
    return sum(idf[t] * c * (k1 + 1) / (c + norm) for t, c in counts.items())
