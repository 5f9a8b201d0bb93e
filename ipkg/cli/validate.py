"""The `ipkg validate` command: SHACL shapes on the bundled plans or on given Turtle files."""

from __future__ import annotations

import click

from . import main


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--shapes", "shapes_dir", metavar="DIR", help="Shapes directory (default: the bundled shapes/).")
@click.option("--plan", "plans", multiple=True, metavar="SLUG", help="Only this bundled plan (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default=None,
              help="[default: from -o's suffix (.json .ttl), else text]")
@click.option("--inference", type=click.Choice(["none", "rdfs"]), default="none", show_default=True,
              help="rdfs: validate the RDFS closure of each plan graph.")
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--no-cache", "no_cache", is_flag=True, help="Validate every plan again, ignoring cached results.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N", help="Worker processes (default: every core).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the messages in the text report.")
@click.option("-v", "--verbose", is_flag=True, help="Text report: list notes (Info) too.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the report to FILE (atomically) instead of standard output ('-': standard output).")
def validate(paths: tuple[str, ...], shapes_dir: str | None, plans: tuple[str, ...], fmt: str, inference: str,
             strict: bool, no_cache: bool, jobs: int | None, lang: str, verbose: bool, output: str | None) -> None:
    """Check plans against the SHACL shapes: the bundled plans, or the Turtle files PATH...

    Each plan is validated with the ontology, vocabularies and shared entities, in parallel, and
    unchanged plans are answered from the cache. Exit codes: 0 conforms, 1 violations (or
    warnings with --strict), 2 unreadable input (a malformed file is named with its line).
    """
    from ..validate import validate as run
    from .common import check_output, format_for

    fmt = format_for(output, fmt, {".json": "json", ".ttl": "turtle"}) or "text"
    check_output(output, *paths, *([shapes_dir] if shapes_dir else []))
    report = run(paths=list(paths) or None, plans=list(plans) or None, shapes_dir=shapes_dir,
                 inference=inference, strict=strict, jobs=jobs, cache=not no_cache)
    if fmt == "json":
        text = report.to_json()
    elif fmt == "turtle":
        text = report.to_turtle()
    else:
        text = report.to_text(lang=lang, verbose=verbose)
    if output and output != "-":
        from ..export import write_atomic

        write_atomic(output, text)
        click.echo(report.summary(), err=True)
    else:
        click.echo(text, nl=False)
    if report.cached:
        click.echo(f"({report.cached} of {len(report.plans)} plan(s) unchanged: results from the cache)", err=True)
    raise SystemExit(report.exit_code)
