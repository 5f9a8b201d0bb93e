"""The `ipkg` command end to end: stats, export, curate, errors, start-up cost, the wheel."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import rdflib

from ipkg import paths

REPO = Path(__file__).resolve().parent.parent
PLAN_GRAPH = "https://w3id.org/ipkg/id/graph/{}"


def test_stats_lists_the_five_plans(cli):
    result = cli("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["slug"]: row for row in json.loads(result.stdout)}
    assert sorted(rows) == ["lianyungang-2016", "taixing-2024", "yancheng-2022", "yangjiang-2017", "yantai-2016"]
    # numbered key tasks, counted in the source texts (items under 重点任务 / 战略任务)
    assert {slug: row["tasks"] for slug, row in rows.items()} == {
        "lianyungang-2016": 20, "taixing-2024": 13, "yancheng-2022": 23, "yangjiang-2017": 20, "yantai-2016": 29}
    # plans without per-task assignments have no task departments
    assert rows["lianyungang-2016"]["departments"] == 0 and rows["yantai-2016"]["departments"] == 0
    assert all(row["triples"] > 1000 for row in rows.values())


def test_stats_table_and_plan_filter(cli):
    result = cli("stats", "--plan", "taixing-2024")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["slug", "tasks", "departments"]
    assert len(lines) == 3 and lines[2].startswith("taixing-2024")


def test_stats_of_chosen_plans_agree_with_the_whole_corpus(cli):
    """--plan reads each plan through its own graphs (and its city's departments): same counts."""
    whole = {row["slug"]: row for row in json.loads(cli("stats", "--format", "json").stdout)}
    chosen = cli("stats", "--plan", "yancheng-2022", "--plan", "taixing-2024", "--format", "json")
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout) == [whole["taixing-2024"], whole["yancheng-2022"]]


def test_stats_unknown_plan_is_a_usage_error(cli):
    result = cli("stats", "--plan", "atlantis-2099")
    assert result.exit_code == 2
    assert "unknown plan atlantis-2099" in result.stderr


@pytest.mark.parametrize("fmt,parse_format", [("trig", "trig"), ("turtle", "turtle"), ("nt", "nt"),
                                              ("jsonld", "json-ld"), ("nquads", "nquads")])
