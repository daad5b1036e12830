"""Process and port helpers shared by the service launchers.

Every service is started as a direct child (no shell), so the PID we keep is the PID of
the server itself and stopping it never touches anything else on the machine.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

_handed_out: set[int] = set()
_handed_out_lock = threading.Lock()


def free_port(*, udp: bool = False) -> int:
    """Return a port on 127.0.0.1 that is free now (TCP, and UDP too when ``udp``).

    Ports are never handed out twice by this process, so two services started in a row
    cannot get the same one even before either has bound it.
    """
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            if udp and not _udp_port_free(port):
                continue
        with _handed_out_lock:
            if port in _handed_out:
                continue
            _handed_out.add(port)
        return port
    raise RuntimeError("no free port found on 127.0.0.1")


def _udp_port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_until(
    predicate: Callable[[], bool],
    *,
    timeout: float = 10.0,
    interval: float = 0.01,
    what: str = "condition",
    process: ManagedProcess | None = None,
) -> None:
    """Call ``predicate`` until it is true; raise ``TimeoutError`` after ``timeout`` s.

    When ``process`` is given and it exits while we wait, fail at once with its log tail.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001 - the service is not up yet
            pass
        if process is not None and not process.running:
            raise RuntimeError(
                f"{process.name} exited while waiting for {what}:\n{process.log_tail()}"
            )
        if time.monotonic() > deadline:
            tail = process.log_tail() if process is not None else ""
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}\n{tail}")
        time.sleep(interval)
        interval = min(interval * 2, 0.1)


class ManagedProcess:
    """One server process started without a shell, logging to a file, stopped by its PID."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = Path(log_path)
        self.env = env
        self.cwd = cwd
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """PID of the server process, or None before start."""
        return self._popen.pid if self._popen is not None else None

    @property
    def running(self) -> bool:
        """True while the process we started is alive."""
        return self._popen is not None and self._popen.poll() is None

    def start(self) -> None:
        """Start the process; its stdout and stderr go to ``log_path``."""
        full_env = dict(os.environ)
        if self.env:
            full_env.update(self.env)
        with open(self.log_path, "ab") as log:
            self._popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=full_env,
                cwd=self.cwd,
                start_new_session=True,
            )
        atexit.register(self.stop)  # never leave a server behind if teardown is skipped

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the process we started (SIGTERM, then SIGKILL) and reap it."""
        popen = self._popen
        if popen is None or popen.poll() is not None:
            return
        popen.terminate()
        try:
            popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=timeout)

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the process log (for error messages)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
