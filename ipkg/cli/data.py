"""Commands about the dataset itself: stats, export, curate."""

from __future__ import annotations

import click

from . import main
from .common import echo_table


@main.command()
@click.option("--plan", "plans", multiple=True, metavar="SLUG", help="Only this plan (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(plans: tuple[str, ...], fmt: str) -> None:
    """Per plan: tasks, departments, indicators, cited documents and triples."""
    from ..stats import plan_stats

    rows = plan_stats(list(plans) or None)
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    columns = ["slug", "tasks", "departments", "indicators", "citations", "triples", "title"]
    echo_table(columns, [[row[c] for c in columns] for row in rows])


@main.command()
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt", "nquads", "jsonld", "trig"]),
              default="trig", show_default=True, help="TriG and N-Quads keep the named graphs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="File to write (written atomically; '-' for standard output).")
@click.option("--plan", "plans", multiple=True, metavar="SLUG", help="Only this plan (repeatable).")
def export(fmt: str, output: str, plans: tuple[str, ...]) -> None:
    """Write the merged graph (ontology, vocabularies, shared entities, plans) to one file."""
    from ..export import export_graph

    data = export_graph(fmt, list(plans) or None)
    if output == "-":
        click.echo(data, nl=False)
    else:
        from ..export import write_atomic

        write_atomic(output, data)
        click.echo(f"wrote {output} ({len(data.encode('utf-8')):,} bytes, {fmt})", err=True)


@main.group()
def curate() -> None:
    """Build the plans' Turtle from the curation records in data/curation/."""


@curate.command("check")
@click.argument("slugs", nargs=-1)
def curate_check(slugs: tuple[str, ...]) -> None:
    """Check every anchor and key of the curation records; write nothing (exit 1 on problems)."""
    from ..curate import check, stale_files

    problems = check(list(slugs) or None)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise SystemExit(1)
    stale = [] if slugs else stale_files()
    for path in stale:
        click.echo(f"stale: {path} differs from what the records build (run `ipkg curate build`)")
    if stale:
        raise SystemExit(1)
    click.echo("ok: every anchor found, every key known, generated Turtle up to date")


@curate.command("build")
def curate_build() -> None:
    """Regenerate data/ttl/ from the curation records (atomic writes)."""
    from ..curate import build

    for path in build():
        click.echo(f"wrote {path}")
