"""Helpers the data tests share: SPARQL over the embedded store and provenance-span rows."""

from __future__ import annotations

from ipkg.query import select

PREFIXES = """
PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX plan: <https://w3id.org/ipkg/id/plan/>
"""


def rows(store, body: str) -> list[dict]:
    """Run ``body`` (a SPARQL query without prefixes) on ``store``; rows as plain dicts."""
    return select(PREFIXES + body, store)


def spans(store, select_pattern: str, var: str, var_pattern: str) -> list[dict]:
    """Rows of (?x, its span's start/end/exact, ?<var>) for the things ``select_pattern`` binds to ?x."""
    return rows(store, f"""
        SELECT ?x ?start ?end ?exact ?{var} WHERE {{
          {select_pattern} {var_pattern}
          ?x ipkg:textSpan ?s . ?s oa:hasSelector ?p , ?qs .
          ?p oa:start ?start ; oa:end ?end . ?qs oa:exact ?exact .
        }}""")


def spans_of_class(store, plan: str, cls: str, extra: str = "", extra_vars: str = "") -> list[dict]:
    """Rows of (?x, start, end, exact, extra vars) for every ipkg:<cls> of ``plan`` (an IRI)."""
    return rows(store, f"""
        SELECT ?x ?start ?end ?exact {extra_vars} WHERE {{
          ?x a ipkg:{cls} ; ipkg:inPlan <{plan}> ;
             ipkg:textSpan/oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] ,
                                          [ a oa:TextQuoteSelector ; oa:exact ?exact ] .
          {extra}
        }}""")


def check_exact(found: list[dict], text: str) -> None:
    """Every span slices ``text`` to its quoted exact text (and there is at least one)."""
    assert found
    for row in found:
        assert text[row["start"]:row["end"]] == row["exact"], row["x"]


def assignment_summary(store, plan: str) -> dict:
    """For ``plan`` (an IRI): tasks per ipkg:assignmentStated value, and how many assignments,
    assigned departments and task→department shortcuts the graph holds."""
    stated = rows(store, f"""
        SELECT ?stated (COUNT(?t) AS ?n) WHERE {{ <{plan}> ipkg:hasTask ?t . ?t ipkg:assignmentStated ?stated }}
        GROUP BY ?stated""")
    (count,) = rows(store, f"""
        SELECT (COUNT(DISTINCT ?a) AS ?assignments) (COUNT(DISTINCT ?d) AS ?departments) WHERE {{
          ?a a ipkg:Assignment ; ipkg:inPlan <{plan}> ; ipkg:department ?d .
        }}""")
    (shortcuts,) = rows(store, f"""
        SELECT (COUNT(*) AS ?n) WHERE {{ <{plan}> ipkg:hasTask ?t .
          ?t ipkg:assignedDepartment|ipkg:leadDepartment|ipkg:participatingDepartment ?d }}""")
    return {"stated": {r["stated"]: r["n"] for r in stated}, **count, "shortcuts": shortcuts["n"]}


def task_by_title(store, plan: str, title: str) -> list[dict]:
    """The tasks of ``plan`` whose Chinese short title is ``title``, with assignmentStated and any lead."""
    return rows(store, f"""
        SELECT ?t ?stated ?lead WHERE {{
          <{plan}> ipkg:hasTask ?t . ?t rdfs:label "{title}"@zh ; ipkg:assignmentStated ?stated .
          OPTIONAL {{ ?t ipkg:leadDepartment ?lead }}
        }}""")
