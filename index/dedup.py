"""Near-duplicate detection across articles (syndicated or re-posted copies).

Each article gets a bottom-k MinHash sketch of its 5-word shingles: the k smallest CRC32 hashes.
Two sketches estimate the Jaccard resemblance of the shingle sets; copies with small edits
(another headline, a trimmed paragraph, an editor's line) score far above unrelated coverage
of the same story, which shares facts but not running text.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import chain

SKETCH_SIZE = 64
SHINGLE_WORDS = 5
THRESHOLD = 0.5  # estimated resemblance at or above which two articles are copies
_MIN_SHARED = 6  # sketch values two articles must share before they are compared at all

_WORD = re.compile(r"\w+")


def sketch(text: str) -> list[int]:
    """The bottom-k MinHash sketch of ``text``, sorted ascending."""
    words = _WORD.findall(text.lower())
    if not words:
        return []
    span = min(SHINGLE_WORDS, len(words))
    hashes = {
        zlib.crc32(" ".join(words[i : i + span]).encode("utf-8", "surrogatepass"))  # any lone surrogate too
        for i in range(len(words) - span + 1)
    }
    return sorted(hashes)[:SKETCH_SIZE]  # heapq.nsmallest's result; sorting in C is faster at any length


def resemblance(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard resemblance of the shingle sets behind two sketches."""
    if not a or not b:
        return 0.0
    return _resemblance(set(a), set(b))


def _resemblance(sa, sb) -> float:
    """resemblance() of the two sketches' value sets (neither empty)."""
    union = sorted(sa | sb)[:SKETCH_SIZE]  # what heapq.nsmallest gives, in C: twice as fast
    return len(sa.intersection(sb).intersection(union)) / len(union)


def find_pairs(
    sketches: Mapping[str, list[int]], new_ids: Iterable[str], threshold: float = THRESHOLD
) -> set[tuple[str, str]]:
    """Pairs (a, b), a < b, of near-duplicates where at least one side is in ``new_ids``.

    The shared values are counted in C (a Counter over the postings), and only a pair sharing enough of
    them for its resemblance to reach ``threshold`` is compared: resemblance = both / |U| with both <=
    shared and |U| >= min(SKETCH_SIZE, len), so a pair sharing fewer than ``need`` values cannot pass. Text
    made of shared sentences has many articles sharing a few values (most of indexing 20,000 real-worded
    articles went into comparing them). A pair of two new articles is compared from one side. Both rest
    on no sketch repeating a value (none from sketch() does); with one that does, every pair sharing
    _MIN_SHARED values is compared from both sides, as before. The pairs are the same
    (tests/test_indexer_fast.py compares them with the exhaustive comparison)."""
    postings: dict[int, list[str]] = defaultdict(list)
    repeats = False
    for aid, values in sketches.items():
        for h in values:
            postings[h].append(aid)
        repeats = repeats or len(set(values)) != len(values)
    new = set(new_ids)
    pairs: set[tuple[str, str]] = set()
    for aid in new:
        values = sketches.get(aid)
        if not values:
            continue
        shared = Counter(chain.from_iterable(postings[h] for h in values))
        shared.pop(aid, None)
        mine = set(values)
        if repeats:
            candidates = [o for o, count in shared.items() if count >= _MIN_SHARED]
        else:  # one less than the bound, against rounding
            need = max(_MIN_SHARED, math.ceil(threshold * min(SKETCH_SIZE, len(mine))) - 1)
            candidates = [o for o, count in shared.items() if count >= need and not (o < aid and o in new)]
        for other in candidates:
            if _resemblance(mine, set(sketches[other])) >= threshold:
                pairs.add((min(aid, other), max(aid, other)))
    return pairs


# ---------------------------------------------------------------------------------- the stored sketches
#
# sketches.db (SQLite, rollback journal): every article's sketch, and the postings of its values, so that
# linking the articles of one run costs what those articles cost, not what the library holds. Candidates
# are exactly ``find_pairs``'s (the articles sharing at least _MIN_SHARED sketch values), from the
# postings on disk instead of postings rebuilt in memory for every article: the pairs are the same (tested
# against ``find_pairs``). Only the writer (`brief index`, under the library's lock) opens it.

