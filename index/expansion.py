"""Wildcards, prefixes and fuzzy terms: the words of the index they stand for, and those words ranked
as one list (index.search.bound_query and Expansion use both).

Finding the words: a prefix's words are read from each segment's own sorted table and merged as a set
(Whoosh's multi-segment reader merges the segments' iterators word by word); a fuzzy term, and a wildcard
that starts with a wildcard, compare against the field's word list read once per reader (kept while the
reader lives: the app keeps its searcher open).

Ranking them: ``summed_matcher`` reads each word's postings a block at a time (document numbers and
term frequencies), scores them with Whoosh's own BM25F formula and adds them up per document in an
array, in the order Whoosh's ArrayUnionMatcher adds them: the same float scores, without a matcher per
word stepped a posting at a time. The result is a matcher over the summed list that knows the best score
of each run of documents, so that Whoosh's top-N collector skips the runs that cannot enter the page.
Uses whoosh-reloaded 2.7.5's (pinned) posting block layout and length columns; anything else (another
weighting model, a non-atomic searcher) gets None and is ranked by Whoosh's own matchers.
"""

from __future__ import annotations

import bisect
import re
import threading
import time
import weakref
from array import array

from whoosh import query
from whoosh.matching import Matcher, NullMatcher


class TooSlow(Exception):
    """Looking up the words took longer than the deadline."""


# ----------------------------------------------------------------------------------------------
# The words a pattern stands for


def words_of(node, reader, deadline: float, stop=None):
    """The index words ``node`` (a Prefix, Wildcard, FuzzyTerm or range) stands for, in index order, as
    ``node._btexts(reader)`` gives them (bytes; a fuzzy term's as text). TooSlow past ``deadline``;
    ``stop()`` (which raises to stop) is called now and then."""
    kind = type(node)
    if kind is query.FuzzyTerm:
        yield from fuzzy_words(node, reader, deadline)
        return
    if kind is query.Prefix:
        yield from _prefix_words(reader, node.fieldname, node.text)
        return
    if kind is not query.Wildcard:  # ranges find their words directly
        yield from node._btexts(reader)
        return
    # whoosh.query.PatternQuery._btexts for whoosh-reloaded 2.7.5 (pinned), with a clock.
    exp = re.compile(node._get_pattern())
    prefix = node._find_prefix(node.text)
    field = reader.schema[node.fieldname]
    if prefix:
        candidates = [field.from_bytes(b) for b in _prefix_words(reader, node.fieldname, prefix)]
    else:
        candidates = lexicon(reader, node.fieldname)[0]
    match = exp.match
    for n, word in enumerate(candidates):
        if not n % 4096:
            if time.monotonic() > deadline:
                raise TooSlow()
            if stop is not None:
                stop()
        if match(word):
            yield field.to_bytes(word)


def _prefix_words(reader, fieldname: str, prefix: str) -> list[bytes]:
    """The words of ``fieldname`` starting with ``prefix``, sorted: each segment's read from its own table."""
    segments = getattr(reader, "readers", None) or [reader]
    if len(segments) == 1:
        return list(segments[0].expand_prefix(fieldname, prefix))
    found: set[bytes] = set()
    for r in segments:
        found.update(r.expand_prefix(fieldname, prefix))
    return sorted(found)


_LEXICONS: dict = {}  # id(reader) -> (weak reference to the reader, {field: (sorted words, {length: words})})
_LEXICONS_LOCK = threading.Lock()


def lexicon(reader, field: str) -> tuple[list[str], dict[int, list[str]]]:
    """The words of ``field`` in ``reader``, sorted (as the index orders them), and by length; read once
    per reader (the app keeps its searcher open, so its fuzzy terms read the word list once)."""
    with _LEXICONS_LOCK:
        entry = _LEXICONS.get(id(reader))
        if entry is None or entry[0]() is not reader:
            for key in [k for k, (ref, _) in _LEXICONS.items() if ref() is None]:
                del _LEXICONS[key]
            try:
                entry = _LEXICONS[id(reader)] = (weakref.ref(reader), {})
            except TypeError:  # a reader that cannot be referred to weakly: not kept
                entry = (lambda: reader, {})
        fields = entry[1]
        found = fields.get(field)
    if found is None:
        from_bytes = reader.schema[field].from_bytes
        # each segment's words straight from its own table: Whoosh's merge of the segments' sorted word
        # lists costs more than reading them
        segments = getattr(reader, "readers", None) or [reader]
        words = sorted({from_bytes(b) for r in segments for b in r.lexicon(field)})
        by_length: dict[int, list[str]] = {}
        for word in words:
            by_length.setdefault(len(word), []).append(word)
        found = (words, by_length)
        with _LEXICONS_LOCK:
            fields[field] = found
    return found


