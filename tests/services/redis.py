"""Start a real redis-server (Debian's 7.0) for tests and benchmarks.

The server is a direct child started without a shell and without ``--daemonize``, so the
PID we keep is the server's own and ``stop()`` ends exactly that process. No persistence
(``--save '' --appendonly no``), loopback only, a free port, its working dir in a temp dir.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .common import ManagedProcess, free_port, wait_until

REDIS_BIN = "redis-server"
INSTALL_HINT = "apt-get install redis-server"


class RedisServer:
    """One redis-server on 127.0.0.1:``port``; ``url(db)`` gives a redis:// URL for it."""

    def __init__(self, workdir: str | Path, *, port: int | None = None, binary: str = REDIS_BIN):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.binary = shutil.which(binary) or binary
        self.port = port or free_port()
        self._process: ManagedProcess | None = None

    def url(self, db: int | None = 9) -> str:
        base = f"redis://127.0.0.1:{self.port}"
        return base if db is None else f"{base}/{db}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.running

    def client(self, db: int = 9):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_connect_timeout=2)

    def start(self, timeout: float = 10.0) -> RedisServer:
        argv = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.dir),
        ]  # fmt: skip
        self._process = ManagedProcess(f"redis-server:{self.port}", argv, log_path=self.dir / "redis.log")
        self._process.start()
        try:
            wait_until(lambda: self.client().ping(), timeout=timeout, what=f"redis on {self.port}",
                       process=self._process)  # fmt: skip
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server we started (by its PID); a no-op when it is not running."""
        if self._process is not None:
            self._process.stop()
