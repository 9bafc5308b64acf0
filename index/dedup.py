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
