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
    [newer] = [p for p in cache.iterdir() if p.is_dir()]  # the first, superseded and closed, is gone
    assert newer != store


# ---------------------------------------------------------------- derived stores and pruning


def _quads(store) -> tuple[set, dict]:
    """The quads without blank nodes, and how many quads each graph holds (blank nodes are named
    anew by every parse: the ontology's OWL restrictions)."""
    import pyoxigraph as ox
    from collections import Counter

    quads = list(store.quads_for_pattern(None, None, None))
    named = {q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}
    return named, Counter(q.graph_name.value for q in quads)


def _record(store_dir: Path) -> dict:
    import json

    return json.loads((store_dir / "INPUTS.json").read_text(encoding="utf-8"))


def test_a_store_derived_from_a_cached_one_holds_what_a_fresh_build_holds(tmp_path, corpus, monkeypatch):
    """Edit one plan, delete one and add one: the new store is derived from the old one (its
    changed graphs cleared and reloaded) and holds exactly the quads of a store built from scratch."""
    import shutil

    from ipkg import store as store_module

    plans = tmp_path / "plans"
    shutil.copytree(corpus, plans)
    cache = tmp_path / "cache"
    monkeypatch.setenv("IPKG_CACHE_DIR", str(cache))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(plans))
    store_module.open_store(store_module.bundled_inputs())
    [first] = list(cache.glob("store-*"))
    assert "derived_from" not in _record(first)

    edited, removed, *_ = sorted(plans.glob("*.ttl"))
    edited.write_text(edited.read_text(encoding="utf-8").replace('"@zh', '（修订）"@zh'), encoding="utf-8")
    shutil.copy(removed, plans / "added-2030.ttl")
    removed.unlink()
    inputs = store_module.bundled_inputs()
    derived = store_module.open_store(inputs)
    assert store_module.is_on_disk(derived)
    [second] = [p for p in cache.glob("store-*") if p != first]
    assert _record(second)["derived_from"] == first.name.removeprefix("store-")
    fresh = store_module.open_store(inputs, cache=False)
    assert _quads(derived) == _quads(fresh)
    assert {g.value for g in derived.named_graphs()} == {g.value for g in fresh.named_graphs()}
    # the first store is still open here, so it is kept
    assert first.exists()

    # a record this version cannot read (another version's, damaged) is never derived from
    (second / "INPUTS.json").write_text('{"graphs": {"g": {"digests": []}}}', encoding="utf-8")
    (first / "INPUTS.json").write_text("[]", encoding="utf-8")
    victim = sorted(plans.glob("*.ttl"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace('"@zh', '（再）"@zh'), encoding="utf-8")
    rebuilt = store_module.open_store(store_module.bundled_inputs())
    [third] = [p for p in cache.glob("store-*") if p not in (first, second)]
    assert "derived_from" not in _record(third) and _quads(rebuilt) == _quads(
        store_module.open_store(store_module.bundled_inputs(), cache=False))


def test_a_large_corpus_changed_in_one_plan_is_derived_at_once(tmp_path, corpus, monkeypatch):
    """A corpus too large to wait for is still answered from disk after a small change."""
    import shutil

    from ipkg import store as store_module

    plans = tmp_path / "plans"
    shutil.copytree(corpus, plans)
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(plans))
    store_module.open_store(store_module.bundled_inputs())
    victim = sorted(plans.glob("*.ttl"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace('"@zh', '（修订）"@zh'), encoding="utf-8")
    inputs = store_module.bundled_inputs()
    total = sum(item.path.stat().st_size for item in inputs)
    monkeypatch.setattr(store_module, "BACKGROUND_BUILD_BYTES", total // 2)
    assert victim.stat().st_size * 2 < total // 2
    again = store_module.open_store(inputs)
    assert store_module.is_on_disk(again)  # not the in-memory stand-in of a background build
    assert _quads(again) == _quads(store_module.open_store(inputs, cache=False))


HOLD = ("import sys; from ipkg.store import open_store; s = open_store(); print(len(s), flush=True); "
        "sys.stdin.read()")


def test_a_store_open_in_another_process_is_not_pruned(tmp_path, corpus):
    import shutil

    plans = tmp_path / "plans"
    shutil.copytree(corpus, plans)
    cache = tmp_path / "cache"
    env = _env(cache, plans)
    holder = subprocess.Popen([sys.executable, "-c", HOLD], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert int(holder.stdout.readline()) > 0
        [held] = list(cache.glob("store-*"))
        victim = sorted(plans.glob("*.ttl"))[0]
        victim.write_text(victim.read_text(encoding="utf-8").replace('"@zh', '（修订）"@zh'), encoding="utf-8")
        subprocess.run([sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, check=True)
        assert len(list(cache.glob("store-*"))) == 2 and held.exists()
    finally:
        holder.communicate("", timeout=60)
    victim.write_text(victim.read_text(encoding="utf-8").replace('（修订）"@zh', '（二次修订）"@zh'), encoding="utf-8")
    subprocess.run([sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, check=True)
    assert len(list(cache.glob("store-*"))) == 1 and not held.exists()
    assert not list(cache.glob(f"*{held.name.removeprefix('store-')}*"))  # nor its lock file
    assert not [p for p in cache.iterdir() if p.name.startswith(".")  and p.is_dir()]  # no debris


def test_a_store_whose_files_are_unchanged_is_kept(tmp_path, corpus, monkeypatch):
    """Only stores whose files changed are pruned: not another corpus's, not a store of some plans."""
    import shutil

    from ipkg import store as store_module

    cache = tmp_path / "cache"
    for name in ("one", "two"):
        shutil.copytree(corpus, tmp_path / name)
        subprocess.run([sys.executable, "-c", COUNT], env=_env(cache, tmp_path / name), capture_output=True,
                       text=True, check=True)
    [shared] = list(cache.glob("store-*"))  # the same bytes: one store serves both
    monkeypatch.setenv("IPKG_CACHE_DIR", str(cache))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(tmp_path / "two"))
    slug = sorted((tmp_path / "two").glob("*.ttl"))[1].stem
    store_module.open_store(store_module.bundled_inputs([slug]))  # `ipkg.load(plans=[...])` caches its own
    assert len(list(cache.glob("store-*"))) == 2
    victim = sorted((tmp_path / "two").glob("*.ttl"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace('"@zh', '（修订）"@zh'), encoding="utf-8")
    subprocess.run([sys.executable, "-c", COUNT], env=_env(cache, tmp_path / "two"), capture_output=True,
                   text=True, check=True)
    assert len(list(cache.glob("store-*"))) == 3 and shared.exists()  # built from "one"'s files, unchanged
    victim = sorted((tmp_path / "one").glob("*.ttl"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace('"@zh', '（另一修订）"@zh'), encoding="utf-8")
    subprocess.run([sys.executable, "-c", COUNT], env=_env(cache, tmp_path / "one"), capture_output=True,
                   text=True, check=True)
    assert len(list(cache.glob("store-*"))) == 3 and not shared.exists()  # now outdated: pruned


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


# ------------------------------------------------------------------------- the background build
# Real corpora go over BACKGROUND_BUILD_BYTES at a few hundred plans; the tests lower it to 0 so
# the 12-plan corpus takes the same path.


def test_a_large_corpus_is_answered_from_memory_while_the_cache_builds(tmp_path, corpus, monkeypatch):
    from ipkg import store as store_module

    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(corpus))
    monkeypatch.setattr(store_module, "BACKGROUND_BUILD_BYTES", 0)
    inputs = store_module.bundled_inputs()
    first = store_module.open_store(inputs)
    expected = len(store_module.open_store(inputs, cache=False))
    assert len(first) == expected
    import pyoxigraph as ox

    probe = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o"))
    first.add(probe)  # an in-memory store, not the read-only cache: the first answer did not wait for it
    first.remove(probe)
    assert store_module.wait_for_cache(inputs, timeout=240), _build_logs(tmp_path / "cache")
    stores = [p for p in (tmp_path / "cache").iterdir() if p.name.startswith("store-")]
    assert len(stores) == 1 and (stores[0] / "COMPLETE").exists()
    assert not list((tmp_path / "cache").glob("*.inputs.json"))  # the request is cleared when done
    again = store_module.open_store(inputs)
    assert len(again) == expected
    with pytest.raises(RuntimeError, match="read-write"):  # opened read-only: the on-disk store
        again.add(probe)


def test_a_slow_first_answer_says_why_on_stderr(tmp_path, corpus, monkeypatch, cli):
    """A first command on a large corpus waits for the whole corpus to load into memory: it says
    so, and where the background build logs, on stderr; its output stays clean. A command while
    the build runs says another process is building; once the cache is built, nothing is said."""
    from ipkg import store as store_module

    cache = tmp_path / "cache"
    monkeypatch.setenv("IPKG_CACHE_DIR", str(cache))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(corpus))
    monkeypatch.setattr(store_module, "BACKGROUND_BUILD_BYTES", 0)
    inputs = store_module.bundled_inputs()
    size = store_module.megabytes(sum(item.path.stat().st_size for item in inputs))
    log = cache / f"build-{store_module.content_key(inputs)}.log"

    first = cli("stats", "--format", "json")
    assert first.exit_code == 0 and "syn-" in first.stdout
    assert first.stderr == (f"ipkg: {len(inputs):,} files ({size} of Turtle) are not cached yet: loading them "
                            f"into memory for this answer, while a background process builds the cache "
                            f"(log: {log})\n")
    with monkeypatch.context() as building:  # however fast the builder is here
        building.setattr(store_module, "_pending", lambda key, lock: True)
        meanwhile = cli("stats", "--format", "json")
        slug = sorted(corpus.glob("*.ttl"))[0].stem
        one_plan = cli("stats", "--plan", slug, "--format", "json")
    assert meanwhile.stdout == first.stdout
    assert meanwhile.stderr == (f"ipkg: another process is building the cache of these {len(inputs):,} files "
                                f"({size} of Turtle; log: {log}): loading them into memory for this answer "
                                f"meanwhile\n")
    assert one_plan.exit_code == 0 and slug in one_plan.stdout
    assert one_plan.stderr.endswith(f"loading into memory only the {len(store_module.bundled_inputs([slug]))} "
                                    f"files this answer needs meanwhile\n")
    assert store_module.wait_for_cache(inputs, timeout=240), _build_logs(cache)
    cached = cli("stats", "--format", "json")
    assert cached.stdout == first.stdout and cached.stderr == ""


def test_the_builder_waits_until_the_first_answer_is_loaded(tmp_path, corpus, monkeypatch):
    """Two cores loading and building at once slow the first answer: the detached builder starts
    only once the process that asked has loaded the corpus into memory."""
    from ipkg import store as store_module

    cache = tmp_path / "cache"
    monkeypatch.setenv("IPKG_CACHE_DIR", str(cache))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(corpus))
    monkeypatch.setattr(store_module, "BACKGROUND_BUILD_BYTES", 0)
    load = store_module._memory_store
    seen = []

    def slow_load(inputs):
        time.sleep(3)  # ample for a builder that did not wait to build 12 plans
        seen.append(sorted(p.name for p in cache.iterdir() if p.is_dir()))
        return load(inputs)

    monkeypatch.setattr(store_module, "_memory_store", slow_load)
    inputs = store_module.bundled_inputs()
    store_module.open_store(inputs)
    assert seen == [[]]  # neither a store nor a build directory yet
    assert store_module.wait_for_cache(inputs, timeout=240), _build_logs(cache)


def test_a_plan_is_answered_from_its_own_files_while_the_cache_builds(tmp_path, corpus, monkeypatch):
    """`ipkg query --plan` on a corpus whose cache is not built yet loads that plan (with the shared
    entities and departments), not every plan, and answers as the whole corpus's cache does later."""
    from ipkg import query as Q
    from ipkg import store as store_module
    from ipkg.terms import graph_iri

    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(corpus))
    monkeypatch.setattr(store_module, "BACKGROUND_BUILD_BYTES", 0)
    slugs = sorted(p.stem for p in corpus.glob("*.ttl"))
    first = Q.run("lead-departments", plan=slugs[1])
    assert first.rows
    loaded = {g.value for g in first.store.named_graphs()}
    assert graph_iri(slugs[1]) in loaded and not loaded & {graph_iri(s) for s in slugs if s != slugs[1]}
    assert store_module.wait_for_cache(timeout=240), _build_logs(tmp_path / "cache")
    later = Q.run("lead-departments", plan=slugs[1])
    assert store_module.is_on_disk(later.store)
    assert {g.value for g in later.store.named_graphs()} >= {graph_iri(s) for s in slugs}
    assert later.rows == first.rows


def test_a_plan_comes_with_its_own_citys_departments_only(tmp_path, corpus, monkeypatch):
    """Choosing plans loads the departments of their cities (as the whole store says they are),
    and every city's when a plan file does not state its city in the form ipkg writes."""
    import shutil

    from ipkg import query as Q
    from ipkg import store as store_module
    from ipkg.paths import department_files

    plans = tmp_path / "plans"
    shutil.copytree(corpus, plans)
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(plans))
    whole = store_module.open_store(store_module.bundled_inputs(), cache=False)
    slugs = sorted(p.stem for p in plans.glob("*.ttl"))
    everyone = {i.graph for i in store_module.department_inputs()}
    assert len(everyone) == len(department_files()) > 2
    for chosen in ([slugs[0]], slugs[3:5]):
        graphs = {i.graph for i in store_module.bundled_inputs(chosen)} & everyone
        assert graphs == {g for slug in chosen for g in Q.city_department_graphs(slug, store=whole)}
    victim = plans / f"{slugs[0]}.ttl"
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("ipkg:city <https://w3id.org/ipkg/id/place/",
                                   "<https://w3id.org/ipkg/ontology#city> <https://w3id.org/ipkg/id/place/"),
                      encoding="utf-8")
    assert {i.graph for i in store_module.bundled_inputs([slugs[0]])} >= everyone


