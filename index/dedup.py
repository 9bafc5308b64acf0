"""Near-duplicate detection across articles (syndicated or re-posted copies).

Each article gets a bottom-k MinHash sketch of its 5-word shingles: the k smallest CRC32 hashes.
Two sketches estimate the Jaccard resemblance of the shingle sets; copies with small edits
(another headline, a trimmed paragraph, an editor's line) score far above unrelated coverage
of the same story, which shares facts but not running text.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping

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
    sa, sb = set(a), set(b)
    union = sorted(sa | sb)[:SKETCH_SIZE]  # what heapq.nsmallest gives, in C: twice as fast
    both = len(sa.intersection(sb).intersection(union))
    return both / len(union)


def find_pairs(
    sketches: Mapping[str, list[int]], new_ids: Iterable[str], threshold: float = THRESHOLD
) -> set[tuple[str, str]]:
    """Pairs (a, b), a < b, of near-duplicates where at least one side is in ``new_ids``."""
    postings: dict[int, list[str]] = defaultdict(list)
    for aid, values in sketches.items():
        for h in values:
            postings[h].append(aid)
    pairs: set[tuple[str, str]] = set()
    for aid in new_ids:
        values = sketches.get(aid)
        if not values:
            continue
        shared: dict[str, int] = defaultdict(int)
        for h in values:
            for other in postings[h]:
                if other != aid:
                    shared[other] += 1
        for other, count in shared.items():
            if count >= _MIN_SHARED and resemblance(values, sketches[other]) >= threshold:
                pairs.add((min(aid, other), max(aid, other)))
    return pairs
