"""Build the plans' Turtle from the curation records, computing provenance spans.

A curator copies exact phrases from a source text into ``data/curation/<slug>.yaml``; this module
finds every phrase in the source (in order, inside the part it belongs to), computes its character
span, and writes deterministic Turtle to ``data/ttl/``. Anything that cannot be located, any key
that is not in a vocabulary, any 《…》 in the text that the record does not account for, is an error
naming the record and the field.

Public API: :func:`check` (list problems, write nothing) and :func:`build` (write the Turtle).
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import paths
from .errors import CurationError, DataError
from .export import write_all_atomic
from .terms import PREFIXES, concept, mint

RDF_TYPE = "a"
XSD = PREFIXES["xsd"]

ROLE_KEYS = ("lead", "lead-responsible", "responsible", "cooperating", "joint-member")
ROLE_ZH = {"lead": "牵头单位", "lead-responsible": "负责单位", "responsible": "责任单位", "cooperating": "配合单位",
           "joint-member": "按职责分工负责"}
EXPLICIT_LEAD_ROLES = ("lead", "lead-responsible")
DEPARTMENT_CLASSES = {
    "department": "ipkg:Department",
    "collective": "ipkg:CollectiveActor",
    "higher-level": "ipkg:HigherLevelBody",
}
LEVEL_TO_ADMIN = {"national": "national", "provincial": "provincial", "municipal": "prefecture",
                  "prefecture": "prefecture", "county": "county"}
DATE_KINDS = {"issued": "dcterms:issued", "signed": "ipkg:signedDate", "published": "ipkg:publishedDate",
              "adopted": "dcterms:dateAccepted"}


# ------------------------------------------------------------------------------------ text

_SPACE_RUN = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Repair extraction artefacts: drop whitespace except a single space between ASCII words.

    >>> normalise("市知\\n\\n知识产权局")
    '市知知识产权局'
    >>> normalise("万人发明专利拥有量达 8 件，PCT 专利")
    '万人发明专利拥有量达8件，PCT专利'
    >>> normalise("TC/SC  or WG")
    'TC/SC or WG'
    """

    def keep_space(match: re.Match) -> str:
        before = match.string[match.start() - 1] if match.start() else ""
        after = match.string[match.end()] if match.end() < len(match.string) else ""
        if before.isascii() and after.isascii() and before.isalpha() and after.isalpha():
            return " "
        return ""

    return _SPACE_RUN.sub(keep_space, text.strip())


def tidy(text: str, lang: str) -> str:
    """Chinese text gets :func:`normalise`; other text only has whitespace runs collapsed.

    >>> tidy("Regulation (Taixing\\n IP Office)", "en")
    'Regulation (Taixing IP Office)'
    """
    return normalise(text) if lang == "zh" else _SPACE_RUN.sub(" ", text).strip()


@dataclass(frozen=True)
class Span:
    start: int
    end: int


class Source:
    """A source text with anchor search that reports errors in curator's terms."""

    def __init__(self, slug: str, path: Path):
        self.slug = slug
        self.path = path
        with _reading(path):
            data = path.read_bytes()
            self.text = data.decode("utf-8")
        self.sha256 = hashlib.sha256(data).hexdigest()

    def find(self, anchor: str, lo: int, hi: int | None, where: str) -> Span:
        if not isinstance(anchor, str) or not anchor:
            raise CurationError(f"{where}: anchor is empty or not a string")
        hi = len(self.text) if hi is None else hi
        index = self.text.find(anchor, lo, hi)
        if index < 0:
            elsewhere = self.text.find(anchor)
            hint = f" (it occurs at offset {elsewhere}, outside {lo}..{hi})" if elsewhere >= 0 else ""
            raise CurationError(f"{where}: anchor {anchor!r} not found in {self.slug}.txt{hint}")
        return Span(index, index + len(anchor))

    def region(self, start: str, end: str, lo: int, hi: int | None, where: str) -> Span:
        first = self.find(start, lo, hi, f"{where}.start")
        last = self.find(end, first.start, hi, f"{where}.end")
        return Span(first.start, last.end)

    def slice(self, span: Span) -> str:
        return self.text[span.start:span.end]


# ------------------------------------------------------------------------------------ triples


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^{datatype}'
    return f'"{escaped}"'


def typed(value, datatype: str) -> str:
    return lit(str(value), datatype=f"xsd:{datatype}")


def year(value, where: str) -> int:
    if not re.fullmatch(r"\d{4}", str(value)):
        raise CurationError(f"{where}: {value!r} is not a year")
    return int(value)


def iso_date(value, where: str) -> str:
    """``value`` as xsd:date writes a date: YYYY-MM-DD, and a day the calendar has."""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:  # 2024-13-45 has the shape of a date but is none
            pass
    raise CurationError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")


def boolean(value: bool) -> str:
    return "true" if value else "false"