def test_export_round_trips(cli, tmp_path, fmt, parse_format):
    out = tmp_path / f"graph.{fmt}"
    result = cli("export", "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    if fmt in ("trig", "nquads"):
        graph = rdflib.Dataset()
        graph.parse(out, format=parse_format)
        names = {str(g.identifier) for g in graph.graphs()}
        assert PLAN_GRAPH.format("taixing-2024") in names and PLAN_GRAPH.format("shared") in names
        plan_graph = graph.graph(rdflib.URIRef(PLAN_GRAPH.format("taixing-2024")))
        assert len(plan_graph) == len(rdflib.Graph().parse(paths.plans_dir() / "taixing-2024.ttl"))
    else:
        from rdflib.compare import isomorphic

        graph = rdflib.Graph().parse(out, format=parse_format)
        expected = rdflib.Graph()
        for path in [paths.ontology_file(), *paths.vocabulary_files(), *paths.shared_files(), *paths.department_files(),
                     *paths.plan_files()]:
            expected.parse(path)
        # the same statements, literals in the files' own lexical forms and datatypes
        assert isomorphic(graph, expected)


def test_export_is_deterministic(cli, tmp_path):
    first, second = tmp_path / "a.trig", tmp_path / "b.trig"
    cli("export", "-o", first)
    cli("export", "-o", second)
    assert first.read_bytes() == second.read_bytes()


def test_export_leaves_no_partial_file_on_error(cli, tmp_path):
    target = tmp_path / "out.ttl"
    target.write_text("previous content")
    result = cli("export", "--format", "turtle", "-o", target, "--plan", "no-such-plan")
    assert result.exit_code == 2
    assert target.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_curate_check_passes(cli):
    result = cli("curate", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok")


def test_curate_check_reports_a_broken_anchor(cli, tmp_path, monkeypatch):
    """A record whose anchor is not in the source text fails with the record and field named."""
    import shutil

    root = tmp_path / "root"
    for part in ("ontology", "data/sources", "data/curation"):
        shutil.copytree(REPO / part, root / part)
    record = root / "data/curation/taixing-2024.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("1.加强知识产权发展顶层设计。", "1.加强知识产权发展顶层设计!", 1), encoding="utf-8")
    monkeypatch.setattr(paths, "root", lambda: root)
    result = cli("curate", "check")
    assert result.exit_code == 1
    assert "taixing-2024.yaml: tasks.0.start" in result.stdout


def test_malformed_user_turtle_names_file_and_line(tmp_path):
    from ipkg.errors import DataError
    from ipkg.store import open_store, resolve_inputs

    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n')
    with pytest.raises(DataError, match=r"bad\.ttl:3: malformed Turtle"):
        open_store(resolve_inputs([bad]), cache=False)


def test_help_is_fast_and_imports_nothing_heavy():
    """`ipkg --help` imports click only (measured in-process: the heavy libraries stay unloaded)."""
    code = ("import sys, ipkg.cli; from click.testing import CliRunner; "
            "r = CliRunner().invoke(ipkg.cli.main, ['--help']); assert r.exit_code == 0; "
            "heavy = [m for m in ('rdflib', 'pyshacl', 'networkx', 'matplotlib', 'pyoxigraph', 'SPARQLWrapper', 'yaml') "
            "if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_wheel_ships_the_data_and_works_outside_the_checkout(tmp_path):
    """A regular (non-editable) install carries ontology, data, queries and shapes; commands work
    from any directory."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheel_dir), str(REPO)], check=True, capture_output=True)
    wheel = next(wheel_dir.glob("ipkg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("ipkg/_bundle/ontology/ipkg.ttl", "ipkg/_bundle/data/ttl/taixing-2024.ttl",
                     "ipkg/_bundle/data/sources/taixing-2024.txt", "ipkg/_bundle/queries/plan-stats.rq"):
        assert required in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target), "IPKG_CACHE_DIR": str(tmp_path / "cache")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-c", "import ipkg.paths, ipkg.cli; print(ipkg.paths.root()); "
                             "ipkg.cli.main(['stats'])"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout.splitlines()[0]
    assert "taixing-2024" in result.stdout


def test_outputs_get_ordinary_file_permissions(cli, tmp_path):
    """Atomic writes must not leave outputs private (mkstemp's 0600): they get the umask's mode."""
    out = tmp_path / "graph.nt"
    assert cli("export", "--format", "nt", "-o", out).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_outputs_go_through_links_and_devices_and_fail_cleanly(cli, tmp_path):
    """-o follows a symbolic link (the file it names is replaced, the link stays), writes into a
    device or a /dev/stdout-like link instead of replacing it, writes '-' to stdout, and a path
    that cannot be written is a one-line error (exit 2) that leaves nothing behind."""
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert cli("query", "plan-stats", "--format", "csv", "-o", link).exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("plan,slug,title")

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    assert cli("query", "plan-stats", "--format", "csv", "-o", fifo).exit_code == 0
    assert reader.communicate(timeout=30)[0].startswith("plan,slug,title")
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # not replaced by a regular file

    to_stdout = cli("query", "plan-stats", "--format", "csv", "-o", "-")
    assert to_stdout.stdout.startswith("plan,slug,title") and not (Path.cwd() / "-").exists()

    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    failed = cli("query", "plan-stats", "-o", blocker / "out.txt")
    assert failed.exit_code == 2
    assert failed.stderr == f"Error: cannot write {blocker / 'out.txt'}: {blocker} is not a directory\n"


def test_writing_into_dev_and_proc_paths_appends_instead_of_replacing(tmp_path):
    """/dev/stdout may be a link to a file the shell opened with `>`: replacing that file would
    lose what was written before; such paths are written to, at the end."""
    from ipkg.export import _written_through

    assert _written_through(Path("/dev/null")) and _written_through(Path("/proc/self/fd/1"))
    assert _written_through(Path("/dev/stdout"))
    link = tmp_path / "stdout-link"
    link.symlink_to("/proc/self/fd/1")
    assert _written_through(link)
    assert not _written_through(tmp_path / "plain.txt")
    shared_memory = Path("/dev/shm")
    if shared_memory.is_dir():  # a file system like any other: a second write replaces the file
        assert not _written_through(shared_memory / "ipkg-output.csv")


def test_a_plans_directory_that_does_not_exist_is_an_error(cli, monkeypatch, tmp_path):
    """A typo in IPKG_PLANS_DIR used to read as a corpus without plans: empty tables, exit 0."""
    missing = tmp_path / "no-such-plans"
    monkeypatch.setenv("IPKG_PLANS_DIR", str(missing))
    for command in (["stats"], ["query", "plan-stats"], ["export", "-o", tmp_path / "x.trig"], ["validate"]):
        result = cli(*command)
        assert (result.exit_code, result.stderr) == (2, f"Error: IPKG_PLANS_DIR={missing}: no such directory\n")
    assert not (tmp_path / "x.trig").exists()


def test_a_plan_file_that_cannot_be_read_is_a_one_line_error(cli, monkeypatch, tmp_path):
    plans = tmp_path / "plans"
    shutil.copytree(paths.data_dir() / "ttl", plans)
    (plans / "zz-folder.ttl").mkdir()
    monkeypatch.setenv("IPKG_PLANS_DIR", str(plans))
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    for command in (["stats"], ["query", "plan-stats"], ["export", "-o", tmp_path / "x.trig"]):
        result = cli(*command)
        assert result.exit_code == 2
        assert result.stderr == f"Error: {plans / 'zz-folder.ttl'}: cannot read (Is a directory)\n"


def test_an_unusable_cache_directory_is_worked_around_and_said(cli, monkeypatch, tmp_path):
    """A file where the cache directory should be: the commands still answer, from memory and
    without cached validation results, and say why on stderr."""
    blocker = tmp_path / "cache"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("IPKG_CACHE_DIR", str(blocker))
    said = (f"ipkg: cannot use the cache directory {blocker} (a file, not a directory): working without a "
            f"cache (set IPKG_CACHE_DIR to another directory)\n")
    stats = cli("stats", "--format", "json")
    assert stats.exit_code == 0 and "taixing-2024" in stats.stdout and stats.stderr == said
    checked = cli("validate", "--plan", "taixing-2024")
    assert checked.exit_code == 0 and checked.stderr.startswith(said)


def test_query_input_mistakes_are_one_line_errors(cli, tmp_path):
    binary = tmp_path / "binary.rq"
    binary.write_bytes(b'SELECT * { ?s ?p "\xff\xfe" }')
    cases = [
        (["query", binary], f"Error: {binary}: not UTF-8 text (byte 18)\n"),
        (["query", "search-tasks", "--param", "text=专利", "--param", "text=商标"],
         "Error: --param text given twice ('专利' and '商标'): give one value\n"),
        (["query", "lead-departments", "--plan", ""], "Error: --plan needs a plan's slug, e.g. taixing-2024\n"),
    ]
    for args, said in cases:
        result = cli(*args)
        assert (result.exit_code, result.stderr) == (2, said)
    piped = cli("query", "-", input=binary.read_bytes())
    assert piped.exit_code == 2 and piped.stderr.endswith("Error: standard input is not UTF-8 text (byte 18)\n")


def test_updates_on_the_embedded_copy_know_the_prefixes_and_never_load(cli):
    """An update runs on an in-memory copy: with ipkg's prefixes like a query, never LOAD (which
    would read the network or the disk), and not with --plan (an update names its graphs)."""
    deleted = cli("query", "-", "--allow-update", input="DELETE WHERE { GRAPH ?g { ?a ipkg:isLead ?lead } }")
    before, after = (int(n.replace(",", "")) for n in re.search(r"([\d,]+) → ([\d,]+) quads", deleted.stdout).groups())
    assert deleted.exit_code == 0 and after < before
    for update in ("LOAD <http://127.0.0.1:9/plan.ttl>", "LOAD <file:///etc/passwd> INTO GRAPH <urn:x>"):
        refused = cli("query", "-", "--allow-update", input=update)
        assert refused.exit_code == 2 and refused.stderr.startswith("Error: LOAD would read a file or the network")
    with_plan = cli("query", "-", "--allow-update", "--plan", "taixing-2024", input="CLEAR ALL")
    assert with_plan.exit_code == 2 and "an update names its graphs itself" in with_plan.stderr


def test_a_byte_order_mark_is_named_as_such(cli, monkeypatch, tmp_path):
    """Editors on Windows often save UTF-8 with a BOM, which Turtle does not allow: the error says
    what to do instead of '\\ufeff is not a valid subject'."""
    plans = tmp_path / "plans"
    shutil.copytree(paths.data_dir() / "ttl", plans)
    taixing = plans / "taixing-2024.ttl"
    taixing.write_bytes(b"\xef\xbb\xbf" + taixing.read_bytes())
    monkeypatch.setenv("IPKG_PLANS_DIR", str(plans))
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    said = (f"{taixing}:1: malformed Turtle: the file starts with a byte-order mark (U+FEFF): save it as UTF-8 "
            "without BOM")
    for command in (["stats"], ["export", "-o", "-"], ["validate", "--plan", "taixing-2024"]):
        result = cli(*command)
        assert result.exit_code == 2 and said in result.stderr, (command, result.stderr)


def test_an_output_never_replaces_an_input(cli, tmp_path):
    """`ipkg validate my.ttl -o my.ttl` replaced the plan with its report; the same for a query
    file, and for any file of the corpus (a plan, a shape) with every command that writes."""
    plan = tmp_path / "my.ttl"
    shutil.copyfile(REPO / "tests" / "fixtures" / "valid" / "minimal-plan.ttl", plan)
    query = tmp_path / "q.rq"
    query.write_text("SELECT * { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    corpus_plan = paths.plan_files()[0]
    shape = sorted(paths.shapes_dir().glob("*.ttl"))[0]
    attempts = [["validate", plan, "-o", plan], ["validate", tmp_path, "-o", plan], ["query", query, "-o", query],
                ["export", "-o", corpus_plan], ["network", "html", "-o", shape],
                ["network", "export", "-o", corpus_plan, "--format", "json"], ["query", "plan-stats", "-o", shape]]
    before = {p: p.read_bytes() for p in (plan, query, corpus_plan, shape)}
    for args in attempts:
        result = cli(*args)
        assert result.exit_code == 2, args
        assert "is a file this command reads: write the output elsewhere" in result.stderr, args
    assert {p: p.read_bytes() for p in before} == before


def test_dash_is_stdout_where_there_is_one_output(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = cli("network", "html", "-o", "-")
    assert page.exit_code == 0 and page.stdout.startswith("<!DOCTYPE html>")
    for args in (["network", "export", "-o", "-"], ["network", "draw", "-o", "-"]):
        refused = cli(*args)
        assert refused.exit_code == 2 and "give a file name, not -" in refused.stderr
    assert list(tmp_path.iterdir()) == []


def test_more_query_mistakes_say_what_to_do(cli, tmp_path):
    (tmp_path / "folder.rq").mkdir()
    cases = [
        (["query", "lead-departments", "--plan", "taixing-2024", "--plan", "yancheng-2022"],
         "--plan given 2 times: a query runs on one plan's graphs (or, without --plan, on all)"),
        (["query", tmp_path / "folder.rq"], f"{tmp_path / 'folder.rq'}: a directory, not a query file"),
        (["query", "lead-departments.rq"], "lead-departments.rq: no such file (the named query is `ipkg query "
                                           "lead-departments`)"),
        (["query", "metric-targets", "--param", "metric=registered-trademarks"],
         "not an IRI: 'registered-trademarks' (write metric:registered-trademarks or a full IRI)"),
        (["validate", "--shapes", REPO / "shapes" / "README.md"],
         f"{REPO / 'shapes' / 'README.md'}: not a directory (--shapes takes the directory of *.ttl shapes)"),
    ]
    for args, said in cases:
        result = cli(*args)
        assert result.exit_code == 2 and said in result.stderr, (args, result.stderr)
    empty = cli("query", "-", input="")
    assert (empty.exit_code, empty.stderr) == (2, "Error: the query is empty\n")
    both = cli("query", "lead-departments", "--param", "plan=plan:taixing-2024", "--plan", "yancheng-2022")
    assert both.exit_code == 2 and "name different plans: the answer would be empty" in both.stderr
    agree = cli("query", "lead-departments", "--param", "plan=plan:taixing-2024", "--plan", "taixing-2024")
    assert agree.exit_code == 0 and agree.stdout.count("\n") > 2


def test_the_output_suffix_chooses_the_format_unless_told_otherwise(cli, tmp_path):
    """`ipkg export -o all.ttl` wrote TriG, which no Turtle parser reads; `-o out.csv` a text table."""
    exported = tmp_path / "all.ttl"
    assert cli("export", "-o", exported).exit_code == 0
    rdflib.Graph().parse(exported, format="turtle")  # Turtle, not TriG
    table = tmp_path / "stats.csv"
    assert cli("query", "plan-stats", "-o", table).exit_code == 0
    assert table.read_text(encoding="utf-8").startswith("plan,slug,title")
    report = tmp_path / "report.json"
    assert cli("validate", "--plan", "taixing-2024", "-o", report).exit_code == 0
    assert json.loads(report.read_text(encoding="utf-8"))["conforms"] is True
    clash = cli("query", "plan-stats", "--format", "json", "-o", tmp_path / "x.csv")
    assert clash.exit_code == 2 and "--format json but -o" in clash.stderr and not (tmp_path / "x.csv").exists()
    plain = tmp_path / "stats.txt"  # no suffix it knows: the default format
    assert cli("query", "plan-stats", "-o", plain).exit_code == 0
    assert plain.read_text(encoding="utf-8").startswith("plan ")


def test_cache_list_says_when_the_cache_directory_is_unusable(cli, monkeypatch, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("IPKG_CACHE_DIR", str(blocker))
    listed = cli("cache", "list")
    assert listed.exit_code == 0 and listed.stderr.startswith(f"ipkg: cannot use the cache directory {blocker}")
