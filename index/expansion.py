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
import io
import re
import threading
import time
import weakref
import zlib
from array import array

from whoosh import query
from whoosh.matching import Matcher, NullMatcher


class TooSlow(Exception):
    """Looking up the words took longer than the deadline."""


# ----------------------------------------------------------------------------------------------
# The words a pattern stands for


class Words:
    """The words of one field a pattern stands for: ``words`` (bytes, in index order) and, for each
    segment of the reader they were found in, {word: its TermInfo there} (document frequency, where its
    postings are), so that nothing is looked up again to count or rank them."""

    __slots__ = ("field", "words", "segments", "infos")

    def __init__(self, field: str, segments: list, infos: list[dict]):
        self.field, self.segments, self.infos = field, segments, infos
        found = set()
        for per in infos:
            found.update(per)
        self.words = sorted(found)

    def doc_frequency(self, word: bytes) -> int:
        """As reader.doc_frequency: over every segment, deleted documents included."""
        return sum(per[word].doc_frequency() for per in self.infos if word in per)

    def only(self, words) -> Words:
        keep = set(words)
        return Words(self.field, self.segments, [{w: ti for w, ti in per.items() if w in keep} for per in self.infos])

    def infos_for(self, segment) -> dict | None:
        for r, per in zip(self.segments, self.infos):
            if r is segment:
                return per
        return None


def words_of(node, reader, deadline: float, stop=None) -> Words:
    """The index words ``node`` (a Prefix, Wildcard, FuzzyTerm or range) stands for: what
    ``node._btexts(reader)`` gives, with their term infos. TooSlow past ``deadline``; ``stop()`` (which
    raises to stop) is called now and then."""
    kind, field = type(node), node.fieldname
    segments = list(getattr(reader, "readers", None) or [reader])
    fieldtype = reader.schema[field]
    if kind is query.Prefix or (kind is query.Wildcard and node._find_prefix(node.text)):
        # each segment's words from its own sorted table, with their infos, in one pass
        if kind is query.Prefix:
            prefix, match = node.text, None
        else:  # whoosh.query.PatternQuery._btexts for whoosh-reloaded 2.7.5 (pinned), with a clock
            prefix, match = node._find_prefix(node.text), re.compile(node._get_pattern()).match
        infos = []
        for r in segments:
            per = {}
            for n, (btext, info) in enumerate(_prefix_items(r, field, fieldtype.to_bytes(prefix))):
                if not n % 4096:
                    _check(deadline, stop)
                if match is None or match(fieldtype.from_bytes(btext)):
                    per[btext] = info
            infos.append(per)
        return Words(field, segments, infos)
    if kind is query.FuzzyTerm:
        candidates = [fieldtype.to_bytes(w) for w in fuzzy_words(node, reader, deadline)]
    elif kind is query.Wildcard:  # no prefix: the field's word list, read once per reader
        match = re.compile(node._get_pattern()).match
        candidates = []
        for n, word in enumerate(lexicon(reader, field)[0]):
            if not n % 4096:
                _check(deadline, stop)
            if match(word):
                candidates.append(fieldtype.to_bytes(word))
    else:  # ranges find their words directly
        candidates = list(node._btexts(reader))
    infos = [{} for _ in segments]
    for n, btext in enumerate(candidates):
        if not n % 1024:
            _check(deadline, stop)
        for r, per in zip(segments, infos):
            info = _term_info(r, field, btext)
            if info is not None:
                per[btext] = info
    return Words(field, segments, infos)


def _prefix_items(reader, field: str, prefix: bytes):
    """``reader.iter_prefix(field, prefix)`` of one segment: (word, TermInfo) in index order, the term
    table's entries read a window at a time rather than with two file reads apiece (whoosh-reloaded
    2.7.5's OrderedHashReader entries, pinned: see _segment_lexicon)."""
    import struct

    try:
        from whoosh.codec.whoosh3 import W3TermInfo

        terms = reader._terms
        if field not in terms._fieldmap:
            return
        table, key = terms._tindex, terms._keycoder(field, prefix)
        pos, end = table.closest_key_pos(key), table.endofdata
    except (AttributeError, ImportError, TypeError):
        yield from reader.iter_prefix(field, prefix)
        return
    lengths = struct.Struct("!ii")  # whoosh.filedb.filetables._lengths
    head, unpack, decode = lengths.size, lengths.unpack_from, W3TermInfo.from_bytes
    window = WINDOW
    while pos is not None and pos < end:
        data = table.dbfile.get(pos, min(window, end - pos))
        off, size = 0, len(data)
        while off + head <= size:
            keylen, datalen = unpack(data, off)
            if keylen < 2 or datalen < 0:
                raise struct.error(f"a damaged entry in the term table at {pos + off}")
            start = off + head
            if start + keylen + datalen > size:
                break  # the entry goes on past the window
            word = data[start:start + keylen]
            if not word.startswith(key):
                return
            yield word[2:], decode(data[start + keylen:start + keylen + datalen])
            off = start + keylen + datalen
        if not off:
            window *= 4  # an entry longer than the window
        pos += off


