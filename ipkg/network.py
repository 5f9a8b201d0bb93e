"""Department networks: who leads, who works with whom, and how cities differ.

Everything here is built from the knowledge graph through SPARQL (``queries/network-*.rq`` run by
:func:`ipkg.query.select` on :func:`ipkg.store.open_store`), never by reading Turtle. The graphs
are plain :mod:`networkx` graphs, so a notebook can take them anywhere.

Graphs (:func:`department_graph`):

* ``kind="bipartite"``: departments and tasks; an edge per assignment with its ``role`` (lead,
  lead-responsible, responsible, cooperating, joint-member), ``lead`` (bool), ``basis`` (explicit
  or inferred-first-listed, empty when not a lead) and list ``position``.
* ``kind="coassignment"``: departments linked when the same task names both; ``weight`` is the
  number of shared tasks. ``directed=True`` gives the lead→partner variant: an edge from every
  lead of a task to every other department of that task (co-leads point at each other).
* ``merge_by="function"`` (or ``"group"``, the broader function group) merges departments of
  all cities by function type, so Yancheng's and Yangjiang's IP offices become one node; the
  members, their cities and per-city lead counts stay as node attributes. Departments typed
  ``other`` are never merged (the catch-all type says nothing about function), and an edge between
  two members of one merged node (self-loop) is dropped.

Plans that assign no departments to their tasks give an empty graph whose ``graph["note"]`` says
why. Node and edge attributes are scalars (str, int, float, bool), so every export format keeps
them. Analysis (:func:`summary`, :func:`node_table`, :func:`compare`, :func:`function_leads`),
exports (:func:`export`), pictures (:func:`draw`, :func:`draw_small_multiples`) and the
interactive page (:func:`html_page`) work on these graphs.

>>> g = department_graph("taixing-2024")
>>> g.number_of_nodes(), g.graph["kind"]
(15, 'coassignment')
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import IpkgError
from .terms import shorten

SEED = 42
KINDS = ("coassignment", "bipartite")
MERGES = ("function", "group")
ROLES = ("lead", "lead-responsible", "responsible", "cooperating", "joint-member")
ROLE_LABELS = {
    "lead": ("牵头单位", "lead unit"),
    "lead-responsible": ("负责单位", "responsible lead unit"),
    "responsible": ("责任单位", "responsible unit"),
    "cooperating": ("配合单位", "cooperating unit"),
    "joint-member": ("按职责分工负责名单成员", "member of a joint list"),
}
CJK_FONT_HINT = ("no CJK font found for Chinese labels: install Debian's fonts-noto-cjk "
                 "(apt-get install fonts-noto-cjk) or another Noto Sans CJK / Source Han Sans font")


class NetworkError(IpkgError):
    """A network that cannot be built, drawn or written as asked (unknown plan, bad option, no font)."""


# ------------------------------------------------------------------------------------ reading


@dataclass
class Corpus:
    """The rows the networks are built from, as the named queries return them."""

    plans: dict[str, dict]
    departments: dict[str, dict]
    assignments: list[dict]


def _query_text(name: str) -> str:
    return (paths.queries_dir() / f"{name}.rq").read_text(encoding="utf-8")


def read_corpus(store=None) -> Corpus:
    """Run the three ``network-*`` queries once; ``store`` defaults to the bundled graph.

    A graph without plans (an empty ``$IPKG_PLANS_DIR``) has nothing to build a network from:
    NetworkError.

    >>> corpus = read_corpus()
    >>> sorted(corpus.plans)[:2]
    ['lianyungang-2016', 'taixing-2024']
    """
    from .query import select
    from .store import open_store

    source = paths.plans_dir() if store is None else "the store"
    store = open_store() if store is None else store
    plans = {row["slug"]: row for row in select(_query_text("network-plans"), store)}
    if not plans:
        raise NetworkError(f"no plans found in {source}")
    departments = {row["department"]: row for row in select(_query_text("network-departments"), store)}
    assignments = select(_query_text("network-assignments"), store)
    return Corpus(plans, departments, assignments)


def plan_slugs(corpus: Corpus | None = None) -> list[str]:
    """Every plan's slug, sorted.

    >>> plan_slugs()
    ['lianyungang-2016', 'taixing-2024', 'yancheng-2022', 'yangjiang-2017', 'yantai-2016']
    """
    corpus = read_corpus() if corpus is None else corpus
    return sorted(corpus.plans)


def _select_plans(plan, corpus: Corpus) -> list[str]:
    if not plan:  # None (or an empty selection): every plan
        return sorted(corpus.plans)
    wanted = [plan] if isinstance(plan, str) else list(plan)
    unknown = [slug for slug in wanted if slug not in corpus.plans]
    if unknown:
        raise NetworkError(f"unknown plan {', '.join(unknown)} (plans: {', '.join(sorted(corpus.plans))})")
    return sorted(dict.fromkeys(wanted))


def _city_key(iri: str | None) -> str:
    return (iri or "").rstrip("/").rsplit("/", 1)[-1]


def short_label_zh(printed_forms: Counter, full: str) -> str:
    """The short Chinese label: the department's commonest printed form, leading 市 dropped.

    >>> short_label_zh(Counter({"市科技局": 6}), "泰兴市科学技术局")
    '科技局'
    >>> short_label_zh(Counter({"市委组织部": 2}), "中共盐城市委组织部")
    '市委组织部'
    >>> short_label_zh(Counter(), "盐城海关")
    '盐城海关'
    """
    if not printed_forms:
        return full
    best = sorted(printed_forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0][0]
    if best.startswith("市") and not best.startswith("市委") and len(best) > 2:
        best = best[1:]
    return best


def short_label_en(full: str, city_en: str) -> str:
    """The English name without its city.

    >>> short_label_en("Taixing Municipal Bureau of Finance", "Taixing")
    'Bureau of Finance'
    >>> short_label_en("Parks(development zones)of Taixing", "Taixing")
    'Parks(development zones)'
    """
    if not city_en:
        return full
    text = re.sub(rf"\s*\bof\s+(the\s+)?{re.escape(city_en)}\b\s*$", "", full)
    text = re.sub(rf"\b{re.escape(city_en)}(\s+Municipal)?\s*", "", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ,")
    return text[:1].upper() + text[1:] if text else full


# ------------------------------------------------------------------------------------ building


def _department_attrs(iri: str, row: dict, plan: str, printed: Counter) -> dict:
    city_en = row.get("city_en") or ""
    label_zh = row.get("label_zh") or shorten(iri)
    label_en = row.get("label_en") or label_zh
    return {
        "type": "department",
        "bipartite": 0,
        "label": label_zh,
        "label_zh": label_zh,
        "label_en": label_en,
        "short_zh": short_label_zh(printed, label_zh),
        "short_en": short_label_en(label_en, city_en),
        "iri": iri,
        "kind": row.get("kind") or "department",
        "function": row.get("function") or "other",
        "function_zh": row.get("function_zh") or "",
        "function_en": row.get("function_en") or "",
        "group": row.get("group") or row.get("function") or "other",
        "group_zh": row.get("group_zh") or row.get("function_zh") or "",
        "group_en": row.get("group_en") or row.get("function_en") or "",
        "city": _city_key(row.get("city")),
        "city_zh": row.get("city_zh") or "",
        "city_en": city_en,
        "plan": plan,
        "tasks": 0,
        "leads": 0,
        "leads_explicit": 0,
        "leads_inferred": 0,
        "roles": "",
        "led_tasks": "",
    }


def _empty_note(slugs: list[str], corpus: Corpus) -> str:
    parts = []
    for slug in slugs:
        plan = corpus.plans[slug]
        practice = plan.get("practice") or "unknown"
        parts.append(f"{slug} assigns no departments to its {plan.get('tasks') or 0} tasks "
                     f"(assignment practice: {practice})")
    return "; ".join(parts) + ", so there is no department network to build"


def department_graph(plan=None, kind: str = "coassignment", merge_by: str | None = None, *,
                     directed: bool = False, store=None, corpus: Corpus | None = None):
    """Build a department network as a :class:`networkx.Graph` (or ``DiGraph`` when ``directed``).

    ``plan`` is a slug, a list of slugs, or None for every plan (departments of different cities
    are distinct nodes unless ``merge_by`` merges them). ``kind`` is ``"coassignment"`` or
    ``"bipartite"``; ``merge_by`` is None, ``"function"`` or ``"group"``. Pass ``store`` (a
    pyoxigraph Store) to build from another graph, or a :class:`Corpus` already read.

    Taixing names 15 units in its task assignments, all leads but one going to its market
    regulation administration (which is also its IP office):

    >>> g = department_graph("taixing-2024")
    >>> g.number_of_nodes()
    15
    >>> top = max(g.nodes, key=lambda n: g.nodes[n]["leads"])
    >>> top, g.nodes[top]["leads"], g.nodes[top]["short_zh"]
    ('dept:taixing/market-regulation', 13, '市场监督管理局〔知识产权局〕')

    The bipartite graph keeps each assignment as an edge:

    >>> b = department_graph("taixing-2024", kind="bipartite")
    >>> b.edges["dept:taixing/finance", "task:taixing-2024/2-1-2"]["role"]
    'lead'

    Across cities, merged by function type:

    >>> x = department_graph(merge_by="function")
    >>> x.nodes["fn:ip-office"]["cities"]
    'yancheng yangjiang'

    A plan without per-task assignments gives an empty network with a note:

    >>> e = department_graph("yantai-2016")
    >>> e.number_of_nodes(), "no departments" in e.graph["note"]
    (0, True)
    """
    import networkx as nx

    if kind not in KINDS:
        raise NetworkError(f"unknown network kind {kind!r} (choose {' or '.join(KINDS)})")
    if merge_by is not None and merge_by not in MERGES:
        raise NetworkError(f"cannot merge by {merge_by!r} (choose {' or '.join(MERGES)})")
    if directed and kind == "bipartite":
        raise NetworkError("the bipartite network has no direction; use --kind coassignment with --directed")
    corpus = read_corpus(store) if corpus is None else corpus
    slugs = _select_plans(plan, corpus)
    rows = [row for row in corpus.assignments if row["slug"] in slugs]

    graph = nx.DiGraph() if directed else nx.Graph()
    if len(slugs) == 1:
        meta = corpus.plans[slugs[0]]
        title_zh, title_en = meta.get("title_zh") or slugs[0], meta.get("title_en") or slugs[0]
    else:
        title_zh, title_en = "跨城市部门网络（" + "、".join(slugs) + "）", "Cross-city department network (" + ", ".join(slugs) + ")"
    graph.graph.update({
        "name": title_en,
        "title_zh": title_zh,
        "title_en": title_en,
        "plans": " ".join(slugs),
        "kind": kind,
        "merge_by": merge_by or "",
        "directed": directed,
        "note": "" if rows else _empty_note(slugs, corpus),
    })
    if not rows:
        return graph

    # department attributes and per-task membership
    printed: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        if row.get("printed"):
            printed[row["department"]][row["printed"]] += 1
    departments: dict[str, dict] = {}
    for row in rows:
        iri = row["department"]
        if iri not in departments:
            departments[iri] = _department_attrs(iri, corpus.departments.get(iri, {}), row["slug"], printed[iri])
    roles: dict[str, set] = defaultdict(set)
    led: dict[str, list] = defaultdict(list)
    tasks: dict[str, list[dict]] = defaultdict(list)
    task_meta: dict[str, dict] = {}
    for row in rows:
        attrs = departments[row["department"]]
        roles[row["department"]].add(row["role"])
        tasks[row["task"]].append(row)
        task_meta.setdefault(row["task"], row)
    for task, members in tasks.items():
        for iri in dict.fromkeys(r["department"] for r in members):
            departments[iri]["tasks"] += 1
        for r in members:
            if r.get("lead"):
                attrs = departments[r["department"]]
                attrs["leads"] += 1
                attrs["leads_explicit" if r.get("basis") == "explicit" else "leads_inferred"] += 1
                led[r["department"]].append(shorten(task))
    for iri, attrs in departments.items():
        attrs["roles"] = " ".join(role for role in ROLES if role in roles[iri])
        attrs["led_tasks"] = " ".join(sorted(led[iri], key=_task_sort_key))

    node_of = {iri: shorten(iri) for iri in departments}
    node_attrs = {node_of[iri]: attrs for iri, attrs in departments.items()}
    if merge_by:
        node_of, node_attrs = _merge(departments, merge_by)

    for node in sorted(node_attrs):
        graph.add_node(node, **node_attrs[node])

    ordered_tasks = sorted(tasks, key=lambda t: _task_sort_key(shorten(t)))
    if kind == "bipartite":
        for task in ordered_tasks:
            meta = task_meta[task]
            graph.add_node(shorten(task), **_task_attrs(task, meta, corpus))
        edges: dict[tuple, dict] = {}
        for task in ordered_tasks:
            for r in sorted(tasks[task], key=lambda r: r.get("position") or 0):
                key = (node_of[r["department"]], shorten(task))
                edge = edges.get(key)
                if edge is None:
                    edges[key] = {"role": r["role"], "lead": bool(r.get("lead")), "basis": r.get("basis") or "",
                                  "position": int(r.get("position") or 0), "printed": r.get("printed") or "",
                                  "weight": 1}
                else:  # two members of one merged node in the same task
                    edge["role"] = " ".join(dict.fromkeys(edge["role"].split() + [r["role"]]))
                    edge["lead"] = edge["lead"] or bool(r.get("lead"))
                    edge["basis"] = edge["basis"] or (r.get("basis") or "")
                    edge["printed"] += "、" + (r.get("printed") or "")
                    edge["weight"] += 1
        for (u, v), attrs in sorted(edges.items()):
            graph.add_edge(u, v, **attrs)
        return graph

    pairs: dict[tuple, dict] = {}
    for task in ordered_tasks:
        members = tasks[task]
        task_id = shorten(task)
        city = departments[members[0]["department"]]["city"]
        nodes = list(dict.fromkeys(node_of[r["department"]] for r in members))
        if directed:
            leads = list(dict.fromkeys(node_of[r["department"]] for r in members if r.get("lead")))
            candidates = [(u, v) for u in leads for v in nodes if u != v]
        else:
            candidates = [tuple(sorted((u, v))) for i, u in enumerate(nodes) for v in nodes[i + 1:] if u != v]
        for u, v in dict.fromkeys(candidates):
            edge = pairs.setdefault((u, v), {"weight": 0, "tasks": [], "cities": []})
            edge["weight"] += 1
            edge["tasks"].append(task_id)
            if city not in edge["cities"]:
                edge["cities"].append(city)
    for (u, v), attrs in sorted(pairs.items()):
        graph.add_edge(u, v, weight=attrs["weight"], tasks=" ".join(attrs["tasks"]),
                       cities=" ".join(sorted(attrs["cities"])))
    return graph


def _task_sort_key(task_id: str):
    plan, _, path = task_id.partition("/")
    return (plan, [int(p) if p.isdigit() else p for p in re.split(r"[-.]", path)])


def _task_attrs(task: str, meta: dict, corpus: Corpus) -> dict:
    plan = meta["slug"]
    city = corpus.plans.get(plan, {})
    return {
        "type": "task",
        "bipartite": 1,
        "label": meta.get("task_zh") or shorten(task),
        "label_zh": meta.get("task_zh") or "",
        "label_en": meta.get("task_en") or "",
        "short_zh": meta.get("path") or "",
        "short_en": meta.get("path") or "",
        "iri": task,
        "plan": plan,
        "city": _city_key(city.get("city")),
        "path": meta.get("path") or "",
        "order": int(meta.get("order") or 0),
    }


def _merge(departments: dict[str, dict], merge_by: str) -> tuple[dict[str, str], dict[str, dict]]:
    """Map each department to its merged node and build the merged nodes' attributes."""
    from .terms import PREFIXES

    node_of: dict[str, str] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for iri, attrs in departments.items():
        key = attrs[merge_by]
        if attrs["function"] == "other" or not key or key == "other":
            node = shorten(iri)  # the catch-all type: keep the department on its own
        else:
            node = shorten(PREFIXES["fn"] + key)
        node_of[iri] = node
        groups[node].append(iri)
    merged: dict[str, dict] = {}
    for node, members in groups.items():
        members.sort()
        first = departments[members[0]]
        if len(members) == 1 and node == shorten(members[0]):
            attrs = dict(first)
        else:
            label_zh = first[f"{merge_by}_zh"] or node
            label_en = first[f"{merge_by}_en"] or node
            attrs = {
                "type": merge_by,
                "bipartite": 0,
                "label": label_zh,
                "label_zh": label_zh,
                "label_en": label_en,
                "short_zh": label_zh,
                "short_en": label_en,
                "iri": PREFIXES["fn"] + first[merge_by],
                "kind": "merged",
                "function": first["function"] if merge_by == "function" else first["group"],
                "function_zh": first[f"{merge_by}_zh"],
                "function_en": first[f"{merge_by}_en"],
                "group": first["group"],
                "group_zh": first["group_zh"],
                "group_en": first["group_en"],
            }
        cities = sorted({departments[m]["city"] for m in members})
        attrs.update({
            "members": " ".join(shorten(m) for m in members),
            "members_zh": "；".join(departments[m]["label_zh"] for m in members),
            "members_en": "; ".join(departments[m]["label_en"] for m in members),
            "cities": " ".join(cities),
            "n_members": len(members),
            "n_cities": len(cities),
            "plans": " ".join(sorted({departments[m]["plan"] for m in members})),
            "tasks": sum(departments[m]["tasks"] for m in members),
            "leads": sum(departments[m]["leads"] for m in members),
            "leads_explicit": sum(departments[m]["leads_explicit"] for m in members),
            "leads_inferred": sum(departments[m]["leads_inferred"] for m in members),
            "roles": " ".join(r for r in ROLES if any(r in departments[m]["roles"].split() for m in members)),
            "led_tasks": " ".join(sorted((t for m in members for t in departments[m]["led_tasks"].split()),
                                         key=_task_sort_key)),
        })
        attrs.pop("plan", None)
        attrs.pop("city", None) if len(cities) > 1 else None
        for city in cities:
            attrs[f"leads_{city}"] = sum(departments[m]["leads"] for m in members if departments[m]["city"] == city)
            attrs[f"tasks_{city}"] = sum(departments[m]["tasks"] for m in members if departments[m]["city"] == city)
        merged[node] = attrs
    return node_of, merged


