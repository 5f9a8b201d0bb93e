"""``ORDER BY`` evaluated in Python, on terms the embedded store has already decoded.

On its on-disk store Oxigraph compares two IRIs by reading both strings back from RocksDB, once per
comparison, so sorting 10^5 rows can cost more than finding them (``tasks-by-stage`` on 3,000
plans: 2.7 s sorted, 1.0 s unsorted; in memory the engine is the faster one). On that store a
query whose outermost ``ORDER BY`` lists plain variables
(``?x``, ``ASC(?x)``, ``DESC(?x)``) and that has no ``LIMIT``/``OFFSET`` is run without it, and its
rows are sorted here by the SPARQL 1.1 order as Oxigraph applies it: unbound first, then IRIs by
code point, then literals — numbers by value, ``xsd:string`` by code point. A key column holding
anything else (blank nodes, language-tagged strings, dates, a mix of numbers and strings) is not
sorted here: :func:`sort_rows` says so and the caller runs the query with its own ``ORDER BY``.
Rows that tie on every key are put in the order of their N-Triples forms, so output is
reproducible.

>>> import pyoxigraph as ox
>>> text, keys = split_order_by("SELECT ?n ?x WHERE { ?x ?p ?n } ORDER BY DESC(?n) ?x")
>>> text, keys
('SELECT ?n ?x WHERE { ?x ?p ?n } ', [('n', True), ('x', False)])
>>> rows = [{"n": ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
...          "x": ox.NamedNode("http://e/b")},
...         {"n": ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
...          "x": ox.NamedNode("http://e/a")}]
>>> sort_rows(rows, keys, ["n", "x"]), [row["x"].value for row in rows]
(True, ['http://e/a', 'http://e/b'])
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + name for name in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                                     "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                     "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                                     "unsignedByte")}
_INTEGER = _NUMERIC - {XSD + name for name in ("decimal", "double", "float")}
_STRING = XSD + "string"


def split_order_by(text: str) -> tuple[str, list[tuple[str, bool]]] | None:
    """The query without its outermost ``ORDER BY`` and the sort keys as (variable, descending),
    or None when that clause is not a list of plain variables or a ``LIMIT``/``OFFSET`` follows."""
    from .query import tokens

    found = tokens(text)
    at = None
    for i, (first, second) in enumerate(zip(found, found[1:])):
        if (first.depth == 0 and first.kind == "name" and first.text.upper() == "ORDER"
                and second.kind == "name" and second.text.upper() == "BY"):
            at = i
    if at is None:
        return None
    keys: list[tuple[str, bool]] = []
    rest = found[at + 2:]
    i = 0
    while i < len(rest):
        token = rest[i]
        if token.kind == "var":
            keys.append((token.text[1:], False))
            i += 1
        elif (token.kind == "name" and token.text.upper() in ("ASC", "DESC") and i + 3 < len(rest)
              and [t.text for t in rest[i + 1:i + 4:2]] == ["(", ")"] and rest[i + 2].kind == "var"):
            keys.append((rest[i + 2].text[1:], token.text.upper() == "DESC"))
            i += 4
        else:
            return None  # an expression, LIMIT, OFFSET or a trailing VALUES: leave it to the engine
    if not keys:
        return None
    return text[:found[at].start], keys


def sort_rows(rows: list[dict], keys: list[tuple[str, bool]], variables: list[str]) -> bool:
    """Sort ``rows`` (variable name → pyoxigraph term) in place by ``keys``; False, leaving them
    unsorted, when a key is not among the result's ``variables`` or its column holds terms whose
    SPARQL order this module does not reproduce."""
    if any(name not in variables for name, _ in keys):
        return False
    columns = []
    for name, descending in keys:
        values = _column(rows, name)
        if values is None:
            return False
        columns.append((values, descending))
    # least significant first: Python's sort is stable, so each pass keeps the earlier passes' order
    order = list(range(len(rows)))
    for values, descending in reversed(columns):
        order.sort(key=values.__getitem__, reverse=descending)
    _break_ties(order, rows, [values for values, _ in columns])
    rows[:] = [rows[i] for i in order]
    return True


def _break_ties(order: list[int], rows: list[dict], columns: list[list]) -> None:
    """Order each run of rows equal on every key by the rows' N-Triples forms (in place)."""
    keys = list(zip(*columns))
    if len(set(keys)) == len(keys):
        return  # no ties (the common case: the keys are the grouped variables)
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and keys[order[end]] == keys[order[start]]:
            end += 1
        if end - start > 1:
            order[start:end] = sorted(order[start:end], key=lambda i: _row_text(rows[i]))
        start = end


def _row_text(row: dict) -> tuple:
    return tuple(sorted((name, str(term)) for name, term in row.items()))


def _column(rows: list[dict], name: str):
    """Sort values for one key column, or None when its terms are not all of one kind this module
    orders (IRIs, numbers, xsd:string); unbound values sort first."""
    import pyoxigraph as ox

    terms = [row.get(name) for row in rows]
    kinds = {type(term) for term in terms}
    unbound = type(None) in kinds
    kinds.discard(type(None))
    if not kinds:
        return [0] * len(terms)
    if kinds == {ox.NamedNode}:
        values = [None if term is None else term.value for term in terms]
    elif kinds == {ox.Literal}:
        datatypes = [None if term is None else term.datatype.value for term in terms]
        distinct = set(datatypes) - {None}
        if distinct == {_STRING}:
            values = [None if term is None else term.value for term in terms]
        elif distinct <= _NUMERIC:
            values = [None if term is None else _number(term.value, datatype)
                      for term, datatype in zip(terms, datatypes)]
            if any(value is None for value, term in zip(values, terms) if term is not None):
                return None
        else:
            return None
    else:
        return None
    # a column of one kind compares its values directly; tagged only when some are unbound
    if unbound:
        return [(0,) if term is None else (1, value) for term, value in zip(terms, values)]
    return values


def _number(text: str, datatype: str) -> int | Decimal | None:
    if datatype in _INTEGER:
        try:
            return int(text)
        except ValueError:
            return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
