"""Building ACME clients from the stored servers and accounts."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from ...model import AcmeAccount, AcmeServer
from ...model.meta import utcnow
from ...settings import AppSettings
from ..acme_v2 import AcmeClient
from ..db.acme_accounts import active_key
from ..errors import Conflict
from .event_log import EventRecorder

_bundle_lock = threading.Lock()
_BUNDLE_DIR = os.path.join(tempfile.gettempdir(), "peter_sslers-ca-bundles")


def ca_bundle_path(server: AcmeServer) -> str | None:
    """A file holding the server's CA bundle (written once per content), or None for the default."""
    if not server.ca_bundle_pem:
        return None
    digest = hashlib.sha256(server.ca_bundle_pem.encode()).hexdigest()
    path = os.path.join(_BUNDLE_DIR, f"{digest}.pem")
    with _bundle_lock:
        if not os.path.exists(path):
            os.makedirs(_BUNDLE_DIR, mode=0o700, exist_ok=True)
            temp = path + f".{os.getpid()}.tmp"
            with open(temp, "w", encoding="utf-8") as handle:
                handle.write(server.ca_bundle_pem)
            os.replace(temp, path)
    return path


def _no_checkpoint() -> None:
    pass


@dataclasses.dataclass
class AcmeEnv:
    """What the ACME workflows need besides the database session.

    ``checkpoint`` commits the work so far and opens a new transaction (the request's
    transaction manager, or the CLI's): an order's progress survives a later failure or
    crash, and the public route (another process) sees a challenge before the server asks.
    ``clock`` is injectable for tests of time-dependent behaviour (key cycling).
    """

    settings: AppSettings
    recorder: EventRecorder
    checkpoint_hook: Callable[[], None] = _no_checkpoint
    clock: Callable[[], datetime.datetime] = utcnow
    precheck: bool = False  # check challenges ourselves before asking the server to validate
    manual_dns_confirmed: bool = False  # the user says the manual TXT records are in place

    @classmethod
    def for_session_factory(
        cls, settings: AppSettings, session_factory: sessionmaker, checkpoint: Callable[[], None] = _no_checkpoint
    ) -> AcmeEnv:
        return cls(settings=settings, recorder=EventRecorder(session_factory), checkpoint_hook=checkpoint)

    def checkpoint(self) -> None:
        """Commit what is done so far, then store the buffered ACME event log."""
        self.checkpoint_hook()
        self.recorder.flush()

    def client(self, server: AcmeServer, key_pem: str, account_url: str | None = None) -> AcmeClient:
        if not server.is_enabled:
            raise Conflict(f"the ACME server {server.name} is disabled")
        return AcmeClient(
            server.directory_url,
            key_pem,
            ca_bundle=ca_bundle_path(server),
            timeout=self.settings.acme_timeout,
            event_sink=self.recorder.sink(server.id),
            account_url=account_url,
            disable_ssl_warning=self.settings.requests_disable_ssl_warning,
            bad_nonce_retries=self.settings.acme_bad_nonce_retries,
        )

    def account_client(self, dbsession: Session, account: AcmeAccount) -> AcmeClient:
        """A client signing with the account's active key, with its account URL (kid) if known."""
        key = active_key(account)
        if key is None:
            raise Conflict("this account has no active key")
        client = self.client(account.acme_server, key.key_pem, account.account_url)
        return client
