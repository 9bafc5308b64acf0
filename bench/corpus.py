"""A synthetic news corpus for benchmarks: N plain-text articles, deterministic for a seed.

    python -m bench.corpus OUT N [--seed 1]

Each file has a headline line, sometimes a byline ("By Name" or "By Name, Outlet") and a date line,
then 4-10 paragraphs of 40-120 words drawn from a Zipf-distributed vocabulary (real function and news
words first, then a few thousand made-up but English-looking words), with invented people, places and
outlets, figures and quotes. Files go to subfolders of FILES_PER_FOLDER files (000/000000.txt, ...).

MARKERS are rare words put in an exact, known number of files (``expected_hits``), so searches have
predictable hit counts: "zephyrine" is in 1% of the files, "quillmoor" in 10%, "brackenfold" in 50%.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

FILES_PER_FOLDER = 1000
MARKERS = {"zephyrine": 0.01, "quillmoor": 0.10, "brackenfold": 0.50}
VOCABULARY_SIZE = 4000

_COMMON = """the of and to in a that is was for on said with as by at it from he his be an are have
has were not this which but they their had been who will its also after more would one two new
about than into over some other could when up there last while what all she her we first our can
before people year years only under against since during just government officials police city
state minister president report war forces military troops water river flood level levels
million percent country national support local region border talks deal plan week month day
time group told spokesman statement security election vote party leaders council court law
health hospital schools company market prices energy power oil gas workers strike union
attack ceasefire aid residents families village town capital north south east west district
army navy officials sources agency ministry budget billion economy bank rates inflation trade
meeting summit agreement crisis emergency rescue damage roads bridge dam rain storm coast
investigation evidence judge trial charges arrested released announced expected according
earlier later still however because where would should many most several least nearly almost
between across through around among within without toward despite following including
""".split()

_ONSETS = ["b", "br", "c", "ch", "cl", "cr", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m",
           "n", "p", "pl", "pr", "r", "s", "sh", "st", "t", "th", "tr", "v", "w"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
_CODAS = ["", "", "n", "r", "l", "s", "t", "nd", "rt", "st", "m", "ck"]
_SUFFIXES = ["", "", "", "s", "ed", "ing", "er", "ion", "ment", "ly", "ness", "al", "ity", "ive"]
_NAME_ENDS = ["a", "o", "en", "ar", "is", "el", "ina", "ov", "ez", "an"]
_PLACE_ENDS = ["ford", "ton", "ville", "burg", "mouth", "dale", "grad", "pur", "stad", "holm"]
_OUTLET_KINDS = ["Herald", "Tribune", "Courier", "Gazette", "Observer", "Post", "Ledger", "Dispatch"]
_ROLES = ["minister", "spokesperson", "analyst", "mayor", "commander", "official", "professor", "resident"]
_SAID = ["said", "told reporters", "said in a statement", "wrote on social media", "added"]


def _syllables(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(count))


def _made_up_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """English-looking words (one to three syllables plus a common suffix), none in ``taken``."""
    words: list[str] = []
    while len(words) < count:
        word = _syllables(rng, rng.choice((1, 1, 2, 2, 3))) + rng.choice(_SUFFIXES)
        if len(word) > 2 and word not in taken and not any(m[:6] in word for m in MARKERS):
            taken.add(word)
            words.append(word)
    return words


def _names(rng: random.Random, count: int, ends: list[str]) -> list[str]:
    return [(_syllables(rng, rng.choice((1, 2))) + rng.choice(ends)).capitalize() for _ in range(count)]


class _World:
    """Vocabulary with Zipf weights, and the invented people, places and outlets of one seed."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"world:{seed}")
        taken = set(_COMMON) | set(MARKERS)
        self.words = list(_COMMON) + _made_up_words(rng, VOCABULARY_SIZE - len(_COMMON), taken)
        self.cum_weights = list(itertools.accumulate(1.0 / rank ** 1.05 for rank in range(1, len(self.words) + 1)))
        firsts, lasts = _names(rng, 300, _NAME_ENDS), _names(rng, 600, _NAME_ENDS)
        self.people = [f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(1500)]
        self.places = _names(rng, 400, _PLACE_ENDS)
        self.outlets = [f"The {p} {rng.choice(_OUTLET_KINDS)}" for p in rng.sample(self.places, 60)]
        self.entities = self.people + self.places