def department_nodes(graph) -> list:
    """The department (or merged function) nodes of a graph, sorted; task nodes left out.

    >>> len(department_nodes(department_graph("taixing-2024", kind="bipartite")))
    15
    """
    return sorted(n for n, d in graph.nodes(data=True) if d.get("type") != "task")


# ------------------------------------------------------------------------------------ analysis


def _round(value: float) -> float:
    return round(float(value), 6)


def centrality(graph) -> dict[str, dict]:
    """Per node: degree, weighted degree, betweenness, eigenvector centrality and PageRank.

    Betweenness counts hops (unweighted) and eigenvector centrality uses the ``weight``; both are
    computed within each connected component (weakly connected for a directed graph) and
    normalised there, so a department's values depend on its own network only: putting several
    cities in one graph does not change them (on the whole of a disconnected graph, power iteration
    gives every component but one zero eigenvector centrality). For a directed graph eigenvector
    centrality is that of its undirected version (a lead→partner graph has sinks, where power
    iteration gives nothing useful). PageRank (``weight``) is the whole graph's: it sums to 1.

    >>> c = centrality(department_graph("taixing-2024"))
    >>> c["dept:taixing/market-regulation"]["degree"]
    14
    """
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    degree = dict(graph.degree())
    weighted = dict(graph.degree(weight="weight"))
    undirected = graph.to_undirected() if graph.is_directed() else graph
    betweenness: dict = {}
    eigen: dict = {}
    for component in nx.connected_components(undirected):
        # copies, not subgraph views: every neighbour look-up through a view filters the whole
        # graph's adjacency (N = 1,100: 8.5 s for the corpus's 13,259 departments with views)
        betweenness.update(nx.betweenness_centrality(graph.subgraph(component).copy(), normalized=True))
        part = undirected.subgraph(component).copy()
        if part.number_of_edges():
            try:
                eigen.update(nx.eigenvector_centrality(part, weight="weight", max_iter=5000, tol=1e-10))
            except nx.PowerIterationFailedConvergence:  # pragma: no cover - numpy's solver as a fallback
                eigen.update(nx.eigenvector_centrality_numpy(part, weight="weight"))
        else:
            eigen.update({n: 0.0 for n in part})
    pagerank = nx.pagerank(graph, weight="weight", tol=1e-12, max_iter=1000)
    return {n: {"degree": int(degree[n]), "weighted_degree": int(round(weighted[n])),
                "betweenness": _round(betweenness[n]), "eigenvector": _round(eigen[n]),
                "pagerank": _round(pagerank[n])} for n in graph}


