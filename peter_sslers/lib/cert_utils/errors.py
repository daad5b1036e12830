"""Typed errors raised by :mod:`peter_sslers.lib.cert_utils`.

Every error raised by the public API derives from :class:`CryptoError`.
Both backends raise the *same* error class for the same input; the input
validation that decides most of them is shared pure-Python code.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "ChainError",
    "CryptoError",
    "InvalidDomainError",
    "InvalidJWKError",
    "InvalidPEMError",
    "KeyMismatchError",
    "OpenSSLError",
    "TooLargeError",
    "UnsupportedKeyError",
    "WrongTypeError",
]


class CryptoError(Exception):
    """Base class of every error raised by ``cert_utils``."""


class InvalidPEMError(CryptoError, ValueError):
    """Input is empty, malformed, truncated or not decodable (PEM or DER)."""


class WrongTypeError(CryptoError, ValueError):
    """Input is well formed but of another kind (e.g. a key given as a certificate)."""


class TooLargeError(CryptoError, ValueError):
    """Input exceeds the size limit; refused before any parsing."""


class KeyMismatchError(CryptoError, ValueError):
    """A private key does not belong to the certificate / CSR it is used with."""


class ChainError(CryptoError, ValueError):
    """A certificate chain is broken (name, key identifier or signature mismatch)."""


class UnsupportedKeyError(CryptoError, ValueError):
    """Key type, size, curve or algorithm is not supported for the operation."""


class InvalidJWKError(CryptoError, ValueError):
    """A JSON Web Key is malformed or incomplete."""


class InvalidDomainError(CryptoError, ValueError):
    """A domain name / identifier cannot be put into a CSR."""


class BackendUnavailableError(CryptoError):
    """The requested backend cannot be used (package missing, binary not found)."""


class OpenSSLError(CryptoError):
    """The ``openssl`` command failed, timed out or could not be started.

    ``returncode`` is ``None`` when the process did not run to completion
    (binary missing, timeout); ``stderr`` holds a short summary of OpenSSL's
    error output.
    """

    def __init__(
        self,
        message: str,
        *,
        returncode: int | None = None,
        stderr: str = "",
        command: str = "",
    ) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr
        self.command = command
