"""Query parsing and searching.

Syntax: Whoosh's (AND by default, OR, NOT, "phrases", wildcards, fuzzy ``term~2``) plus the
friendly fields ``outlet:``, ``author:``, ``tag:``, ``title:``, ``id:`` and
``date:2024-10-01..2024-10-31`` (also ``date:2024-10``, ``date:2024``, open ends ``date:2024-10-01..``).
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
import weakref
from datetime import date, datetime, timedelta

from .errors import QueryError
from .schema import import_whoosh

import_whoosh()

from whoosh import query  # noqa: E402

# whoosh.qparser (~5 ms to import, ~3 ms to build a parser) is loaded only for queries that need it:
# plain words, the commonest query, are turned into the same query directly (see _plain_query).

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


_DATE_VALUE = r"[0-9][0-9.\-]*|\.\.[0-9][0-9\-]*"


def _date_plugin():
    """The tagger for ``date:`` (and ``published:``) values, turning them into a DateRange."""
    from whoosh import qparser
    from whoosh.qparser import syntax

    class DateNode(syntax.SyntaxNode):
        def __init__(self, text: str) -> None:
            self.text = text

        def r(self) -> str:
            return f"date:{self.text}"

        def query(self, parser) -> query.Query:
            return date_query(self.text)

    class DatePlugin(qparser.TaggingPlugin):
        priority = -5  # taggers run in ascending priority: before the field tagger (0)
        expr = rf"(?<![\w:])(?:date|published):(?P<text>{_DATE_VALUE})"
        nodetype = DateNode

    return DatePlugin()


# ----------------------------------------------------------------------------------------------
# Parsing


# Limits no one typing a query meets, which keep every query quick to parse and to run.
MAX_QUERY_CHARS = 2_000
MAX_QUERY_WORDS = 100
MAX_NESTING = 20  # brackets inside brackets
MAX_FUZZY = 2  # letters a fuzzy term (word~N) may differ by
MAX_FUZZY_LETTERS = 40  # the longest word a fuzzy term may be (its automaton grows with the word)
MAX_PATTERNS = 8  # wildcard, fuzzy and range terms in one query
MAX_EXPANSION = 1_000  # words of the index one of them is searched for at most (its commonest: bound_query)
MAX_EXPANDED_POSTINGS = 200_000  # places (article, word) all of them are searched in at most: ~0.2-0.5 s of ranking
EXPANSION_SECONDS = 5  # looking up the words they stand for

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def shown(text: str, limit: int = 60) -> str:
    """A query (or a part of one) as a message quotes it: repr (control characters escaped), cut short."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


