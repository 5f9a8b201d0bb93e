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
