"""The named-query library, `ipkg query`/`ipkg queries`, parameter binding and query safety.

Expected values come from the source texts in data/sources/, read by the small parsers below
(task numbers, the printed assignment parentheticals, phase headings, 《》 titles, target
phrases), never from the queries' own output. The parsers are deliberately independent of the
curation records: they split the printed unit lists themselves.
"""

from __future__ import annotations

import collections
import gc
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ipkg import paths
from ipkg import query as Q
from ipkg.terms import PREFIXES

REPO = Path(__file__).resolve().parent.parent
SLUGS = ["lianyungang-2016", "taixing-2024", "yancheng-2022", "yangjiang-2017", "yantai-2016"]
PLAN = PREFIXES["plan"]


# ----------------------------------------------------------------------------- reading the sources

_HEAD = re.compile(r"\n\s*([一二三四五六七八九十])、\s*(\S+)")


def section(text: str, *names: str) -> str:
    """The body of the top-level part (一、二、…) whose heading starts with one of ``names``."""
    heads = list(_HEAD.finditer(text))
    for i, head in enumerate(heads):
        if head.group(2).startswith(names):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            return text[head.end():end]
    raise KeyError(names)


def joined(text: str) -> str:
    """Undo page breaks: blank lines inside the text split words and lists."""
    return re.sub(r"\n\s*\n", "", text)


def split_units(text: str) -> list[str]:
    """Split a printed list of units on 、，, outside brackets (各县（市、区）人民政府 stays whole)."""
    units, depth, current = [], 0, ""
    for ch in text:
        if ch in "（(〔[":
            depth += 1
        elif ch in "）)〕]":
            depth -= 1
        if ch in "、，," and depth == 0:
            units.append(current.strip())
            current = ""
        else:
            current += ch
    units.append(current.strip())
    return [u for u in units if u]


def task_numbers(text: str) -> list[str]:
    return re.findall(r"(?m)^\s*(\d+)\s*[.．]", section(text, "重点任务", "战略任务"))


def assignments(slug: str, text: str) -> list[tuple[str, list[str], list[str]]]:
    """Per task with a printed assignment: (lead basis, lead units, other units), as printed."""
    body = joined(section(text, "重点任务", "战略任务"))
    found = []
    if slug == "taixing-2024":
        for m in re.finditer(r"[（(]牵头单位[:：](.+?)[。.]配合单位[:：](.+?)[)）]\s*(?=\d+[.．]|$|[（(][一二三四五六七八九十])", body):
            found.append(("explicit", split_units(m.group(1)), split_units(m.group(2))))
    elif slug == "yangjiang-2017":
        for m in re.finditer(r"〔(?:牵头单位|负责单位)[:：]([^；;〕]+)(?:[；;]责任单位[:：]((?:[^〕（]|（[^）]*）)+))?〕", body):
            found.append(("explicit", split_units(m.group(1)), split_units(m.group(2) or "")))
    elif slug == "yancheng-2022":
        for m in re.finditer(r"[（(]((?:[^（）()]|[（(][^（）()]*[)）])+?)负责[)）]", body):
            content = m.group(1)
            if content.endswith("按职责分工"):
                units = split_units(re.sub(r"等?按职责分工$", "", content))
                found.append(("inferred", units[:1], units[1:]))
            else:
                found.append(("explicit", split_units(content), []))
    return found


@pytest.fixture(scope="module")
def facts(sources):
    return {slug: {"tasks": task_numbers(sources[slug]), "assignments": assignments(slug, sources[slug])}
            for slug in SLUGS}


def lead_counts(facts, slug) -> collections.Counter:
    counts = collections.Counter()
    for basis, leads, _ in facts[slug]["assignments"]:
        for unit in leads:
            counts[(unit, basis)] += 1
    return counts


def run(query_name, **params):
    return Q.run(query_name, params).dicts()


def core(name: str) -> str:
    """A printed unit name without the city prefix and brackets, to match a department's full label."""
    name = re.sub(r"[〔（(].*?[〕）)]", "", name)
    return name[1:] if name.startswith("市") else name


def names_of(store, iris) -> dict[str, set[str]]:
    """Every Chinese name of each department: label, alternative labels and the printed forms."""
    values = " ".join(f"<{iri}>" for iri in sorted(set(iris)))
    rows = Q.select(f"""SELECT ?d ?n {{ VALUES ?d {{ {values} }}
        {{ ?d rdfs:label ?n }} UNION {{ ?d skos:altLabel ?n }} UNION {{ ?a ipkg:department ?d ; ipkg:printedName ?n }}
        FILTER(lang(?n) = "zh") }}""", store)
    found = collections.defaultdict(set)
    for row in rows:
        found[row["d"]].add(row["n"])
    return found