def communities(graph, seed: int = SEED) -> list[list]:
    """Louvain communities (networkx, fixed ``seed``): lists of nodes, largest first.

    A directed (lead→partner) graph is taken as undirected: in a graph whose edges nearly all
    leave one lead, directed modularity only finds singletons.

    >>> groups = communities(department_graph("taixing-2024"))
    >>> sum(len(g) for g in groups)
    15
    """
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return []
    undirected = graph.to_undirected() if graph.is_directed() else graph
    found = nx.community.louvain_communities(undirected, weight="weight", seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def gini(values) -> float:
    """The Gini coefficient of non-negative numbers (0: equal; near 1: one holds all).

    >>> gini([1, 1, 1, 1])
    0.0
    >>> gini([0, 0, 0, 4])
    0.75
    """
    values = sorted(float(v) for v in values)
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * v for i, v in enumerate(values))
    return _round((2 * weighted) / (n * total) - (n + 1) / n)


def label(attrs: dict, lang: str = "zh", short: bool = True) -> str:
    """A node's display label in ``lang`` (zh or en)."""
    key = ("short_" if short else "label_") + lang
    return attrs.get(key) or attrs.get("label_" + lang) or attrs.get("label") or ""


def node_table(graph, top: int | None = None, lang: str = "zh", sort: str = "pagerank") -> list[dict]:
    """One row per department node with its centralities, lead counts and community, most central first.

    ``sort`` is any numeric column (pagerank, betweenness, eigenvector, degree, weighted_degree,
    leads); ties break by node id, so the order is stable. ``top`` keeps the first rows.

    >>> rows = node_table(department_graph("taixing-2024"), top=1)
    >>> rows[0]["node"], rows[0]["leads"], rows[0]["community"] >= 0
    ('dept:taixing/market-regulation', 13, True)
    """
    if graph.number_of_nodes() == 0:
        return []
    central = centrality(graph)
    community_of = {n: i for i, group in enumerate(communities(graph)) for n in group}
    rows = []
    for node in department_nodes(graph):
        attrs = graph.nodes[node]
        rows.append({
            "node": node,
            "label": label(attrs, lang),
            "name": label(attrs, lang, short=False),
            "function": attrs.get("function", ""),
            "function_label": attrs.get(f"function_{lang}", ""),
            "city": attrs.get("city") or attrs.get("cities", ""),
            "tasks": attrs.get("tasks", 0),
            "leads": attrs.get("leads", 0),
            **central[node],
            "community": community_of.get(node, -1),
        })
    if sort not in rows[0] or isinstance(rows[0][sort], str):
        raise NetworkError(f"cannot sort by {sort!r}")
    rows.sort(key=lambda r: (-r[sort], -r["leads"], r["node"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows[:top] if top else rows


def summary(graph, lang: str = "zh") -> dict:
    """Size and shape of one network: nodes, edges, density, components, communities, top lead.

    >>> s = summary(department_graph("taixing-2024"))
    >>> s["nodes"], s["top_lead"], s["top_lead_count"]
    (15, '市场监督管理局〔知识产权局〕', 13)
    """
    import networkx as nx

    departments = department_nodes(graph)
    n = graph.number_of_nodes()
    row = {
        "network": graph.graph.get("plans", ""),
        "title": graph.graph.get(f"title_{lang}", ""),
        "kind": graph.graph.get("kind", ""),
        "merge_by": graph.graph.get("merge_by", ""),
        "directed": bool(graph.graph.get("directed")),
        "nodes": n,
        "departments": len(departments),
        "edges": graph.number_of_edges(),
        "density": _round(nx.density(graph)) if n > 1 else 0.0,
        "components": (nx.number_weakly_connected_components(graph) if graph.is_directed()
                       else nx.number_connected_components(graph)) if n else 0,
        "communities": len(communities(graph)),
        "leads": sum(graph.nodes[d].get("leads", 0) for d in departments),
        "top_lead": "",
        "top_lead_count": 0,
        "note": graph.graph.get("note", ""),
    }
    if departments:
        top = min(departments, key=lambda d: (-graph.nodes[d].get("leads", 0), d))
        row["top_lead"] = label(graph.nodes[top], lang)
        row["top_lead_count"] = graph.nodes[top].get("leads", 0)
    return row


def compare(lang: str = "zh", plans=None, *, store=None, corpus: Corpus | None = None) -> list[dict]:
    """One row per plan: how concentrated its leadership is.

    ``top_share`` is the share of the plan's led tasks that its top department leads; ``gini`` is
    the Gini coefficient of lead counts over every department the plan's assignments name
    (non-leads count as 0). Plans without per-task assignments have empty (None) figures and a note.

    >>> rows = {r["plan"]: r for r in compare()}
    >>> rows["yancheng-2022"]["top_function"], rows["yancheng-2022"]["top_lead_count"]
    ('ip-office', 17)
    """
    corpus = read_corpus(store) if corpus is None else corpus
    out = []
    for slug in _select_plans(plans, corpus):
        meta = corpus.plans[slug]
        graph = department_graph(slug, corpus=corpus)
        row = {"plan": slug, "city": meta.get(f"city_{lang}") or "", "practice": meta.get("practice") or "",
               "tasks": meta.get("tasks") or 0, "tasks_led": None, "departments": None, "edges": None,
               "density": None, "leads_explicit": None, "leads_inferred": None, "top_lead": None,
               "top_function": None, "top_lead_count": None, "top_share": None, "gini": None,
               "note": graph.graph["note"]}
        if graph.number_of_nodes():
            leads = {n: graph.nodes[n]["leads"] for n in graph}
            top = min(leads, key=lambda n: (-leads[n], n))
            led_tasks = {r["task"] for r in corpus.assignments if r["slug"] == slug and r.get("lead")}
            import networkx as nx

            row.update({
                "tasks_led": len(led_tasks),
                "departments": graph.number_of_nodes(),
                "edges": graph.number_of_edges(),
                "density": _round(nx.density(graph)),
                "leads_explicit": sum(graph.nodes[n]["leads_explicit"] for n in graph),
                "leads_inferred": sum(graph.nodes[n]["leads_inferred"] for n in graph),
                "top_lead": label(graph.nodes[top], lang),
                "top_function": graph.nodes[top]["function"],
                "top_lead_count": leads[top],
                "top_share": _round(leads[top] / len(led_tasks)) if led_tasks else 0.0,
                "gini": gini(leads.values()),
            })
        out.append(row)
    return out


def function_leads(lang: str = "zh", plans=None, *, store=None, corpus: Corpus | None = None) -> list[dict]:
    """Which function types lead most: tasks led per function type and plan, most leads first.

    >>> rows = function_leads()
    >>> rows[0]["function"], rows[0]["total"]
    ('ip-office', 32)
    """
    corpus = read_corpus(store) if corpus is None else corpus
    chosen = _select_plans(plans, corpus)
    slugs = [s for s in chosen if any(r["slug"] == s for r in corpus.assignments)]
    counts: dict[str, Counter] = defaultdict(Counter)
    labels: dict[str, str] = {}
    for r in corpus.assignments:
        if r.get("lead") and r["slug"] in slugs:
            dept = corpus.departments.get(r["department"], {})
            function = dept.get("function") or "other"
            counts[function][r["slug"]] += 1
            labels[function] = dept.get(f"function_{lang}") or function
    rows = []
    for function, by_plan in counts.items():
        row = {"function": function, "label": labels[function]}
        row.update({slug: by_plan.get(slug, 0) for slug in slugs})
        row["total"] = sum(by_plan.values())
        row["plans_leading"] = sum(1 for v in by_plan.values() if v)
        rows.append(row)
    rows.sort(key=lambda r: (-r["total"], r["function"]))
    return rows


# ------------------------------------------------------------------------------------ exports

EXPORT_FORMATS = ("graphml", "gexf", "json", "csv")


def _scalar_attrs(graph):
    """A copy of ``graph`` whose attribute values are all str/int/float/bool (exports need that)."""
    copy = graph.copy()
    for _, data in list(copy.nodes(data=True)) + [(None, d) for *_, d in copy.edges(data=True)]:
        for key, value in list(data.items()):
            if value is None:
                data[key] = ""
            elif not isinstance(value, (str, int, float, bool)):
                data[key] = str(value)
    for key, value in list(copy.graph.items()):
        if value is None:
            copy.graph[key] = ""
    return copy


def to_graphml(graph) -> str:
    """GraphML text (deterministic: nodes and edges in sorted order, typed attribute keys).

    >>> "<graphml" in to_graphml(department_graph("taixing-2024"))
    True
    """
    import networkx as nx

    return "\n".join(nx.generate_graphml(_scalar_attrs(graph), prettyprint=True)) + "\n"


def to_gexf(graph) -> str:
    """GEXF 1.2 text for Gephi: node labels (``label``, the Chinese name) and every attribute.

    The date networkx stamps into ``<meta>`` is removed, so the same graph gives the same bytes.
    """
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(_scalar_attrs(graph), buffer, encoding="utf-8", prettyprint=True)
    text = buffer.getvalue().decode("utf-8")
    return re.sub(r'\s+lastmodifieddate="[^"]*"', "", text).rstrip("\n") + "\n"


def to_node_link(graph) -> str:
    """networkx node-link JSON (``nodes`` and ``edges`` lists, ``graph`` attributes)."""
    import networkx as nx

    data = nx.node_link_data(_scalar_attrs(graph), edges="edges")
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _columns(rows: list[dict], first: list[str]) -> list[str]:
    keys = list(first)
    for row in rows:
        for key in row:
            if key not in keys:
                keys.append(key)
    return keys


def to_csv(graph) -> tuple[str, str]:
    """Node and edge tables as CSV text: ``(nodes_csv, edges_csv)``."""
    g = _scalar_attrs(graph)
    node_rows = [{"id": n, **d} for n, d in g.nodes(data=True)]
    edge_rows = [{"source": u, "target": v, **d} for u, v, d in g.edges(data=True)]

    def render(rows, first):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=_columns(rows, first), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()

    return render(node_rows, ["id"]), render(edge_rows, ["source", "target"])


def export(graph, fmt: str, output: Path | str) -> list[Path]:
    """Write ``graph`` as ``fmt`` (graphml, gexf, json, csv) with atomic writes; the paths written.

    ``csv`` writes two files beside ``output``: ``<stem>.nodes.csv`` and ``<stem>.edges.csv``,
    both or neither.
    """
    from .export import write_all_atomic, write_atomic

    output = Path(output)
    if fmt == "graphml":
        return [write_atomic(output, to_graphml(graph))]
    if fmt == "gexf":
        return [write_atomic(output, to_gexf(graph))]
    if fmt == "json":
        return [write_atomic(output, to_node_link(graph))]
    if fmt == "csv":
        stem = output.name[:-4] if output.name.endswith(".csv") else output.name
        targets = [output.with_name(f"{stem}.nodes.csv"), output.with_name(f"{stem}.edges.csv")]
        return write_all_atomic(dict(zip(targets, to_csv(graph))))
    raise NetworkError(f"unknown export format {fmt!r} (choose {', '.join(EXPORT_FORMATS)})")


def read_back(fmt: str, path: Path | str):
    """Read an exported network with networkx (the inverse of :func:`export`, for checks)."""
    import networkx as nx

    path = Path(path)
    if fmt == "graphml":
        return nx.read_graphml(path)
    if fmt == "gexf":
        return nx.read_gexf(path)
    if fmt == "json":
        return nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    raise NetworkError(f"cannot read {fmt!r} back")


# ------------------------------------------------------------------------------------ pictures

_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR",
                 "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC", "WenQuanYi Zen Hei",
                 "WenQuanYi Micro Hei", "AR PL UMing CN")


def cjk_font():
    """The FontProperties of an installed CJK font (Noto Sans CJK preferred), else NetworkError.

    The font must have a glyph for every character of a sample of department names, so a label
    is never drawn as boxes.
    """
    from matplotlib import font_manager

    by_name: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, entry.fname)
    candidates = [by_name[family] for family in _CJK_FAMILIES if family in by_name]
    # matplotlib's font cache may predate a font installed later: look at the files too
    candidates += sorted(f for f in font_manager.findSystemFonts()
                         if re.search(r"(NotoSansCJK|SourceHanSans|NotoSansSC|wqy-zenhei)", Path(f).name, re.I))
    for fname in candidates:
        prop = font_manager.FontProperties(fname=fname)
        try:
            if not missing_glyphs("知识产权局市场监督管理领导小组成员单位", prop):
                return prop
        except (OSError, RuntimeError):  # pragma: no cover - an unreadable font file
            continue
    raise NetworkError(CJK_FONT_HINT)


def missing_glyphs(text: str, prop) -> str:
    """The characters of ``text`` that the font ``prop`` has no glyph for."""
    from matplotlib.ft2font import FT2Font

    font = FT2Font(prop.get_file())
    return "".join(sorted({ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0}))


COLOR_BY = ("group", "function", "community")
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
            "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
            "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]


def layout(graph, seed: int = SEED, lang: str = "zh", char: float = 0.036) -> dict:
    """Deterministic node positions (spring layout with a fixed seed, labels kept apart).

    The largest connected component fills [-1, 1]²; smaller components sit in a row below it.
    Then every node's box (the node and its label below it, ``char`` units per character) is
    pushed apart from overlapping boxes, so labels stay legible.

    >>> pos = layout(department_graph("taixing-2024"))
    >>> pos == layout(department_graph("taixing-2024"))
    True
    """
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    undirected = graph.to_undirected() if graph.is_directed() else graph
    parts = sorted((sorted(c) for c in nx.connected_components(undirected)), key=lambda c: (-len(c), c[0]))
    half = {n: _label_half_width(graph.nodes[n], lang, char) for n in graph}
    point = char / 10  # layout units per typographic point (char is one 10-point CJK character)
    most = max((d.get("leads", 0) for _, d in graph.nodes(data=True)), default=0)
    radius = {n: point * math.sqrt(_node_radius(graph.nodes[n], most, 1.0) / math.pi) for n in graph}
    # a node's box runs from the top of its marker to the bottom of the label under it
    top = {n: radius[n] for n in graph}
    bottom = {n: radius[n] + point * 16 for n in graph}
    pos: dict = {}
    main = parts[0]
    pos.update(_spring(undirected.subgraph(main), seed, scale=1.0))
    cursor, row = -1.0, -1.0 - 0.32
    for part in parts[1:]:
        scale = 0.0 if len(part) == 1 else min(0.5, 0.12 * len(part))
        local = _spring(undirected.subgraph(part), seed, scale=scale)
        width = 2 * scale + 2 * max(half[n] for n in part)
        if cursor + width > 1.0 + 1e-9 and cursor > -1.0:
            cursor, row = -1.0, row - 0.32 - 2 * scale
        for n, (x, y) in local.items():
            pos[n] = (cursor + width / 2 + x, row - scale + y)
        cursor += width + 0.08
    pos = _declutter(pos, half, top, bottom)
    return {n: (round(float(x), 5), round(float(y), 5)) for n, (x, y) in sorted(pos.items())}


def _label_half_width(attrs: dict, lang: str, char: float) -> float:
    text = label(attrs, lang)
    if attrs.get("type") != "task" and attrs.get("leads"):
        text += f" ({attrs['leads']})"
    units = sum(1.0 if ord(ch) > 0x2e80 else 0.55 for ch in text)
    return max(0.06, units * char / 2 + 0.015)


def _spring(graph, seed: int, scale: float) -> dict:
    """A spring layout of one connected graph, centred and scaled to [-scale, scale]²."""
    import networkx as nx

    nodes = sorted(graph)
    if len(nodes) == 1 or scale == 0:
        return {n: (0.0, 0.0) for n in nodes}
    k = 2.0 / math.sqrt(len(nodes))
    initial = nx.circular_layout(nodes)
    raw = nx.spring_layout(graph, pos=initial, k=k, seed=seed, iterations=300, weight=None)
    xs = [raw[n][0] for n in nodes]
    ys = [raw[n][1] for n in nodes]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {n: (scale * (raw[n][0] - cx) / span, scale * (raw[n][1] - cy) / span) for n in nodes}


def _declutter(pos: dict, half: dict, top: dict, bottom: dict, rounds: int = 400) -> dict:
    """Push apart overlapping node-and-label boxes along the axis of least overlap, deterministically."""
    names = sorted(pos)
    xs = [float(pos[n][0]) for n in names]
    ys = [float(pos[n][1]) for n in names]
    ws = [half[n] for n in names]
    hs = [(top[n] + bottom[n]) / 2 for n in names]
    cs = [(top[n] - bottom[n]) / 2 for n in names]  # box centre relative to the node
    gap = 0.01
    for _ in range(rounds):
        moved = False
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                dx = xs[j] - xs[i]
                dy = (ys[j] + cs[j]) - (ys[i] + cs[i])
                ox = ws[i] + ws[j] + gap - abs(dx)
                oy = hs[i] + hs[j] + gap - abs(dy)
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                if ox < 2 * oy:  # sideways when that is the shorter move (boxes are wide)
                    step = (ox / 2 + 1e-4) * (1 if dx >= 0 else -1)
                    xs[i] -= step
                    xs[j] += step
                else:
                    step = (oy / 2 + 1e-4) * (1 if dy >= 0 else -1)
                    ys[i] -= step
                    ys[j] += step
        if not moved:
            break
    return {n: (xs[i], ys[i]) for i, n in enumerate(names)}


GROUP_COLOURS = {  # fixed, so every picture and the page colour a function group alike
    "government-department": "#1f77b4", "collective": "#ff7f0e", "judicial-body": "#2ca02c",
    "party-body": "#d62728", "vertical-agency": "#9467bd", "coordinating-body": "#8c564b",
    "government-body": "#e377c2", "mass-organisation": "#bcbd22", "other": "#7f7f7f", "task": "#dddddd",
}


def _colour_keys(graph, color_by: str) -> dict:
    if color_by == "community":
        return {n: i for i, g in enumerate(communities(graph)) for n in g}
    return {n: (d.get(color_by) if d.get("type") != "task" else "task") or "other" for n, d in graph.nodes(data=True)}


def _colour_map(graphs: list, color_by: str, lang: str) -> tuple[dict, dict]:
    """Colour and legend name of every colour key of ``graphs`` (stable across pictures)."""
    if color_by not in COLOR_BY:
        raise NetworkError(f"cannot colour by {color_by!r} (choose {', '.join(COLOR_BY)})")
    counts: Counter = Counter()
    names: dict = {}
    for graph in graphs:
        keys = _colour_keys(graph, color_by)
        counts.update(keys.values())
        for n, key in keys.items():
            d = graph.nodes[n]
            if color_by == "community":
                names[key] = f"社区 {key + 1}" if lang == "zh" else f"community {key + 1}"
            elif key == "task":
                names[key] = "任务" if lang == "zh" else "task"
            else:
                names.setdefault(key, d.get(f"{color_by}_{lang}") or str(key))
    order = sorted(counts, key=lambda k: k if color_by == "community" else (-counts[k], str(k)))
    colours: dict = {}
    spare = [c for c in _PALETTE if c not in GROUP_COLOURS.values()] + _PALETTE
    for key in order:
        if color_by == "group" and key in GROUP_COLOURS:
            colours[key] = GROUP_COLOURS[key]
        elif key == "task":
            colours[key] = GROUP_COLOURS["task"]
        elif color_by == "group":
            colours[key] = spare.pop(0)
        else:
            colours[key] = _PALETTE[len([k for k in colours if k != "task"]) % len(_PALETTE)]
    return colours, {k: names[k] for k in order}


def _node_radius(attrs: dict, most: int, size_scale: float) -> float:
    """Marker area (points²) of a node: tasks led, relative to the most."""
    if attrs.get("type") == "task":
        return size_scale * 60
    return size_scale * (160 + 1400 * attrs.get("leads", 0) / (most or 1))


def _draw_on(ax, graph, *, lang: str, color_by: str, font, title: str, label_size: float,
             legend: bool = True, size_scale: float = 1.0, char: float = 0.036, colours=None) -> None:
    import textwrap

    import networkx as nx

    ax.set_axis_off()
    ax.set_title(title, fontproperties=font, fontsize=label_size + 4, wrap=True)
    if graph.number_of_nodes() == 0:
        note = graph.graph.get("note") or ""
        text = ("无逐项任务分工，部门网络为空" if lang == "zh" else "No per-task assignments: empty network")
        ax.text(0.5, 0.55, text, ha="center", va="center", fontproperties=font, fontsize=label_size + 3,
                color="#444444", transform=ax.transAxes)
        if note:
            ax.text(0.5, 0.45, "\n".join(textwrap.wrap(note, 60)), ha="center", va="top", fontsize=label_size,
                    color="#666666", transform=ax.transAxes)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        return
    pos = layout(graph, lang=lang, char=char)
    colours, names = colours or _colour_map([graph], color_by, lang)
    keys = _colour_keys(graph, color_by)
    most = max((d.get("leads", 0) for _, d in graph.nodes(data=True)), default=0)
    sizes = [_node_radius(graph.nodes[n], most, size_scale) for n in graph]
    weights = [d.get("weight", 1) for *_, d in graph.edges(data=True)]
    heaviest = max(weights) if weights else 1
    widths = [0.6 + 4.0 * w / heaviest for w in weights]
    arrows = {"arrows": True, "arrowsize": 10, "node_size": sizes} if graph.is_directed() else {"arrows": False}
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#9aa5b1", alpha=0.55, **arrows)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes, node_color=[colours[keys[n]] for n in graph],
                           edgecolors="#333333", linewidths=0.6)
    for node, size in zip(graph, sizes):
        attrs = graph.nodes[node]
        text = label(attrs, lang)
        if attrs.get("type") != "task" and attrs.get("leads"):
            text += f" ({attrs['leads']})"
        ax.annotate(text, pos[node], xytext=(0, -(2 + math.sqrt(size / math.pi))),
                    textcoords="offset points", ha="center", va="top", fontproperties=font,
                    fontsize=label_size, color="#111111",
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.7})
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    widest = max(_label_half_width(graph.nodes[n], lang, char) for n in graph)
    ax.set_xlim(min(xs) - widest - 0.05, max(xs) + widest + 0.05)
    ax.set_ylim(min(ys) - 0.24, max(ys) + 0.14)
    if legend:
        present = [k for k in names if k in set(keys.values())]
        _legend(ax, [(names[k], colours[k]) for k in present], lang, font, label_size,
                bipartite=graph.graph.get("kind") == "bipartite", loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _legend(target, entries, lang: str, font, label_size: float, bipartite: bool = False, **where) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([0], [0], marker="o", linestyle="", markerfacecolor=c, markeredgecolor="#333333",
                      markersize=9, label=name) for name, c in entries]
    if font is not None:
        font = font.copy()
        font.set_size(label_size)
    note = "节点大小＝牵头任务数\n线宽＝共同承担的任务数" if lang == "zh" else "node size = tasks led\nedge width = shared tasks"
    if bipartite:
        note = "节点大小＝牵头任务数\n连线＝一条任务分工" if lang == "zh" else "node size = tasks led\nline = one assignment"
    target.legend(handles=handles, prop=font, frameon=False, title=note, title_fontproperties=font,
                  alignment="left", **where)


