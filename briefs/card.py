"""Briefing cards: what a set of articles says, extractively, with every line citing its articles.

A card holds a bottom line (1-3 sentences), key facts with how many independent sources carry them
and a credibility grade, figures and the disagreements between them, a timeline, people,
organisations, places and quotes. Nothing is generated: every text is a sentence, figure or quote
taken from an article, and every line names the article ids (and paragraph) it came from.

The parts live in their own modules: cardmodel (what a card holds), prepare (extraction and alignment),
disagree (figures), facts, summary, timeline, actors (people, places, quotes). This module builds the card.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from index.model import Article

from .actors import MAX_ACTORS, MAX_QUOTES, actors, quotes
from .cardmodel import (CREDIBILITY_RULE, SCHEMA, Actor, Card, Disagreement, Fact, FigureLine, Location, Passage,
                        QuoteLine, Side, SourceInfo, SummaryLine, TimelineEntry)
from .disagree import MAX_FIGURES, figures_and_disagreements, value_range
from .facts import MAX_FACTS, key_facts
from .prepare import Prepared, ProgressFn, prepare
from .sources import credibility
from .summary import MAX_SUMMARY, long_summary, summary
from .timeline import MAX_TIMELINE, timeline

__all__ = ["Card", "build_card", "credibility", "CREDIBILITY_RULE", "Location", "Fact", "FigureLine",
           "Disagreement", "Side", "TimelineEntry", "Actor", "QuoteLine", "SourceInfo", "SummaryLine",
           "prepare", "Prepared", "Passage", "ProgressFn", "figures_and_disagreements", "value_range", "SCHEMA",
           "MAX_FACTS", "MAX_FIGURES", "MAX_TIMELINE", "MAX_ACTORS", "MAX_QUOTES", "MAX_SUMMARY"]


def build_card(articles: list[Article], *, query: str | None, duplicates: Mapping[str, Iterable[str]],
               cache=None, progress: ProgressFn | None = None, now: datetime | None = None,
               summary_words: int | None = None, matching: int | None = None,
               chosen_by: str | None = None) -> Card:
    """A card over ``articles``. ``cache`` is an ExtractionCache (or None to extract afresh). ``summary_words``:
    also a summary of about that many words (Card.summary), besides the 1-3 sentence bottom line.
    ``matching``: how many articles the selection matched, when ``articles`` are fewer (the first of them by
    ``chosen_by``, "relevance"): the card says so (Card.selection_note)."""
    prep = prepare(articles, duplicates, cache, progress)
    figures, disagreements = figures_and_disagreements(prep)
    card = Card(
        query=query,
        generated=now or datetime.now(timezone.utc).replace(microsecond=0),
        sources=[SourceInfo(a.id, a.title, a.outlet, a.author, a.published, a.path) for a in prep.articles],
        bottom_line=summary(prep),
        summary=long_summary(prep, summary_words) if summary_words else [],
        facts=key_facts(prep, disagreements),
        figures=figures,
        disagreements=disagreements,
        timeline=timeline(prep),
        people=actors(prep, "people"),
        organizations=actors(prep, "organizations"),
        places=actors(prep, "places"),
        quotes=quotes(prep),
        articles_matching=matching,
        chosen_by=chosen_by,
        reduced=dict(prep.reduced),
    )
    # sections cut at their cap (people, places and quotes never are: the card holds them all)
    card.capped = {name: cap for name, cap in (("facts", MAX_FACTS), ("figures", MAX_FIGURES),
                                               ("timeline", MAX_TIMELINE)) if len(getattr(card, name)) >= cap}
    if progress:
        progress("card", 1, 1)
    return card
