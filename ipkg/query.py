"""The named-query library, parameter binding, running SPARQL and formatting its results.

Each ``queries/<name>.rq`` starts with a header comment::

    # title: Which department leads the most tasks
    # description: One or more lines; continuation lines are indented.
    # param: plan (iri, optional): restrict to one plan
    # param: metric (iri, default metric:invention-patents-per-10k-people): the metric
    # example: ipkg query lead-departments --plan taixing-2024
    # server-note: (optional) a known difference between SPARQL engines and how tests treat it

A parameter ``name`` is the SPARQL variable ``?name``; its value is bound as an RDF term, never
pasted into the query text. Parameter types: ``iri`` (a prefixed name such as
``plan:taixing-2024`` or a full IRI), ``string``, ``string@zh`` (a literal with that language
tag), ``integer``, ``decimal``, ``boolean``, ``gYear``, ``date``.

Parameters are bound by a ``VALUES`` block inserted at the start of the query's outermost group,
written from properly serialised RDF terms (see :func:`ipkg.remote.with_values`), on the embedded
store and on a remote endpoint alike: the query text the user wrote is never changed by a value,
and the engine's planner starts from the bound values.

Queries are read-only unless ``allow_update``; ``SERVICE`` (network access) is refused unless
``allow_service``; every embedded query runs under a timeout.

>>> [row["slug"] for row in run("plan-stats", plan="taixing-2024").dicts()]
['taixing-2024']
"""

from __future__ import annotations

import gc
import re
import sys
import threading
import types
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import paths
from .errors import IpkgError, os_reason
from .terms import GRAPH, PREFIXES, graph_iri, shorten

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
DEFAULT_TIMEOUT = 60.0
FORMATS = ("table", "csv", "tsv", "json", "markdown", "turtle", "ntriples")
PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "gYear", "date")


class QueryError(IpkgError):
    """A query that cannot be found, parsed or run as asked."""


class QueryTimeout(QueryError):
    """A query that did not finish within its time limit."""


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

    @property
    def kind(self) -> str:
        """``select``, ``ask``, ``construct``, ``describe`` or ``update``."""
        return query_form(self.text)


# ----------------------------------------------------------------------------- the header

_HEADER_LINE = re.compile(r"^#\s?(?P<key>[a-z][a-z-]*):\s*(?P<value>.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z:@A-Za-z-]+)"
    r"(?:,\s*(?:(?P<optional>optional)|default\s+(?P<default>[^)]*)))?\)\s*:?\s*(?P<description>.*)$"
)


def parse_header(text: str, path: Path) -> NamedQuery:
    """Read the header comment of a named query file.

    >>> q = parse_header("# title: T\\n# description: D\\n# param: n (integer, default 3): how many\\nASK {}", Path("x.rq"))
    >>> q.params[0]
    Param(name='n', type='integer', required=False, default='3', description='how many')
    """
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
        if raw.strip().lower() == "none":
            continue
        match = _PARAM.match(raw)
        if not match:
            raise QueryError(f"{path}: cannot read parameter line {raw!r}")
        _check_type(match["type"], f"{path}: parameter {match['name']}")
        params.append(Param(match["name"], match["type"], not match["optional"] and match["default"] is None,
                            match["default"].strip() if match["default"] else None, match["description"].strip()))
    notes = {key: " ".join(values) for key, values in fields.items()
             if key not in ("title", "description", "param", "example")}
    return NamedQuery(path.stem, path, fields["title"][0], " ".join(fields["description"]), tuple(params),
                      tuple(fields.get("example", [])), text, notes)


def _check_type(type_: str, where: str) -> None:
    base = type_.split("@", 1)[0]
    if base not in PARAM_TYPES or ("@" in type_ and base != "string"):
        raise QueryError(f"{where}: unknown parameter type {type_!r} (known: {', '.join(PARAM_TYPES)}, string@LANG)")


def named_queries() -> dict[str, NamedQuery]:
    """Every query in the bundled library, by name, sorted."""
    return {path.stem: parse_header(path.read_text(encoding="utf-8"), path)
            for path in sorted(paths.queries_dir().glob("*.rq"))}


def get(name: str) -> NamedQuery:
    """The named query ``name`` (its file name without ``.rq``)."""
    library = named_queries()
    if name not in library:
        raise QueryError(f"no named query {name!r}; `ipkg queries` lists them")
    return library[name]


