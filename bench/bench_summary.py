"""How well the card summarises: ROUGE-1/2 against the human summaries of multinews-dev, beside LexRank and Lead.

    python bench/bench_summary.py [--corpus ../shared/corpora/multinews-dev] [--limit N] [--keep DIR]

For every cluster, only its `article_*.txt` files are copied into a temporary folder and indexed into a
fresh library (as a user would); `summary.txt` is the reference and never an input. Then, at two lengths:

- the bottom line (1-3 sentences): brief's `Card.bottom_line`; LexRank and Lead cut to as many words as
  that bottom line has, cluster by cluster;
- 250 words: brief's `Card.summary` from `build_card(..., summary_words=250)`; LexRank and Lead cut to 250.

Every system chooses among the same sentences, the ones brief's extraction splits each article into
(briefs.sentences, the furniture filtering included), and is cut the same way (`fit`): its sentences in
its order of preference, each taken when it fits in what is left of the word budget (words = runs of
non-space characters), passed over otherwise, a sentence already taken (same text) never twice. No system
ever goes over the budget; the mean word counts are printed beside the scores.

- LexRank: sumy's LexRankSummarizer (sumy's English stop words and Snowball stemmer), its sentences ranked
  by sumy's own scores; all the cluster's articles as one document. sumy's tokenizer would need NLTK's
  punkt data: it gets the sentences above and a plain regex word tokenizer instead (nothing downloads).
- Lead: each article's sentences in its own order, the articles in turn (the first sentence of every
  article, then the second of every article, ...), articles in file order (article_01 first).
- Lead-1st: the articles one after the other in file order, each from its first sentence.

ROUGE: Google's `rouge-score` package (a re-implementation of ROUGE-1.5.5), `use_stemmer=True`: text is
lower-cased, every run of characters other than a-z and 0-9 is a token boundary, tokens are stemmed
with NLTK's Porter stemmer (code, no data), no stop words are removed. Reported: the mean over clusters
of F1 (and of recall, which is what is usually quoted at a fixed word budget), times 100. One run.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefs.card import build_card  # noqa: E402
from briefs.extract import ExtractionCache  # noqa: E402
from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "multinews-dev"
LENGTH = 250
_WORD = re.compile(r"\w[\w'’\-]*")


def words(text: str) -> int:
    return len(text.split())


def fit(ranked: list[str], budget: int, order: dict[str, int]) -> list[str]:
    """The sentences of ``ranked`` (best first) that fit in ``budget`` words, then in ``order`` (reading order)."""
    out: list[str] = []
    seen: set[str] = set()
    total = 0
    for s in ranked:
        key = " ".join(s.split())
        n = words(s)
        if key in seen or total + n > budget:
            continue
        out.append(s)
        seen.add(key)
        total += n
    return sorted(out, key=lambda s: order[s])


class Tokenizer:
    """What sumy asks of a tokenizer, without NLTK data: the sentences are already split."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return [paragraph]

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


def lexrank_ranking(sentences: list[str]) -> list[str]:
    """The sentences ranked by sumy's LexRank scores, best first (ties in document order)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    class Ranking(LexRankSummarizer):
        ratings: dict = {}

        def _get_best_sentences(self, sentences, count, rating, *args, **kwargs):
            self.ratings = rating
            return ()

    tok = Tokenizer()
    doc_sentences = [Sentence(s, tok) for s in sentences]
    summarizer = Ranking(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    summarizer(ObjectDocumentModel([Paragraph(doc_sentences)]), len(doc_sentences))
    score = {s: summarizer.ratings.get(d, 0.0) for s, d in zip(sentences, doc_sentences)}
    return sorted(sentences, key=lambda s: -score[s])  # stable: ties keep document order


def lead_in_turn(per_article: list[list[str]]) -> list[str]:
    out = []
    for i in range(max((len(a) for a in per_article), default=0)):
        out.extend(a[i] for a in per_article if i < len(a))
    return out


def cluster_systems(folder: Path, work: Path, cache: ExtractionCache) -> dict[str, dict[str, list[str]]]:
    """{length: {system: sentences}} for one cluster."""
    src = work / "src" / folder.name
    src.mkdir(parents=True)
    for f in sorted(folder.glob("article_*.txt")):
        shutil.copy(f, src / f.name)
    lib = Library(work / "lib" / folder.name)
    update(lib, [src])
    articles = list(lib.articles())
    card = build_card(articles, query=None, duplicates=lib.near_duplicates(), cache=cache, summary_words=LENGTH)
    by_file = sorted(articles, key=lambda a: Path(a.path).name)  # file order, article_01 first
    per_article = [[s.text for s in cache.get(a).sentences] for a in by_file]
    flat = [s for a in per_article for s in a]
    order: dict[str, int] = {}
    for n, s in enumerate(flat):
        order.setdefault(s, n)
    lex = lexrank_ranking(list(dict.fromkeys(flat)))
    bottom = [s.text for s in card.bottom_line]
    out = {}
    for length, mine in (("bottom line", bottom), (str(LENGTH), [s.text for s in card.summary])):
        budget = sum(map(words, bottom)) if length == "bottom line" else LENGTH
        out[length] = {"brief": mine, "LexRank": fit(lex, budget, order), "Lead": fit(lead_in_turn(per_article),
                       budget, order), "Lead-1st": fit(flat, budget, order)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N clusters")
    parser.add_argument("--keep", type=Path, default=None, help="work (libraries, extraction cache) in DIR, kept")
    args = parser.parse_args(argv)
    from rouge_score import rouge_scorer

    clusters = sorted(p for p in args.corpus.glob("cluster_*") if (p / "summary.txt").is_file())[:args.limit]
    if not clusters:
        print(f"no clusters under {args.corpus}", file=sys.stderr)
        return 2
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    scores: dict[tuple[str, str], list[tuple[float, ...]]] = {}
    lengths: dict[tuple[str, str], list[int]] = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="brief-bench-summary-") as tmp:
        work = args.keep or Path(tmp)
        if args.keep:
            shutil.rmtree(work / "src", ignore_errors=True)
            shutil.rmtree(work / "lib", ignore_errors=True)
        cache = ExtractionCache(work / "cache")
        for folder in clusters:
            reference = (folder / "summary.txt").read_text(encoding="utf-8")
            for length, systems in cluster_systems(folder, work, cache).items():
                for name, sentences in systems.items():
                    r = scorer.score(reference, " ".join(sentences))
                    scores.setdefault((length, name), []).append(
                        (r["rouge1"].fmeasure, r["rouge2"].fmeasure, r["rouge1"].recall, r["rouge2"].recall))
                    lengths.setdefault((length, name), []).append(sum(map(words, sentences)))
    seconds = time.perf_counter() - start
    print(f"ROUGE against multinews-dev summary.txt, {len(clusters)} clusters, one run ({seconds:.0f} s)\n")
    print("| length | system | mean words | R-1 F1 | R-2 F1 | R-1 recall | R-2 recall |")
    print("|---|---|---|---|---|---|---|")
    for (length, name), rows in scores.items():
        means = [100 * statistics.fmean(col) for col in zip(*rows)]
        print(f"| {length} | {name} | {statistics.fmean(lengths[length, name]):.0f} | "
              + " | ".join(f"{m:.2f}" for m in means) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