def _check_syntax(text: str) -> None:
    """Catch what Whoosh would silently misread (unknown fields, unclosed quotes or brackets) and what
    would make it slow (a query too long, too many words, brackets nested too deep, fuzzy terms too
    fuzzy). Linear in the length of the query."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        from .sanitize import display_path  # undecodable bytes shown as \xff escapes

        raise QueryError(f"the query '{display_path(text[:60])}' holds bytes that are not UTF-8 text: retype it")
    control = _CONTROL.search(text)
    if control:
        raise QueryError(f"the query holds a control character (U+{ord(control.group()):04X}): type it without")
    if text.count('"') % 2:
        raise QueryError('a phrase is missing its closing quote (")')
    outside = re.sub(r'"[^"]*"', " ", text)
    depth = deepest = 0
    for ch in outside:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise QueryError("a ')' has no matching '('")
    if depth:
        raise QueryError("a '(' is never closed")
    if deepest > MAX_NESTING:
        raise QueryError(f"the query nests brackets {deepest:,} deep; the limit is {MAX_NESTING}")
    words = len(text.split())
    if words > MAX_QUERY_WORDS:
        raise QueryError(f"the query has {words:,} words; the limit is {MAX_QUERY_WORDS}")
    for m in re.finditer(r"(?<![\w:])([A-Za-z_]+):", outside):
        name = m.group(1).lower()
        if name not in KNOWN_FIELDS:
            raise QueryError(
                f"unknown field {shown(m.group(1))}: use outlet:, author:, tag:, title:, date: or id:"
            )
    for m in re.finditer(r"(?<![\w:])(?:date|published):(\S*)", outside, re.IGNORECASE):
        if not re.fullmatch(_DATE_VALUE, m.group(1)):
            raise QueryError(
                f"{shown(m.group(0))}: date: takes YYYY, YYYY-MM, YYYY-MM-DD or a range such as 2024-10-01..2024-10-31"
            )
    # A word, then ~ and what follows it (each word looked at once: no backtracking over long words).
    for m in re.finditer(r"(?<!\S)([^\s~]+)~(\S*)", outside):
        if m.group(2) and not m.group(2).isdigit():
            raise QueryError(f"fuzzy term {shown(m.group(0))}: the number after ~ must be a whole number")
        if m.group(2) and int(m.group(2)) > MAX_FUZZY:
            raise QueryError(f"fuzzy term {shown(m.group(0))}: a word may differ by {MAX_FUZZY} letters at most")
        if len(m.group(1).split(":")[-1]) > MAX_FUZZY_LETTERS:
            raise QueryError(f"fuzzy term {shown(m.group(0))}: a fuzzy word may be {MAX_FUZZY_LETTERS} letters "
                             f"long at most")


DEFAULT_FIELDS = ("title", "body")


def make_parser(schema):
    """Whoosh's parser for brief's syntax: fields title and body, AND by default, fuzzy terms, aliases, dates."""
    from whoosh import qparser

    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(_date_plugin())
    return parser


_PLAIN = re.compile(r"\w+(?:\s+\w+)*")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


def _plain_query(text: str, schema) -> query.Query | None:
    """The query make_parser would build for words alone (no operators, fields, quotes, wildcards or
    punctuation), built without the parser; None for anything else. Tests hold the two equal."""
    if not _PLAIN.fullmatch(text):
        return None
    words = []
    for word in text.split():
        if word in _OPERATORS:
            return None
        terms = []
        for name in DEFAULT_FIELDS:
            tokens = list(schema[name].process_text(word, mode="query"))
            if len(tokens) > 1:
                return None  # one word, several terms: the parser's business
            if tokens:
                terms.append(query.Term(name, tokens[0]))
        if terms:
            words.append(terms[0] if len(terms) == 1 else query.Or(terms))
    if not words:
        return query.NullQuery
    return (words[0] if len(words) == 1 else query.And(words)).normalize()


_QUESTION = re.compile(r'"[^"]*"|(?<=\w)\?+(?=[\s)]|$)|(?<!\S)\?+(?=[\s)]|$)')


def _questions_as_punctuation(text: str) -> str:
    """A question mark that ends a word or stands alone (`is the dam safe?`) is punctuation, not the
    one-letter wildcard it is inside a word (`wh?t`); phrases are left as they are."""
    if "?" not in text:
        return text
    return _QUESTION.sub(lambda m: m.group() if m.group().startswith('"') else "", text).strip()


def parse_query(text: str, schema) -> query.Query:
    """``text`` as a Whoosh query; QueryError says in words what is wrong with a query that is not one.
    (Wildcards, fuzzy terms and ranges are checked against the index by bound_query.)"""
    text = text.strip()
    if not text:
        raise QueryError("the query is empty")
    _check_syntax(text)
    asked = text
    text = _questions_as_punctuation(text)
    if not text:
        raise QueryError(f"the query {shown(asked)} has no words to search for")
    q = _plain_query(text, schema)
    if q is None:
        q = _parse(text, schema)
    if q is query.NullQuery:
        raise QueryError(f"the query {shown(text)} has no words to search for")
    return q


def _parse(text: str, schema) -> query.Query:
    """Whoosh's parser on ``text``; any failure of it a QueryError."""
    try:
        return make_parser(schema).parse(text)
    except QueryError:
        raise
    except RecursionError:
        raise QueryError(f"the query {shown(text)} is nested too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - Whoosh's parser fails on odd operator sequences (NOT NOT NOT)
        raise QueryError(
            f"the query {shown(text)} could not be read ({_parse_failure(text, exc)})"
        ) from None


def _parse_failure(text: str, exc: Exception) -> str:
    words = text.split()
    if words and all(w in _OPERATORS for w in words):
        return "it holds only operators: AND, OR and NOT join words"
    if words and (words[-1] in _OPERATORS or words[0] in _OPERATORS - {"NOT"}):
        return f"{words[-1] if words[-1] in _OPERATORS else words[0]} needs a word on each side"
    return "check its AND, OR, NOT, brackets and quotes"


def bound_query(q: query.Query, reader, should_stop=None) -> query.Query:
    """``q`` with its wildcards, prefixes, fuzzy terms and ranges expanded against the index, boundedly.

    Each of them stands for the words of the index it matches (found once, here). One that matches
    none is taken out (Whoosh fails on it: "min() arg is an empty sequence"). The others become an
    ``Expansion`` of their words; one pattern over several fields (``con*`` is the title's and the
    body's words) is one Expansion. It scores a document as Whoosh does (the sum of its matched words'
    scores) but reads the words' postings a block at a time into one summed list (index.expansion)
    instead of stepping a tree of hundreds of matchers document by document.
    Bounded: a pattern that stands for more than MAX_EXPANSION words is searched for its MAX_EXPANSION
    commonest; when all the patterns' words together are in more than MAX_EXPANDED_POSTINGS places
    (article, word), the commonest words that fit are kept (at least one a pattern). Either way the
    Expansion carries a notice saying so (expansion_notice, SearchResult.notice). A QueryError says
    when a query has more than MAX_PATTERNS such terms, a pattern matches more than MAX_CANDIDATES
    words, or looking the words up takes over EXPANSION_SECONDS. ``title:*``, ``body:*`` and ``id:*``
    become every article (Whoosh would read every posting of every word of the field to find them).
    ``should_stop()``, when given, is asked while the words are looked up and while their postings are
    read for ranking; SearchCancelled is raised when it says True (a newer keystroke came).
    """
    import time

    from whoosh.query import MultiTerm

    leaves = list(q.leaves())
    if not any(isinstance(n, (MultiTerm, query.Every)) for n in leaves):
        return q  # words and phrases: nothing to expand (the common query, left as it is)
    schema = reader.schema
    patterns = {(n.fieldname, _leaf_text(n)) for n in leaves if isinstance(n, MultiTerm)}
    distinct = {text for _field, text in patterns}
    if len(distinct) > MAX_PATTERNS:
        raise QueryError(f"the query has {len(distinct)} wildcard, fuzzy or range terms; the limit is {MAX_PATTERNS}")
    budget = {"postings": 0, "deadline": time.monotonic() + EXPANSION_SECONDS, "stop": _stopper(should_stop)}

    def visit(node):
        kind = type(node)
        if kind is query.Every:
            return query.Every(boost=node.boost) if node.fieldname in (None, "title", "body", "id") else node
        if isinstance(node, MultiTerm):
            return _expand([node], reader, schema, budget)
        if kind is query.Not:
            inner = visit(node.query)
            # NOT of nothing is everything (as Whoosh answers NOT of a word no article holds).
            return query.Every(boost=node.boost) if inner is query.NullQuery else query.Not(inner, boost=node.boost)
        if node.is_leaf():
            return node
        if kind is query.Or and not node.minmatch and not node.scale:
            # one pattern over several fields (the parser's Or([Prefix('title', 'con'), Prefix('body', 'con')]))
            # is one Expansion: its fields' scores added per document as Whoosh's OR adds them
            alike: dict = {}
            for child in node.subqueries:
                if isinstance(child, MultiTerm):
                    alike.setdefault(_pattern_key(child), []).append(child)
            parts, done = [], set()
            for child in node.subqueries:
                if not isinstance(child, MultiTerm):
                    parts.append(visit(child))
                elif _pattern_key(child) not in done:
                    done.add(_pattern_key(child))
                    parts.append(_expand(alike[_pattern_key(child)], reader, schema, budget))
            return query.Or(parts, boost=node.boost).normalize()
        if kind in (query.And, query.Require):
            # an article must hold every part: a part no article holds leaves none (Whoosh's normalize would
            # drop it and widen `what? dam` to `dam`)
            parts = [visit(child) for child in node.children()]
            if any(p is query.NullQuery for p in parts):
                return query.NullQuery
            # and one that every article holds (`NOT what?` when no word matches `what?`) narrows nothing:
            # Whoosh's normalize would make the whole AND every article
            narrowing = [p for p in parts if type(p) is not query.Every] or parts[:1]
            if kind is query.Require or len(narrowing) == len(parts):
                return node.apply(lambda child, it=iter(parts): next(it)).normalize()
            return (narrowing[0] if len(narrowing) == 1 else query.And(narrowing, boost=node.boost)).normalize()
        return node.apply(visit).normalize()

    bounded = visit(q)
    return bounded if bounded is q else bounded.normalize()


MAX_CANDIDATES = 50_000  # words one pattern may match at all (each one's frequency is looked up to keep the commonest)


def _pattern_key(node) -> tuple:
    """What makes two MultiTerms the same pattern, whatever their field."""
    return (type(node), node.boost) + tuple(getattr(node, a, None) for a in (
        "text", "maxdist", "prefixlength", "start", "end", "startexcl", "endexcl"))


def _stopper(should_stop):
    """A function raising SearchCancelled when ``should_stop()`` says True (None without one)."""
    if should_stop is None:
        return None

    def stop():
        if should_stop():
            raise SearchCancelled()

    return stop


def _expand(nodes, reader, schema, budget: dict) -> query.Query:
    """One wildcard, prefix, fuzzy term or range, over the fields of ``nodes`` (the same pattern each),
    as the words it stands for (see bound_query): NullQuery, a Term or an Expansion."""
    terms, notes, found = [], [], {}
    for node in nodes:
        total, words = _field_words(node, reader, schema, budget)
        if words is None:
            continue
        found[words.field] = words
        to_text = schema[words.field].from_bytes
        terms += [query.Term(words.field, to_text(w), boost=node.boost) for w in words.words]
        if len(words.words) < total:
            notes.append((total, len(words.words)))
    if not terms:
        return query.NullQuery
    if len(terms) == 1 and not notes:
        return terms[0]
    expansion = Expansion(terms)
    expansion.should_stop, expansion.found = budget["stop"], found
    if notes:
        total, kept = max(notes)
        expansion.notice = (f"{shown(_pattern_text(nodes[0]))} matches {total:,} words; only its {kept:,} commonest "
                            f"{'were' if kept != 1 else 'was'} searched")
    return expansion


def _pattern_text(node) -> str:
    """A pattern as the user typed it (``con*``, ``econ~``, ``c?n*``, ``title:con*``)."""
    kind, text = type(node), getattr(node, "text", None)
    if not isinstance(text, str):
        return _leaf_text(node)
    field = f"{node.fieldname}:" if node.fieldname not in DEFAULT_FIELDS else ""
    if kind is query.Prefix:
        return f"{field}{text}*"
    if kind is query.FuzzyTerm:
        return f"{field}{text}~" + (f"{int(node.maxdist)}" if int(node.maxdist) != 1 else "")
    return f"{field}{text}"


def _field_words(node, reader, schema, budget: dict):
    """(how many words of its field ``node`` matches, index.expansion.Words of the words kept: all, or
    the commonest that fit the bounds; None when it matches none)."""
    import time

    from .expansion import TooSlow, words_of

    field = node.field()
    if field not in schema:
        return 0, None
    try:
        words = words_of(node, reader, budget["deadline"], budget["stop"])
    except TooSlow:
        raise _too_slow() from None
    if time.monotonic() > budget["deadline"]:
        raise _too_slow()
    found = words.words
    if not found:
        return 0, None
    if len(found) > MAX_CANDIDATES:
        raise QueryError(f"{shown(_pattern_text(node))} matches more than {MAX_CANDIDATES:,} different words; "
                         f"make it longer or more precise")
    freqs = [words.doc_frequency(w) for w in found]
    left = max(0, MAX_EXPANDED_POSTINGS - budget["postings"])
    if len(found) > MAX_EXPANSION or sum(freqs) > left:
        # the commonest first (index order among equals): as many as MAX_EXPANSION and the places left allow
        commonest = sorted(range(len(found)), key=lambda n: -freqs[n])[:MAX_EXPANSION]
        places, end = 0, len(commonest)
        for k, n in enumerate(commonest):
            if places + freqs[n] > left:
                end = max(1, k)
                break
            places += freqs[n]
        chosen = commonest[:end]
        budget["postings"] += sum(freqs[n] for n in chosen)
        return len(found), words.only(found[n] for n in chosen)
    budget["postings"] += sum(freqs)
    return len(found), words


def expansion_notice(q: query.Query) -> str | None:
    """What bound_query left out of ``q``'s wildcard and fuzzy terms (their notices), None when nothing."""
    found: list[str] = []

    def walk(node):
        notice = getattr(node, "notice", None)
        if isinstance(node, Expansion) and notice and notice not in found:
            found.append(notice)
        for child in node.children():
            walk(child)

    walk(q)
    return "; ".join(found) or None


def _too_slow() -> QueryError:
    return QueryError(f"looking up the wildcard, fuzzy or range terms of the query took over {EXPANSION_SECONDS} s; "
                      f"make them longer or more precise")


class Expansion(query.compound.CompoundQuery):
    """The words a wildcard, prefix, fuzzy term or range stands for (see bound_query), in runs of one
    field: an OR whose matcher reads the words' postings into one summed list (index.expansion), the
    scores Whoosh's OR of the words gives. Not an Or subclass, so that normalizing an Or around it does
    not flatten it into a plain OR."""

    JOINT = " OR "
    should_stop = None  # raises SearchCancelled while the words' postings are read (see bound_query)
    notice = None  # what bound_query left out, if anything (see expansion_notice)
    found = None  # {field: index.expansion.Words}: the words' term infos, as bound_query found them
    kept = None  # {id(segment reader): (reader, its matching documents)}, kept while ranking (see docnums)

    def __deepcopy__(self, memo):
        # Query.copy (with_boost, normalize) deep-copies: the words' infos hold the index's open files
        import copy

        other = Expansion([copy.deepcopy(t, memo) for t in self.subqueries], boost=self.boost)
        other.should_stop, other.found, other.notice = self.should_stop, self.found, self.notice
        return other

    def _freqs(self, ixreader) -> list[int] | None:
        """Each word's document frequency in ``ixreader`` (the whole index or one of its segments), from
        the term infos bound_query read; None when they were read from another index."""
        found, schema = self.found or {}, ixreader.schema
        segments = getattr(ixreader, "readers", None)
        freqs = []
        for t in self.subqueries:
            words = found.get(t.fieldname)
            if words is None:
                return None
            try:
                btext = schema[t.fieldname].to_bytes(t.text)
            except (KeyError, ValueError):
                return None
            if segments is not None:
                if len(segments) != len(words.segments) or any(a is not b for a, b in zip(segments, words.segments)):
                    return None
                freqs.append(words.doc_frequency(btext))
            else:
                per = words.infos_for(ixreader)
                if per is None:
                    return None
                info = per.get(btext)
                freqs.append(info.doc_frequency() if info is not None else 0)
        return freqs

    def estimate_size(self, ixreader):
        # CompoundQuery's (the sum of the words' document frequencies), without looking each word up again
        freqs = self._freqs(ixreader)
        return super().estimate_size(ixreader) if freqs is None else min(sum(freqs), ixreader.doc_count())

    def estimate_min_size(self, ixreader):
        # CompoundQuery's (its smallest word's document frequency above 0), as above
        freqs = self._freqs(ixreader)
        if freqs is None:
            return super().estimate_min_size(ixreader)
        found = [f for f in freqs if f > 0]
        return min(found) if found else 0

    def docnums(self, reader) -> set[int]:
        """The matching document numbers of one segment, deleted ones left out (for counting)."""
        from .expansion import docnums

        return docnums(self.subqueries, reader, self.found, self.kept)

    def normalize(self):
        return self  # made of distinct words already

    def requires(self):
        return set()

    def matcher(self, searcher, context=None):
        # CompoundQuery.matcher hands a single word to its own matcher, leaving out this query's boost
        from whoosh import matching

        return self._matcher(self.subqueries, searcher, context) if self.subqueries else matching.NullMatcher()

    def _matcher(self, subs, searcher, context):
        from whoosh import matching

        from .expansion import field_runs, summed_matcher

        if self.kept is None:
            self.kept = {}
        _preload_lengths(searcher)  # the length columns read whole (as search() does), not a byte at a time
        m = summed_matcher(subs, searcher, context, self.boost, self.should_stop, self.found, self.kept)
        if m is not None:
            return m
        # Whoosh's own matchers (another weighting model, a searcher over several segments at once): an
        # array union of each field's words, the fields' unions added
        stop = self.should_stop
        scored = context.weighting is not None if context else True
        unions = []
        for n, (_field, run) in enumerate(field_runs(subs), 1):
            matchers = []
            for k, sub in enumerate(run, 1):
                if stop is not None and not k % 32:
                    stop()
                m = sub.matcher(searcher, context)
                if m.is_active():
                    matchers.append(m)
            if len(matchers) > 1:
                unions.append(matching.ArrayUnionMatcher(matchers, searcher.doc_count_all(), scored=scored))
            elif matchers:
                unions.append(matchers[0])
        if not unions:
            return matching.NullMatcher()
        m = unions[0]
        for other in unions[1:]:
            m = matching.UnionMatcher(m, other)
        return matching.WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


def _leaf_text(node) -> str:
    text = getattr(node, "text", None)
    if isinstance(text, str):
        return f"{node.fieldname}:{text}" if node.fieldname not in DEFAULT_FIELDS else text
    start, end = getattr(node, "start", None), getattr(node, "end", None)
    return f"{node.fieldname}:[{start or ''} TO {end or ''}]"


def prepare_query(text: str, searcher, should_stop=None, user_tags=None) -> query.Query:
    """``text`` parsed (parse_query), its ``tag:`` terms widened to the articles the user tagged so
    (with_user_tags) and bounded against the searcher's index (bound_query; ``should_stop`` as there)."""
    return bound_query(with_user_tags(parse_query(text, searcher.schema), user_tags), searcher.reader(), should_stop)


# ----------------------------------------------------------------------------------------------
# User tags: the tags a user gives articles (in the app, or `brief tag`) are kept in the library
# (index.userstate), not in the index, so that tagging never rewrites it. A ``tag:x`` term matches the
# articles whose own front matter says x, or the ids the user tagged x: ``user_tags`` is
# {tag: ids} (UserState.ids_by_tag()); None or {} leaves a query as it is.


def with_user_tags(q: query.Query, user_tags) -> query.Query:
    """``q`` with each ``tag:`` term (word, prefix, wildcard, ``tag:*``) ORed with the ids of the articles
    the user gave a matching tag."""
    if not user_tags:
        return q

    def visit(node):
        if node.is_leaf() and getattr(node, "fieldname", None) == "tags":
            ids = _user_tagged(node, user_tags)
            if ids:
                return query.Or([node] + [query.Term("id", i) for i in sorted(ids)], boost=node.boost)
        return node

    return q.accept(visit)


def _user_tagged(node, user_tags) -> set[str]:
    import fnmatch

    kind = type(node)
    text = getattr(node, "text", None)
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if kind is query.Term:
        return set(user_tags.get(text, ()))
    if kind is query.Every:
        wanted = list(user_tags)
    elif kind is query.Prefix:
        wanted = [t for t in user_tags if t.startswith(text)]
    elif kind is query.Wildcard:
        wanted = [t for t in user_tags if fnmatch.fnmatchcase(t, text)]
    else:  # fuzzy terms and ranges: the index's own tags only
        return set()
    return {i for t in wanted for i in user_tags[t]}


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

    __slots__ = ("query", "total", "hits", "page", "facets", "total_exact", "notice")

    def __init__(self, query: str, total: int, hits: list[Hit], page: int = 1, total_exact: bool = True) -> None:
        self.query, self.total, self.hits, self.page = query, total, hits, page
        self.facets: dict[str, dict[str, int]] = {}
        # False: ``total`` is a lower bound (search(count=False), see count_hits), or for a phrase an
        # estimate (search(count=True) over many candidates; search(exact=True) counts them all)
        self.total_exact = total_exact
        self.notice: str | None = None  # what a bounded wildcard or fuzzy term left out (expansion_notice)

    def to_json(self) -> dict:
        shown = {"query": self.query, "total": self.total}
        if not self.total_exact:  # only then: the shape of an exact count stays as it was
            shown["total_exact"] = False
        shown["hits"] = [h.to_json() for h in self.hits]
        if self.notice:
            shown["notice"] = self.notice
        return shown


_TOKEN = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer pattern


def query_terms(q: query.Query, reader, bounded: bool = False) -> frozenset[str]:
    """The index terms (stemmed, wildcards and fuzzy terms expanded) a query looks for in text fields.
    A query not ``bounded`` yet is bounded first (bound_query: QueryError for a wildcard matching too
    many words)."""
    if not bounded:
        q = bound_query(q, reader)
    # Leaf by leaf: Whoosh's Query.existing_terms reuses its ``fieldname`` argument as a loop
    # variable, so over a whole tree it drops every field after the first one it meets.
    terms = {t for leaf in q.leaves() for t in leaf.existing_terms(reader, phrases=True, expand=True)}
    return frozenset(
        t.decode("utf-8") if isinstance(t, bytes) else str(t) for field_name, t in terms if field_name in ("body", "title")
    )


def _matches(body: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word in ``body`` that stems to one of ``terms``.

    Cheaper than Whoosh's highlighter, which re-analyses the whole text: a regular expression finds
    the words (tokens as Whoosh's tokenizer cuts them) that start like a term, and only those are
    stemmed.
    """
    from whoosh.lang.porter import stem

    found = []
    prefixes = _prefixes(terms)
    stems: dict[str, str | None] = {}  # each distinct word stemmed once (a long text repeats its words)
    for m in _candidates(terms).finditer(body):
        word = m.group().lower()
        try:
            term = stems[word]
        except KeyError:
            if word[:2] not in prefixes:
                term = None
            elif word in terms:
                term = word
            else:
                stemmed = stem(word)
                term = stemmed if stemmed in terms else None
            stems[word] = term
        if term is not None:
            found.append((m.start(), m.end(), term))
    return found


@functools.lru_cache(maxsize=32)
def _prefixes(terms: frozenset[str]) -> frozenset[str]:
    return frozenset(t[:2] for t in terms)


@functools.lru_cache(maxsize=32)
def _candidates(terms: frozenset[str]) -> re.Pattern:
    """Whole tokens (``_TOKEN``: not preceded by a word character, or by one and a dot) that start
    with a term's first two letters, in any case."""
    starts = [p for p in _prefixes(terms) if re.fullmatch(r"\w[\w.]?", p)]  # how a token can begin
    alternatives = "|".join(re.escape(p) for p in sorted(starts, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<!\w)(?<!\w\.)(?:{alternatives})(?:\.?\w+)*", re.IGNORECASE)


SNIPPET_SCAN_CHARS = 100_000  # how far into an article a snippet is looked for (a 31 MB one took minutes)


def make_snippet(body: str, terms: frozenset[str], width: int = 170, fragments: int = 2) -> list[tuple[str, bool]]:
    """Up to ``fragments`` windows of ``body`` around the densest matches, as (text, is_match) segments.

    Only the first SNIPPET_SCAN_CHARS characters of a longer article are looked at (so a snippet
    costs the same for any article); its snippet then ends with " …". Linear in the matches found.
    """
    cut_short = len(body) > SNIPPET_SCAN_CHARS
    if cut_short:
        end = body.rfind(" ", 0, SNIPPET_SCAN_CHARS)  # not in the middle of a word
        body = body[:end if end > 0 else SNIPPET_SCAN_CHARS]
    flat = re.sub(r"\s+", " ", body).strip()
    matches = _matches(flat, terms) if terms else []
    if not matches:
        lede = _lede(flat, width + 30)
        return [(lede + " …" if cut_short and not lede.endswith(" …") else lede, False)]
    windows: list[tuple[int, int]] = []
    candidates = sorted(_window_counts(matches, width), reverse=True)
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
    if windows and (sorted(windows)[-1][1] < len(flat) or cut_short):
        segments.append((" …", False))
    return segments


def _window_counts(matches: list[tuple[int, int, str]], width: int):
    """For each match (start ``a``): (how many different terms the matches lying within
    [a, a + width] hold, -a, a). One sweep: the matches are in text order and do not overlap, so those
    of a window are a run [i, j), whose end only moves forward."""
    counts: dict[str, int] = {}
    distinct = 0
    j = 0
    for i, (a, _, _) in enumerate(matches):
        j = max(j, i)
        while j < len(matches) and matches[j][1] <= a + width:
            term = matches[j][2]
            counts[term] = counts.get(term, 0) + 1
            distinct += counts[term] == 1
            j += 1
        yield distinct, -a, a
        if j > i:  # match i leaves the window of the next one
            term = matches[i][2]
            counts[term] -= 1
            distinct -= counts[term] == 0


def _lede(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def make_hit(hit, terms: frozenset[str] | None) -> Hit:
    fields = hit.fields()
    body = fields.get("body") or ""
    snippet = make_snippet(body, terms) if terms is not None else [(_lede(body[:SNIPPET_SCAN_CHARS]), False)]
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
    exact: bool = False,
    should_stop=None,
    user_tags=None,
) -> SearchResult:
    """Run ``text`` against an open article searcher; only the returned page is highlighted.

    ``count=False`` skips counting the hits beyond this page, which on a big library costs as much as
    finding the page again (Whoosh ranks the top hits without visiting every match): ``total`` is then
    exact only when ``total_exact`` says so, else a lower bound; count_hits gives the exact count later.
    ``should_stop()``, when given, is asked while wildcard and fuzzy terms are expanded and their postings
    opened, and before the hits are highlighted: SearchCancelled when it says True (a newer search came).
    ``user_tags``: {tag: article ids} the user tagged (see with_user_tags).

    A query with phrases ranks its page by checking candidates in score order (see _phrase_search):
    its ``total`` is then exact when that is cheap, else an estimate (``total_exact`` False);
    ``exact=True`` counts every match instead.
    """
    q = prepare_query(text, searcher, should_stop, user_tags)
    if q is query.NullQuery:  # e.g. a wildcard no word of the index matches
        if page < 1:
            raise ValueError("page must be 1 or more")
        return SearchResult(query=text, total=0, hits=[], page=page)
    _preload_lengths(searcher)
    q = _without_absent_terms(q, searcher.reader())
    kwargs = {"filter": filter_query} if filter_query is not None else {}
    if facets:
        from whoosh import sorting

        kwargs["groupedby"] = {"outlet": sorting.FieldFacet("outlet_facet", maptype=sorting.Count)}
    terms = query_terms(q, searcher.reader(), bounded=True) if snippets else None
    if not facets and page >= 1:
        out = _phrase_search(searcher, q, text, limit=limit, page=page, terms=terms, filter_query=filter_query,
                             count=count, exact=exact, should_stop=should_stop)
        if out is not None:
            out.notice = expansion_notice(q)
            return out
    if page < 1:
        raise ValueError("page must be 1 or more")
    found = _ranked(searcher, q, page * limit, **kwargs)
    if should_stop is not None and should_stop():
        raise SearchCancelled()
    # Whoosh's own count after a search with a limit is not to be trusted: once its top hits are full,
    # it drops the parts of the query that can no longer reach them (Matcher.replace) while it counts
    # too, and still calls the count exact (has_exact_length): `flood NOT "dam wall"` lost 17 of 1,046
    # hits so. Fewer hits than the limit: nothing was dropped, every match is there.
    full = q if filter_query is None else query.And([q, filter_query]).normalize()
    total_exact = True
    if found.scored_length() < page * limit:
        total = found.scored_length()
    elif count:
        total = fast_count(searcher, full)
        if total is None:
            total = sum(1 for _ in searcher.docs_for_query(full))  # every match, nothing dropped
    else:
        # A word's count is nearly free from term statistics; else a lower bound: the hits found (Whoosh's
        # estimate is none: an AND's is its rarest word's document frequency, which also counts the
        # deleted documents that re-indexed files leave).
        total = _quick_count(searcher, full)
        total_exact = total is not None
        if not total_exact:
            total = found.scored_length()
    found._total = total  # what len(found) would have Whoosh count (whoosh-reloaded 2.7.5, pinned)
    if count:
        from whoosh.searching import ResultsPage

        results = ResultsPage(found, page, limit)  # as searcher.search_page(q, page, limit) builds it
        hits = [make_hit(h, terms) for h in results]
    else:
        results = found
        hits = [make_hit(h, terms) for h in found[(page - 1) * limit:page * limit]]
    out = SearchResult(query=text, total=total, hits=hits, page=page, total_exact=total_exact)
    out.notice = expansion_notice(q)
    if facets:
        counts = (results.results if hasattr(results, "results") else results).groups("outlet")
        out.facets["outlet"] = {
            (k.decode("utf-8") if isinstance(k, bytes) else k) or "": n
            for k, n in sorted(counts.items(), key=lambda kv: -kv[1])
        }
    return out


def _ranked(searcher, q: query.Query, limit: int, **kwargs):
    """searcher.search(q, limit=limit, **kwargs); for a query holding a phrase (or a phrase's bag of
    words, _Words), without the matcher replacement Whoosh's top-hits collector does every few matches,
    which there loses matches (whoosh-reloaded 2.7.5, pinned; the span matcher's replace() hands itself
    back as it stands, and ORed intersections lose documents too): `(flood OR storm) "white house"`
    ranked the 4th best hit first at limit=1 and called 21 hits an exact count of 480;
    `("last year" as words) storm` left out the 4th and 5th best of its top 12."""
    if not any(type(leaf) in (query.Phrase, _Words) for leaf in q.leaves()) or kwargs.get("groupedby"):
        return searcher.search(q, limit=limit, **kwargs)
    collector = searcher.collector(limit=limit, **kwargs)
    inner = collector
    while hasattr(inner, "child"):  # a FilterCollector around the TopCollector
        inner = inner.child
    if hasattr(inner, "replace"):
        inner.replace = 0
    searcher.search_with_collector(q, collector)
    return collector.results()


def _without_absent_terms(q: query.Query, reader) -> query.Query:
    """``q`` with the terms the index does not hold taken out of its ORs.

    A word is looked for in both title and body; when one of the two never has it (a word no title
    uses), Whoosh still ranks every match through a union with an empty side, a third slower. Such
    a term adds nothing to any score, so dropping it changes neither the hits nor their scores.
    """
    kind = type(q)
    if kind is query.Or and not getattr(q, "minmatch", 0) and not getattr(q, "scale", None):
        subs = [_without_absent_terms(sub, reader) for sub in q.subqueries]
        kept = [sub for sub in subs if type(sub) is not query.Term or _term_key(sub, reader)]
        if not kept:
            return q
        if len(kept) == 1 and q.boost == 1.0:
            return kept[0]
        return query.Or(kept, boost=q.boost) if len(kept) < len(subs) or kept != q.subqueries else q
    if kind is query.And:
        subs = [_without_absent_terms(sub, reader) for sub in q.subqueries]
        return query.And(subs, boost=q.boost) if subs != q.subqueries else q
    return q


def _preload_lengths(searcher, fields=DEFAULT_FIELDS) -> None:
    """Read the title and body length columns into memory, once per segment reader.

    Ranking (BM25F) needs each scored document's field lengths; Whoosh reads them one byte at a time
    from the column file, which on a word in half of 20,000 articles was a third of the search. The
    columns are one byte per document. Uses whoosh-reloaded 2.7.5's (pinned) per-document reader;
    anything unexpected leaves Whoosh's own reading in place.
    """
    try:
        from whoosh.codec.whoosh3 import _lenfield

        for leaf, _offset in searcher.leaf_searchers():
            perdoc = leaf.reader()._perdoc
            for name in fields:
                column = _lenfield(name)
                if column in perdoc._readers or not perdoc.has_column(column):
                    continue
                colfile, start, length = perdoc._get_column_file(column)
                data = colfile.get(start, length)
                # Documents past the column's end have length 0, as Whoosh's reader answers for them
                # (one more for the doccount itself, which doc_field_length lets through).
                perdoc._readers[column] = bytes(data) + bytes(max(0, perdoc._doccount + 1 - len(data)))
    except (AttributeError, ImportError, KeyError, OSError):  # pragma: no cover - another Whoosh
        return


# ----------------------------------------------------------------------------------------------
# Phrases: the first page without verifying every candidate
#
# Whoosh checks a phrase's word positions in every document that holds all its words, scoring each
# (its ranking cannot skip posting blocks under a phrase: the span matcher's next() never reports a
# new block), before it shows the top ten. A phrase scores exactly as the AND of its words does (the
# span matcher passes its intersection's score through), so the query with each phrase taken as the
# bag of its words ("relaxed") ranks the same documents with scores at least as high: those of the
# documents that hold the phrase, and those of others. Its best hits come fast (block skipping works
# there). They are checked in that order -- positions read and Whoosh's own score computed for just
# those documents -- until the page is full of verified hits that no unchecked candidate can beat;
# the rest is counted from the candidates: exactly when there are few, else estimated from an even
# sample of them (total_exact False), unless the exact count is asked for.

PHRASE_EXACT_CANDIDATES = 1_000  # up to this many candidates, every one is checked for the count
PHRASE_SAMPLE = 200  # else this many (in runs spread evenly) estimate the share that hold the phrase
PHRASE_SAMPLE_RUNS = 10
PHRASE_FIRST_ROUND = 64  # relaxed candidates ranked first (at least four times the hits asked for), then 4x more
PHRASE_MAX_RANKED = 4_000  # a page needing more relaxed candidates than this: Whoosh's own path


class _Words(query.Query):
    """A phrase's words without their order: the intersection Whoosh's phrase matcher wraps, built the
    same way (same matcher tree, same scores) so that a document holding the phrase scores the same."""

    def __init__(self, phrase: query.Phrase) -> None:
        self.fieldname, self.words, self.boost = phrase.fieldname, list(phrase.words), phrase.boost

    def __eq__(self, other) -> bool:
        return type(other) is _Words and (self.fieldname, self.words) == (other.fieldname, other.words)

    def __hash__(self) -> int:
        return hash((self.fieldname, tuple(self.words)))

    def __repr__(self) -> str:
        return f"_Words({self.fieldname!r}, {self.words!r})"

    def terms(self, phrases=False):
        for word in self.words:
            yield self.fieldname, word

    def _and_query(self) -> query.Query:
        return query.And([query.Term(self.fieldname, w) for w in self.words])

    def estimate_size(self, ixreader):  # as Phrase estimates it: And picks its matcher tree by these
        return self._and_query().estimate_size(ixreader)

    def estimate_min_size(self, ixreader):
        return self._and_query().estimate_min_size(ixreader)

    def _term_queries(self, reader):
        """The Term queries of the words (as Phrase.matcher builds them), None when one is absent."""
        field = reader.schema[self.fieldname] if self.fieldname in reader.schema else None
        if field is None:
            return None
        found = []
        for word in self.words:
            try:
                key = field.to_bytes(word)
            except ValueError:
                return None
            if (self.fieldname, key) not in reader:
                return None
            found.append(query.Term(self.fieldname, key))
        return found

    def matcher(self, searcher, context=None):
        from whoosh import matching
        from whoosh.util import make_binary_tree

        terms = self._term_queries(searcher.reader())
        if not terms:
            return matching.NullMatcher()
        return make_binary_tree(matching.IntersectionMatcher, [t.matcher(searcher, context) for t in terms])


def _plain_phrase(node) -> bool:
    return (type(node) is query.Phrase and node.boost == 1.0 and len(node.words) > 1
            and all(isinstance(w, str) for w in node.words))


def _relaxed(q: query.Query) -> query.Query:
    """``q`` with every phrase that adds to a match (not one under NOT) as the bag of its words: each
    document matching ``q`` matches it too, scoring at least as high (scores add up through AND, OR and
    AND MAYBE, and a phrase scores as its words do). Anything else is left as it is."""
    kind = type(q)
    if _plain_phrase(q):
        return _Words(q)
    if kind is query.And or (kind is query.Or and not getattr(q, "minmatch", 0) and not getattr(q, "scale", None)):
        subs = [_relaxed(s) for s in q.subqueries]
        return kind(subs, boost=q.boost) if subs != q.subqueries else q
    if kind is query.AndMaybe or kind is query.AndNot:
        a = _relaxed(q.a)
        b = _relaxed(q.b) if kind is query.AndMaybe else q.b
        return kind(a, b) if (a, b) != (q.a, q.b) else q
    return q


class _PhraseAmong(query.Phrase):
    """A phrase looked for only in the given (ascending) document numbers of one segment: the same span
    matcher as Whoosh's Phrase, over word matchers that stop only on those documents."""

    def __init__(self, phrase: query.Phrase, ids: list[int]) -> None:
        super().__init__(phrase.fieldname, phrase.words, slop=phrase.slop, boost=phrase.boost,
                         char_ranges=phrase.char_ranges)
        self._ids = ids

    def matcher(self, searcher, context=None):
        from whoosh import matching

        terms = _Words(self)._term_queries(searcher.reader())
        if not terms:
            return matching.NullMatcher()
        ms = [_Among(t.matcher(searcher, context), self._ids) for t in terms]
        return query.SpanNear2.SpanNear2Matcher(ms, slop=self.slop, ordered=True, mindist=1)


def _among_class():
    from whoosh.matching import WrappingMatcher

    class Among(WrappingMatcher):
        """A matcher that stops only on ``ids`` (ascending document numbers) among its child's."""

        def __init__(self, child, ids, i=0):
            super().__init__(child)
            self._ids, self._i = ids, i
            self._settle()

        def _settle(self):
            ids, child = self._ids, self.child
            while self._i < len(ids) and child.is_active():
                target = ids[self._i]
                if child.id() < target:
                    child.skip_to(target)
                    if not child.is_active():
                        break
                at = child.id()
                if at == target:
                    return
                self._i = bisect.bisect_left(ids, at, self._i)
            self._i = len(ids)

        def is_active(self):
            return self._i < len(self._ids) and self.child.is_active()

        def next(self):
            self._i += 1
            self._settle()

        def skip_to(self, id):
            self._i = bisect.bisect_left(self._ids, id, self._i)
            self._settle()

        def all_ids(self):
            while self.is_active():
                yield self.id()
                self.next()

        def copy(self):
            return Among(self.child.copy(), self._ids, self._i)

        def replace(self, minquality=0):
            return self

        def supports_block_quality(self):
            return False

    return Among


def _Among(child, ids):
    global _Among
    cls = _among_class()
    _Among = cls  # the class from now on (built on first use: whoosh.matching loads lazily)
    return cls(child, ids)


def _with_phrases_among(q: query.Query, ids: list[int]) -> query.Query:
    def visit(node):
        return _PhraseAmong(node, ids) if type(node) is query.Phrase else node

    return q.accept(visit)


def _scores_of(searcher, q: query.Query, docnums) -> dict[int, float]:
    """{docnum: score} of those of ``docnums`` that match ``q``: Whoosh's own matcher and scores, its
    phrases checked only in those documents."""
    return _matcher_scores(searcher, docnums, lambda local: _with_phrases_among(q, local))


def _matcher_scores(searcher, docnums, leaf_query) -> dict[int, float]:
    """{docnum: score} of those of ``docnums`` (global) that match, from the matcher of ``leaf_query(local)``
    in each segment (``local``: the segment's ascending document numbers asked for) skipped to each of them:
    Whoosh's own scores, reading only the posting blocks that hold them."""
    leaves = searcher.leaf_searchers()
    offsets = [offset for _, offset in leaves]
    by_leaf: list[list[int]] = [[] for _ in leaves]
    for d in docnums:
        by_leaf[bisect.bisect_right(offsets, d) - 1].append(d)
    context = searcher.context()
    found: dict[int, float] = {}
    for (leaf, offset), wanted in zip(leaves, by_leaf):
        if not wanted:
            continue
        local = sorted(d - offset for d in wanted)
        m = leaf_query(local).matcher(leaf, context)
        for d in local:
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                found[d + offset] = m.score()
    return found


def _phrase_top(searcher, q, relaxed, k: int, filter_query, should_stop):
    """(verified, complete, checked): the (score, docnum) of the documents found to match ``q``, best
    first (ties: document order) as Whoosh ranks them, the first ``k`` being Whoosh's top ``k``;
    whether every candidate was checked (then ``verified`` is every match); the docnums checked.
    None: too many candidates would be needed (let Whoosh rank)."""
    checked: set[int] = set()
    verified: list[tuple[float, int]] = []
    kwargs = {"filter": filter_query} if filter_query is not None else {}
    n = max(4 * k, PHRASE_FIRST_ROUND)
    while True:
        found = _ranked(searcher, relaxed, n, **kwargs)
        top = found.top_n  # (relaxed score, docnum), best first, ties in document order
        fresh = [d for _, d in top if d not in checked]
        checked.update(fresh)
        verified.extend((s, d) for d, s in _scores_of(searcher, q, fresh).items())
        verified.sort(key=lambda sd: (-sd[0], sd[1]))
        if should_stop is not None and should_stop():
            raise SearchCancelled()
        if len(top) < n:
            return verified, True, checked
        if len(verified) >= k:
            # Every unchecked candidate comes after the last checked one in the relaxed order, and its
            # own score is no higher than its relaxed one.
            last_score, last_doc = top[-1]
            kth_score, kth_doc = verified[k - 1]
            if (-kth_score, kth_doc) <= (-last_score, last_doc):
                return verified, False, checked
        if n >= PHRASE_MAX_RANKED:
            return None
        n = min(n * 4, PHRASE_MAX_RANKED)


def _postings_weights(reader, key) -> dict[int, float]:
    """{docnum: weight (the term's frequency)} of a term's postings in one segment, deleted documents
    included, read a block at a time (whoosh-reloaded 2.7.5, pinned: ids and weights per block)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    m = _raw_postings(reader, key)
    found: dict[int, float] = {}
    if type(m) is not W3LeafMatcher:  # a short, inlined posting list
        while m.is_active():
            found[m.id()] = m.weight()
            m.next()
        return found
    while m.is_active():
        m._read_ids()
        m._read_weights()
        found.update(zip(m._ids, m._weights))
        m._next_block()
    return found


def _phrase_fields(q: query.Query):
    """The phrases of a query that is one phrase, or phrases ORed (a quoted phrase becomes the phrase
    in the title OR in the body); None for any other query."""
    phrases = [q] if type(q) is query.Phrase else q.subqueries if type(q) is query.Or else None
    if not phrases or getattr(q, "minmatch", 0) or getattr(q, "scale", None) or not all(map(_plain_phrase, phrases)):
        return None
    return phrases


def _phrase_bounds(searcher, phrases) -> list[tuple[float, int]] | None:
    """(bound, docnum) of every document holding all the words of one of ``phrases`` in its field, best
    first (ties: document order). The bound is the document's score with each phrase taken as the bag
    of its words, which is what a phrase scores where it holds (see _Words): never below its real
    score (but for rounding: compared with a margin). Read from posting blocks and field lengths with
    the figures of Whoosh's BM25F scorer; None for another weighting."""
    found: dict[int, float] = {}
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        for phrase in phrases:
            terms = _Words(phrase)._term_queries(reader)
            if not terms:
                continue
            field = phrase.fieldname
            words = []
            for t in terms:
                sc = searcher.weighting.scorer(leaf, field, t.text)
                if not all(hasattr(sc, a) for a in ("idf", "avgfl", "B", "K1")):
                    return None
                words.append((_postings_weights(reader, (field, t.text)), sc.idf, sc.avgfl, sc.B, sc.K1))
            words.sort(key=lambda w: len(w[0]))
            common = words[0][0].keys() - deleted
            for w in words[1:]:
                common &= w[0].keys()
            lengths = _field_lengths(reader, field)
            # bm25(idf, tf, fl, avgfl, B, K1) = idf * tf * (K1 + 1) / (tf + K1 * (1 - B) + K1 * B / avgfl * fl)
            consts = [(p, idf * (k1 + 1), k1 * (1 - b), k1 * b / avgfl) for p, idf, avgfl, b, k1 in words]
            for d in common:
                fl = lengths(d)
                total = 0.0
                for p, c, a, per in consts:
                    tf = p[d]
                    total += c * tf / (tf + a + per * fl)
                found[d + offset] = found.get(d + offset, 0.0) + total
    return sorted(((s, d) for d, s in found.items()), key=lambda sd: (-sd[0], sd[1]))


def _field_lengths(reader, field: str):
    """docnum -> the field's length as Whoosh's scorer reads it (doc_field_length): from the length
    column _preload_lengths read into memory, decoded by a table, when it is there."""
    try:
        from whoosh.codec.whoosh3 import _lenfield
        from whoosh.util.numeric import byte_to_length

        column = reader._perdoc._readers[_lenfield(field)]
        if isinstance(column, bytes):
            table = [byte_to_length(n) for n in range(256)]
            return lambda d: table[column[d]]
    except (AttributeError, ImportError, KeyError):  # pragma: no cover - another Whoosh
        pass
    return lambda d: reader.doc_field_length(d, field, 1)


PHRASE_BATCH = 16  # candidates checked at a time, best bound first


def _phrase_top_bounded(searcher, q, phrases, k: int, should_stop):
    """_phrase_top for one phrase over fields, unfiltered, from _phrase_bounds: the candidates are
    checked in the order of their bounds until the k-th verified hit beats the next bound. Returns
    (verified, complete, docs), docs being every candidate (ascending); None for another weighting."""
    bounds = _phrase_bounds(searcher, phrases)
    if bounds is None:
        return None
    verified: list[tuple[float, int]] = []
    i = 0
    while i < len(bounds):
        if len(verified) >= k:
            kth = verified[k - 1][0]
            if kth > bounds[i][0] * (1 + 1e-9) + 1e-12:  # no unchecked candidate can reach it, nor tie
                break
        batch = [d for _, d in bounds[i:i + PHRASE_BATCH]]
        i += len(batch)
        verified.extend((s, d) for d, s in _scores_of(searcher, q, batch).items())
        verified.sort(key=lambda sd: (-sd[0], sd[1]))
        if should_stop is not None and should_stop():
            raise SearchCancelled()
    return verified, i >= len(bounds), sorted(d for _, d in bounds)


class _Found:
    """What make_hit needs of a Whoosh hit."""

    __slots__ = ("_fields", "score")

    def __init__(self, fields: dict, score: float) -> None:
        self._fields, self.score = fields, score

    def fields(self) -> dict:
        return self._fields


def _phrase_search(searcher, q, text, *, limit, page, terms, filter_query, count, exact, should_stop):
    """search() for a query with phrases; None when this path does not apply (Whoosh's then)."""
    relaxed = _relaxed(q)
    if relaxed is q:
        return None
    phrases = _phrase_fields(q) if filter_query is None else None
    bounded = _phrase_top_bounded(searcher, q, phrases, page * limit, should_stop) if phrases else None
    if bounded is not None:
        verified, complete, docs = bounded
        checked: set[int] | list[int] = docs if complete else ()
    else:
        ranked = _phrase_top(searcher, q, relaxed, page * limit, filter_query, should_stop)
        if ranked is None:
            return None
        verified, complete, checked = ranked
        docs = None
    top = verified if complete else verified[:page * limit]
    total_exact = True
    full = q if filter_query is None else query.And([q, filter_query])
    if complete:
        total = len(verified)  # every candidate was checked
    elif not count:
        total, total_exact = len(verified), False  # a lower bound (the app counts later)
    else:
        # The candidates, from posting blocks alone (no positions); None for a query made of more than
        # terms, AND, OR and NOT.
        if docs is None:
            docs = matching_docnums(searcher, relaxed if filter_query is None else query.And([relaxed, filter_query]))
        if docs is not None and len(docs) <= len(checked):
            total = len(verified)
        elif exact or docs is None or len(docs) <= PHRASE_EXACT_CANDIDATES:
            total = sum(1 for _ in searcher.docs_for_query(full))  # Whoosh checks every candidate
        else:
            # Runs of consecutive candidates spread evenly over them: each run reads a few posting
            # blocks, where lone documents would read a block each.
            runs, run = PHRASE_SAMPLE_RUNS, max(1, PHRASE_SAMPLE // PHRASE_SAMPLE_RUNS)
            sample = sorted({d for r in range(runs) for d in docs[r * len(docs) // runs:][:run]})
            held = len(_scores_of(searcher, q, sample))
            total = max(len(verified), min(len(docs), round(len(docs) * held / len(sample))))
            total_exact = False
    if should_stop is not None and should_stop():
        raise SearchCancelled()
    if count and complete and len(verified) < (page - 1) * limit + 1:
        page_shown = max(1, min(page, -(-len(verified) // limit)))  # past the end: the last page, as ResultsPage
    else:
        page_shown = page
    shown = top[(page_shown - 1) * limit:page_shown * limit]
    hits = [make_hit(_Found(searcher.stored_fields(d), s), terms) for s, d in shown]
    return SearchResult(query=text, total=total, hits=hits, page=page, total_exact=total_exact)


# ----------------------------------------------------------------------------------------------
# Counting hits without walking them one by one
#
# Whoosh ranks the top hits without visiting every match, then counts the rest by walking every
# matching document through its matcher: on a word in half of 20,000 articles that walk cost as much
# as the ranking. For the queries most people type (words, which the parser turns into terms joined
# by OR across title and body and by AND across words), the count can be read from the index's term
# statistics and posting blocks instead. Anything else is counted by Whoosh as before.


def _term_key(q: query.Query, reader) -> tuple[str, bytes] | None:
    """(field, term bytes) of a Term query, None when the term cannot be in this segment."""
    schema = reader.schema
    if q.fieldname not in schema:
        return None
    try:
        text = schema[q.fieldname].to_bytes(q.text)
    except ValueError:
        return None
    return (q.fieldname, text) if (q.fieldname, text) in reader else None


def _raw_postings(reader, key: tuple[str, bytes]):
    """A term's postings in this segment, deleted documents included (Whoosh hides them behind a
    FilterMatcher, which moves a posting at a time)."""
    from whoosh.matching.wrappers import FilterMatcher

    m = reader.postings(*key)
    if type(m) is FilterMatcher and m._exclude:
        m = m.child
        m.reset()  # the filter has already stepped over any deleted documents at the start
    return m


def _posting_ids(reader, key: tuple[str, bytes]) -> set[int]:
    """The segment's document numbers in a term's postings, deleted documents left out."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    m = _raw_postings(reader, key)
    if type(m) is not W3LeafMatcher:  # a short, inlined posting list
        ids = set(m.all_ids())
    else:
        ids = set()
        while m.is_active():  # a block at a time: whoosh-reloaded 2.7.5 (pinned) stores ids per block
            m._read_ids()
            ids.update(m._ids)
            m._next_block()
    return ids - reader.deleted_docs_set if reader.has_deletions() else ids


def _in_postings(m, docnums) -> int:
    """How many of ``docnums`` (ascending) a fresh matcher's postings hold (skip_to reads only the
    blocks that could hold them)."""
    found = 0
    for docnum in docnums:
        if m.is_active():
            m.skip_to(docnum)
        if m.is_active() and m.id() == docnum:
            found += 1
    return found


def _leaf_ids(q: query.Query, reader) -> set[int] | None:
    """Document numbers matching ``q`` in one segment; None for a query this does not handle."""
    kind = type(q)
    if kind is query.Term:
        key = _term_key(q, reader)
        return _posting_ids(reader, key) if key else set()
    if kind is Expansion:  # its words' postings as bound_query found them (or as its ranking kept them)
        return q.docnums(reader)
    if kind is _Words:  # a phrase's words, in any order
        return _leaf_ids(q._and_query(), reader)
    if (kind is query.Or or kind is Expansion) and not getattr(q, "minmatch", 0):
        found: set[int] = set()
        for sub in q.subqueries:
            ids = _leaf_ids(sub, reader)
            if ids is None:
                return None
            found |= ids
        return found
    if kind is query.And:
        parts, excluded = [], set()
        for sub in q.subqueries:
            ids = _leaf_ids(sub.query if type(sub) is query.Not else sub, reader)
            if ids is None:
                return None
            if type(sub) is query.Not:
                excluded |= ids
            else:
                parts.append(ids)
        if not parts:
            return None  # only NOTs: everything else in the segment (let Whoosh count)
        parts.sort(key=len)
        return set.intersection(*parts) - excluded
    if kind is query.AndNot:
        positive, negative = _leaf_ids(q.a, reader), _leaf_ids(q.b, reader)
        return None if positive is None or negative is None else positive - negative
    if q is query.NullQuery:
        return set()
    return None


def _leaf_count(q: query.Query, reader) -> int | None:
    """How many documents of one segment match ``q``; None for a query this does not handle."""
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    # A term, or terms joined by OR (one word over title and body): the biggest posting list counts
    # as its document frequency, and only the others' documents are looked up in it; then the deleted
    # documents among them (usually a handful, left by re-indexed files) are taken off.
    terms = [q] if type(q) is query.Term else q.subqueries if type(q) is query.Or else None
    if terms and len(deleted) <= 1000 and not getattr(q, "minmatch", 0) and all(type(t) is query.Term for t in terms):
        keys = [k for k in (_term_key(t, reader) for t in terms) if k]
        if not keys:
            return 0
        freqs = [reader.doc_frequency(*k) for k in keys]  # deleted documents included
        biggest = max(range(len(keys)), key=freqs.__getitem__)
        others: set[int] = set()
        for n, key in enumerate(keys):
            if n != biggest:
                others |= _posting_ids(reader, key)  # deleted ones left out
        count = freqs[biggest] + len(others) - _in_postings(_raw_postings(reader, keys[biggest]), sorted(others))
        if deleted:
            count -= _in_postings(_raw_postings(reader, keys[biggest]), sorted(deleted))
        return count
    ids = _leaf_ids(q, reader)
    return None if ids is None else len(ids)


def matching_docnums(searcher, q: query.Query) -> list[int] | None:
    """Every document number matching ``q``, ascending, read a posting block at a time, when ``q`` is
    made of terms, AND, OR and AND NOT; None otherwise."""
    found: list[int] = []
    for leaf, offset in searcher.leaf_searchers():
        ids = _leaf_ids(q, leaf.reader())
        if ids is None:
            return None
        found.extend(offset + d for d in sorted(ids))
    return found


def _quick_count(searcher, q: query.Query) -> int | None:
    """fast_count for one word (a term, or terms joined by OR), which costs about nothing; None otherwise."""
    terms = [q] if type(q) is query.Term else q.subqueries if type(q) is query.Or else None
    if not terms or getattr(q, "minmatch", 0) or any(type(t) is not query.Term for t in terms):
        return None
    return fast_count(searcher, q)


def fast_count(searcher, q: query.Query) -> int | None:
    """The number of documents matching ``q`` when it is made of terms, AND, OR and AND NOT (what
    plain words and most typed queries become); None otherwise (let Whoosh count)."""
    total = 0
    for leaf, _offset in searcher.leaf_searchers():
        n = _leaf_count(q, leaf.reader())
        if n is None:
            return None
        total += n
    return total


class SearchCancelled(Exception):
    """search or count_hits stopped because ``should_stop()`` said so."""


def field_values(searcher, fieldname: str) -> list:
    """The value of a sortable field for every document, indexed by document number (one column read)."""
    return list(searcher.reader().column_reader(fieldname))


def count_hits(searcher, text: str, *, filter_query: query.Query | None = None, group=None,
               should_stop=None, check_every: int = 512, user_tags=None) -> tuple[int, dict]:
    """How many documents match ``text`` (within ``filter_query``), without scoring them.

    With ``group`` (a sequence indexed by document number, e.g. ``field_values(searcher, "outlet_facet")``)
    also how many per value. ``should_stop()`` is asked every ``check_every`` documents; when it returns
    True, SearchCancelled is raised (a newer search wants the CPU). ``user_tags``: as for search().
    """
    q = prepare_query(text, searcher, should_stop, user_tags)
    if filter_query is not None:
        q = query.And([q, filter_query]).normalize()
    docnums = matching_docnums(searcher, q)
    total = 0
    counts: dict = {}
    for docnum in searcher.docs_for_query(q) if docnums is None else docnums:
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

    The articles matching the query are found with the index; their stored paragraphs (those in
    the first PASSAGE_SCAN_CHARS characters of each) are then scored with BM25 over the words the
    query looks for (so stems, wildcards and fuzzy terms count), using the index's own inverse
    document frequencies.
    """
    q = prepare_query(text, searcher)
    kwargs = {"filter": filter_query} if filter_query is not None else {}
    results = searcher.search(q, limit=articles, **kwargs)
    # The words the query looks for (its NOT parts left out): Whoosh's own record of the terms that
    # matched (search(terms=True)) misses the words of an Expansion, whose matcher reads ahead.
    words = _positive_terms(q, searcher.reader())
    if not words or results.is_empty():
        return []
    idf = {w: searcher.idf("body", w) for w in words}
    analyzer = searcher.schema["body"].analyzer
    scored: list[Passage] = []
    for hit in results:
        fields = hit.fields()
        left = PASSAGE_SCAN_CHARS
        for n, para in enumerate(_paragraphs(fields.get("body") or "")):
            tokens = [t.text for t in analyzer(para[:left])]
            score = _bm25(tokens, idf)
            if score > 0:
                scored.append(Passage(fields["id"], n, para, score))
            left -= len(para)
            if left <= 0:
                break
    scored.sort(key=lambda p: p.score, reverse=True)
    return scored[:limit]


PASSAGE_SCAN_CHARS = 200_000  # how much of each article its passages are looked for in


def _paragraphs(body: str):
    """``body.split("\n\n")``, one paragraph at a time (a huge body is not split whole)."""
    start = 0
    while True:
        end = body.find("\n\n", start)
        if end < 0:
            yield body[start:]
            return
        yield body[start:end]
        start = end + 2


def _positive_terms(q: query.Query, reader) -> set[str]:
    """The text-field words of the index that ``q`` looks for, leaving out what it excludes (NOT, the
    second half of AND NOT)."""
    kind = type(q)
    if kind is query.Not:
        return set()
    if kind is query.AndNot:
        return _positive_terms(q.a, reader)
    if not q.is_leaf():
        found: set[str] = set()
        for child in q.children():
            found |= _positive_terms(child, reader)
        return found
    return {t.decode("utf-8") if isinstance(t, bytes) else str(t)
            for field_name, t in q.existing_terms(reader, phrases=True, expand=True) if field_name in ("body", "title")}


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


# ----------------------------------------------------------------------------------------------
# Related articles: the same story in other outlets


class Stopped(Exception):
    """``related_articles`` gave up: its ``stop()`` said so."""


RELATED_TERMS = 15  # key terms of the title and lede a related article is looked for by
RELATED_SHARE = 0.35  # of their weight a related article must hold (one shared word is not a story)
RELATED_MIN_TERMS = 3  # and at least this many of them


def related_articles(searcher, article, limit: int = 8, stop=None, *, other_outlets: bool = True,
                     share: float = RELATED_SHARE, min_terms: int = RELATED_MIN_TERMS) -> list[dict]:
    """Articles telling the same story as ``article``: more-like-this over its title (twice) and lede, whose
    key terms (Bo1) a candidate must share — at least ``min_terms`` of them, holding ``share`` of their
    weight, so that a story sharing one word ("dam": a beaver dam) is not one — from another outlet than the
    article's when ``other_outlets`` and its outlet is known. Best first, as stored fields (id, title,
    outlet, published). ``stop()``, asked now and then, gives up with Stopped."""
    from whoosh import classify

    stop = stop or (lambda: False)
    docnum = searcher.document_number(id=article.id)
    if docnum is None or stop():
        return []
    text = f"{article.title} {article.title} " + " ".join(article.paragraphs[:3])
    terms = searcher.key_terms_from_text("body", text, numterms=RELATED_TERMS, model=classify.Bo1Model,
                                         normalize=False)
    if not terms:
        return []

    q = query.Or([query.Term("body", word, boost=weight) for word, weight in terms])
    pool = limit * 4 + 4  # candidates: some are left out below (same outlet, one shared word)
    found = _related_pool(searcher, q, terms, pool, docnum, stop)
    if found is None:  # not the index the fast path knows: Whoosh ranks and the terms are looked up
        ranked = _related_pool_whoosh(searcher, q, pool, docnum, stop)
        held = _terms_held(searcher, [d for d, _ in ranked], [w for w, _ in terms])
    else:
        ranked, held = found
    if not ranked:
        return []
    hits = [(d, score, searcher.stored_fields(d)) for d, score in ranked]
    weight = {w: v for w, v in terms}
    total = sum(weight.values()) or 1.0
    own = " ".join((article.outlet or "").casefold().split())
    floor = 0.3 * hits[0][1]
    out = []
    for d, score, fields in hits:
        words = held.get(d, set())
        if score < floor or len(words) < min_terms or sum(weight[w] for w in words) / total < share:
            continue
        if fields.get("id") == article.id:
            continue
        if other_outlets and own and " ".join((fields.get("outlet") or "").casefold().split()) == own:
            continue
        out.append(fields)
        if len(out) >= limit:
            break
    return out


def _terms_held(searcher, docnums: list[int], words: list[str]) -> dict[int, set[str]]:
    """docnum -> which of ``words`` its body holds, for a few documents (posting lists skipped through)."""
    reader = searcher.reader()
    wanted = sorted(set(docnums))
    out: dict[int, set[str]] = {}
    for word in words:
        try:
            m = reader.postings("body", word)
        except Exception:  # noqa: BLE001 - a word no body holds (only a title): no document has it
            continue
        for d in wanted:
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                out.setdefault(d, set()).add(word)
    return out


def _related_pool_whoosh(searcher, q, pool: int, docnum: int, stop, pruned: bool = True) -> list[tuple[int, float]]:
    """The ``pool`` best (docnum, score) for ``q`` but ``docnum``, best first (ties: the lower docnum),
    ranked by Whoosh's collector: the path _related_pool replaces, kept for indexes it does not know.
    ``pruned=False`` turns off Whoosh's shortcuts (block quality, and replacing a union by an
    intersection or and-maybe once a term's best score cannot reach the pool), which in whoosh-reloaded
    2.7.5 can leave out a document that belongs in the pool (at 20,000 real-worded articles, one of 30
    articles' pools lost one): that is the exact answer the fast path is tested against."""
    from whoosh.collectors import FilterCollector, TopCollector, WrappingCollector

    class Stoppable(WrappingCollector):
        seen = 0

        def collect(self, sub_docnum):
            self.seen += 1
            if not self.seen & 255 and stop():
                raise Stopped()
            return self.child.collect(sub_docnum)

    top = searcher.collector(limit=pool) if pruned else TopCollector(limit=pool, usequality=False, replace=0)
    collector = FilterCollector(Stoppable(top), None, {docnum})
    searcher.search_with_collector(q, collector)
    return [(h.docnum, h.score) for h in collector.results()]


RELATED_SLACK = 1e-9  # relative: the fast scores differ from Whoosh's only in the order of a sum


def _related_pool(searcher, q, terms, pool: int, docnum: int, stop):
    """What Whoosh's collector ranks for ``q`` with its pruning off (see _related_pool_whoosh), and which
    of the terms each of those documents holds, without scoring every posting of every term (at 100,000
    articles 15 key terms hold ~100,000s of postings: 1.4-2.9 s).

    Term at a time, the terms of the highest bound first (a bound: the term's BM25F score at its highest
    weight and the segment's shortest body, times its boost): each term's postings are read a block at a
    time and scored with its own Whoosh scorer, summed per document, until the bounds of the terms left
    add up to less than the pool's last score so far (no document not seen yet can reach the pool); the
    terms left are then looked up (skip_to) only in the documents that can still reach it, which are
    fewer after each term. Scores that tie to within RELATED_SLACK are scored again by Whoosh's matcher
    (summing in its own order), so the order is Whoosh's; the others differ from Whoosh's in the last
    bits. ([(docnum, score)] best first, {docnum: terms held}), or None when the index is not what this
    knows (not BM25F, another codec: whoosh-reloaded 2.7.5's private W3LeafMatcher blocks and length
    columns, pinned).
    """
    import heapq

    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.util.numeric import byte_to_length

    weighting = searcher.weighting
    field = searcher.schema["body"] if "body" in searcher.schema else None
    if field is None or not field.scorable:
        return None
    leaves = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        lengths = _length_bytes(reader, "body")
        if lengths is None:
            return None
        used = set(lengths)
        used.discard(0)
        shortest = byte_to_length(min(used)) if used else 1
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        leaves.append((leaf, offset, reader, lengths, deleted, shortest))
    plan = []  # (bound, word, boost, [(leaf entry, key, score function)])
    for n, (word, boost) in enumerate(terms):
        try:
            key = ("body", field.to_bytes(word))
        except ValueError:
            continue
        parts, bound = [], 0.0
        for entry in leaves:
            leaf, reader, shortest = entry[0], entry[2], entry[5]
            if key not in reader:
                continue
            scorer = weighting.scorer(leaf, "body", word)
            score_of = getattr(scorer, "_score", None)
            if score_of is None or not hasattr(scorer, "dfl") or boost < 0:
                return None
            bound = max(bound, score_of(reader.term_info(*key).max_weight(), shortest) * boost)
            parts.append((entry, key, score_of))
        if parts:
            plan.append((bound * (1 + RELATED_SLACK), n, word, boost, parts))
    plan.sort(key=lambda p: (-p[0], p[1]))
    left = sum(p[0] for p in plan)
    scores: dict[int, float] = {}
    held: dict[int, int] = {}  # docnum -> the terms it holds, a bit per term (1 << its place in ``terms``)

    def kth(values=None) -> float:
        values = scores.values() if values is None else values
        return heapq.nlargest(pool, values)[-1] if len(values) >= pool else 0.0

    at = 0
    while at < len(plan) and left * (1 + RELATED_SLACK) >= kth():  # a document not seen yet can still make it
        bound, n, word, boost, parts = plan[at]
        bit = 1 << n
        if stop():
            raise Stopped()
        for (leaf, offset, reader, lengths, deleted, _s), key, score_of in parts:
            m = _raw_postings(reader, key)
            table: dict[tuple[float, int], float] = {}
            if type(m) is W3LeafMatcher:
                blocks = []
                while m.is_active():  # a block at a time
                    m._read_ids()
                    m._read_weights()
                    blocks.append((m._ids, m._weights))
                    m._next_block()
            else:  # a short, inlined posting list
                ids, ws = [], []
                while m.is_active():
                    ids.append(m.id())
                    ws.append(m.weight())
                    m.next()
                blocks = [(ids, ws)]
            for ids, ws in blocks:
                for d, w in zip(ids, ws):
                    if d in deleted:
                        continue
                    lb = lengths[d]
                    s = table.get((w, lb))
                    if s is None:
                        s = table[(w, lb)] = score_of(w, byte_to_length(lb) if lb else 1) * boost
                    g = d + offset
                    scores[g] = scores.get(g, 0.0) + s
                    held[g] = held.get(g, 0) | bit
        scores.pop(docnum, None)
        held.pop(docnum, None)
        left -= bound
        at += 1
    floor = kth() * (1 - RELATED_SLACK)
    alive = sorted(d for d, v in scores.items() if v + left >= floor)
    for bound, n, word, boost, parts in plan[at:]:  # only where a document can still reach the pool
        bit = 1 << n
        if stop():
            raise Stopped()
        for (leaf, offset, reader, lengths, deleted, _s), key, score_of in parts:
            end = offset + reader.doc_count_all()
            mine = [d for d in alive if offset <= d < end]
            if not mine:
                continue
            m = _raw_postings(reader, key)
            for g, w in _weights_of(m, [g - offset for g in mine], offset):
                d = g - offset
                if d not in deleted:
                    lb = lengths[d]
                    scores[g] += score_of(w, byte_to_length(lb) if lb else 1) * boost
                    held[g] |= bit
        left -= bound
        # the pool's last score so far: the pool is among the documents alive (any other scored less than
        # the floor, and only theirs grow)
        floor = kth([scores[d] for d in alive]) * (1 - RELATED_SLACK)
        alive = [d for d in alive if scores[d] + left >= floor]
    if not alive:
        return [], {}
    ranked = sorted(alive, key=lambda d: (-scores[d], d))
    # near-ties (and the pool's edge): Whoosh's own sums decide their order
    upto = min(pool, len(ranked))
    while upto < len(ranked) and scores[ranked[upto]] >= scores[ranked[upto - 1]] * (1 - RELATED_SLACK):
        upto += 1
    near = set()
    for i in range(1, upto):
        a, b = scores[ranked[i - 1]], scores[ranked[i]]
        if a - b <= abs(a) * RELATED_SLACK:
            near.update((ranked[i - 1], ranked[i]))
    final = {d: scores[d] for d in ranked[:upto]}
    if near:
        final.update(_whoosh_scores(searcher, q, sorted(near)))
    top = sorted(final.items(), key=lambda x: (-x[1], x[0]))[:pool]
    return top, {d: {w for n, (w, _b) in enumerate(terms) if held[d] >> n & 1} for d, _ in top}


def _weights_of(m, wanted: list[int], offset: int):
    """(offset + docnum, weight) of those of ``wanted`` (ascending) that a fresh raw matcher's postings
    hold: only the blocks that can hold one are decoded (a block's highest id is in its header)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    if type(m) is not W3LeafMatcher:  # a short, inlined posting list
        want = set(wanted)
        while m.is_active():
            if m.id() in want:
                yield m.id() + offset, m.weight()
            m.next()
        return
    i, n = 0, len(wanted)
    while i < n and m.is_active():
        top = m.block_max_id()
        if wanted[i] > top:
            m._next_block()
            continue
        m._read_ids()
        m._read_weights()
        at = {d: k for k, d in enumerate(m._ids)}
        ws = m._weights
        while i < n and wanted[i] <= top:
            k = at.get(wanted[i])
            if k is not None:
                yield wanted[i] + offset, ws[k]
            i += 1
        m._next_block()


def _length_bytes(reader, fieldname: str) -> bytes | None:
    """One segment's length bytes of ``fieldname``, one a document (as _preload_lengths keeps them; read
    here when Whoosh's own column reader got there first); None for another codec."""
    from whoosh.codec.whoosh3 import _lenfield

    try:
        perdoc = reader._perdoc
        column = _lenfield(fieldname)
        known = perdoc._readers.get(column)
        if isinstance(known, bytes):
            return known
        if not perdoc.has_column(column):
            return None
        colfile, start, length = perdoc._get_column_file(column)
        data = colfile.get(start, length)
        return bytes(data) + bytes(max(0, perdoc._doccount + 1 - len(data)))
    except (AttributeError, KeyError, OSError):
        return None


def _whoosh_scores(searcher, q, docnums: list[int]) -> dict[int, float]:
    """Whoosh's own score for ``q`` of each of ``docnums`` (ascending, global), from the matcher its
    collector would use (skip_to reads only the blocks that hold them)."""
    return _matcher_scores(searcher, docnums, lambda local: q)
