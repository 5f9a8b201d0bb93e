"""Shared fixtures: the bundled store, a CLI runner, and the repository paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Every test run builds its own store cache, so a stale cache can never hide a failure."""
    os.environ["IPKG_CACHE_DIR"] = str(tmp_path_factory.mktemp("ipkg-cache"))
    yield


@pytest.fixture(scope="session")
def store(_private_cache):
    from ipkg.store import open_store

    return open_store()


@pytest.fixture
def cli():
    """Run an ipkg command in-process; returns click's Result (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from ipkg.cli import main

    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def sources():
    """The five source texts by slug."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((REPO / "data" / "sources").glob("*.txt"))}