def named(store, iris, printed: str) -> list[str]:
    """The departments among ``iris`` that the text prints as ``printed``."""
    names = names_of(store, iris)
    return sorted(iri for iri in set(iris) if printed in names[iri])


# ----------------------------------------------------------------------------- the library itself


def test_parsers_read_every_task(facts):
    # a sanity check of the parsers against counts a reader makes by eye (numbered items under 重点任务/战略任务)
    assert {slug: len(f["tasks"]) for slug, f in facts.items()} == {
        "lianyungang-2016": 20, "taixing-2024": 13, "yancheng-2022": 23, "yangjiang-2017": 20, "yantai-2016": 29}
    for slug in ("taixing-2024", "yancheng-2022", "yangjiang-2017"):
        assert len(facts[slug]["assignments"]) == len(facts[slug]["tasks"]), slug


def test_library_has_at_least_15_queries_with_headers():
    library = Q.named_queries()
    assert len(library) >= 15
    for name, item in library.items():
        assert item.title and item.description, name
        assert item.examples, f"{name}: header lacks an example"
        for example in item.examples:
            assert example.startswith(f"ipkg query {name}"), f"{name}: example {example!r}"
        used = Q.variables_in(item.text)
        for param in item.params:
            assert param.name in used, f"{name}: parameter {param.name} is not a variable of the query"
        assert item.kind in ("select", "ask", "construct", "describe"), name
        if name.endswith("-violation"):
            assert item.kind == "select", name
        if name.startswith("construct-"):
            assert item.kind == "construct", name


def test_header_without_title_or_description_is_refused(tmp_path):
    path = tmp_path / "bad.rq"
    with pytest.raises(Q.QueryError, match="lacks title"):
        Q.parse_header("# description: d\nSELECT * {}", path)
    with pytest.raises(Q.QueryError, match="lacks description"):
        Q.parse_header("# title: t\nSELECT * {}", path)
    with pytest.raises(Q.QueryError, match="unknown parameter type"):
        Q.parse_header("# title: t\n# description: d\n# param: x (colour): no\nSELECT * {}", path)


TESTED = set()


def covers(*names):
    TESTED.update(names)
    return lambda func: func


def test_every_named_query_has_a_test():
    # runs after the module is imported, when every @covers(...) decorator has registered its query
    missing = sorted(set(Q.named_queries()) - TESTED)
    assert not missing, f"named queries without a test in tests/test_queries.py: {missing}"


def test_every_named_query_runs_on_every_plan():
    for name, item in Q.named_queries().items():
        for slug in SLUGS:
            if any(p.required for p in item.params):
                continue
            Q.run(name, plan=slug)


# ----------------------------------------------------------------------------- one test per query


@covers("plan-stats", "network-plans")
def test_plan_stats_and_network_plans_count_the_printed_tasks(facts):
    stats = {row["slug"]: row for row in run("plan-stats")}
    network = {row["slug"]: row for row in run("network-plans")}
    for slug in SLUGS:
        assert stats[slug]["tasks"] == len(facts[slug]["tasks"]), slug
        assert network[slug]["tasks"] == len(facts[slug]["tasks"]), slug


@covers("lead-departments")
def test_lead_departments_from_the_printed_assignments(facts, store):
    rows = run("lead-departments")
    assert {r["plan"] for r in rows} == {PLAN + s for s in ("taixing-2024", "yancheng-2022", "yangjiang-2017")}
    for slug in ("taixing-2024", "yancheng-2022", "yangjiang-2017"):
        mine = [r for r in rows if r["plan"] == PLAN + slug]
        text = lead_counts(facts, slug)
        # the same number of leads, stated and inferred, as the printed lists give
        assert sum(r["explicit"] for r in mine) == sum(n for (u, b), n in text.items() if b == "explicit"), slug
        assert sum(r["inferred"] for r in mine) == sum(n for (u, b), n in text.items() if b == "inferred"), slug
        # the department leading most is the unit printed first most often
        top_unit = max({u for u, _ in text}, key=lambda u: sum(n for (x, _), n in text.items() if x == u))
        assert named(store, [r["department"] for r in mine], top_unit) == [mine[0]["department"]], (slug, top_unit)
        assert mine[0]["leads"] == sum(n for (u, _), n in text.items() if u == top_unit)
    yancheng = [r for r in rows if r["plan"] == PLAN + "yancheng-2022"][0]
    text = lead_counts(facts, "yancheng-2022")
    assert (yancheng["explicit"], yancheng["inferred"]) == (text[("市知识产权局", "explicit")],
                                                           text[("市知识产权局", "inferred")])


