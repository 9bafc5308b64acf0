"""A card is a function of the articles' content and metadata: never of file names, folders, ids or the
order the articles were read in (issue 10). The same files under other names give the same card."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from briefs.card import build_card
from briefs.compare import compare
from index.indexer import update
from index.library import Library

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
DEMO = ROOT / "index" / "demo"


def _library(tmp: Path, files: list[Path], names: list[str]) -> Library:
    src = tmp / "src"
    for f, name in zip(files, names):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, src / name)
    lib = Library(tmp / "lib")
    update(lib, [src], rebuild=True)
    return lib


def _canonical(lib: Library, data: dict, articles) -> str:
    """The JSON with every id and path replaced by a name derived from the article's content."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    for a in articles:
        text = text.replace(json.dumps(a.path, ensure_ascii=False)[1:-1], "PATH")
        text = text.replace(a.id, "A" + a.content_hash[:10])
    return text


def _card(lib: Library, shuffle: int) -> str:
    articles = [lib.get(row["id"]) for row in lib.catalog()]
    random.Random(shuffle).shuffle(articles)
    card = build_card(articles, query="q", duplicates=lib.near_duplicates()).to_json()
    card.pop("generated")
    return _canonical(lib, card, articles)


def _names(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    folders = ["", "inbox/", "z/older/", "a/"]
    names = [f"{rng.choice(folders)}{rng.randrange(10**6):06d}-{k}" for k in range(n)]
    rng.shuffle(names)
    return names


@pytest.mark.parametrize("folder", [DEMO, SEEDS], ids=["demo", "seeds"])
def test_the_same_files_under_other_names_give_the_same_card(tmp_path, folder):
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".md", ".html"))
    assert len(files) >= 5
    first = _library(tmp_path / "one", files, [f"{n:03d}{f.suffix}" for n, f in enumerate(files)])
    second = _library(tmp_path / "two", files, [n + f.suffix for n, f in zip(_names(len(files), 3), files)])
    assert {a["id"] for a in first.catalog()}.isdisjoint(a["id"] for a in second.catalog())  # other ids
    one, two = _card(first, shuffle=1), _card(second, shuffle=2)
    assert json.loads(one)["facts"] == json.loads(two)["facts"]  # facts, grades and passages first: the clearest diff
    assert one == two


def test_a_comparison_does_not_depend_on_the_order_the_articles_are_given(tmp_path):
    files = sorted(DEMO.glob("*.md"))[:4]
    lib = _library(tmp_path, files, [f.name for f in files])
    ids = [row["id"] for row in lib.catalog()]
    articles = [lib.get(i) for i in ids]
    results = []
    for order in (ids, ids[::-1]):
        got = compare([lib.get(i) for i in order], duplicates=lib.near_duplicates()).to_json()
        results.append(_canonical(lib, got, articles))
    assert results[0] == results[1]
