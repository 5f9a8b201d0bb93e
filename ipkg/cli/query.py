"""Commands that ask questions: query, queries, push."""

from __future__ import annotations

import click

from . import main

_FORMATS = ["table", "csv", "tsv", "json", "markdown", "turtle", "ntriples"]
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".md": "markdown", ".ttl": "turtle", ".nt": "ntriples"}


def _endpoint_options(func):
    func = click.option("--password", envvar="IPKG_SPARQL_PASSWORD", metavar="PASSWORD",
                        help="Password for the server (env IPKG_SPARQL_PASSWORD).")(func)
    func = click.option("--user", envvar="IPKG_SPARQL_USER", metavar="USER",
                        help="User name for the server (env IPKG_SPARQL_USER).")(func)
    return func


@main.command("query")
@click.argument("query")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter as an RDF term of its declared type (repeatable).")
@click.option("--plan", "plans", multiple=True, metavar="SLUG",
              help="Only this plan's named graph (with its city's departments, shared entities and ontology).")
@click.option("-f", "--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="Output format [default: from -o's suffix (.csv .tsv .json .md .ttl .nt), else table; turtle "
                   "for CONSTRUCT/DESCRIBE].")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the labels shown for IRIs in table and markdown output.")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the bundled graph.")
@_endpoint_options
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="SECONDS",
              help="Give up after this many seconds.")
@click.option("--allow-update", is_flag=True, help="Allow SPARQL UPDATE (embedded: applied to an in-memory copy only).")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE clauses (federated queries reach the network).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of stdout ('-': stdout).")
def query_command(query: str, params: tuple[str, ...], plans: tuple[str, ...], fmt: str | None, lang: str,
                  endpoint: str | None, user: str | None, password: str | None, timeout: float,
                  allow_update: bool, allow_service: bool, output: str | None) -> None:
    """Run QUERY: a named query (see `ipkg queries`), a .rq file, or '-' for standard input.

    \b
    Examples:
      ipkg query lead-departments --plan taixing-2024
      ipkg query metric-targets --param metric=metric:registered-trademarks --format csv
      echo 'SELECT (COUNT(*) AS ?n) { ?t a ipkg:Task }' | ipkg query -
      ipkg query plan-stats --endpoint http://127.0.0.1:8890/sparql --format json
    """
    import sys
    from pathlib import Path

    from ..query import QueryTimeout, default_format, format_result, iris_in, labels, parse_assignments, run
    from .common import check_output, format_for

    if len(plans) > 1:  # click would keep the last silently
        raise click.UsageError(f"--plan given {len(plans)} times: a query runs on one plan's graphs (or, without "
                               "--plan, on all)")
    plan = plans[0] if plans else None
    fmt = format_for(output, fmt, _SUFFIXES)
    if query == "-":
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise click.UsageError(f"standard input is not UTF-8 text (byte {exc.start})") from None
    else:
        text = query
        check_output(output, *([query] if Path(query).is_file() else []))
    try:
        result = run(text, parse_assignments(params), plan=plan, endpoint=endpoint, timeout=timeout,
                     allow_update=allow_update, allow_service=allow_service, user=user, password=password)
    except QueryTimeout as exc:
        _abandon(exc)
    fmt = fmt or default_format(result)
    names = {}
    if fmt in ("table", "markdown"):
        names = labels(iris_in(result), lang, store=result.store, endpoint=endpoint, timeout=timeout, user=user,
                       password=password)
    data = format_result(result, fmt, names)
    if output and output != "-":
        from ..export import write_atomic

        write_atomic(output, data)
        click.echo(f"wrote {output} ({len(data.encode('utf-8')):,} bytes, {fmt})", err=True)
    else:
        click.echo(data, nl=False)