@covers("lead-departments")
def test_lead_departments_plan_option_restricts(facts):
    rows = Q.run("lead-departments", plan="taixing-2024").dicts()
    assert {r["plan"] for r in rows} == {PLAN + "taixing-2024"}
    assert sum(r["leads"] for r in rows) == sum(len(leads) for _, leads, _ in facts["taixing-2024"]["assignments"])


@covers("participating-departments")
def test_participating_departments(facts, store):
    rows = run("participating-departments", plan="plan:taixing-2024")
    printed = collections.Counter(u for _, _, others in facts["taixing-2024"]["assignments"] for u in others)
    science = named(store, [r["department"] for r in rows], "市科技局")
    row = [r for r in rows if r["department"] in science]
    assert len(row) == 1 and row[0]["participations"] == printed["市科技局"] == 6
    assert sum(r["participations"] for r in rows) == sum(printed.values())
    assert sum(r["leads"] for r in rows) == 14  # 13 tasks, one (2.) with two lead units


@covers("leads-by-function-type")
def test_leads_by_function_type(facts):
    rows = run("leads-by-function-type")
    for slug in ("taixing-2024", "yancheng-2022", "yangjiang-2017"):
        mine = [r for r in rows if r["plan"] == PLAN + slug]
        text = lead_counts(facts, slug)
        assert sum(r["explicitLeads"] for r in mine) == sum(n for (u, b), n in text.items() if b == "explicit")
        assert sum(r["inferredLeads"] for r in mine) == sum(n for (u, b), n in text.items() if b == "inferred")
        others = sum(len(o) for _, _, o in facts[slug]["assignments"])
        assert sum(r["participations"] for r in mine) == others, slug
    ip_office = {r["plan"]: r for r in rows if r["functionType"].endswith("/ip-office")}
    # yangjiang's 市知识产权局 leads 15 tasks as printed (〔牵头单位/负责单位：市知识产权局…〕)
    assert ip_office[PLAN + "yangjiang-2017"]["explicitLeads"] == lead_counts(facts, "yangjiang-2017")[("市知识产权局", "explicit")]


@covers("tasks-by-stage")
def test_tasks_by_stage(facts, sources):
    rows = run("tasks-by-stage")
    for slug in SLUGS:
        mine = [r for r in rows if r["plan"] == PLAN + slug]
        assert {r["planTasks"] for r in mine} == {len(facts[slug]["tasks"])}, slug
        assert sum(r["tasks"] for r in mine) >= len(facts[slug]["tasks"])  # every task concerns a stage
    protection = [r for r in rows if r["plan"] == PLAN + "taixing-2024" and r["stage"].endswith("/protection")]
    # taixing's part （四）强化知识产权立体保护 holds tasks 10 and 11
    assert protection and protection[0]["tasks"] >= 2


@covers("tasks-by-right-type")
def test_tasks_by_right_type(facts, sources):
    rows = run("tasks-by-right-type", plan="plan:taixing-2024")
    counts = {r["rightType"].rsplit("/", 1)[1]: r["tasks"] for r in rows}
    tasks = re.split(r"(?m)^(?=\d+\.)", section(sources["taixing-2024"], "重点任务"))[1:]
    for key, word in (("trademark", "商标"), ("geographical-indication", "地理标志"), ("plant-variety", "植物新品种")):
        mentioning = sum(1 for t in tasks if word in t)
        assert 1 <= counts.get(key, 0) <= mentioning, key
    assert {r["planTasks"] for r in rows} == {13}


@covers("metric-targets")
def test_metric_targets_for_invention_patents_per_10k(sources):
    expected = set()
    for slug, text in sources.items():
        for m in re.finditer(r"万人(?:有效)?发明专利拥有量(?:达到|达)?\s*(\d+(?:\.\d+)?)\s*件", text):
            expected.add((slug, Decimal(m.group(1))))
    rows = run("metric-targets")
    assert {(r["plan"][len(PLAN):], r["value"]) for r in rows} == expected
    for row in rows:
        assert re.sub(r"\s", "", row["phrase"]) in re.sub(r"\s", "", sources[row["plan"][len(PLAN):]])
        assert row["metric"] == PREFIXES["metric"] + "invention-patents-per-10k-people"
    taixing = [r for r in rows if r["plan"].endswith("taixing-2024")][0]
    assert (taixing["year"], taixing["unit"].rsplit("/", 1)[1]) == ("2026", "jian")  # 到2026年 … 29件