@dataclass
class TurtleDoc:
    """Triples grouped by subject, emitted in insertion order: deterministic and readable."""

    header: str
    subjects: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, subject: str, predicate: str, obj: str) -> None:
        pairs = self.subjects.setdefault(subject, [])
        if (predicate, obj) not in pairs:
            pairs.append((predicate, obj))

    def render(self) -> str:
        lines = [self.header.rstrip(), ""]
        for prefix in sorted(PREFIXES):
            lines.append(f"@prefix {prefix}: <{PREFIXES[prefix]}> .")
        lines.append("")
        for subject, pairs in self.subjects.items():
            ordered = sorted(pairs, key=lambda pair: pair[0] != RDF_TYPE)  # stable: type first
            lines.append(subject)
            grouped: dict[str, list[str]] = {}
            for predicate, obj in ordered:
                grouped.setdefault(predicate, []).append(obj)
            items = list(grouped.items())
            for i, (predicate, objects) in enumerate(items):
                end = " ." if i == len(items) - 1 else " ;"
                lines.append(f"    {predicate} {' , '.join(objects)}{end}")
            lines.append("")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------ vocabularies


def _load_notations(paths_: list[Path]) -> dict[str, dict[str, str]]:
    """Map scheme name → {key or notation → concept IRI} by reading the vocabularies' Turtle."""
    import rdflib
    from rdflib.namespace import SKOS

    graph = rdflib.Graph()
    for path in paths_:
        graph.parse(path, format="turtle")
    schemes: dict[str, dict[str, str]] = {}
    for concept_iri in graph.subjects(rdflib.RDF.type, SKOS.Concept):
        text = str(concept_iri)
        if not text.startswith(PREFIXES["stage"].rsplit("stage/", 1)[0]):
            continue
        scheme, key = text[len(PREFIXES["stage"]) - len("stage/"):].split("/", 1)
        table = schemes.setdefault(scheme, {})
        table[key] = text
        for notation in graph.objects(concept_iri, SKOS.notation):
            table[str(notation)] = text
    return schemes


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ------------------------------------------------------------------------------------ the builder


@dataclass
class Component:
    kind: str
    iri: str
    span: Span


