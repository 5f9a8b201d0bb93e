"""Errors a user can cause. The CLI prints them without a traceback and exits with code 2."""

from __future__ import annotations

import re


class IpkgError(Exception):
    """A user mistake or unreadable input: a missing or malformed file, a bad query, a bad option."""

    exit_code = 2


class DataError(IpkgError):
    """A data file that is missing or cannot be parsed (the message names file and line)."""


class CurationError(IpkgError):
    """A curation record that does not match its source text or the vocabularies."""


class OutputError(IpkgError, OSError):
    """An output file that cannot be written (no permission, no such directory, a full disk).

    Also an :class:`OSError`, so code that treats a failed write of a cache file as harmless
    (``except OSError``) keeps doing so."""


# what Rust libraries such as pyoxigraph append to an operating system's message
_OS_ERROR_NUMBER = re.compile(r" \(os error \d+\)$")


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in the system's words ("Permission denied")."""
    return exc.strerror or _OS_ERROR_NUMBER.sub("", str(exc))


def malformed_turtle(path, exc: SyntaxError) -> str:
    """One line for a Turtle file Oxigraph cannot parse: the file, the line, what is wrong."""
    detail = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
    column = ""
    if detail.startswith("Parser error") and ": " in detail:
        where, detail = detail.split(": ", 1)  # "Parser error between line 3 column 11 and line 4 column 1"
        found = re.search(r"column (\d+)", where)
        column = f" (column {found.group(1)})" if found else ""
    detail = _OS_ERROR_NUMBER.sub("", detail)
    if "\ufeff" in detail:
        detail, column = "the file starts with a byte-order mark (U+FEFF): save it as UTF-8 without BOM", ""
    line = f":{exc.lineno}" if exc.lineno else ""
    return f"{path}{line}: malformed Turtle: {detail}{column}"
