"""ipkg: an open knowledge graph of Chinese municipal intellectual-property policy.

For a notebook::

    import ipkg
    ds = ipkg.load()                      # rdflib Dataset, one named graph per plan
    rows = ipkg.query("lead-departments") # a named query (or SPARQL text) -> list of dicts

Nothing heavy is imported until a function needs it.
"""

from __future__ import annotations

__version__ = "0.1.0"


def load(files=None, *, plans=None, cache=True):
    """Load the bundled graph (or ``files``) as an rdflib Dataset; see :func:`ipkg.store.load`."""
    from .store import load as _load

    return _load(files, plans=plans, cache=cache)


def __getattr__(name: str):
    # `ipkg.query(...)`, `ipkg.network`, … resolve to their submodules on first use.
    if name in ("query", "network", "validate", "store", "export", "curate", "stats", "terms", "paths"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ipkg' has no attribute {name!r}")