def _figure(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"{rng.randrange(2, 40) * 500:,}"
    if kind == 1:
        return f"{rng.randrange(1, 99)} percent"
    if kind == 2:
        return f"${rng.randrange(1, 90) / 10:.1f} million"
    return str(rng.randrange(3, 400))


def _sentences(rng: random.Random, words: list[str]) -> list[str]:
    """Cut ``words`` into sentences of 8-25 words (the last one at least 4)."""
    sentences, start = [], 0
    while start < len(words):
        end = start + rng.randrange(8, 26)
        if len(words) - end < 4:
            end = len(words)
        sentence = words[start:end]
        sentences.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
        start = end
    return sentences


def _quoted(rng: random.Random, world: _World, sentence: str) -> str:
    role = rng.choice(_ROLES)
    who = f"{rng.choice(world.people)}, {'an' if role[0] in 'aeiou' else 'a'} {role} in {rng.choice(world.places)}"
    return f'"{sentence[:-1]}," {rng.choice(_SAID)} {who}.'


def _paragraph(rng: random.Random, world: _World, markers: list[str]) -> str:
    """40-120 words: Zipf words with a name, place or figure every ~9 words, sometimes a quote."""
    target = rng.randrange(40, 105)
    words = rng.choices(world.words, cum_weights=world.cum_weights, k=target)
    for slot in rng.choices(range(1, target), k=target // 9):
        words[slot] = rng.choice(world.entities) if rng.random() < 0.8 else _figure(rng)
    sentences = _sentences(rng, words)
    if len(sentences) > 1 and rng.random() < 0.4:
        at = rng.randrange(1, len(sentences))
        sentences[at] = _quoted(rng, world, sentences[at])
    sentences.extend(f"Observers mentioned the {word} again." for word in markers)
    return " ".join(sentences)


def _header(rng: random.Random, world: _World) -> list[str]:
    """Headline, then maybe a byline (with or without outlet) and a date line."""
    words = rng.choices(world.words, cum_weights=world.cum_weights, k=rng.randrange(5, 11))
    words[rng.randrange(len(words))] = rng.choice(world.places)
    lines = [" ".join(w.capitalize() for w in words)]
    roll = rng.random()
    if roll < 0.25:
        lines.append(f"By {rng.choice(world.people)}, {rng.choice(world.outlets)}")
    elif roll < 0.45:
        lines.append(f"By {rng.choice(world.people)}")
    if rng.random() < 0.5:
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        lines.append(f"Published: {day:%B} {day.day}, {day.year}")
    return lines


def article_text(seed: int, number: int, world: _World, markers: list[str]) -> str:
    """The text of file ``number``; the same for the same seed whatever N is (markers aside)."""
    rng = random.Random(seed * 1_000_003 + number)
    lines = _header(rng, world)
    paragraphs = [_paragraph(rng, world, []) for _ in range(rng.randrange(4, 11))]
    if markers:
        at = rng.randrange(len(paragraphs))
        paragraphs[at] = _paragraph(rng, world, markers)
    return "\n".join(lines) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def expected_hits(word: str, n: int) -> int:
    """How many of the N files hold the marker ``word``."""
    return max(1, round(MARKERS[word] * n))


def _marker_plan(n: int, seed: int) -> dict[int, list[str]]:
    plan: dict[int, list[str]] = {}
    for word in MARKERS:
        for number in random.Random(f"{seed}:{word}").sample(range(n), expected_hits(word, n)):
            plan.setdefault(number, []).append(word)
    return plan


def file_path(out_dir: Path, number: int) -> Path:
    return out_dir / f"{number // FILES_PER_FOLDER:03d}" / f"{number:06d}.txt"


def generate(out_dir: Path, n: int, seed: int = 1) -> list[Path]:
    """Write N articles under ``out_dir`` (created if needed) and return their paths in order."""
    out_dir = Path(out_dir)
    world = _World(seed)
    markers = _marker_plan(n, seed)
    paths = []
    for number in range(n):
        path = file_path(out_dir, number)
        if number % FILES_PER_FOLDER == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_text(seed, number, world, markers.get(number, [])), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description="Write a synthetic news corpus.")
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.out, args.n, args.seed)
    seconds = time.perf_counter() - started
    markers = ", ".join(f"{w} in {expected_hits(w, args.n)}" for w in MARKERS)
    print(f"{len(paths)} articles in {args.out} ({seconds:.1f}s); markers: {markers}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
