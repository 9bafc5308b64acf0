"""`brief doctor`: what a bug report needs, and whether anything is wrong.

Versions of brief and its dependencies, each reader's import, the library (index opens, manifest and
index agree, lock, sizes), the cache and config paths, the terminal. Plain text, one fact a line,
grouped; ``--json`` gives the same facts as one object. Exit 0 when nothing is wrong, 1 otherwise.

It must say what it can when things are broken: every check runs on its own (a package that does not
import, a damaged library, a config that is not TOML, no terminal) and none of them may stop the
others. Nothing here imports Textual unless a check asks for it, inside a guard.
"""

from __future__ import annotations

import os
import re
import sys

from .shared import EXIT_ERROR, EXIT_OK

# Imported by every `brief` command's parser (build_parser registers doctor): nothing more here. What
# the checks need is imported when `brief doctor` runs.


def safe_inline(text: str) -> str:
    from index.sanitize import safe_inline as clean

    return clean(text)


def display_path(path: str) -> str:
    from index.sanitize import display_path as show

    return show(path)


def describe(exc: BaseException) -> str:
    from index.health import describe as text

    return text(exc)


FIX_INSTALL = "reinstall with `pip install -c requirements.lock -e .` in brief's checkout"
CHECK_SECONDS = 15.0  # for any one check: the library's takes about 0.3 s at 20,000 articles
TOTAL_SECONDS = 25.0  # for all of them: a hung disk or import must not keep the doctor from answering

# The module each dependency is imported as (its import is checked), by normalised distribution name.
MODULES = {
    "textual": "textual", "rich": "rich", "whoosh-reloaded": "whoosh", "markdown-it-py": "markdown_it",
    "trafilatura": "trafilatura", "lxml-html-clean": "lxml_html_clean", "feedparser": "feedparser",
    "platformdirs": "platformdirs", "pyyaml": "yaml", "lxml": "lxml.html.clean",
}
EXPLICIT = ("lxml", "lxml_html_clean")  # shown even when not a direct requirement (jusText needs them)

GROUPS = ("brief", "python", "dependencies", "readers", "library", "paths", "config", "terminal")


def add_command(sub, common) -> None:
    """Register `brief doctor` on the `brief` sub-command parser."""
    p = sub.add_parser("doctor", parents=[common], help="check the install, the library and the terminal",
                       description="Print versions of brief and its dependencies, whether each reader imports, "
                       "the library's health (index, manifest, lock, sizes), cache and config paths and the "
                       "terminal. Exits 1 naming each problem and the way out. Paste its output into bug reports.")
    p.add_argument("--json", action="store_true", help="print the same facts as one JSON object")
    p.set_defaults(func=cmd_doctor)


class Report:
    def __init__(self) -> None:
        self.groups: dict[str, dict] = {g: {} for g in GROUPS}
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []

    def problem(self, group: str, text: str) -> None:
        self.problems.append(f"{group}: {safe_inline(text)}")

    def warning(self, group: str, text: str) -> None:
        self.warnings.append(f"{group}: {safe_inline(text)}")

    def note(self, group: str, text: str) -> None:
        self.notes.append(f"{group}: {safe_inline(text)}")

    def merge(self, other: Report) -> None:
        for group, facts in other.groups.items():
            self.groups[group].update(facts)
        self.problems += other.problems
        self.warnings += other.warnings
        self.notes += other.notes

    def to_json(self) -> dict:
        return {**self.groups, "notes": self.notes, "warnings": self.warnings, "problems": self.problems,
                "ok": not self.problems}


