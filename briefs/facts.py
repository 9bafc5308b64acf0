"""Key facts: aligned claims and informative single-source sentences, each with how many independent
sources carry it and a credibility grade (cardmodel.CREDIBILITY_RULE)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .align import _STOP, THRESHOLD, Claim, Unit, similarity
from .cardmodel import Attribution, Disagreement, Fact, Passage
from .disagree import compatible, same_value
from .entities import PRONOUNS, attribution_spans, relayed_by, split_role
from .prepare import Prepared, dot, vector
from .sources import credibility

__all__ = ["key_facts", "credibility", "MAX_FACTS"]

MAX_FACTS = 12
MERGE_SIMILARITY = 0.7  # two claims merge only if a sentence of one and one of the other are this similar (align.THRESHOLD is 0.4)


def _contradicted(units: Iterable[Unit], disagreements: list[Disagreement], prep: Prepared) -> bool:
    """Whether a sentence of these units states a value that another independent source contradicts,
    with at least as much independent support and a range that cannot overlap (see CREDIBILITY_RULE)."""
    units = list(units)
    for d in disagreements:
        if d.kind != "conflict":
            continue
        for side in d.claims:
            sources = set(side.sources)
            on_side = [u for u in units if u.article_id in sources and any(same_value(side.value, v)
                                                                            for v in u.values)]
            if not on_side:
                continue
            own = {prep.keys[s] for s in side.sources}
            for other in d.claims:
                if other is side or compatible(side, other):
                    continue
                theirs = {prep.keys[s] for s in other.sources} - own
                if theirs and len(theirs) >= len(own):
                    return True
    return False


def _informative(unit: Unit) -> bool:
    """A single-source sentence worth a key fact: it states a figure, or it leads its article."""
    words = len(unit.text.split())
    text = unit.text.strip()
    if text[:1] in "\"“" and text[-1:] in "\"”" and not re.search(r"[\"”][^\"”“]*\w", text[1:-1]):
        return False  # a quote alone: its speaker is elsewhere (the quotes section shows it with the speaker)
    return 6 <= words <= 60 and not text.endswith("?") and (bool(unit.values) or unit.index < 2)


def said_by(text: str) -> str | None:
    """Who a sentence credits what it reports to: its "according to" cue, else its first cue (not a pronoun)."""
    cues = [who for _, who in attribution_spans(text) if who.lower() not in PRONOUNS]
    according = [who for off, who in attribution_spans(text) if text[off:off + 9].lower() == "according"]
    who = (according or cues or [None])[0]
    if not who:
        return None
    who = re.sub(r"\s+(?:reporting|report|reports|statement|data|figures)$", "", who)
    return re.sub(r"^(?:the|a|an)\s+", "", who, flags=re.I)


def _who_words(who: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", who.lower().replace("’", "'").replace("'s ", " "))
            if w not in ("the", "of", "s", "office", "officials", "official", "spokesman", "spokeswoman")]


_ORG_WORDS = frozenset("""service agency ministry directorate department office council committee authority police army
government intelligence institute bureau command forces force military court commission party company""".split())


def _person_name(who: str) -> str:
    """"Army chief Peter Lindqvist" -> "Peter Lindqvist" (the role before a name dropped)."""
    _, words = split_role(who.split())
    return " ".join(words)


def _person_like(who: str) -> bool:
    words = _person_name(who).replace("’", "'").replace("'s", "").split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words) and not any(
        w.lower() in _ORG_WORDS for w in words)


def _conflict(a: str, b: str) -> bool:
    """Whether two credits name different sources of one kind: the same agency of another country ("South
    Korea's National Intelligence Service" / "Ukraine's ..."), or two people by different full names.
    Anything looser ("officials" / "the government", a short form of a name) is not a disagreement."""
    wa, wb = _who_words(a), _who_words(b)
    if not wa or not wb or set(wa) <= set(wb) or set(wb) <= set(wa):
        return False
    head = 0
    while head < min(len(wa), len(wb)) and wa[-1 - head] == wb[-1 - head]:
        head += 1
    if head >= 2 and any(w in _ORG_WORDS for w in wa[len(wa) - head:]):
        qa, qb = wa[:len(wa) - head], wb[:len(wb) - head]
        return bool(qa) and bool(qb) and not set(qa) & set(qb)
    if head == 0 and _person_like(a) and _person_like(b):
        return not set(_who_words(_person_name(a))) & set(_who_words(_person_name(b)))
    return False


def _attribution_groups(units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    """When the sentences of a claim credit it to different sources (see _conflict): the sentences grouped
    by the source they credit (as written most often), the most articles first; else nothing."""
    credited = [(u, who) for u in units if (who := said_by(u.text))]
    involved = [c for c in credited if any(_conflict(c[1], d[1]) for d in credited)]
    if not involved:
        return []
    groups: list[list[tuple[Unit, str]]] = []
    for u, who in sorted(involved, key=lambda c: -len(_who_words(c[1]))):
        fits = [g for g in groups if not any(_conflict(who, w) for _, w in g)]
        if len(fits) == 1:
            fits[0].append((u, who))
        elif not fits:
            groups.append([(u, who)])
    out = []
    for members in groups:
        names: dict[str, int] = {}
        for _, who in members:
            key = who.replace("’", "'")
            names[key] = names.get(key, 0) + 1
        out.append((max(names, key=lambda n: (names[n], len(n))), [u for u, _ in members]))
    out.sort(key=lambda g: -len({u.article_id for u in g[1]}))
    return out


def _wording(claim: Claim) -> tuple[Unit, list[Attribution]]:
    """The sentence that shows a claim, and the attributions when its sources credit it to different people.

    When they do, the sentence comes from the credit most articles give (attribution included), so a
    claim four articles carry is not shown in the one wording that credits someone else."""
    rep = claim.representative()
    own = claim.own
    groups = _attribution_groups(own)
    if len(groups) < 2:
        return rep, []
    attributions = [Attribution(who, list(dict.fromkeys(u.article_id for u in members))) for who, members in groups]
    top = len(attributions[0].sources)
    if len(attributions[1].sources) == top:  # a tie: the usual representative, the disagreement shown
        return rep, attributions
    majority = {(u.article_id, u.index) for u in groups[0][1]}
    if (rep.article_id, rep.index) not in majority:
        ranked = sorted((n for n, u in enumerate(claim.units) if (u.article_id, u.index) in majority),
                        key=lambda n: _rank(claim, n), reverse=True)
        rep = claim.units[ranked[0]]
    return rep, attributions


def _rank(claim: Claim, n: int) -> tuple:
    from .align import _rep_key

    return _rep_key(claim.units[n], claim.cohesion.get(n, 0.0))


def _same_report(a: Claim, b: Claim, sim, names) -> bool:
    """Two claims that report one thing: an article that says it twice (in its lede and again below) puts
    one sentence in each. Only claims of the same articles (one's articles among the other's: a merge
    never adds a source), whose shown sentences are as similar as a pair that forms a claim and name the
    same people or places, one pair of whose sentences is plainly one report (MERGE_SIMILARITY), and whose
    sentences of different articles are, on the whole, as similar as a pair that forms a claim."""
    ids_a, ids_b = set(a.article_ids), set(b.article_ids)
    if not (ids_a <= ids_b or ids_b <= ids_a):
        return False
    ra, rb = a.representative(), b.representative()
    shown = sim(ra, rb)
    if shown < THRESHOLD:
        return False  # what the two facts would show must read as one report
    na, nb = names(ra), names(rb)
    if na and nb and len(na & nb) * 2 < min(len(na), len(nb)):
        return False  # the same words about someone else ("X, 19, is charged with ..." / "Y, 18, ...")
    sa, sb = _subject(ra.text), _subject(rb.text)
    if len(sa) >= 2 and len(sb) >= 2 and not (sa <= sb or sb <= sa):
        return False  # "John Austin Huggins, 17, ..." / "Shellia Huggins, 19, ...": two people
    cross = [sim(x, y) for x in a.own for y in b.own if x.article_id != y.article_id]
    return bool(cross) and max(shown, *cross) >= MERGE_SIMILARITY and sum(cross) / len(cross) >= THRESHOLD


def _subject(text: str) -> frozenset[str]:
    """The words of the name a sentence opens with ("Jordan Emmanuel Hunt, 18, ..."), if it opens with one."""
    m = re.match(r"\s*((?:[A-Z][\w.'’-]*\s+){0,4}[A-Z][\w.'’-]*)", text)
    words = m.group(1).split() if m else []
    return frozenset(w.lower() for w in words if w.lower() not in _STOP)


def merged_claims(prep: Prepared) -> list[Claim]:
    """The card's claims with those that report one thing merged (see _same_report): one key fact, all its
    sources. The merged claim is shown as the one with the most independent sources would be."""
    claims = list(prep.claims)
    if len(claims) < 2:
        return claims
    where = {(u.article_id, u.index): k for k, u in enumerate(prep.units)}
    feats = prep.vectorizer.features
    cache: dict[tuple[int, int], float] = {}

    def sim(x: Unit, y: Unit) -> float:
        i, j = sorted((where[(x.article_id, x.index)], where[(y.article_id, y.index)]))
        if (i, j) not in cache:
            cache[(i, j)] = similarity(prep.units[i], prep.units[j], feats[i], feats[j])
        return cache[(i, j)]

    def names(x: Unit) -> frozenset[str]:
        # capitalised words anywhere, the first one too ("Jordan Scott, 19, ..."), stop words aside
        return frozenset(w.lower() for w in re.findall(r"\b[A-Z][a-z]+", x.text) if w.lower() not in _STOP)

    # each claim merges into the first claim (most sources first) it reports the same thing as: no chains
    order = sorted(range(len(claims)), key=lambda k: (-prep.independent(claims[k].article_ids), k))
    groups: dict[int, list[int]] = {}
    # _same_report needs one claim's articles among the other's: the groups worth asking are those holding
    # one given article of this claim (its articles among theirs) and those whose first article is one of
    # this claim's (theirs among its). Asked in the order the groups were opened, as over all of them:
    # the same merges, without asking every pair of claims (a card over 500 articles has ~1,600 claims).
    ids = [frozenset(c.article_ids) for c in claims]
    first = [c.units[0].article_id for c in claims]
    holding: dict[str, list[int]] = {}  # article id -> the groups (their head claim) holding it, in opening order
    by_first: dict[str, list[int]] = {}  # article id -> the groups whose head claim's first article it is
    opened: dict[int, int] = {}  # head claim -> when its group was opened
    for k in order:
        some = min(ids[k], key=lambda a: len(holding.get(a, ())))
        asked = set(holding.get(some, ()))
        for a in ids[k]:
            asked.update(by_first.get(a, ()))
        into = next((g for g in sorted(asked, key=opened.__getitem__)
                     if _same_report(claims[g], claims[k], sim, names)), None)
        if into is None:
            opened[k] = len(opened)
            for a in ids[k]:
                holding.setdefault(a, []).append(k)
            by_first.setdefault(first[k], []).append(k)
        groups.setdefault(k if into is None else into, []).append(k)
    out = []
    for members in groups.values():
        if len(members) == 1:
            out.append(claims[members[0]])
            continue
        main = min(members, key=lambda k: (-prep.independent(claims[k].article_ids), k))
        cohesion: dict[tuple[str, int], float] = {}
        for k in [main] + [k for k in members if k != main]:
            for n, u in enumerate(claims[k].units):
                c = claims[k].cohesion.get(n, 0.0)
                c = c if k == main or c < 0 else 0.0  # the main claim's wording stands for the merged one
                cohesion[(u.article_id, u.index)] = max(cohesion.get((u.article_id, u.index), -1.0), c)
        units = sorted({(u.article_id, u.index): u for k in members for u in claims[k].units}.values(),
                       key=lambda u: where[(u.article_id, u.index)])
        out.append(Claim(units, {n: cohesion[(u.article_id, u.index)] for n, u in enumerate(units)}))
    return out


def key_facts(prep: Prepared, disagreements: list[Disagreement]) -> list[Fact]:
    """Aligned claims first (most independent sources first, then most different texts: a claim that four
    pasted articles of unknown outlet carry ranks above one sentence of one of them, though both weigh as one
    source), then informative single-source sentences."""
    candidates: list[tuple] = []  # (order, unit or claim, units, attributions or None)
    claimed: set[tuple[str, int]] = set()
    for claim in merged_claims(prep):
        claimed.update((u.article_id, u.index) for u in claim.units)
        order = (-prep.independent(claim.article_ids), -prep.texts(claim.article_ids),
                 sum(u.index for u in claim.units) / len(claim.units))
        candidates.append((order, claim, claim.units, None))
    for u in prep.units:
        if (u.article_id, u.index) not in claimed and _informative(u):
            candidates.append(((-1, -1, u.index + 0.5), u, [u], []))
    candidates.sort(key=lambda c: c[0])
    facts: list[Fact] = []
    seen: list[dict[str, float]] = []
    for (neg_support, _, _), rep, units, attributions in candidates:
        if attributions is None:  # a claim: its wording is read only for the candidates looked at
            rep, attributions = _wording(rep)
        vec = vector(prep, rep.text)
        if any(dot(vec, other) > 0.8 for other in seen):
            continue  # (nearly) the text of a fact already kept
        seen.append(vec)
        grade = credibility(-neg_support, _contradicted(units, disagreements, prep))
        via = relayed_by(rep.text)
        who = said_by(rep.text)
        facts.append(Fact(rep.text, grade, -neg_support, [Passage(u.article_id, u.paragraph, u.text) for u in units],
                          prep.unknown_outlet_articles(u.article_id for u in units),
                          said_by=None if who and via and set(_who_words(who)) <= set(_who_words(via)) else who, via=via,
                          attributions=attributions))
        if len(facts) == MAX_FACTS:
            break
    return facts
