"""The one place that runs the ``openssl`` binary.

:func:`run` adds a timeout, a clean environment (``LC_ALL=C``, ``OPENSSL_CONF``
from the configured ``openssl_path_conf``), writes file inputs into a private
temporary directory (mode 0700, removed afterwards) and turns failures into
:class:`~.errors.OpenSSLError` with a short summary of OpenSSL's stderr.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence

from .errors import BackendUnavailableError, OpenSSLError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0

_ERROR_RE = re.compile(r"error:[0-9A-Fa-f]+:([^:]*):([^:]*):([^:\n]*)")


@dataclasses.dataclass
class Settings:
    """Where the binary and its config live."""

    openssl_path: str = "openssl"
    openssl_path_conf: str | None = None
    timeout: float = DEFAULT_TIMEOUT


settings = Settings()


def configure(openssl_path: str = "openssl", openssl_path_conf: str | None = None) -> None:
    """Set the binary and optional config file; raise if the binary cannot be found."""
    if shutil.which(openssl_path) is None:
        raise BackendUnavailableError(
            f"openssl binary {openssl_path!r} not found; install OpenSSL or set openssl_path"
        )
    if openssl_path_conf is not None and not os.path.isfile(openssl_path_conf):
        raise BackendUnavailableError(f"openssl_path_conf {openssl_path_conf!r} is not a file")
    settings.openssl_path = openssl_path
    settings.openssl_path_conf = openssl_path_conf


@dataclasses.dataclass(frozen=True)
class InputFile:
    """An argument that is replaced by the path of a temporary file holding ``data``."""

    data: bytes
    name: str = "input.pem"


@dataclasses.dataclass
class Result:
    """Outcome of an openssl run."""

    returncode: int
    stdout: bytes
    stderr: bytes


def summarize_stderr(stderr: bytes, limit: int = 3) -> str:
    """Condense OpenSSL's error stack to a few 'library: reason' items."""
    text = stderr.decode("utf-8", "replace")
    items: list[str] = []
    for match in _ERROR_RE.finditer(text):
        item = f"{match.group(1)}: {match.group(3)}".strip(": ")
        if item and item not in items:
            items.append(item)
    if not items:
        items = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(items[:limit]) or "no error output"


def _child_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    if settings.openssl_path_conf:
        env["OPENSSL_CONF"] = settings.openssl_path_conf
    if extra:
        env.update(extra)
    return env


def _materialize(args: Sequence[str | InputFile], tmpdir: str | None) -> list[str]:
    out = [settings.openssl_path]
    for index, arg in enumerate(args):
        if isinstance(arg, InputFile):
            assert tmpdir is not None
            path = os.path.join(tmpdir, f"{index}-{arg.name}")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(arg.data)
            out.append(path)
        else:
            out.append(arg)
    return out


def run(
    args: Sequence[str | InputFile],
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    check: bool = True,
) -> Result:
    """Run ``openssl *args``; raise :class:`OpenSSLError` on failure when ``check``.

    ``InputFile`` arguments become paths of private temporary files.
    """
    timeout = settings.timeout if timeout is None else timeout
    command = str(args[0]) if args else ""
    needs_files = any(isinstance(a, InputFile) for a in args)
    tmp = tempfile.TemporaryDirectory(prefix="cert_utils-") if needs_files else None
    try:
        argv = _materialize(args, tmp.name if tmp else None)
        log.debug("running openssl %s", command)
        proc = subprocess.run(
            argv,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            env=_child_env(env),
            check=False,
        )
    except FileNotFoundError:
        raise OpenSSLError(
            f"openssl binary {settings.openssl_path!r} not found; set openssl_path",
            command=command,
        ) from None
    except subprocess.TimeoutExpired:
        raise OpenSSLError(
            f"'openssl {command}' timed out after {timeout:g}s", command=command
        ) from None
    finally:
        if tmp is not None:
            tmp.cleanup()
    result = Result(proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        summary = summarize_stderr(proc.stderr)
        raise OpenSSLError(
            f"'openssl {command}' failed (exit {proc.returncode}): {summary}",
            returncode=proc.returncode,
            stderr=summary,
            command=command,
        )
    return result


def version() -> str:
    """The ``openssl version`` string."""
    return run(["version"]).stdout.decode().strip()
