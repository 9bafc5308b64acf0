"""Speed of the terminal app on a big library, headless (App.run_test), in one process.

    python -m bench.bench_tui [--corpus real|synthetic] [--size 20000] [--searches 1000] [--keep DIR]
                              [--seed 1] [--library DIR]

Over a library built by `brief index` from a corpus of --size articles: ``real`` (the default) is
bench.realcorpus, sentences of the real multinews-dev articles grouped into articles (needs
../shared/corpora/multinews-dev); ``synthetic`` is bench.corpus, Zipf-drawn made-up words (the same corpus
as bench.bench_index). With --keep DIR a corpus and library already there are reused; --library DIR uses a
library as it is (its queries are then taken from the real text when --corpus is real).

The queries (--corpus real) come from the real text and the library's own statistics: words held by
about 1%, 10%, 50% and 99% of the articles (the closest the library has; the share is reported), two
words of one real sentence, the three commonest two-word phrases ("last year"), wildcards over the
commonest three-letter prefixes (``con*``) and fuzzy terms (``econ~``). Each figure is reported per kind,
over the first time each query is typed (a query typed again is answered from the screen's cache).
Measured:
  1. first paint: from creating BriefApp to the home list (newest articles) painted; target < 0.5 s.
     Also the import time of tui.app, which a real start pays on top (reported apart);
  2. keystroke to updated results: a query typed into the query bar (the debounce set to 0, so that
     this is the search, the message and the repaint; while typing the 150 ms debounce comes first),
     timed until a frame showing the new results has been written (the result list notes when it draws
     the new page; the compositor writes the frame in the same call); p50 and p95 over words of every frequency and
     two-word, phrase, wildcard and field queries; target p95 < 100 ms. The next query is typed at
     once, while the hit count and the outlet facets of the previous one are still being counted in
     the background (as when typing). Queries typed before are served from the screen's cache: their
     share and the figures over first-time queries alone are reported too. Every 10th query also waits
     for the exact count and the facets (reported apart);
  3. opening an article: from open_article() to the reader having painted the text; target < 100 ms.
     The related articles come after the paint (reported apart). Then the longest article of the library
     (the most paragraphs of the 5 biggest files), opened 10 times: until its text is drawn, then ``]``
     typed at once until the moved cursor is drawn, then (the related articles listed) ``G`` until the
     cursor on the last paragraph is drawn, and the longest time the event loop did not run (open_longest);
  4. memory: resident set size after every 100 of --searches searches; steady = the last value within
     10% of the one after the first 100;
  5. the UI held: while each query runs, the longest interval in which the event loop did not run (a
     task that sleeps 1 ms and notes how late it wakes). A frozen UI (work on the UI thread, or a worker
     holding the interpreter lock) shows as a long gap; target: none over FREEZE_GAP. Then a newer
     keystroke after a wildcard or fuzzy query: a fuzzy or wildcard query is typed, and 20 ms later a
     plain word; the time until the word's results are drawn shows whether the newer keystroke waited
     for the older query (it should cancel it).
Earlier versions waited with Pilot.pause(), which returns only once the whole process has been idle
for 20 ms: a floor of 20 ms on every figure, and background work (counting, related articles) counted
as if the user waited for it.
Figures go to stdout as a Markdown table and to bench/out/tui-<size>-real.md (tui-<size>.md for the
synthetic corpus). Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_index import OUT_DIR, brief_cmd, checked, prepare_corpus, say  # noqa: E402
from bench.corpus import MARKERS  # noqa: E402

FIRST_PAINT_TARGET = 0.5
P95_TARGET = 0.100
OPEN_TARGET = 0.100
HOLD_TARGET = 1.0  # no query the app runs (search, count, related articles) holds its result longer than this
FREEZE_GAP = 0.100  # the event loop not running for longer than this while a query runs: the UI held
NEWER_AFTER = 0.020  # the newer keystroke, this long after a fuzzy or wildcard query was typed
KINDS = ("word ~1%", "word ~10%", "word ~50%", "word ~99%", "word of a title", "two words", "phrase", "wildcard",
         "fuzzy", "other")
FURNITURE_WORDS = {"caption", "getty", "images", "image", "photo", "photos"}  # "hide caption" (NPR pages) is
# the commonest two-word sequence the cleaning leaves in multinews-dev: not a phrase anyone searches for
LEVELS = {"word ~1%": 0.01, "word ~10%": 0.10, "word ~50%": 0.50, "word ~99%": 0.99}


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def build_library(work: Path, size: int, seed: int, kind: str = "real") -> Path:
    """The library of ``size`` articles of the ``kind`` corpus (real: bench.realcorpus; synthetic:
    bench.corpus), indexed by `brief index` once and reused while the corpus's stamp is unchanged."""
    if kind == "real":
        from bench import realcorpus

        corpus, _ = realcorpus.prepare(work, size, seed)
        want = realcorpus.stamp_text(size, seed)
        library, stamp = work / f"library-real-{size}", work / f"library-real-{size}.stamp"
    else:
        corpus, _ = prepare_corpus(work, size, seed)
        want = f"{size} {seed}"
        library, stamp = work / f"library-{size}", work / f"library-{size}.stamp"
    if not (stamp.is_file() and stamp.read_text() == want and (library / "manifest.json").is_file()):
        shutil.rmtree(library, ignore_errors=True)
        say(f"[{size}] brief index of the {kind} corpus… (a few minutes at 20k)")
        checked(brief_cmd(library, "index", "--quiet", str(corpus)), "brief index", cwd=work)
        stamp.write_text(want)
    return library


