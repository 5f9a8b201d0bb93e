"""Counts per plan, for `ipkg stats` and a notebook's first look."""

from __future__ import annotations

from .query import get, select
from .store import bundled_inputs, open_store


def plan_stats(plans: list[str] | None = None) -> list[dict]:
    """One row per plan: slug, title, tasks, departments, indicators, citations, triples.

    >>> [row["slug"] for row in plan_stats(["taixing-2024"])]
    ['taixing-2024']
    """
    store = open_store(bundled_inputs(plans))
    rows = select(get("plan-stats").text, store)
    return [{key: row[key] for key in ("slug", "title", "tasks", "departments", "indicators", "citations",
                                       "triples")} for row in rows]