def _build_logs(cache: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in cache.glob("build-*.log"))


def test_a_request_whose_inputs_changed_builds_nothing(tmp_path, corpus, monkeypatch):
    import json

    from ipkg import store as store_module

    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(corpus))
    inputs = store_module.bundled_inputs()
    key = store_module.content_key(inputs)
    manifest = tmp_path / "cache" / f".store-{key}.inputs.json"
    manifest.write_text(json.dumps({"key": "0" * 32, "inputs": [[str(i.path), i.graph] for i in inputs]}))
    store_module.build_from_manifest(manifest)
    assert not list((tmp_path / "cache").glob("store-*")) and not manifest.exists()


def test_a_lost_request_is_asked_for_again(tmp_path, corpus, monkeypatch):
    """A builder killed before it cleaned up leaves its request behind; once it is older than the
    time a builder needs to start (and nobody holds the lock) a new build is started."""
    from ipkg import store as store_module

    cache = tmp_path / "cache"
    monkeypatch.setenv("IPKG_CACHE_DIR", str(cache))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(corpus))
    monkeypatch.setattr(store_module, "BACKGROUND_BUILD_BYTES", 0)
    inputs = store_module.bundled_inputs()
    key = store_module.content_key(inputs)
    cache.mkdir(exist_ok=True)
    lost = cache / f".store-{key}.inputs.json"
    lost.write_text("{}")
    assert store_module.wait_for_cache(inputs, timeout=0.5) is False  # young: a builder may be starting
    old = time.time() - store_module.STARTING_SECONDS - 5
    os.utime(lost, (old, old))
    assert store_module.wait_for_cache(inputs) is False  # lost, nothing running: no waiting forever
    store_module.open_store(inputs)
    assert store_module.wait_for_cache(inputs, timeout=240), _build_logs(cache)