def kind_of(q: str) -> str:
    """The kind of a query of the synthetic set (the real set names its kinds)."""
    if "~" in q:
        return "fuzzy"
    if "*" in q:
        return "wildcard"
    if '"' in q:
        return "phrase"
    if ":" in q or any(op in q.split() for op in ("OR", "NOT", "AND")):
        return "other"
    if " " in q.strip():
        return "two words"
    return {"zephyrine": "word ~1%", "quillmoor": "word ~10%", "brackenfold": "word ~50%"}.get(q.strip(), "word of a title")


def synthetic_queries(library_root: Path, n: int, seed: int) -> tuple[list[tuple[str, str]], dict, list[tuple]]:
    """The synthetic set: ([(kind, query)] * n, notes, [(kind, older query, newer word)])."""
    qs = queries(library_root, n, seed)
    newer = [("wildcard", "bra*", "zephyrine"), ("wildcard", "cla*", "quillmoor"), ("fuzzy", "wates~", "minister"),
             ("fuzzy", "polise~", "report")]
    notes = {"word ~1%": "zephyrine (1%)", "word ~10%": "quillmoor (10%)", "word ~50%": "brackenfold (50%)",
             "word of a title": "words of the library's titles", "other": "fields, OR, NOT"}
    return [(kind_of(q), q) for q in qs], notes, newer


def queries(library_root: Path, n: int, seed: int) -> list[str]:
    """Words of every frequency from the library's own titles, and some query shapes (the synthetic set)."""
    from index.library import Library

    rng = random.Random(seed)
    rows = Library(library_root).catalog()
    words = sorted({w.lower().strip(".,;:’'\"") for r in rows[:3000] for w in r["title"].split()
                    if len(w) > 3 and w.isalpha()})
    shapes = [*MARKERS, "water", "minister", "dam flood", '"the government"', "bri*", "outlet:herald water",
              "date:2025-03 report", "flood OR storm", "police NOT court"]
    out = []
    while len(out) < n:
        out.append(rng.choice(shapes) if rng.random() < 0.3 else rng.choice(words))
    return out


def _closest(share: dict[str, float], target: float, k: int, skip: set[str]) -> list[str]:
    """The ``k`` words whose share of articles is closest to ``target`` (on a log scale)."""
    import math

    ranked = sorted((abs(math.log(f / target)), w) for w, f in share.items() if f > 0 and w not in skip)
    near = [w for d, w in ranked[:k] if d <= math.log(1.5)]  # within 1.5x of the target share
    return near if len(near) >= 3 else [w for _, w in ranked[:3]]