class PlanBuilder:
    """Turns one curation record into a TurtleDoc, checking every anchor on the way."""

    def __init__(self, record: dict, source: Source, vocab: dict[str, dict[str, str]],
                 documents: dict[str, dict], places: dict[str, dict], proposed_metrics: set[str]):
        self.r = record
        self.src = source
        self.vocab = vocab
        self.documents = documents
        self.places = places
        self.proposed_metrics = proposed_metrics
        self.slug = record["slug"]
        self.city = record["city"]
        self.plan = iri(mint("plan", self.slug))
        self.doc = TurtleDoc(header=f"# {self.slug}: generated by `ipkg curate build` from "
                                    f"data/curation/{self.slug}.yaml — do not edit by hand.")
        self.components: list[Component] = []
        self.errors: list[str] = []
        self.department_doc = TurtleDoc(header=f"# Departments of {self.city}: generated by `ipkg curate build` "
                                               f"from the departments of every {self.city} plan's record in "
                                               f"data/curation/ — do not edit by hand.")
        self.departments: dict[str, str] = {}
        self.department_names: dict[str, str] = {}
        self.printed_forms: dict[str, set[str]] = {}
        self.period_years: dict[str, int] = {}  # checked by plan_header, compared with indicators' years

    # -- helpers
    def where(self, *parts) -> str:
        return f"{self.slug}.yaml: " + ".".join(str(p) for p in parts)

    def term(self, scheme: str, key: str, where: str) -> str:
        table = self.vocab.get(scheme)
        if table is None:
            raise CurationError(f"{where}: vocabulary scheme {scheme!r} is missing")
        if key not in table:
            raise CurationError(f"{where}: {key!r} is not in the {scheme} vocabulary")
        return iri(table[key])

    def span_node(self, span: Span) -> str:
        node = mint("span", self.slug, f"{span.start}-{span.end}")
        subject = iri(node)
        d = self.doc
        d.add(subject, RDF_TYPE, "ipkg:TextSpan")
        d.add(subject, "rdfs:label", lit(f"{self.slug}.txt [{span.start}, {span.end})"))
        d.add(subject, "oa:hasSource", iri(mint("source", self.slug)))
        d.add(subject, "oa:hasSelector", iri(node + "/position"))
        d.add(subject, "oa:hasSelector", iri(node + "/quote"))
        d.add(iri(node + "/position"), RDF_TYPE, "oa:TextPositionSelector")
        d.add(iri(node + "/position"), "rdfs:label", lit(f"characters {span.start}–{span.end}"))
        d.add(iri(node + "/position"), "oa:start", typed(span.start, "nonNegativeInteger"))
        d.add(iri(node + "/position"), "oa:end", typed(span.end, "nonNegativeInteger"))
        d.add(iri(node + "/quote"), RDF_TYPE, "oa:TextQuoteSelector")
        d.add(iri(node + "/quote"), "rdfs:label", lit(f"quote of characters {span.start}–{span.end}"))
        d.add(iri(node + "/quote"), "oa:exact", lit(self.src.slice(span), "zh"))
        return subject

    def labels(self, subject: str, entry: dict, where: str, predicate: str = "rdfs:label",
               doc: TurtleDoc | None = None) -> None:
        for lang in ("zh", "en"):
            value = entry.get(lang)
            if not value:
                raise CurationError(f"{where}.{lang}: label missing")
            (doc or self.doc).add(subject, predicate, lit(tidy(str(value), lang), lang))

    def note(self, subject: str, entry: dict, doc: TurtleDoc | None = None) -> None:
        if entry.get("note"):
            (doc or self.doc).add(subject, "ipkg:curationNote", lit(str(entry["note"]).strip(), "en"))

    def run(self, step, *args) -> None:
        section = step.__name__.strip("_").replace("_", " ")
        try:
            step(*args)
        except CurationError as exc:
            self.errors.append(str(exc))
        except KeyError as exc:  # a field the record must have, missing
            self.errors.append(f"{self.where(section)}: a required field {exc.args[0]!r} is missing")
        except (TypeError, AttributeError) as exc:  # a list where a mapping belongs, or the reverse
            self.errors.append(f"{self.where(section)}: not shaped as a curation record expects ({exc})")

    # -- the plan
    def build(self) -> TurtleDoc:
        for step in (self.source_text, self.plan_header, self.sections, self.departments_, self.issuer_listed,
                     self.goals, self.tasks, self.phases, self.safeguards, self.citations):
            self.run(step)
        return self.doc

    def issuer_listed(self) -> None:
        """The issuer is one of the record's departments (its IRI would otherwise name nothing)."""
        issuer = self.r.get("issuer")
        if issuer and issuer.get("dept") not in self.departments:
            raise CurationError(f"{self.where('issuer.dept')}: unknown department {issuer.get('dept')!r} "
                                "(not among the record's departments)")

    def source_text(self) -> None:
        node = iri(mint("source", self.slug))
        d = self.doc
        d.add(node, RDF_TYPE, "ipkg:SourceText")
        d.add(node, "rdfs:label", lit(f"{self.slug}.txt"))
        d.add(node, "dcterms:identifier", lit(f"data/sources/{self.slug}.txt"))
        d.add(node, "dcterms:format", lit("text/plain; charset=utf-8"))
        d.add(node, "ipkg:sha256", lit(self.src.sha256))

    def plan_header(self) -> None:
        r, d, p = self.r, self.doc, self.plan
        d.add(p, RDF_TYPE, "ipkg:Plan")
        d.add(p, "ipkg:slug", lit(self.slug))
        title = r.get("title") or {}
        self.labels(p, title, self.where("title"))
        d.add(p, "dcterms:title", lit(normalise(title["zh"]), "zh"))
        d.add(p, "ipkg:textSpan", self.span_node(self.src.find(title.get("quote"), 0, None, self.where("title.quote"))))
        if self.city not in self.places:
            raise CurationError(f"{self.where('city')}: unknown place {self.city!r}")
        d.add(p, "ipkg:city", iri(mint("place", self.city)))
        d.add(p, "ipkg:sourceText", iri(mint("source", self.slug)))
        d.add(p, "ipkg:planKind", self.term("plan-kind", r["plan_kind"], self.where("plan_kind")))
        d.add(p, "ipkg:assignmentPractice",
              self.term("assignment-practice", r["assignment_practice"], self.where("assignment_practice")))
        if r.get("context"):
            d.add(p, "dcterms:description", lit(str(r["context"]).strip(), "en"))
        not_stated = []
        issuer = r.get("issuer")
        if issuer:
            self.src.find(issuer["quote"], 0, None, self.where("issuer.quote"))
            d.add(p, "ipkg:issuer", iri(mint("org", self.city, issuer["dept"])))
        else:
            not_stated.append("ipkg:issuer")
        number = r.get("document_number")
        if number:
            self.src.find(number["quote"], 0, None, self.where("document_number.quote"))
            d.add(p, "ipkg:documentNumber", lit(number["value"]))
        else:
            not_stated.append("ipkg:documentNumber")
        dates = r.get("dates") or []
        for i, entry in enumerate(dates):
            self.src.find(entry["quote"], 0, None, self.where("dates", i, "quote"))
            if entry["kind"] not in DATE_KINDS:
                raise CurationError(f"{self.where('dates', i, 'kind')}: unknown date kind {entry['kind']!r}")
            issued_on = iso_date(entry["date"], self.where("dates", i, "date"))
            d.add(p, DATE_KINDS[entry["kind"]], typed(issued_on, "date"))
        if not any(entry["kind"] == "issued" for entry in dates):
            not_stated.append("dcterms:issued")
        period = r.get("period") or {}
        if period.get("quote"):
            self.src.find(period["quote"], 0, None, self.where("period.quote"))
        for key, prop in (("start", "ipkg:periodStart"), ("end", "ipkg:periodEnd")):
            if period.get(key) is None:
                not_stated.append(prop)
                continue
            self.period_years[key] = year(period[key], self.where("period", key))
            d.add(p, prop, typed(self.period_years[key], "gYear"))
        for prop in not_stated:
            d.add(p, "ipkg:notStatedInText", prop)

    # -- sections
    def sections(self) -> None:
        cursor = 0
        entries = self.r.get("sections") or []
        spans = []
        for i, entry in enumerate(entries):
            where = self.where("sections", i)
            span = self.src.find(entry["quote"], cursor, None, f"{where}.quote")
            cursor = span.end
            spans.append(span)
        self.section_extent: dict[str, Span] = {}
        for i, entry in enumerate(entries):
            depth = str(entry["path"]).count("-")
            end = len(self.src.text)
            for later, later_span in zip(entries[i + 1:], spans[i + 1:]):
                if str(later["path"]).count("-") <= depth:
                    end = later_span.start
                    break
            path = str(entry["path"])
            node = iri(mint("section", self.slug, path))
            self.section_extent[path] = Span(spans[i].start, end)
            d = self.doc
            d.add(node, RDF_TYPE, "ipkg:Section")
            self.labels(node, entry, self.where("sections", i))
            d.add(node, "ipkg:numberingPath", lit(path))
            d.add(node, "ipkg:order", typed(i + 1, "integer"))
            d.add(node, "ipkg:inPlan", self.plan)
            d.add(node, "ipkg:textSpan", self.span_node(spans[i]))
            if "-" in path:
                parent = path.rsplit("-", 1)[0]
                if parent not in self.section_extent:
                    raise CurationError(f"{self.where('sections', i)}: parent section {parent!r} not listed before it")
                d.add(node, "ipkg:parentSection", iri(mint("section", self.slug, parent)))
            d.add(self.plan, "ipkg:hasSection", node)
            self.components.append(Component("section", node, Span(spans[i].start, end)))

    def innermost_section(self, span: Span) -> str | None:
        best, best_len = None, None
        for path, extent in getattr(self, "section_extent", {}).items():
            if extent.start <= span.start and span.end <= extent.end:
                size = extent.end - extent.start
                if best_len is None or size < best_len:
                    best, best_len = path, size
        return best

    # -- departments
    def departments_(self) -> None:
        """Describe the plan's departments in the city's department file, not the plan's: a city's
        plans name the same bodies, and one description per body keeps every triple in one graph."""
        d = self.department_doc
        for i, entry in enumerate(self.r.get("departments") or []):
            where = self.where("departments", i)
            key = entry.get("key")
            if not key:
                raise CurationError(f"{where}.key: department key missing")
            if key in self.departments:
                raise CurationError(f"{where}: department key {key!r} listed twice")
            node = iri(mint("org", self.city, key))
            self.departments[key] = node
            self.department_names[key] = tidy(entry["en"], "en")
            kind = entry.get("kind", "department")
            if kind not in DEPARTMENT_CLASSES:
                raise CurationError(f"{where}.kind: {kind!r} is not one of {sorted(DEPARTMENT_CLASSES)}")
            d.add(node, RDF_TYPE, DEPARTMENT_CLASSES[kind])
            self.labels(node, entry, where, doc=d)
            d.add(node, "skos:prefLabel", lit(normalise(entry["zh"]), "zh"))
            d.add(node, "skos:prefLabel", lit(tidy(entry["en"], "en"), "en"))
            d.add(node, "ipkg:functionType", self.term("function-type", entry["function"], f"{where}.function"))
            for also in entry.get("also_functions") or []:
                d.add(node, "ipkg:alsoFunctionType", self.term("function-type", also, f"{where}.also_functions"))
            level = entry.get("level", "municipal")
            if level not in LEVEL_TO_ADMIN:
                raise CurationError(f"{where}.level: unknown level {level!r}")
            d.add(node, "ipkg:adminLevel", self.term("admin-level", LEVEL_TO_ADMIN[level], f"{where}.level"))
            if kind != "higher-level":
                d.add(node, "ipkg:city", iri(mint("place", self.city)))
            forms = set()
            for form in entry.get("printed") or []:
                flat = normalise(form)
                if normalise(self.src.text).find(flat) < 0:
                    raise CurationError(f"{where}.printed: {form!r} does not occur in the text")
                forms.add(flat)
                if flat != normalise(entry["zh"]):
                    d.add(node, "skos:altLabel", lit(flat, "zh"))
            self.printed_forms[key] = forms
            self.note(node, entry, doc=d)

    def dept(self, key: str, where: str) -> str:
        if key not in self.departments:
            raise CurationError(f"{where}: department {key!r} is not in `departments`")
        return self.departments[key]

    # -- goals and indicators
    def goals(self) -> None:
        d, cursor, order = self.doc, 0, 0
        keys = set()
        for i, goal in enumerate(self.r.get("goals") or []):
            where = self.where("goals", i)
            span = self.src.region(goal["start"], goal["end"], cursor, None, where)
            cursor = span.start + 1
            node = iri(mint("goal", self.slug, str(goal["key"])))
            d.add(node, RDF_TYPE, "ipkg:Goal")
            self.labels(node, goal, where)
            d.add(node, "ipkg:text", lit(normalise(self.src.slice(span)), "zh"))
            d.add(node, "ipkg:order", typed(i + 1, "integer"))
            d.add(node, "ipkg:inPlan", self.plan)
            section = self.innermost_section(span)
            if section:
                d.add(node, "ipkg:inSection", iri(mint("section", self.slug, section)))
            d.add(node, "ipkg:textSpan", self.span_node(span))
            self.note(node, goal)
            d.add(self.plan, "ipkg:hasGoal", node)
            self.components.append(Component("goal", node, span))
            inner = span.start
            for j, ind in enumerate(goal.get("indicators") or []):
                order += 1
                self.run(self.indicator, ind, node, span, inner, order, f"{where}.indicators.{j}", keys)
                try:
                    inner = self.src.find(ind["phrase"], inner, span.end, "").start
                except (CurationError, KeyError, TypeError):
                    pass

    def indicator(self, ind: dict, goal: str, goal_span: Span, lo: int, order: int, where: str,
                  keys: set) -> None:
        d = self.doc
        key = str(ind["key"])
        if key in keys:
            raise CurationError(f"{where}.key: indicator key {key!r} used twice")
        keys.add(key)
        node = iri(mint("indicator", self.slug, key))
        span = self.src.find(ind["phrase"], lo, goal_span.end, f"{where}.phrase")
        d.add(node, RDF_TYPE, "ipkg:Indicator")
        metric = ind["metric"]
        if metric in self.vocab.get("metric", {}):
            d.add(node, "ipkg:metric", iri(self.vocab["metric"][metric]))
        elif metric in self.proposed_metrics:
            d.add(node, "ipkg:metric", iri(concept("metric", metric)))
        else:
            raise CurationError(f"{where}.metric: {metric!r} is neither in the metric vocabulary nor proposed")
        try:
            value = Decimal(str(ind["value"]))
        except (InvalidOperation, KeyError) as exc:
            raise CurationError(f"{where}.value: not a number: {ind.get('value')!r}") from exc
        d.add(node, "ipkg:targetValue", typed(value, "decimal"))
        if ind.get("value_max") is not None:
            d.add(node, "ipkg:targetValueMax", typed(Decimal(str(ind["value_max"])), "decimal"))
        d.add(node, "ipkg:unit", self.term("unit", str(ind["unit"]), f"{where}.unit"))
        d.add(node, "ipkg:comparator", self.term("comparator", ind["comparator"], f"{where}.comparator"))
        d.add(node, "ipkg:indicatorKind", self.term("indicator-kind", ind["kind"], f"{where}.kind"))
        target = year(ind.get("year"), f"{where}.year")
        d.add(node, "ipkg:targetYear", typed(target, "gYear"))
        d.add(node, "ipkg:targetYearStated", boolean(bool(ind.get("year_stated"))))
        start, end = self.period_years.get("start"), self.period_years.get("end")
        if (start is not None and target < start) or (end is not None and target > end):
            d.add(node, "ipkg:targetYearOutsidePeriod", "true")
        d.add(node, "ipkg:phrase", lit(normalise(ind["phrase"]), "zh"))
        d.add(node, "rdfs:label", lit(normalise(ind["phrase"]), "zh"))
        d.add(node, "ipkg:order", typed(order, "integer"))
        d.add(node, "ipkg:goal", goal)
        d.add(node, "ipkg:inPlan", self.plan)
        d.add(node, "ipkg:textSpan", self.span_node(span))
        self.note(node, ind)
        d.add(self.plan, "ipkg:hasIndicator", node)

    # -- tasks and assignments
    def tasks(self) -> None:
        d, cursor = self.doc, 0
        practice = self.r.get("assignment_practice")
        for i, task in enumerate(self.r.get("tasks") or []):
            where = self.where("tasks", i)
            path = str(task["path"])
            section = str(task["section"])
            extent = getattr(self, "section_extent", {}).get(section)
            if extent is None:
                raise CurationError(f"{where}.section: section {section!r} is not in `sections`")
            span = self.src.region(task["start"], task["end"], max(cursor, extent.start), extent.end, where)
            cursor = span.end
            node = iri(mint("task", self.slug, path))
            d.add(node, RDF_TYPE, "ipkg:Task")
            self.labels(node, task, where)
            d.add(node, "ipkg:numberingPath", lit(path))
            d.add(node, "ipkg:printedNumber", lit(str(task["number"])))
            d.add(node, "ipkg:order", typed(i + 1, "integer"))
            d.add(node, "ipkg:text", lit(normalise(self.src.slice(span)), "zh"))
            d.add(node, "ipkg:inSection", iri(mint("section", self.slug, section)))
            d.add(node, "ipkg:inPlan", self.plan)
            d.add(node, "ipkg:textSpan", self.span_node(span))
            stages = task.get("stages") or []
            if not stages:
                raise CurationError(f"{where}.stages: at least one stage is required")
            for key in stages:
                d.add(node, "ipkg:stage", self.term("stage", key, f"{where}.stages"))
            for key in task.get("right_types") or []:
                d.add(node, "ipkg:rightType", self.term("right-type", key, f"{where}.right_types"))
            self.note(node, task)
            d.add(self.plan, "ipkg:hasTask", node)
            self.components.append(Component("task", node, span))
            assignment = task.get("assignment")
            d.add(node, "ipkg:assignmentStated", boolean(bool(assignment)))
            if assignment:
                if practice == "none":
                    raise CurationError(f"{where}.assignment: the plan's assignment_practice is 'none'")
                self.assignments(assignment, node, path, span, f"{where}.assignment", link="ipkg:task")

    def assignments(self, assignment: dict, owner: str, path: str, owner_span: Span, where: str,
                    link: str) -> None:
        """Qualified assignments of a task (``link`` ipkg:task, with the lead/participant shortcuts)
        or of a safeguard measure (``link`` ipkg:measure)."""
        d = self.doc
        is_task = link == "ipkg:task"
        quote = self.src.find(assignment["quote"], owner_span.start, owner_span.end, f"{where}.quote")
        units = assignment.get("units") or []
        if not units:
            raise CurationError(f"{where}.units: an assignment needs at least one unit")
        explicit = [u for u in units if u.get("role") in EXPLICIT_LEAD_ROLES]
        if is_task:
            d.add(owner, "ipkg:jointLead", boolean(len(explicit) > 1))
        cursor = quote.start
        first_joint_seen = False
        for position, unit in enumerate(units, start=1):
            uwhere = f"{where}.units.{position - 1}"
            role = unit.get("role")
            if role not in ROLE_KEYS:
                raise CurationError(f"{uwhere}.role: {role!r} is not one of {ROLE_KEYS}")
            department = self.dept(unit["dept"], f"{uwhere}.dept")
            printed = unit["printed"]
            span = self.src.find(printed, cursor, quote.end, f"{uwhere}.printed")
            cursor = span.end
            if normalise(printed) not in self.printed_forms.get(unit["dept"], set()):
                raise CurationError(f"{uwhere}.printed: {printed!r} is not among the printed forms of "
                                    f"department {unit['dept']!r}")
            node = iri(mint("assignment", self.slug, path, str(position)))
            d.add(node, RDF_TYPE, "ipkg:Assignment")
            d.add(node, "rdfs:label", lit(f"{path} {normalise(printed)}（{ROLE_ZH[role]}）", "zh"))
            d.add(node, "rdfs:label", lit(f"{path} {role}: {self.department_names[unit['dept']]}", "en"))
            d.add(node, link, owner)
            d.add(node, "ipkg:department", department)
            d.add(node, "ipkg:role", self.term("role", role, f"{uwhere}.role"))
            d.add(node, "ipkg:listPosition", typed(position, "positiveInteger"))
            d.add(node, "ipkg:printedName", lit(normalise(printed), "zh"))
            if role in EXPLICIT_LEAD_ROLES:
                lead, basis = True, "explicit"
            elif role == "joint-member" and not explicit and not first_joint_seen:
                lead, basis = True, "inferred-first-listed"
            else:
                lead, basis = False, None
            if role == "joint-member":
                first_joint_seen = True
            d.add(node, "ipkg:isLead", boolean(lead))
            if basis:
                d.add(node, "ipkg:leadBasis", self.term("lead-basis", basis, f"{uwhere}.role"))
            if is_task:
                d.add(owner, "ipkg:leadDepartment" if lead else "ipkg:participatingDepartment", department)
            else:
                d.add(owner, "ipkg:namesBody", department)
            d.add(node, "ipkg:inPlan", self.plan)
            d.add(node, "ipkg:textSpan", self.span_node(span))
            d.add(owner, "ipkg:qualifiedAssignment", node)

    # -- phases and safeguards
    def phases(self) -> None:
        d, cursor = self.doc, 0
        for i, phase in enumerate(self.r.get("phases") or []):
            where = self.where("phases", i)
            span = self.src.region(phase["quote"], phase.get("end_anchor") or phase["quote"], cursor, None, where)
            cursor = span.end
            node = iri(mint("phase", self.slug, str(phase["key"])))
            d.add(node, RDF_TYPE, "ipkg:Phase")
            self.labels(node, phase, where)
            d.add(node, "ipkg:order", typed(i + 1, "integer"))
            d.add(node, "ipkg:text", lit(normalise(self.src.slice(span)), "zh"))
            for key, prop, time_prop in (("start", "ipkg:startMonth", "time:hasBeginning"),
                                         ("end", "ipkg:endMonth", "time:hasEnd")):
                month = str(phase[key])
                if not re.fullmatch(r"\d{4}-\d{2}", month):
                    raise CurationError(f"{where}.{key}: {month!r} is not YYYY-MM")
                d.add(node, prop, typed(month, "gYearMonth"))
                instant = iri(mint("phase", self.slug, str(phase["key"]), key))
                d.add(node, time_prop, instant)
                d.add(instant, RDF_TYPE, "time:Instant")
                d.add(instant, "rdfs:label", lit(month))
                d.add(instant, "time:inXSDgYearMonth", typed(month, "gYearMonth"))
            if str(phase["start"]) > str(phase["end"]):
                raise CurationError(f"{where}: starts after it ends")
            section = self.innermost_section(span)
            if section:
                d.add(node, "ipkg:inSection", iri(mint("section", self.slug, section)))
            d.add(node, "ipkg:inPlan", self.plan)
            d.add(node, "ipkg:textSpan", self.span_node(span))
            d.add(self.plan, "ipkg:hasPhase", node)
            self.components.append(Component("phase", node, span))

    def safeguards(self) -> None:
        d, cursor = self.doc, 0
        for i, measure in enumerate(self.r.get("safeguards") or []):
            where = self.where("safeguards", i)
            span = self.src.region(measure["start"], measure["end"], cursor, None, where)
            cursor = span.end
            node = iri(mint("safeguard", self.slug, str(measure["key"])))
            d.add(node, RDF_TYPE, "ipkg:SafeguardMeasure")
            self.labels(node, measure, where)
            d.add(node, "ipkg:order", typed(i + 1, "integer"))
            d.add(node, "ipkg:text", lit(normalise(self.src.slice(span)), "zh"))
            for key in measure.get("bodies") or []:
                d.add(node, "ipkg:namesBody", self.dept(key, f"{where}.bodies"))
            if measure.get("assignment"):
                self.assignments(measure["assignment"], node, f"safeguard-{measure['key']}", span,
                                 f"{where}.assignment", link="ipkg:measure")
            section = self.innermost_section(span)
            if section:
                d.add(node, "ipkg:inSection", iri(mint("section", self.slug, section)))
            d.add(node, "ipkg:inPlan", self.plan)
            d.add(node, "ipkg:textSpan", self.span_node(span))
            d.add(self.plan, "ipkg:hasSafeguard", node)
            self.components.append(Component("safeguard", node, span))

    # -- citations
    def citations(self) -> None:
        d = self.doc
        entries = self.r.get("citations") or []
        bracketed = [e for e in entries if not e.get("unbracketed")]
        found = list(re.finditer(r"《[^》]*》", self.src.text))
        if len(bracketed) != len(found):
            printed = [m.group(0) for m in found]
            raise CurationError(f"{self.where('citations')}: the text has {len(found)} 《…》 occurrences "
                                f"but the record lists {len(bracketed)}; in the text: {printed}")
        matches = iter(found)
        for i, entry in enumerate(entries):
            where = self.where("citations", i)
            if entry.get("unbracketed"):
                span = self.src.find(entry["quote"], 0, None, f"{where}.quote")
                printed = entry["quote"]
            else:
                match = next(matches)
                if match.group(0) != entry.get("printed"):
                    raise CurationError(f"{where}.printed: expected {match.group(0)!r} (the next 《…》 in the "
                                        f"text), got {entry.get('printed')!r}")
                span = Span(match.start(), match.end())
                printed = match.group(0)
            role = entry.get("role")
            if entry.get("doc") == "self":
                if role != "self":
                    raise CurationError(f"{where}.role: a self-citation must have role 'self'")
                continue
            if entry.get("doc") not in self.documents:
                raise CurationError(f"{where}.doc: {entry.get('doc')!r} is not in documents.yaml or proposed_documents")
            document = iri(mint("doc", entry["doc"]))
            node = iri(mint("citation", self.slug, str(i + 1)))
            d.add(node, RDF_TYPE, "ipkg:Citation")
            d.add(node, "rdfs:label", lit(normalise(printed), "zh"))
            d.add(node, "ipkg:citedDocument", document)
            d.add(node, "ipkg:citationRole", self.term("citation-role", role, f"{where}.role"))
            d.add(node, "ipkg:printedTitle", lit(normalise(printed), "zh"))
            d.add(node, "ipkg:bracketed", boolean(not entry.get("unbracketed")))
            d.add(node, "ipkg:order", typed(i + 1, "integer"))
            container = self.container_of(span)
            if container:
                d.add(node, "ipkg:citedIn", container)
            d.add(node, "ipkg:inPlan", self.plan)
            d.add(node, "ipkg:textSpan", self.span_node(span))
            d.add(self.plan, "ipkg:cites", document)
            d.add(self.plan, "ipkg:qualifiedCitation", node)

    def container_of(self, span: Span) -> str | None:
        best = None
        for component in self.components:
            if component.span.start <= span.start and span.end <= component.span.end:
                if best is None or (component.span.end - component.span.start) < (best.span.end - best.span.start):
                    best = component
        return best.iri if best else None


