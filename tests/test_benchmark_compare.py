"""benchmarks.compare: the tool query changes are decided with must notice a changed answer."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.compare import main  # noqa: E402

PARTNERS = REPO / "queries" / "department-partners.rq"


def test_the_same_answer_is_reported_and_timed(capsys):
    assert main([str(PARTNERS), str(PARTNERS), "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("(2 runs)") == 2 and "same answer from every file" in out


def test_a_different_answer_fails(tmp_path, capsys):
    changed = tmp_path / "changed.rq"
    changed.write_text(PARTNERS.read_text(encoding="utf-8").replace("MINUS { ?b ipkg:department ?department }", ""),
                       encoding="utf-8")
    assert main([str(PARTNERS), str(changed), "--runs", "1"]) == 1
    assert "ANSWERS DIFFER" in capsys.readouterr().out


def test_a_malformed_query_is_an_error_not_a_traceback(tmp_path, capsys):
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT * WHERE {", encoding="utf-8")
    assert main([str(broken), "--runs", "1"]) == 2
    assert capsys.readouterr().err.startswith("error: malformed query")
