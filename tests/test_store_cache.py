"""The on-disk store cache: safe when processes race on a cold cache, reused when warm, and
invalidated by any change of an input."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COUNT = ("from ipkg.store import open_store; from ipkg.query import select; s = open_store(); "
         "print(len(s), select('SELECT (COUNT(*) AS ?n) WHERE { ?t a <https://w3id.org/ipkg/ontology#Task> }', s)[0]['n'])")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A synthetic corpus of 12 plans (big enough that building the store takes a while)."""
    sys.path.insert(0, str(REPO))
    from benchmarks.generate import generate

    out = tmp_path_factory.mktemp("corpus")
    generate(12, out, seed=3)
    return out


def _env(cache: Path, corpus: Path) -> dict:
    return {**os.environ, "IPKG_CACHE_DIR": str(cache), "IPKG_PLANS_DIR": str(corpus)}


def _expected_tasks(corpus: Path) -> int:
    """Tasks counted in the Turtle text itself, independently of any store."""
    return sum(p.read_text(encoding="utf-8").count("\n    a ipkg:Task ;") for p in corpus.glob("*.ttl"))


def test_processes_racing_on_a_cold_cache_agree_and_leave_one_store(tmp_path, corpus):
    cache = tmp_path / "cache"
    procs = [subprocess.Popen([sys.executable, "-c", COUNT], env=_env(cache, corpus), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    outputs = {out.strip() for out, _ in results}
    assert len(outputs) == 1
    triples, tasks = map(int, outputs.pop().split())
    assert tasks == _expected_tasks(corpus) > 0
    from ipkg.store import bundled_inputs, open_store

    os.environ["IPKG_PLANS_DIR"] = str(corpus)
    try:
        assert triples == len(open_store(bundled_inputs(), cache=False))
    finally:
        del os.environ["IPKG_PLANS_DIR"]
    stores = sorted(p.name for p in cache.iterdir() if p.is_dir())
    assert len(stores) == 1 and stores[0].startswith("store-"), stores  # no half-built or temporary copies
    assert (cache / stores[0] / "COMPLETE").exists()


def test_warm_cache_is_reused_and_any_change_rebuilds(tmp_path, corpus):
    import shutil

    plans = tmp_path / "plans"
    shutil.copytree(corpus, plans)
    cache = tmp_path / "cache"
    env = _env(cache, plans)
    first = subprocess.run([sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, check=True)
    [store] = [p for p in cache.iterdir() if p.is_dir()]
    built = store.stat().st_mtime_ns
    second = subprocess.run([sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, check=True)
    assert second.stdout == first.stdout
    assert [p for p in cache.iterdir() if p.is_dir()] == [store] and store.stat().st_mtime_ns == built

    # Change one plan: add one task triple.
    victim = sorted(plans.glob("*.ttl"))[0]
    text = victim.read_text(encoding="utf-8")
    extra = '\n<https://w3id.org/ipkg/id/task/extra/1> a <https://w3id.org/ipkg/ontology#Task> .\n'
    victim.write_text(text + extra, encoding="utf-8")
    third = subprocess.run([sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, check=True)
    triples1, tasks1 = map(int, first.stdout.split())
    triples3, tasks3 = map(int, third.stdout.split())
    assert (triples3, tasks3) == (triples1 + 1, tasks1 + 1)
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 2


def test_same_size_edit_within_the_same_second_is_not_missed(tmp_path, monkeypatch):
    """A file rewritten with the same size right after being hashed must still change the key."""
    from ipkg import store as store_module

    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    file = tmp_path / "a.ttl"
    file.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    inputs = [store_module.Input(file, "urn:g")]
    key1 = store_module.content_key(inputs)
    mtime = file.stat().st_mtime_ns
    file.write_text("<urn:a> <urn:b> <urn:d> .\n", encoding="utf-8")
    os.utime(file, ns=(mtime, mtime))  # same size, same mtime: only the racy-file rule catches it
    assert store_module.content_key(inputs) != key1


def test_old_files_are_remembered_and_edits_still_detected(tmp_path, monkeypatch):
    from ipkg import store as store_module

    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    file = tmp_path / "a.ttl"
    file.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    old = time.time_ns() - 60 * 10**9
    os.utime(file, ns=(old, old))
    inputs = [store_module.Input(file, "urn:g")]
    key1 = store_module.content_key(inputs)
    assert (tmp_path / "cache" / "file-digests.json").exists()
    assert store_module.content_key(inputs) == key1
    file.write_text("<urn:a> <urn:b> <urn:e> .\n", encoding="utf-8")
    assert store_module.content_key(inputs) != key1