def _check(deadline: float, stop) -> None:
    if time.monotonic() > deadline:
        raise TooSlow()
    if stop is not None:
        stop()


def _term_info(reader, field: str, btext: bytes):
    from whoosh.reading import TermNotFound

    try:
        return reader.term_info(field, btext)
    except (TermNotFound, KeyError):
        return None


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
        words = sorted({from_bytes(b) for r in segments for b in _segment_lexicon(r, field)})
        by_length: dict[int, list[str]] = {}
        for word in words:
            by_length.setdefault(len(word), []).append(word)
        found = (words, by_length)
        with _LEXICONS_LOCK:
            fields[field] = found
    return found


def _segment_lexicon(reader, field: str) -> list[bytes]:
    """``reader.lexicon(field)`` of one segment, its term table read in one piece: Whoosh reads each
    entry's lengths and key with a file read apiece (whoosh-reloaded 2.7.5's OrderedHashReader, pinned:
    entries of (key length, value length) then the key, the field's number in its first two bytes, then
    the value, in key order)."""
    import struct

    try:
        terms = reader._terms
        if field not in terms._fieldmap:  # no article of the segment has the field
            return []
        table, fieldnum = terms._tindex, terms._fieldmap[field]
        start = table.closest_key_pos(terms._keycoder(field, b""))
        if start is None:
            return []
        data = table.dbfile.get(start, table.endofdata - start)
    except (AttributeError, KeyError, TypeError):
        return list(reader.lexicon(field))
    lengths = struct.Struct("!ii")  # whoosh.filedb.filetables._lengths
    head, unpack, end = lengths.size, lengths.unpack_from, len(data)
    mark = struct.pack("!H", fieldnum)  # whoosh.system.pack_ushort
    words, pos = [], 0
    while pos < end:
        keylen, datalen = unpack(data, pos)
        if keylen < 2 or datalen < 0:
            raise struct.error(f"a damaged entry in the term table at {start + pos}")
        key = pos + head
        if data[key:key + 2] != mark:
            break
        words.append(data[key + 2:key + keylen])
        pos = key + keylen + datalen
    return words


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

WINDOW = 1 << 16  # bytes of a term table read at a time (_prefix_items)
_MAGIC = b"W3Bl"  # whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC
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


def summed_matcher(terms, searcher, context, boost: float = 1.0, stop=None, found: dict | None = None,
                   remember: dict | None = None):
    """A matcher over the documents holding any of ``terms`` (Term queries, in runs of one field) in the
    segment of ``searcher``, each scored as Whoosh scores the query
    ``Or([ArrayUnion(run 1), ArrayUnion(run 2), ...], boost)``: a run's words' BM25F scores added in order
    (each times its term's boost), the runs' sums added, times ``boost``. None when this cannot be done
    exactly here (the caller then builds Whoosh's own matchers). ``stop()`` raises to stop. ``found``:
    {field: Words} as words_of found them (their term infos are then not looked up again). ``remember``:
    a dict that keeps the segment's matching documents (see docnums)."""
    from math import log

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
    # idf as Whoosh's WeightingModel.idf computes it, from the document frequencies words_of read when
    # they were read from this very index; else Whoosh's own (cached) idf
    own_idf = scored and type(weighting).idf is scoring.WeightingModel.idf and \
        type(parent.weighting).idf is scoring.WeightingModel.idf
    everything = list(getattr(parent.reader(), "readers", None) or [parent.reader()])
    count_all = parent.doc_count_all()
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
        words = (found or {}).get(field)
        infos = words.infos_for(reader) if words is not None else None
        global_df = own_idf and words is not None and len(words.segments) == len(everything) and \
            all(a is b for a, b in zip(words.segments, everything))
        for k, term in enumerate(run, 1):
            if stop is not None and not k % 32:
                stop()
            try:
                btext = ftype.to_bytes(term.text)
            except ValueError:
                continue
            info = infos.get(btext) if infos is not None else _term_info(reader, field, btext)
            if info is None:
                continue
            if not scored:
                idf = 0.0
            elif global_df:
                idf = log(count_all / (words.doc_frequency(btext) + 1)) + 1
            else:
                idf = parent.idf(field, btext)
            tboost = term.boost
            for ids, weights in _posting_blocks(reader, field, btext, info):
                seen.update(ids)
                if not scored:
                    pass
                elif tboost == 1.0:
                    # Whoosh's bm25(idf, tf, fl, avgfl, B, K1), its length part looked up by the
                    # document's length byte: the same operations in the same order, the same floats
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
    if remember is not None:
        remember[id(reader)] = (reader, seen)
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