def resolve(name_or_text: str) -> tuple[str, NamedQuery | None]:
    """Turn a query name, a ``.rq`` file path or SPARQL text into (text, header or None).

    A file whose text starts with a header comment is read like a named query.
    """
    candidate = name_or_text.strip()
    if re.fullmatch(r"[A-Za-z0-9_.-]+", candidate) and not candidate.endswith(".rq") and not Path(candidate).is_file():
        named = get(candidate)
        return named.text, named
    if "\n" not in candidate and (candidate.endswith(".rq") or Path(candidate).is_file()):
        path = Path(candidate)
        if path.is_dir():
            raise QueryError(f"{path}: a directory, not a query file")
        if not path.is_file():
            named = candidate.removesuffix(".rq")
            hint = f" (the named query is `ipkg query {named}`)" if named in named_queries() else ""
            raise QueryError(f"{path}: no such file{hint}")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"{path}: cannot read ({os_reason(exc)})") from exc
        except UnicodeDecodeError as exc:
            raise QueryError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
        return text, _header_or_none(text, path)
    return name_or_text, _header_or_none(name_or_text, Path("<query>"))


def _header_or_none(text: str, path: Path) -> NamedQuery | None:
    if re.match(r"\s*#\s?title:", text):
        return parse_header(text.lstrip(), path)
    return None


