"""`ipkg network`: department networks — statistics, exports, pictures and an interactive page."""

from __future__ import annotations

import click

from . import main
from .common import check_output, echo_table

KIND = click.Choice(["coassignment", "bipartite"])
MERGE = click.Choice(["function", "group"])
LANG = click.Choice(["zh", "en"])


def _graph_options(func):
    """Options that pick the network: plans, kind, merging, direction."""
    func = click.option("--directed", is_flag=True,
                        help="Lead→partner direction (co-assignment only): edges from each task's leads.")(func)
    func = click.option("--merge-by", type=MERGE, default=None,
                        help="Merge departments of all cities by function type (or its broader group).")(func)
    func = click.option("--kind", type=KIND, default="coassignment", show_default=True,
                        help="Departments linked by shared tasks, or the department–task graph.")(func)
    func = click.option("--plan", "plans", multiple=True, metavar="SLUG",
                        help="Only this plan (repeatable); default every plan.")(func)
    return func


@main.group()
def network() -> None:
    """Department networks: who leads, who works with whom, how cities differ.

    Built from the knowledge graph through SPARQL (queries/network-*.rq). Plans that assign no
    departments to their tasks give an empty network and a message saying so (exit 0).
    """


def _note(graph) -> None:
    if graph.graph.get("note"):
        click.echo(f"note: {graph.graph['note']}", err=True)


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


@network.command()
@_graph_options
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Central departments to list.")
@click.option("--sort", default="pagerank", show_default=True,
              type=click.Choice(["pagerank", "betweenness", "eigenvector", "degree", "weighted_degree", "leads"]),
              help="What 'central' means for the top-k list.")
@click.option("--table", "table", type=click.Choice(["all", "summary", "nodes", "compare", "functions"]),
              default=None, help="Which table to print (csv prints one; default: all, or nodes for csv).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Language of labels.")
def stats(plans, kind, merge_by, directed, top, sort, table, fmt, lang) -> None:
    """Size, centralities (degree, betweenness, eigenvector, PageRank), lead counts and Louvain
    communities per network, the top-k central departments, and a comparison across cities."""
    from ..network import (compare, department_graph, function_leads, plan_slugs, read_corpus, summary,
                           node_table)

    corpus = read_corpus()
    slugs = list(plans) or plan_slugs(corpus)
    if merge_by:
        graphs = [department_graph(slugs, kind=kind, merge_by=merge_by, directed=directed, corpus=corpus)]
    else:
        graphs = [department_graph(slug, kind=kind, directed=directed, corpus=corpus) for slug in slugs]
    table = table or ("nodes" if fmt == "csv" else "all")
    if fmt == "csv" and table == "all":
        raise click.UsageError("csv holds one table: choose --table summary, nodes, compare or functions")

    summaries = [summary(g, lang) for g in graphs]
    nodes = [dict(network=s["network"], **row) for g, s in zip(graphs, summaries)
             for row in node_table(g, top=top, lang=lang, sort=sort)]
    comparison = compare(lang, slugs, corpus=corpus)
    functions = function_leads(lang, slugs, corpus=corpus)
    tables = {"summary": summaries, "nodes": nodes, "compare": comparison, "functions": functions}

    if fmt == "json":
        import json

        chosen = tables if table == "all" else {table: tables[table]}
        click.echo(json.dumps(chosen, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        import csv
        import io

        rows = tables[table]
        buffer = io.StringIO()
        columns = list(dict.fromkeys(k for row in rows for k in row)) or ["network"]
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
        return

    if table in ("all", "summary", "nodes"):
        for graph, s in zip(graphs, summaries):
            click.echo(f"== {s['network']} · {s['title']} ({s['kind']}{', ' + s['merge_by'] if s['merge_by'] else ''}"
                       f"{', directed' if s['directed'] else ''})")
            if s["note"]:
                click.echo(f"   empty network: {s['note']}")
                click.echo("")
                continue
            click.echo(f"   nodes {s['nodes']} (departments {s['departments']}) · edges {s['edges']} · density "
                       f"{s['density']:.3f} · components {s['components']} · communities {s['communities']} · "
                       f"leads {s['leads']} · top lead {s['top_lead']} ({s['top_lead_count']})")
            if table in ("all", "nodes"):
                rows = [r for r in nodes if r["network"] == s["network"]]
                columns = ["rank", "label", "function", "tasks", "leads", "degree", "weighted_degree",
                           "betweenness", "eigenvector", "pagerank", "community"]
                echo_table(columns, [[_fmt(r[c]) for c in columns] for r in rows])
            click.echo("")
    if table in ("all", "compare"):
        click.echo("== comparison across cities (leadership concentration)")
        columns = ["plan", "city", "practice", "tasks", "tasks_led", "departments", "edges", "density",
                   "leads_explicit", "leads_inferred", "top_lead", "top_lead_count", "top_share", "gini"]
        echo_table(columns, [[_fmt(r[c]) for c in columns] for r in comparison])
        click.echo("")
    if table in ("all", "functions"):
        click.echo("== tasks led per function type")
        columns = list(functions[0]) if functions else ["function", "label", "total"]
        echo_table(columns, [[_fmt(r[c]) for c in columns] for r in functions])


def _one_graph(plans, kind, merge_by, directed):
    from ..network import department_graph

    return department_graph(list(plans) or None, kind=kind, merge_by=merge_by, directed=directed)


@network.command()
@_graph_options
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json", "csv"]), default=None,
              help="Default: from the file's suffix (.graphml .gexf .json .csv).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="File to write (atomically); csv writes <stem>.nodes.csv and <stem>.edges.csv.")
def export(plans, kind, merge_by, directed, fmt, output) -> None:
    """Write a network as GraphML, GEXF (Gephi), node-link JSON or node/edge CSV."""
    from pathlib import Path

    from ..network import export as write

    if output == "-":
        raise click.UsageError("network export writes files (csv writes two): give a file name, not -")
    check_output(output)
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".")
        fmt = {"graphml": "graphml", "gexf": "gexf", "json": "json", "csv": "csv"}.get(suffix)
        if fmt is None:
            raise click.UsageError(f"cannot tell the format from {output!r}: give --format")
    graph = _one_graph(plans, kind, merge_by, directed)
    _note(graph)
    for path in write(graph, fmt, output):
        click.echo(f"wrote {path} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, {fmt})", err=True)


@network.command()
@_graph_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="A .png or .svg file.")
@click.option("--color", "color_by", type=click.Choice(["group", "function", "community"]), default="group",
              show_default=True, help="Colour nodes by function group, function type or Louvain community.")
