"""DNS-01 providers: put ``_acme-challenge`` TXT records where the ACME server will look.

Every provider has the same small interface (:class:`DnsProvider`): ``set_txt`` adds one
value, ``clear_txt`` removes that value, ``wait_until_visible`` optionally polls DNS until
the value is served. ``fqdn`` is always the record name without a trailing dot
(``_acme-challenge.www.example.com``); each provider adds what its protocol needs.

:func:`provider_from_config` builds one from the plain dict stored as JSON in the
``dns_provider`` table. Nothing here imports Pyramid or SQLAlchemy.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from typing import Any, ClassVar

import dns.exception
import dns.inet
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.resolver
import dns.tsig
import dns.tsigkeyring
import dns.update
import requests

from peter_sslers.lib.errors import PeterSSLersError

log = logging.getLogger("peter_sslers.lib.acme.dns_providers")

PROVIDER_TYPES = ("acme-dns", "rfc2136", "challtestsrv", "manual")
ACME_DNS_TXT_LENGTH = 43  # base64url of a SHA-256 digest, the only value acme-dns accepts


class DnsProviderError(PeterSSLersError):
    """A provider could not set or clear a record; ``message`` says where and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ManualDnsRequired(DnsProviderError):
    """The TXT records in ``records`` must be created by hand before validation goes on."""

    def __init__(self, records: list[tuple[str, str]]) -> None:
        self.records = list(records)
        listing = "; ".join(f'{fqdn}. TXT "{value}"' for fqdn, value in self.records)
        super().__init__(
            f"create these DNS TXT records by hand, then continue with confirmation: {listing}"
        )


# --- DNS helpers -------------------------------------------------------------------------


def _absolute_name(fqdn: str) -> dns.name.Name:
    """``fqdn`` (with or without trailing dot) as an absolute dnspython name."""
    return dns.name.from_text(fqdn.rstrip(".") + ".")


def _txt_rdata(value: str) -> dns.rdtypes.ANY.TXT.TXT:
    """One TXT rdata holding ``value`` as a single string (no quoting pitfalls)."""
    return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, [value.encode()])


def _server_ip(host: str) -> str:
    """``host`` as an IP address: dnspython's query functions want addresses, not names."""
    if dns.inet.is_address(host):
        return host
    try:
        return socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)[0][4][0]
    except OSError as exc:
        raise DnsProviderError(f"cannot resolve DNS server name {host!r}: {exc}") from exc


def lookup_txt(
    fqdn: str, *, nameserver: str | None = None, port: int = 53, timeout: float = 5.0
) -> set[str]:
    """The TXT values served for ``fqdn``: asked of ``nameserver`` directly, or of the
    system resolver when None. An absent name gives an empty set; a server that does not
    answer raises :class:`DnsProviderError`."""
    name = _absolute_name(fqdn)
    try:
        if nameserver is None:
            resolver = dns.resolver.Resolver()
            resolver.cache = None
            answer = resolver.resolve(name, "TXT", lifetime=timeout, raise_on_no_answer=False)
            rrsets = [answer.rrset] if answer.rrset is not None else []
        else:
            query = dns.message.make_query(name, dns.rdatatype.TXT)
            response, _ = dns.query.udp_with_fallback(
                query, _server_ip(nameserver), timeout=timeout, port=port
            )
            rrsets = response.answer
    except dns.resolver.NXDOMAIN:
        return set()
    except (dns.exception.DNSException, OSError) as exc:
        where = f"{nameserver}:{port}" if nameserver else "the system resolver"
        raise DnsProviderError(f"TXT lookup of {fqdn} at {where} failed: {exc}") from exc
    return {
        b"".join(rdata.strings).decode(errors="replace")
        for rrset in rrsets
        if rrset.rdtype == dns.rdatatype.TXT
        for rdata in rrset
    }


# --- base --------------------------------------------------------------------------------


