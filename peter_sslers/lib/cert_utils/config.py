"""Backend selection. The backend is chosen once with :func:`configure`.

The ``cryptography`` backend module is imported lazily, so importing
``peter_sslers.lib.cert_utils`` works without ``cryptography`` installed.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from types import ModuleType

from . import openssl_cli
from .errors import BackendUnavailableError

log = logging.getLogger(__name__)

BACKENDS = ("auto", "cryptography", "openssl")


@dataclasses.dataclass
class _State:
    requested: str = "auto"
    openssl_path: str = "openssl"
    openssl_path_conf: str | None = None
    module: ModuleType | None = None


_state = _State()


def _import_cryptography_backend() -> ModuleType | None:
    try:
        return importlib.import_module(".backend_cryptography", __package__)
    except ImportError as exc:
        log.debug("cryptography backend unavailable: %s", exc)
        return None


def _resolve(requested: str) -> ModuleType:
    if requested in ("auto", "cryptography"):
        module = _import_cryptography_backend()
        if module is not None:
            return module
        if requested == "cryptography":
            raise BackendUnavailableError(
                "backend 'cryptography' requested but the cryptography package cannot be imported"
            )
    return importlib.import_module(".backend_openssl", __package__)


def configure(
    backend: str = "auto",
    openssl_path: str = "openssl",
    openssl_path_conf: str | None = None,
) -> dict:
    """Choose the backend: "auto" (cryptography if importable, else openssl),
    "cryptography" or "openssl". ``openssl_path``/``openssl_path_conf`` are used by
    the openssl backend (the config file is passed to it as ``OPENSSL_CONF``).

    Returns the previous settings as a dict usable as ``configure(**previous)``.
    Raises :class:`BackendUnavailableError` if the choice cannot be satisfied.
    """
    if backend not in BACKENDS:
        raise BackendUnavailableError(f"unknown backend {backend!r}; use one of {BACKENDS}")
    previous = get_configuration()
    module = _resolve(backend)
    if module.NAME == "openssl" or openssl_path != "openssl" or openssl_path_conf:
        openssl_cli.configure(openssl_path, openssl_path_conf)
    else:
        openssl_cli.settings.openssl_path = openssl_path
        openssl_cli.settings.openssl_path_conf = openssl_path_conf
    _state.requested = backend
    _state.openssl_path = openssl_path
    _state.openssl_path_conf = openssl_path_conf
    _state.module = module
    log.info("cert_utils backend: %s (requested %s)", module.NAME, backend)
    return previous


def get_configuration() -> dict:
    """The current settings: backend (as requested), openssl_path, openssl_path_conf."""
    return {
        "backend": _state.requested,
        "openssl_path": _state.openssl_path,
        "openssl_path_conf": _state.openssl_path_conf,
    }


def backend() -> ModuleType:
    """The active backend module (resolving "auto" on first use)."""
    if _state.module is None:
        _state.module = _resolve(_state.requested)
    return _state.module


def current_backend() -> str:
    """Name of the active backend: "cryptography" or "openssl"."""
    return backend().NAME
