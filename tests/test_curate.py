"""`ipkg curate build`: a city's departments are described once, from all its plans' records."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ipkg import curate, paths

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def second_taixing_plan(tmp_path, monkeypatch):
    """A checkout copy with a second Taixing plan: the 2024 record and text under another slug."""
    root = tmp_path / "root"
    for part in ("ontology", "data/sources", "data/curation", "data/ttl"):
        shutil.copytree(REPO / part, root / part)
    shutil.copyfile(root / "data/sources/taixing-2024.txt", root / "data/sources/taixing-2030.txt")
    record = (root / "data/curation/taixing-2024.yaml").read_text(encoding="utf-8")
    (root / "data/curation/taixing-2030.yaml").write_text(
        record.replace("slug: taixing-2024", "slug: taixing-2030", 1), encoding="utf-8")
    monkeypatch.setattr(paths, "root", lambda: root)
    monkeypatch.delenv("IPKG_PLANS_DIR", raising=False)
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
