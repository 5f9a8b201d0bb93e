"""Counts per plan, for `ipkg stats` and a notebook's first look."""

from __future__ import annotations

from .query import run
from .store import bundled_inputs, open_store


def plan_stats(plans: list[str] | None = None) -> list[dict]:
    """One row per plan: slug, title, tasks, departments, indicators, citations, triples.

    >>> [row["slug"] for row in plan_stats(["taixing-2024"])]
    ['taixing-2024']
    """
    # the corpus's one cached store, each plan read through its own graphs; while the cache is
    # built only the plans asked for are loaded
    store = open_store(meanwhile=bundled_inputs(plans) if plans else None)
    if plans:
        rows = [row for slug in sorted(set(plans)) for row in run("plan-stats", plan=slug, store=store).dicts()]
    else:
        rows = run("plan-stats", store=store).dicts()
    return [{key: row[key] for key in ("slug", "title", "tasks", "departments", "indicators", "citations",
                                       "triples")} for row in rows]
