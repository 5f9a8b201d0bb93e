"""`ipkg curate build`: a city's departments are described once, from all its plans' records."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ipkg import curate, paths

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def checkout_copy(tmp_path, monkeypatch):
    """A copy of the ontology, sources, records and generated Turtle that curate reads and writes."""
    root = tmp_path / "root"
    for part in ("ontology", "data/sources", "data/curation", "data/ttl"):
        shutil.copytree(REPO / part, root / part)
    monkeypatch.setattr(paths, "root", lambda: root)
    monkeypatch.delenv("IPKG_PLANS_DIR", raising=False)
    return root


@pytest.fixture
def second_taixing_plan(checkout_copy):
    """A checkout copy with a second Taixing plan: the 2024 record and text under another slug."""
    root = checkout_copy
    shutil.copyfile(root / "data/sources/taixing-2024.txt", root / "data/sources/taixing-2030.txt")
    record = (root / "data/curation/taixing-2024.yaml").read_text(encoding="utf-8")
    (root / "data/curation/taixing-2030.yaml").write_text(
        record.replace("slug: taixing-2024", "slug: taixing-2030", 1), encoding="utf-8")
    return root


def test_one_department_file_per_city_shared_by_its_plans(second_taixing_plan):
    root = second_taixing_plan
    written = curate.build()
    departments = root / "data/ttl/shared/departments/taixing.ttl"
    assert departments in written
    assert departments.read_text(encoding="utf-8") == (REPO / "data/ttl/shared/departments/taixing.ttl").read_text(
        encoding="utf-8")
    for slug in ("taixing-2024", "taixing-2030"):
        plan = (root / f"data/ttl/{slug}.ttl").read_text(encoding="utf-8")
        assert "a ipkg:Department" not in plan
        assert "<https://w3id.org/ipkg/id/org/taixing/market-regulation>" in plan  # named, described elsewhere


def test_a_department_described_differently_by_two_plans_is_an_error(second_taixing_plan):
    root = second_taixing_plan
    record = root / "data/curation/taixing-2030.yaml"
    text = record.read_text(encoding="utf-8")
    assert "function: market-regulation" in text
    record.write_text(text.replace("function: market-regulation", "function: ip-office", 1), encoding="utf-8")
    problems = curate.check()
    assert any("taixing-2030.yaml: department <https://w3id.org/ipkg/id/org/taixing/market-regulation> "
               "is described differently in taixing-2024.yaml" in problem for problem in problems), problems


def test_printed_forms_of_a_department_are_gathered_from_every_plan(second_taixing_plan):
    root = second_taixing_plan
    record = root / "data/curation/taixing-2030.yaml"
    text = record.read_text(encoding="utf-8")
    marker = "note: \"One body: the market regulation administration"
    assert marker in text
    record.write_text(text.replace(marker, "note: \"In the 2030 plan, the market regulation administration", 1),
                      encoding="utf-8")
    curate.build()
    merged = (root / "data/ttl/shared/departments/taixing.ttl").read_text(encoding="utf-8")
    assert "One body: the market regulation administration" in merged
    assert "In the 2030 plan, the market regulation administration" in merged


def test_check_of_an_unknown_slug_is_an_error_naming_the_known_slugs(checkout_copy, cli):
    result = cli("curate", "check", "nosuch")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: unknown plan nosuch (curation records: lianyungang-2016, taixing-2024,")


def test_check_of_some_slugs_does_not_claim_the_turtle_is_up_to_date(checkout_copy, cli):
    result = cli("curate", "check", "taixing-2024")
    assert result.exit_code == 0, result.output
    assert "every anchor found" in result.stdout
    assert "up to date" not in result.stdout


def _edit(root: Path, name: str, old: str, new: str) -> None:
    record = root / "data/curation" / name
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("damage, message", [
    (lambda root: (root / "data/sources/taixing-2024.txt").unlink(), "taixing-2024.txt: no such file"),
    (lambda root: (root / "data/curation/places.yaml").unlink(), "places.yaml: no such file"),
    (lambda root: (root / "data/curation/taixing-2024.yaml").write_bytes(b"slug: \xff\xfe\n"),
     "taixing-2024.yaml: not UTF-8 text"),
    (lambda root: (root / "data/sources/taixing-2024.txt").write_bytes(b"\xff\xfe"), "taixing-2024.txt: not UTF-8 text"),
], ids=["source missing", "places missing", "record not UTF-8", "source not UTF-8"])
def test_an_unreadable_file_is_a_one_line_error_naming_it(checkout_copy, cli, damage, message):
    damage(checkout_copy)
    result = cli("curate", "check")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("old, new, message", [
    ("date: 2024-06-18,", "date: 2024-13-45,", "taixing-2024.yaml: dates.0.date: '2024-13-45' is not a date (YYYY-MM-DD)"),
    ("date: 2024-06-18,", 'date: "June 18",', "taixing-2024.yaml: dates.0.date: 'June 18' is not a date (YYYY-MM-DD)"),
    ("period: {start: 2024,", "period: {start: twenty twenty-four,",
     "taixing-2024.yaml: period.start: 'twenty twenty-four' is not a year"),
    ("  - key: government-office\n", "  - \n", "taixing-2024.yaml: departments.0.key: department key missing"),
    ("    en: General Office of the Taixing Municipal People's Government\n", "",
     "taixing-2024.yaml: departments: a required field 'en' is missing"),
    ('    start: "1.知识产权产出质量稳步提升。"\n', "", "taixing-2024.yaml: goals: a required field 'start' is missing"),
    ("  dept: government-office\n", "  dept: no-such-office\n",
     "taixing-2024.yaml: issuer.dept: unknown department 'no-such-office' (not among the record's departments)"),
], ids=["impossible date", "date not ISO", "period start not a year", "department without key",
        "department without English name", "goal without start", "issuer not a department"])
def test_a_malformed_field_is_a_problem_naming_record_and_field(checkout_copy, cli, old, new, message):
    _edit(checkout_copy, "taixing-2024.yaml", old, new)
    assert message in curate.check()
    checked = cli("curate", "check")
    assert checked.exit_code == 1 and message in checked.stdout.splitlines()
    built = cli("curate", "build")
    assert built.exit_code == 2 and message in built.stderr


def test_build_writes_the_bundled_plans_never_another_corpus(checkout_copy, cli, monkeypatch, tmp_path):
    """IPKG_PLANS_DIR points the other commands at another corpus; `curate build` regenerates
    data/ttl from data/curation all the same, and leaves that corpus as it was."""
    other = tmp_path / "other-corpus"
    (other / "shared").mkdir(parents=True)
    (other / "taixing-2024.ttl").write_text("# someone else's plan\n", encoding="utf-8")
    monkeypatch.setenv("IPKG_PLANS_DIR", str(other))
    _edit(checkout_copy, "taixing-2024.yaml", "en: General Office of the Taixing Municipal People's Government",
          "en: General Office of Taixing")
    built = cli("curate", "build")
    assert built.exit_code == 0, built.output
    assert sorted(p.relative_to(other).as_posix() for p in other.rglob("*")) == ["shared", "taixing-2024.ttl"]
    assert (other / "taixing-2024.ttl").read_text(encoding="utf-8") == "# someone else's plan\n"
    departments = checkout_copy / "data/ttl/shared/departments/taixing.ttl"
    assert "General Office of Taixing" in departments.read_text(encoding="utf-8")


def test_a_build_that_cannot_write_one_file_writes_none(checkout_copy, cli, monkeypatch):
    import ipkg.export

    _edit(checkout_copy, "taixing-2024.yaml", "en: General Office of the Taixing Municipal People's Government",
          "en: General Office of Taixing")  # changes both the plan's file and the city's departments
    ttl = checkout_copy / "data/ttl"
    before = {p: p.read_bytes() for p in ttl.rglob("*.ttl")}
    staged = ipkg.export._staged

    def full_disk_at_departments(path, data):
        if path.parent.name == "departments":
            raise OSError(28, "No space left on device")
        return staged(path, data)

    monkeypatch.setattr(ipkg.export, "_staged", full_disk_at_departments)
    built = cli("curate", "build")
    assert built.exit_code == 2
    assert built.stderr == f"Error: cannot write {ttl / 'shared/departments/taixing.ttl'}: No space left on device\n"
    assert {p: p.read_bytes() for p in ttl.rglob("*.ttl")} == before
    assert not [p for p in ttl.rglob("*") if p.name.endswith(".tmp")]
