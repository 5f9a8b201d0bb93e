"""Loading the knowledge graph: one place that knows which files make the dataset.

The dataset holds one named graph per plan (``id/graph/<slug>``), one for the shared entities
(``id/graph/shared``: places and cited documents), one per city for its departments
(``id/graph/departments/<city>``) and one for the ontology and its vocabularies
(``id/graph/ontology``). The embedded store is Oxigraph (pyoxigraph): it loads the bundled
graph about ten times faster than rdflib's parser and answers aggregate queries one to two
orders of magnitude faster (see ``benchmarks/``). Notebook users still get an rdflib
:class:`~rdflib.Dataset` from :func:`load`, backed by the same Oxigraph store through oxrdflib.

Oxigraph stores literals in canonical form: ``"1537.20"^^xsd:decimal`` reads back as ``"1537.2"`` and
``xsd:positiveInteger`` / ``xsd:nonNegativeInteger`` values as ``xsd:integer`` — equal values, other
lexical forms. Compare numbers numerically; ``ipkg export`` writes the files' own forms.

The bundled graph is cached on disk, keyed by the SHA-256 of every input file, so a second
process opens it instead of parsing again; any change to an input gives a new key. Writing the
on-disk store costs about three times as much as loading the same triples into memory, so a large
corpus (over ``BACKGROUND_BUILD_BYTES`` of Turtle) is not made to wait for it: the first process
answers from an in-memory store while a detached process builds the cache for the next ones.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import DataError, malformed_turtle, os_reason
from .terms import department_graph_iri, graph_iri

# What the caller may want to tell a waiting user (the CLI prints it on stderr): why a first answer
# on a large corpus takes as long as loading it.
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Input:
    """One Turtle file and the named graph it goes into."""

    path: Path
    graph: str


def bundled_inputs(plans: list[str] | None = None) -> list[Input]:
    """The ontology, vocabularies, shared entities and plans shipped with ipkg, in load order.

    ``plans`` picks plans by slug; then only their cities' departments come with them (one plan of
    the 3,000-plan benchmark corpus would otherwise bring 1,792 department files). An empty list gives the base
    alone: ontology, vocabularies and shared entities, no plan and no department.
    """
    inputs = [Input(paths.ontology_file(), graph_iri("ontology"))]
    inputs += [Input(p, graph_iri("ontology")) for p in paths.vocabulary_files()]
    inputs += [Input(p, graph_iri("shared")) for p in paths.shared_files()]
    chosen = [p for p in paths.plan_files() if plans is None or p.stem in plans]
    if plans:
        missing = sorted(set(plans) - {p.stem for p in chosen})
        if missing:
            known = ", ".join(p.stem for p in paths.plan_files())
            raise DataError(f"unknown plan {', '.join(missing)} (bundled plans: {known})")
    cities = None if plans is None else _cities_of(chosen)
    # one graph per city, so that a query restricted to a plan sees its own city's departments only
    inputs += [item for item in department_inputs() if cities is None or _graph_name(item.path) in cities]
    inputs += [Input(p, graph_iri(p.stem)) for p in chosen]
    return inputs


def department_inputs() -> list[Input]:
    """Every city's departments (one graph per city)."""
    return [Input(p, department_graph_iri(_graph_name(p))) for p in paths.department_files()]


# How `ipkg curate build` and the benchmarks' generator write a plan's city; a file that names it
# otherwise brings every city's departments (see _cities_of).
_CITY_STATEMENT = re.compile(rb"ipkg:city\s+(?:<https://w3id\.org/ipkg/id/place/([a-z0-9.\-]+)>|place:([a-z0-9.\-]+))")


def _cities_of(plan_files: list[Path]) -> set[str] | None:
    """The place keys of the cities ``plan_files`` state (``ipkg:city``), read from their text;
    None (every city) when a file does not state its city in a form recognised here."""
    cities: set[str] = set()
    for path in plan_files:
        try:
            found = [a or b for a, b in _CITY_STATEMENT.findall(path.read_bytes())]
        except OSError as exc:
            raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
        if not found:
            return None
        cities.update(key.decode() for key in found)
    return cities


