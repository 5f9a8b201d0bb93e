"""A private Virtuoso Open Source server for tests and local experiments.

Starts ``virtuoso-t`` (Debian package ``virtuoso-opensource``) from a fresh database in a
directory of its own, bound to 127.0.0.1 on free ports, with the result-size and run-time limits
raised (the packaged defaults silently truncate results at 10,000 rows), waits until both its SQL
and HTTP ports answer, replaces the default ``dba`` password, and stops it again by its process
id. Nothing is installed or started system-wide.

>>> import shutil
>>> if shutil.which("virtuoso-t"):  # doctest: +SKIP
...     with Virtuoso.start() as server:
...         print(server.endpoint)
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IpkgError

_INI = """[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., {dir}
NumberOfBuffers          = 20000
MaxDirtyBuffers          = 15000
MaxQueryMem              = 512M
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 300
"""


class ServerError(IpkgError):
    """A server that cannot be started or does not become ready."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def virtuoso_available() -> bool:
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt"))


@dataclass
class Virtuoso:
    """A running private Virtuoso: its directory, ports, process and dba password."""

    directory: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen
    password: str = "dba"
    owns_directory: bool = False
    log: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    @property
    def user(self) -> str:
        return "dba"

    @classmethod
    def start(cls, directory: Path | str | None = None, *, password: str | None = None,
              ready_timeout: float = 60.0) -> "Virtuoso":
        """Create a database in ``directory`` (default: a new temporary one) and start the server."""
        if not virtuoso_available():
            raise ServerError("virtuoso-t and isql-vt are not on PATH: install the Debian package virtuoso-opensource")
        owns = directory is None
        root = Path(directory or tempfile.mkdtemp(prefix="ipkg-virtuoso-"))
        root.mkdir(parents=True, exist_ok=True)
        (root / "vsp").mkdir(exist_ok=True)
        sql_port, http_port = free_port(), free_port()
        while http_port == sql_port:
            http_port = free_port()
        (root / "virtuoso.ini").write_text(_INI.format(dir=root, sql_port=sql_port, http_port=http_port))
        stdout = open(root / "stdout.log", "wb")
        process = subprocess.Popen(["virtuoso-t", "+configfile", str(root / "virtuoso.ini"), "+foreground"],
                                   cwd=root, stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        stdout.close()
        server = cls(root, sql_port, http_port, process, "dba", owns)
        try:
            server._wait_ready(ready_timeout)
            new_password = password or "ipkg" + secrets.token_hex(8)
            server.isql(f"SET PASSWORD dba {new_password};")
            server.password = new_password
        except BaseException:
            server.stop()
            raise
        return server

    def isql(self, statements: str, timeout: float = 120.0) -> str:
        """Run SQL statements through ``isql-vt`` as dba; an error is raised with the output."""
        completed = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", self.password],
                                   input=statements.encode(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=timeout)
        output = completed.stdout.decode("utf-8", "replace")
        if completed.returncode != 0 or "*** Error" in output:
            raise ServerError(f"isql failed: {output.strip()[-500:]}")
        return output

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.directory / "stdout.log").read_text(errors="replace")[-800:]
                raise ServerError(f"virtuoso-t exited with code {self.process.returncode}: {tail}")
            try:
                self.isql("select 1;", timeout=10)
                with urllib.request.urlopen(f"{self.endpoint}?query=ASK%7B%7D", timeout=5) as response:
                    if response.status == 200:
                        return
            except Exception:  # noqa: BLE001 - not ready yet
                pass
            time.sleep(0.25)
        raise ServerError(f"Virtuoso did not become ready within {timeout:g} s (log: {self.directory}/virtuoso.log)")

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server we started (by its process id) and remove its directory if we made it."""
        if self.process.poll() is None:
            try:
                os.kill(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            except ProcessLookupError:
                pass
        if self.owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "Virtuoso":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