def cmd_doctor(args) -> int:
    from index import health

    import time

    _tolerant_stdout()
    report = Report()
    stuck = False
    deadline = time.monotonic() + TOTAL_SECONDS
    for group, check in (("brief", _brief), ("python", _python), ("dependencies", _dependencies),
                         ("readers", _readers), ("library", _library), ("paths", _paths), ("config", _config),
                         ("terminal", _terminal)):
        # Each check fills a report of its own, merged once it is done: one that overruns its time and
        # goes on in its thread cannot change what is being printed.
        part = Report()
        seconds = max(1.0, min(CHECK_SECONDS, deadline - time.monotonic()))
        status, error = health.run_bounded(lambda check=check, part=part: check(part, args), seconds)
        if status == "timeout":
            stuck = True
            report.problem(group, f"this check did not finish within {seconds:.0f}s (a slow or hung disk?); "
                                  f"please report it with this output")
            continue
        report.merge(part)
        if status == "error":
            report.problem(group, f"this check failed ({describe(error)}); please report it with this output")
    _one_problem_per_package(report)
    if args.json:
        import json

        json.dump(_clean(report.to_json()), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for line in render(report):
            sys.stdout.write(line + "\n")
    code = EXIT_ERROR if report.problems else EXIT_OK
    if report.problems:
        n = len(report.problems)
        sys.stderr.write(f"brief doctor: {n} problem{'s' * (n != 1)} found" +
                         (" (see the end of the report)\n" if not args.json else " (see \"problems\")\n"))
    if stuck:  # a check still running in its thread must not keep the process alive
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _clean(value):
    """Every string of the JSON made safe to print (json.dump escapes C0 controls but not C1 ones)."""
    if isinstance(value, str):
        return safe_inline(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _tolerant_stdout() -> None:
    """Never fail on printing a name the terminal's encoding cannot show."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass


# ------------------------------------------------------------------------------------------------ text


def render(report: Report) -> list[str]:
    lines = ["brief doctor (paste all of it into a bug report)"]
    for group in GROUPS:
        lines.append("")
        lines.append(group)
        facts = report.groups[group]
        if group == "dependencies":
            lines += [f"  {_dep_line(name, d)}" for name, d in facts.items()]
        else:
            lines += [f"  {_label(key)}: {_value(key, v)}" for key, v in facts.items()]
    lines.append("")
    for title, items in (("notes", report.notes), ("warnings", report.warnings)):
        if items:
            lines.append(f"{title.upper()}: {len(items)}")
            lines += [f"  - {x}" for x in items]
    if report.problems:
        lines.append(f"PROBLEMS: {len(report.problems)}")
        lines += [f"  - {x}" for x in report.problems]
    else:
        lines.append("OK: nothing wrong found")
    return [_keep_indent(x) for x in lines]


def _label(key: str) -> str:
    return key.replace("_", " ") if key.islower() else key  # TERM_PROGRAM stays as it is spelled


def _keep_indent(line: str) -> str:
    body = line.lstrip(" ")
    return line[: len(line) - len(body)] + safe_inline(body)


def _value(key: str, v) -> str:
    if key.startswith("size_"):
        from index.health import human_size

        return human_size(v) if isinstance(v, int) else "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v is None:
        return "none"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) if v else "none"
    if isinstance(v, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_value(k, x)}" for k, x in v.items())
    return str(v)


def _dep_line(name: str, d: dict) -> str:
    bits = [d.get("installed") or "NOT INSTALLED"]
    extra = []
    if d.get("wants"):
        extra.append(f"wants {d['wants']}")
    if d.get("extra"):
        extra.append(f"extra {d['extra']}")
    if d.get("lock"):
        extra.append(f"lock {d['lock']}")
    if extra:
        bits.append(f"({'; '.join(extra)})")
    if d.get("import") not in (None, "ok"):
        bits.append(f"import fails: {d['import']}")
    return f"{name}: {' '.join(bits)}"


# ------------------------------------------------------------------------------------------------ brief


def _source_root() -> str:
    import index

    return os.path.dirname(os.path.dirname(os.path.abspath(index.__file__)))


def _brief_dist():
    """The installed brief-reader distribution, preferring an install record (with direct_url.json)
    over a stray egg-info of the checkout found through the current folder."""
    global _DIST
    if _DIST is None:
        _DIST = [_find_brief_dist()]
    return _DIST[0]


_DIST = None


def _find_brief_dist():
    from importlib import metadata

    try:
        first = metadata.distribution("brief-reader")
        if first.read_text("direct_url.json"):
            return first
    except Exception:  # noqa: BLE001 - not installed, or broken metadata
        pass
    found = [d for d in metadata.distributions() if (d.metadata["Name"] or "").lower() == "brief-reader"]
    for d in found:
        try:
            if d.read_text("direct_url.json"):
                return d
        except Exception:  # noqa: BLE001
            continue
    return found[0] if found else None


def _brief(report: Report, args) -> None:
    import json

    g = report.groups["brief"]
    source = _source_root()
    dist = _brief_dist()
    g["version"] = dist.version if dist else "unknown (brief-reader is not installed)"
    g["running_from"] = display_path(source)
    if dist is None:
        g["installed"] = "no: running from the source folder"
        report.warning("brief", f"brief-reader is not installed; running from {display_path(source)} "
                                f"(install it: `pip install -c requirements.lock -e .`)")
    else:
        try:
            direct = json.loads(dist.read_text("direct_url.json") or "null")
        except (ValueError, OSError):
            direct = None
        url = direct.get("url", "") if isinstance(direct, dict) else ""
        editable = isinstance(direct, dict) and bool((direct.get("dir_info") or {}).get("editable"))
        if editable and url.startswith("file://"):
            from urllib.parse import unquote

            where = unquote(url[len("file://"):])
            g["installed"] = f"editable, from {display_path(where)}"
            if os.path.realpath(where) != os.path.realpath(source):
                report.warning("brief", f"the code running is in {display_path(source)} but brief-reader is "
                                        f"installed from {display_path(where)}")
        else:
            g["installed"] = f"in {display_path(str(dist.locate_file('')))}"
    g["git"] = _git_describe(source)
    lock = os.path.join(source, "requirements.lock")
    g["requirements_lock"] = display_path(lock) if os.path.isfile(lock) else "not found (not a checkout)"


def _git_describe(source: str) -> str:
    """The branch and commit of a git checkout, read from .git without running git."""
    git = os.path.join(source, ".git")
    try:
        if os.path.isfile(git):
            with open(git, encoding="utf-8") as f:
                line = f.read(4096).strip()
            if not line.startswith("gitdir:"):
                return "unknown (.git is not understood)"
            gitdir = line[len("gitdir:"):].strip()
            gitdir = gitdir if os.path.isabs(gitdir) else os.path.join(source, gitdir)
        elif os.path.isdir(git):
            gitdir = git
        else:
            return "not a git checkout"
        common = gitdir
        if os.path.isfile(os.path.join(gitdir, "commondir")):
            with open(os.path.join(gitdir, "commondir"), encoding="utf-8") as f:
                common = os.path.normpath(os.path.join(gitdir, f.read(4096).strip()))
        with open(os.path.join(gitdir, "HEAD"), encoding="utf-8") as f:
            head = f.read(4096).strip()
        if not head.startswith("ref:"):
            return f"detached at {safe_inline(head[:12])}"
        ref = head[4:].strip()
        branch = ref.removeprefix("refs/heads/")
        commit = _read_ref(gitdir, common, ref)
        return f"branch {safe_inline(branch)} at {safe_inline(commit[:12]) if commit else 'an unknown commit'}"
    except (OSError, UnicodeDecodeError) as exc:
        return f"unknown ({describe(exc)})"


def _read_ref(gitdir: str, common: str, ref: str) -> str | None:
    if ".." in ref.split("/"):
        return None
    for base in (gitdir, common):
        try:
            with open(os.path.join(base, *ref.split("/")), encoding="utf-8") as f:
                return f.read(100).strip()
        except OSError:
            continue
    try:
        with open(os.path.join(common, "packed-refs"), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return parts[0]
    except OSError:
        pass
    return None


# ------------------------------------------------------------------------------------------------ python


def _python(report: Report, args) -> None:
    import platform

    g = report.groups["python"]
    g["version"] = f"{platform.python_version()} ({platform.python_implementation()})"
    g["executable"] = display_path(sys.executable or "unknown")
    g["virtual_env"] = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
    g["platform"] = platform.platform()
    if sys.version_info < (3, 11):
        report.problem("python", f"Python {platform.python_version()} is too old: brief needs 3.11 or newer")


# ------------------------------------------------------------------------------------------------ dependencies


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_REQ = (r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*\(?([^;()]*)\)?\s*(?:;\s*(.*))?$")  # compiled on use


def parse_requirement(text: str) -> tuple[str, str, str | None] | None:
    """(name, specifier, extra or None) of a requirement line; None when it does not apply here."""
    m = re.match(_REQ, text)
    if not m:
        return None
    name, spec, marker = m.group(1), m.group(2).strip().replace(" ", ""), (m.group(3) or "").strip()
    extra = None
    if marker:
        e = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        extra = e.group(1) if e else None
        rest = re.sub(r"(?:\band\b\s*)?extra\s*==\s*['\"][^'\"]+['\"](?:\s*\band\b)?", "", marker).strip()
        if rest and _marker_applies(rest) is False:
            return None
    return name, ",".join(sorted(spec.split(","), key=lambda s: s.lstrip("<>=!~"))) if spec else "", extra


def _marker_applies(marker: str) -> bool | None:
    """Whether an environment marker holds here; None when it cannot be told (packaging missing)."""
    try:
        from packaging.markers import Marker
    except Exception:  # noqa: BLE001 - a plain install has no packaging
        return None
    try:
        return Marker(marker).evaluate()
    except Exception:  # noqa: BLE001
        return None


def _release(version: str) -> tuple[int, ...] | None:
    m = re.match(r"^\s*v?(\d+(?:\.\d+)*)", version)
    return tuple(int(x) for x in m.group(1).split(".")) if m else None


def satisfies(version: str, spec: str) -> bool | None:
    """Whether ``version`` meets ``spec`` (e.g. ">=14,<16"); None when that cannot be told."""
    if not spec:
        return True
    try:
        from packaging.specifiers import SpecifierSet

        return SpecifierSet(spec).contains(version, prereleases=True)
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - an odd version string
        return None
    have = _release(version)
    if have is None:
        return None
    for clause in spec.split(","):
        m = re.match(r"^(==|!=|>=|<=|>|<|~=)\s*([0-9][0-9.]*)(\.\*)?$", clause.strip())
        if not m:
            return None
        op, want_s, star = m.groups()
        want = tuple(int(x) for x in want_s.strip(".").split("."))
        n = max(len(have), len(want))
        a, b = have + (0,) * (n - len(have)), want + (0,) * (n - len(want))
        if star and op in ("==", "!="):
            same = have[: len(want)] == want
            ok = same if op == "==" else not same
        else:
            ok = {"==": a == b, "!=": a != b, ">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b,
                  "~=": a >= b and have[: len(want) - 1] == want[:-1]}[op]
        if not ok:
            return False
    return True


def read_lock(path: str) -> dict[str, tuple[str, str | None]]:
    """requirements.lock: normalised name -> (pinned version, marker or None)."""
    pins = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line[0] in "# \t-":
                continue
            req, _, marker = line.strip().partition(";")
            name, eq, version = req.strip().partition("==")
            if eq:
                pins[_norm(name)] = (version.strip(), marker.strip() or None)
    return pins


def _installed(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - broken metadata
        return None


def _try_import(module: str) -> str:
    import importlib

    try:
        importlib.import_module(module)
        return "ok"
    except BaseException as exc:  # noqa: BLE001 - a broken package raises anything, even SystemExit
        return describe(exc)


def _dependencies(report: Report, args) -> None:
    g = report.groups["dependencies"]
    dist = _brief_dist()
    requires = list(dist.requires or []) if dist else []
    if not requires:
        report.warning("dependencies", "brief-reader's requirements are not known (it is not installed)")
    lock_path = os.path.join(_source_root(), "requirements.lock")
    pins = {}
    if os.path.isfile(lock_path):
        try:
            pins = read_lock(lock_path)
        except (OSError, UnicodeDecodeError) as exc:
            report.warning("dependencies", f"requirements.lock could not be read ({describe(exc)})")
    shown = set()
    extras_missing: dict[str, list[str]] = {}
    reqs = [r for r in (parse_requirement(x) for x in requires) if r]
    reqs += [(n, "", None) for n in EXPLICIT if _norm(n) not in {_norm(r[0]) for r in reqs}]
    for name, spec, extra in reqs:
        key = _norm(name)
        if key in shown:
            continue
        version = _installed(name)
        if extra and version is None:
            extras_missing.setdefault(extra, []).append(name)
            continue
        shown.add(key)
        d = {"installed": version, "wants": spec or None, "extra": extra,
             "lock": pins[key][0] if key in pins else None}
        if version is None:
            report.problem("dependencies", f"{name} is not installed; {FIX_INSTALL}")
        else:
            fits = satisfies(version, spec)
            if fits is False:
                report.problem("dependencies", f"{name} {version} is installed but brief needs {spec}; {FIX_INSTALL}")
            if d["lock"] and d["lock"] != version:
                report.warning("dependencies", f"{name} {version} is installed, requirements.lock pins {d['lock']}: "
                                               f"the suite was green with the locked set "
                                               f"(`pip install -c requirements.lock -e .` installs it)")
        module = MODULES.get(key)
        if module and version is not None:
            d["import"] = _try_import(module)
            if d["import"] != "ok":
                report.problem("dependencies", f"{name} is installed but `import {module}` fails "
                                               f"({d['import']}); {FIX_INSTALL}")
        g[name] = d
    for extra, names in sorted(extras_missing.items()):
        g[f"[{extra}] extra"] = {"installed": "not installed", "wants": ", ".join(names), "extra": extra}
    if pins:
        _compare_lock(report, pins, shown)


def _compare_lock(report: Report, pins: dict, shown: set[str]) -> None:
    differ, missing, same = [], 0, 0
    for key, (version, marker) in sorted(pins.items()):
        if marker and _marker_applies(marker) is not True:
            continue
        have = _installed(key)
        if have is None:
            missing += 1
        elif have == version:
            same += 1
        elif key not in shown:
            differ.append(f"{key} {have} (lock {version})")
    summary = f"{same} installed as pinned"
    if differ:
        summary += f", {len(differ)} differ"
    if missing:
        summary += f", {missing} not installed (the test extras, or not needed here)"
    report.groups["dependencies"]["requirements.lock"] = {"installed": summary}
    if differ:
        report.warning("dependencies", f"{len(differ)} more packages differ from requirements.lock: "
                                       f"{', '.join(differ[:8])}{' …' if len(differ) > 8 else ''}")


# ------------------------------------------------------------------------------------------------ readers


def _readers(report: Report, args) -> None:
    g = report.groups["readers"]
    try:
        from index.readers import check_readers
    except BaseException as exc:  # noqa: BLE001
        report.problem("readers", f"the readers cannot be loaded ({describe(exc)}); {FIX_INSTALL}")
        return
    for kind, setup in check_readers():
        g[kind] = "ok" if setup is None else f"unavailable: {setup}"
        if setup is not None:
            report.problem("readers", f"{kind}: {setup}")


def _one_problem_per_package(report: Report) -> None:
    """A package that does not import is one problem, not one per check that noticed: a reader that
    names it keeps its line (the dependency's import line goes), and the config check that could not
    run without Textual keeps only its fact."""
    named = " ".join(p for p in report.problems if p.startswith("readers:"))
    textual_named = any(p.startswith("dependencies: textual ") for p in report.problems)
    report.problems[:] = [p for p in report.problems if not (
        (p.startswith("dependencies:") and _import_name(p)
         and re.search(rf"\b{re.escape(_import_name(p))}\b", named))
        or (textual_named and p.startswith("config: the config cannot be checked")))]


def _import_name(problem: str) -> str | None:
    m = re.search(r"`import ([\w.]+)`", problem)
    return m.group(1).split(".")[0] if m else None


# ------------------------------------------------------------------------------------------------ library


def _demo_root() -> str:
    import platformdirs

    return os.path.join(platformdirs.user_cache_dir("brief", appauthor=False), "demo-library")


def _chosen_library(args) -> tuple[str, str, bool]:
    """(root, how it was chosen, demo?) as the other commands choose it, without building anything."""
    if getattr(args, "demo", False):
        return _demo_root(), "--demo (the bundled demo library)", True
    from index.storage import library_root

    if getattr(args, "library", None):
        how = "--library"
    elif os.environ.get("BRIEF_LIBRARY"):
        how = "$BRIEF_LIBRARY"
    else:
        how = "default (the user data folder; --library DIR or $BRIEF_LIBRARY choose another)"
    return library_root(getattr(args, "library", None)), how, False


def _library(report: Report, args) -> None:
    root, how, demo = _chosen_library(args)
    args._doctor_root = root
    # The bundled sources, where tui.cli.shared.demo_library finds them.
    sources = os.path.join(_source_root(), "index", "demo") if demo else None
    from index.health import check_library

    health = check_library(root, how, demo_sources=sources)
    report.groups["library"].update(health.facts)
    for p in health.problems:
        report.problem("library", p)
    for w in health.warnings:
        report.warning("library", w)
    for n in health.notes:
        report.note("library", n)


# ------------------------------------------------------------------------------------------------ paths


def _where(path: str) -> str:
    kind = "exists" if os.path.exists(path) else "not there yet"
    return f"{display_path(path)} ({kind})"


def _paths(report: Report, args) -> None:
    g = report.groups["paths"]
    root = getattr(args, "_doctor_root", None) or _chosen_library(args)[0]
    try:
        import platformdirs

        g["cache"] = _where(platformdirs.user_cache_dir("brief", appauthor=False))
        g["default_library"] = _where(platformdirs.user_data_dir("brief", appauthor=False))
        g["demo_library"] = _where(_demo_root())
    except BaseException as exc:  # noqa: BLE001
        report.problem("paths", f"platformdirs cannot be used ({describe(exc)}); {FIX_INSTALL}")
    try:
        from pathlib import Path

        from tui.catalog import catalog_cache_path

        g["catalog_cache"] = _where(str(catalog_cache_path(Path(root))))
    except BaseException as exc:  # noqa: BLE001
        g["catalog_cache"] = f"unknown ({describe(exc)})"
    g["extraction_cache"] = _where(os.path.join(root, "cache", "extract"))


# ------------------------------------------------------------------------------------------------ config


def _config_path_plain() -> str:
    """tui.config.config_path, worked out again for when tui.config does not import."""
    env = os.environ.get("BRIEF_CONFIG")
    if env:
        return os.path.expanduser(env)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(os.path.expanduser(base), "brief", "config.toml")


def _config(report: Report, args) -> None:
    g = report.groups["config"]
    try:
        from tui.config import config_path, load_config
    except BaseException as exc:  # noqa: BLE001 - tui.config imports textual
        path = _config_path_plain()
        g["file"] = display_path(path)
        g["checked"] = f"no: tui.config cannot be imported ({describe(exc)})"
        report.problem("config", f"the config cannot be checked: tui.config does not import ({describe(exc)}); "
                                 f"{FIX_INSTALL}")
        return
    path = str(config_path())
    g["file"] = display_path(path)
    g["chosen_by"] = "$BRIEF_CONFIG" if os.environ.get("BRIEF_CONFIG") else "default"
    if os.path.isdir(path):
        g["exists"] = "a folder, not a file"
    else:
        g["exists"] = os.path.isfile(path)
    config = load_config()
    g["theme"] = config.theme or "default"
    g["remapped_actions"] = len(config.keymap)
    for p in config.problems:
        report.problem("config", f"{p} (edit or remove the file)")
    if os.path.isdir(path) and not any(display_path(path) in display_path(p) for p in config.problems):
        report.problem("config", f"{display_path(path)} is a folder, not a config file: the default keys are "
                                 f"used; remove it or point $BRIEF_CONFIG at a file")


# ------------------------------------------------------------------------------------------------ terminal


def _env(name: str) -> str:
    value = os.environ.get(name)
    if value is None:
        return "not set"
    return f"set to {safe_inline(value)[:80]!r}" if value else "set, empty"


def _terminal(report: Report, args) -> None:
    import locale

    g = report.groups["terminal"]
    ttys = {}
    for label, stream in (("stdin", sys.stdin), ("stdout", sys.stdout), ("stderr", sys.stderr)):
        try:
            ttys[label] = bool(stream and stream.isatty())
        except (ValueError, OSError, AttributeError):
            ttys[label] = False
    g["stdout_is_a_terminal"] = ttys["stdout"]
    g["stdin_is_a_terminal"] = ttys["stdin"]
    size = "not a terminal"
    for label, fd in (("stdout", 1), ("stderr", 2), ("stdin", 0)):
        try:
            s = os.get_terminal_size(fd)
            size = f"{s.columns}x{s.lines}" + ("" if label == "stdout" else f" (of {label}; stdout is not a terminal)")
            break
        except OSError:
            continue
    g["size"] = size
    for name in ("TERM", "COLORTERM", "TERM_PROGRAM", "NO_COLOR", "FORCE_COLOR"):
        g[name] = _env(name)
    try:
        from rich.console import Console

        g["colours_on_stdout"] = Console().color_system or "none"
        g["colours_of_the_terminal"] = Console(force_terminal=True).color_system or "none"
    except BaseException as exc:  # noqa: BLE001
        g["colours_on_stdout"] = f"unknown (rich: {describe(exc)})"
    g["no_color_set"] = "NO_COLOR" in os.environ
    encoding = getattr(sys.stdout, "encoding", None) or "unknown"
    preferred = locale.getpreferredencoding(False)
    g["stdout_encoding"] = encoding
    g["locale_encoding"] = preferred
    for name in ("LANG", "LC_ALL", "LC_CTYPE"):
        g[name] = _env(name)
    g["python_utf8_mode"] = bool(sys.flags.utf8_mode)
    for what, enc in (("stdout", encoding), ("the locale", preferred)):
        if _norm(enc).replace("-", "") not in ("utf8", "utf8sig"):
            report.warning("terminal", f"the encoding of {what} is {enc}, not UTF-8: titles and names outside it "
                                       f"are shown as escapes; set LANG=C.UTF-8 (or PYTHONUTF8=1)")
            break
