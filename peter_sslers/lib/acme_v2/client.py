"""The ACME v2 protocol client (RFC 8555, with RFC 9773 ARI and profiles).

:class:`AcmeClient` turns protocol operations into signed requests through
:class:`~.network.AcmeNetwork` and returns the typed objects of :mod:`.messages`.
It keeps no state besides the account key, the account URL and the directory, so the
application decides what to store and when (see :mod:`.events` for the exchange log).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import requests

from . import events, jws
from .errors import AcmeError, AcmeProtocolError, AcmeUnsupported
from .events import Action
from .messages import (
    Account,
    Authorization,
    CertificateChains,
    Challenge,
    Directory,
    Identifier,
    Order,
    RenewalInfo,
    Status,
)
from .network import DEFAULT_TIMEOUT, USER_AGENT, AcmeNetwork, AcmeResponse
from .pem import to_der
from .polling import DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY, DEFAULT_POLL_TIMEOUT, poll_until

PEM_CHAIN = "application/pem-certificate-chain"

#: revocation reasons of RFC 5280 section 5.3.1 accepted by RFC 8555 section 7.6
REVOCATION_REASONS = {
    "unspecified": 0,
    "keyCompromise": 1,
    "affiliationChanged": 3,
    "superseded": 4,
    "cessationOfOperation": 5,
}

IdentifierLike = str | Identifier | dict[str, str]


class AcmeClient:
    """An ACME v2 client for one server and one account key.

    :param directory_url: the server's directory URL
    :param account_key_pem: the account's private key (RSA, P-256 or P-384), PEM
    :param ca_bundle: CA file to verify the server with (``None``: certifi's bundle,
        ``False``: no verification); never taken from the environment
    :param timeout: seconds for every HTTP request
    :param event_sink: called with an :class:`~.events.AcmeExchange` per HTTP exchange
    :param account_url: the account URL (``kid``) when already known
    :param directory: a directory document the caller already has (skips a request)
    :param clock: monotonic clock for polling deadlines (tests inject one)
    :param sleep: sleep function for polling (tests inject one)
    """

    def __init__(
        self,
        directory_url: str,
        account_key_pem: str | bytes,
        *,
        ca_bundle: str | bool | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        event_sink: events.EventSink | None = None,
        account_url: str | None = None,
        disable_ssl_warning: bool = False,
        bad_nonce_retries: int = 1,
        directory: dict[str, Any] | None = None,
        jws_backend: str | None = None,
        poll_initial_delay: float = DEFAULT_INITIAL_DELAY,
        poll_max_delay: float = DEFAULT_MAX_DELAY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = USER_AGENT,
        session: requests.Session | None = None,
    ) -> None:
        self.net = AcmeNetwork(
            directory_url,
            ca_bundle=ca_bundle,
            timeout=timeout,
            event_sink=event_sink,
            disable_ssl_warning=disable_ssl_warning,
            bad_nonce_retries=bad_nonce_retries,
            user_agent=user_agent,
            session=session,
        )
        if directory is not None:
            self.net.set_directory(directory)
        self.jws_backend = jws_backend
        self.signer = jws.Signer(account_key_pem, backend=jws_backend)
        self.account_url = account_url
        self.poll_initial_delay = poll_initial_delay
        self.poll_max_delay = poll_max_delay
        self._clock = clock
        self._sleep = sleep
        self._directory: Directory | None = None

    #: ``with client.context(order_id=12): ...`` attaches ids to the exchanges inside
    context = staticmethod(events.acme_context)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.net.close()

    def __enter__(self) -> AcmeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- directory and key material ----------------------------------------------------

    @property
    def directory(self) -> Directory:
        """The server's directory (fetched on first use)."""
        if self._directory is None:
            self._directory = Directory.from_json(self.net.directory(), url=self.net.directory_url)
        return self._directory

    def refresh_directory(self) -> Directory:
        """Fetch the directory again."""
        self._directory = Directory.from_json(
            self.net.directory(refresh=True), url=self.net.directory_url
        )
        return self._directory

    @property
    def thumbprint(self) -> str:
        """The account key's JWK thumbprint (RFC 7638)."""
        return self.signer.thumbprint

    def key_authorization(self, token: str) -> str:
        """The key authorization for a challenge token (served as-is for HTTP-01)."""
        return jws.key_authorization(token, self.signer.thumbprint)

    def dns01_txt_value(self, token: str) -> str:
        """The ``_acme-challenge`` TXT value for a DNS-01 challenge token."""
        return jws.dns01_txt_value(self.key_authorization(token))

    # -- requests ----------------------------------------------------------------------

    def _kid(self) -> str:
        if not self.account_url:
            raise AcmeError("no account URL: call new_account() or find_account() first")
        return self.account_url

    def _post(
        self, url: str, payload: dict[str, Any] | None, action: str, accept: str | None = None
    ) -> AcmeResponse:
        return self.net.post(
            url, payload, signer=self.signer, kid=self._kid(), action=action, accept=accept
        )

    # -- accounts (RFC 8555 7.3) ------------------------------------------------------

    def new_account(
        self,
        contact: Sequence[str] | None = None,
        *,
        terms_of_service_agreed: bool = False,
        eab: tuple[str, str] | None = None,
    ) -> Account:
        """Create the account of this key (or return the existing one) and remember its URL.

        :param contact: ``mailto:`` URLs
        :param eab: ``(kid, hmac_key_b64url)`` for External Account Binding (RFC 8555 7.3.4)
        """
        url = self.directory.new_account
        payload: dict[str, Any] = {"termsOfServiceAgreed": bool(terms_of_service_agreed)}
        if contact is not None:
            payload["contact"] = list(contact)
        if eab is not None:
            eab_kid, hmac_key = eab
            payload["externalAccountBinding"] = jws.external_account_binding(
                eab_kid, hmac_key, self.signer.jwk, url
            )
        response = self.net.post(
            url, payload, signer=self.signer, kid=None, action=Action.NEW_ACCOUNT
        )
        return self._account_from(response)

    def find_account(self) -> Account:
        """Look up the account of this key (``onlyReturnExisting``); remember its URL.

        Raises :class:`~.errors.AccountDoesNotExist` when the server has none.
        """
        response = self.net.post(
            self.directory.new_account,
            {"onlyReturnExisting": True},
            signer=self.signer,
            kid=None,
            action=Action.ACCOUNT_FIND,
        )
        return self._account_from(response)

    def _account_from(self, response: AcmeResponse) -> Account:
        url = response.location or self.account_url
        if not url:
            raise AcmeProtocolError("account response without a Location header")
        self.account_url = url
        data = response.data if isinstance(response.data, dict) else {}
        account = Account.from_json(data, url=url)
        account.created = response.status == 201
        return account

    def get_account(self) -> Account:
        """The account object (POST-as-GET on the account URL)."""
        response = self._post(self._kid(), None, Action.ACCOUNT)
        return Account.from_json(response.json_object(), url=self._kid())

    def update_contact(self, contact: Sequence[str]) -> Account:
        """Replace the account's contact URLs (an empty list removes them)."""
        response = self._post(self._kid(), {"contact": list(contact)}, Action.ACCOUNT_UPDATE)
        return Account.from_json(response.json_object(), url=self._kid())

    def deactivate_account(self) -> Account:
        """Deactivate the account (RFC 8555 7.3.6); it cannot be used afterwards."""
        response = self._post(self._kid(), {"status": "deactivated"}, Action.ACCOUNT_DEACTIVATE)
        data = response.data if isinstance(response.data, dict) else {"status": "deactivated"}
        return Account.from_json(data, url=self._kid())

    def key_rollover(self, new_key_pem: str | bytes) -> None:
        """Replace the account key (RFC 8555 7.3.5); the client then signs with the new key.

        The inner JWS is signed by the new key (``jwk`` header), the outer one by the
        current key (``kid`` header).
        """
        url = self.directory.key_change
        if not url:
            raise AcmeUnsupported("the directory has no keyChange URL")
        new_signer = jws.Signer(new_key_pem, backend=self.jws_backend)
        inner = jws.key_change_inner(
            new_signer, account_url=self._kid(), old_jwk=self.signer.jwk, url=url
        )
        self._post(url, inner, Action.KEY_CHANGE)
        self.signer = new_signer

    # -- orders (RFC 8555 7.4) -------------------------------------------------------------

    def new_order(
        self,
        identifiers: Iterable[IdentifierLike],
        *,
        profile: str | None = None,
        replaces: str | None = None,
    ) -> Order:
        """Create an order for DNS names / IP addresses.

        :param profile: a certificate profile; only when the directory advertises profiles
        :param replaces: the ARI CertID of the certificate this order replaces (RFC 9773);
            only when the directory has ``renewalInfo``
        :raises AcmeUnsupported: for ``profile`` / ``replaces`` the server does not offer
        """
        payload: dict[str, Any] = {"identifiers": [Identifier.of(i).to_json() for i in identifiers]}
        if not payload["identifiers"]:
            raise ValueError("an order needs at least one identifier")
        directory = self.directory
        if profile is not None:
            if not directory.supports_profiles:
                raise AcmeUnsupported(
                    f"profile {profile!r} requested but the server advertises no profiles"
                )
            payload["profile"] = profile
        if replaces is not None:
            if not directory.supports_ari:
                raise AcmeUnsupported(
                    "replaces requested but the server has no renewalInfo (RFC 9773)"
                )
            payload["replaces"] = replaces
        response = self._post(directory.new_order, payload, Action.NEW_ORDER)
        if not response.location:
            raise AcmeProtocolError("newOrder response without a Location header")
        return Order.from_json(response.json_object(), url=response.location)

    def get_order(self, url: str) -> Order:
        """The order at ``url`` (POST-as-GET)."""
        return self._fetch_order(url)[0]

    def _fetch_order(self, url: str) -> tuple[Order, float | None]:
        response = self._post(url, None, Action.ORDER)
        return Order.from_json(response.json_object(), url=url), response.retry_after

    def get_authorization(self, url: str) -> Authorization:
        """The authorization at ``url`` (POST-as-GET)."""
        return self._fetch_authorization(url)[0]

    def _fetch_authorization(self, url: str) -> tuple[Authorization, float | None]:
        response = self._post(url, None, Action.AUTHORIZATION)
        return Authorization.from_json(response.json_object(), url=url), response.retry_after

    def get_challenge(self, url: str) -> Challenge:
        """The challenge at ``url`` (POST-as-GET)."""
        response = self._post(url, None, Action.CHALLENGE)
        return Challenge.from_json(response.json_object(), url=url)

    def respond_challenge(self, challenge: Challenge | str) -> Challenge:
        """Tell the server the challenge is ready to be validated (RFC 8555 7.5.1).

        The caller serves the key authorization (HTTP-01) or the TXT record (DNS-01)
        first; :meth:`poll_authorization` then waits for the outcome.
        """
        url = challenge if isinstance(challenge, str) else challenge.url
        response = self._post(url, {}, Action.CHALLENGE_RESPOND)
        return Challenge.from_json(response.json_object(), url=url)

    def deactivate_authorization(self, url: str) -> Authorization:
        """Deactivate a pending or valid authorization (RFC 8555 7.5.2)."""
        response = self._post(url, {"status": "deactivated"}, Action.AUTHORIZATION_DEACTIVATE)
        return Authorization.from_json(response.json_object(), url=url)

    def poll_authorization(
        self, url: str, *, timeout: float = DEFAULT_POLL_TIMEOUT
    ) -> Authorization:
        """Fetch the authorization until it leaves ``pending``; return it.

        Backoff starts at ``poll_initial_delay`` and doubles up to ``poll_max_delay``;
        ``Retry-After`` replaces the next step. Raises
        :class:`~.errors.AcmePollingTimeout` after ``timeout`` seconds.
        """
        return poll_until(
            lambda: self._fetch_authorization(url),
            lambda authz: authz.status != Status.PENDING,
            what=f"authorization {url}",
            **self._poll_kwargs(timeout),
        )

    def poll_order(self, order: Order | str, *, timeout: float = DEFAULT_POLL_TIMEOUT) -> Order:
        """Fetch the order until it is neither ``pending`` nor ``processing``; return it.

        After the challenges that is ``ready`` (or ``invalid``); after finalization
        ``valid`` (or ``invalid``). Same backoff and deadline as :meth:`poll_authorization`.
        """
        url = order if isinstance(order, str) else order.url
        return poll_until(
            lambda: self._fetch_order(url),
            lambda o: o.status not in (Status.PENDING, Status.PROCESSING),
            what=f"order {url}",
            **self._poll_kwargs(timeout),
        )

    def _poll_kwargs(self, timeout: float) -> dict[str, Any]:
        return {
            "timeout": timeout,
            "clock": self._clock,
            "sleep": self._sleep,
            "initial": self.poll_initial_delay,
            "cap": self.poll_max_delay,
        }

    def finalize(self, order: Order, csr: str | bytes) -> Order:
        """Submit the CSR (DER bytes or PEM) of a ``ready`` order (RFC 8555 7.4).

        Returns the order as the server answered (often ``processing``); use
        :meth:`poll_order` to wait for ``valid``.
        """
        csr_der = to_der(csr, "CERTIFICATE REQUEST")
        response = self._post(order.finalize, {"csr": jws.b64url(csr_der)}, Action.FINALIZE)
        return Order.from_json(response.json_object(), url=response.location or order.url)

    # -- certificates -------------------------------------------------------------------

    def download_certificate(self, url: str) -> CertificateChains:
        """The certificate chain at ``url`` plus every alternate chain (RFC 8555 7.4.2)."""
        response = self._post(url, None, Action.CERTIFICATE, accept=PEM_CHAIN)
        chains = CertificateChains(url=url, default=response.text)
        for alternate_url in response.links("alternate"):
            alternate = self._post(alternate_url, None, Action.CERTIFICATE_ALTERNATE, PEM_CHAIN)
            chains.alternates.append(alternate.text)
            chains.alternate_urls.append(alternate_url)
        return chains

    def revoke_certificate(
        self,
        certificate: str | bytes,
        *,
        reason: int | str | None = None,
        certificate_key_pem: str | bytes | None = None,
    ) -> None:
        """Revoke a certificate (RFC 8555 7.6).

        :param certificate: the certificate, PEM or DER (a PEM chain: its first one)
        :param reason: RFC 5280 reason code or name (``keyCompromise``...)
        :param certificate_key_pem: sign with the certificate's own key (``jwk`` header)
            instead of the account key (``kid``)
        """
        url = self.directory.revoke_cert
        if not url:
            raise AcmeUnsupported("the directory has no revokeCert URL")
        payload: dict[str, Any] = {"certificate": jws.b64url(to_der(certificate, "CERTIFICATE"))}
        if reason is not None:
            payload["reason"] = REVOCATION_REASONS[reason] if isinstance(reason, str) else reason
        if certificate_key_pem is None:
            self._post(url, payload, Action.REVOKE_CERT)
            return
        signer = jws.Signer(certificate_key_pem, backend=self.jws_backend)
        self.net.post(url, payload, signer=signer, kid=None, action=Action.REVOKE_CERT)

    def renewal_info(self, ari_cert_id: str) -> RenewalInfo:
        """The suggested renewal window of a certificate (RFC 9773 section 4).

        :param ari_cert_id: ``base64url(AKI keyIdentifier) "." base64url(serial)``; see
            :func:`ari_cert_id`
        """
        base = self.directory.renewal_info
        if not base:
            raise AcmeUnsupported("the server has no renewalInfo (RFC 9773)")
        response = self.net.get(f"{base.rstrip('/')}/{ari_cert_id}", action=Action.RENEWAL_INFO)
        try:
            return RenewalInfo.from_json(response.json_object(), retry_after=response.retry_after)
        except ValueError as exc:
            raise AcmeProtocolError(str(exc)) from exc


def ari_cert_id(authority_key_identifier: bytes, serial_number: int) -> str:
    """The ARI CertID of RFC 9773 section 4.1 from the AKI keyIdentifier and the serial.

    The serial is encoded as the DER INTEGER's content octets (a leading zero byte when
    the high bit is set).
    """
    serial_der = serial_number.to_bytes((serial_number.bit_length() + 8) // 8, "big")
    return f"{jws.b64url(authority_key_identifier)}.{jws.b64url(serial_der)}"
