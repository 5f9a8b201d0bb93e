"""The named-query library and running SPARQL on the embedded store.

Each ``queries/<name>.rq`` starts with a header comment::

    # title: Which department leads the most tasks
    # description: One or more lines; continuation lines are indented.
    # param: plan (iri, optional): restrict to one plan
    # param: metric (iri, default metric:invention-patents-per-10k-people): the metric
    # example: ipkg query lead-departments --plan taixing-2024

A parameter ``name`` is the SPARQL variable ``?name``; its value is bound as an RDF term, never
pasted into the query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import IpkgError


class QueryError(IpkgError):
    """A query that cannot be found, parsed or run as asked."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    examples: tuple[str, ...]
    text: str
    notes: dict[str, str] = field(default_factory=dict)


_HEADER_LINE = re.compile(r"^#\s?(?P<key>[a-z][a-z-]*):\s*(?P<value>.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z:@A-Za-z-]+)"
    r"(?:,\s*(?:(?P<optional>optional)|default\s+(?P<default>[^)]*)))?\)\s*:?\s*(?P<description>.*)$"
)


def parse_header(text: str, path: Path) -> NamedQuery:
    """Read the header comment of a named query file."""
    fields: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_LINE.match(line)
        if match:
            current = match["key"]
            fields.setdefault(current, []).append(match["value"].strip())
        elif current and line[1:].startswith(("  ", "\t")):
            fields[current][-1] += " " + line[1:].strip()
    missing = [key for key in ("title", "description") if not fields.get(key)]
    if missing:
        raise QueryError(f"{path}: header lacks {', '.join(missing)}")
    params = []
    for raw in fields.get("param", []):
        match = _PARAM.match(raw)
        if not match:
            raise QueryError(f"{path}: cannot read parameter line {raw!r}")
        params.append(Param(match["name"], match["type"], not match["optional"] and match["default"] is None,
                            match["default"].strip() if match["default"] else None, match["description"].strip()))
    notes = {key: " ".join(values) for key, values in fields.items()
             if key not in ("title", "description", "param", "example")}
    return NamedQuery(path.stem, path, fields["title"][0], " ".join(fields["description"]), tuple(params),
                      tuple(fields.get("example", [])), text, notes)


def named_queries() -> dict[str, NamedQuery]:
    """Every query in the bundled library, by name, sorted."""
    return {path.stem: parse_header(path.read_text(encoding="utf-8"), path)
            for path in sorted(paths.queries_dir().glob("*.rq"))}


def get(name: str) -> NamedQuery:
    library = named_queries()
    if name not in library:
        raise QueryError(f"no named query {name!r}; `ipkg queries` lists them")
    return library[name]


def to_python(term):
    """Turn a pyoxigraph term into a plain Python value (IRIs and strings as str, numbers as numbers)."""
    import pyoxigraph as ox
    from decimal import Decimal

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype.endswith(("#integer", "#nonNegativeInteger", "#positiveInteger", "#int", "#long")):
            return int(term.value)
        if datatype.endswith("#decimal"):
            return Decimal(term.value)
        if datatype.endswith(("#double", "#float")):
            return float(term.value)
        if datatype.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


def select(text: str, store=None) -> list[dict]:
    """Run a SELECT query on the embedded store (default: the bundled graph); rows as plain dicts.

    The default graph is the union of all named graphs.

    >>> rows = select("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/ipkg/ontology#Plan> }")
    >>> rows[0]["n"]
    5
    """
    from .store import open_store

    store = open_store() if store is None else store
    try:
        solutions = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from exc
    names = [v.value for v in solutions.variables]
    return [{name: to_python(solution[name]) for name in names} for solution in solutions]
