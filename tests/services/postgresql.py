"""A throwaway PostgreSQL cluster on a free loopback port, stopped by the PID we started."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .common import free_port, wait_until

INSTALL_HINT = "apt-get install postgresql (the tests need its server binaries)"


def find_bin_dir() -> str | None:
    """The newest /usr/lib/postgresql/N/bin that has initdb and postgres."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    for directory in candidates:
        if os.path.exists(os.path.join(directory, "initdb")):
            return directory
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


class PostgresCluster:
    """initdb + postgres in a temp dir; as root the server runs as the ``postgres`` user."""

    def __init__(self, bin_dir: str):
        self.bin_dir = bin_dir
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="peter_sslers-pg-"))
        self.data = self.base / "data"
        self.log_path = self.base / "postgres.log"
        self._popen: subprocess.Popen | None = None
        self._user = None
        if os.geteuid() == 0:
            self._user = "postgres"
            entry = pwd.getpwnam("postgres")
            os.chown(self.base, entry.pw_uid, entry.pw_gid)

    def _run(self, *argv: str) -> None:
        subprocess.run(
            argv, check=True, user=self._user, capture_output=True, timeout=120, cwd=self.base
        )

    def start(self) -> None:
        self._run(
            os.path.join(self.bin_dir, "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        with open(self.log_path, "ab") as log:
            self._popen = subprocess.Popen(
                [
                    os.path.join(self.bin_dir, "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={self.base}",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                user=self._user,
                start_new_session=True,
                cwd=self.base,
            )
        wait_until(self._accepting, timeout=30, what="PostgreSQL to accept connections")

    def _accepting(self) -> bool:
        if self._popen is not None and self._popen.poll() is not None:
            raise RuntimeError(
                "postgres exited:\n" + self.log_path.read_text(errors="replace")[-2000:]
            )
        import psycopg

        with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
            return True

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def url(self, database: str) -> str:
        """SQLAlchemy URL for psycopg 3."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        popen = self._popen
        if popen is not None and popen.poll() is None:
            popen.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
            try:
                popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)