# ------------------------------------------------------------------------------------ shared files


def _shared_documents(documents: dict[str, dict]) -> TurtleDoc:
    doc = TurtleDoc(header="# Cited documents shared by all plans: generated by `ipkg curate build` "
                           "from data/curation/documents.yaml — do not edit by hand.")
    issuers: dict[str, dict] = {}
    for key in sorted(documents):
        entry = documents[key]
        node = iri(mint("doc", key))
        doc.add(node, RDF_TYPE, "ipkg:PolicyDocument")
        doc.add(node, "rdfs:label", lit(normalise(entry["zh"]), "zh"))
        doc.add(node, "rdfs:label", lit(entry["en"], "en"))
        doc.add(node, "dcterms:title", lit(normalise(entry["zh"]), "zh"))
        doc.add(node, "ipkg:documentLevel", iri(concept("document-level", entry["level"])))
        doc.add(node, "ipkg:documentType", iri(concept("document-type", entry["type"])))
        sources = set()
        if entry.get("number"):
            doc.add(node, "ipkg:documentNumber", lit(entry["number"]["value"]))
            sources.add(entry["number"].get("from", "text"))
        if entry.get("year"):
            doc.add(node, "ipkg:year", typed(entry["year"]["value"], "gYear"))
            sources.add(entry["year"].get("from", "text"))
        if entry.get("issuer"):
            issuer_key = _slugify(entry["issuer"]["en"])
            issuers[issuer_key] = entry["issuer"]
            doc.add(node, "ipkg:issuer", iri(mint("org", "issuer", issuer_key)))
            sources.add(entry["issuer"].get("from", "text"))
        for source in sorted(sources):
            doc.add(node, "ipkg:metadataSource", lit(source))
        if entry.get("note"):
            doc.add(node, "ipkg:curationNote", lit(entry["note"], "en"))
    for key in sorted(issuers):
        node = iri(mint("org", "issuer", key))
        doc.add(node, RDF_TYPE, "org:Organization")
        doc.add(node, "rdfs:label", lit(issuers[key]["zh"], "zh"))
        doc.add(node, "rdfs:label", lit(issuers[key]["en"], "en"))
    return doc