def _abandon(exc: Exception) -> None:
    """Exit at once after a timeout: the abandoned query thread cannot be stopped, only left behind."""
    import os
    import sys

    click.echo(f"Error: {exc}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exc.exit_code)


@main.group("queries", invoke_without_command=True)
@click.pass_context
def queries_group(ctx: click.Context) -> None:
    """List the named queries (name, title, parameters); `ipkg queries show NAME` prints one."""
    if ctx.invoked_subcommand is not None:
        return
    from ..query import named_queries

    from .common import echo_table

    rows = []
    for name, item in named_queries().items():
        params = ", ".join(p.name + ("" if p.required else "?") for p in item.params)
        rows.append([name, item.kind, params, item.title])
    echo_table(["name", "kind", "parameters", "title"], rows)


@queries_group.command("show")
@click.argument("name")
def queries_show(name: str) -> None:
    """Print the named query NAME: its header (title, description, parameters, examples) and SPARQL."""
    from ..query import get

    click.echo(get(name).text, nl=False)


@main.command("push")
@click.option("--endpoint", metavar="URL", help="The server's SPARQL endpoint (gsp: required; used to verify).")
@click.option("--graph-store", metavar="URL",
              help="Its SPARQL 1.1 Graph Store Protocol URL [default for Virtuoso: ENDPOINT-graph-crud-auth].")
@_endpoint_options
@click.option("--plan", "plans", multiple=True, metavar="SLUG", help="Only this plan (repeatable).")
@click.option("--method", type=click.Choice(["gsp", "bulk"]), default="gsp", show_default=True,
              help="gsp: one HTTP PUT per named graph (any SPARQL 1.1 server). bulk: Virtuoso's bulk "
                   "loader reads the files from the server's disk (thousands of plans).")
@click.option("--isql", "isql_address", default="127.0.0.1:1111", show_default=True, metavar="HOST:PORT",
              help="bulk: Virtuoso's SQL port (reached with isql-vt).")
@click.option("--staging", type=click.Path(file_okay=False), metavar="DIR",
              help="bulk: where to put the files for the server to read (must be in its DirsAllowed).")
@click.option("--server-dir", metavar="DIR", help="bulk: the staging directory as the server sees it [default: --staging].")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True, help="bulk: loader threads.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="SECONDS")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Count the triples on the server afterwards and compare.")
def push_command(endpoint: str | None, graph_store: str | None, user: str | None, password: str | None,
                 plans: tuple[str, ...], method: str, isql_address: str, staging: str | None,
                 server_dir: str | None, workers: int, timeout: float, verify: bool) -> None:
    """Load the ontology, vocabularies, shared entities and plans into a SPARQL server.

    One named graph per plan (https://w3id.org/ipkg/id/graph/<slug>), plus graph/departments/<city>
    per city, graph/shared and graph/ontology. Each graph is replaced, so pushing twice never
    duplicates triples. Honours IPKG_PLANS_DIR (push another corpus).
    """
    if method == "bulk":
        _push_bulk(isql_address, user, password, staging, server_dir, plans, workers, verify)
        return
    if not endpoint:
        raise click.UsageError("--endpoint is required with --method gsp")
    from ..remote import count_triples, push

    def progress(item) -> None:
        click.echo(f"{item.graph}  {item.triples:,} triples  (HTTP {item.status})")

    pushed = push(endpoint, graph_store=graph_store, user=user, password=password, plans=list(plans) or None,
                  method=method, timeout=timeout, progress=progress)
    total = sum(item.triples for item in pushed)
    if not verify:
        click.echo(f"pushed {total:,} triples in {len(pushed)} graphs")
        return
    counts = count_triples(endpoint, [item.graph for item in pushed], timeout=timeout, user=user, password=password)
    wrong = [item for item in pushed if counts.get(item.graph) != item.triples]
    for item in wrong:
        click.echo(f"mismatch: {item.graph} has {counts.get(item.graph)} triples on the server, "
                   f"{item.triples} were sent", err=True)
    if wrong:
        raise SystemExit(1)
    click.echo(f"pushed {total:,} triples in {len(pushed)} graphs; the server holds exactly these")


def _push_bulk(address: str, user: str | None, password: str | None, staging: str | None, server_dir: str | None,
               plans: tuple[str, ...], workers: int, verify: bool) -> None:
    from ..bulkload import bulk_load, isql_runner
    from ..remote import credentials
    from ..store import bundled_inputs, open_store

    if not staging:
        raise click.UsageError("--staging is required with --method bulk")
    user, password = credentials(user, password)
    host, _, port = address.rpartition(":")
    inputs = bundled_inputs(list(plans) or None)
    expected = len(open_store(inputs)) if verify else None
    report = bulk_load(inputs, isql_runner(port, user or "dba", password or "dba", host=host or "127.0.0.1"),
                       staging, server_dir=server_dir, workers=workers, expected_triples=expected, count=verify)
    held = f"; the server holds exactly {report.triples:,} triples in the ipkg graphs" if verify else ""
    click.echo(f"bulk-loaded {report.files} files into {report.graphs} graphs in {report.seconds:.1f} s{held}")