def inputs_for_files(files: list[Path | str]) -> list[Input]:
    """Inputs for user-given Turtle files: each file's stem names its graph."""
    inputs = []
    for file in files:
        path = Path(file)
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        inputs.append(Input(path, graph_iri(_graph_name(path))))
    return inputs


def _graph_name(path: Path) -> str:
    stem = path.stem.lower()
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-." else "-" for ch in stem).strip("-.") or "graph"


def content_key(inputs: list[Input]) -> str:
    """A digest of the inputs' graphs and bytes (and the store format's version).

    Each file's SHA-256 is remembered by its (path, size, mtime, inode) in ``file-digests.json`` in
    the cache directory, so a warm start on thousands of plans stats the files instead of hashing
    hundreds of megabytes; a file modified within two seconds of being hashed is never remembered
    (its mtime could hide a second change), and any change of size, mtime or inode re-hashes it.
    """
    return _key(inputs, _file_digests(inputs))


def _file_digests(inputs: list[Input]) -> list[str]:
    memo = _DigestMemo(cache_dir() / "file-digests.json")
    digests = [memo.digest(item.path).hex() for item in inputs]
    memo.save()
    return digests


def _key(inputs: list[Input], digests: list[str]) -> str:
    import pyoxigraph

    digest = hashlib.sha256(f"pyoxigraph {pyoxigraph.__version__}".encode())
    for item, file_digest in zip(inputs, digests):
        digest.update(item.graph.encode())
        digest.update(b"\0")
        digest.update(bytes.fromhex(file_digest))
    return digest.hexdigest()[:32]


class _DigestMemo:
    """SHA-256 of files, remembered by their stat signature (the trick git's index uses)."""

    RACY_SECONDS = 2.0

    def __init__(self, path: Path):
        import json

        self.path = path
        self.changed = False
        try:
            self.entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def digest(self, file: Path) -> bytes:
        import time

        try:
            stat = file.stat()
        except FileNotFoundError as exc:
            raise DataError(f"{file}: no such file") from exc
        key = str(file.resolve())
        signature = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        entry = self.entries.get(key)
        if entry and entry[0] == signature:
            return bytes.fromhex(entry[1])
        try:
            value = hashlib.sha256(file.read_bytes()).digest()
        except OSError as exc:
            raise DataError(f"{file}: cannot read ({os_reason(exc)})") from exc
        if time.time() - stat.st_mtime_ns / 1e9 > self.RACY_SECONDS and file.stat().st_mtime_ns == stat.st_mtime_ns:
            self.entries[key] = [signature, value.hex()]
            self.changed = True
        return value

    def save(self) -> None:
        if not self.changed:
            return
        import json

        from .export import write_atomic

        try:
            write_atomic(self.path, json.dumps(self.entries, sort_keys=True))
        except OSError:
            pass  # a read-only cache directory only costs re-hashing next time