# ----------------------------------------------------------------------------- a light tokenizer

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<comment>\#[^\n]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
      | (?P<name>(?:[A-Za-z_\u00C0-\uFFFF](?:[A-Za-z0-9_\-.\u00B7-\uFFFF]*[A-Za-z0-9_\-\u00B7-\uFFFF])?)?
                  :[^\s{}()\[\];,'"<>]*
                |[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\u00B7-\uFFFF]*)  # a keyword: no '.', so `true.SERVICE` is two
      | (?P<number>[0-9][0-9.eE+\-]*)
      | (?P<punct>.)""",
    re.X | re.S,
)

_QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    depth: int


def tokens(text: str) -> list[_Token]:
    """SPARQL tokens outside comments, with brace depth; strings and IRIs are single tokens.

    Enough to find keywords robustly: a keyword inside a string literal, an IRI, a comment, a
    variable name or a prefixed name is never mistaken for one.

    >>> [t.text for t in tokens('SELECT * { ?s ?p "SERVICE" } # SERVICE') if t.kind == "name"]
    ['SELECT']
    """
    result = []
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        if value == "}":
            depth -= 1
        result.append(_Token(kind, value, match.start(), depth))
        if value == "{":
            depth += 1
    return result


def _keywords(text: str) -> list[_Token]:
    return [t for t in tokens(text) if t.kind == "name" and ":" not in t.text]


def query_form(text: str) -> str:
    """``select``, ``ask``, ``construct``, ``describe`` or ``update`` (the first keyword after the prologue).

    >>> query_form('PREFIX x: <http://e/> # SELECT\\nINSERT DATA { x:a x:b "SELECT" }')
    'update'
    """
    for token in _keywords(text):
        word = token.text.upper()
        if word in ("PREFIX", "BASE"):
            continue
        if word in _QUERY_FORMS:
            return _QUERY_FORMS[word]
        if word in _UPDATE_WORDS:
            return "update"
    return "unknown"


def uses_service(text: str) -> bool:
    """True when the query has a ``SERVICE`` clause (as a keyword, not inside a string or IRI).

    >>> uses_service('SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }')
    True
    >>> uses_service('SELECT * { ?service <http://e/SERVICE> "SERVICE" }')
    False
    >>> uses_service('SELECT * { ?s ?p true.SERVICE <http://example.org/sparql> { ?s ?p ?o } }')
    True
    """
    return any(t.text.upper() == "SERVICE" for t in _keywords(text))


def has_order_by(text: str) -> bool:
    words = [t.text.upper() for t in _keywords(text)]
    return any(a == "ORDER" and b == "BY" for a, b in zip(words, words[1:]))


def variables_in(text: str) -> set[str]:
    return {t.text[1:] for t in tokens(text) if t.kind == "var"}


def values_insertion_point(text: str) -> int:
    """Offset just inside the opening brace of the query's outermost WHERE group.

    A ``VALUES`` block placed there joins before any grouping, like pre-binding.

    >>> q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    >>> q[:values_insertion_point(q)]
    'CONSTRUCT { ?s ?p ?o } WHERE {'
    """
    toks = tokens(text)
    form = query_form(text)
    outer = [t for t in toks if t.text == "{" and t.depth == 0]
    for i, token in enumerate(toks):
        if token.kind == "name" and token.text.upper() == "WHERE" and token.depth == 0:
            if form == "construct" and i > 0 and toks[i - 1].text.upper() == "CONSTRUCT":
                raise QueryError("parameters cannot be bound in the short form CONSTRUCT WHERE { ... }; "
                                 "write CONSTRUCT { template } WHERE { pattern }")
            following = [t for t in toks[i + 1:] if t.text == "{" and t.depth == 0]
            if following:
                return following[0].start + 1
    index = 1 if form == "construct" else 0
    if len(outer) > index:
        return outer[index].start + 1
    raise QueryError("cannot find the query's WHERE clause to bind parameters")


# ----------------------------------------------------------------------------- parameters

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def expand_iri(value: str) -> str:
    """A prefixed name (``plan:taixing-2024``) or an IRI (``<...>`` or bare) as a full IRI.

    >>> expand_iri("plan:taixing-2024")
    'https://w3id.org/ipkg/id/plan/taixing-2024'
    """
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    elif ":" in value:
        prefix, local = value.split(":", 1)
        if prefix in PREFIXES and not local.startswith("//"):
            value = PREFIXES[prefix] + local
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", value):
        raise QueryError(f"not an IRI: {value!r} (use a prefixed name such as plan:taixing-2024 or a full IRI)")
    bad = _IRI_FORBIDDEN.search(value)
    if bad:
        raise QueryError(f"not a valid IRI: {value!r} contains {bad.group()!r}")
    return value


def make_term(type_: str, value, name: str = "value"):
    """The RDF term for ``value`` of parameter type ``type_`` (a pyoxigraph term).

    >>> str(make_term("string@zh", 'a"b'))
    '"a\\\\"b"@zh'
    >>> str(make_term("gYear", "2025"))
    '"2025"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    """
    import pyoxigraph as ox

    base, _, lang = type_.partition("@")
    if base == "iri":
        if isinstance(value, ox.NamedNode):
            return value
        if name in PREFIXES and ":" not in str(value):  # --param metric=registered-trademarks
            raise QueryError(f"not an IRI: {str(value)!r} (write {name}:{str(value).strip()} or a full IRI)")
        return ox.NamedNode(expand_iri(str(value)))
    if base == "string":
        if lang:
            return ox.Literal(str(value), language=lang)
        return ox.Literal(str(value))
    text = str(value).strip()
    if base == "boolean":
        if isinstance(value, bool):
            text = "true" if value else "false"
        if text not in ("true", "false", "1", "0"):
            raise QueryError(f"parameter {name}: {value!r} is not a boolean (true or false)")
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "boolean"))
    patterns = {"integer": r"[+-]?[0-9]+", "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
                "gYear": r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?", "date": r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}"}
    if not re.fullmatch(patterns[base], text):
        raise QueryError(f"parameter {name}: {value!r} is not a valid {base}")
    if base == "decimal":
        try:
            Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern guards this
            raise QueryError(f"parameter {name}: {value!r} is not a valid decimal") from exc
    if base == "date":
        import datetime

        try:
            datetime.date.fromisoformat(text.lstrip("-"))
        except ValueError as exc:
            raise QueryError(f"parameter {name}: {value!r} is not a valid date") from exc
    return ox.Literal(text, datatype=ox.NamedNode(XSD + base))