def _shared_places(places: dict[str, dict]) -> TurtleDoc:
    doc = TurtleDoc(header="# Administrative places: generated by `ipkg curate build` from "
                           "data/curation/places.yaml — do not edit by hand.")
    classes = {"national": "ipkg:AdministrativeArea", "provincial": "ipkg:Province",
               "prefecture": "ipkg:City", "county": "ipkg:City"}
    for key, entry in places.items():
        node = iri(mint("place", key))
        doc.add(node, RDF_TYPE, classes[entry["level"]])
        doc.add(node, "rdfs:label", lit(entry["zh"], "zh"))
        doc.add(node, "rdfs:label", lit(entry["en"], "en"))
        doc.add(node, "ipkg:adminLevel", iri(concept("admin-level", entry["level"])))
        if entry.get("parent"):
            doc.add(node, "ipkg:withinArea", iri(mint("place", entry["parent"])))
    return doc


# Facts about a department that every plan of its city must state alike; the forms it is printed in
# and the curators' notes may differ from plan to plan and are gathered.
_GATHERED = ("skos:altLabel", "ipkg:curationNote")


def _merge_departments(builders: list["PlanBuilder"]) -> TurtleDoc:
    """One description per department of a city, from the records of all the city's plans."""
    merged = TurtleDoc(header=builders[0].department_doc.header)
    described_by: dict[str, str] = {}
    for builder in sorted(builders, key=lambda b: b.slug):
        for node, pairs in builder.department_doc.subjects.items():
            fixed = sorted(pair for pair in pairs if pair[0] not in _GATHERED)
            if node in described_by:
                known = sorted(pair for pair in merged.subjects[node] if pair[0] not in _GATHERED)
                if known != fixed:
                    raise CurationError(f"{builder.slug}.yaml: department {node} is described differently in "
                                        f"{described_by[node]}.yaml (labels, kind, function or level); "
                                        f"a body has one description in all its city's plans")
            else:
                described_by[node] = builder.slug
            for predicate, obj in pairs:
                merged.add(node, predicate, obj)
    merged.subjects = {node: merged.subjects[node] for node in sorted(merged.subjects)}
    return merged