def _load_into(store, inputs: list[Input], *, bulk: bool = False) -> None:
    """Parse ``inputs`` into ``store``; ``bulk`` uses Oxigraph's bulk loader (no transaction:
    only for a store nobody else sees yet; about twice as fast on disk)."""
    import pyoxigraph as ox

    for item in inputs:
        try:
            loader = store.bulk_load if bulk else store.load
            loader(path=str(item.path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(item.graph))
        except FileNotFoundError as exc:
            raise DataError(f"{item.path}: no such file") from exc
        except OSError as exc:
            raise DataError(f"{item.path}: cannot read ({os_reason(exc)})") from exc
        except SyntaxError as exc:
            raise DataError(malformed_turtle(item.path, exc)) from exc


def cache_dir() -> Path:
    """Where cached stores live: ``$IPKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/ipkg``, else ``~/.cache/ipkg``."""
    if os.environ.get("IPKG_CACHE_DIR"):
        return Path(os.environ["IPKG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ipkg"


def usable_cache_dir() -> Path | None:
    """The cache directory, created if need be; None, with a warning logged, when it cannot be
    written (a file in its place, no permission): the caller then works without a cache."""
    directory = cache_dir()
    try:
        if directory.exists() and not directory.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "a file, not a directory")
        directory.mkdir(parents=True, exist_ok=True)
        if os.access(directory, os.W_OK | os.X_OK):
            return directory
        reason = "not writable"
    except OSError as exc:
        reason = os_reason(exc)
    _log.warning("cannot use the cache directory %s (%s): working without a cache (set IPKG_CACHE_DIR "
                 "to another directory)", directory, reason)
    return None


def open_store(inputs: list[Input] | None = None, *, cache: bool = True, meanwhile: list[Input] | None = None):
    """Return a pyoxigraph Store holding ``inputs`` (default: the bundled graph).

    With ``cache`` the store is built once in the cache directory and reopened read-only by later
    calls. Building happens in a private temporary directory that is renamed into place, so no
    process ever sees a half-built store. A lock file per key makes a second process that asks for
    the same store while it is being built wait for it instead of building it again (if the
    builder dies, the lock is released and the waiter builds); where locks are unavailable both
    build and the loser of the rename discards its copy.

    A store whose inputs differ from a cached one in a few files is derived from it (see
    :func:`_build`): a curator who edits one plan of 3,000 waits about 2 s, not for the whole
    corpus. Stores whose input files have changed since are removed after a build, unless a
    process has them open.

    Inputs larger than ``BACKGROUND_BUILD_BYTES`` that no cached store is close to are not waited
    for: while the cache is missing (or being built by another process) this call loads them into
    memory and, unless a build is already running, starts one in a detached process (see
    :func:`wait_for_cache`). A caller that needs only part of the inputs passes that part as
    ``meanwhile``: it alone is loaded then (``ipkg query --plan`` loads its plan, not the corpus).
    Either way it logs why the answer waits, at INFO on the ``ipkg.store`` logger (the CLI prints
    these lines on stderr).
    """
    import pyoxigraph as ox

    inputs = bundled_inputs() if inputs is None else inputs
    if not cache or usable_cache_dir() is None:
        return _memory_store(inputs)
    digests = _file_digests(inputs)
    key = _key(inputs, digests)
    target = cache_dir() / f"store-{key}"
    if not _hold(target):
        lock = target.parent / f".store-{key}.lock"
        base = _derivable_base(inputs, digests)
        size = sum(item.path.stat().st_size for item in inputs)
        if size > BACKGROUND_BUILD_BYTES:
            answer_from = inputs if meanwhile is None else meanwhile
            if _pending(key, lock):
                _log.info("another process is building the cache of these %s files (%s of Turtle; log: %s): "
                          "%s meanwhile", f"{len(inputs):,}", megabytes(size), _build_log(key),
                          _loading(answer_from, inputs))
                return _memory_store(answer_from)
            if base is None or base.cost > BACKGROUND_BUILD_BYTES:
                with _file_lock(_loading_lock(key)):  # the builder waits for it
                    _start_background_build(key, inputs)
                    _log.info("%s files (%s of Turtle) are not cached yet: %s, "
                              "while a background process builds the cache (log: %s)", f"{len(inputs):,}",
                              megabytes(size), _loading(answer_from, inputs), _build_log(key))
                    return _memory_store(answer_from)
        with _file_lock(lock):
            if not _hold(target):  # else built by another process while we waited
                _build(target, key, inputs, digests, base)
    store = ox.Store.read_only(str(target))
    _recent_on_disk[id(store)] = store
    while len(_recent_on_disk) > 4:
        _recent_on_disk.popitem(last=False)
    return store


def megabytes(size: int) -> str:
    """A size for people: "698 MB", "1.2 MB" (one decimal below 10 MB)."""
    return f"{size / 1e6:,.0f} MB" if size >= 10_000_000 else f"{size / 1e6:.1f} MB"


def _loading(answer_from: list[Input], inputs: list[Input]) -> str:
    if answer_from is inputs:
        return "loading them into memory for this answer"
    return f"loading into memory only the {len(answer_from):,} files this answer needs"


# The stores open_store() opened on disk lately, held so that their ids stay theirs (pyoxigraph
# stores take no attributes or weak references). Forgetting one only costs speed: see is_on_disk.
_recent_on_disk: OrderedDict[int, object] = OrderedDict()


def is_on_disk(store) -> bool:
    """True for a store :func:`open_store` opened from the on-disk cache (lately). On such a store
    Oxigraph reads strings back from RocksDB while it sorts, so :mod:`ipkg.query` sorts in Python."""
    return id(store) in _recent_on_disk


def wait_for_cache(inputs: list[Input] | None = None, timeout: float | None = None) -> bool:
    """Wait until the cached store of ``inputs`` is built (by this or a background process);
    True when it is ready. Returns at once, False, when no build is running and none is cached."""
    import time

    inputs = bundled_inputs() if inputs is None else inputs
    key = content_key(inputs)
    target = cache_dir() / f"store-{key}"
    lock = target.parent / f".store-{key}.lock"
    deadline = None if timeout is None else time.monotonic() + timeout
    while not (target / "COMPLETE").exists():
        if not _pending(key, lock):
            return (target / "COMPLETE").exists()
        if deadline is not None and time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _memory_store(inputs: list[Input]):
    import pyoxigraph as ox

    store = ox.Store()
    _load_into(store, inputs)
    return store


# Oxigraph's bulk loader costs ~50 ms per file but parses about twice as fast on disk: measured
# (benchmarks/) even at ~10 MB of Turtle, 2.4x faster at 117 MB (500 plans), slower for the bundle.
BULK_LOAD_BYTES = 32_000_000

# Above this much Turtle (about 17 plans) the first process answers from memory instead of waiting
# for the cache: writing the on-disk store costs about six times loading into memory (50 synthetic
# plans, 12 MB: 2.8 s against 0.38 s; 500 plans: 22 s against 3.9 s). The bundled plans (1.1 MB)
# build in 0.3 s and stay on the simpler synchronous path.
BACKGROUND_BUILD_BYTES = 4_000_000


def _manifest(key: str) -> Path:
    return cache_dir() / f".store-{key}.inputs.json"


# A builder takes the lock as soon as its interpreter starts; a request older than this whose lock
# nobody holds was lost (its builder killed before it could clean up), and may be asked for again.
STARTING_SECONDS = 30.0


def _pending(key: str, lock: Path) -> bool:
    """Whether a build of ``key`` is running or about to start."""
    import time

    if _file_lock.held(lock):
        return True
    try:
        age = time.time() - _manifest(key).stat().st_mtime
    except FileNotFoundError:
        return False
    return age < STARTING_SECONDS


def _build_log(key: str) -> Path:
    return cache_dir() / f"build-{key}.log"


def _loading_lock(key: str) -> Path:
    return cache_dir() / f".store-{key}.loading"


def _start_background_build(key: str, inputs: list[Input]) -> None:
    """Build the cached store of ``inputs`` in a detached process that outlives this one."""
    import json
    import subprocess
    import sys

    from .export import write_atomic

    manifest = _manifest(key)
    write_atomic(manifest, json.dumps({"key": key, "inputs": [[str(i.path), i.graph] for i in inputs]}))
    log = _build_log(key)
    package_parent = str(Path(__file__).resolve().parent.parent)  # importable even from a bare checkout
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))}
    with open(log, "ab") as handle:
        subprocess.Popen([sys.executable, "-c", f"from ipkg.store import build_from_manifest; "
                                               f"build_from_manifest({str(manifest)!r})"],
                         stdin=subprocess.DEVNULL, stdout=handle, stderr=handle, start_new_session=True,
                         cwd=str(cache_dir()), env=env)


