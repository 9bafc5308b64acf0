"""The rooms of the code and the one-way doors between them, checked from the source (every import counts,
also one inside a function or under TYPE_CHECKING): no import cycle anywhere in index/, briefs/, tui/, and
each module imports only from its own layer or the layers below it.

README's "How the code is laid out" describes the same layers; when a module is added, put it in a layer
here (a module the contracts do not know fails the test, so that no room goes unplaced).
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("index", "briefs", "tui")

# Between packages: tui -> briefs -> index, nothing back.
PACKAGE_LAYERS = [["tui"], ["briefs"], ["index"]]

# Within each package, top layer first: a module may import any module of a lower layer, and a module of
# its own layer (siblings; the cycle check keeps that one way), never one of a higher layer. A layer names
# rooms: a module directly in the package, or a sub-package (tui.screens, tui.widgets, tui.cli) as a whole.
LAYERS: dict[str, list[list[str]]] = {
    "index": [
        ["watch"],  # keeping the library up to date while files change (brief watch, the app's watching)
        ["indexer"],  # the writer: incremental runs under the lock, the manifest, the commit
        ["parallel"],  # the two worker processes of a big run
        ["documents"],  # one source file -> its index documents (both writers)
        ["health"],  # the library's checks for `brief doctor` (read only)
        ["library", "search"],  # the read side: the library folder and its manifest; queries and hits
        ["expansion"],  # the words a wildcard or fuzzy term stands for; their postings ranked as one list
        ["overrides", "cardhistory"],  # what the user set about an article (outlet, date, title); the cards built
        ["pins"],  # the library's briefs and their pins (briefs.json)
        ["userstate"],  # what the user keeps about articles: read or not, their own tags (userstate.json)
        ["readers", "dedup"],  # files -> articles; near-duplicate sketches
        ["plaintext", "htmltext"],  # metadata heuristics of pasted text; HTML fragments -> paragraphs
        ["clean"],  # the cleaning rules
        ["storage", "schema", "safepickle", "fastimport"],  # opening the Whoosh index safely and cheaply
        ["model", "sanitize", "errors"],  # the article, untrusted text made safe, the errors users see
        ["jsonfile"],  # the library's small JSON files written atomically, under a lock when two may write
    ],
    "briefs": [
        ["brief"],  # a stored brief (its pins) as a document: Markdown/JSON like a card
        ["export"],  # cards and comparisons as Markdown/JSON, files written safely
        ["changes"],  # what changed between two cards of the same query
        ["card", "compare"],  # the card; two or more articles side by side
        ["facts", "summary", "timeline", "actors"],  # the card's sections
        ["disagree"],  # figures and the disagreements between them
        ["prepare"],  # articles extracted, cut into units, aligned, keyed to their sources
        ["align", "mentions", "sources", "cardmodel"],  # sentences grouped into claims; figures grouped into
        # sides; which articles are one independent source; what a card holds
        ["extract"],  # one article's extraction, cached
        ["figures", "quotes", "entities", "dates"],  # what an article states
        ["sentences"],  # sentence splitting
    ],
    "tui": [
        ["__main__"],
        ["cli"],  # the command line (a package: its own rooms are checked by the cycle test)
        ["app"],  # the Textual app: it opens the screens
        ["screens"],  # one screen a module
        ["services", "saved_searches"],  # what screens share: notifications, the extraction cache; saved searches
        ["browser"],  # the reader's URL opener ($BROWSER, webbrowser) and the text it copies
        ["widgets", "messages"],  # generic widgets; the messages the app and its screens post
        ["actions", "config", "catalog"],  # the action registry, the config file, the cached catalog
    ],
    # Sub-packages have layers of their own; "__init__" is the package module itself.
    "tui.cli": [
        ["__main__"],  # python -m tui.cli
        ["__init__"],  # the parser and main(): the commands are found here
        ["library", "cards", "history", "briefs", "doctor", "launch"],  # one module per command family
        ["watch"],  # brief watch (below library: it imports nothing of it)
        ["tags"],  # brief tag, tags, read, unread (below library: list --unread uses it)
        ["shared"],  # the plumbing every command uses: exit codes, output, JSON, opening the library
    ],
    "tui.screens": [
        ["__init__"],
        ["brief"],  # the brief screen: the current brief's pins
        ["search", "card", "compare", "reader", "help"],  # screens that are pushed by the app
        ["saved", "export"],  # the dialogs those screens open themselves
        ["base"],  # the base screen class
    ],
}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))}


def _imported(module: str, path: Path, node: ast.AST) -> list[str]:
    """The dotted names an import statement may load (``from a import b`` may load a.b)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = module.split(".")
        keep = len(base) - node.level + (1 if path.name == "__init__.py" else 0)
        prefix = ".".join(base[:keep] + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [prefix] + [f"{prefix}.{a.name}" for a in node.names]


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the modules of index/, briefs/, tui/ it imports (anywhere in its source)."""
    mods = modules(root)
    graph: dict[str, set[str]] = {}
    for module, path in mods.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for name in _imported(module, path, node):
                    while name and name not in mods:
                        name = name.rpartition(".")[0]
                    if name and name != module:
                        found.add(name)
        graph[module] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # recursion depth is bounded by the number of modules (~100)
        order[v] = low[v] = len(order)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in order:
            visit(v)
    return sorted(found)


def _contracts(module: str) -> list[tuple[str, str]]:
    """(contract, room) for every layer contract that holds the module.

    ``tui.screens.card`` is the room ``screens`` of the contract ``tui`` and the room ``card`` of the
    contract ``tui.screens``; the package module ``tui.cli`` is the room ``__init__`` of ``tui.cli``.
    """
    out = []
    for contract in LAYERS:
        if module == contract and "." in contract:
            out.append((contract, "__init__"))
        elif module.startswith(contract + "."):
            out.append((contract, module[len(contract) + 1:].split(".")[0]))
    return out


def _level(contract: str, room: str) -> int | None:
    for n, layer in enumerate(LAYERS[contract]):
        if room in layer:
            return n
    return None


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that goes up a layer, between packages or within one; and every room no layer lists."""
    package_level = {p: n for n, layer in enumerate(PACKAGE_LAYERS) for p in layer}
    out = []
    for module, deps in sorted(graph.items()):
        here = dict(_contracts(module))
        unplaced = [(c, r) for c, r in here.items() if _level(c, r) is None]
        if unplaced:
            out += [f"{module}: room {r!r} is in no layer of {c} in tests/test_architecture.py" for c, r in unplaced]
            continue
        for dep in sorted(deps):
            if package_level[dep.split(".")[0]] < package_level[module.split(".")[0]]:
                out.append(f"{module} imports {dep}: {module.split('.')[0]} is below {dep.split('.')[0]}")
                continue
            for contract, there in _contracts(dep):
                if contract not in here or here[contract] == there:
                    continue
                a, b = _level(contract, here[contract]), _level(contract, there)
                if b is not None and b < a:
                    out.append(f"{module} imports {dep}: layer {LAYERS[contract][b]} is above "
                               f"{LAYERS[contract][a]}")
    return out


# ---------------------------------------------------------------------------------------------------------


def test_there_is_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_imports_go_down_the_layers():
    assert layer_violations(import_graph()) == []


def test_index_and_briefs_never_import_textual_or_rich():
    """The terminal is tui's business: the library and the card engine run without it."""
    for module, path in modules().items():
        if module.split(".")[0] == "tui":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] in ("textual", "rich") for n in names), f"{module} imports {names}"


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__", "demo"))
    return tmp_path


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code + "\n", encoding="utf-8")


