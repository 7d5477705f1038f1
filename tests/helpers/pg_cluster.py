"""A PostgreSQL cluster of a test's own, in a temporary folder, that the test may stop, start and
restart (the shared test database must never be restarted under other tests).

Found under /usr/lib/postgresql/*/bin (Debian's `postgresql` package) or on PATH. initdb refuses
to run as root: as root the cluster belongs to the `postgres` user and its commands run through su."""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .ports import free_port


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest version installed), or None."""
    if sys.platform == "win32":  # PostgreSQL for Windows on PATH (under Wine, Linux's /usr/lib is not it)
        initdb = shutil.which("initdb")
        return Path(initdb).parent if initdb else None
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()],
    )
    for folder in reversed(found):
        if os.access(os.path.join(folder, "initdb"), os.X_OK):
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """initdb'd on creation; start() / stop() / restart() with pg_ctl; url for the `postgres` database."""

    def __init__(self, folder: Path, bin_dir: Path):
        self.folder = Path(folder)
        self.bin = bin_dir
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0 if hasattr(os, "geteuid") else False
        if self.as_root:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_root:
            command = ["su", "postgres", "-c", shlex.join(command)]
        done = subprocess.run(
            command, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=self.folder
        )
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, command, stderr=done.stderr)

    def _options(self) -> str:
        return (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o", self._options(), "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    def restart(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-w",
            "-m",
            "fast",
            "-o",
            self._options(),
            "restart",
        )

    def stop_for_good(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)


def private_cluster():
    """A started Cluster in a fresh temporary folder (the caller calls stop_for_good), or
    pytest.skip with the reason when PostgreSQL's server programs are not installed here."""

    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.skip('PostgreSQL\'s driver is not installed: pip install -e ".[test]" (psycopg2-binary)')
    bin_dir = binaries()
    if bin_dir is None:
        where = (
            "on PATH (PostgreSQL for Windows)" if sys.platform == "win32" else "installed: apt-get install postgresql"
        )
        pytest.skip(f"PostgreSQL's server programs (initdb, pg_ctl) are not {where}")
    # not under pytest's own temporary folder: as root that is closed to the postgres user
    folder = Path(tempfile.mkdtemp(prefix="voucher-batches-pg-"))
    folder.chmod(0o755)
    cluster = Cluster(folder, bin_dir)
    cluster.start()
    return cluster
