"""Commands about the dataset itself: stats, export, curate."""

from __future__ import annotations

import click

from . import main
from .common import check_output, echo_table, format_for


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


EXPORT_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".jsonld": "jsonld", ".trig": "trig"}


@main.command()
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt", "nquads", "jsonld", "trig"]), default=None,
              help="TriG and N-Quads keep the named graphs. [default: from -o's suffix (.ttl .nt .nq .jsonld "
                   ".trig), else trig]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="File to write (written atomically; '-' for standard output).")
@click.option("--plan", "plans", multiple=True, metavar="SLUG", help="Only this plan (repeatable).")
def export(fmt: str, output: str, plans: tuple[str, ...]) -> None:
    """Write the merged graph (ontology, vocabularies, shared entities, plans) to one file."""
    from ..export import export_graph

    check_output(output)
    fmt = format_for(output, fmt, EXPORT_SUFFIXES) or "trig"
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
    if slugs:  # the shared files are built from every record, so a subset cannot say they are stale
        click.echo(f"ok: every anchor found, every key known in {', '.join(slugs)} "
                   "(generated Turtle not compared: run without slugs for that)")
        return
    stale = stale_files()
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


@main.group()
def cache() -> None:
    """The on-disk cache: stores of the dataset and validation results ($IPKG_CACHE_DIR, else ~/.cache/ipkg)."""


@cache.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def cache_list(fmt: str) -> None:
    """The cached stores: size, graphs, whether their files have changed since, whether in use."""
    from ..store import cache_dir, cached_stores, megabytes

    stores = cached_stores()
    if fmt == "json":
        import json

        click.echo(json.dumps([{"path": str(s.path), "bytes": s.size, "graphs": s.graphs, "state": s.state,
                                "in_use": s.in_use, "derived_from": s.derived_from} for s in stores], indent=2))
        return
    echo_table(["store", "size", "graphs", "state", "in use", "derived from"],
               [[s.path.name, megabytes(s.size), "?" if s.graphs is None else s.graphs, s.state,
                 "yes" if s.in_use else "no", s.derived_from or ""] for s in stores])
    click.echo(f"{len(stores)} store(s), {megabytes(sum(s.size for s in stores))} in {cache_dir()}")


@cache.command("clear")
@click.option("--outdated", is_flag=True, help="Only the stores whose files have changed or gone since.")
def cache_clear(outdated: bool) -> None:
    """Delete the cached stores no process has open (and, without --outdated, validation results)."""
    from ..store import clear_cache, megabytes

    deleted, kept = clear_cache(outdated_only=outdated)
    for store in kept:
        click.echo(f"kept {store.path.name}: open in another process")
    freed = megabytes(sum(s.size for s in deleted))
    click.echo(f"deleted {len(deleted)} store(s), {freed}" + ("" if outdated else ", and the validation results"))
