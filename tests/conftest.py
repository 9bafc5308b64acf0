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


@pytest.fixture(autouse=True)
def _pins_apart_from_the_shared_demo(tmp_path, monkeypatch):
    """Pins and cards an app makes in a test go to the test's own folder, never into the demo library the
    tests share (tests/tui_support.py): the next test, or another checkout's run, starts with no pins and no
    card history (a card screen would otherwise say what changed since the last test's card)."""
    import tempfile

    import index.cardhistory
    import index.pins
    import index.userstate

    shared = str((Path("/tmp") if Path("/tmp").is_dir() else Path(tempfile.gettempdir())) / "brief-tui-test-demo")
    for module, name in ((index.pins, "demo-briefs"), (index.cardhistory, "demo-cards"),
                         (index.userstate, "demo-userstate")):
        real = module.folder_for
        monkeypatch.setattr(module, "folder_for", lambda root, real=real, name=name: tmp_path / name
                            if str(Path(root).absolute()).startswith(shared) else real(root))
