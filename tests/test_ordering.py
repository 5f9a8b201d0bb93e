"""ORDER BY in Python (ipkg.ordering) must give the engine's order wherever it applies."""

from __future__ import annotations

import pytest

from ipkg import ordering
from ipkg import query as Q
from ipkg.remote import with_values
from ipkg.terms import PREFIXES

REQUIRED = {"text": "地理标志", "name": "市财政局"}


@pytest.fixture
def store(_private_cache):
    """The on-disk store, opened here so that ipkg knows it is on disk (it sorts in Python there)."""
    from ipkg.store import is_on_disk, open_store

    opened = open_store()
    assert is_on_disk(opened)
    return opened


def keys_of(rows, keys):
    return [tuple(str(row.get(name)) for name, _ in keys) for row in rows]


def engine_rows(store, text, variables):
    answer = store.query(text, prefixes=dict(PREFIXES), use_default_graph_as_union=True)
    return [{name: s[name] for name in variables if s[name] is not None} for s in answer]


def canonical(rows):
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in rows)


@pytest.mark.parametrize("name", sorted(n for n, q in Q.named_queries().items() if Q.query_form(q.text) == "select"))
def test_named_query_order_is_the_engines(name, store):
    item = Q.get(name)
    params = {p.name: REQUIRED[p.name] for p in item.params if p.required}
    result = Q.run(name, params, store=store)
    split = ordering.split_order_by(item.text)
    if split is None:
        return
    bound = with_values(item.text, Q.bind(item, item.text, params, None))
    expected = engine_rows(store, bound, result.variables)
    assert canonical(result.rows) == canonical(expected)
    assert keys_of(result.rows, split[1]) == keys_of(expected, split[1])


def test_every_named_select_with_order_by_is_sorted_in_python_or_knowingly_not(store):
    """Guards the speed-up itself: the queries that fall back to the engine are the known ones."""
    falling_back = []
    for name, item in sorted(Q.named_queries().items()):
        split = ordering.split_order_by(item.text)
        if Q.query_form(item.text) != "select" or split is None:
            continue
        params = {p.name: REQUIRED[p.name] for p in item.params if p.required}
        bound = with_values(item.text, Q.bind(item, item.text, params, None))
        variables = Q.run(name, params, store=store).variables
        rows = engine_rows(store, bound, variables)
        if not ordering.sort_rows(rows, split[1], variables):
            falling_back.append(name)
    assert falling_back == ["metric-targets"]  # ORDER BY ?year: xsd:gYear is left to the engine


@pytest.mark.parametrize("text, expected", [
    ("SELECT * { ?s ?p ?o } ORDER BY ?s DESC(?o)", [("s", False), ("o", True)]),
    ("SELECT * { ?s ?p ?o } order by asc(?o)", [("o", False)]),
    ("SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?o LIMIT 1 } } ORDER BY ?s", [("s", False)]),
    ("SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 10", None),
    ("SELECT * { ?s ?p ?o } ORDER BY ?s OFFSET 1", None),
    ("SELECT * { ?s ?p ?o } ORDER BY STR(?s)", None),
    ("SELECT * { ?s ?p ?o } ORDER BY DESC(?s + 1)", None),
    ("SELECT * { ?s ?p \"ORDER BY ?s\" }", None),
    ("SELECT * { ?s ?p ?o }", None),
])
def test_split_order_by(text, expected):
    split = ordering.split_order_by(text)
    assert (split[1] if split else None) == expected
    if split:
        assert "ORDER" not in split[0].upper().rsplit("}", 1)[1]


def test_values_the_module_does_not_order_go_to_the_engine(store):
    mixed = ('SELECT ?x WHERE { VALUES ?x { 3 "b" "a"@en 2.5 <http://z> <http://a> UNDEF "2020"^^<http://www.w3.org/2001/XMLSchema#gYear> } } '
             "ORDER BY ?x")
    result = Q.run(mixed, store=store)
    assert [str(r.get("x")) for r in result.rows] == [str(s["x"]) for s in store.query(mixed)]
    not_projected = "SELECT ?x WHERE { VALUES (?x ?y) { (1 3) (2 2) (3 1) } } ORDER BY ?y"
    assert [r["x"].value for r in Q.run(not_projected, store=store).rows] == ["3", "2", "1"]


def test_numbers_sort_by_value_and_unbound_first(store):
    text = "SELECT ?x WHERE { VALUES ?x { 10 UNDEF 9.5 2 1e1 -3 } } ORDER BY ?x"
    ascending = Q.run(text, store=store).rows
    assert [float(r["x"].value) if r else None for r in ascending] == [None, -3, 2, 9.5, 10, 10]
    descending = Q.run(text.replace("ORDER BY ?x", "ORDER BY DESC(?x)"), store=store).rows
    assert [float(r["x"].value) if r else None for r in descending] == [10, 10, 9.5, 2, -3, None]