def _guess_type(value) -> str:
    """The type of a parameter of an undeclared query, from the value's form."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (Decimal, float)):
        return "decimal"
    text = str(value)
    if text.startswith("<") and text.endswith(">"):
        return "iri"
    if ":" in text and text.split(":", 1)[0] in PREFIXES:
        return "iri"
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return "integer"
    if re.fullmatch(r"[+-]?[0-9]*\.[0-9]+", text):
        return "decimal"
    return "string"


def bind(header: NamedQuery | None, text: str, given: dict[str, object], plan: str | None = None) -> dict:
    """Check and convert parameter values into RDF terms, by name.

    Unknown parameters and missing required ones are errors that name them. ``plan`` (a slug)
    binds a declared ``plan`` parameter unless one was given.
    """
    terms = {}
    if header is not None:
        declared = {p.name: p for p in header.params}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            raise QueryError(f"unknown parameter {', '.join(unknown)} for query {header.name} (its parameters: {known})")
        for param in header.params:
            if param.name in given:
                value = given[param.name]
            elif param.name == "plan" and plan and param.type == "iri":
                value = plan_iri(plan)
            elif param.default is not None:
                value = param.default
            elif param.required:
                raise QueryError(f"query {header.name} needs parameter {param.name} ({param.type}): "
                                 f"{param.description} — pass --param {param.name}=VALUE")
            else:
                continue
            terms[param.name] = make_term(param.type, value, param.name)
        if plan and "plan" in given and "plan" in terms and terms["plan"].value != plan_iri(plan):
            raise QueryError(f"--param plan={given['plan']} and --plan {plan} name different plans: the answer "
                             "would be empty; give one of them")
        return terms
    present = variables_in(text)
    for name, value in given.items():
        if name not in present:
            raise QueryError(f"unknown parameter {name}: the query has no variable ?{name}")
        terms[name] = make_term(_guess_type(value), value, name)
    return terms


def parse_assignments(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["name=value", ...]`` (from ``--param``) as a dict; a malformed pair is an error."""
    result = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"--param expects name=value, got {pair!r}")
        if name in result:
            raise QueryError(f"--param {name} given twice ({result[name]!r} and {value!r}): give one value")
        result[name] = value
    return result


def plan_iri(slug: str) -> str:
    """The IRI of a plan from its slug (or prefixed name or IRI)."""
    if re.fullmatch(r"[a-z0-9][a-z0-9.\-]*", slug):
        return PREFIXES["plan"] + slug
    return expand_iri(slug)


