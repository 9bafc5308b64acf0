from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
DEMO = ROOT / "index" / "demo"


@pytest.fixture
def seeds_dir() -> Path:
    """The real pasted articles in ../shared/seeds; tests using it skip when it is absent."""
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not present")
    return SEEDS


@pytest.fixture
def seed_text(seeds_dir):
    """seed_text(n) -> the raw text of seed number n (0-4)."""

    def read(n: int) -> str:
        (path,) = sorted(seeds_dir.glob(f"{n:03d}_*.txt"))
        return path.read_text(encoding="utf-8")

    return read


@pytest.fixture
def demo_dir() -> Path:
    return DEMO
