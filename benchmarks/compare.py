"""Compare versions of a query on one store: alternating runs, and the same answer required.

    .venv/bin/python -m benchmarks.compare queries/department-partners.rq /tmp/variant.rq --runs 5
    git show HEAD~1:queries/x.rq > /tmp/old.rq && .venv/bin/python -m benchmarks.compare /tmp/old.rq queries/x.rq
    IPKG_PLANS_DIR=/tmp/ipkg-bench/corpus-1100-seed8 .venv/bin/python -m benchmarks.compare a.rq b.rq --memory
    .venv/bin/python -m benchmarks.compare a.rq b.rq --endpoint http://127.0.0.1:8890/sparql

The store is the one ``ipkg query`` uses (the on-disk cache of ``$IPKG_PLANS_DIR``'s corpus), or an
in-memory copy with ``--memory``, or a SPARQL endpoint. Each round runs every file once, in turn,
through ``ipkg.query.run``, so a machine that slows down slows them all. Prints the minimum and
median seconds per file and whether all gave the same rows (or triples); exits 1 if they did not.
This is how query changes are decided (see README "Performance"); the suite never times anything.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path


def compare(files: list[Path], runs: int = 5, *, memory: bool = False, endpoint: str | None = None,
            timeout: float = 600) -> tuple[list[list[float]], bool]:
    """Seconds per file (in the order given; a file may be given twice to see the noise) over
    ``runs`` alternating rounds, and whether every file gave the same answer."""
    from ipkg.query import run
    from ipkg.store import open_store

    texts = [path.read_text(encoding="utf-8") for path in files]
    store = None if endpoint else open_store(cache=not memory)
    seconds: list[list[float]] = [[] for _ in files]
    answers: list[str] = [""] * len(files)
    for _ in range(runs):
        for i, text in enumerate(texts):
            started = time.perf_counter()
            result = run(text, store=store, endpoint=endpoint, timeout=timeout)
            seconds[i].append(time.perf_counter() - started)
            answers[i] = repr((result.kind, result.variables, result.rows, result.triples, result.boolean))
    return seconds, len(set(answers)) == 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="query files (.rq) to compare")
    parser.add_argument("--runs", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--memory", action="store_true", help="an in-memory store instead of the on-disk cache")
    parser.add_argument("--endpoint", help="a SPARQL 1.1 endpoint instead of the embedded store")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per query (default 600)")
    options = parser.parse_args(argv)
    missing = [str(path) for path in options.files if not path.is_file()]
    if missing or options.runs < 1:
        parser.error(f"no such file: {', '.join(missing)}" if missing else "--runs must be at least 1")
    from ipkg.errors import IpkgError

    try:
        seconds, same = compare(options.files, options.runs, memory=options.memory, endpoint=options.endpoint,
                                timeout=options.timeout)
    except IpkgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    width = max(len(str(path)) for path in options.files)
    for path, times in zip(options.files, seconds):
        print(f"{str(path):{width}}  min {min(times):.3f} s  median {statistics.median(times):.3f} s  "
              f"({len(times)} runs)")
    print("same answer from every file" if same else "ANSWERS DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