def within_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance(a, b) <= 1: equal, or one letter changed, added, dropped or two
    neighbours swapped."""
    if len(a) > len(b):
        a, b = b, a
    la, lb = len(a), len(b)
    if lb - la > 1:
        return False
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la < lb:
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i + 1:] or (i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:])


def fuzzy_words(node, reader, deadline: float):
    """The words of the index within ``node.maxdist`` Damerau-Levenshtein edits of ``node.text`` that
    share its first ``node.prefixlength`` letters, in index order: what Whoosh's
    ``IndexReader.terms_within`` gives, without reading and merging the whole word list of every
    segment for each fuzzy term (``econ~`` over 20,000 articles: ~0.5-1.5 s) and comparing every
    word. Only words of a length within ``maxdist`` of the term's are compared."""
    from whoosh.support.levenshtein import damerau_levenshtein

    text, maxdist = node.text, int(node.maxdist)
    head = text[: node.prefixlength] if node.prefixlength else ""
    words, by_length = lexicon(reader, node.fieldname)
    if head:
        lo = bisect.bisect_left(words, head)
        hi = bisect.bisect_left(words, head[:-1] + chr(ord(head[-1]) + 1), lo)
        candidates = [w for w in words[lo:hi] if abs(len(w) - len(text)) <= maxdist]
    else:
        candidates = [w for n in range(max(1, len(text) - maxdist), len(text) + maxdist + 1)
                      for w in by_length.get(n, ())]
    found = []
    for n, word in enumerate(candidates):
        if not n % 1024 and time.monotonic() > deadline:
            raise TooSlow()
        if maxdist <= 1:
            if within_one(word, text) and (maxdist == 1 or word == text):
                found.append(word)
        elif damerau_levenshtein(word, text, limit=maxdist) <= maxdist:
            found.append(word)
    found.sort()
    yield from found


# ----------------------------------------------------------------------------------------------
# Ranking the words as one list

BLOCK = 64  # documents of the summed list per quality block (the collector skips whole blocks)
CHECK_EVERY = 16_384  # postings read between two calls of stop()


def field_runs(terms) -> list[tuple[str, list]]:
    """The Terms of an expansion as (field, terms) runs: ``con*`` over title and body is the title's words
    then the body's."""
    runs: list[tuple[str, list]] = []
    for t in terms:
        if runs and runs[-1][0] == t.fieldname:
            runs[-1][1].append(t)
        else:
            runs.append((t.fieldname, [t]))
    return runs


def summed_matcher(terms, searcher, context, boost: float = 1.0, stop=None):
    """A matcher over the documents holding any of ``terms`` (Term queries, in runs of one field) in the
    segment of ``searcher``, each scored as Whoosh scores the query
    ``Or([ArrayUnion(run 1), ArrayUnion(run 2), ...], boost)``: a run's words' BM25F scores added in order
    (each times its term's boost), the runs' sums added, times ``boost``. None when this cannot be done
    exactly here (the caller then builds Whoosh's own matchers). ``stop()`` raises to stop."""
    from whoosh import scoring

    reader = searcher.reader()
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not searcher.is_atomic():
        return None
    scored = context.weighting is not None if context else True
    weighting = (context.weighting if context else None) or searcher.weighting
    if scored and type(weighting) is not scoring.BM25F:
        return None
    schema = reader.schema
    parent = searcher.get_parent()
    size = reader.doc_count_all()
    seen: set[int] = set()
    sums = []
    read = 0
    for field, run in field_runs(terms):
        if field not in schema:
            continue
        ftype = schema[field]
        if scored and not ftype.scorable:
            return None
        totals = array("d", bytes(8 * size)) if scored else None
        if scored:
            lengths, by_length = _norms(perdoc, weighting, field, parent, size)
            k1p = weighting.K1 + 1
        for k, term in enumerate(run, 1):
            if stop is not None and not k % 32:
                stop()
            try:
                btext = ftype.to_bytes(term.text)
            except ValueError:
                continue
            if (field, btext) not in reader:
                continue
            idf = parent.idf(field, btext) if scored else 0.0
            tboost = term.boost
            for ids, weights in _posting_blocks(reader, field, btext):
                seen.update(ids)
                if scored:
                    # Whoosh's bm25(idf, tf, fl, avgfl, B, K1), its length part looked up by the
                    # document's length byte: the same operations in the same order, the same floats
                    if tboost == 1.0:
                        for d, tf in zip(ids, weights):
                            totals[d] += idf * ((tf * k1p) / (tf + by_length[lengths[d]]))
                    else:
                        for d, tf in zip(ids, weights):
                            totals[d] += (idf * ((tf * k1p) / (tf + by_length[lengths[d]]))) * tboost
                read += len(ids)
                if stop is not None and read >= CHECK_EVERY:
                    stop()
                    read = 0
        if scored:
            sums.append(totals)
    if reader.has_deletions():
        seen -= reader.deleted_docs_set
    if not seen:
        return NullMatcher()
    ids = sorted(seen)
    if not scored:
        return SummedMatcher(ids, None)
    if len(sums) == 1:
        (only,) = sums
        scores = [only[d] for d in ids]
    else:
        scores = []
        for d in ids:
            s = 0.0
            for totals in sums:
                s += totals[d]
            scores.append(s)
    if boost != 1.0:
        scores = [s * boost for s in scores]
    return SummedMatcher(ids, scores)


