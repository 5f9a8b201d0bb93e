"""Namespaces and the one function that mints ipkg instance IRIs.

Pure Python (no rdflib import), so the CLI can use it without paying for heavy imports.

>>> mint("task", "yancheng-2022", "4-2-3")
'https://w3id.org/ipkg/id/task/yancheng-2022/4-2-3'
>>> concept("role", "lead")
'https://w3id.org/ipkg/vocab/role/lead'
"""

from __future__ import annotations

import re

ONTOLOGY = "https://w3id.org/ipkg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/ipkg/ontology"
ID = "https://w3id.org/ipkg/id/"
VOCAB = "https://w3id.org/ipkg/vocab/"
GRAPH = ID + "graph/"

PREFIXES: dict[str, str] = {
    "ipkg": ONTOLOGY,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "plan": ID + "plan/",
    "task": ID + "task/",
    "dept": ID + "org/",
    "place": ID + "place/",
    "doc": ID + "doc/",
    "stage": VOCAB + "stage/",
    "right": VOCAB + "right-type/",
    "fn": VOCAB + "function-type/",
    "role": VOCAB + "role/",
    "metric": VOCAB + "metric/",
    "unit": VOCAB + "unit/",
}

_SAFE_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


def mint(kind: str, *parts: str) -> str:
    """Return the IRI of an ipkg instance: ``id/<kind>/<part>/<part>...``.

    Every segment must be readable ASCII (lower-case letters, digits, '-', '.'), so IRIs are
    stable and never need escaping.
    """
    for segment in (kind, *parts):
        if not _SAFE_SEGMENT.match(segment):
            raise ValueError(f"not a safe IRI segment: {segment!r}")
    return ID + "/".join((kind, *parts))


def concept(scheme: str, key: str) -> str:
    """Return the IRI of concept ``key`` in the ipkg SKOS scheme ``scheme``."""
    for segment in (scheme, key):
        if not _SAFE_SEGMENT.match(segment):
            raise ValueError(f"not a safe IRI segment: {segment!r}")
    return f"{VOCAB}{scheme}/{key}"


def graph_iri(name: str) -> str:
    """Return the IRI of the named graph that holds plan ``name`` (or 'ontology', 'shared')."""
    return mint("graph", name)


def department_graph_iri(city: str) -> str:
    """Return the IRI of the named graph that holds the departments of ``city`` (its place key)."""
    return mint("graph", "departments", city)


def shorten(iri: str) -> str:
    """Shorten an IRI for display with the ipkg prefixes (longest namespace wins).

    Unknown IRIs stay whole. Meant for tables, not Turtle (local parts may contain '/').

    >>> shorten("https://w3id.org/ipkg/id/task/taixing-2024/2-1-3")
    'task:taixing-2024/2-1-3'
    """
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            local = iri[len(namespace):]
            if local and re.fullmatch(r"[A-Za-z0-9_\-./]+", local) and not local.endswith("."):
                best = prefix
    if not best:
        return iri
    return f"{best}:{iri[len(PREFIXES[best]):]}"
