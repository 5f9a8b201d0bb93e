"""Serialisations of the graph, and the atomic writes every output goes through."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same directory, are flushed to disk, and the file is
    renamed over the target (an atomic operation on POSIX and Windows). A symbolic link is
    followed: the file it points to is replaced and the link stays. A device, pipe or terminal
    (``/dev/null``, ``/dev/stdout``) cannot be replaced by renaming: it is written to directly.
    Raises :class:`~ipkg.errors.OutputError` (an ``OSError``) when the file cannot be written.
    """
    from .errors import OutputError, os_reason

    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if _written_through(path):
            with open(path, "ab") as stream:  # appending: /dev/stdout may be a file the shell opened
                stream.write(payload)
            return path
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        _replace(target, payload)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {os_reason(exc)}") from exc
    return path


def write_all_atomic(contents: dict[Path, str | bytes]) -> list[Path]:
    """Write several files, all or none: each goes to a temporary file beside its target first, and
    the temporaries are renamed over the targets only once every one was written. A file whose
    bytes would not change is left alone. As :func:`write_atomic`, a symbolic link is followed and
    the mode of a replaced file kept; raises :class:`~ipkg.errors.OutputError` naming the target."""
    from .errors import OutputError, os_reason

    staged: dict[Path, Path] = {}
    target = None
    try:
        for target, data in contents.items():
            payload = data.encode("utf-8") if isinstance(data, str) else data
            real = Path(os.path.realpath(target))
            if real.is_dir():
                raise IsADirectoryError(errno.EISDIR, "it is a directory")
            if real.is_file() and real.read_bytes() == payload:
                continue
            staged[real] = _staged(real, payload)
        for real, temporary in staged.items():
            target = real
            os.replace(temporary, real)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {os_reason(exc)}") from exc
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
    return list(contents)


def _written_through(path: Path) -> bool:
    """Whether ``path`` is a device, pipe or terminal, or a process's file descriptor reached
    through links (``/dev/stdout`` → ``/proc/self/fd/1`` → whatever the shell opened, a file too):
    those are written into, not replaced. A regular file under ``/dev/shm`` is replaced as any."""
    current = path.absolute()
    for _ in range(40):  # the kernel's limit on a chain of links
        if _is_descriptor(current):
            return True
        if not current.is_symlink():
            break
        current = (current.parent / os.readlink(current)).absolute()
    return current.exists() and not current.is_file() and not current.is_dir()


def _is_descriptor(path: Path) -> bool:
    parts = path.parts
    if parts[1:2] == ("dev",):
        return parts[2:3] in (("stdin",), ("stdout",), ("stderr",), ("fd",))
    return parts[1:2] == ("proc",) and len(parts) > 4 and parts[3] == "fd"


def _replace(path: Path, payload: bytes) -> None:
    temporary = _staged(path, payload)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _staged(path: Path, payload: bytes) -> Path:
    """``payload`` in a new temporary file beside ``path``, flushed to disk, with the mode a plain
    open() would give (mkstemp makes it 0600) or that of the file it will replace."""
    for ancestor in path.absolute().parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, f"{ancestor} is not a directory")
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_current_umask()
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "nquads": "N_QUADS", "trig": "TRIG", "jsonld": "JSON_LD"}


def export_graph(fmt: str, plans: list[str] | None = None) -> str:
    """Serialise the bundled graph; ``trig`` and ``nquads`` keep one named graph per plan.

    The statements come straight from the Turtle files (not from the store, which canonicalises
    literals: ``"1.50"^^xsd:decimal`` becomes ``"1.5"``, ``xsd:positiveInteger`` becomes
    ``xsd:integer``), so the export says exactly what the files say. Output is deterministic:
    statements are sorted, so the same data always gives the same bytes.
    """
    import pyoxigraph as ox

    from .errors import DataError, malformed_turtle, os_reason
    from .store import bundled_inputs
    from .terms import PREFIXES

    quads = set()
    for number, item in enumerate(bundled_inputs(plans)):
        graph = ox.NamedNode(item.graph)
        # the parser names blank nodes at random: rename them by order of appearance in the file
        blank_names: dict = {}

        def stable(term, number=number, blank_names=blank_names):
            if isinstance(term, ox.BlankNode):
                return blank_names.setdefault(term, ox.BlankNode(f"f{number}b{len(blank_names)}"))
            return term

        try:
            for triple in ox.parse(path=str(item.path), format=ox.RdfFormat.TURTLE):
                quads.add(ox.Quad(stable(triple.subject), triple.predicate, stable(triple.object), graph))
        except SyntaxError as exc:
            raise DataError(malformed_turtle(item.path, exc)) from exc
        except OSError as exc:
            raise DataError(f"{item.path}: cannot read ({os_reason(exc)})") from exc
    if fmt in ("trig", "nquads"):
        statements = sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    else:
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        statements = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    prefixes = PREFIXES if fmt in ("turtle", "trig") else None
    data = ox.serialize(statements, format=getattr(ox.RdfFormat, _FORMATS[fmt]), prefixes=prefixes)
    return data.decode("utf-8")
