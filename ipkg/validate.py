"""SHACL validation of the plans: the shapes in ``shapes/`` run on each plan with pySHACL.

Each plan file is validated on its own, together with the ontology, the vocabularies and the
shared entities (places, cited documents, departments), so the work grows linearly with the number of plans,
runs on every core, and a plan that has not changed is not validated again:

- **Per plan.** A plan graph is validated alone with the part of the base graph (ontology,
  vocabularies, shared entities: parsed once per run) that it needs — the class hierarchy and every
  base node the plan mentions — and pySHACL reads only the predicates its shapes can reach. The
  tests check that this gives what plain pySHACL gives on the whole graph.
- **Two engines, one shapes graph.** pySHACL evaluates the core constraints on an rdflib graph.
  SHACL-SPARQL constraints (``sh:sparql`` on a node shape) run on an in-memory Oxigraph store of
  the same triples, once per focus node with ``$this`` pre-bound exactly as SHACL prescribes:
  rdflib's SPARQL engine took 30 ms per focus node here, Oxigraph takes 0.1 ms. A SPARQL shape
  that uses anything else (``$PATH``, ``$shapesGraph``, SHACL-AF targets, constraints besides
  ``sh:sparql``) is left to pySHACL. ``tests/test_validate.py`` checks that both routes give the
  same results on every fixture.
- **Parallel.** Plans to validate are spread over a process pool (``jobs``, default every core).
- **Incremental.** Each plan's results are cached in ``<cache dir>/validate/`` under a digest of
  the plan's bytes, the shapes, the common base graph (ontology, vocabularies, places, cited
  documents), the inference mode and the engine versions; the entry also records the digest of
  each city's department file the plan mentions, so adding a plan (and departments) to one city
  re-validates that city's plans only. Entries are written atomically, so two runs at once are
  safe. ``cache=False`` forces a run.

Public API: :func:`validate` returns a :class:`Report`; :func:`load_shapes` and
:func:`shape_catalogue` describe the shapes.

>>> report = validate(plans=["taixing-2024"])
>>> report.conforms, [plan.name for plan in report.plans]
(True, ['taixing-2024'])
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import DataError, IpkgError, malformed_turtle
from .export import write_atomic
from .terms import ONTOLOGY, PREFIXES, shorten

#: Bump when the cached result format or the way results are computed changes.
ENGINE_VERSION = "3"

SHACL = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SEVERITIES = ("Violation", "Warning", "Info")
INFERENCE_MODES = ("none", "rdfs")
ORG_IRI = PREFIXES["dept"]


class ValidationError(IpkgError):
    """Validation could not run: bad shapes, a bad option (exit code 2)."""


# ------------------------------------------------------------------------------------ the report


@dataclass
class PlanResult:
    """The results of one plan file (one unit of validation)."""

    name: str
    source: str
    plan: str | None = None
    title: str | None = None
    triples: int = 0
    results: list[dict] = field(default_factory=list)
    cached: bool = False

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r["severity"] == severity)

    @property
    def conforms(self) -> bool:
        """True when no result is a Violation (warnings and notes do not break a plan)."""
        return self.count("Violation") == 0

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "plan": self.plan,
            "title": self.title,
            "triples": self.triples,
            "conforms": self.conforms,
            "violations": self.count("Violation"),
            "warnings": self.count("Warning"),
            "infos": self.count("Info"),
            "results": self.results,
        }


@dataclass
class Report:
    """The outcome of :func:`validate`: per-plan results and the verdict.

    ``conforms`` is False when any plan has a Violation, or (with ``strict``) a Warning. Notes
    (Info) never fail a run.
    """

    plans: list[PlanResult]
    strict: bool = False
    inference: str = "none"

    def count(self, severity: str) -> int:
        return sum(plan.count(severity) for plan in self.plans)

    @property
    def conforms(self) -> bool:
        if self.count("Violation"):
            return False
        return not (self.strict and self.count("Warning"))

    @property
    def exit_code(self) -> int:
        """0 when the data conforms, 1 when it does not."""
        return 0 if self.conforms else 1

    @property
    def cached(self) -> int:
        """How many plans were answered from the cache (not part of any output: it varies)."""
        return sum(1 for plan in self.plans if plan.cached)

    def summary(self) -> str:
        verdict = "conforms" if self.conforms else "does not conform"
        failing = sum(1 for plan in self.plans if not plan.conforms)
        return (f"{len(self.plans)} plan(s) validated, {failing} with violations: "
                f"{self.count('Violation')} violation(s), {self.count('Warning')} warning(s), "
                f"{self.count('Info')} note(s){' (strict)' if self.strict else ''} — {verdict}")

    # -- renderings
    def to_json(self) -> str:
        """A stable, machine-readable report (sorted keys, sorted plans and results)."""
        data = {
            "format": "ipkg-validation-report",
            "version": 1,
            "conforms": self.conforms,
            "strict": self.strict,
            "inference": self.inference,
            "summary": {
                "plans": len(self.plans),
                "plans_with_violations": sum(1 for plan in self.plans if not plan.conforms),
                "violations": self.count("Violation"),
                "warnings": self.count("Warning"),
                "infos": self.count("Info"),
            },
            "plans": [plan.to_dict() for plan in self.plans],
        }
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def to_text(self, lang: str = "en", verbose: bool = False) -> str:
        """A readable report grouped by plan and focus node.

        Nodes are named by their Chinese label and IRI; each result gives the shape, its message in
        ``lang`` ('en' or 'zh'), the path and the offending value. Notes (Info) are listed only
        with ``verbose``; plans without anything to show take one line each.
        """
        if lang not in ("en", "zh"):
            raise ValidationError(f"unknown language {lang!r} (en, zh)")
        shown = SEVERITIES if verbose else SEVERITIES[:2]
        lines: list[str] = []
        for plan in self.plans:
            results = [r for r in plan.results if r["severity"] in shown]
            title = f"  {plan.title}" if plan.title else ""
            counts = ", ".join(f"{plan.count(s)} {word}" for s, word in
                               (("Violation", "violation(s)"), ("Warning", "warning(s)"), ("Info", "note(s)")))
            status = "ok  " if plan.conforms else "FAIL"
            lines.append(f"{status} {plan.name}{title} ({plan.source}): {counts}")
            by_focus: dict[str, list[dict]] = {}
            for result in results:
                by_focus.setdefault(result["focus"], []).append(result)
            for focus, group in by_focus.items():
                label = group[0].get("focus_label")
                lines.append(f"    {_node_text(focus, label)}")
                for result in sorted(group, key=lambda r: (SEVERITIES.index(r["severity"]), r["shape"])):
                    name = result.get("shape_name", {}).get(lang) or ""
                    lines.append(f"      [{result['severity']}] {shorten_shape(result['shape'])}"
                                 f"{f' ({name})' if name else ''}")
                    message = result.get("message", {})
                    text = message.get(lang) or message.get("en") or message.get("zh") or ""
                    if text:
                        lines.append(f"        {text}")
                    details = []
                    if result.get("path"):
                        details.append(f"path {result['path']}")
                    if result.get("value") is not None and result.get("value") != focus:
                        details.append(f"value {_node_text(result['value'], result.get('value_label'))}")
                    if details:
                        lines.append(f"        {'; '.join(details)}")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def to_turtle(self) -> str:
        """The results as one W3C SHACL validation report in Turtle (deterministic)."""
        out = [
            "@prefix sh: <http://www.w3.org/ns/shacl#> .",
            "@prefix ipkgsh: <https://w3id.org/ipkg/shapes#> .",
            "@prefix ipkg: <https://w3id.org/ipkg/ontology#> .",
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
            "",
            "[] a sh:ValidationReport ;",
            f"    sh:conforms {'true' if self.conforms else 'false'}" + (" ;" if self.count_all() else " ."),
        ]
        entries = []
        for plan in self.plans:
            for result in plan.results:
                body = [
                    "a sh:ValidationResult",
                    f"sh:focusNode {result['focus_nt']}",
                    f"sh:resultSeverity sh:{result['severity']}",
                    f"sh:sourceShape <{result['shape']}>",
                    f"sh:sourceConstraintComponent <{result['component']}>",
                ]
                if result.get("path_nt"):
                    body.append(f"sh:resultPath {result['path_nt']}")
                if result.get("value_nt"):
                    body.append(f"sh:value {result['value_nt']}")
                for lang in sorted(result.get("message", {})):
                    body.append(f"sh:resultMessage {_turtle_string(result['message'][lang])}@{lang}")
                entries.append(f"    # {plan.name} ({plan.source})\n    sh:result [\n        "
                               + " ;\n        ".join(body) + "\n    ]")
        if entries:
            out.append(" ;\n".join(entries) + " .")
        return "\n".join(out) + "\n"

    def count_all(self) -> int:
        return sum(len(plan.results) for plan in self.plans)


def shorten_shape(iri: str) -> str:
    prefix = "https://w3id.org/ipkg/shapes#"
    return "ipkgsh:" + iri[len(prefix):] if iri.startswith(prefix) else shorten(iri)


def _node_text(node: str, label: str | None) -> str:
    shown = node if node.startswith("_:") or not _looks_like_iri(node) else f"<{node}>"
    return f"{label} {shown}" if label else shown


def _looks_like_iri(text: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.\-]*:", text)) and " " not in text


def _turtle_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


# ------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Unit:
    """One plan file to validate, with the cache key of its results."""

    name: str
    path: Path
    source: str
    key: str


def _display_path(path: Path) -> str:
    """The path as shown in reports: relative to the ipkg root when bundled, else as given."""
    try:
        return path.resolve().relative_to(paths.root().resolve()).as_posix()
    except ValueError:
        return str(path)


def _expand(files: list[Path | str]) -> list[Path]:
    expanded: list[Path] = []
    for file in files:
        path = Path(file)
        if path.is_dir():
            found = sorted(path.glob("*.ttl"))
            if not found:
                raise DataError(f"{path}: no .ttl files in this directory")
            expanded.extend(found)
        else:
            expanded.append(path)
    return expanded


def _units_and_base(files, plans):
    from .store import bundled_inputs, department_inputs, inputs_for_files

    # ontology, vocabularies, shared entities and every city's departments (read when a plan names its city)
    base = bundled_inputs([]) + department_inputs()
    if files:
        chosen = inputs_for_files(_expand(list(files)))
    else:
        base_graphs = {item.graph for item in base}
        chosen = [item for item in bundled_inputs(plans) if item.graph not in base_graphs]
        if not chosen:
            raise DataError(f"no plan files in {paths.plans_dir()}")
    return chosen, base


def _digest_files(files: list[Path], digest) -> None:
    for file in files:
        digest.update(file.name.encode())
        digest.update(b"\0")
        try:
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        except OSError as exc:
            raise DataError(f"{file}: cannot read ({exc.strerror})") from exc


def _shape_files(shapes_dir: Path) -> list[Path]:
    if not shapes_dir.is_dir():
        what = "not a directory (--shapes takes the directory of *.ttl shapes)" if shapes_dir.exists() else \
            "no such shapes directory"
        raise DataError(f"{shapes_dir}: {what}")
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise DataError(f"{shapes_dir}: no shapes (*.ttl) in this directory")
    return files


def _engine_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [ENGINE_VERSION]
    for package in ("pyshacl", "rdflib", "pyoxigraph"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:  # pragma: no cover - they are dependencies
            parts.append(f"{package}=?")
    return ";".join(parts)


# ------------------------------------------------------------------------------------ shapes


@dataclass
class SparqlConstraint:
    """A SHACL-SPARQL constraint that the Oxigraph route evaluates."""

    shape: str
    query: str
    severity: str
    messages: dict[str, str]
    name: dict[str, str]
    target_classes: list[str]
    target_nodes: list[str]
    target_subjects_of: list[str]
    target_objects_of: list[str]


@dataclass
class Shapes:
    """The parsed shapes graph and how its shapes are split between the two engines."""

    graph: object  # rdflib.Graph
    core: list[str]  # IRIs of shapes pySHACL evaluates (everything not in `sparql`)
    sparql: list[SparqlConstraint]
    names: dict[str, dict[str, str]]  # shape IRI -> {lang: sh:name}
    files: list[Path]
    core_predicates: frozenset[str] | None = None  # what pySHACL can read; None: everything


def load_shapes(shapes_dir: Path | str | None = None) -> Shapes:
    """Parse every ``*.ttl`` of ``shapes_dir`` (default: the bundled ``shapes/``) into one graph.

    Raises :class:`~ipkg.errors.DataError` naming file and line for malformed Turtle.

    >>> shapes = load_shapes()
    >>> "https://w3id.org/ipkg/shapes#TaskStage" in shapes.core
    True
    """
    import rdflib

    files = _shape_files(Path(shapes_dir) if shapes_dir else paths.shapes_dir())
    graph = rdflib.Graph()
    for file in files:
        for triple in _parse_rdflib(file):
            graph.add(triple)
    sh = rdflib.Namespace(SHACL)
    _refuse_service(graph)
    shapes = _named_shapes(graph)
    sparql, core = [], []
    for shape in shapes:
        constraint = _native_sparql(graph, shape)
        if constraint is None:
            core.append(str(shape))
        else:
            sparql.append(constraint)
    names = {str(shape): _lang_map(graph, shape, sh.name) for shape in shapes}
    return Shapes(graph, core, sparql, names, files, _core_predicates(graph, sparql))


def _refuse_service(graph) -> None:
    """Raise when a SHACL-SPARQL query of the shapes has a SERVICE clause: both engines would
    call it over the network, which validating a plan never asks for."""
    import rdflib

    from .query import uses_service

    sh = rdflib.Namespace(SHACL)
    for predicate in (sh.select, sh.ask, sh.construct):
        for node, text in sorted(graph.subject_objects(predicate)):
            if uses_service(str(text)):
                owner = node
                for _ in range(10):  # up from the query's blank node (sh:sparql, sh:target, a validator) to a named shape
                    if not isinstance(owner, rdflib.BNode):
                        break
                    owner = next(iter(sorted(graph.subjects(None, owner))), owner)
                raise ValidationError(f"{shorten_shape(str(owner))}: its SPARQL has a SERVICE clause, which would "
                                      f"reach the network; ipkg validate does not run such shapes")


def _core_predicates(graph, native_sparql: list) -> frozenset[str] | None:
    """Every predicate the core shapes can traverse: paths, property-pair parameters, targets,
    rdf:type and rdfs:subClassOf. None when that cannot be known (sh:closed shapes, or SPARQL
    constraints left to pySHACL), and then pySHACL gets every triple."""
    import rdflib

    sh = rdflib.Namespace(SHACL)
    native = {c.shape for c in native_sparql}
    if (None, sh.closed, None) in graph:
        return None
    if any(str(s) not in native for s in graph.subjects(sh.sparql, None)):
        return None
    found = {RDF_TYPE, RDFS + "subClassOf"}

    def walk(path):
        if isinstance(path, rdflib.URIRef):
            found.add(str(path))
            return
        if graph.value(path, rdflib.RDF.first) is not None:
            for item in rdflib.collection.Collection(graph, path):
                walk(item)
            return
        for predicate in (sh.inversePath, sh.zeroOrMorePath, sh.oneOrMorePath, sh.zeroOrOnePath):
            inner = graph.value(path, predicate)
            if inner is not None:
                walk(inner)
        alternatives = graph.value(path, sh.alternativePath)
        if alternatives is not None:
            walk(alternatives)

    for path in graph.objects(None, sh.path):
        walk(path)
    for parameter in (sh.equals, sh.disjoint, sh.lessThan, sh.lessThanOrEquals, sh.targetSubjectsOf,
                      sh.targetObjectsOf):
        found.update(str(o) for o in graph.objects(None, parameter))
    return frozenset(found)


def _named_shapes(graph) -> list:
    """Every shape that has a target (the shapes that can fire on their own), sorted."""
    import rdflib

    sh = rdflib.Namespace(SHACL)
    found = set()
    for predicate in (sh.targetClass, sh.targetNode, sh.targetSubjectsOf, sh.targetObjectsOf, sh.target):
        found.update(graph.subjects(predicate, None))
    for cls in (sh.NodeShape, sh.PropertyShape):
        for shape in graph.subjects(rdflib.RDF.type, cls):
            if (shape, rdflib.RDF.type, rdflib.RDFS.Class) in graph:
                found.add(shape)
    return sorted(found, key=str)


def shape_catalogue(shapes_dir: Path | str | None = None) -> list[dict]:
    """One entry per shape that has a target: IRI, family file, severity, names, descriptions, messages.

    >>> entry = next(e for e in shape_catalogue() if e["shape"].endswith("#TaskLead"))
    >>> entry["severity"], entry["file"], entry["name"]["en"]
    ('Violation', 'task.ttl', 'task lead department')
    """
    import rdflib

    shapes = load_shapes(shapes_dir)
    sh = rdflib.Namespace(SHACL)
    by_file: dict[str, str] = {}
    for file in shapes.files:
        for triple in _parse_rdflib(file):
            by_file.setdefault(str(triple[0]), file.name)
    catalogue = []
    for shape in _named_shapes(shapes.graph):
        graph = shapes.graph
        severity = graph.value(shape, sh.severity)
        catalogue.append({
            "shape": str(shape),
            "file": by_file.get(str(shape)),
            "severity": str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            "name": _lang_map(graph, shape, sh.name),
            "description": _lang_map(graph, shape, sh.description),
            "message": _lang_map(graph, shape, sh.message),
            "engine": "pyshacl" if str(shape) in shapes.core else "oxigraph-sparql",
        })
    return catalogue


def _lang_map(graph, node, predicate) -> dict[str, str]:
    values: dict[str, str] = {}
    for value in sorted(graph.objects(node, predicate), key=str):
        lang = getattr(value, "language", None) or "en"
        values.setdefault(lang, str(value))
    return values


_NON_VALIDATING = {
    "name", "description", "message", "severity", "targetClass", "targetNode", "targetSubjectsOf",
    "targetObjectsOf", "sparql", "order", "group", "defaultValue",
}


def _native_sparql(graph, shape) -> SparqlConstraint | None:
    """The shape as a constraint for the Oxigraph route, or None to leave it to pySHACL."""
    import rdflib

    sh = rdflib.Namespace(SHACL)
    constraints = list(graph.objects(shape, sh.sparql))
    if len(constraints) != 1 or (shape, sh.path, None) in graph:
        return None
    if (shape, sh.deactivated, None) in graph or (shape, sh.target, None) in graph:
        return None
    for predicate in graph.predicates(shape, None):
        text = str(predicate)
        if text.startswith(SHACL) and text[len(SHACL):] not in _NON_VALIDATING:
            return None  # another constraint on the same shape: keep it whole in pySHACL
    node = constraints[0]
    selects = list(graph.objects(node, sh.select))
    if len(selects) != 1 or (node, sh.deactivated, None) in graph:
        return None
    text = str(selects[0])
    if re.search(r"[$?](PATH|shapesGraph|currentShape)\b", text):
        return None
    prefixes = []
    for declarations in graph.objects(node, sh.prefixes):
        for declaration in graph.objects(declarations, sh.declare):
            prefix = graph.value(declaration, sh.prefix)
            namespace = graph.value(declaration, sh.namespace)
            if prefix is not None and namespace is not None:
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
    query = "\n".join(sorted(set(prefixes)) + [text])
    messages = _lang_map(graph, node, sh.message) or _lang_map(graph, shape, sh.message)
    severity = graph.value(shape, sh.severity)
    return SparqlConstraint(
        shape=str(shape),
        query=query,
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        messages=messages,
        name=_lang_map(graph, shape, sh.name),
        target_classes=sorted(str(o) for o in graph.objects(shape, sh.targetClass)),
        target_nodes=sorted(str(o) for o in graph.objects(shape, sh.targetNode)),
        target_subjects_of=sorted(str(o) for o in graph.objects(shape, sh.targetSubjectsOf)),
        target_objects_of=sorted(str(o) for o in graph.objects(shape, sh.targetObjectsOf)),
    )


def check_shapes(shapes: Shapes) -> None:
    """Validate the shapes graph against the W3C SHACL-for-SHACL shapes; raise if it is not valid.

    The SPARQL queries of the Oxigraph route are also compiled once, so a typo is reported here
    rather than as a silent non-result.
    """
    import pyoxigraph as ox
    from pyshacl.entrypoints import meta_validate

    conforms, _graph, text = meta_validate(shapes.graph)
    if not conforms:
        first = "; ".join(line.strip() for line in text.splitlines()[3:9] if line.strip())
        raise ValidationError(f"the shapes graph is not valid SHACL (SHACL-for-SHACL): {first}")
    store = ox.Store()
    for constraint in shapes.sparql:
        try:
            store.query(constraint.query, substitutions={ox.Variable("this"): ox.NamedNode("urn:x-ipkg:test")})
        except SyntaxError as exc:
            raise ValidationError(f"{shorten_shape(constraint.shape)}: malformed SPARQL: {exc}") from exc


# ------------------------------------------------------------------------------------ parsing


def _parse_ox(path: Path) -> list:
    """Parse Turtle with Oxigraph; errors become DataError naming the file and line."""
    import pyoxigraph as ox

    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise DataError(malformed_turtle(path, exc)) from exc
    except FileNotFoundError as exc:
        raise DataError(f"{path}: no such file") from exc
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from exc


class _Converter:
    """Oxigraph terms to rdflib terms, memoising IRIs and short literals (plans repeat them a lot).

    ``memo`` seeds the memo (the base graph's terms); each plan gets its own converter, so the
    memo never grows with the number of plans.
    """

    def __init__(self, memo: dict | None = None):
        import rdflib

        self.rdflib = rdflib
        self.memo: dict = dict(memo) if memo else {}

    def __call__(self, term):
        rdflib = self.rdflib
        kind = type(term).__name__
        if kind == "NamedNode":
            value = term.value
            node = self.memo.get(value)
            if node is None:
                node = self.memo[value] = rdflib.URIRef(value)
            return node
        if kind == "BlankNode":
            return rdflib.BNode(term.value)
        value, language = term.value, term.language
        datatype = None if language else term.datatype.value
        key = (value, language, datatype) if len(value) <= 40 else None
        if key is not None:
            node = self.memo.get(key)
            if node is not None:
                return node
        if language:
            node = rdflib.Literal(value, lang=language)
        elif datatype == XSD_STRING:
            node = rdflib.Literal(value)
        else:
            node = rdflib.Literal(value, datatype=self(term.datatype))
        if key is not None:
            self.memo[key] = node
        return node

    def triple(self, t) -> tuple:
        return (self(t.subject), self(t.predicate), self(t.object))

    def triples(self, ox_triples) -> list[tuple]:
        return [(self(t.subject), self(t.predicate), self(t.object)) for t in ox_triples]


def _parse_rdflib(path: Path) -> list[tuple]:
    return _Converter().triples(_parse_ox(path))


# ------------------------------------------------------------------------------------ the worker

_STATE: dict = {}


def _prepare(shapes_dir: str | None, base_files: list[str], inference: str, base_key: str,
             department_digests: dict[str, str]) -> None:
    """Parse the shapes and the base graph once per process (inherited by forked workers); parsed
    again when ``base_key`` (the digest of the shapes and base files) changes.

    The base triples are kept both as Oxigraph triples and converted to rdflib, indexed by subject.
    Departments are read per city when a plan first names the city (:func:`_base_slice`): a
    corpus of thousands of plans has a department file per city, and re-validating one plan
    should not parse them all. With RDFS inference the whole base graph is read at once.
    """
    import logging
    import warnings

    # rdflib logs a traceback for every ill-typed literal ("2024-13-45"^^xsd:date) it cannot
    # convert, and warns when it writes one ("abc"^^xsd:decimal); the shapes report such a value
    # as a violation, in one line
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Serializing weird numerical", category=UserWarning)
    key = (shapes_dir, tuple(base_files), inference, base_key)
    if _STATE.get("key") == key:
        return
    _STATE.clear()
    _STATE.update(key=key, shapes=load_shapes(shapes_dir), inference=inference, schema=[], by_subject={},
                  shared_subjects=set(), converter=_Converter(), department_digests=department_digests,
                  department_files={}, base=[])
    shared = paths.shared_dir().resolve()
    for file in base_files:
        path = Path(file)
        if inference == "none" and _is_department_file(path):
            _STATE["department_files"][path.stem] = path
        else:
            _index_base(_parse_ox(path), shared=shared in path.resolve().parents)
    _STATE["memo"] = _STATE["converter"].memo


def _index_base(triples: list, shared: bool) -> None:
    state = _STATE
    converter = state["converter"]
    for triple in triples:
        pair = (triple, converter.triple(triple))
        state["base"].append(pair)
        if triple.predicate.value in (RDFS + "subClassOf", RDFS + "subPropertyOf"):
            state["schema"].append(pair)
        else:
            state["by_subject"].setdefault(triple.subject.value, []).append(pair)
        if shared:
            state["shared_subjects"].add(triple.subject.value)


def _load_departments(plan_triples: list) -> None:
    """Index the department files of the cities the plan names that this process has not read."""
    files = _STATE["department_files"]
    for city in _mentioned_cities(plan_triples):
        path = files.pop(city, None)
        if path is not None:
            _index_base(_parse_ox(path), shared=True)


def _mentioned_cities(plan_triples: list) -> set[str]:
    cities = set()
    for triple in plan_triples:
        for term in (triple.subject, triple.object):
            if type(term).__name__ == "NamedNode" and term.value.startswith(ORG_IRI):
                cities.add(term.value[len(ORG_IRI):].split("/", 1)[0])
    return cities


def _base_slice(plan_triples: list) -> list:
    """The base triples a plan's validation needs, as (Oxigraph, rdflib) pairs: the class and
    property hierarchy, the description of every base node the plan mentions, and — through the
    shared entities it mentions (its city's departments, places, cited documents) — of the nodes
    those mention in turn (a department's function type, a document's issuer).

    Shapes look one step from a plan's nodes into the base graph (sh:class, skos:inScheme, a
    cited document's title) and one step further from a shared entity (a department's function
    type), so this slice gives the same results as the whole base graph while keeping each plan's
    graph small; ontology and vocabulary nodes are not followed further, and other cities'
    departments are never reached. With RDFS inference the whole base graph is used.
    """
    state = _STATE
    if state["inference"] != "none":
        return state["base"]
    _load_departments(plan_triples)
    by_subject, shared_subjects = state["by_subject"], state["shared_subjects"]
    frontier = set()
    for triple in plan_triples:
        for term in (triple.subject, triple.object):
            if type(term).__name__ == "NamedNode":
                frontier.add(term.value)
    reached: set[str] = set()
    while frontier:
        reached |= frontier
        following = set()
        for value in frontier & shared_subjects:
            for pair in by_subject.get(value, ()):
                obj = pair[0].object
                if type(obj).__name__ == "NamedNode" and obj.value not in reached:
                    following.add(obj.value)
        frontier = following
    chosen = list(state["schema"])
    for value in sorted(reached):
        chosen.extend(by_subject.get(value, ()))
    return chosen


def _validate_unit(job: tuple) -> dict:
    """Validate one plan file; returns its outcome (results or a parse error) and caches it."""
    name, path_text, cache_file = job
    path = Path(path_text)
    try:
        outcome = _run_unit(name, path)
    except IpkgError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one plan's failure is reported in one line, not a traceback
        return {"error": f"{path}: validation failed: {type(exc).__name__}: {exc}"}
    if cache_file:
        write_atomic(cache_file, json.dumps(outcome, ensure_ascii=False, sort_keys=True))
    return outcome


def _run_unit(name: str, path: Path) -> dict:
    import pyoxigraph as ox
    import rdflib

    state = _STATE
    shapes: Shapes = state["shapes"]
    plan_ox = _parse_ox(path)
    plan_nodes = sorted({t.subject.value for t in plan_ox
                         if t.predicate.value == RDF_TYPE and t.object.value == ONTOLOGY + "Plan"})
    if not plan_nodes:
        raise DataError(f"{path}: no ipkg:Plan in this file, nothing to validate (is it a plan?)")
    if len(plan_nodes) > 1:  # its report would carry one plan's name for both
        raise DataError(f"{path}: {len(plan_nodes)} plans in one file ({', '.join(plan_nodes)}): "
                        "give each plan its own file")
    base_pairs = _base_slice(plan_ox)
    data_ox = [pair[0] for pair in base_pairs] + plan_ox
    converter = _Converter(state["memo"])
    rdfs = state["inference"] == "rdfs"
    wanted = None if rdfs else shapes.core_predicates
    graph = rdflib.Graph()
    if wanted is None:
        triples = [pair[1] for pair in base_pairs] + converter.triples(plan_ox)
    else:  # pySHACL reads nothing else: the same results from a smaller graph
        triples = [pair[1] for pair in base_pairs if pair[0].predicate.value in wanted]
        triples += converter.triples([t for t in plan_ox if t.predicate.value in wanted])
    graph.addN((s, p, o, graph) for s, p, o in triples)
    if rdfs:
        _rdfs_closure(graph)
    results = []
    if shapes.core:
        results += _run_pyshacl(graph, shapes)
    if shapes.sparql:
        store = ox.Store()
        if not rdfs:
            store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in data_ox)
        else:
            # the RDFS closure may hold generalised triples (a literal as subject): not RDF, skipped
            store.extend(_to_ox_quad(triple) for triple in graph
                         if isinstance(triple[1], rdflib.URIRef) and not isinstance(triple[0], rdflib.Literal))
        results += _run_sparql(store, shapes.sparql)
    labels = _Labels(data_ox)
    for result in results:
        result["focus_label"] = labels.of(result["focus"], result["focus_nt"])
        result["value_label"] = labels.of(result.get("value"), result.get("value_nt"))
    results.sort(key=_result_sort_key)
    plan = plan_nodes[0]
    title = labels.of(plan, f"<{plan}>")
    return {"engine": ENGINE_VERSION, "name": name, "triples": len(plan_ox), "plan": plan,
            "title": title, "results": results,
            "depends": _department_dependencies(plan_ox, state["department_digests"])}


class _Labels:
    """Labels of the nodes of one plan's data: the Chinese rdfs:label, else skos:prefLabel, else
    ipkg:printedName (an assignment is named by its department as printed), else any rdfs:label."""

    PREDICATES = (RDFS + "label", SKOS + "prefLabel", ONTOLOGY + "printedName")

    def __init__(self, triples):
        self.values: dict[str, list[tuple[int, str, str]]] = {}
        for t in triples:
            predicate = t.predicate.value
            if predicate in self.PREDICATES and type(t.object).__name__ == "Literal":
                self.values.setdefault(t.subject.value, []).append(
                    (self.PREDICATES.index(predicate), t.object.language or "", t.object.value))

    def of(self, node: str | None, nt: str | None = None) -> str | None:
        if not node or (nt is not None and not nt.startswith("<")):
            return None
        values = self.values.get(node)
        if not values:
            return None
        chinese = sorted((rank, text) for rank, lang, text in values if lang.startswith("zh"))
        if chinese:
            return chinese[0][1]
        return sorted(text for rank, lang, text in values if rank == 0)[0] if any(
            rank == 0 for rank, _, _ in values) else None


def _result_sort_key(result: dict) -> tuple:
    return (result["focus"], result["shape"], result.get("path") or "", result.get("value_nt") or "",
            result["component"], json.dumps(result.get("message", {}), sort_keys=True, ensure_ascii=False))


def _rdfs_closure(graph) -> None:
    """The RDFS closure pySHACL's own ``inference='rdfs'`` computes (its rules skip owlrl's literal
    proxies, which would otherwise replace typed literals and break datatype checks)."""
    import owlrl
    from pyshacl.inference import CustomRDFSSemantics

    owlrl.DeductiveClosure(CustomRDFSSemantics).expand(graph)


def _to_ox_quad(triple):
    import pyoxigraph as ox
    import rdflib

    def term(node):
        if isinstance(node, rdflib.URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, rdflib.BNode):
            return ox.BlankNode(str(node))
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))

    return ox.Quad(term(triple[0]), term(triple[1]), term(triple[2]))


def _run_pyshacl(graph, shapes: Shapes) -> list[dict]:
    import rdflib
    from pyshacl import validate as shacl_validate

    sh = rdflib.Namespace(SHACL)
    use_shapes = shapes.core if shapes.sparql else None
    _conforms, report, _text = shacl_validate(graph, shacl_graph=shapes.graph, inference="none",
                                              use_shapes=use_shapes, allow_warnings=True, allow_infos=True)
    results = []
    top_level = [node for report_node in report.subjects(rdflib.RDF.type, sh.ValidationReport)
                 for node in report.objects(report_node, sh.result)]  # not the nested sh:detail results
    for node in top_level:
        focus = report.value(node, sh.focusNode)
        shape = report.value(node, sh.sourceShape)
        severity = report.value(node, sh.resultSeverity)
        path = report.value(node, sh.resultPath)
        value = report.value(node, sh.value)
        results.append({
            "focus": _term_text(focus),
            "focus_nt": focus.n3(),
            "shape": str(shape),
            "shape_name": shapes.names.get(str(shape), {}),
            "severity": str(severity).rsplit("#", 1)[-1],
            "component": str(report.value(node, sh.sourceConstraintComponent)),
            "path": _path_text(report, path) if path is not None else None,
            "path_nt": _path_turtle(report, path) if path is not None else None,
            "value": _term_text(value) if value is not None else None,
            "value_nt": value.n3() if value is not None else None,
            "message": _messages(report.objects(node, sh.resultMessage)),
        })
    return results


def _messages(literals) -> dict[str, str]:
    messages: dict[str, str] = {}
    for literal in sorted(literals, key=str):
        messages.setdefault(getattr(literal, "language", None) or "en", str(literal))
    return messages


def _term_text(term) -> str:
    import rdflib

    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)


def _path_text(graph, path) -> str:
    """A result path in SPARQL property-path syntax, IRIs shortened."""
    import rdflib

    sh = rdflib.Namespace(SHACL)
    if isinstance(path, rdflib.URIRef):
        return shorten(str(path)) if shorten(str(path)) != str(path) else f"<{path}>"
    inverse = graph.value(path, sh.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    alternatives = graph.value(path, sh.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, p) for p in rdflib.collection.Collection(graph, alternatives)) + ")"
    for predicate, suffix in ((sh.zeroOrMorePath, "*"), (sh.oneOrMorePath, "+"), (sh.zeroOrOnePath, "?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return "(" + _path_text(graph, inner) + ")" + suffix
    if graph.value(path, rdflib.RDF.first) is not None:
        return "/".join(_path_text(graph, p) for p in rdflib.collection.Collection(graph, path))
    return str(path)


def _path_turtle(graph, path) -> str:
    """A result path as Turtle (full IRIs, SHACL path syntax)."""
    import rdflib

    sh = rdflib.Namespace(SHACL)
    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    for predicate, word in ((sh.inversePath, "inversePath"), (sh.zeroOrMorePath, "zeroOrMorePath"),
                            (sh.oneOrMorePath, "oneOrMorePath"), (sh.zeroOrOnePath, "zeroOrOnePath")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"[ sh:{word} {_path_turtle(graph, inner)} ]"
    alternatives = graph.value(path, sh.alternativePath)
    if alternatives is not None:
        items = " ".join(_path_turtle(graph, p) for p in rdflib.collection.Collection(graph, alternatives))
        return f"[ sh:alternativePath ( {items} ) ]"
    if graph.value(path, rdflib.RDF.first) is not None:
        return "( " + " ".join(_path_turtle(graph, p) for p in rdflib.collection.Collection(graph, path)) + " )"
    return f"<{path}>"


def _run_sparql(store, constraints: list[SparqlConstraint]) -> list[dict]:
    """SHACL-SPARQL constraints of node shapes, on Oxigraph, one query per focus node."""
    import pyoxigraph as ox

    this = ox.Variable("this")
    results = []
    for constraint in constraints:
        foci: set = set()
        for cls in constraint.target_classes:
            query = f"SELECT DISTINCT ?n WHERE {{ ?n a/<{RDFS}subClassOf>* <{cls}> }}"
            foci.update(row[0] for row in store.query(query))
        foci.update(ox.NamedNode(n) for n in constraint.target_nodes)
        for prop in constraint.target_subjects_of:
            foci.update(q.subject for q in store.quads_for_pattern(None, ox.NamedNode(prop), None))
        for prop in constraint.target_objects_of:
            foci.update(q.object for q in store.quads_for_pattern(None, ox.NamedNode(prop), None))
        for focus in sorted(foci, key=str):
            solutions = store.query(constraint.query, substitutions={this: focus})
            names = [v.value for v in solutions.variables]
            seen = set()
            for solution in solutions:
                row = {name: solution[name] for name in names if solution[name] is not None}
                if "failure" in row:
                    raise ValidationError(f"{shorten_shape(constraint.shape)}: the query reported a failure "
                                          f"for {focus}")
                value = row.get("value", focus)
                path = row.get("path")
                signature = (str(value), str(path))
                if signature in seen:
                    continue
                seen.add(signature)
                results.append({
                    "focus": _ox_text(focus),
                    "focus_nt": str(focus),
                    "shape": constraint.shape,
                    "shape_name": constraint.name,
                    "severity": constraint.severity,
                    "component": SHACL + "SPARQLConstraintComponent",
                    "path": (shorten(path.value) if shorten(path.value) != path.value else f"<{path.value}>")
                    if isinstance(path, ox.NamedNode) else None,
                    "path_nt": str(path) if isinstance(path, ox.NamedNode) else None,
                    "value": _ox_text(value),
                    "value_nt": str(value),
                    "message": {lang: _fill_template(text, row, focus)
                                for lang, text in constraint.messages.items()},
                })
    return results


def _ox_text(term) -> str:
    kind = type(term).__name__
    if kind == "BlankNode":
        return f"_:{term.value}"
    return term.value


def _fill_template(text: str, row: dict, focus) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        term = focus if name == "this" else row.get(name)
        return _ox_text(term) if term is not None else match.group(0)

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", replace, text)


# ------------------------------------------------------------------------------------ the run


def validate(paths=None, plans=None, shapes_dir=None, inference="none", strict=False, jobs=None,
             cache=True) -> Report:
    """Validate plans against the SHACL shapes; return a :class:`Report`.

    ``paths``: Turtle files (or directories of them) to validate instead of the bundled plans,
    each with the bundled ontology, vocabularies and shared entities. ``plans``: bundled plans by
    slug (default: all). ``shapes_dir``: another shapes directory. ``inference``: 'none' or 'rdfs'
    (RDFS closure of each plan graph before validation). ``strict``: warnings fail the run too.
    ``jobs``: worker processes (default: every core). ``cache``: reuse results of unchanged plans.

    Raises :class:`~ipkg.errors.DataError` (exit code 2) for a missing or malformed file.
    """
    from .store import usable_cache_dir

    if inference not in INFERENCE_MODES:
        raise ValidationError(f"unknown inference mode {inference!r} (none, rdfs)")
    if paths and plans:
        raise ValidationError("give Turtle files or --plan slugs, not both")
    if jobs is not None and jobs < 1:
        raise ValidationError("jobs must be at least 1")
    chosen, base = _units_and_base(list(paths) if paths else None, list(plans) if plans else None)
    shapes_path = Path(shapes_dir) if shapes_dir else _default_shapes_dir()
    shape_files = _shape_files(shapes_path)

    common = hashlib.sha256()
    common.update(_engine_versions().encode())
    common.update(b"\0inference=" + inference.encode() + b"\0shapes\0")
    _digest_files(shape_files, common)
    common.update(b"\0base\0")
    department_files = [item.path for item in base if _is_department_file(item.path)]
    _digest_files([item.path for item in base if not _is_department_file(item.path)], common)
    common_key = common.hexdigest()

    store_dir = results_cache_dir() if cache and usable_cache_dir() is not None else None
    department_digests = {_dependency_name(path): digest.hex()
                          for path, digest in _file_digests(department_files, store_dir).items()}
    digests = _file_digests([item.path for item in chosen], store_dir)
    units = []
    for item in chosen:
        name = item.graph.rsplit("/", 1)[-1]
        digest = hashlib.sha256(common_key.encode())
        digest.update(name.encode() + b"\0" + digests[item.path])
        units.append(Unit(name, item.path, _display_path(item.path), digest.hexdigest()))
    outcomes: dict[Unit, dict] = {}
    cached: set[Unit] = set()
    if store_dir:
        for unit in units:
            entry = _read_cache(store_dir / f"{unit.key}.json")
            if entry is not None and _dependencies_unchanged(entry, department_digests):
                outcomes[unit] = entry
                cached.add(unit)
    todo = [unit for unit in units if unit not in outcomes]
    if todo:
        if shapes_dir:  # user-given shapes: checked against SHACL-for-SHACL (the bundled ones by the tests)
            _ensure_shapes_checked(shapes_path, common_key, store_dir)
        outcomes.update(_run_units(todo, shapes_path, [str(item.path) for item in base], inference, jobs,
                                   store_dir, common_key, department_digests))
    errors = sorted(outcome["error"] for outcome in outcomes.values() if "error" in outcome)
    if errors:
        raise DataError("\n".join(errors))
    results = []
    for unit in sorted(units, key=lambda u: (u.name, u.source)):
        outcome = outcomes[unit]
        results.append(PlanResult(name=unit.name, source=unit.source, plan=outcome.get("plan"),
                                  title=outcome.get("title"), triples=outcome.get("triples", 0),
                                  results=outcome.get("results", []), cached=unit in cached))
    return Report(results, strict=strict, inference=inference)


def _default_shapes_dir() -> Path:
    return paths.shapes_dir()


def results_cache_dir() -> Path:
    """Where validation results are cached, by content hash."""
    from .store import cache_dir

    return cache_dir() / "validate"


def _file_digests(files: list[Path], store_dir: Path | None) -> dict[Path, bytes]:
    """SHA-256 of each file's bytes.

    With a cache directory, digests are remembered in ``file-digests.idx`` (JSON) by path, size,
    mtime and inode (as git's index does), so an unchanged corpus is not read again. A file
    modified less than two seconds before it was hashed is not remembered: a later change within
    the same clock tick could otherwise keep its size and mtime.
    """
    import time

    index_file = store_dir / "file-digests.idx" if store_dir else None
    index: dict = {}
    if index_file is not None:
        try:
            index = json.loads(index_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        if not isinstance(index, dict):
            index = {}
    now = time.time()
    changed = False
    digests: dict[Path, bytes] = {}
    for file in files:
        try:
            stat = file.stat()
        except FileNotFoundError as exc:
            raise DataError(f"{file}: no such file") from exc
        except OSError as exc:
            raise DataError(f"{file}: cannot read ({exc.strerror})") from exc
        key = os.path.abspath(file)
        signature = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        entry = index.get(key)
        if isinstance(entry, list) and entry[:3] == signature and len(entry) == 4:
            digests[file] = bytes.fromhex(entry[3])
            continue
        try:
            digest = hashlib.sha256(file.read_bytes()).digest()
        except OSError as exc:
            raise DataError(f"{file}: cannot read ({exc.strerror})") from exc
        digests[file] = digest
        if index_file is not None and now - stat.st_mtime_ns / 1e9 > 2:
            index[key] = signature + [digest.hex()]
            changed = True
    if changed:
        write_atomic(index_file, json.dumps(index, sort_keys=True))
    return digests


def _is_department_file(path: Path) -> bool:
    return path.parent.resolve() == paths.department_dir().resolve()


def _dependency_name(path: Path) -> str:
    return os.path.abspath(path)


def _department_dependencies(plan_triples: list, digests: dict[str, str]) -> dict[str, str]:
    """The department files of the cities whose departments the plan names, with their digests
    ("absent" for a city without one: creating it must invalidate the plan's results too)."""
    folder = paths.department_dir()
    names = (_dependency_name(folder / f"{city}.ttl") for city in sorted(_mentioned_cities(plan_triples)))
    return {name: digests.get(name, "absent") for name in names}


def _dependencies_unchanged(entry: dict, digests: dict[str, str]) -> bool:
    depends = entry.get("depends")
    return isinstance(depends, dict) and all(digests.get(name, "absent") == value for name, value in depends.items())


def _read_cache(file: Path) -> dict | None:
    try:
        entry = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("engine") != ENGINE_VERSION or "results" not in entry:
        return None
    return entry


def _ensure_shapes_checked(shapes_path: Path, common_key: str, store_dir: Path | None) -> None:
    """Run the SHACL-for-SHACL check of the shapes once per shapes content (remembered in the cache)."""
    marker = store_dir / f"shapes-ok-{common_key}" if store_dir else None
    if marker is not None and marker.exists():
        return
    check_shapes(load_shapes(shapes_path))
    if marker is not None:
        write_atomic(marker, "SHACL-for-SHACL: conforms\n")


def _run_units(units: list[Unit], shapes_path: Path, base_files: list[str], inference: str, jobs: int | None,
               store_dir: Path | None, common_key: str, department_digests: dict[str, str]) -> dict[Unit, dict]:
    jobs = jobs or os.cpu_count() or 1
    workers = max(1, min(jobs, len(units)))
    base_key = common_key + json.dumps(department_digests, sort_keys=True)
    _prepare(str(shapes_path), base_files, inference, base_key, department_digests)
    work = [(unit.name, str(unit.path), str(store_dir / f"{unit.key}.json") if store_dir else None)
            for unit in units]
    if workers == 1:
        return {unit: _validate_unit(job) for unit, job in zip(units, work)}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        # Forked workers inherit the parsed shapes and base graph: parsed once per run.
        context = multiprocessing.get_context("fork")
        initializer, initargs = None, ()
    else:  # pragma: no cover - platforms without fork parse once per worker
        context = multiprocessing.get_context("spawn")
        initializer, initargs = _prepare, (str(shapes_path), base_files, inference, base_key, department_digests)
    chunksize = max(1, min(16, len(units) // (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer,
                             initargs=initargs) as pool:
        outcomes = list(pool.map(_validate_unit, work, chunksize=chunksize))
    return dict(zip(units, outcomes))