# ------------------------------------------------------------------------------ ipkg cache


def test_cache_list_and_clear(tmp_path, corpus, monkeypatch, cli):
    """`ipkg cache list` says which stores are outdated or open; `ipkg cache clear` deletes what
    no process has open, and keeps (and names) the rest."""
    import json
    import shutil

    plans = tmp_path / "plans"
    shutil.copytree(corpus, plans)
    cache = tmp_path / "cache"
    env = _env(cache, plans)
    monkeypatch.setenv("IPKG_CACHE_DIR", str(cache))
    monkeypatch.setenv("IPKG_PLANS_DIR", str(plans))
    subprocess.run([sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, check=True)
    (cache / "validate").mkdir()

    def listed() -> list[dict]:
        result = cli("cache", "list", "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    from ipkg.store import bundled_inputs

    [first] = listed()
    assert (first["state"], first["in_use"], first["graphs"]) == ("up to date", False,
                                                                 len({i.graph for i in bundled_inputs()}))
    victim = sorted(plans.glob("*.ttl"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace('"@zh', '（修订）"@zh'), encoding="utf-8")
    assert [s["state"] for s in listed()] == ["outdated"]

    holder = subprocess.Popen([sys.executable, "-c", HOLD], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert int(holder.stdout.readline()) > 0  # derives the edited corpus's store and keeps it open
        [current] = listed()  # the outdated one was pruned by that build
        assert (current["state"], current["in_use"]) == ("up to date", True)
        result = cli("cache", "clear")
        assert result.exit_code == 0
        assert f"kept {Path(current['path']).name}: open in another process" in result.stdout
        assert "deleted 0 store(s)" in result.stdout and not (cache / "validate").exists()
    finally:
        holder.communicate("", timeout=60)
    result = cli("cache", "clear", "--outdated")
    assert "deleted 0 store(s)" in result.stdout and len(listed()) == 1  # up to date: kept
    victim.write_text(victim.read_text(encoding="utf-8").replace('（修订）"@zh', '"@zh'), encoding="utf-8")
    assert [s["state"] for s in listed()] == ["outdated"]
    key = Path(current["path"]).name.removeprefix("store-")
    assert list(cache.glob(f".store-{key}.lock"))  # its build's lock file
    result = cli("cache", "clear", "--outdated")
    assert "deleted 1 store(s)" in result.stdout and listed() == []
    assert not list(cache.glob(f"*{key}*"))  # nor its lock and log files
