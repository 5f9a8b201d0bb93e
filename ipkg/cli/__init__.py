"""The ``ipkg`` command: parses arguments, calls the library, prints. Nothing else.

Exit codes: 0 success; 1 a check failed (validation found violations, stale data); 2 usage or
input error (bad option, missing or malformed file, bad query, unreachable endpoint).
Only click is imported here; each command imports the library it needs when it runs, so
``ipkg --help`` stays fast.
"""

from __future__ import annotations

import click

from .common import IpkgGroup


@click.group(cls=IpkgGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="ipkg")
def main() -> None:
    """ipkg: a knowledge graph of Chinese municipal intellectual-property policy.

    The bundled graph holds five city plans with their tasks, departments, targets and citations,
    every fact traced to its source sentence. Exit codes: 0 ok, 1 check failed, 2 usage or input error.
    """


from . import data  # noqa: E402,F401  (registers the commands on `main`)
from . import query  # noqa: E402,F401
from . import network  # noqa: E402,F401
from . import validate  # noqa: E402,F401