def plan_graphs(slug: str, department_graphs: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The graphs a query restricted to one plan sees: the plan's, its city's departments (the
    ``department_graphs`` found by :func:`city_department_graphs`), the shared entities', the ontology's."""
    return [graph_iri(plan_slug(slug)), *sorted(department_graphs), GRAPH + "shared", GRAPH + "ontology"]


def plan_slug(slug: str) -> str:
    iri = plan_iri(slug)
    if not iri.startswith(PREFIXES["plan"]):
        raise QueryError(f"--plan expects a plan slug such as taixing-2024, got {slug!r}")
    return iri[len(PREFIXES["plan"]):]


# The graphs describing the departments of the plan's city (the plan's graph names the city).
CITY_DEPARTMENT_GRAPHS = f"""PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
SELECT DISTINCT ?graph WHERE {{
  GRAPH ?planGraph {{ ?plan ipkg:city ?city }}
  GRAPH ?graph {{ ?department ipkg:city ?city }}
  FILTER(STRSTARTS(STR(?graph), "{GRAPH}departments/"))
}}"""


def city_department_graphs(slug: str, *, store=None, endpoint: str | None = None, timeout=DEFAULT_TIMEOUT,
                           user: str | None = None, password: str | None = None) -> list[str]:
    """The named graphs holding the departments of the city of plan ``slug``."""
    import pyoxigraph as ox

    name = plan_slug(slug)
    terms = {"plan": ox.NamedNode(PREFIXES["plan"] + name), "planGraph": ox.NamedNode(graph_iri(name))}
    if endpoint:
        from .remote import remote_run

        result = remote_run(endpoint, CITY_DEPARTMENT_GRAPHS, "select", terms, timeout=timeout, user=user,
                            password=password)
    else:
        result = _embedded_run(CITY_DEPARTMENT_GRAPHS, "select", terms, None, timeout, store, False)
    return sorted(row["graph"].value for row in result.rows)


# ----------------------------------------------------------------------------- results


@dataclass
class Result:
    """The outcome of one query: rows of RDF terms (SELECT), a boolean (ASK) or triples."""

    kind: str  # select | ask | graph | update
    variables: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    message: str = ""
    # the embedded store it came from (None from an endpoint): labels are looked up in the same one
    store: object = field(default=None, repr=False, compare=False)

    def dicts(self) -> list[dict]:
        """Rows as plain Python values (IRIs and strings as str, numbers as int/Decimal/float).

        ASK gives ``[{"boolean": True}]``; CONSTRUCT/DESCRIBE one dict per triple.
        """
        if self.kind == "ask":
            return [{"boolean": self.boolean}]
        if self.kind == "graph":
            return [{"subject": to_python(t.subject), "predicate": to_python(t.predicate),
                     "object": to_python(t.object)} for t in self.triples]
        return [{name: to_python(row.get(name)) for name in self.variables} for row in self.rows]


def to_python(term):
    """Turn a pyoxigraph term into a plain Python value (IRIs and strings as str, numbers as numbers)."""
    if term is None:
        return None
    datatype = getattr(term, "datatype", None)  # literals only; NamedNode and BlankNode have none
    if datatype is None:
        return term.value
    convert = _CONVERTERS.get(datatype.value)
    if convert is None:
        return term.value
    try:
        return convert(term.value)
    except (ValueError, InvalidOperation):
        return term.value


# XSD numbers and booleans by datatype IRI: one look-up per term (a network read converts ~800,000)
_CONVERTERS = {
    **{XSD + name: int for name in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long", "short",
                                    "negativeInteger", "nonPositiveInteger", "unsignedInt")},
    XSD + "decimal": Decimal,
    XSD + "double": float,
    XSD + "float": float,
    XSD + "boolean": lambda value: value in ("true", "1"),
}


def _sort_key(term) -> tuple:
    if term is None:
        return (0, "")
    return (1, str(term))


def _finish(result: Result, text: str) -> Result:
    """Make output deterministic: rows of a query without ORDER BY are sorted; triples always."""
    if result.kind == "select" and not has_order_by(text):
        result.rows.sort(key=lambda row: tuple(_sort_key(row.get(v)) for v in result.variables))
    if result.kind == "graph":
        # by N-Triples line, at half the cost of a (subject, predicate, object) key and in the same
        # order: where one subject's form is a prefix of another's (_:b1, _:b10) the longer goes on
        # with a character above the space that follows the shorter
        result.triples = sorted(set(result.triples), key=str)
    return result


# ----------------------------------------------------------------------------- running


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while a large answer is built; then leave it as it was.

    An answer's rows (dicts of terms) form no cycles, yet every collection walks all of them: 0.3 s
    of 2.5 s for 10^5 rows from the on-disk store.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def solution_rows(answer) -> tuple[list[str], list[dict]]:
    """The variable names and rows (name → term, unbound left out) of pyoxigraph QuerySolutions,
    from the embedded store or parsed from an endpoint's results."""
    names = [v.value for v in answer.variables]
    return names, [{name: term for name, term in zip(names, solution) if term is not None} for solution in answer]


def _run_in_thread(work, timeout: float | None):
    """Run ``work()`` in a daemon thread; abandon it after ``timeout`` seconds."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            # drop the worker's frames (they hold engine objects that must die on this thread)
            link = exc
            while link is not None:
                link.__traceback__ = None
                link = link.__cause__ or link.__context__
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="ipkg-query", daemon=True)
    with collector_paused():  # resumed when we stop waiting, even if the abandoned worker goes on
        worker.start()
        worker.join(timeout)
    if worker.is_alive():
        raise QueryTimeout(f"query timed out after {_seconds(timeout)} s (raise --timeout to wait longer)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _seconds(value: float | None) -> str:
    return f"{value:g}"


def syntax_message(exc: Exception) -> str:
    """pyoxigraph's 'error at L:C: ...' as 'line L, column C: ...'."""
    text = str(exc)
    match = re.match(r"error at (\d+):(\d+)(?:-\d+:\d+)?:\s*(.*)", text, re.S)
    if match:
        where, message = f"line {match[1]}, column {match[2]}", match[3]
    else:
        where, message = "", text
    if "Prefix not found" in message:
        message = "unknown prefix (declare it with PREFIX; ipkg knows " + ", ".join(sorted(PREFIXES)) + ")"
    message = " ".join(message.split())
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{where}: {message}" if where else message


def run(name_or_text: str, params: dict | None = None, *, plan: str | None = None, endpoint: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT, allow_update: bool = False, allow_service: bool = False,
        store=None, user: str | None = None, password: str | None = None, **kwargs) -> Result:
    """Run a named query, a ``.rq`` file or SPARQL text; return a :class:`Result`.

    ``params`` (or keyword arguments) bind declared parameters; ``plan`` (a slug) restricts the
    dataset to that plan's named graph plus its city's departments, the shared entities and the
    ontology, and binds a declared ``plan`` parameter. ``endpoint`` sends the query to a SPARQL 1.1
    endpoint instead of the embedded store.
    """
    params = dict(params or {}, **kwargs)
    if not name_or_text.strip():
        raise QueryError("the query is empty")
    if plan is not None and not plan.strip():
        raise QueryError("--plan needs a plan's slug, e.g. taixing-2024")
    text, header = resolve(name_or_text)
    form = query_form(text)
    if form == "unknown":
        _raise_syntax(text)
    if form == "update" and not allow_update:
        raise QueryError("this is a SPARQL UPDATE and ipkg is read-only: pass --allow-update to run it")
    if form == "update" and plan:
        raise QueryError("--plan restricts what a query reads; an update names its graphs itself (GRAPH, WITH)")
    if uses_service(text) and not allow_service:
        raise QueryError("the query uses SERVICE, which reaches out over the network: pass --allow-service to allow it")
    terms = bind(header, text, params, plan)
    graphs = None
    if plan:
        if not endpoint and store is None:
            from .store import bundled_inputs, open_store

            # while the corpus's cache is built, only this plan is loaded (an unknown plan is an
            # error naming the bundled ones)
            store = open_store(meanwhile=bundled_inputs([plan_slug(plan)]))
        departments = city_department_graphs(plan, store=store, endpoint=endpoint, timeout=timeout, user=user,
                                              password=password)
        graphs = plan_graphs(plan, departments)
    if endpoint:
        from .remote import remote_run

        result = remote_run(endpoint, text, form, terms, graphs=graphs, timeout=timeout, user=user,
                            password=password)
        return _finish(result, text)
    return _finish(_embedded_run(text, form, terms, graphs, timeout, store, allow_service), text)


def _raise_syntax(text: str):
    import pyoxigraph as ox

    try:
        ox.Store().query(text, prefixes=dict(PREFIXES))
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {syntax_message(exc)}") from None
    raise QueryError("not a SPARQL query")


def _embedded_run(text: str, form: str, terms: dict, graphs: list[str] | None, timeout, store, allow_service,
                  *, value_rows: tuple[list[str], list[list]] | None = None):
    """Run ``text`` on the embedded store with ``terms`` (name → term) bound, or the ``value_rows``
    (names, rows of terms) of a larger VALUES table."""
    import pyoxigraph as ox

    from .ordering import sort_rows, split_order_by
    from .remote import with_value_rows, with_values
    from .store import is_on_disk, open_store

    if store is None:
        store = open_store()
    options: dict = {"prefixes": dict(PREFIXES)}
    if graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in graphs]
    else:
        options["use_default_graph_as_union"] = True

    def bound(query_text: str) -> str:
        # A VALUES block, as for servers: Oxigraph's planner starts from it, while `substitutions`
        # filtered after the whole join (provenance of one node: 4 ms instead of 5 s at N=500).
        if value_rows:
            return with_value_rows(query_text, *value_rows)
        return with_values(query_text, terms)

    if form == "update":
        return _embedded_update(bound(text), store, timeout)

    # in memory the engine sorts faster than Python (20-35 % on 10^4-10^5 rows); on disk slower.
    # Looked for before the values are bound: the query text is then short to read.
    unordered = split_order_by(text) if form == "select" and is_on_disk(store) else None
    if unordered:
        unordered = (bound(unordered[0]), unordered[1])
    text = bound(text)

    def solve(query_text):
        try:
            return store.query(query_text, **options)
        except SyntaxError as exc:
            raise QueryError(f"malformed query: {syntax_message(exc)}") from None

    def work():
        answer = solve(unordered[0] if unordered else text)
        if isinstance(answer, ox.QueryBoolean):
            return Result("ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            names, rows = solution_rows(answer)
            if unordered and not sort_rows(rows, unordered[1], names):
                names, rows = solution_rows(solve(text))  # an order only the engine knows
            return Result("select", variables=names, rows=rows)
        return Result("graph", triples=list(answer))

    try:
        result = _run_in_thread(work, timeout)
        result.store = store
        return result
    except OSError as exc:
        message = str(exc)
        if "SERVICE" in message.upper() or "service" in message:
            raise QueryError("the embedded store cannot call SERVICE (it has no network client); "
                             "run the query on a server with --endpoint") from None
        raise QueryError(f"query failed: {message}") from None
    except (ValueError, TypeError, RuntimeError) as exc:
        raise QueryError(f"query failed: {exc}") from None


def _embedded_update(text: str, store, timeout):
    """Apply an update to an in-memory copy of the graph: the bundled files never change."""
    import pyoxigraph as ox

    if any(token.text.upper() == "LOAD" for token in _keywords(text)):
        raise QueryError("LOAD would read a file or the network into the embedded store: not run (give ipkg "
                         "other Turtle files with IPKG_PLANS_DIR, or run the update on a server with --endpoint)")
    copy = ox.Store()
    copy.extend(store)
    before = len(copy)

    def work():
        try:
            copy.update(text, prefixes=dict(PREFIXES))
        except SyntaxError as exc:
            raise QueryError(f"malformed update: {syntax_message(exc)}") from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"update failed: {exc}") from None
        return len(copy)

    after = _run_in_thread(work, timeout)
    return Result("update", message=f"update applied to an in-memory copy of the graph: {before:,} → {after:,} quads "
                                    "(the bundled files are generated from data/curation and are not changed; "
                                    "the plans are in named graphs, reached with GRAPH ?g { … } or WITH)")