class DnsProvider:
    """Interface of every DNS-01 provider.

    ``name`` is the provider type as stored in the ``dns_provider`` table.
    """

    name: ClassVar[str] = "base"

    def set_txt(self, fqdn: str, value: str) -> None:
        """Publish TXT ``value`` at ``fqdn``, keeping other values of that name."""
        raise NotImplementedError

    def clear_txt(self, fqdn: str, value: str) -> None:
        """Remove TXT ``value`` from ``fqdn`` (other values stay where the backend allows)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release network resources (HTTP sessions); the provider may not be used after."""

    def _default_nameserver(self) -> tuple[str, int] | None:
        """Where ``wait_until_visible`` asks when no nameserver is given (None: system)."""
        return None

    def _visible_name(self, fqdn: str) -> str:
        """The name whose TXT values show ``fqdn``'s challenge (acme-dns: the CNAME target)."""
        return fqdn

    def wait_until_visible(
        self,
        fqdn: str,
        value: str,
        timeout: float = 60.0,
        *,
        nameserver: str | None = None,
        port: int = 53,
        interval: float = 1.0,
    ) -> bool:
        """Poll DNS until ``value`` is served at ``fqdn``; False when ``timeout`` s pass first.

        Asks ``nameserver``:``port`` when given, else the provider's own authoritative
        server when it has one, else the system resolver. Lookup failures count as "not
        yet" so a slow server start does not abort the wait.
        """
        if nameserver is None and (default := self._default_nameserver()) is not None:
            nameserver, port = default
        name = self._visible_name(fqdn)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                found = lookup_txt(
                    name, nameserver=nameserver, port=port, timeout=max(0.1, min(remaining, 5.0))
                )
                if value in found:
                    return True
            except DnsProviderError as exc:
                log.debug("waiting for %s: %s", name, exc)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.info("TXT %s = %r not visible after %.1fs", name, value, timeout)
                return False
            time.sleep(min(interval, remaining))


# --- HTTP helpers ------------------------------------------------------------------------


def _http_session(ca_bundle: str | None) -> requests.Session:
    """A session that ignores proxy/CA environment variables; ``ca_bundle`` pins the CA."""
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_bundle if ca_bundle else True
    return session


