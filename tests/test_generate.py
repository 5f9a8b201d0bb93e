"""The synthetic corpus generator (benchmarks/generate.py): deterministic, shaped like the real
plans, loadable, and its provenance spans still point at the right characters."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate import generate  # noqa: E402

N = 9


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    summary = generate(N, out, seed=5, sources=True)
    return out, summary


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_corpus(corpus, tmp_path):
    out, _ = corpus
    again = tmp_path / "again"
    generate(N, again, seed=5, sources=True)
    assert _files(again) == _files(out)
    other = tmp_path / "other"
    generate(N, other, seed=6, sources=True)
    assert _files(other) != _files(out)


def test_layout_and_slugs(corpus):
    out, summary = corpus
    plans = sorted(p.stem for p in out.glob("*.ttl"))
    assert len(plans) == N == summary["plans"] == sum(summary["templates"].values())
    assert sorted((out / "shared").iterdir()) == [out / "shared" / name
                                                  for name in ("departments", "documents.ttl", "places.ttl")]
    cities = set()
    for slug in plans:
        city, year = slug.rsplit("-", 1)
        cities.add(city)
        assert city.startswith("syn-") and year.isdigit()
        assert f"<https://w3id.org/ipkg/id/place/{city}>" in (out / "shared" / "places.ttl").read_text(encoding="utf-8")
    assert sorted(p.stem for p in (out / "shared" / "departments").iterdir()) == sorted(cities)
    assert len(cities) < len(plans)  # some cities have several plans: the case the department files are for


def test_no_triple_sits_in_two_graphs(corpus, monkeypatch, tmp_path):
    """A city's plans share its departments through one file: were they repeated in each plan's
    graph, the union default graph would return their triples once per plan and multiply rows."""
    import ipkg.query
    from ipkg.store import open_store

    out, _ = corpus
    monkeypatch.setenv("IPKG_PLANS_DIR", str(out))
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    store = open_store()
    quads = next(iter(store.query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")))["n"].value
    triples = next(iter(store.query("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")))["n"].value
    assert int(quads) == int(triples)
    rows = ipkg.query("network-departments")
    departments = {str(row["department"]) for row in rows}
    assert len(rows) == len(departments) > 0


def test_each_plan_has_its_templates_tasks_and_assignments(corpus):
    """Counts come from the curation records (read from the source texts), not from the generator."""
    import yaml

    out, _ = corpus
    records = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
               for p in (REPO / "data" / "curation").glob("*-20*.yaml")}
    for path in sorted(out.glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        template = text.split("from the template ", 1)[1].split(".", 1)[0].rstrip()
        expected_tasks = len(records[template]["tasks"])
        assert text.count("\n    a ipkg:Task ;") == expected_tasks, path.name
        assert f"/{template}/" not in text  # every plan IRI was rewritten


def test_loads_and_spans_point_at_their_quotes(corpus):
    import pyoxigraph as ox

    out, _ = corpus
    for path in sorted(out.glob("*.ttl")):
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        source = (out / "sources" / f"{path.stem}.txt").read_text(encoding="utf-8")
        rows = list(store.query(
            "PREFIX oa: <http://www.w3.org/ns/oa#> SELECT ?s ?e ?x WHERE { ?span oa:hasSelector ?p, ?q . "
            "?p oa:start ?s ; oa:end ?e . ?q oa:exact ?x }"))
        assert rows
        for row in rows:
            assert source[int(row["s"].value):int(row["e"].value)] == row["x"].value, path.name


def test_synthetic_plans_conform_to_the_shapes(corpus, cli, monkeypatch, tmp_path):
    out, _ = corpus
    monkeypatch.setenv("IPKG_PLANS_DIR", str(out))
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    result = cli("validate", "--jobs", "1")
    assert result.exit_code == 0, result.output[-2000:]
    assert f"{N} plan(s) validated, 0 with violations" in result.output