# ----------------------------------------------------------------------------- labels


# The label of each ?x (bound by a VALUES block) in a language: skos:prefLabel, else rdfs:label.
# The language is written in as a literal, not bound: Virtuoso 7.2 compares lang() with a bound
# string only when both are plain, and ipkg binds strings with their datatype written out.
LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?x (SAMPLE(?p) AS ?pref) (SAMPLE(?r) AS ?plain) WHERE {{
  OPTIONAL {{ ?x skos:prefLabel ?p . FILTER(lang(?p) = {language}) }}
  OPTIONAL {{ ?x rdfs:label ?r . FILTER(lang(?r) = {language}) }}
}} GROUP BY ?x"""

LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")

# IRIs per labels query: an endpoint gets requests of a modest size; the embedded store takes
# them all at once (13,800 IRIs at N = 1,100: 0.7 s, against 1.4 s in chunks of 200)
LABELS_PER_REQUEST = 200


def labels(iris, lang: str = "zh", *, store=None, endpoint: str | None = None, timeout=DEFAULT_TIMEOUT,
           user: str | None = None, password: str | None = None) -> dict[str, str]:
    """The label of each IRI in language ``lang`` (skos:prefLabel, else rdfs:label), when it has one."""
    import pyoxigraph as ox

    from .remote import with_value_rows

    if not LANGUAGE_TAG.fullmatch(lang):
        raise QueryError(f"not a language tag: {lang!r} (e.g. zh, en)")
    iris = sorted(set(iris))
    if not iris:
        return {}
    text = LABELS.format(language=str(ox.Literal(lang)))
    found: dict[str, str] = {}
    size = LABELS_PER_REQUEST if endpoint else len(iris)
    for start in range(0, len(iris), size):
        rows = [[ox.NamedNode(iri)] for iri in iris[start:start + size]]
        if endpoint:
            from .remote import remote_run

            result = remote_run(endpoint, with_value_rows(text, ["x"], rows), "select", {}, timeout=timeout,
                                user=user, password=password)
        else:
            result = _embedded_run(text, "select", {}, None, timeout, store, False, value_rows=(["x"], rows))
        for row in result.rows:
            label = row.get("pref") or row.get("plain")
            if label is not None:
                found[row["x"].value] = label.value
    return found


# ----------------------------------------------------------------------------- formatting


def _nt(term) -> str:
    return "" if term is None else str(term)


def _csv_cell(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _display(term, names: dict[str, str]) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return names.get(term.value) or shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        value = term.value
        if term.datatype.value == XSD + "decimal":
            value = _plain_decimal(value)
        return " ".join(value.split())
    return str(term)


def _plain_decimal(value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    text = format(number.normalize(), "f")
    return text


def iris_in(result: Result) -> set[str]:
    """The IRIs a table of this result would show (to fetch their labels)."""
    import pyoxigraph as ox

    found = set()
    if result.kind == "select":
        for row in result.rows:
            found.update(t.value for t in row.values() if isinstance(t, ox.NamedNode))
    elif result.kind == "graph":
        for t in result.triples:
            found.update(x.value for x in (t.subject, t.predicate, t.object) if isinstance(x, ox.NamedNode))
    return found


def _width(text: str) -> int:
    """Columns the text takes in a terminal: two for each wide or full-width (CJK) character."""
    import unicodedata

    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _text_table(headers: list[str], rows: list[list[str]]) -> str:
    known: dict[str, int] = {}  # a column repeats its names: each one's width found once

    def width(text: str) -> int:
        found = known.get(text)
        if found is None:
            found = known[text] = _width(text)
        return found

    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(cells)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out) + "\n"


def _markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    out = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _tabular(result: Result) -> tuple[list[str], list[list]]:
    if result.kind == "graph":
        return ["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in result.triples]
    return list(result.variables), [[row.get(v) for v in result.variables] for row in result.rows]


def _json_term(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


@collector_paused()
def format_result(result: Result, fmt: str = "table", names: dict[str, str] | None = None) -> str:
    """Serialise a result: SPARQL 1.1 JSON/CSV/TSV results, an aligned text table, Markdown, or
    Turtle / N-Triples for triples.

    ``names`` maps IRIs to labels for ``table`` and ``markdown`` (other IRIs are shortened with
    the ipkg prefixes); ``csv``, ``tsv`` and ``json`` keep full IRIs.
    """
    import csv
    import io
    import json

    names = names or {}
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if result.kind == "update":
        return result.message + "\n"
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
        if fmt in ("turtle", "ntriples"):
            raise QueryError("an ASK query gives a boolean, not triples: use --format table, json, csv or tsv")
        return ("true" if result.boolean else "false") + "\n"
    if fmt in ("turtle", "ntriples"):
        if result.kind != "graph":
            raise QueryError("a SELECT query gives rows, not triples: use --format table, csv, tsv, json or markdown")
        import pyoxigraph as ox

        if fmt == "ntriples":
            return ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        return ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")
    headers, rows = _tabular(result)
    if fmt == "json":
        document = {"head": {"vars": headers},
                    "results": {"bindings": [{h: _json_term(t) for h, t in zip(headers, row) if t is not None}
                                             for row in rows]}}
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([[_csv_cell(t) for t in row] for row in rows])
        return buffer.getvalue()
    if fmt == "tsv":
        lines = ["\t".join("?" + h for h in headers)]
        lines += ["\t".join(_nt(t) for t in row) for row in rows]
        return "\n".join(lines) + "\n"
    cells = [[_display(t, names) for t in row] for row in rows]
    if fmt == "markdown":
        return _markdown_table(headers, cells)
    return _text_table(headers, cells)


def default_format(result: Result) -> str:
    return "turtle" if result.kind == "graph" else "table"


# ----------------------------------------------------------------------------- the public API


def select(text: str, store=None) -> list[dict]:
    """Run a SELECT query on the embedded store (default: the bundled graph); rows as plain dicts.

    The default graph is the union of all named graphs.

    >>> rows = select("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/ipkg/ontology#Plan> }")
    >>> rows[0]["n"]
    5
    """
    return _finish(_embedded_run(text, "select", {}, None, None, store, False), text).dicts()


def query(name_or_text: str, *, plan: str | None = None, endpoint: str | None = None,
          timeout: float | None = DEFAULT_TIMEOUT, **params) -> list[dict]:
    """Run a named query (or SPARQL text, or a ``.rq`` file) and return its rows as plain dicts.

    Keyword arguments bind the query's parameters (``plan`` also restricts the dataset to that
    plan). ``pandas.DataFrame(ipkg.query(...))`` makes a data frame.

    >>> import ipkg
    >>> rows = ipkg.query("metric-targets", metric="metric:invention-patents-per-10k-people")
    >>> sorted(row["plan"].rsplit("/", 1)[1] for row in rows)
    ['lianyungang-2016', 'taixing-2024', 'yantai-2016']
    >>> rows[0]["value"], rows[0]["year"]
    (Decimal('8'), '2020')
    """
    return run(name_or_text, params, plan=plan, endpoint=endpoint, timeout=timeout).dicts()


class _CallableModule(types.ModuleType):
    """Lets ``ipkg.query(...)`` work even after ``import ipkg.query`` replaced the function."""

    def __call__(self, name_or_text: str, **kwargs) -> list[dict]:
        return query(name_or_text, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