def real_queries(library_root: Path, n: int, seed: int) -> tuple[list[tuple[str, str]], dict, list[tuple]]:
    """The real set, from the real sentences and the library's own document frequencies:
    ([(kind, query)] of length n: every distinct query once in a shuffled order, then repeats), notes
    (per kind, which words at which share of articles), the newer keystrokes [(kind, older query, newer word)]."""
    from collections import Counter

    from whoosh.analysis import STOP_WORDS

    from bench.realcorpus import read_pool, words_of
    from index.library import Library

    rng = random.Random(seed)
    pool = read_pool()
    counts = Counter(w for sentence in pool.sentences for w in words_of(sentence))
    with Library(library_root).open_index().searcher() as s:
        reader, field = s.reader(), s.schema["body"]
        articles = reader.doc_count()

        def term(word: str) -> str | None:
            tokens = [t.text for t in field.analyzer(word, mode="query")]
            return tokens[0] if len(tokens) == 1 else None

        share: dict[str, float] = {}
        terms_seen: set[str] = set()
        for word, c in counts.most_common():  # the commonest spelling of a stem stands for it
            if c < 2 or len(word) < 2 or not word.isalpha():
                continue
            t = term(word)
            if t is None or t in terms_seen:
                continue
            terms_seen.add(t)
            df = reader.doc_frequency("body", t)
            if df:
                share[word] = df / articles
        prefixes = Counter(t[:3] for t in reader.field_terms("body") if len(t) > 3 and t[:3].isalpha())

    by_kind: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    used: set[str] = set()
    typed = {w: f for w, f in share.items() if len(w) >= 4}  # single-word queries: words of 4 letters or more
    for kind, target in LEVELS.items():
        words = _closest(typed, target, 20, used)
        used.update(words)
        by_kind[kind] = words
        lo, hi = min(share[w] for w in words), max(share[w] for w in words)
        notes[kind] = f"{len(words)} words in {lo:.1%}–{hi:.1%} of articles (e.g. {', '.join(words[:3])})"
    later = _closest(typed, 0.01, 20, used)  # fresh words for the newer keystrokes
    content = {w for w, f in typed.items() if 0.002 <= f <= 0.3}
    pairs: list[str] = []
    for sentence in rng.sample(pool.sentences, len(pool.sentences)):
        ws = list(dict.fromkeys(w for w in words_of(sentence) if w in content))
        if len(ws) >= 2:
            a, b = rng.sample(ws, 2)
            pairs.append(f"{a} {b}")
        if len(pairs) == 40:
            break
    by_kind["two words"] = pairs
    notes["two words"] = f"{len(pairs)} pairs of words from one real sentence (e.g. {pairs[0]})"
    bigrams: Counter = Counter()
    for sentence in pool.sentences:
        ws = words_of(sentence)
        bigrams.update((a, b) for a, b in zip(ws, ws[1:])
                       if a.isalpha() and b.isalpha() and a not in STOP_WORDS and b not in STOP_WORDS
                       and share.get(a, 1) <= 0.3 and share.get(b, 1) <= 0.3 and not {a, b} & FURNITURE_WORDS)
    phrases = [f'"{a} {b}"' for (a, b), _ in bigrams.most_common(3)]  # function words (share > 30%) left out
    by_kind["phrase"] = phrases
    notes["phrase"] = "the 3 commonest: " + ", ".join(phrases)
    common = [p for p, _ in prefixes.most_common(8)]
    by_kind["wildcard"] = [f"{p}*" for p in common[:5]]
    notes["wildcard"] = "the commonest 3-letter prefixes: " + ", ".join(by_kind["wildcard"])
    stems4 = list(dict.fromkeys(w[:4] for w in by_kind["word ~10%"] + by_kind["word ~50%"] if w[:4] != "econ"))
    by_kind["fuzzy"] = ["econ~", *[f"{st}~" for st in stems4[:9]]]
    notes["fuzzy"] = "econ~ and 4-letter stems of common words: " + ", ".join(by_kind["fuzzy"][1:4]) + ", …"
    newer = [("wildcard", f"{p}*") for p in common[5:8]]
    newer += [("fuzzy", f"{st}~") for st in stems4[9:12]] + [("fuzzy", "presid~")]
    newer = [(kind, q, later[i % len(later)]) for i, (kind, q) in enumerate(newer)]

    distinct = [(kind, q) for kind, qs in by_kind.items() for q in qs]
    rng.shuffle(distinct)
    out = list(distinct[:n])
    while len(out) < n:
        out.append(rng.choice(distinct))
    return out, notes, newer


