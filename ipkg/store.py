"""Loading the knowledge graph: one place that knows which files make the dataset.

The dataset holds one named graph per plan (``id/graph/<slug>``), one for the shared entities
(``id/graph/shared``: places and cited documents) and one for the ontology and its vocabularies
(``id/graph/ontology``). The embedded store is Oxigraph (pyoxigraph): it loads the bundled
graph about ten times faster than rdflib's parser and answers aggregate queries one to two
orders of magnitude faster (see ``benchmarks/``). Notebook users still get an rdflib
:class:`~rdflib.Dataset` from :func:`load`, backed by the same Oxigraph store through oxrdflib.

The bundled graph is cached on disk, keyed by the SHA-256 of every input file, so a second
process opens it instead of parsing again; any change to an input gives a new key.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import DataError
from .terms import graph_iri


@dataclass(frozen=True)
class Input:
    """One Turtle file and the named graph it goes into."""

    path: Path
    graph: str


def bundled_inputs(plans: list[str] | None = None) -> list[Input]:
    """The ontology, vocabularies, shared entities and plans shipped with ipkg, in load order."""
    inputs = [Input(paths.ontology_file(), graph_iri("ontology"))]
    inputs += [Input(p, graph_iri("ontology")) for p in paths.vocabulary_files()]
    inputs += [Input(p, graph_iri("shared")) for p in paths.shared_files()]
    for path in paths.plan_files():
        if plans is None or path.stem in plans:
            inputs.append(Input(path, graph_iri(path.stem)))
    if plans:
        missing = sorted(set(plans) - {p.stem for p in paths.plan_files()})
        if missing:
            known = ", ".join(p.stem for p in paths.plan_files())
            raise DataError(f"unknown plan {', '.join(missing)} (bundled plans: {known})")
    return inputs


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
    """A digest of the inputs' paths relative to their directory, graphs and bytes."""
    digest = hashlib.sha256()
    for item in inputs:
        digest.update(item.graph.encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(item.path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _load_into(store, inputs: list[Input]) -> None:
    import pyoxigraph as ox

    for item in inputs:
        try:
            store.load(path=str(item.path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(item.graph))
        except FileNotFoundError as exc:
            raise DataError(f"{item.path}: no such file") from exc
        except SyntaxError as exc:
            line = f":{exc.lineno}" if exc.lineno else ""
            message = str(exc).split(" (", 1)[0]
            raise DataError(f"{item.path}{line}: malformed Turtle: {message}") from exc


def cache_dir() -> Path:
    """Where cached stores live: ``$IPKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/ipkg``, else ``~/.cache/ipkg``."""
    if os.environ.get("IPKG_CACHE_DIR"):
        return Path(os.environ["IPKG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ipkg"


def open_store(inputs: list[Input] | None = None, *, cache: bool = True):
    """Return a pyoxigraph Store holding ``inputs`` (default: the bundled graph).

    With ``cache`` the store is built once in the cache directory and reopened read-only by later
    calls. Building happens in a private temporary directory that is renamed into place, so two
    processes building at once never see a half-built store; the loser discards its copy.
    """
    import pyoxigraph as ox

    inputs = bundled_inputs() if inputs is None else inputs
    if not cache:
        store = ox.Store()
        _load_into(store, inputs)
        return store
    key = content_key(inputs)
    target = cache_dir() / f"store-{key}"
    if not (target / "COMPLETE").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".store-{key}.", dir=target.parent))
        try:
            store = ox.Store(str(building))
            _load_into(store, inputs)
            store.flush()
            store.optimize()
            del store
            (building / "COMPLETE").write_text(key)
            try:
                os.rename(building, target)
            except OSError:
                pass  # another process won the race; its store is identical
        finally:
            if building.exists():
                shutil.rmtree(building, ignore_errors=True)
    return ox.Store.read_only(str(target))


def load(files: list[Path | str] | None = None, *, plans: list[str] | None = None, cache: bool = True):
    """Load the knowledge graph as an rdflib Dataset (backed by Oxigraph), one named graph per plan.

    ``files`` loads the given Turtle files instead of the bundled plans (each into a graph named
    after the file), together with the ontology and shared entities. ``plans`` picks bundled plans
    by slug.

    >>> import ipkg
    >>> ds = ipkg.load(plans=["taixing-2024"])
    >>> sorted(str(g.identifier).rsplit("/", 1)[-1] for g in ds.graphs() if "graph/" in str(g.identifier))
    ['ontology', 'shared', 'taixing-2024']
    """
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    store = open_store(resolve_inputs(files, plans), cache=cache)
    return Dataset(store=OxigraphStore(store=store), default_union=True)


def resolve_inputs(files: list[Path | str] | None = None, plans: list[str] | None = None) -> list[Input]:
    """The inputs a command works on: user files (with ontology and shared entities) or the bundle."""
    if files:
        base = [i for i in bundled_inputs() if i.graph in (graph_iri("ontology"), graph_iri("shared"))]
        return base + inputs_for_files(files)
    return bundled_inputs(plans)