@covers("metrics-across-plans")
def test_metrics_across_plans(sources):
    rows = {r["metric"].rsplit("/", 1)[1]: r for r in run("metrics-across-plans")}
    plans = {slug for slug, text in sources.items() if re.search(r"万人(?:有效)?发明专利拥有量(?:达到|达)?\s*\d", text)}
    assert rows["invention-patents-per-10k-people"]["plans"] == len(plans) == 3
    assert max(r["plans"] for r in rows.values()) <= 5


@covers("targets-outside-period", "target-year-flag-violation")
def test_target_years(sources):
    rows = run("targets-outside-period")
    flagged = [r for r in rows if r["flagged"]]
    assert len(flagged) == len(rows)  # every target outside the period carries the flag
    for row in rows:
        assert not (int(row["periodStart"]) <= int(row["year"]) <= int(row["periodEnd"]))
    assert run("target-year-flag-violation") == []


@covers("most-cited-documents")
def test_most_cited_documents(sources):
    rows = run("most-cited-documents")
    citing = {slug for slug, text in sources.items() if "《企业知识产权管理规范》" in text}
    top = rows[0]
    assert top["document"] == PREFIXES["doc"] + "gb-t-29490-2013"
    assert top["plans"] == len(citing) == 4
    assert all(r["plans"] <= top["plans"] for r in rows)


@covers("plans-citing-document")
def test_plans_citing_document(sources):
    rows = run("plans-citing-document", document="doc:gb-t-29490-2013")
    assert {r["plan"][len(PLAN):] for r in rows} == {s for s, t in sources.items() if "《企业知识产权管理规范》" in t}
    assert len(rows) == sum(t.count("《企业知识产权管理规范》") for t in sources.values())
    for row in rows:
        text = sources[row["plan"][len(PLAN):]]
        assert "企业知识产权管理规范" in row["printedTitle"]
        assert text[row["start"]:row["end"]].replace("\n", "") .startswith(row["printedTitle"][:4])


@covers("department-tasks")
def test_department_tasks_with_partners(facts):
    rows = run("department-tasks", department="dept:taixing/finance")
    # 市财政局 is printed once, as second lead of task 2. (with 市场监管 lead; 工信局, 乡镇, 园区 cooperating)
    tasks_text = [(leads, others) for _, leads, others in facts["taixing-2024"]["assignments"] if "市财政局" in leads + others]
    assert len(tasks_text) == 1
    leads, others = tasks_text[0]
    assert {r["path"] for r in rows} == {"2-1-2"}
    assert len({r["partner"] for r in rows}) == len(leads) + len(others) - 1
    assert all(r["isLead"] for r in rows)


@covers("department-partners")
def test_department_partners(facts, store):
    rows = run("department-partners", plan="plan:taixing-2024")
    everyone = {r["department"] for r in rows}
    science, market = named(store, everyone, "市科技局"), named(store, everyone, "市市场监督管理局〔知识产权局〕")
    pair = [r for r in rows if r["department"] in science and r["partner"] in market]
    shared = sum(1 for _, leads, others in facts["taixing-2024"]["assignments"]
                 if "市科技局" in leads + others and any("市场监督管理局" in u for u in leads + others))
    assert len(pair) == 1 and pair[0]["sharedTasks"] == shared == 6
    assert pair[0]["ledByDepartment"] == 0
    # symmetric: every pair appears both ways
    assert {(r["department"], r["partner"]) for r in rows} == {(r["partner"], r["department"]) for r in rows}


@covers("plans-without-leads")
def test_plans_without_leads(facts):
    rows = {r["plan"][len(PLAN):]: r for r in run("plans-without-leads")}
    for slug in SLUGS:
        n = len(facts[slug]["tasks"])
        assert rows[slug]["tasks"] == n
        if slug in ("lianyungang-2016", "yantai-2016"):  # no 牵头/负责/按职责分工 parenthetical at all
            assert not facts[slug]["assignments"]
            assert (rows[slug]["withLead"], rows[slug]["withoutLead"], rows[slug]["assignedToNobody"]) == (0, n, n)
            assert rows[slug]["practice"].endswith("/none")
        else:
            assert (rows[slug]["withLead"], rows[slug]["withoutLead"]) == (n, 0)


@covers("task-without-lead-violation")
def test_task_without_lead_violation_is_empty():
    assert run("task-without-lead-violation") == []


