"""Where ipkg's bundled files live, in a checkout and in an installed wheel.

In a checkout the files sit at the top of the repository (``ontology/``, ``data/``, ``queries/``,
``shapes/``); a wheel carries the same tree under ``ipkg/_bundle/``. Nothing else in ipkg builds a
path to a bundled file. ``IPKG_PLANS_DIR`` points ipkg at another corpus of plans.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def root() -> Path:
    """The directory holding ``ontology/``, ``data/``, ``queries/`` and ``shapes/``."""
    bundled = _PACKAGE / "_bundle"
    if (bundled / "ontology").is_dir():
        return bundled
    return _PACKAGE.parent


def ontology_dir() -> Path:
    return root() / "ontology"


def ontology_file() -> Path:
    return ontology_dir() / "ipkg.ttl"


def vocabulary_files() -> list[Path]:
    return sorted((ontology_dir() / "vocab").glob("*.ttl"))


def data_dir() -> Path:
    return root() / "data"


def bundled_plans_dir() -> Path:
    """The bundled plans' Turtle (``data/ttl``): what ``ipkg curate build`` writes, whatever
    ``$IPKG_PLANS_DIR`` says (another corpus is read, never overwritten)."""
    return data_dir() / "ttl"


def plans_dir() -> Path:
    """The plan files: ``$IPKG_PLANS_DIR`` when set (another corpus, e.g. a synthetic one for
    benchmarks, laid out like ``data/ttl/`` with a ``shared/`` folder), else the bundled plans."""
    override = os.environ.get("IPKG_PLANS_DIR")
    if not override:
        return bundled_plans_dir()
    if not Path(override).is_dir():  # a typo would otherwise read as a corpus without plans
        from .errors import DataError

        what = "not a directory" if Path(override).exists() else "no such directory"
        raise DataError(f"IPKG_PLANS_DIR={override}: {what}")
    return Path(override)


def shared_dir() -> Path:
    return plans_dir() / "shared"


def department_dir() -> Path:
    """One file per city describing its departments, shared by the city's plans."""
    return shared_dir() / "departments"


def plan_files() -> list[Path]:
    return sorted(plans_dir().glob("*.ttl"))


def shared_files() -> list[Path]:
    """Places and cited documents: the entities every plan may name."""
    return sorted(shared_dir().glob("*.ttl"))


def department_files() -> list[Path]:
    """Each city's departments, shared by that city's plans."""
    return sorted(department_dir().glob("*.ttl"))


def sources_dir() -> Path:
    return data_dir() / "sources"


def curation_dir() -> Path:
    return data_dir() / "curation"


def queries_dir() -> Path:
    return root() / "queries"


def shapes_dir() -> Path:
    return root() / "shapes"


def corpus_files() -> list[Path]:
    """Every file the commands read as data: the ontology and vocabularies, shared entities,
    departments, plans and shapes (an output must never replace one of them)."""
    return [ontology_file(), *vocabulary_files(), *shared_files(), *department_files(), *plan_files(),
            *sorted(shapes_dir().glob("*.ttl"))]