SKETCH_DB = "sketches.db"
_N_BITS = 31  # a posting is one integer: value << 31 | article number (value < 2**32: fits a signed int64)
_N_MASK = (1 << _N_BITS) - 1
_BIG_BATCH = 2000  # from this many new articles, the sketches are loaded whole and ``find_pairs`` runs


def _pack(values: list[int]) -> bytes:
    import struct

    return struct.pack(f"<{len(values)}I", *values)


def _unpack(blob: bytes) -> list[int]:
    import struct

    return list(struct.unpack(f"<{len(blob) // 4}I", blob))


def _clean(values) -> list[int] | None:
    """A sketch as stored: a list of distinct 32-bit values (None for anything else)."""
    if not isinstance(values, list) or not all(type(h) is int and 0 <= h <= 0xFFFFFFFF for h in values):
        return None
    return values


class SketchStore:
    """The sketches of a library's articles, in ``path`` (sketches.db). Not thread-safe; one writer."""

    def __init__(self, path) -> None:
        import sqlite3

        self.path = str(path)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            self.conn.execute("PRAGMA journal_mode=DELETE")
            self.conn.execute("PRAGMA cache_size=-65536")  # 64 MB of page cache at most
            self.conn.executescript(
                "CREATE TABLE IF NOT EXISTS sketch(n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, vals BLOB NOT NULL);"
                "CREATE TABLE IF NOT EXISTS post(k INTEGER PRIMARY KEY);"
            )
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> SketchStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM sketch").fetchone()[0]

    def all(self) -> dict[str, list[int]]:
        return {aid: _unpack(blob) for aid, blob in self.conn.execute("SELECT id, vals FROM sketch ORDER BY n")}

    def get_many(self, ids: Iterable[str]) -> dict[str, list[int]]:
        ids = list(ids)
        out: dict[str, list[int]] = {}
        for at in range(0, len(ids), 500):
            chunk = ids[at : at + 500]
            marks = ",".join("?" * len(chunk))
            for aid, blob in self.conn.execute(f"SELECT id, vals FROM sketch WHERE id IN ({marks})", chunk):
                out[aid] = _unpack(blob)
        return out

    def shared_counts(self, values: Iterable[int]) -> dict[str, int]:
        """id -> how many of ``values`` its sketch holds, for every stored article holding one."""
        counts: dict[int, int] = defaultdict(int)
        execute = self.conn.execute
        for h in set(values):
            low = h << _N_BITS
            for (k,) in execute("SELECT k FROM post WHERE k BETWEEN ? AND ?", (low, low | _N_MASK)):
                counts[k & _N_MASK] += 1
        if not counts:
            return {}
        numbers = list(counts)
        out: dict[str, int] = {}
        for at in range(0, len(numbers), 500):
            chunk = numbers[at : at + 500]
            marks = ",".join("?" * len(chunk))
            for n, aid in execute(f"SELECT n, id FROM sketch WHERE n IN ({marks})", chunk):
                out[aid] = counts[n]
        return out

    def apply(self, add: Mapping[str, list[int]], remove: Iterable[str] = ()) -> None:
        """In one transaction: the sketches of ``remove`` (and the old ones of ``add``) gone, ``add`` stored.
        Applying the same change twice leaves what applying it once does."""
        execute = self.conn.execute
        execute("BEGIN IMMEDIATE")
        try:
            for aid in set(remove) | set(add):
                row = execute("SELECT n, vals FROM sketch WHERE id = ?", (aid,)).fetchone()
                if row is None:
                    continue
                n, blob = row
                self.conn.executemany("DELETE FROM post WHERE k = ?",
                                      [((h << _N_BITS) | n,) for h in set(_unpack(blob))])
                execute("DELETE FROM sketch WHERE n = ?", (n,))
            for aid, values in add.items():
                n = execute("INSERT INTO sketch(id, vals) VALUES (?, ?)", (aid, _pack(values))).lastrowid
                self.conn.executemany("INSERT OR IGNORE INTO post(k) VALUES (?)",
                                      [((h << _N_BITS) | n,) for h in set(values)])
            execute("COMMIT")
        except BaseException:
            execute("ROLLBACK")
            raise

    def _has_json_each(self) -> bool:
        try:
            self.conn.execute("SELECT count(*) FROM json_each('[1]')").fetchone()
            return True
        except Exception:  # noqa: BLE001 - an SQLite built without JSON1
            return False

    def fill(self, sketches: Mapping[str, list[int]], in_sql: bool | None = None) -> None:
        """Store ``sketches`` in an empty store (a rebuild, a migration): numbered in order, postings sorted
        (by SQLite when it has json_each, else here: ``in_sql`` chooses, for the tests)."""
        import json

        execute = self.conn.execute
        in_sql = self._has_json_each() if in_sql is None else in_sql
        execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany("INSERT INTO sketch(n, id, vals) VALUES (?, ?, ?)",
                                  ((n, aid, _pack(v)) for n, (aid, v) in enumerate(sketches.items(), 1)))
            if in_sql:  # the postings made and sorted by SQLite (JSON1's json_each): ~1.5x faster than below
                execute("CREATE TEMP TABLE fill(n INTEGER PRIMARY KEY, v TEXT NOT NULL)")
                self.conn.executemany("INSERT INTO fill(n, v) VALUES (?, ?)",
                                      ((n, json.dumps(v)) for n, v in enumerate(sketches.values(), 1)))
                execute(f"INSERT OR IGNORE INTO post(k) SELECT (e.value << {_N_BITS}) | f.n FROM fill f, "
                        f"json_each(f.v) e ORDER BY 1")
                execute("DROP TABLE fill")
            else:
                keys = sorted({(h << _N_BITS) | n for n, values in enumerate(sketches.values(), 1) for h in values})
                self.conn.executemany("INSERT INTO post(k) VALUES (?)", ((k,) for k in keys))
            execute("COMMIT")
        except BaseException:
            execute("ROLLBACK")
            raise