def build_from_manifest(manifest: str | Path) -> None:
    """Entry point of the background builder: build the store a manifest describes, if its inputs
    still have the manifest's content (a file edited meanwhile makes it a different store)."""
    import json

    manifest = Path(manifest)
    try:
        spec = json.loads(manifest.read_text(encoding="utf-8"))
        key = spec["key"]
        inputs = [Input(Path(path), graph) for path, graph in spec["inputs"]]
        target = cache_dir() / f"store-{key}"
        with _file_lock(target.parent / f".store-{key}.lock"):
            # Wait until the process that asked has loaded its answer into memory: on two cores,
            # building meanwhile slowed that first answer (N = 3,000: 31 s against 28 s).
            with _file_lock(_loading_lock(key)):
                pass
            if not (target / "COMPLETE").exists():
                digests = _file_digests(inputs)
                if _key(inputs, digests) == key:
                    _build(target, key, inputs, digests, _derivable_base(inputs, digests))
    finally:
        manifest.unlink(missing_ok=True)


# Each cached store records its inputs here (per graph: the files, their digests and bytes; and the
# store format), so that a later store can be derived from it, and it is deleted once they change.
INPUTS_RECORD = "INPUTS.json"


@dataclass(frozen=True)
class _Base:
    """A cached store a new one can be derived from: clear ``stale`` graphs, load ``fresh`` inputs."""

    path: Path
    key: str
    stale: list[str]
    fresh: list[Input]
    cost: int  # bytes of Turtle cleared and loaded


