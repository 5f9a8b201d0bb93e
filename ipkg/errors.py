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


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in the system's words ("Permission denied"), without
    the "(os error 13)" Rust libraries such as pyoxigraph append."""
    return exc.strerror or re.sub(r" \(os error \d+\)$", "", str(exc))