class LoopWatch:
    """The longest interval in which the event loop did not run: a task sleeps 1 ms and notes how late
    it wakes. ``reset()`` starts a new interval of interest, ``worst`` is its longest gap."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._last = time.perf_counter()
        self._task: asyncio.Task | None = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.worst = max(self.worst, now - self._last)
            self._last = now

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._tick())

    def reset(self) -> None:
        self._last, self.worst = time.perf_counter(), 0.0

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


_FRAME = asyncio.Event()
_DRAWN: dict = {"cursor": None, "frames": 0}  # the reader's text as last drawn (see _watch_frames)
LONGEST_ROUNDS = 10


def _watch_frames() -> None:
    """Wake the waiting bench when the result list or the article's text is drawn (rather than polling
    the app every half millisecond, which competes with the search thread for the interpreter lock).
    What the reader's text was drawn with goes to _DRAWN (its paragraph cursor)."""
    import tui.screens.reader as reader
    from tui.widgets.results import ResultList

    # the reader's text: one line view (tui.widgets.lineview), or a widget per paragraph before it
    body = getattr(reader, "ArticleView", None) or reader.Paragraph
    for cls in (ResultList, body):
        if getattr(cls, "_bench_watched", False):
            continue
        cls._bench_watched = True

        def render_lines(self, crop, _orig=cls.render_lines, _body=cls is body):
            lines = _orig(self, crop)
            if _body:
                _DRAWN["cursor"] = getattr(self.screen, "cursor", None)
                _DRAWN["frames"] += 1
            _FRAME.set()
            return lines

        cls.render_lines = render_lines


def _state_apart(library_root: Path) -> None:
    """The user state (articles opened are marked read), briefs and card history the app writes go to a
    temporary folder, never into the library measured (the shared bench libraries are read only)."""
    import atexit

    import index.cardhistory
    import index.pins
    import index.userstate

    apart = Path(tempfile.mkdtemp(prefix="brief-bench-tui-state-"))
    atexit.register(shutil.rmtree, apart, True)
    for module, name in ((index.userstate, "userstate"), (index.pins, "briefs"), (index.cardhistory, "cards")):
        (apart / name).mkdir()
        real = module.folder_for
        module.folder_for = (lambda root, real=real, name=name:
                             apart / name if Path(root).resolve() == library_root.resolve() else real(root))


async def _until(condition, timeout: float = 30.0, poll: float = 0.005) -> None:
    """Wait for ``condition()``: checked whenever a watched widget is drawn, and every ``poll`` seconds."""
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the app did not get there in time")
        _FRAME.clear()
        try:
            await asyncio.wait_for(_FRAME.wait(), poll)
        except asyncio.TimeoutError:
            pass


async def _type(screen, inp, q: str) -> float:
    """Type ``q`` into the query bar; seconds until a frame showing its first page has been drawn."""
    t0 = time.perf_counter()
    inp.value = q
    gen = screen.generation + 1
    await _until(lambda: screen.generation >= gen and screen.painted >= gen)
    return time.perf_counter() - t0