# smaller leaves no room for labels and legend; larger at 600 dpi is a picture of gigabytes
FIGURE_INCHES = (2, 40)


def draw(graph, output: Path | str, *, lang: str = "zh", color_by: str = "group",
         width: float = 14.0, height: float = 10.0, dpi: int = 100) -> Path:
    """Draw one network to PNG or SVG (by ``output``'s suffix); the picture is ``width``×``height`` inches,
    each within ``FIGURE_INCHES``.

    Chinese labels need a CJK font (:func:`cjk_font`); without one this raises NetworkError saying
    what to install. Node size is the lead count, colour the function group, function type or
    Louvain community, edge width the weight; the layout is seeded, so the picture is reproducible.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    output = Path(output)
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise NetworkError(f"{output}: write .png or .svg")
    smallest, largest = FIGURE_INCHES
    for name, inches in (("width", width), ("height", height)):
        if not smallest <= inches <= largest:  # false for NaN too
            raise NetworkError(f"a picture's {name} must be {smallest} to {largest} inches, not {inches}")
    font = cjk_font() if lang == "zh" or _has_cjk(graph) else None
    if lang == "zh":
        _check_glyphs(graph, font)
    title = graph.graph.get(f"title_{lang}") or graph.graph.get("name", "")
    kind_label = _kind_label(graph, lang)
    matplotlib.rcParams["svg.hashsalt"] = "ipkg"
    fig = plt.figure(figsize=(width, height), dpi=dpi)
    ax = fig.add_axes((0.02, 0.03, 0.72, 0.9))
    _draw_on(ax, graph, lang=lang, color_by=color_by, font=font, title=f"{title}\n{kind_label}", label_size=10)
    return _save(fig, output, fmt, dpi)


def _kind_label(graph, lang: str) -> str:
    kind = graph.graph.get("kind", "")
    merged = graph.graph.get("merge_by", "")
    if lang == "zh":
        text = {"coassignment": "部门共同分工网络", "bipartite": "部门—任务二分网络"}.get(kind, kind)
        if graph.graph.get("directed"):
            text += "（牵头→配合）"
        if merged:
            text += "（按职能类型合并）" if merged == "function" else "（按职能大类合并）"
        return text
    text = {"coassignment": "department co-assignment network", "bipartite": "department–task network"}.get(kind, kind)
    if graph.graph.get("directed"):
        text += " (lead → partner)"
    if merged:
        text += f" (merged by {merged})"
    return text


def _has_cjk(graph) -> bool:
    return any(re.search(r"[\u3000-\u9fff]", str(d.get("label_zh", ""))) for _, d in graph.nodes(data=True)) \
        or bool(re.search(r"[\u3000-\u9fff]", graph.graph.get("note", "")))


def _check_glyphs(graph, font) -> None:
    text = graph.graph.get("title_zh", "") + "".join(label(d, "zh") for _, d in graph.nodes(data=True))
    missing = missing_glyphs(text, font)
    if missing:
        raise NetworkError(f"the CJK font {font.get_file()} has no glyph for {missing!r}; {CJK_FONT_HINT}")


def _save(fig, output: Path, fmt: str, dpi: int) -> Path:
    import matplotlib.pyplot as plt

    from .export import write_atomic

    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": "ipkg"}
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    plt.close(fig)
    return write_atomic(output, buffer.getvalue())


def draw_small_multiples(output: Path | str, plans: list[str] | None = None, *, lang: str = "zh",
                         color_by: str = "group", kind: str = "coassignment", dpi: int = 100,
                         store=None, corpus: Corpus | None = None) -> Path:
    """The cities side by side: one panel per plan (empty plans say why), one shared legend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    corpus = read_corpus(store) if corpus is None else corpus
    slugs = _select_plans(plans, corpus)
    output = Path(output)
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise NetworkError(f"{output}: write .png or .svg")
    font = cjk_font()
    graphs = [department_graph(slug, kind=kind, corpus=corpus) for slug in slugs]
    for graph in graphs:
        _check_glyphs(graph, font)
    columns = min(3, len(graphs))
    rows = math.ceil(len(graphs) / columns)
    fig = plt.figure(figsize=(8.0 * columns, 7.0 * rows), dpi=dpi)
    colours = _colour_map([g for g in graphs if g.number_of_nodes()], color_by, lang) if color_by != "community" else None
    for i, (slug, graph) in enumerate(zip(slugs, graphs)):
        r, c = divmod(i, columns)
        ax = fig.add_axes((c / columns + 0.005, 1 - (r + 1) / rows + 0.01, 1 / columns - 0.01, 1 / rows - 0.06))
        meta = corpus.plans[slug]
        title = f"{meta.get('city_' + lang) or slug}  {slug}"
        _draw_on(ax, graph, lang=lang, color_by=color_by, font=font, title=title, label_size=9,
                 legend=color_by == "community", size_scale=0.8, char=0.05, colours=colours)
    heading = "五城市部门共同分工网络" if lang == "zh" else "Department co-assignment networks of the five cities"
    if kind == "bipartite":
        heading = "五城市部门—任务网络" if lang == "zh" else "Department–task networks of the five cities"
    fig.suptitle(heading, fontproperties=font, fontsize=18, y=0.995)
    if colours:
        entries = [(name, colours[0][key]) for key, name in colours[1].items()]
        where = {"loc": "center left", "bbox_to_anchor": (0.02 + (len(graphs) % columns) / columns, 0.5 / rows)} \
            if len(graphs) % columns else {"loc": "lower right"}
        _legend(fig, entries, lang, font, 12, bipartite=kind == "bipartite", **where)
    return _save(fig, output, fmt, dpi)


