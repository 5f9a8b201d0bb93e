"""What every command shares: turning library errors into messages and exit codes, and the
library's status messages into lines on stderr."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click

from ..errors import IpkgError


class IpkgGroup(click.Group):
    """A click group that reports ipkg errors as one line on stderr with exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            with _status_on_stderr():
                return super().invoke(ctx)
        except IpkgError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)


@contextmanager
def _status_on_stderr():
    """Print the library's INFO messages (``ipkg.*`` loggers: why a first answer on a large corpus
    is slow) as ``ipkg: ...`` lines on stderr, where they do not mix with a command's output."""
    import logging

    class Echo(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            click.echo(f"ipkg: {record.getMessage()}", err=True)  # stderr as it is now, also under CliRunner

    logger = logging.getLogger("ipkg")
    handler, level = Echo(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def check_output(output: str | None, *inputs) -> None:
    """Refuse an ``-o`` naming a file the command reads (its arguments, or the corpus): the
    output would replace its own input."""
    if not output or output == "-":
        return
    import os
    from pathlib import Path

    from .. import paths

    if not os.path.isfile(output):
        return  # a new file (or a device) replaces nothing this command reads
    target = os.path.realpath(output)
    given = [f for item in inputs for f in (sorted(Path(item).glob("*.ttl")) if Path(item).is_dir() else [item])]
    for path in [*given, *paths.corpus_files()]:
        if os.path.realpath(path) == target:
            raise click.UsageError(f"-o {output} is a file this command reads: write the output elsewhere")


def format_for(output: str | None, given: str | None, by_suffix: dict[str, str]) -> str | None:
    """The format ``-o``'s suffix names (``out.csv``: csv) when ``--format`` is not given; a
    ``--format`` that contradicts the suffix is refused rather than written under the wrong name."""
    from pathlib import Path

    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    implied = by_suffix.get(suffix)
    if given and implied and given != implied:
        raise click.UsageError(f"--format {given} but -o {output} names a {implied} file: make them agree")
    return given or implied


def echo_table(headers: list[str], rows: list[list[str]]) -> None:
    """Print an aligned plain-text table (width counts CJK characters as two columns)."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    cells = [[str(c) for c in headers]] + [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(row)).rstrip()

    click.echo(line(cells[0]))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        click.echo(line(row))