async def run(library_root: Path, searches: int, seed: int, corpus: str = "real") -> dict:
    from index.library import Library

    started = time.perf_counter()
    import tui.app  # noqa: F401
    from tui.screens.search import SearchScreen

    import_s = time.perf_counter() - started
    _watch_frames()
    _state_apart(library_root)
    os.environ["BRIEF_CONFIG"] = str(library_root / "no-config.toml")
    SearchScreen.debounce = 0
    figures: dict = {"import": import_s, "corpus": corpus}
    make = real_queries if corpus == "real" else synthetic_queries
    qs, figures["notes"], newer = make(library_root, searches, seed)
    watch = LoopWatch()

    started = time.perf_counter()
    app = tui.app.BriefApp(Library(library_root))
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(lambda: isinstance(app.screen, SearchScreen) and app.screen.painted >= 1)
        figures["first_paint"] = time.perf_counter() - started
        screen = app.screen
        figures["articles"] = screen.total
        await pilot.pause()
        watch.start()

        inp = screen.query_one("#query")
        latencies: list[float] = []
        fresh: dict[str, list[tuple[float, float, str]]] = {k: [] for k in KINDS}  # (seconds, worst gap, query)
        counted: list[float] = []
        counted_q: list[str] = []
        memory: list[float] = []
        gaps: list[float] = []
        failed: list[str] = []
        seen: set[str] = set()
        for n, (kind, q) in enumerate(qs, 1):
            if inp.value == q:
                q = q + " "
            watch.reset()
            t0 = time.perf_counter()
            latencies.append(await _type(screen, inp, q))
            gaps.append(watch.worst)
            if watch.worst >= max(gaps):
                figures["worst_gap_query"] = q.strip()
            if screen.error:
                failed.append(f"{q.strip()}: {screen.error}")
            if q.strip() not in seen:
                fresh[kind].append((latencies[-1], watch.worst, q.strip()))
                seen.add(q.strip())
            if n % 10 == 0:
                await _until(lambda: not screen.counting)
                counted.append(time.perf_counter() - t0)
                counted_q.append(q.strip())
            if n % 100 == 0:
                memory.append(rss_mb())
        figures.update(latencies=latencies, fresh=fresh, counted=counted, counted_q=counted_q, memory=memory or [rss_mb()], gaps=gaps,
                       failed=failed)

        # a newer keystroke right after a wildcard or fuzzy query: does it wait for the older one?
        after: list[tuple[str, str, float, float, float]] = []  # (kind, older, alone, newer's results, worst gap)
        for kind, older, word in newer:
            await _until(lambda: not screen.counting)
            await pilot.pause()
            watch.reset()
            t0 = time.perf_counter()
            inp.value = older
            await asyncio.sleep(NEWER_AFTER)
            t1 = time.perf_counter()
            await _type(screen, inp, word)
            newer_s = time.perf_counter() - t1
            gap = watch.worst
            await app.workers.wait_for_complete()  # the older query's worker, if it ran on
            alone = time.perf_counter() - t0
            after.append((kind, older, alone, newer_s, gap))
        figures["newer"] = after

        await pilot.press("escape")
        await pilot.pause()
        rows = app.catalog()
        rng = random.Random(seed)
        word = next(q for k, q in qs if k == "word ~10%") if any(k == "word ~10%" for k, _ in qs) else "water"
        opens, related, open_gaps, sizes = [], [], [], []
        for row in rng.sample(rows, 30):
            watch.reset()
            t0 = time.perf_counter()
            app.open_article(row["id"], query=word)
            await _until(lambda: type(app.screen).__name__ == "ReaderScreen" and app.screen.painted)
            opens.append(time.perf_counter() - t0)
            sizes.append(len(getattr(app.screen.article, "paragraphs", ()) or ()))
            await _until(lambda: app.screen.related_done)
            related.append(time.perf_counter() - t0)
            open_gaps.append(watch.worst)
            app.back()
            await pilot.pause()
        figures.update(opens=opens, related=related, open_gaps=open_gaps, sizes=sizes)
        figures["longest"] = await open_longest(app, pilot, watch, rows, word)
        watch.stop()
        await app.workers.wait_for_complete()
    return figures


def _send_key(app, key: str, char: str | None) -> None:
    """A key as the terminal sends it, without Pilot.press (which waits for the app to be idle).
    Textual's private driver API (pinned 8.2.8), as Pilot does it."""
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def open_longest(app, pilot, watch, rows: list[dict], word: str) -> dict:
    """The longest article of the library (the most paragraphs of the 5 biggest files) opened
    LONGEST_ROUNDS times: open_article() (what enter on a hit calls) until a frame with its text is
    drawn; then ] typed at once (the related articles are being looked for meanwhile), until a frame with
    the cursor on the second paragraph is drawn; once the related articles are listed, G (to the last
    paragraph), until that frame is drawn; the longest the event loop did not run over it all."""
    def size(row: dict) -> int:
        try:
            return os.stat(row["path"]).st_size
        except (OSError, KeyError, TypeError, ValueError):
            return 0

    biggest = sorted(rows, key=size, reverse=True)[:5]
    longest = max(biggest, key=lambda r: len(app.get_article(r["id"]).paragraphs))
    n = len(app.get_article(longest["id"]).paragraphs)
    opened, keyed, ended, gaps = [], [], [], []
    for _ in range(LONGEST_ROUNDS):
        await pilot.pause()
        watch.reset()
        t0 = time.perf_counter()
        app.open_article(longest["id"], query=word)
        await _until(lambda: type(app.screen).__name__ == "ReaderScreen" and app.screen.painted)
        opened.append(time.perf_counter() - t0)
        t1 = time.perf_counter()
        _send_key(app, "right_square_bracket", "]")
        await _until(lambda: _DRAWN["cursor"] == 1)
        keyed.append(time.perf_counter() - t1)
        await _until(lambda: app.screen.related_done)  # its thread competes for the interpreter lock
        t2 = time.perf_counter()
        _send_key(app, "G", "G")
        await _until(lambda: _DRAWN["cursor"] == n - 1)
        ended.append(time.perf_counter() - t2)
        gaps.append(watch.worst)
        app.back()
    await pilot.pause()
    return {"paragraphs": n, "chars": sum(map(len, app.get_article(longest["id"]).paragraphs)),
            "opened": opened, "keyed": keyed, "ended": ended, "gaps": gaps}