# ------------------------------------------------------------------------------------ the page


def page_data(plans: list[str] | None = None, *, store=None, corpus: Corpus | None = None) -> dict:
    """What the interactive page shows: per-city co-assignment networks laid out side by side.

    Nodes carry zh/en names, function type, city, roles held and the tasks led with their titles.

    >>> data = page_data()
    >>> len(data["nodes"]), sorted(data["cities"])
    (65, ['taixing', 'yancheng', 'yangjiang'])
    """
    corpus = read_corpus(store) if corpus is None else corpus
    slugs = _select_plans(plans, corpus)
    titles = {shorten(r["task"]): r for r in corpus.assignments}
    nodes, edges, cities, empty, drawn = [], [], {}, [], []
    right_edge = {"zh": 0.0, "en": 0.0}
    for slug in slugs:
        graph = department_graph(slug, corpus=corpus)
        meta = corpus.plans[slug]
        if not graph.number_of_nodes():
            empty.append({"plan": slug, "city_zh": meta.get("city_zh") or "", "city_en": meta.get("city_en") or "",
                          "note": graph.graph["note"]})
            continue
        drawn.append(graph)
        city = _city_key(meta.get("city"))
        cities[city] = {"plan": slug, "zh": meta.get("city_zh") or city, "en": meta.get("city_en") or city,
                        "title_zh": meta.get("title_zh") or "", "title_en": meta.get("title_en") or ""}
        # one layout per label language (English labels are wider), panels side by side
        placed = {}
        for lang in ("zh", "en"):
            pos = layout(graph, lang=lang, char=0.042)
            low_x, high_x = min(x for x, _ in pos.values()), max(x for x, _ in pos.values())
            offset = right_edge[lang] + 0.35 - low_x  # 0.35 units between the widest labels of two panels
            right_edge[lang] = offset + high_x + 0.35
            cities[city][f"pos_{lang}"] = [round(offset + (low_x + high_x) / 2, 5),
                                           round(max(y for _, y in pos.values()) + 0.3, 5)]
            placed[lang] = {n: [round(x + offset, 5), round(y, 5)] for n, (x, y) in pos.items()}
        for node in sorted(graph):
            d = graph.nodes[node]
            led = []
            for task_id in d["led_tasks"].split():
                row = titles.get(task_id, {})
                led.append({"id": task_id, "path": row.get("path", ""), "zh": row.get("task_zh", ""),
                            "en": row.get("task_en", "")})
            nodes.append({"id": node, "zh": d["label_zh"], "en": d["label_en"], "short_zh": d["short_zh"],
                          "short_en": d["short_en"], "function": d["function"], "function_zh": d["function_zh"],
                          "function_en": d["function_en"], "group": d["group"], "group_zh": d["group_zh"],
                          "group_en": d["group_en"], "city": city, "plan": slug, "tasks": d["tasks"],
                          "leads": d["leads"], "roles": d["roles"].split(), "led": led,
                          "pos_zh": placed["zh"][node], "pos_en": placed["en"][node]})
        for u, v, d in sorted(graph.edges(data=True)):
            edges.append({"source": u, "target": v, "weight": d["weight"], "city": city})
    palette, _ = _colour_map(drawn, "group", "zh")  # the same colours as the pictures
    names = {n["group"]: (n["group_zh"], n["group_en"]) for n in nodes}
    return {"nodes": nodes, "edges": edges, "cities": cities, "empty": empty,
            "groups": [{"key": key, "zh": names[key][0], "en": names[key][1], "colour": colour}
                       for key, colour in palette.items()],
            "roles": [{"key": r, "zh": ROLE_LABELS[r][0], "en": ROLE_LABELS[r][1]} for r in ROLES]}


def embed_json(data) -> str:
    """JSON safe inside an HTML ``<script>``: ``</``, ``<!--`` and line separators are escaped.

    >>> embed_json({"a": "</script><!--"})
    '{"a": "<\\\\/script>\\\\u003c!--"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return (text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def html_page(plans: list[str] | None = None, *, lang: str = "zh", store=None, corpus: Corpus | None = None) -> str:
    """One self-contained HTML page (inline SVG, CSS and vanilla JavaScript; no network access).

    Zoom with the wheel or the buttons, pan by dragging, hover a node for its names, function type
    and the tasks it leads; filter by city and role; search by name (zh or en).

    >>> page = html_page()
    >>> page.startswith("<!DOCTYPE html>"), "<script src" in page, "@import" in page
    (True, False, False)
    """
    from importlib import resources

    template = resources.files("ipkg").joinpath("templates/network.html").read_text(encoding="utf-8")
    data = page_data(plans, store=store, corpus=corpus)
    return (template.replace("/*IPKG_DATA*/null", embed_json(data))
            .replace("{{lang}}", "zh" if lang == "zh" else "en"))
