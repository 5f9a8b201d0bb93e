"""The ontology and vocabularies: clean, complete labels, parse with independent parsers, consistent."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ipkg import paths

IPKG = rdflib.Namespace("https://w3id.org/ipkg/ontology#")
TURTLE_FILES = [paths.ontology_file(), *paths.vocabulary_files()]


@pytest.fixture(scope="module")
def ontology():
    return rdflib.Graph().parse(paths.ontology_file(), format="turtle")


@pytest.fixture(scope="module")
def vocabularies():
    graph = rdflib.Graph()
    for path in paths.vocabulary_files():
        graph.parse(path, format="turtle")
    return graph


def test_ontology_header(ontology):
    header = rdflib.URIRef("https://w3id.org/ipkg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in (OWL.versionIRI, OWL.versionInfo, rdflib.DCTERMS.title, rdflib.DCTERMS.description,
                 rdflib.DCTERMS.license, rdflib.DCTERMS.created):
        assert ontology.value(header, prop) is not None, prop
    assert str(ontology.value(header, rdflib.URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"))) == "ipkg"
    assert not list(ontology.objects(header, OWL.imports)), "owl:imports would make loading reach the network"


def _terms(ontology):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return sorted({s for kind in kinds for s in ontology.subjects(RDF.type, kind)
                   if isinstance(s, rdflib.URIRef) and str(s).startswith(str(IPKG))})


def test_required_terms_exist(ontology):
    terms = {str(t).split("#")[1] for t in _terms(ontology)}
    required = {"Plan", "Task", "Department", "Indicator", "PolicyDocument", "City", "Phase", "SafeguardMeasure",
                "Goal", "Assignment", "city", "hasTask", "hasIndicator", "cites", "hasPhase", "hasSafeguard",
                "hasGoal", "leadDepartment", "participatingDepartment", "targetValue", "unit", "targetYear",
                "metric", "comparator", "indicatorKind", "role", "listPosition", "leadBasis", "textSpan"}
    assert required <= terms, required - terms


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_term_has_label_and_definition(ontology, lang):
    missing = []
    for term in _terms(ontology):
        for prop in (RDFS.label, SKOS.definition):
            values = [o for o in ontology.objects(term, prop) if getattr(o, "language", None) == lang]
            if len(values) != 1:
                missing.append(f"{term} {prop} @{lang}: {len(values)}")
    assert not missing, missing


def test_alignment_to_standard_vocabularies(ontology):
    org = rdflib.Namespace("http://www.w3.org/ns/org#")
    eli = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
    assert (IPKG.Department, RDFS.subClassOf, org.Organization) in ontology
    assert (IPKG.PolicyDocument, RDFS.subClassOf, eli.LegalResource) in ontology
    assert (IPKG.cites, RDFS.subPropertyOf, eli.cites) in ontology
    assert (IPKG.Phase, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/2006/time#ProperInterval")) in ontology
    assert (IPKG.TextSpan, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/oa#SpecificResource")) in ontology


def test_every_concept_in_exactly_one_scheme_with_labels(vocabularies):
    problems = []
    for concept in sorted(set(vocabularies.subjects(RDF.type, SKOS.Concept))):
        schemes = list(vocabularies.objects(concept, SKOS.inScheme))
        if len(schemes) != 1:
            problems.append(f"{concept}: {len(schemes)} schemes")
        for lang in ("zh", "en"):
            for prop in (SKOS.prefLabel, SKOS.definition):
                if not [o for o in vocabularies.objects(concept, prop) if o.language == lang]:
                    problems.append(f"{concept}: no {prop} @{lang}")
        if vocabularies.value(concept, SKOS.notation) is None:
            problems.append(f"{concept}: no skos:notation")
        top = (concept, SKOS.topConceptOf, schemes[0] if schemes else None) in vocabularies
        broader = [b for b in vocabularies.objects(concept, SKOS.broader)
                   if schemes and (b, SKOS.inScheme, schemes[0]) in vocabularies]
        if not top and not broader:
            problems.append(f"{concept}: neither a top concept nor narrower than one in its scheme")
    assert not problems, problems


def test_concept_notations_unique_per_scheme(vocabularies):
    per_scheme = Counter((vocabularies.value(c, SKOS.inScheme), str(vocabularies.value(c, SKOS.notation)))
                         for c in set(vocabularies.subjects(RDF.type, SKOS.Concept)))
    assert [key for key, n in per_scheme.items() if n > 1] == []


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: p.name)
def test_parses_with_oxigraph_too(path):
    import pyoxigraph

    with path.open("rb") as handle:
        oxigraph_count = len(list(pyoxigraph.parse(handle, pyoxigraph.RdfFormat.TURTLE)))
    assert oxigraph_count == len(rdflib.Graph().parse(path, format="turtle"))


@pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper not installed (Debian raptor2-utils)")
@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: p.name)
def test_parses_with_raptor(path):
    result = subprocess.run(["rapper", "-i", "turtle", "-c", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    count = int(result.stderr.split("returned ")[1].split(" triples")[0])
    assert count == len(rdflib.Graph().parse(path, format="turtle"))


def _owl_rl_errors(graph):
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return [str(o) for o in graph.objects(None, owlrl.Namespaces.ERRNS.error)]


@pytest.fixture(scope="module")
def whole_graph():
    graph = rdflib.Graph()
    for path in TURTLE_FILES + paths.shared_files() + paths.department_files() + paths.plan_files():
        graph.parse(path, format="turtle")
    return graph


def test_owl_rl_closure_detects_a_clash(whole_graph):
    """The consistency check can fail: a task wrongly typed as a department is reported."""
    graph = rdflib.Graph()
    graph += whole_graph
    task = next(graph.subjects(RDF.type, IPKG.Task))
    graph.add((task, RDF.type, IPKG.Department))
    assert _owl_rl_errors(graph)


def test_owl_rl_closure_is_consistent(whole_graph):
    """An OWL RL closure of ontology + vocabularies + all data raises no inconsistency."""
    graph = rdflib.Graph()
    graph += whole_graph
    errors = _owl_rl_errors(graph)
    assert not errors, errors[:5]
    assert not list(graph.subjects(RDF.type, OWL.Nothing))
    # the closure did its work: every task is a plan component by subclass reasoning
    task = next(graph.subjects(RDF.type, IPKG.Task))
    assert (task, RDF.type, IPKG.PlanComponent) in graph