def docnums(terms, reader, found: dict | None = None, remember: dict | None = None) -> set[int]:
    """The document numbers of one segment ``reader`` holding any of ``terms``, deleted ones left out:
    what summed_matcher kept when it ranked them on this segment, else read a posting block at a time."""
    kept = remember.get(id(reader)) if remember is not None else None
    if kept is not None and kept[0] is reader:
        return set(kept[1])
    schema = reader.schema
    seen: set[int] = set()
    for field, run in field_runs(terms):
        if field not in schema:
            continue
        words = (found or {}).get(field)
        infos = words.infos_for(reader) if words is not None else None
        for term in run:
            try:
                btext = schema[field].to_bytes(term.text)
            except ValueError:
                continue
            info = infos.get(btext) if infos is not None else _term_info(reader, field, btext)
            if info is not None:
                for ids, _weights in _posting_blocks(reader, field, btext, info):
                    seen.update(ids)
    if reader.has_deletions():
        seen -= reader.deleted_docs_set
    return seen


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


def _posting_blocks(reader, field: str, btext: bytes, info):
    """(document numbers, term frequencies) of a term's postings in this segment a block at a time,
    deleted documents included. ``info``: the term's TermInfo in this segment. The postings are read
    in one piece and their blocks parsed as whoosh-reloaded 2.7.5's W3LeafMatcher parses them (pinned;
    its pickles through index.safepickle, as Whoosh's own reads go), without a file read per block
    header; anything unexpected is read through Whoosh's matcher."""
    if info.is_inlined():  # a short list kept in the term's entry: ListMatcher.weight() reads it so
        ids, weights, _values = info.inlined_postings()
        yield ids, (weights or (1.0,) * len(ids))
        return
    postfile = getattr(getattr(reader, "_terms", None), "_postfile", None)
    try:
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps struct.unpack's 1-tuple
            (length,) = length
        raw = postfile.get(offset, length)
    except (AttributeError, TypeError, ValueError):
        raw = None
    if raw is None or raw[:4] != _MAGIC:
        yield from _matcher_blocks(reader, field, btext)
        return
    from itertools import accumulate

    import struct

    from whoosh.system import _INT_SIZE, unpack_int

    from .safepickle import load, loads

    buf = io.BufferedReader(io.BytesIO(raw))  # the unpickler peeks into its buffer (see safepickle.loads)
    pos = 4
    while True:
        (blocklength,) = unpack_int(raw[pos:pos + _INT_SIZE])
        start = pos + _INT_SIZE
        if not blocklength or start + abs(blocklength) > len(raw):
            raise struct.error(f"a damaged posting block at {offset + pos}")
        buf.seek(start)
        try:
            count, _maxid, _maxweight, compression, _mn, _mx = load(buf)
            data = raw[buf.tell():start + abs(blocklength)]
            ids, weights, _values = loads(zlib.decompress(data) if compression else data)
            ids = tuple(accumulate(ids))  # whoosh.util.numlists.delta_decode
            if len(ids) != count or (weights is not None and not isinstance(weights, float)
                                     and len(weights) != count):
                raise ValueError("its lengths disagree")
        except (TypeError, ValueError, AttributeError, IndexError) as exc:  # what garbage unpickles to
            raise struct.error(f"a damaged posting block at {offset + pos}: {exc}") from None
        if weights is None:
            weights = (1.0,) * count
        elif isinstance(weights, float):
            weights = array("f", (weights,)) * count  # as W3LeafMatcher._read_weights stores it
        yield ids, weights
        if blocklength < 0:  # the last block
            return
        pos = start + blocklength


def _matcher_blocks(reader, field: str, btext: bytes):
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
    ids = list(m.all_ids())
    yield ids, _list_weights(m, len(ids))  # a short, inlined list (ListMatcher)


def _list_weights(m, n: int):
    every = getattr(m, "_all_weights", None)
    weights = getattr(m, "_weights", None)
    if every:
        return [every] * n
    return list(weights) if weights else [1.0] * n


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
