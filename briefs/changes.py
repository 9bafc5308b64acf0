"""What changed between two cards for the same query: two card JSONs (brief.card/2) -> the card's `changes`.

Facts are one fact across the cards when they share a passage (the same sentence of the same article) or
their texts share at least 0.8 of their words; figures are matched by what they count, disagreements by what
they are about. Everything is read from the JSON, so a card from the history compares like a fresh one."""

from __future__ import annotations

import re
from typing import NamedTuple

OVERLAP = 0.8  # share of words two fact texts have in common to be one fact

_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text or "")}


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _passages(fact: dict) -> set[tuple[str, int, str]]:
    return {(p.get("source"), p.get("paragraph"), p.get("text")) for p in fact.get("passages") or []}


def _same_fact(a: dict, b: dict) -> bool:
    if a.get("text") == b.get("text") or _passages(a) & _passages(b):
        return True
    return _overlap(_words(a.get("text", "")), _words(b.get("text", ""))) >= OVERLAP


def _match_facts(previous: list[dict], current: list[dict]) -> dict[int, int]:
    """current index -> previous index, each previous fact used once, first match in card order."""
    used: set[int] = set()
    out: dict[int, int] = {}
    for i, fact in enumerate(current):
        for j, old in enumerate(previous):
            if j not in used and _same_fact(fact, old):
                out[i] = j
                used.add(j)
                break
    return out


def _figures_by_counted(figures: list[dict]) -> dict[str, list[dict]]:
    """Each counted thing -> its figures, in card order (the most cited first)."""
    out: dict[str, list[dict]] = {}
    for f in figures:
        out.setdefault((f.get("counted") or "").strip().lower(), []).append(f)
    return out


def _vh(f: dict) -> tuple:
    return (f.get("value"), f.get("hedge"))


def _figure_changes(previous: list[dict], current: list[dict]) -> tuple[list, list, list]:
    """(changed, new, gone): one figure of a counted thing in each card that differs in value or hedge is
    changed; otherwise each value (with its hedge) only the current card states is new, only the previous gone."""
    old, new = _figures_by_counted(previous), _figures_by_counted(current)
    changed, added, gone = [], [], []
    for key, figs in new.items():
        before = old.get(key, [])
        if len(before) == 1 and len(figs) == 1 and key:
            if _vh(before[0]) != _vh(figs[0]):
                changed.append({"counted": figs[0].get("counted"),
                                "before": {"value": before[0].get("value"), "hedge": before[0].get("hedge")},
                                "now": {"value": figs[0].get("value"), "hedge": figs[0].get("hedge")}})
            continue
        seen = {_vh(f) for f in before}
        added += [f for f in figs if _vh(f) not in seen]
    for key, figs in old.items():
        now = new.get(key, [])
        if len(figs) == 1 and len(now) == 1 and key:
            continue
        seen = {_vh(f) for f in now}
        gone += [{"kind": "figure", "counted": f.get("counted"), "value": f.get("value"), "hedge": f.get("hedge")}
                 for f in figs if _vh(f) not in seen]
    return changed, added, gone


def _source_ids(card: dict) -> list[str]:
    return [s["id"] if isinstance(s, dict) else s for s in card.get("sources") or []]


def card_changes(previous: dict, current: dict) -> dict:
    """The `changes` of ``current`` since ``previous`` (both Card.to_json())."""
    old_ids, new_ids = _source_ids(previous), _source_ids(current)
    new_sources = sorted(set(new_ids) - set(old_ids))
    gone: list[dict] = [{"kind": "source", "id": i} for i in sorted(set(old_ids) - set(new_ids))]

    old_facts, new_facts = previous.get("facts") or [], current.get("facts") or []
    matched = _match_facts(old_facts, new_facts)
    added = [f for i, f in enumerate(new_facts) if i not in matched]
    credibility = [{"text": new_facts[i]["text"], "before": old_facts[j].get("credibility"),
                    "now": new_facts[i].get("credibility")}
                   for i, j in sorted(matched.items())
                   if old_facts[j].get("credibility") != new_facts[i].get("credibility")]
    kept = set(matched.values())
    gone += [{"kind": "fact", "text": f.get("text"), "sources": f.get("sources", [])}
             for j, f in enumerate(old_facts) if j not in kept]

    changed_figures, new_figures, gone_figures = _figure_changes(previous.get("figures") or [],
                                                                 current.get("figures") or [])
    gone += gone_figures

    old_dis = {d.get("about"): d for d in previous.get("disagreements") or []}
    new_dis = {d.get("about"): d for d in current.get("disagreements") or []}
    new_disagreements = [d for about, d in new_dis.items() if about not in old_dis]
    gone += [{"kind": "disagreement", "about": about, "disagreement_kind": d.get("kind")}
             for about, d in old_dis.items() if about not in new_dis]

    return {"since": previous.get("generated"), "new_sources": new_sources, "new_facts": added,
            "new_figures": new_figures, "changed_figures": changed_figures,
            "credibility_changed": credibility, "new_disagreements": new_disagreements, "gone": gone}


def since_label(since) -> str:
    """"2026-11-30 14:02" from the earlier card's ISO time: how "What changed since …" says it."""
    text = str(since or "")
    return text[:16].replace("T", " ") if len(text) >= 16 else text


def is_empty(changes: dict | None) -> bool:
    """No change at all (``since`` aside)."""
    return not changes or not any(v for k, v in changes.items() if k != "since")


class NoEarlierCard(LookupError):
    """``since`` names no card of the history (none built then, or none at all)."""


class Kept(NamedTuple):
    changes: dict | None  # since the earlier card; None: no earlier card
    problem: str | None  # why the card could not be kept (it was still built and compared)
    earlier: dict | None  # the card compared with


_PICK = object()


def keep_and_compare(root, key: str, card: dict, since: str = "last", *, required: bool = False,
                     earlier=_PICK) -> Kept:
    """Keep ``card`` (its JSON) in the library's card history under ``key`` and give its changes since an
    earlier card of that key: ``since`` "last" (the latest kept) or a date/time (``cardhistory.pick``), or
    the ``earlier`` card given (a screen rebuilding its card compares with what it first compared with).

    A card that changes nothing since the latest kept one is not kept again, so that the history keeps when
    each state was first seen. ``problem`` is a sentence when the card could not be kept (a read-only
    library): the changes are still given. ``required``: raise NoEarlierCard, before keeping anything, when
    there is no earlier card."""
    from index import cardhistory

    kept = cardhistory.load(root, key)
    if earlier is _PICK:
        earlier = cardhistory.pick(kept, since)
    if earlier is None and required:
        raise NoEarlierCard(since)
    latest = kept[-1] if kept else None
    same = latest is not None and is_empty(card_changes(latest, card))
    problem = None
    if not same:
        try:
            cardhistory.save(root, key, card)
        except OSError as exc:
            problem = f"the card was built but not kept in the card history ({exc.strerror or exc})"
    return Kept(None if earlier is None else card_changes(earlier, card), problem, earlier)