def _post_json(
    session: requests.Session,
    url: str,
    body: dict[str, Any] | None,
    *,
    timeout: float,
    what: str,
    headers: dict[str, str] | None = None,
    hints: dict[int, str] | None = None,
) -> requests.Response:
    """POST ``body`` as JSON and return a 2xx answer; anything else raises
    :class:`DnsProviderError` naming ``what``, the URL, the status and ``hints[status]``."""
    try:
        response = session.post(url, json=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise DnsProviderError(f"{what}: POST {url} failed: {exc}") from exc
    if not 200 <= response.status_code < 300:
        hint = (hints or {}).get(response.status_code, "")
        raise DnsProviderError(
            f"{what}: {url} answered HTTP {response.status_code} {_error_body(response)}"
            + (f": {hint}" if hint else "")
        )
    return response


def _error_body(response: requests.Response) -> str:
    """A short description of an HTTP error answer (acme-dns puts it in ``error``)."""
    try:
        body = response.json()
        if isinstance(body, dict) and "error" in body:
            return str(body["error"])
    except ValueError:
        pass
    return response.text[:200].strip() or response.reason or ""


# --- acme-dns ----------------------------------------------------------------------------


class AcmeDnsProvider(DnsProvider):
    """An acme-dns server (https://github.com/joohoi/acme-dns) via its HTTP API.

    Each domain's ``_acme-challenge`` name is a CNAME to the account's ``fulldomain``
    (``{subdomain}.{acme-dns zone}``), so ``fqdn`` only appears in logs: the update names
    the ``subdomain``. acme-dns keeps the two most recent values of a subdomain, enough
    for ``example.com`` plus ``*.example.com``; a third ``set_txt`` pushes the oldest out.
    It has no delete call, so :meth:`clear_txt` is a no-op (old values simply rotate out).
    """

    name = "acme-dns"

    def __init__(
        self,
        api_url: str,
        username: str,
        password: str,
        subdomain: str,
        *,
        fulldomain: str | None = None,
        timeout: float = 10,
        ca_bundle: str | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.username = username
        self.password = password
        self.subdomain = subdomain
        self.fulldomain = fulldomain.rstrip(".") if fulldomain else None
        self.timeout = timeout
        self._session = _http_session(ca_bundle)

    @classmethod
    def register(
        cls,
        api_url: str,
        *,
        allow_from: list[str] | None = None,
        timeout: float = 10,
        ca_bundle: str | None = None,
    ) -> dict[str, Any]:
        """Create an acme-dns account (``POST /register``) for one domain.

        Returns the server's credentials (``username``, ``password``, ``subdomain``,
        ``fulldomain``, ``allowfrom``) plus ``api_url``: a dict :func:`provider_from_config`
        accepts as is. The user must then create ``_acme-challenge.DOMAIN CNAME
        fulldomain``.
        """
        api_url = api_url.rstrip("/")
        url = f"{api_url}/register"
        body = {"allowfrom": allow_from} if allow_from else None
        session = _http_session(ca_bundle)
        try:
            response = _post_json(session, url, body, timeout=timeout, what="acme-dns register")
        finally:
            session.close()
        try:
            credentials = dict(response.json())
        except (ValueError, TypeError) as exc:
            raise DnsProviderError(f"acme-dns register at {url}: answer is not JSON") from exc
        missing = [k for k in ("username", "password", "subdomain") if not credentials.get(k)]
        if missing:
            raise DnsProviderError(f"acme-dns register at {url}: answer lacks {', '.join(missing)}")
        credentials["api_url"] = api_url
        log.info("registered acme-dns subdomain %s at %s", credentials["subdomain"], api_url)
        return credentials

    def set_txt(self, fqdn: str, value: str) -> None:
        """``POST {api_url}/update`` with the value (must be exactly 43 characters)."""
        if len(value) != ACME_DNS_TXT_LENGTH:
            raise DnsProviderError(
                f"acme-dns only accepts {ACME_DNS_TXT_LENGTH}-character TXT values "
                f"(a DNS-01 digest); got {len(value)} characters for {fqdn}"
            )
        _post_json(
            self._session,
            f"{self.api_url}/update",
            {"subdomain": self.subdomain, "txt": value},
            timeout=self.timeout,
            what=f"acme-dns update for {fqdn}",
            headers={"X-Api-User": self.username, "X-Api-Key": self.password},
            hints={
                401: "acme-dns rejected the credentials: check username, password, subdomain "
                "and the account's allowfrom networks"
            },
        )
        log.info("acme-dns: set TXT for %s via subdomain %s", fqdn, self.subdomain)

    def clear_txt(self, fqdn: str, value: str) -> None:
        """No-op: acme-dns cannot delete; it keeps only the two latest values anyway."""
        log.debug("acme-dns: nothing to clear for %s (values rotate out)", fqdn)

    def _visible_name(self, fqdn: str) -> str:
        return self.fulldomain or fqdn

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()


# --- RFC 2136 ----------------------------------------------------------------------------

_RCODE_HINTS = {
    dns.rcode.REFUSED: "the server refused the update: its allow-update/update-policy does "
    "not allow this TSIG key (or updates without a key)",
    dns.rcode.NOTAUTH: "the server is not authoritative for the zone, or rejected the TSIG "
    "key (update refused)",
    dns.rcode.NOTZONE: "the record name is not inside the zone",
    dns.rcode.SERVFAIL: "the server failed to apply the update (see its log)",
}


class Rfc2136Provider(DnsProvider):
    """Dynamic DNS updates (RFC 2136) over TCP, signed with TSIG when a key is given.

    Adding a value never removes other values of the same name (``example.com`` and
    ``*.example.com`` share ``_acme-challenge.example.com``); clearing deletes only that
    value. Without ``zone`` the zone is found by SOA queries to ``server``.
    """

    name = "rfc2136"

    def __init__(
        self,
        server: str,
        port: int = 53,
        zone: str | None = None,
        *,
        tsig_key_name: str | None = None,
        tsig_secret: str | None = None,
        tsig_algorithm: str = "hmac-sha256",
        timeout: float = 10,
        ttl: int = 60,
    ) -> None:
        self.server = server
        self.port = int(port)
        self.zone = _absolute_name(zone) if zone else None
        self.tsig_key_name = tsig_key_name
        self.timeout = timeout
        self.ttl = int(ttl)
        self._keyring: dict[dns.name.Name, dns.tsig.Key] | None = None
        self._keyname: dns.name.Name | None = None
        if bool(tsig_key_name) != bool(tsig_secret):
            raise DnsProviderError("rfc2136: give both tsig_key_name and tsig_secret, or neither")
        if tsig_key_name and tsig_secret:
            try:
                self._keyring = dns.tsigkeyring.from_text(
                    {tsig_key_name: (tsig_algorithm, tsig_secret)}
                )
            except (ValueError, dns.exception.DNSException) as exc:
                raise DnsProviderError(
                    f"rfc2136: bad TSIG key {tsig_key_name!r} ({tsig_algorithm}): {exc}"
                ) from exc
            self._keyname = next(iter(self._keyring))
        self._zones: dict[str, dns.name.Name] = {}
        self._where = f"{self.server}:{self.port}"  # for error messages

    def _default_nameserver(self) -> tuple[str, int] | None:
        return (self.server, self.port)

    def find_zone(self, fqdn: str) -> dns.name.Name:
        """The zone holding ``fqdn``: ``zone`` if configured, else by SOA queries to the
        server, from ``fqdn`` up towards the root."""
        if self.zone is not None:
            return self.zone
        if fqdn in self._zones:
            return self._zones[fqdn]
        name = _absolute_name(fqdn)
        while True:
            zone = self._soa_owner(name)
            if zone is not None:
                log.debug("rfc2136: zone of %s at %s is %s", fqdn, self._where, zone)
                self._zones[fqdn] = zone
                return zone
            if name == dns.name.root:
                raise DnsProviderError(
                    f"rfc2136: {self._where} is not authoritative for any zone holding "
                    f"{fqdn} (no SOA found); set `zone` explicitly"
                )
            name = name.parent()

    def _soa_owner(self, name: dns.name.Name) -> dns.name.Name | None:
        """The zone apex the server names for ``name`` (answer or authority SOA), or None."""
        query = dns.message.make_query(name, dns.rdatatype.SOA)
        try:
            response, _ = dns.query.udp_with_fallback(
                query, _server_ip(self.server), timeout=self.timeout, port=self.port
            )
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsProviderError(
                f"rfc2136: SOA query for {name} to {self._where} failed: {exc}"
            ) from exc
        if response.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return None  # e.g. REFUSED: not this server's zone; try the parent
        for rrset in response.answer:
            if rrset.rdtype == dns.rdatatype.SOA and rrset.name == name:
                return name
        for rrset in response.authority:
            if rrset.rdtype == dns.rdatatype.SOA:
                return rrset.name
        return None

    def _update(self, fqdn: str, value: str, *, delete: bool) -> None:
        """Send one signed update adding (or deleting) exactly TXT ``value`` at ``fqdn``."""
        zone = self.find_zone(fqdn)
        update = dns.update.UpdateMessage(zone, keyring=self._keyring, keyname=self._keyname)
        if delete:
            update.delete(_absolute_name(fqdn), _txt_rdata(value))
        else:
            update.add(_absolute_name(fqdn), self.ttl, _txt_rdata(value))
        action = "delete" if delete else "add"
        what = f"rfc2136: {action} TXT {fqdn} at {self._where} (zone {zone})"
        try:
            response = dns.query.tcp(
                update, _server_ip(self.server), timeout=self.timeout, port=self.port
            )
        except (dns.tsig.PeerBadKey, dns.tsig.PeerBadSignature, dns.tsig.PeerBadTime) as exc:
            raise DnsProviderError(
                f"{what} was refused: the server rejected TSIG key {self.tsig_key_name!r} "
                f"({type(exc).__name__}): check tsig_key_name, tsig_secret, tsig_algorithm "
                "and the clock"
            ) from exc
        except dns.exception.Timeout as exc:
            raise DnsProviderError(f"{what}: no answer within {self.timeout}s") from exc
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsProviderError(f"{what} failed: {exc}") from exc
        rcode = response.rcode()
        if rcode != dns.rcode.NOERROR:
            hint = _RCODE_HINTS.get(rcode, "the update was not applied")
            raise DnsProviderError(f"{what} failed with rcode {dns.rcode.to_text(rcode)}: {hint}")
        log.info("%s: done", what)

    def set_txt(self, fqdn: str, value: str) -> None:
        """Add TXT ``value`` at ``fqdn`` (an RFC 2136 "add": other values stay)."""
        self._update(fqdn, value, delete=False)

    def clear_txt(self, fqdn: str, value: str) -> None:
        """Delete exactly TXT ``value`` at ``fqdn`` (other values stay)."""
        self._update(fqdn, value, delete=True)


# --- pebble-challtestsrv -----------------------------------------------------------------


class ChallTestSrvProvider(DnsProvider):
    """pebble-challtestsrv's management API, for local development and tests with Pebble.

    challtestsrv's ``/clear-txt`` removes every value of a name, so :meth:`clear_txt`
    clears the name and re-adds the values this provider set there and still wants.
    ``dns_server``/``dns_port`` (challtestsrv's DNS listener) serve ``wait_until_visible``.
    """

    name = "challtestsrv"

    def __init__(
        self,
        management_url: str,
        *,
        dns_server: str | None = None,
        dns_port: int = 53,
        timeout: float = 10,
    ) -> None:
        self.management_url = management_url.rstrip("/")
        self.dns_server = dns_server
        self.dns_port = int(dns_port)
        self.timeout = timeout
        self._session = _http_session(None)
        self._values: dict[str, list[str]] = {}

    def _post(self, path: str, body: dict[str, str]) -> None:
        url = self.management_url + path
        _post_json(self._session, url, body, timeout=self.timeout, what=f"challtestsrv {path}")

    def set_txt(self, fqdn: str, value: str) -> None:
        """``POST /set-txt`` (challtestsrv appends to the name's values)."""
        host = fqdn.rstrip(".") + "."
        self._post("/set-txt", {"host": host, "value": value})
        self._values.setdefault(fqdn.rstrip("."), []).append(value)
        log.info("challtestsrv: set TXT %s", host)

    def clear_txt(self, fqdn: str, value: str) -> None:
        """``POST /clear-txt``, then re-add the other values we set at ``fqdn``."""
        key = fqdn.rstrip(".")
        host = key + "."
        kept = [v for v in self._values.get(key, []) if v != value]
        self._post("/clear-txt", {"host": host})
        for other in kept:
            self._post("/set-txt", {"host": host, "value": other})
        if kept:
            self._values[key] = kept
        else:
            self._values.pop(key, None)
        log.info("challtestsrv: cleared TXT %s (%d value(s) kept)", host, len(kept))

    def _default_nameserver(self) -> tuple[str, int] | None:
        return (self.dns_server, self.dns_port) if self.dns_server else None

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()


# --- manual ------------------------------------------------------------------------------


class ManualProvider(DnsProvider):
    """Changes no DNS: a human creates the records.

    ``set_txt`` remembers each wanted record in ``pending`` and raises
    :class:`ManualDnsRequired` carrying every record pending so far, so the caller can show
    them and stop. A caller with several names catches it per name and shows
    ``provider.pending`` at the end. Built again with ``confirmed=True`` (the user says the
    records exist), ``set_txt`` just records and returns.
    """

    name = "manual"

    def __init__(self, *, confirmed: bool = False) -> None:
        self.confirmed = confirmed
        self.pending: list[tuple[str, str]] = []

    def set_txt(self, fqdn: str, value: str) -> None:
        """Record (``fqdn``, ``value``); raise :class:`ManualDnsRequired` unless confirmed."""
        record = (fqdn.rstrip("."), value)
        if record not in self.pending:
            self.pending.append(record)
        if self.confirmed:
            log.info("manual DNS: %s TXT confirmed by the user", record[0])
            return
        raise ManualDnsRequired(self.pending)

    def clear_txt(self, fqdn: str, value: str) -> None:
        """Forget the record; removing it from DNS is up to the user."""
        record = (fqdn.rstrip("."), value)
        if record in self.pending:
            self.pending.remove(record)
        log.info("manual DNS: the TXT record %s may now be removed by hand", record[0])


# --- configuration -----------------------------------------------------------------------

_Spec = tuple[type[DnsProvider], tuple[str, ...], dict[str, Callable[[Any], Any]]]


def _bool(value: Any) -> bool:
    text = str(value).lower()
    if text not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"not a boolean: {value!r}")
    return text in ("true", "1", "yes")


_CONFIG_SPECS: dict[str, _Spec] = {
    "acme-dns": (
        AcmeDnsProvider,
        ("api_url", "username", "password", "subdomain"),
        {"fulldomain": str, "timeout": float, "ca_bundle": str, "allowfrom": list},
    ),
    "rfc2136": (
        Rfc2136Provider,
        ("server",),
        {
            "port": int,
            "zone": str,
            "tsig_key_name": str,
            "tsig_secret": str,
            "tsig_algorithm": str,
            "timeout": float,
            "ttl": int,
        },
    ),
    "challtestsrv": (
        ChallTestSrvProvider,
        ("management_url",),
        {"dns_server": str, "dns_port": int, "timeout": float},
    ),
    "manual": (ManualProvider, (), {"confirmed": _bool}),
}
_IGNORED_KEYS = {"allowfrom"}  # kept from acme-dns registration, not a constructor argument


def provider_from_config(provider_type: str, config: dict[str, Any]) -> DnsProvider:
    """Build a provider from ``provider_type`` and its plain-dict ``config`` (stored JSON).

    Required keys must be present and non-empty; unknown keys are refused (typos would
    otherwise be ignored silently). Raises :class:`DnsProviderError` listing what is wrong.
    """
    if provider_type not in _CONFIG_SPECS:
        raise DnsProviderError(
            f"unknown DNS provider type {provider_type!r}; use one of {', '.join(PROVIDER_TYPES)}"
        )
    if not isinstance(config, dict):
        raise DnsProviderError(f"{provider_type} provider config must be a JSON object")
    cls, required, optional = _CONFIG_SPECS[provider_type]
    missing = [key for key in required if config.get(key) in (None, "")]
    if missing:
        raise DnsProviderError(
            f"{provider_type} provider config is missing required key(s): "
            f"{', '.join(missing)} (required: {', '.join(required) or 'none'})"
        )
    unknown = sorted(set(config) - set(required) - set(optional))
    if unknown:
        raise DnsProviderError(
            f"{provider_type} provider config has unknown key(s): {', '.join(unknown)} "
            f"(allowed: {', '.join([*required, *optional])})"
        )
    kwargs: dict[str, Any] = {key: str(config[key]) for key in required}
    for key, convert in optional.items():
        if key in _IGNORED_KEYS or config.get(key) is None:
            continue
        try:
            kwargs[key] = convert(config[key])
        except (TypeError, ValueError) as exc:
            raise DnsProviderError(
                f"{provider_type} provider config: bad value for {key!r}: {exc}"
            ) from exc
    return cls(**kwargs)