@covers("plan-phases")
def test_plan_phases(sources):
    rows = run("plan-phases")
    for slug, text in sources.items():
        printed = re.findall(r"阶段\s*[（(](\d{4})\s*年\s*(\d{1,2})\s*月\s*[-—–～至]+\s*(\d{4})\s*年\s*(\d{1,2})\s*月", text)
        mine = [r for r in rows if r["plan"] == PLAN + slug]
        expected = [(f"{a}-{int(b):02d}", f"{c}-{int(d):02d}") for a, b, c, d in printed]
        assert [(r["startMonth"], r["endMonth"]) for r in mine] == expected, slug
    assert len([r for r in rows if r["plan"].endswith("taixing-2024")]) == 4


@covers("safeguard-bodies")
def test_safeguard_bodies(sources):
    rows = run("safeguard-bodies")
    for slug, text in sources.items():
        part = section(text, "保障措施") if re.search(r"\n\s*[一二三四五六七八九十]、\s*保障措施", text) else ""
        printed = re.findall(r"(?m)^\s*[（(]([一二三四五六七八九十])[)）]", part)
        measures = {r["measure"] for r in rows if r["plan"] == PLAN + slug}
        if printed:
            assert len(measures) == len(printed), slug
    taixing = [r for r in rows if r["measure"].endswith("taixing-2024/3")]
    assert taixing  # （三）加强经费保障 names 各乡镇（街道）、园区 and 市财政


@covers("provenance")
def test_provenance_points_at_the_source(sources):
    for node in ("task:taixing-2024/2-1-1", "task:yangjiang-2017/4-1-1"):
        rows = run("provenance", node=node)
        assert len(rows) == 1
        row = rows[0]
        slug = node.split(":", 1)[1].split("/")[0]
        assert row["file"] == f"data/sources/{slug}.txt"
        assert sources[slug][row["start"]:row["end"]] == row["exact"]
    first = run("provenance", node="task:taixing-2024/2-1-1")[0]
    assert first["exact"].startswith("1.加强知识产权发展顶层设计")


@covers("construct-plan")
def test_construct_plan(facts):
    result = Q.run("construct-plan", plan="taixing-2024")
    assert result.kind == "graph"
    stats = run("plan-stats", plan="plan:taixing-2024")[0]
    assert len(result.triples) == stats["triples"]
    tasks = {t.subject.value for t in result.triples
             if t.predicate.value.endswith("#type") and t.object.value == PREFIXES["ipkg"] + "Task"}
    assert len(tasks) == len(facts["taixing-2024"]["tasks"])
    turtle = Q.format_result(result, "turtle")
    assert "@prefix ipkg:" in turtle and 'ipkg:slug "taixing-2024"' in turtle


@covers("construct-department-network", "network-assignments", "network-departments")
def test_department_network(facts, store):
    result = Q.run("construct-department-network", plan="taixing-2024")
    linked = [t for t in result.triples if t.predicate.value == "http://www.w3.org/ns/org#linkedTo"]
    nodes = {t.subject.value for t in linked}
    printed_units = {u for _, leads, others in facts["taixing-2024"]["assignments"] for u in leads + others}
    assert len(nodes) == len(printed_units)
    assert len(named(store, nodes, "市科技局")) == 1
    rows = Q.run("network-assignments", plan="taixing-2024").dicts()
    assert len(rows) == sum(len(leads) + len(others) for _, leads, others in facts["taixing-2024"]["assignments"])
    departments = Q.run("network-departments", plan="taixing-2024").dicts()
    assert len(departments) == len(printed_units)


@covers("construct-department-network", "network-departments")
@pytest.mark.parametrize("slug", SLUGS)
def test_department_network_triples_describe_every_node(slug):
    # yancheng-2022 names a department that shares none of its tasks: a node without edges
    result = Q.run("construct-department-network", plan=slug)
    described = {t.subject.value for t in result.triples if t.predicate.value == PREFIXES["rdfs"] + "label"}
    nodes = {row["department"] for row in Q.run("network-departments", plan=slug).dicts()}
    assert described == nodes


@covers("search-tasks")
def test_search_tasks(sources):
    rows = run("search-tasks", text="地理标志")
    for slug in SLUGS:
        tasks_part = section(sources[slug], "重点任务", "战略任务")
        items = [joined(item) for item in re.split(r"(?m)^(?=\s*\d+\s*[.．])", tasks_part)]
        mentioning = sum(1 for item in items if re.match(r"\s*\d+\s*[.．]", item) and "地理标志" in item)
        assert len([r for r in rows if r["plan"] == PLAN + slug]) == mentioning, slug