@click.option("--lang", type=LANG, default="zh", show_default=True)
@click.option("--small-multiples", is_flag=True, help="One panel per plan, side by side (ignores --merge-by).")
# the bounds are network.FIGURE_INCHES, which draw checks too (FloatRange lets NaN through)
@click.option("--width", type=click.FloatRange(min=2, max=40), default=14.0, show_default=True, help="Inches.")
@click.option("--height", type=click.FloatRange(min=2, max=40), default=10.0, show_default=True, help="Inches.")
@click.option("--dpi", type=click.IntRange(min=30, max=600), default=100, show_default=True)
def draw(plans, kind, merge_by, directed, output, color_by, lang, small_multiples, width, height, dpi) -> None:
    """Draw a network (PNG or SVG): node size = tasks led, colour = function or community,
    edge width = shared tasks, seeded layout. Needs a CJK font (Debian: fonts-noto-cjk)."""
    from ..network import draw as draw_graph
    from ..network import draw_small_multiples

    if output == "-":
        raise click.UsageError("network draw writes a .png or .svg file: give a file name, not -")
    check_output(output)
    if small_multiples:
        path = draw_small_multiples(output, list(plans) or None, lang=lang, color_by=color_by, kind=kind, dpi=dpi)
    else:
        graph = _one_graph(plans, kind, merge_by, directed)
        _note(graph)
        path = draw_graph(graph, output, lang=lang, color_by=color_by, width=width, height=height, dpi=dpi)
    click.echo(f"wrote {path}", err=True)


@network.command()
@click.option("--plan", "plans", multiple=True, metavar="SLUG", help="Only this plan (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="The .html file to write ('-': standard output).")
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Language the page opens in.")
def html(plans, output, lang) -> None:
    """One self-contained, offline HTML page: zoom, pan, hover details, filter by city and role, search."""
    from ..export import write_atomic
    from ..network import html_page, page_data, read_corpus

    check_output(output)
    corpus = read_corpus()
    data = page_data(list(plans) or None, corpus=corpus)
    for empty in data["empty"]:
        click.echo(f"note: {empty['note']}", err=True)
    page = html_page(list(plans) or None, lang=lang, corpus=corpus)
    if output == "-":
        click.echo(page, nl=False)
        return
    write_atomic(output, page)
    click.echo(f"wrote {output} ({len(data['nodes'])} departments, {len(data['edges'])} links, "
               f"{len(page.encode('utf-8')):,} bytes)", err=True)