def _record(inputs: list[Input], digests: list[str]) -> dict:
    import pyoxigraph

    graphs: dict[str, dict] = {}
    for item, digest in zip(inputs, digests):
        entry = graphs.setdefault(item.graph, {"files": [], "digests": [], "bytes": 0})
        entry["files"].append(str(item.path.absolute()))
        entry["digests"].append(digest)
        entry["bytes"] += item.path.stat().st_size
    return {"format": f"pyoxigraph {pyoxigraph.__version__}", "graphs": graphs}


def _read_record(store_dir: Path) -> dict | None:
    """The store's record of its inputs; None when it has none or one this version cannot read."""
    import json

    try:
        record = json.loads((store_dir / INPUTS_RECORD).read_text(encoding="utf-8"))
        for entry in record["graphs"].values():
            if not (len(entry["files"]) == len(entry["digests"]) and isinstance(entry["bytes"], int)):
                return None
        return record
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _derivable_base(inputs: list[Input], digests: list[str]) -> _Base | None:
    """The complete cached store (same format) that differs least from ``inputs``, by bytes to
    clear and load, if that is less than a quarter of their bytes (loading into a store on disk
    costs several times loading into an empty one); else None."""
    wanted = _record(inputs, digests)
    best = None
    for candidate in sorted(cache_dir().glob("store-*")):
        record = _read_record(candidate)
        if record is None or record.get("format") != wanted["format"] or not (candidate / "COMPLETE").exists():
            continue
        have, want = record["graphs"], wanted["graphs"]
        stale = sorted(g for g in have if have[g]["digests"] != want.get(g, {}).get("digests"))
        fresh = [i for i in inputs if have.get(i.graph, {}).get("digests") != want[i.graph]["digests"]]
        cost = sum(have[g]["bytes"] for g in stale) + sum(want[g]["bytes"] for g in {i.graph for i in fresh})
        if best is None or cost < best.cost:
            best = _Base(candidate, candidate.name.removeprefix("store-"), stale, fresh, cost)
    if best is None or best.cost >= sum(entry["bytes"] for entry in wanted["graphs"].values()) / 4:
        return None
    return best


