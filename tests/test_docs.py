"""The documentation never drifts: README's two commands are what CI runs, every command is in the
README's reference, docs/cli.md is the current --help text, every named query is documented.

Regenerate the generated parts with ``IPKG_REGENERATE_DOCS=1 python -m pytest tests/test_docs.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click
import pytest

from ipkg.cli import main

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
CLI_DOC = REPO / "docs" / "cli.md"
REGENERATE = os.environ.get("IPKG_REGENERATE_DOCS") == "1"
TABLE_START = "| command | what it does |\n|---|---|\n"


def _commands(group: click.Group = main, prefix: str = "ipkg"):
    """Every command path, depth first, sorted: ('ipkg query', command), …"""
    for name in sorted(group.commands):
        command = group.commands[name]
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


def _help_text(path: str) -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, path.split()[1:] + ["--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output.replace("Usage: main", "Usage: ipkg").rstrip() + "\n"


def _command_table() -> str:
    rows = []
    for path, command in _commands():
        summary = command.get_short_help_str(limit=200).replace("|", "\\|")
        rows.append(f"| `{path}` | {summary} |")
    return TABLE_START + "\n".join(rows) + "\n"


def _cli_doc() -> str:
    parts = ["# Command reference\n", "Generated from `--help` by `IPKG_REGENERATE_DOCS=1 python -m pytest "
             "tests/test_docs.py`; do not edit by hand.\n", f"## `ipkg`\n\n```text\n{_help_text('ipkg')}```\n"]
    for path, _ in _commands():
        parts.append(f"## `{path}`\n\n```text\n{_help_text(path)}```\n")
    return "\n".join(parts)


def test_readme_starts_with_exactly_two_commands():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    first_prose = text.split("```")[0]
    assert first_prose.count("\n") <= 2, "README must start with the two commands"
    install, tests = blocks[0].strip(), blocks[1].strip()
    assert "\n" not in install and "\n" not in tests
    assert "pip install ." in install and "ipkg" in install
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    text = README.read_text(encoding="utf-8")
    tests = re.findall(r"```bash\n(.*?)```", text, flags=re.S)[1].strip()
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert tests in ci_lines


def test_every_command_in_readme_reference():
    text = README.read_text(encoding="utf-8")
    table = _command_table()
    if REGENERATE:
        README.write_text(_replace_table(text, TABLE_START, table), encoding="utf-8")
        text = README.read_text(encoding="utf-8")
    missing = [path for path, _ in _commands() if f"`{path}`" not in text]
    assert not missing, f"commands missing from README's command reference: {missing}"
    assert table in text, "README's command table is stale: regenerate it (see module docstring)"


def test_cli_reference_is_current():
    expected = _cli_doc()
    if REGENERATE:
        CLI_DOC.parent.mkdir(exist_ok=True)
        CLI_DOC.write_text(expected, encoding="utf-8")
    assert CLI_DOC.read_text(encoding="utf-8") == expected, "docs/cli.md is stale: regenerate it"


QUERY_TABLE_START = "| query | parameters | answers |\n|---|---|---|\n"


def _query_table() -> str:
    from ipkg.query import named_queries

    rows = []
    for name, named in named_queries().items():
        params = ", ".join(p.name + ("" if p.required else "?") for p in named.params)
        rows.append(f"| `{name}` | {params} | {named.title} |")
    return QUERY_TABLE_START + "\n".join(rows) + "\n"


def _replace_table(text: str, start_marker: str, table: str) -> str:
    start = text.index(start_marker)
    end = text.index("\n\n", start + len(start_marker))
    return text[:start] + table.rstrip("\n") + text[end:]


def test_every_named_query_is_listed_in_the_readme():
    table = _query_table()
    if REGENERATE:
        README.write_text(_replace_table(README.read_text(encoding="utf-8"), QUERY_TABLE_START, table),
                          encoding="utf-8")
    assert table in README.read_text(encoding="utf-8"), "README's query table is stale: regenerate it"


@pytest.mark.parametrize("path", ["shapes/README.md", "data/curation/README.md", "benchmarks/README.md"])
def test_linked_docs_exist(path):
    assert (REPO / path).is_file()
    assert path in README.read_text(encoding="utf-8")


def test_readme_sparql_example_runs():
    """The ontology section's example query answers what the texts say: Yancheng's IP office leads
    17 of its 23 tasks (5 "（市知识产权局负责）" + 12 joint lists it heads)."""
    from ipkg.query import select

    text = README.read_text(encoding="utf-8")
    query = re.findall(r"```sparql\n(.*?)```", text, flags=re.S)[0]
    rows = select(query)
    assert (rows[0]["name"], rows[0]["leads"]) == ("盐城市知识产权局", 17)


def test_readme_python_example_runs(tmp_path, monkeypatch):
    """The "From Python" block, run as written on the cached (read-only) store."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## From Python\n\n```python\n(.*?)```", text, flags=re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(block, "README.md (From Python)", "exec"), scope)  # noqa: S102 - our own README
    assert len(scope["taixing"]) > 1000 and scope["report"].conforms
    assert scope["rows"][0]["n"] > 0


def test_readme_network_comparison_is_what_the_command_prints(cli):
    text = README.read_text(encoding="utf-8")
    shown = re.search(r"\(`ipkg network stats --table compare --lang en`, five plans as curated now\):\n\n```\n(.*?)```",
                      text, flags=re.S).group(1)
    printed = cli("network", "stats", "--table", "compare", "--lang", "en").stdout
    assert shown == printed.rstrip() + "\n"
