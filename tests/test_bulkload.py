"""`ipkg push --method bulk`: the Virtuoso bulk loader path for large corpora, against a private Virtuoso."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def virtuoso():
    from ipkg.servers import Virtuoso, virtuoso_available

    if not virtuoso_available():
        reason = "Virtuoso is not installed (apt-get install virtuoso-opensource)"
        if os.environ.get("IPKG_REQUIRE_SERVER") == "1":
            pytest.fail(reason + " — IPKG_REQUIRE_SERVER=1 makes this a failure")
        pytest.skip(reason)
    server = Virtuoso.start()
    try:
        yield server
    finally:
        server.stop()


def _rdflib_count() -> int:
    """Triples of the bundled dataset counted by an independent parser (rdflib), graph by graph."""
    import rdflib

    from ipkg.store import bundled_inputs

    graphs: dict[str, rdflib.Graph] = {}
    for item in bundled_inputs():
        graphs.setdefault(item.graph, rdflib.Graph()).parse(item.path, format="turtle")
    return sum(len(g) for g in graphs.values())


def _tasks_in_sources() -> int:
    """Key tasks of the five plans, as the curation records list them from the source texts."""
    import yaml

    return sum(len(yaml.safe_load(p.read_text(encoding="utf-8")).get("tasks") or [])
               for p in sorted((REPO / "data" / "curation").glob("*-20*.yaml")))


def test_push_bulk_loads_every_graph_once(virtuoso, cli):
    staging = virtuoso.directory / "staging"  # inside the server's DirsAllowed
    args = ["push", "--method", "bulk", "--isql", f"127.0.0.1:{virtuoso.sql_port}", "--password", virtuoso.password,
            "--staging", staging]
    first = cli(*args)
    assert first.exit_code == 0, first.output
    expected = _rdflib_count()
    assert f"exactly {expected:,} triples" in first.output
    again = cli(*args)  # graphs are cleared first: loading twice never duplicates triples
    assert again.exit_code == 0 and f"exactly {expected:,} triples" in again.output
    from ipkg.query import run

    rows = run("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a ipkg:Task }", endpoint=virtuoso.endpoint).dicts()
    assert int(rows[0]["n"]) == _tasks_in_sources()


def test_a_malformed_file_is_named(virtuoso, tmp_path):
    from ipkg.bulkload import BulkLoadError, bulk_load, isql_runner
    from ipkg.store import Input

    bad = tmp_path / "broken.ttl"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    sql = isql_runner(virtuoso.sql_port, "dba", virtuoso.password)
    with pytest.raises(BulkLoadError, match=re.escape("broken.ttl")):
        bulk_load([Input(bad, "https://w3id.org/ipkg/id/graph/broken")], sql, virtuoso.directory / "bad",
                  workers=1)


def test_staging_keeps_other_files_and_an_unreachable_server_stages_nothing(tmp_path, cli):
    """The staging directory may hold the user's own Turtle: only earlier stagings' files are
    replaced. And with no server listening, nothing is copied before the error."""
    from ipkg.bulkload import stage
    from ipkg.servers import free_port
    from ipkg.store import bundled_inputs

    staging = tmp_path / "staging"
    staging.mkdir()
    mine = staging / "my-plan.ttl"
    mine.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    inputs = bundled_inputs()
    stage(inputs, staging)
    staged = stage(inputs[:2], staging)  # a second staging replaces the first's files
    assert sorted(p.name for p in staging.iterdir()) == sorted([mine.name] + [path.name for path, _ in staged])

    empty = tmp_path / "empty-staging"
    result = cli("push", "--method", "bulk", "--isql", f"127.0.0.1:{free_port()}", "--password", "x",
                 "--staging", empty)
    assert result.exit_code == 2 and "isql" in result.stderr  # unreachable, or not installed here
    assert not empty.exists() or not any(empty.iterdir())