def write_store(path, sketches: Mapping[str, list[int]]) -> None:
    """A new sketches.db at ``path`` holding ``sketches``: built beside it, fsynced, renamed over it."""
    import os

    tmp = f"{path}.{os.getpid()}.tmp"
    for leftover in (tmp, tmp + "-journal"):
        if os.path.exists(leftover):
            os.unlink(leftover)
    try:
        with SketchStore(tmp) as store:
            store.fill(sketches)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, tmp + "-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        raise


def find_pairs_stored(
    store: SketchStore, new: Mapping[str, list[int]], gone: Iterable[str] = (), threshold: float = THRESHOLD,
    batch: Iterable[str] | None = None,
) -> set[tuple[str, str]]:
    """``find_pairs(sketches, new)`` where ``sketches`` is what ``store`` holds, less ``gone``, with ``new``
    put in (replacing an id's stored sketch), and ``batch`` (default: the ids of ``new``) the ids linked: the
    same pairs, at the cost of the new articles alone (their postings read from the store), and a load of
    everything beyond _BIG_BATCH new articles."""
    gone = set(gone) - set(new)
    if batch is not None:  # an article of the batch without a new sketch: its stored one (as find_pairs would)
        missing = set(batch) - set(new) - gone
        if missing:
            new = {**new, **store.get_many(sorted(missing))}
    if len(new) >= _BIG_BATCH:
        sketches = store.all()
        for aid in gone:
            sketches.pop(aid, None)
        sketches.update(new)
        return find_pairs(sketches, new, threshold)
    postings: dict[int, list[str]] = defaultdict(list)  # of the new articles (the store's are stale for them)
    for aid, values in new.items():
        for h in values:
            postings[h].append(aid)
    pairs: set[tuple[str, str]] = set()
    for aid, values in new.items():
        if not values:
            continue
        shared: dict[str, int] = defaultdict(int)
        for other, count in store.shared_counts(values).items():
            if other not in new and other not in gone:
                shared[other] = count
        for h in values:
            for other in postings[h]:
                if other != aid:
                    shared[other] += 1
        candidates = [o for o, c in shared.items() if c >= _MIN_SHARED]
        stored = store.get_many(o for o in candidates if o not in new)
        for other in candidates:
            theirs = new[other] if other in new else stored.get(other)
            if theirs is not None and resemblance(values, theirs) >= threshold:
                pairs.add((min(aid, other), max(aid, other)))
    return pairs
