"""SHACL shapes and `ipkg validate`.

Every shape in shapes/ must be able to fire: tests/fixtures/invalid/<Shape>.ttl is a copy of
tests/fixtures/valid/minimal-plan.ttl with one change, and validating it must make exactly that
shape fire (a new shape without a fixture fails here). Expectations about the real plans come from
reading their source texts in data/sources/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

FIXTURES = REPO / "tests" / "fixtures"
MINIMAL = FIXTURES / "valid" / "minimal-plan.ttl"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
SHAPES_NS = "https://w3id.org/ipkg/shapes#"
SLUGS = sorted(p.stem for p in (REPO / "data" / "sources").glob("*.txt"))


def local(iri: str) -> str:
    return iri[len(SHAPES_NS):] if iri.startswith(SHAPES_NS) else iri


@pytest.fixture(scope="session")
def catalogue():
    from ipkg.validate import shape_catalogue

    return shape_catalogue()


@pytest.fixture(scope="session")
def fixture_report():
    """One run over every fixture (in parallel, no cache): {file stem: PlanResult}."""
    from ipkg.validate import validate

    report = validate(paths=[MINIMAL, *INVALID], cache=False)
    return {Path(plan.source).stem: plan for plan in report.plans}


@pytest.fixture(scope="session")
def bundled_report():
    from ipkg.validate import validate

    return validate(cache=False)


# ------------------------------------------------------------------------------------ the shapes


def test_the_shapes_graph_is_valid_shacl():
    from pyshacl.entrypoints import meta_validate

    from ipkg.validate import load_shapes

    conforms, _graph, text = meta_validate(load_shapes().graph)
    assert conforms, text


def test_every_shape_is_named_described_and_has_a_meaningful_severity(catalogue):
    assert len(catalogue) >= 40
    for entry in catalogue:
        for key in ("name", "description", "message"):
            assert set(entry[key]) == {"zh", "en"}, (entry["shape"], key, entry[key])
            assert re.search(r"[\u4e00-\u9fff]", entry[key]["zh"]), (entry["shape"], key)
        assert entry["severity"] in ("Violation", "Warning", "Info"), entry
        assert entry["shape"].startswith(SHAPES_NS), entry


def test_severities_say_what_they_mean(catalogue):
    severity = {local(e["shape"]): e["severity"] for e in catalogue}
    # a broken graph
    for shape in ("PlanTitle", "TaskLead", "AssignmentRole", "IndicatorPercent", "TaskDepartmentCity"):
        assert severity[shape] == "Violation", shape
    # likely omissions a curator should look at
    for shape in ("TaskAssignmentGap", "PlanGoals", "IndicatorMetricInVocabulary"):
        assert severity[shape] == "Warning", shape
    # notes on interpretations
    for shape in ("IndicatorYearInterpreted", "AssignmentLeadInferred"):
        assert severity[shape] == "Info", shape


def test_every_shape_is_listed_in_the_shapes_readme(catalogue):
    readme = (REPO / "shapes" / "README.md").read_text(encoding="utf-8")
    missing = [local(e["shape"]) for e in catalogue if f"`ipkgsh:{local(e['shape'])}`" not in readme]
    assert missing == []


def test_one_family_file_per_kind_of_node(catalogue):
    files = {e["file"] for e in catalogue}
    assert {"plan.ttl", "task.ttl", "assignment.ttl", "department.ttl", "indicator.ttl", "citation.ttl"} <= files


def test_cross_node_rules_are_sparql_constraints_on_the_fast_route(catalogue):
    engines = {local(e["shape"]): e["engine"] for e in catalogue}
    for shape in ("TaskLeadShortcuts", "TaskDepartmentCity", "IndicatorYearInPeriod", "CitationCited"):
        assert engines[shape] == "oxigraph-sparql", shape
    assert engines["TaskStage"] == engines["IndicatorPercent"] == "pyshacl"


# ------------------------------------------------------------------------------------ fixtures


def test_the_minimal_plan_conforms_without_any_result(fixture_report):
    plan = fixture_report["minimal-plan"]
    assert plan.results == []


def test_every_shape_has_an_invalid_fixture_and_every_fixture_a_shape(catalogue):
    shapes = {local(e["shape"]) for e in catalogue}
    fixtures = {path.stem for path in INVALID}
    assert shapes - fixtures == set(), "shapes without an invalid fixture"
    assert fixtures - shapes == set(), "fixtures for no shape"


def test_the_invalid_fixtures_are_up_to_date_with_the_minimal_plan():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_invalid", FIXTURES / "make_invalid.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    actual = {p.name: p.read_text(encoding="utf-8") for p in INVALID}
    assert actual == expected, "run: python tests/fixtures/make_invalid.py"


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_each_fixture_makes_exactly_its_shape_fire(fixture, fixture_report, catalogue):
    plan = fixture_report[fixture.stem]
    fired = {local(r["shape"]) for r in plan.results}
    assert fired == {fixture.stem}, plan.results
    severity = {local(e["shape"]): e["severity"] for e in catalogue}[fixture.stem]
    assert plan.conforms == (severity != "Violation")


def _pyshacl_alone(path: Path) -> set[tuple]:
    """Results of plain pySHACL (rdflib's SPARQL engine, the whole base graph): the reference."""
    import rdflib
    from pyshacl import validate

    from ipkg import paths
    from ipkg.validate import load_shapes

    graph = rdflib.Graph()
    for file in [paths.ontology_file(), *paths.vocabulary_files(), *paths.shared_files(), *paths.department_files(),
                 path]:
        graph.parse(file, format="turtle")
    _conforms, report, _text = validate(graph, shacl_graph=load_shapes().graph)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    found = set()
    for node in report.objects(next(report.subjects(rdflib.RDF.type, sh.ValidationReport)), sh.result):
        value = report.value(node, sh.value)
        found.add((str(report.value(node, sh.focusNode)), str(report.value(node, sh.sourceShape)),
                   str(report.value(node, sh.resultSeverity)).rsplit("#", 1)[-1],
                   None if value is None else str(value)))
    return found


@pytest.mark.parametrize("fixture", [MINIMAL, *INVALID], ids=["minimal-plan"] + [p.stem for p in INVALID])
def test_the_two_engines_give_what_plain_pyshacl_gives(fixture, fixture_report):
    """SPARQL constraints on Oxigraph and core shapes on a slice of the base graph change nothing."""
    ours = {(r["focus"], r["shape"], r["severity"], r["value"]) for r in fixture_report[fixture.stem].results}
    assert ours == _pyshacl_alone(fixture)


# ------------------------------------------------------------------------------------ the real plans


def test_the_five_real_plans_conform(bundled_report):
    assert [plan.name for plan in bundled_report.plans] == SLUGS
    for plan in bundled_report.plans:
        assert plan.count("Violation") == 0, plan.results
    assert bundled_report.conforms
    assert bundled_report.exit_code == 0


def test_real_plans_with_rdfs_inference_conform():
    from ipkg.validate import validate

    report = validate(plans=["taixing-2024"], inference="rdfs", cache=False)
    assert report.conforms, report.plans[0].results


def _mutated(tmp_path: Path, slug: str, old: str, new: str, count: int = 1) -> Path:
    text = (REPO / "data" / "ttl" / f"{slug}.ttl").read_text(encoding="utf-8")
    assert text.count(old) == count, (old, text.count(old))
    target = tmp_path / f"{slug}.ttl"
    target.write_text(text.replace(old, new), encoding="utf-8")
    return target


def test_a_real_joint_lead_is_what_keeps_taixing_valid(tmp_path, sources):
    # The source prints two lead units for exactly one task: "2.完善高质量发展政策体系 …
    # (牵头单位:市市场监督管理局〔知识产权局〕、市财政局。…)". Unmarking the joint lead must make
    # TaskSingleLead fire on that task and nothing else.
    from ipkg.validate import validate

    joint = [line for line in sources["taixing-2024"].splitlines() if re.search(r"牵头单位:[^。)]*、", line)]
    assert len(joint) == 1 and joint[0].startswith("2.完善高质量发展政策体系")
    path = _mutated(tmp_path, "taixing-2024", "ipkg:jointLead true ;", "ipkg:jointLead false ;")
    results = validate(paths=[path], cache=False).plans[0].results
    assert [(local(r["shape"]), r["focus_label"]) for r in results] == [("TaskSingleLead", "完善高质量发展政策体系")]


def test_an_unstated_period_start_must_be_recorded(tmp_path, sources):
    # Lianyungang's text gives only the end of its period ("到 2020 年"), no start year.
    from ipkg.validate import validate

    text = sources["lianyungang-2016"]
    assert re.search(r"到\s*2020\s*年", text) and not re.search(r"20\d\d\s*[—–-]\s*2020", text)
    source = (REPO / "data" / "ttl" / "lianyungang-2016.ttl").read_text(encoding="utf-8")
    [line] = [x for x in source.splitlines() if "ipkg:notStatedInText" in x and "ipkg:periodStart" in x]
    items = [i.strip() for i in line.split("ipkg:notStatedInText", 1)[1].rstrip(" ;.").split(",")]
    rest = [i for i in items if i != "ipkg:periodStart"]
    replacement = (line.split("ipkg:notStatedInText")[0] + "ipkg:notStatedInText " + " , ".join(rest)
                   + line.rstrip()[-2:]) if rest else ""
    path = _mutated(tmp_path, "lianyungang-2016", line + "\n", replacement + "\n" if rest else "")
    results = validate(paths=[path], cache=False).plans[0].results
    assert {local(r["shape"]) for r in results} == {"PlanPeriodStart"}
    assert results[0]["focus"] == "https://w3id.org/ipkg/id/plan/lianyungang-2016"


# ------------------------------------------------------------------------------------ the command


def test_cli_exit_codes_and_strict(cli):
    assert cli("validate", MINIMAL).exit_code == 0
    assert cli("validate", FIXTURES / "invalid" / "TaskLead.ttl").exit_code == 1
    warning_only = FIXTURES / "invalid" / "TaskAssignmentGap.ttl"
    assert cli("validate", warning_only).exit_code == 0
    assert cli("validate", "--strict", warning_only).exit_code == 1


def test_cli_malformed_turtle_names_file_and_line(cli, tmp_path):
    bad = tmp_path / "new-plan.ttl"
    lines = MINIMAL.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines) if "ipkg:numberingPath" in text)
    lines[line] = lines[line].replace('"1-1" ;', '"1-1 ;')  # an unterminated string
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("validate", bad)
    assert result.exit_code == 2
    assert f"{bad}:{line + 1}: malformed Turtle" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_missing_file_and_bad_options(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.ttl")
    assert result.exit_code == 2 and "nope.ttl: no such file" in result.stderr
    result = cli("validate", "--plan", "atlantis-2099")
    assert result.exit_code == 2 and "unknown plan atlantis-2099" in result.stderr
    result = cli("validate", "--plan", "taixing-2024", MINIMAL)
    assert result.exit_code == 2 and "not both" in result.stderr


def test_cli_a_file_without_a_plan_is_not_silently_valid(cli, tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    result = cli("validate", empty, REPO / "ontology" / "ipkg.ttl")
    assert result.exit_code == 2
    assert "empty.ttl: no ipkg:Plan in this file" in result.stderr
    assert "ipkg.ttl: no ipkg:Plan in this file" in result.stderr


def test_a_file_with_two_plans_is_refused(cli, tmp_path):
    """The report names each file by its plan: a file holding two would be reported under one."""
    both = tmp_path / "two-plans.ttl"
    both.write_text(MINIMAL.read_text(encoding="utf-8")
                    + "\n<https://w3id.org/ipkg/id/plan/second-2024> a <https://w3id.org/ipkg/ontology#Plan> .\n",
                    encoding="utf-8")
    result = cli("validate", "--no-cache", both)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {both}: 2 plans in one file (https://w3id.org/ipkg/id/plan/fixture-2024, "
                             "https://w3id.org/ipkg/id/plan/second-2024): give each plan its own file\n")


def test_cli_rejects_shapes_that_are_not_valid_shacl(cli, tmp_path):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount "one" ] .\n',
        encoding="utf-8")
    result = cli("validate", "--shapes", shapes, MINIMAL)
    assert result.exit_code == 2 and "not valid SHACL" in result.stderr


