"""Properties every plan's data must have, whatever the plan (per-plan facts: test_data_<slug>.py)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from ipkg import curate, paths
from ipkg.query import select
from plan_facts import PREFIXES

SLUGS = ["lianyungang-2016", "taixing-2024", "yancheng-2022", "yangjiang-2017", "yantai-2016"]


def test_five_plans_bundled():
    assert [p.stem for p in paths.plan_files()] == sorted(SLUGS)


def test_sources_vendored_unchanged(sources):
    shared = paths.root().parent / "shared" / "sources"
    if not shared.is_dir():
        pytest.skip("no ../shared/sources next to the checkout to compare with")
    for slug in SLUGS:
        assert sources[slug] == (shared / f"{slug}.txt").read_text(encoding="utf-8"), slug


def test_curation_records_build_cleanly():
    assert curate.check() == []


def test_generated_turtle_matches_records():
    assert curate.stale_files() == [], "run `ipkg curate build` and commit the result"


def test_source_digest_recorded(store, sources):
    import hashlib

    rows = select(PREFIXES + "SELECT ?id ?sha WHERE { ?s a ipkg:SourceText ; dcterms:identifier ?id ; ipkg:sha256 ?sha }",
                  store)
    assert len(rows) == 5
    for row in rows:
        data = (paths.root() / row["id"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha"]


def test_every_span_slices_to_its_quote(store, sources):
    rows = select(PREFIXES + """
        SELECT ?span ?file ?start ?end ?exact WHERE {
          ?span a ipkg:TextSpan ; oa:hasSource/dcterms:identifier ?file ;
                oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] ,
                               [ a oa:TextQuoteSelector ; oa:exact ?exact ] .
        }""", store)
    assert len(rows) > 500
    for row in rows:
        slug = row["file"].rsplit("/", 1)[1][:-4]
        assert sources[slug][row["start"]:row["end"]] == row["exact"], row["span"]
        assert row["span"].endswith(f"/{row['start']}-{row['end']}")


@pytest.mark.parametrize("cls", ["Task", "Assignment", "Indicator", "Citation", "Goal", "Phase", "SafeguardMeasure",
                                 "Section"])
def test_every_fact_has_provenance(store, cls):
    rows = select(PREFIXES + f"SELECT ?x WHERE {{ ?x a ipkg:{cls} FILTER NOT EXISTS {{ ?x ipkg:textSpan ?s }} }}", store)
    assert rows == []


def test_span_contains_what_the_triple_says(store, sources):
    """The printed name of an assignment, the phrase and value of an indicator, the title of a
    citation, each lies inside the span the triple points at."""
    def exact(kind: str, value_pattern: str):
        return select(PREFIXES + f"""
            SELECT ?x ?value ?exact WHERE {{
              ?x a ipkg:{kind} ; {value_pattern} ?value ; ipkg:textSpan/oa:hasSelector [ oa:exact ?exact ] .
            }}""", store)

    flat = lambda text: re.sub(r"\s+", "", text)  # noqa: E731 (page-break whitespace)
    for kind, prop in (("Assignment", "ipkg:printedName"), ("Indicator", "ipkg:phrase"), ("Citation", "ipkg:printedTitle")):
        rows = exact(kind, prop)
        assert rows
        for row in rows:
            assert flat(row["value"]) in flat(row["exact"]), (row["x"], row["value"])
    for row in exact("Indicator", "ipkg:targetValue"):
        number = format(row["value"].normalize(), "f")
        assert number in flat(row["exact"]).replace(",", ""), (row["x"], number)


def test_every_id_iri_is_typed_and_labelled(store):
    rows = select(PREFIXES + """
        SELECT DISTINCT ?node WHERE {
          { ?node ?p ?o } UNION { ?s ?p ?node }
          FILTER(isIRI(?node) && STRSTARTS(STR(?node), "https://w3id.org/ipkg/id/")
                 && !STRSTARTS(STR(?node), "https://w3id.org/ipkg/id/graph/"))
          FILTER NOT EXISTS { ?node a ?type ; rdfs:label ?label }
        }""", store)
    assert [r["node"] for r in rows] == []


def test_iris_are_readable_ascii(store):
    rows = select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }", store)
    bad = [r["s"] for r in rows if r["s"].startswith("https://w3id.org/ipkg/")
           and not re.fullmatch(r"https://w3id\.org/ipkg/[a-z0-9#./\-A-Z]+", r["s"])]
    assert bad == []


def test_no_department_under_two_spellings_in_one_city(store):
    rows = select(PREFIXES + """
        SELECT ?dept ?city ?label WHERE {
          ?dept a ?cls ; ipkg:city ?city ; rdfs:label ?label .
          VALUES ?cls { ipkg:Department ipkg:CollectiveActor }
          FILTER(lang(?label) = "zh")
        }""", store)
    by_label = defaultdict(set)
    for row in rows:
        by_label[(row["city"], row["label"])].add(row["dept"])
    assert {k: v for k, v in by_label.items() if len(v) > 1} == {}
    # a printed variant of one department is never the name of another in the same city
    alts = select(PREFIXES + """
        SELECT ?a ?b WHERE {
          ?a skos:altLabel ?name ; ipkg:city ?city . ?b rdfs:label ?name ; ipkg:city ?city . FILTER(?a != ?b)
        }""", store)
    assert alts == []


def test_departments_have_function_type_and_level(store):
    rows = select(PREFIXES + """
        SELECT ?dept WHERE {
          ?dept a ?cls . VALUES ?cls { ipkg:Department ipkg:CollectiveActor ipkg:HigherLevelBody }
          FILTER NOT EXISTS { ?dept ipkg:functionType ?f ; ipkg:adminLevel ?l ; rdfs:label ?zh , ?en
                              FILTER(lang(?zh) = "zh" && lang(?en) = "en") }
        }""", store)
    assert rows == []


def test_leads_match_qualified_assignments(store):
    """The leadDepartment shortcut holds exactly for assignments marked as leads."""
    shortcut = select(PREFIXES + "SELECT ?t ?d WHERE { ?t ipkg:leadDepartment ?d }", store)
    qualified = select(PREFIXES + "SELECT ?t ?d WHERE { ?a ipkg:task ?t ; ipkg:department ?d ; ipkg:isLead true }",
                       store)
    assert sorted((r["t"], r["d"]) for r in shortcut) == sorted((r["t"], r["d"]) for r in qualified)
    inferred = select(PREFIXES + """
        SELECT ?a ?pos WHERE { ?a ipkg:leadBasis <https://w3id.org/ipkg/vocab/lead-basis/inferred-first-listed> ;
                                  ipkg:listPosition ?pos }""", store)
    assert inferred and {r["pos"] for r in inferred} == {1}


def test_absence_is_recorded(store):
    """A plan either states its issuer / number / issue date or says that the text does not."""
    for prop in ("ipkg:issuer", "ipkg:documentNumber", "dcterms:issued"):
        rows = select(PREFIXES + f"""
            SELECT ?plan WHERE {{ ?plan a ipkg:Plan
              FILTER NOT EXISTS {{ ?plan {prop} ?v }} FILTER NOT EXISTS {{ ?plan ipkg:notStatedInText {prop} }} }}""",
                      store)
        assert rows == [], prop
    rows = select(PREFIXES + """
        SELECT ?task WHERE { ?task a ipkg:Task FILTER NOT EXISTS { ?task ipkg:assignmentStated ?b } }""", store)
    assert rows == []