def _norms(perdoc, weighting, field: str, parent, size: int):
    """(each document's length byte, K1 * ((1 - B) + B * length / avgfl) for each length byte): the part
    of BM25 that depends on the document's field length, as Whoosh's BM25FScorer computes it."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    from whoosh.util.numeric import byte_to_length

    B = weighting._field_B.get(field, weighting.B)
    K1 = weighting.K1
    avgfl = parent.avg_field_length(field) or 1
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None:  # Whoosh: searcher.doc_field_length(docnum, field, 1) -> 1
        return bytes(size), [K1 * ((1 - B) + B * 1 / avgfl)] * 256
    # bytes when index.search._preload_lengths has read the column whole, else Whoosh's column reader;
    # a document with a posting in the field has a length byte above 0
    return column, [K1 * ((1 - B) + B * (byte_to_length(b) if b else 0) / avgfl) for b in range(256)]


def _posting_blocks(reader, field: str, btext: bytes):
    """(document numbers, term frequencies) of a term's postings in this segment a block at a time,
    deleted documents included (whoosh-reloaded 2.7.5's W3LeafMatcher blocks, pinned)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher

    m = reader.postings(field, btext)
    if type(m) is FilterMatcher:  # deleted documents are taken out by the caller
        m = m.child
        m.reset()
    if type(m) is W3LeafMatcher:
        while m.is_active():
            m._read_ids()
            m._read_weights()
            yield m._ids, m._weights
            m._next_block()
        return
    # a short posting list inlined in the term's entry (ListMatcher): its weight() as Whoosh reads it
    ids = list(m.all_ids())
    every = getattr(m, "_all_weights", None)
    weights = getattr(m, "_weights", None)
    if every:
        weights = [every] * len(ids)
    elif not weights:
        weights = [1.0] * len(ids)
    yield ids, weights


class SummedMatcher(Matcher):
    """Documents and their summed scores (see summed_matcher), with the best score of each BLOCK of
    documents for Whoosh's block-quality skipping. ``scores`` None: unscored (every score 1)."""

    def __init__(self, ids, scores, _blocks=None, _rest=None, _i=0):
        self._ids, self._scores, self._i, self._n = ids, scores, _i, len(ids)
        if scores is not None and _blocks is None:
            _blocks = [max(scores[i:i + BLOCK]) for i in range(0, len(scores), BLOCK)]
            _rest = _blocks[:]  # the best score from each block to the end
            for b in range(len(_rest) - 2, -1, -1):
                if _rest[b + 1] > _rest[b]:
                    _rest[b] = _rest[b + 1]
        self._blocks, self._rest = _blocks, _rest

    def __repr__(self):
        return f"{type(self).__name__}({self._n} documents, at {self._i})"

    def is_active(self):
        return self._i < self._n

    def reset(self):
        self._i = 0

    def copy(self):
        return type(self)(self._ids, self._scores, self._blocks, self._rest, self._i)

    def replace(self, minquality=0):
        if not self.is_active():
            return NullMatcher()
        if minquality and self._scores is not None and self.max_quality() < minquality:
            return NullMatcher()
        return self

    def id(self):
        return self._ids[self._i]

    def all_ids(self):
        return iter(self._ids[self._i:])

    def next(self):
        self._i += 1
        return not self._i % BLOCK  # True: a new block begins (the collector checks its quality)

    def skip_to(self, id):
        if self._i < self._n and self._ids[self._i] < id:
            self._i = bisect.bisect_left(self._ids, id, self._i)

    def supports(self, astype):
        return False

    def supports_block_quality(self):
        return self._scores is not None

    def max_quality(self):
        return self._rest[self._i // BLOCK] if self._i < self._n else 0.0

    def block_quality(self):
        return self._blocks[self._i // BLOCK] if self._i < self._n else 0.0

    def skip_to_quality(self, minquality):
        skipped = 0
        blocks, i, n = self._blocks, self._i, self._n
        while i < n and blocks[i // BLOCK] <= minquality:
            i = (i // BLOCK + 1) * BLOCK
            skipped += 1
        self._i = min(i, n)
        return skipped

    def weight(self):
        return self.score()

    def score(self):
        return 1.0 if self._scores is None else self._scores[self._i]