@covers("department-by-name")
def test_department_by_name(facts):
    rows = run("department-by-name", name="市财政局")
    # 市财政局 is printed in the assignments of taixing, yancheng and yangjiang
    printed_in = {slug for slug in facts if any("市财政局" in leads + others for _, leads, others in facts[slug]["assignments"])}
    assert {r["city"].rsplit("/", 1)[1] for r in rows} == {s.split("-")[0] for s in printed_in}
    assert run("department-by-name", name="No such office") == []


@covers("department-by-name")
def test_plan_option_sees_its_own_citys_departments_only():
    """Departments live in one graph per city: --plan must not reach other cities' departments."""
    everywhere = {r["city"] for r in run("department-by-name", name="市财政局")}
    assert len(everywhere) == 3
    for city in everywhere:
        slug = next(p.stem for p in paths.plan_files() if p.stem.startswith(city.rsplit("/", 1)[1]))
        rows = Q.run("department-by-name", {"name": "市财政局"}, plan=slug).dicts()
        assert {r["city"] for r in rows} == {city}
    assert Q.city_department_graphs("taixing-2024") == ["https://w3id.org/ipkg/id/graph/departments/taixing"]


# ----------------------------------------------------------------------------- binding and injection


INJECTIONS = ['x" } ; DROP ALL ; #', "x' } UNION { ?s ?p ?o } #", "} } SELECT * WHERE { ?s ?p ?o", "> ; DROP GRAPH <x",
              '地理标志"@zh } #', "\\u0022 } #"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_string_injection_is_bound_as_a_value(value, cli):
    result = cli("query", "search-tasks", "--param", f"text={value}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"] == []


def test_a_bound_string_really_is_the_value():
    # a value with quotes and braces that does occur as text is found, so it is compared, not parsed
    rows = run("search-tasks", text="“双随机、一公开”")
    assert rows and all(r["text"] == "“双随机、一公开”" for r in rows)


@pytest.mark.parametrize("value", ["doc:x> ; DROP ALL ; <x", "http://a b", "doc:a}b", "<http://e/x> }", "not an iri"])
def test_iri_injection_is_an_error(value, cli):
    result = cli("query", "plans-citing-document", "--param", f"document={value}")
    assert result.exit_code == 2
    assert "IRI" in result.stderr and "Traceback" not in result.stderr


def test_language_literal_injection(cli):
    result = cli("query", "department-by-name", "--param", 'name=市财政局"@zh } UNION { ?department ?p ?name } #',
                 "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.strip() == "name,department,city,functionType"


def test_values_block_for_remote_is_serialised_terms():
    from ipkg.remote import with_values

    header = Q.get("search-tasks")
    terms = Q.bind(header, header.text, {"text": 'x" } ; DROP ALL ; #'})
    text = with_values(header.text, terms)
    assert 'VALUES (?text) { ("x\\" } ; DROP ALL ; #"^^<http://www.w3.org/2001/XMLSchema#string>) }' in text
    # the value is inside one string token: the query's keywords are unchanged
    assert [t.text.upper() for t in Q._keywords(text)] == [t.text.upper() for t in Q._keywords(header.text)][:5] + \
        ["VALUES"] + [t.text.upper() for t in Q._keywords(header.text)][5:]


def test_parameter_types():
    assert str(Q.make_term("gYear", "2025")) == '"2025"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    assert str(Q.make_term("date", "2024-06-18")) == '"2024-06-18"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert str(Q.make_term("decimal", "29.5")) == '"29.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert str(Q.make_term("integer", "7")) == '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert str(Q.make_term("string@en", "IP office")) == '"IP office"@en'
    assert str(Q.make_term("iri", "plan:taixing-2024")) == "<https://w3id.org/ipkg/id/plan/taixing-2024>"
    assert str(Q.make_term("iri", "<http://example.org/x>")) == "<http://example.org/x>"
    for type_, bad in (("integer", "7; DROP"), ("decimal", "1e"), ("gYear", "20"), ("date", "2024-13-40"),
                       ("boolean", "maybe")):
        with pytest.raises(Q.QueryError, match="not a valid|not a boolean"):
            Q.make_term(type_, bad)


def test_unknown_and_missing_parameters_are_named(cli, tmp_path):
    result = cli("query", "metric-targets", "--param", "colour=red")
    assert result.exit_code == 2 and "unknown parameter colour" in result.stderr
    result = cli("query", "search-tasks")
    assert result.exit_code == 2 and "needs parameter text" in result.stderr
    result = cli("query", "-", "--param", "x=1", input="SELECT ?y { ?y ?p ?o } LIMIT 1")
    assert result.exit_code == 2 and "?x" in result.stderr
    result = cli("query", "metric-targets", "--param", "novalue")
    assert result.exit_code == 2 and "name=value" in result.stderr


def test_ad_hoc_query_parameters_are_typed_by_their_form(cli):
    result = cli("query", "-", "--param", "plan=plan:yantai-2016", "--format", "csv",
                 input="SELECT ?plan ?slug { ?plan ipkg:slug ?slug }")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == [f"{PLAN}yantai-2016,yantai-2016"]


# ----------------------------------------------------------------------------- safety


def test_update_is_refused_unless_allowed(cli):
    update = 'PREFIX ex: <http://example.org/>\n# SELECT in a comment\nINSERT DATA { ex:a ex:b "SELECT" }'
    result = cli("query", "-", input=update)
    assert result.exit_code == 2 and "--allow-update" in result.stderr
    result = cli("query", "-", "--allow-update", input=update)
    assert result.exit_code == 0 and "in-memory copy" in result.stdout
    # the bundled graph did not change
    assert cli("query", "-", input="ASK { <http://example.org/a> ?p ?o }").stdout.strip() == "false"


def test_service_is_refused_unless_allowed(cli):
    result = cli("query", "-", input="SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert result.exit_code == 2 and "--allow-service" in result.stderr
    result = cli("query", "-", "--allow-service", input="SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert result.exit_code == 2 and "--endpoint" in result.stderr
    # the word in a string, an IRI, a comment or a variable is not a SERVICE clause
    harmless = 'SELECT ?service { ?service <http://example.org/SERVICE> "SERVICE" } # SERVICE <x> {}'
    assert cli("query", "-", input=harmless).exit_code == 0
    assert Q.uses_service("select * { service <http://e/s> { ?s ?p ?o } }")


def test_malformed_query_names_line_and_column(cli):
    result = cli("query", "-", input="SELECT * WHERE {\n  ?s ?p\n}")
    assert result.exit_code == 2
    assert re.search(r"malformed query: line 3, column \d+", result.stderr)
    assert "Traceback" not in result.stderr


def test_labels_of_iris_in_either_language():
    plan, market = f"{PLAN}taixing-2024", "https://w3id.org/ipkg/id/org/taixing/market-regulation"
    missing = "https://w3id.org/ipkg/id/org/taixing/no-such-department"
    chinese = Q.labels([plan, market, missing, market])
    assert set(chinese) == {plan, market}
    assert chinese[market] == "泰兴市市场监督管理局（泰兴市知识产权局）"
    assert Q.labels([market], "en")[market].startswith("Taixing Municipal Administration for Market Regulation")


def test_labels_refuse_a_language_that_is_not_a_tag():
    with pytest.raises(Q.QueryError, match="not a language tag"):
        Q.labels([f"{PLAN}taixing-2024"], 'zh") } #')


def test_timeout_in_the_library():
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(Q.QueryTimeout, match="timed out after 0.5 s"):
        Q.run(slow, timeout=0.5)
    assert gc.isenabled()  # paused only while the answer was awaited, even though it never came


def test_garbage_collection_is_left_as_the_caller_had_it():
    assert gc.isenabled()
    Q.run("plan-stats")
    assert gc.isenabled()
    gc.disable()
    try:
        Q.run("plan-stats")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_timeout_on_the_command_line():
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    done = subprocess.run([sys.executable, "-c", "from ipkg.cli import main; main()", "query", "-", "--timeout", "1"], input=slow,
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 2
    assert done.stderr.strip() == "Error: query timed out after 1 s (raise --timeout to wait longer)"


def test_unknown_plan_and_query(cli):
    result = cli("query", "plan-stats", "--plan", "atlantis-2030")
    assert result.exit_code == 2 and "unknown plan atlantis-2030" in result.stderr
    result = cli("query", "no-such-query")
    assert result.exit_code == 2 and "ipkg queries" in result.stderr


# ----------------------------------------------------------------------------- formats and commands


def test_formats(cli):
    table = cli("query", "plan-phases", "--plan", "taixing-2024", "--lang", "en").stdout
    assert "Launch stage" in table and "2024-01" in table
    zh = cli("query", "plan-phases", "--plan", "taixing-2024").stdout
    assert "启动阶段" in zh
    csv_out = cli("query", "plan-phases", "--plan", "taixing-2024", "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "plan,phase,order,startMonth,endMonth"
    assert f"{PLAN}taixing-2024,https://w3id.org/ipkg/id/phase/taixing-2024/1,1,2024-01,2024-04" in csv_out
    tsv = cli("query", "plan-phases", "--plan", "taixing-2024", "--format", "tsv").stdout
    assert tsv.splitlines()[0] == "?plan\t?phase\t?order\t?startMonth\t?endMonth"
    assert '"2024-01"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>' in tsv
    document = json.loads(cli("query", "plan-phases", "--plan", "taixing-2024", "--format", "json").stdout)
    assert document["head"]["vars"] == ["plan", "phase", "order", "startMonth", "endMonth"]
    assert document["results"]["bindings"][0]["plan"] == {"type": "uri", "value": f"{PLAN}taixing-2024"}
    markdown = cli("query", "plan-phases", "--plan", "taixing-2024", "--format", "markdown").stdout
    assert markdown.splitlines()[1] == "|---|---|---|---|---|"
    ask = cli("query", "-", "--format", "json", input="ASK { ?p a ipkg:Plan }").stdout
    assert json.loads(ask) == {"head": {}, "boolean": True}
    nt = cli("query", "construct-plan", "--plan", "yantai-2016", "--format", "ntriples").stdout
    assert nt.count("\n") == run("plan-stats", plan="plan:yantai-2016")[0]["triples"]


def test_output_is_deterministic(cli):
    first = cli("query", "department-partners", "--format", "csv").stdout
    second = cli("query", "department-partners", "--format", "csv").stdout
    assert first == second
    unordered = "SELECT ?t { ?t a ipkg:Task }"
    assert cli("query", "-", "--format", "csv", input=unordered).stdout.splitlines()[1:] == sorted(
        cli("query", "-", "--format", "csv", input=unordered).stdout.splitlines()[1:])


def test_constructed_triples_are_sorted_by_subject_predicate_object():
    text = """CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s ?p ?o) {
        (<http://e/a> <http://e/p> "x") (<http://e/a/b> <http://e/p> "y") (<http://e/ab> <http://e/q> 1)
        (<http://e/a> <http://e/p2> <http://e/a>) (<http://e/a> <http://e/p> "x"@en) } }"""
    triples = Q.run(text).triples
    assert triples == sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    assert len(triples) == 5


def test_output_file_is_written(cli, tmp_path):
    target = tmp_path / "out.ttl"
    result = cli("query", "construct-plan", "--plan", "taixing-2024", "-o", target)
    assert result.exit_code == 0 and target.read_text(encoding="utf-8").startswith("@prefix")


def test_query_file(cli, tmp_path):
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(DISTINCT ?t) AS ?n) { ?t a ipkg:Task }", encoding="utf-8")
    assert cli("query", path, "--format", "csv").stdout.splitlines() == ["n", "105"]


def test_queries_list_and_show(cli):
    listing = cli("queries").stdout
    for name, item in Q.named_queries().items():
        assert name in listing and item.title in listing
    shown = cli("queries", "show", "metric-targets").stdout
    assert shown == (REPO / "queries" / "metric-targets.rq").read_text(encoding="utf-8")
    assert cli("queries", "show", "nope").exit_code == 2


def test_python_api():
    import ipkg

    rows = ipkg.query("metric-targets", metric="metric:invention-patents-per-10k-people")
    assert {r["plan"].rsplit("/", 1)[1] for r in rows} == {"lianyungang-2016", "taixing-2024", "yantai-2016"}
    assert all(isinstance(r["value"], Decimal) for r in rows)
    rows = ipkg.query("SELECT (COUNT(*) AS ?n) { ?p a ipkg:Plan }")
    assert rows == [{"n": 5}]
    assert ipkg.query("plans-without-leads", plan="yantai-2016")[0]["withLead"] == 0


DOCUMENTED = ["query", "queries", "queries show", "push"]


@pytest.mark.parametrize("command", DOCUMENTED)
def test_command_is_in_the_command_reference(command):
    docs = (REPO / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md")))
    assert re.search(rf"^#+ `ipkg {re.escape(command)}", docs, re.M), f"`ipkg {command}` missing from the command reference"


def test_every_query_command_is_listed_for_documentation():
    from ipkg.cli import main

    mine = {"query", "queries", "push"}
    assert mine <= set(main.commands)
    assert set(main.commands["queries"].commands) == {"show"}


def test_asking_questions_has_three_worked_examples():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    part = text.split("\n## Asking questions", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"```(?:console|bash|sh)\n\$ ipkg query", part)) >= 3