def _ms(x: float) -> str:
    return f"{x * 1000:.0f}"


def report(size: int, f: dict) -> str:
    lat, opens, mem = f["latencies"], f["opens"], f["memory"]
    counted, related = f["counted"] or [0.0], f["related"] or [0.0]
    steady = bool(mem) and mem[-1] <= mem[0] * 1.10
    every_fresh = [x for rows in f["fresh"].values() for x in rows]
    slowest = max(every_fresh, key=lambda x: x[0]) if every_fresh else (max(lat), 0.0, "?")
    query_gap = max(f["gaps"] + [g for *_, g in f["newer"]])
    open_gap = max(f["open_gaps"])
    slowest_open = max(range(len(opens)), key=lambda i: opens[i])
    after_paint = [r - o for r, o in zip(f["related"], opens)] or [0.0]
    counted_q = f.get("counted_q") or ["?"] * len(f["counted"])
    held = max([(slowest[0], f"first page of `{slowest[2]}`")]
               + [(c, f"exact count and facets of `{q}`") for c, q in zip(f["counted"], counted_q)]
               + [(a, "related articles of an opened article") for a in after_paint])

    def ok(flag: bool) -> str:
        return "ok" if flag else "MISSED"

    rows = [
        ("Articles in the library", f"{f['articles']:,} ({f['corpus']} corpus)", "", ""),
        ("Import of tui.app (paid once at start)", f"{_ms(f['import'])} ms", "", ""),
        ("First paint (app created → home list shown)", f"{_ms(f['first_paint'])} ms",
         f"< {_ms(FIRST_PAINT_TARGET)} ms", ok(f["first_paint"] < FIRST_PAINT_TARGET)),
        (f"Keystroke → updated results, p50 / p95 (all {len(lat)} queries, repeats from the screen's cache)",
         f"{statistics.median(lat) * 1000:.1f} / {p95(lat) * 1000:.1f} ms", f"p95 < {_ms(P95_TARGET)} ms",
         ok(p95(lat) < P95_TARGET)),
        (f"… first-time queries only ({len(every_fresh)}), p50 / p95",
         f"{statistics.median([x[0] for x in every_fresh]) * 1000:.1f} / {p95([x[0] for x in every_fresh]) * 1000:.1f} ms"
         if every_fresh else "–", f"p95 < {_ms(P95_TARGET)} ms", ok(bool(every_fresh) and p95([x[0] for x in every_fresh]) < P95_TARGET)),
        ("… the slowest query", f"{_ms(slowest[0])} ms (`{slowest[2]}`)", "", ""),
        (f"Keystroke → exact count and outlet facets, p50 / p95 ({len(counted)})",
         f"{_ms(statistics.median(counted))} / {_ms(p95(counted))} ms", "", ""),
        (f"Open an article, median / max ({len(opens)}; the slowest has {f['sizes'][slowest_open]} paragraphs)",
         f"{statistics.median(opens) * 1000:.1f} / {_ms(max(opens))} ms",
         f"< {_ms(OPEN_TARGET)} ms", ok(statistics.median(opens) < OPEN_TARGET)),
        (f"Open the longest article ({f['longest']['paragraphs']} paragraphs, {f['longest']['chars']:,} characters), "
         f"median / max of {len(f['longest']['opened'])} (open_article() → its text drawn)",
         f"{statistics.median(f['longest']['opened']) * 1000:.1f} / {_ms(max(f['longest']['opened']))} ms",
         f"< {_ms(OPEN_TARGET)} ms", ok(max(f["longest"]["opened"]) < OPEN_TARGET)),
        ("… then ] typed at once (related articles being looked for) → the cursor drawn on ¶ 2, median / max",
         f"{statistics.median(f['longest']['keyed']) * 1000:.1f} / {_ms(max(f['longest']['keyed']))} ms", "", ""),
        ("… then, the related articles listed, G → the cursor drawn on the last ¶, median / max",
         f"{statistics.median(f['longest']['ended']) * 1000:.1f} / {_ms(max(f['longest']['ended']))} ms", "", ""),
        ("… the longest time the event loop did not run (open, ], related, G)", f"{_ms(max(f['longest']['gaps']))} ms",
         f"< {_ms(FREEZE_GAP)} ms (no freeze)", ok(max(f["longest"]["gaps"]) < FREEZE_GAP)),
        ("Open an article → related articles listed, median / max",
         f"{_ms(statistics.median(related))} / {_ms(max(related))} ms", "", ""),
        ("… related articles after the article was painted, median / max",
         f"{_ms(statistics.median(after_paint))} / {_ms(max(after_paint))} ms", f"< {_ms(HOLD_TARGET)} ms",
         ok(max(after_paint) < HOLD_TARGET)),
        ("Slowest result the app held back: first page, exact count or related articles",
         f"{_ms(held[0])} ms ({held[1]})", f"< {_ms(HOLD_TARGET)} ms", ok(held[0] < HOLD_TARGET)),
        ("Longest time the event loop did not run while a query ran (any kind, newer keystrokes too)",
         f"{_ms(query_gap)} ms" + (f" (`{f['worst_gap_query']}`)" if max(f["gaps"]) >= query_gap and f.get("worst_gap_query") else ""), f"< {_ms(FREEZE_GAP)} ms (no freeze)", ok(query_gap < FREEZE_GAP)),
        ("… while an article opened (until its related articles were listed)", f"{_ms(open_gap)} ms",
         f"< {_ms(FREEZE_GAP)} ms (no freeze)", ok(open_gap < FREEZE_GAP)),
        ("RSS after 100 / 500 / all searches",
         " / ".join(f"{m:.0f}" for m in (mem[0], mem[min(4, len(mem) - 1)], mem[-1])) + " MB",
         "steady (±10%)", ok(steady)),
    ]
    lines = [f"### bench_tui at {size:,} articles, {f['corpus']} corpus ({sys.platform}, Python {sys.version.split()[0]})", "",
             "| measure | value | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "Per kind of query, the first time each is typed (keystroke → results drawn; the longest the event "
              "loop did not run while it ran):", "",
              "| kind | queries | p50 | p95 | max (query) | longest loop gap | what |", "|---|---|---|---|---|---|---|"]
    for kind in KINDS:
        xs = f["fresh"].get(kind) or []
        if not xs:
            continue
        secs = [x[0] for x in xs]
        top = max(xs, key=lambda x: x[0])
        lines.append(f"| {kind} | {len(xs)} | {_ms(statistics.median(secs))} ms | {_ms(p95(secs))} ms | "
                     f"{_ms(top[0])} ms (`{top[2]}`) | {_ms(max(x[1] for x in xs))} ms | {f['notes'].get(kind, '')} |")
    if f["newer"]:
        lines += ["", f"A newer keystroke {_ms(NEWER_AFTER)} ms after a wildcard or fuzzy query (a plain word typed "
                  "over it): until the word's results are drawn, against the older query's whole run:", "",
                  "| older query | its worker, from typing to done | the newer word's results | longest loop gap |",
                  "|---|---|---|---|"]
        for kind, older, alone, newer_s, gap in f["newer"]:
            lines.append(f"| `{older}` ({kind}) | {_ms(alone)} ms | {_ms(newer_s)} ms | {_ms(gap)} ms |")
    if f["failed"]:
        lines += ["", f"{len(f['failed'])} queries answered with a message: " + "; ".join(sorted(set(f["failed"]))[:6])]
    lines += ["", "Query latency excludes the 150 ms typing debounce (set to 0 here); it includes the Whoosh "
              "search of one page (with its snippets), the message and the repaint, until the frame is drawn. "
              "The exact hit count and the outlet facets follow from a background count."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_tui", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("real", "synthetic"), default="real",
                        help="real: sentences of multinews-dev articles (bench.realcorpus); synthetic: bench.corpus")
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep the corpus and library")
    parser.add_argument("--library", type=Path, help="use this existing library instead of building one")
    args = parser.parse_args(argv)
    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="brief-bench-tui-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        library = args.library.resolve() if args.library else build_library(work, args.size, args.seed, args.corpus)
        say(f"[{'library' if args.library else args.size}] app ({args.corpus} corpus): first paint, {args.searches} searches, 30 articles opened…")
        figures = asyncio.run(run(library, args.searches, args.seed, args.corpus))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    text = report(figures["articles"], figures)
    print(text, flush=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.corpus == "synthetic" else "-real"
    (OUT_DIR / f"tui-{figures['articles']}{suffix}.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