def _build(target: Path, key: str, inputs: list[Input], digests: list[str], base: _Base | None) -> None:
    """Build the store of ``inputs`` at ``target``, then remove the stores whose files have changed.

    From a ``base``, the new store starts as a copy of it (RocksDB hard-links its files: 0.3 s at
    9.45 M triples) whose changed graphs are cleared and reloaded; else every input is loaded
    into an empty store.
    """
    import json

    import pyoxigraph as ox

    size = sum(item.path.stat().st_size for item in inputs)
    record = _record(inputs, digests)
    scratch = Path(tempfile.mkdtemp(prefix=f".store-{key}.", dir=target.parent))
    building = scratch / "store"
    try:
        if base is not None and _copy_store(base.path, building):
            store = ox.Store(str(building))
            for graph in base.stale:
                store.remove_graph(ox.NamedNode(graph))
            _load_into(store, base.fresh)
            record["derived_from"] = base.key
            store.flush()
        else:
            shutil.rmtree(building, ignore_errors=True)
            store = ox.Store(str(building))
            _load_into(store, inputs, bulk=size > BULK_LOAD_BYTES)
            store.flush()
            store.optimize()
        del store
        (building / INPUTS_RECORD).write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        (building / "COMPLETE").write_text(key)
        # held from before it is visible, so no other builder prunes it before this process opens it
        handle = _share(building)
        if handle is not None:
            _held[str(target)] = handle
        if target.exists() and not (target / "COMPLETE").exists():
            shutil.rmtree(target, ignore_errors=True)  # debris of an interrupted copy, never a store we made
        try:
            os.rename(building, target)
        except OSError:  # another process won the race; its store is identical
            if handle is not None:
                _held.pop(str(target)).close()
            _hold(target)
            return
        _prune_outdated(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _copy_store(source: Path, destination: Path) -> bool:
    """Copy the cached store ``source`` to ``destination``; False if it is gone or going."""
    import pyoxigraph as ox

    handle = _share(source)
    if handle is None:
        return False
    try:
        ox.Store.read_only(str(source)).backup(str(destination))
        return True
    except OSError:
        return False
    finally:
        handle.close()


# The cached stores this process opened, with a shared lock on each one's COMPLETE file held until
# the process exits: a store in use is never pruned (a read-only RocksDB reads files after opening).
_held: dict[str, object] = {}


def _hold(target: Path) -> bool:
    """Whether the complete store ``target`` can be opened; this process then keeps it from pruning."""
    if str(target) in _held:
        return True
    handle = _share(target)
    if handle is None:
        return False
    _held[str(target)] = handle
    return True


def _share(store_dir: Path):
    """An open handle with a shared lock on the store's COMPLETE file, or None when it is not
    there or is being pruned."""
    marker = store_dir / "COMPLETE"
    try:
        import fcntl
    except ImportError:  # nothing is pruned there, and an open file would keep its folder from being renamed
        return _Unlocked() if marker.exists() else None
    try:
        handle = open(marker, "rb")
    except OSError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        if os.fstat(handle.fileno()).st_ino == os.stat(marker).st_ino:
            return handle
    except OSError:  # locked by a pruner, or renamed away by one
        pass
    handle.close()
    return None


class _Unlocked:
    """The stand-in for a locked handle where POSIX locks are unavailable."""

    def close(self) -> None:
        pass


def _prune_outdated(target: Path) -> None:
    """Remove the cached stores (other than ``target``) whose input files have changed or gone
    since they were built, unless a process has one open: nobody can ask for them again (short of
    reverting the files, and then they are derived again)."""
    memo = _DigestMemo(cache_dir() / "file-digests.json")
    for candidate in sorted(cache_dir().glob("store-*")):
        record = _read_record(candidate)
        if candidate != target and record is not None and _outdated(record, memo):
            _remove_store(candidate)
    memo.save()


def _remove_store(store_dir: Path) -> bool:
    """Delete a cached store unless a process has it open (or file locks are unavailable, so that
    cannot be known); True when it is gone."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        handle = open(store_dir / "COMPLETE", "rb")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # open in another process: a later build removes it
        trash = store_dir.with_name(f".pruned-{store_dir.name}-{os.getpid()}")
        try:
            os.rename(store_dir, trash)
        except OSError:
            return False
    shutil.rmtree(trash, ignore_errors=True)
    # its log and lock files too (a builder that locks a lock file unlinked meanwhile races
    # another one on a new file, and the loser of the final rename discards its copy)
    key = store_dir.name.removeprefix("store-")
    for leftover in (_build_log(key).name, f".store-{key}.lock", _loading_lock(key).name):
        (store_dir.parent / leftover).unlink(missing_ok=True)
    return True


@dataclass(frozen=True)
class CachedStore:
    """One store in the cache directory, as :func:`cached_stores` finds it."""

    path: Path
    size: int  # bytes on disk
    graphs: int | None  # None: no record of its inputs (built by an older ipkg)
    state: str  # "up to date" (its files unchanged), "outdated" (changed or gone) or "unknown"
    in_use: bool  # open in a process now
    derived_from: str | None


def cached_stores() -> list[CachedStore]:
    """The complete stores in the cache directory, by name."""
    if usable_cache_dir() is None:  # said why; nothing there to list
        return []
    memo = _DigestMemo(cache_dir() / "file-digests.json")
    found = []
    for path in sorted(cache_dir().glob("store-*")):
        if not (path / "COMPLETE").exists():
            continue
        record = _read_record(path)
        state = "unknown" if record is None else "outdated" if _outdated(record, memo) else "up to date"
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        found.append(CachedStore(path, size, None if record is None else len(record["graphs"]), state,
                                 _file_lock.held(path / "COMPLETE"), (record or {}).get("derived_from")))
    memo.save()
    return found


def clear_cache(outdated_only: bool = False) -> tuple[list[CachedStore], list[CachedStore]]:
    """Delete the cached stores (only the outdated ones with ``outdated_only``) that no process has
    open, and, unless ``outdated_only``, the cached validation results. Returns (deleted, kept
    because in use)."""
    deleted, kept = [], []
    for store in cached_stores():
        if outdated_only and store.state != "outdated":
            continue
        (deleted if _remove_store(store.path) else kept).append(store)
    if not outdated_only:
        from .validate import results_cache_dir

        shutil.rmtree(results_cache_dir(), ignore_errors=True)
    return deleted, kept


def _outdated(record: dict, memo: _DigestMemo) -> bool:
    for entry in record["graphs"].values():
        for file, digest in zip(entry["files"], entry["digests"]):
            try:
                if memo.digest(Path(file)).hex() != digest:
                    return True
            except DataError:  # gone (outdated), or unreadable: cannot tell, so kept
                return not Path(file).exists()
    return False


class _file_lock:
    """An exclusive advisory lock on ``path`` (POSIX ``flock``); a no-op where unavailable."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None

    def __enter__(self):
        try:
            import fcntl

            self.handle = open(self.path, "a")
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)
        except (ImportError, OSError):
            if self.handle:
                self.handle.close()
            self.handle = None
        return self

    def __exit__(self, *exc):
        if self.handle:
            self.handle.close()  # closing releases the lock
        return False

    @staticmethod
    def held(path: Path) -> bool:
        """Whether another process holds the lock now (False where locks are unavailable)."""
        try:
            import fcntl

            with open(path, "a") as handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                return False  # closing the handle releases our probe
        except (ImportError, OSError):
            return False


def load(files: list[Path | str] | None = None, *, plans: list[str] | None = None, cache: bool = True):
    """Load the knowledge graph as an rdflib Dataset (backed by Oxigraph), one named graph per plan.

    ``files`` loads the given Turtle files instead of the bundled plans (each into a graph named
    after the file), together with the ontology and shared entities. ``plans`` picks bundled plans
    by slug.

    >>> import ipkg
    >>> ds = ipkg.load(plans=["taixing-2024"])
    >>> graphs = (str(g.identifier) for g in ds.graphs())
    >>> sorted(g.split("/graph/")[1] for g in graphs if "/graph/" in g)
    ['departments/taixing', 'ontology', 'shared', 'taixing-2024']
    """
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    store = open_store(resolve_inputs(files, plans), cache=cache)
    return Dataset(store=OxigraphStore(store=store), default_union=True)


def resolve_inputs(files: list[Path | str] | None = None, plans: list[str] | None = None) -> list[Input]:
    """The inputs a command works on: user files (with ontology and shared entities) or the bundle."""
    if files:
        return bundled_inputs([]) + department_inputs() + inputs_for_files(files)
    return bundled_inputs(plans)
