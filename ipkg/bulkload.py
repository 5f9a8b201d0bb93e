"""Loading a large corpus into Virtuoso with its bulk loader (for corpora beyond one laptop).

``ipkg push`` sends each named graph over HTTP (SPARQL 1.1 Graph Store Protocol): right for the
bundled plans, slow for thousands. Virtuoso's bulk loader instead reads the Turtle files from the
server's own disk (``ld_add`` + ``rdf_loader_run``), several times faster. This module:

1. stages the inputs (ontology, vocabularies, shared entities, plans — the same files and named
   graphs as :func:`ipkg.store.bundled_inputs`) in a directory the server can read, one file per
   input, hard-linked when possible;
2. clears the target graphs (so loading twice never duplicates triples), registers every file
   with its graph, runs the loader (``workers`` loaders in parallel) and checkpoints;
3. fails, naming the files, if the loader reported an error, and (optionally) checks that the
   server holds exactly the expected number of triples in the ipkg graphs.

The staging directory must be listed in the server's ``DirsAllowed`` (see
/work/shared/notes/virtuoso.md); for a server on another machine, stage on a shared disk or copy
the staged directory there and pass ``server_dir`` (the same directory as the server sees it).

SQL reaches the server through ``isql-vt`` (Debian package ``virtuoso-opensource``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import IpkgError
from .terms import GRAPH


class BulkLoadError(IpkgError):
    """The bulk loader could not be run or reported errors."""


@dataclass(frozen=True)
class BulkLoadReport:
    files: int
    graphs: int
    seconds: float          # clear + register + load + checkpoint
    triples: int | None     # triples in the ipkg graphs after loading (None when not counted)


def _sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def stage(inputs, directory: Path | str) -> list[tuple[Path, str]]:
    """Put one file per input into ``directory`` (hard links when possible); return (file, graph).

    Staged names are ``NNNNN-<name>.ttl`` so two inputs with the same file name never collide.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("[0-9][0-9][0-9][0-9][0-9]-*.ttl"):  # an earlier staging's, not the user's files
        old.unlink()
    staged = []
    for index, item in enumerate(inputs):
        target = directory / f"{index:05d}-{item.path.name}"
        try:
            os.link(item.path, target)
        except OSError:
            shutil.copyfile(item.path, target)
        staged.append((target, item.graph))
    return staged


def isql_runner(port: int | str = 1111, user: str = "dba", password: str | None = None, *, host: str = "127.0.0.1",
                isql: str = "isql-vt", timeout: float = 3600.0):
    """A function that runs SQL text through ``isql-vt`` and returns its output (errors raise)."""
    if not shutil.which(isql):
        raise BulkLoadError(f"{isql} is not on PATH: install the Debian package virtuoso-opensource")
    password = password if password is not None else os.environ.get("IPKG_SPARQL_PASSWORD", "dba")

    def run(sql: str) -> str:
        try:
            completed = subprocess.run([isql, f"{host}:{port}", user, password], input=sql.encode("utf-8"),
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BulkLoadError(f"isql did not finish within {timeout:g} s") from None
        output = completed.stdout.decode("utf-8", "replace")
        if completed.returncode != 0 or "*** Error" in output:
            lines = [line for line in output.splitlines() if line.strip()]
            raise BulkLoadError(f"isql on {host}:{port} failed: {' '.join(lines[-3:])[:400]}")
        return output

    return run


def bulk_load(inputs, sql, staging_dir: Path | str, *, server_dir: Path | str | None = None, workers: int = 2,
              expected_triples: int | None = None, count: bool = True) -> BulkLoadReport:
    """Load ``inputs`` (a list of :class:`ipkg.store.Input`) into Virtuoso with the bulk loader.

    ``sql`` runs SQL text on the server (see :func:`isql_runner`). Files are staged in
    ``staging_dir``; the server reads them from ``server_dir`` (default: the same path). Each
    target graph is cleared first. With ``expected_triples`` a different count on the server is an
    error.
    """
    sql("SELECT 1;\n")  # an unreachable server or wrong password fails here, before any file is staged
    staged = stage(inputs, staging_dir)
    seen_dir = Path(server_dir) if server_dir else Path(staging_dir)
    graphs = sorted({graph for _, graph in staged})
    started = time.perf_counter()
    prefix = str(seen_dir.resolve() if not server_dir else seen_dir).rstrip("/") + "/"
    script = ["log_enable(3, 1);", f"DELETE FROM DB.DBA.load_list WHERE ll_file LIKE {_sql_string(prefix + '%')};"]
    script += [f"SPARQL CLEAR GRAPH <{graph}>;" for graph in graphs]
    script += [f"ld_add({_sql_string(prefix + path.name)}, {_sql_string(graph)});" for path, graph in staged]
    sql("\n".join(script) + "\n")
    if workers > 1:
        loaders = [_background(sql, "rdf_loader_run();\n") for _ in range(workers)]
        errors = [loader() for loader in loaders]
        failed = [e for e in errors if e]
        if failed:
            raise failed[0]
    else:
        sql("rdf_loader_run();\n")
    sql("checkpoint;\n")
    report = sql(f"SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_file LIKE {_sql_string(prefix + '%')} "
                 f"AND (ll_state <> 2 OR ll_error IS NOT NULL);\n")
    bad = [line.split()[0] for line in report.splitlines() if line.startswith(prefix)]
    if bad:
        raise BulkLoadError(f"the bulk loader failed on {len(bad)} file(s), e.g. {bad[0]}: see DB.DBA.load_list.ll_error")
    seconds = time.perf_counter() - started
    triples = count_ipkg_triples(sql) if count or expected_triples is not None else None
    if expected_triples is not None and triples != expected_triples:
        raise BulkLoadError(f"the server holds {triples:,} triples in the ipkg graphs, expected {expected_triples:,}")
    return BulkLoadReport(len(staged), len(graphs), seconds, triples)


def count_ipkg_triples(sql) -> int:
    """Triples in the named graphs under ``id/graph/`` (Virtuoso's own system graph excluded)."""
    output = sql(f"SPARQL SELECT COUNT(*) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{GRAPH}\")) }};\n")
    numbers = [line.strip() for line in output.splitlines() if line.strip().isdigit()]
    if not numbers:
        raise BulkLoadError(f"could not read the triple count from isql: {output[-200:]}")
    return int(numbers[-1])


def _background(sql, text: str):
    """Run ``sql(text)`` in a thread; return a function that waits and returns its exception."""
    import threading

    box: dict = {}

    def work():
        try:
            sql(text)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            box["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()

    def wait():
        thread.join()
        return box.get("error")

    return wait