def test_shapes_whose_sparql_calls_a_service_are_refused(cli, tmp_path):
    """A SHACL-SPARQL constraint with SERVICE would make validation reach the network: refused
    before any plan is validated, whichever engine would run it (here a listener would see it)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    calls = []

    def answer_none():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed at the end of the test
                return
            calls.append(connection)
            connection.close()

    threading.Thread(target=answer_none, daemon=True).start()
    shapes = tmp_path / "shapes"
    shutil.copytree(REPO / "shapes", shapes)
    (shapes / "remote.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "@prefix ipkg: <https://w3id.org/ipkg/ontology#> .\n"
        "ex:Remote a sh:NodeShape ; sh:targetClass ipkg:Plan ; sh:sparql [ sh:select \"\"\"\n"
        f"SELECT $this WHERE {{ ?x ?y true.SERVICE <http://127.0.0.1:{port}/sparql> {{ $this ?p ?o }} }}\n"
        "\"\"\" ] .\n", encoding="utf-8")
    result = cli("validate", "--shapes", shapes, "--no-cache", MINIMAL)
    assert result.exit_code == 2
    assert result.stderr == ("Error: http://example.org/Remote: its SPARQL has a SERVICE clause, which would reach the network; "
                             "ipkg validate does not run such shapes\n")
    listener.close()
    assert calls == []


def test_ill_typed_literals_are_violations_said_in_one_line(cli, tmp_path):
    """rdflib gives "twenty"^^xsd:gYear no error at all (the year shapes add a pattern) and logs a
    traceback for "abc"^^xsd:decimal: both are violations, and nothing else reaches stderr."""
    text = MINIMAL.read_text(encoding="utf-8")
    for old, new in (('ipkg:targetYear "2026"^^xsd:gYear', 'ipkg:targetYear "twenty"^^xsd:gYear'),
                     ('ipkg:targetValue "3500"^^xsd:decimal', 'ipkg:targetValue "abc"^^xsd:decimal')):
        assert old in text
        text = text.replace(old, new)
    plan = tmp_path / "ill-typed.ttl"
    plan.write_text(text, encoding="utf-8")
    result = cli("validate", "--format", "json", "--no-cache", "-j", "1", plan)
    assert result.exit_code == 1 and result.stderr == ""
    fired = {r["shape"].rsplit("#", 1)[-1] for p in json.loads(result.stdout)["plans"] for r in p["results"]}
    assert fired == {"IndicatorTargetYear", "IndicatorValue"}


def test_text_report_names_nodes_messages_values_and_files(cli):
    fixture = FIXTURES / "invalid" / "TaskDepartmentCity.ttl"
    out = cli("validate", fixture).stdout
    assert "tests/fixtures/invalid/TaskDepartmentCity.ttl" in out
    assert "泰兴市知识产权测试工作方案（2024-2026年）" in out  # the plan, by its Chinese title
    assert "加强知识产权顶层设计 <https://w3id.org/ipkg/id/task/fixture-2024/1-1>" in out  # focus node
    assert "ipkgsh:TaskDepartmentCity" in out
    assert "belongs to another city than its plan" in out  # the shape's message
    assert "泰兴市第二测试局 <https://w3id.org/ipkg/id/org/taixing/test-office-2>" in out  # the value
    zh = cli("validate", "--lang", "zh", fixture).stdout
    assert "承担该任务的部门属于另一个城市" in zh


def test_json_report_is_machine_readable_and_stable(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    files = [MINIMAL, FIXTURES / "invalid" / "TaskLead.ttl", FIXTURES / "invalid" / "PlanGoals.ttl"]
    cold = cli("validate", "--format", "json", "-j", "1", *files)
    warm = cli("validate", "--format", "json", "-j", "2", *files)
    assert cold.exit_code == warm.exit_code == 1
    assert cold.stdout == warm.stdout  # cached or not, one worker or two: the same bytes
    data = json.loads(cold.stdout)
    assert data["conforms"] is False
    assert data["summary"] == {"plans": 3, "plans_with_violations": 1, "violations": 1, "warnings": 1, "infos": 0}
    by_source = {plan["source"]: plan for plan in data["plans"]}
    lead = by_source["tests/fixtures/invalid/TaskLead.ttl"]
    assert lead["conforms"] is False and lead["violations"] == 1
    [result] = lead["results"]
    assert result["shape"] == SHAPES_NS + "TaskLead"
    assert result["focus"] == "https://w3id.org/ipkg/id/task/fixture-2024/1-1"
    assert result["focus_label"] == "加强知识产权顶层设计"
    assert result["severity"] == "Violation"
    assert set(result["message"]) == {"zh", "en"}
    assert by_source["tests/fixtures/invalid/PlanGoals.ttl"]["conforms"] is True  # a warning only
    assert list(data) == sorted(data)


def test_turtle_report_is_a_shacl_validation_report(cli):
    import rdflib

    files = [FIXTURES / "invalid" / "TaskLeadShortcuts.ttl", FIXTURES / "invalid" / "TaskPlan.ttl"]
    result = cli("validate", "--format", "turtle", *files)
    assert result.exit_code == 1
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    [report] = list(graph.subjects(rdflib.RDF.type, sh.ValidationReport))
    assert graph.value(report, sh.conforms).toPython() is False
    shapes = {str(graph.value(r, sh.sourceShape)) for r in graph.objects(report, sh.result)}
    assert shapes == {SHAPES_NS + "TaskLeadShortcuts", SHAPES_NS + "TaskPlan"}


def test_output_file_is_written(cli, tmp_path):
    target = tmp_path / "report.json"
    result = cli("validate", "--format", "json", "-o", target, MINIMAL)
    assert result.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["conforms"] is True


# ------------------------------------------------------------------------------------ cache and cores


def test_unchanged_plans_come_from_the_cache(tmp_path, monkeypatch):
    from ipkg.validate import validate

    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    work = tmp_path / "plans"
    work.mkdir()
    for source in [MINIMAL, FIXTURES / "invalid" / "TaskLead.ttl", FIXTURES / "invalid" / "IndicatorPercent.ttl"]:
        (work / source.name).write_bytes(source.read_bytes())
    first = validate(paths=[work])
    assert first.cached == 0
    second = validate(paths=[work])
    assert second.cached == 3 and second.to_json() == first.to_json()
    (work / "TaskLead.ttl").write_text((work / "TaskLead.ttl").read_text(encoding="utf-8") + "\n# edited\n",
                                       encoding="utf-8")
    third = validate(paths=[work])
    assert third.cached == 2 and third.to_json() == first.to_json()
    assert validate(paths=[work], cache=False).cached == 0
    entries = list((tmp_path / "cache" / "validate").iterdir())
    assert entries and not [e for e in entries if e.name.startswith(".")]  # no temporary files left


def test_a_changed_department_file_revalidates_that_citys_plans_only(tmp_path, monkeypatch):
    """Plans depend on the shared base as a whole, except departments: a plan's results are reused
    while the department files of the cities it names are unchanged."""
    import shutil

    from ipkg.validate import validate

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "data" / "ttl", corpus)
    monkeypatch.setenv("IPKG_PLANS_DIR", str(corpus))
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    assert validate().cached == 0
    departments = corpus / "shared" / "departments" / "taixing.ttl"
    text = departments.read_text(encoding="utf-8")
    departments.write_text(text.replace("function-type/agriculture>", "function-type/farming>", 1), encoding="utf-8")
    report = validate()
    assert [(plan.name, plan.cached) for plan in report.plans] == [
        ("lianyungang-2016", True), ("taixing-2024", False), ("yancheng-2022", True), ("yangjiang-2017", True),
        ("yantai-2016", True)]
    assert {local(r["shape"]) for r in report.plans[1].results if r["severity"] == "Violation"} == {
        "DepartmentFunctionType"}  # the change was seen
    departments.unlink()
    report = validate()
    assert [plan.name for plan in report.plans if not plan.cached] == ["taixing-2024"]
    assert not report.conforms  # its departments are described nowhere now


def test_a_same_size_edit_of_an_indexed_file_is_seen(tmp_path, monkeypatch):
    from ipkg.validate import validate

    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    plan = tmp_path / "plan.ttl"
    plan.write_bytes(MINIMAL.read_bytes())
    os.utime(plan, (1_700_000_000, 1_700_000_000))  # old enough for the digest index to trust
    assert validate(paths=[plan]).conforms
    assert validate(paths=[plan]).cached == 1
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('oa:start "0"', 'oa:start "9"'), encoding="utf-8")  # same size
    os.utime(plan, (1_700_000_100, 1_700_000_100))
    report = validate(paths=[plan])
    assert report.cached == 0
    assert {local(r["shape"]) for r in report.plans[0].results} == set()  # 9 < 10: still valid
    plan.write_text(text.replace('oa:start "0"', 'oa:start "11"').replace('oa:end "10"', 'oa:end "1"'),
                    encoding="utf-8")  # same size again
    os.utime(plan, (1_700_000_200, 1_700_000_200))
    report = validate(paths=[plan])
    assert report.cached == 0
    assert {local(r["shape"]) for r in report.plans[0].results} == {"PositionSelectorOffsets"}


def test_two_runs_at_once_share_the_cache_safely(tmp_path):
    env = dict(os.environ, IPKG_CACHE_DIR=str(tmp_path / "cache"))
    command = [sys.executable, "-c", "from ipkg.cli import main; main()", "validate", "--format", "json",
               str(FIXTURES / "invalid")]
    runs = [subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [1, 1], [err.decode() for _, err in outputs]
    assert all(b"Traceback" not in err for _, err in outputs)
    assert outputs[0][0] == outputs[1][0]
    cached = list((tmp_path / "cache" / "validate").glob("*.json"))
    assert len(cached) == len(INVALID)
    for entry in cached:
        json.loads(entry.read_text(encoding="utf-8"))


def test_parallel_and_serial_runs_agree():
    from ipkg.validate import validate

    files = [MINIMAL, *INVALID[:6]]
    assert validate(paths=files, jobs=1, cache=False).to_json() == validate(paths=files, jobs=2, cache=False).to_json()