def test_a_cycle_put_back_fails_the_check(copy_of_the_code: Path):
    root = copy_of_the_code
    assert cycles(import_graph(root)) == []
    # A screen reaching back into the app, inside a function (what the app <-> screens loop was).
    _append(root / "tui" / "screens" / "search.py", "def _back():\n    from ..app import BriefApp\n    return BriefApp")
    found = cycles(import_graph(root))
    assert any("tui.app" in group and "tui.screens.search" in group for group in found), found
    assert any("tui.screens.search imports tui.app" in v for v in layer_violations(import_graph(root)))


def test_the_read_side_importing_the_writer_fails_the_check(copy_of_the_code: Path):
    root = copy_of_the_code
    _append(root / "index" / "library.py", "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from .indexer import IndexReport")
    assert any({"index.library", "index.indexer"} <= set(group) for group in cycles(import_graph(root)))
    assert any("index.library imports index.indexer" in v for v in layer_violations(import_graph(root)))


def test_a_new_module_must_be_placed_in_a_layer(copy_of_the_code: Path):
    root = copy_of_the_code
    (root / "index" / "newroom.py").write_text("from .model import Article\n", encoding="utf-8")
    assert "index.newroom: room 'newroom' is in no layer of index in tests/test_architecture.py" in \
        layer_violations(import_graph(root))


def test_index_importing_the_app_fails_the_check(copy_of_the_code: Path):
    root = copy_of_the_code
    _append(root / "index" / "search.py", "def _ui():\n    import tui.app\n")
    assert "index.search imports tui.app: index is below tui" in layer_violations(import_graph(root))


def test_the_cli_plumbing_importing_a_command_fails_the_check(copy_of_the_code: Path):
    """Layers hold inside a sub-package too: tui.cli.shared sits under every command module."""
    root = copy_of_the_code
    assert layer_violations(import_graph(root)) == []
    _append(root / "tui" / "cli" / "shared.py", "def _cards():\n    from .cards import cmd_card\n    return cmd_card")
    graph = import_graph(root)
    assert "tui.cli.shared imports tui.cli.cards: layer ['library', 'cards', 'history', 'briefs', 'doctor', 'launch'] is above " \
           "['shared']" in layer_violations(graph)
    assert any({"tui.cli.shared", "tui.cli.cards"} <= set(group) for group in cycles(graph))