# ------------------------------------------------------------------------------------ entry points


@dataclass
class BuildResult:
    files: dict[Path, str]
    errors: list[str]


@contextmanager
def _reading(path: Path):
    """Report a file that is missing, unreadable or not UTF-8 as a DataError naming it."""
    try:
        yield
    except FileNotFoundError as exc:
        raise DataError(f"{path}: no such file") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text") from exc


def _load_yaml(path: Path):
    import yaml

    class RecordLoader(yaml.SafeLoader):
        """Keeps dates as written, for the builder to check and name the field: PyYAML would
        raise a bare ValueError for 2024-13-45."""

    RecordLoader.add_constructor("tag:yaml.org,2002:timestamp", RecordLoader.construct_yaml_str)
    try:
        with _reading(path), path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=RecordLoader)
    except yaml.YAMLError as exc:
        raise CurationError(f"{path.name}: not valid YAML: {exc}") from exc


def _assemble(slugs: list[str] | None = None) -> BuildResult:
    curation = paths.curation_dir()
    errors: list[str] = []
    record_paths = [path for path in sorted(curation.glob("*.yaml"))
                    if path.name not in ("places.yaml", "documents.yaml")]
    unknown = sorted(set(slugs or ()) - {path.stem for path in record_paths})
    if unknown:
        known = ", ".join(path.stem for path in record_paths)
        raise DataError(f"unknown plan {', '.join(unknown)} (curation records: {known})")
    places = {p["key"]: p for p in _load_yaml(curation / "places.yaml")}
    documents = {d["key"]: d for d in _load_yaml(curation / "documents.yaml")}
    records = []
    for path in record_paths:
        try:
            record = _load_yaml(path)
        except CurationError as exc:
            errors.append(str(exc))
            continue
        if not isinstance(record, dict) or record.get("slug") != path.stem:
            errors.append(f"{path.name}: `slug` must equal the file name ({path.stem!r})")
            continue
        records.append(record)
        for proposed in record.get("proposed_documents") or []:
            existing = documents.get(proposed["key"])
            if existing and existing != proposed:
                errors.append(f"{path.name}: proposed document {proposed['key']!r} conflicts with another entry")
            documents[proposed["key"]] = proposed
    vocab = _load_notations(paths.vocabulary_files())
    output = paths.bundled_plans_dir()
    files: dict[Path, str] = {}
    city_departments: dict[str, list[PlanBuilder]] = {}
    for record in records:
        slug = record["slug"]
        if slugs and slug not in slugs:
            continue
        proposed_metrics = {m["key"] for m in record.get("proposed_metrics") or []}
        source = Source(slug, paths.sources_dir() / f"{slug}.txt")
        builder = PlanBuilder(record, source, vocab, documents, places, proposed_metrics)
        turtle = builder.build()
        errors.extend(builder.errors)
        files[output / f"{slug}.ttl"] = turtle.render()
        city_departments.setdefault(builder.city, []).append(builder)
    for city, builders in sorted(city_departments.items()):
        try:
            merged = _merge_departments(builders)
        except CurationError as exc:
            errors.append(str(exc))
            continue
        files[output / "shared" / "departments" / f"{city}.ttl"] = merged.render()
    shared = output / "shared"
    files[shared / "documents.ttl"] = _shared_documents(documents).render()
    files[shared / "places.ttl"] = _shared_places(places).render()
    return BuildResult(files, errors)


def check(slugs: list[str] | None = None) -> list[str]:
    """Return every problem in the curation records (empty when they all build); writes nothing."""
    try:
        return _assemble(slugs).errors
    except CurationError as exc:
        return [str(exc)]


def build(slugs: list[str] | None = None) -> list[Path]:
    """Write the Turtle for the curation records; raise CurationError listing every problem."""
    result = _assemble(slugs)
    if result.errors:
        raise CurationError("\n".join(result.errors))
    write_all_atomic(result.files)  # every file or none: a failed build leaves the old set whole
    return sorted(result.files)


def stale_files() -> list[Path]:
    """Return the generated Turtle files whose content differs from what the records build."""
    result = _assemble()
    return sorted(path for path, text in result.files.items()
                  if not path.exists() or path.read_text(encoding="utf-8") != text)

