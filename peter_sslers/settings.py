"""Application settings: every ini option parsed and validated once at start-up.

Each option is declared once in ``OPTIONS`` with its type, default and a description;
the settings page renders that same table, so the documentation cannot drift from the
parser.  An invalid value raises ``ConfigurationError`` naming the option and what it
accepts, which stops the application before it serves anything.
"""

from __future__ import annotations

import dataclasses
import fractions
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

LETSENCRYPT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory"
LETSENCRYPT_STAGING_DIRECTORY = "https://acme-staging-v02.api.letsencrypt.org/directory"

# names accepted by ``certificate_authority`` and the directory each one implies
KNOWN_AUTHORITIES = {
    "letsencrypt": LETSENCRYPT_DIRECTORY,
    "letsencrypt_staging": LETSENCRYPT_STAGING_DIRECTORY,
    "pebble": None,
    "custom": None,
}


class ConfigurationError(ValueError):
    """An ini option has a value the application cannot run with."""

    def __init__(self, option: str, value: Any, accepted: str):
        self.option = option
        self.value = value
        self.accepted = accepted
        super().__init__(f"invalid setting {option} = {value!r}; accepted: {accepted}")


# ---- converters: raw ini string -> typed value (raise ValueError with a hint) ----


def _as_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("true/false, yes/no, on/off or 1/0")


def _as_optional_int(raw: str) -> int | None:
    raw = raw.strip()
    if raw.lower() in ("", "none"):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("a whole number of seconds, or empty for no expiry") from None
    if value <= 0:
        raise ValueError("a positive whole number of seconds, or empty for no expiry")
    return value


def _as_positive_int(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("a positive whole number") from None
    if value <= 0:
        raise ValueError("a positive whole number")
    return value


def _as_non_negative_int(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("a whole number, 0 or more") from None
    if value < 0:
        raise ValueError("a whole number, 0 or more")
    return value


def _as_optional_positive_int(raw: str) -> int | None:
    raw = raw.strip()
    if raw.lower() in ("", "none"):
        return None
    return _as_positive_int(raw)


def _as_fraction(raw: str) -> float:
    """A decimal (0.25) or a fraction (1/3) strictly between 0 and 1."""
    accepted = "a number between 0 and 1, as a decimal (0.25) or a fraction (1/3)"
    try:
        value = float(fractions.Fraction(raw.strip()))
    except (ValueError, ZeroDivisionError):
        raise ValueError(accepted) from None
    if not 0 < value < 1:
        raise ValueError(accepted)
    return value


def _as_hook(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if value.startswith(("http://", "https://")) and _looks_like_url(value):
        return value
    if value.startswith("python:") and ":" in value[len("python:"):]:
        return value
    raise ValueError("python:package.module:function, or an http(s):// URL")


def _as_text(raw: str) -> str:
    return raw.strip()


def _as_optional_text(raw: str) -> str | None:
    return raw.strip() or None


def _as_choice(*choices: str) -> Callable[[str], str]:
    def convert(raw: str) -> str:
        value = raw.strip()
        if value not in choices:
            raise ValueError(" or ".join(repr(c) for c in choices))
        return value

    return convert


def _as_url(raw: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    parsed = urllib.parse.urlsplit(raw)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ValueError("an absolute URL starting with " + " or ".join(f"{s}://" for s in schemes))
    return raw


def _as_redis_url(raw: str) -> str | None:
    return _as_url(raw, ("redis", "rediss", "unix"))


def _as_certificate_authority(raw: str) -> str:
    value = raw.strip()
    if value in KNOWN_AUTHORITIES:
        return value
    if _looks_like_url(value):
        return value
    raise ValueError(", ".join(sorted(KNOWN_AUTHORITIES)) + ", or the https:// URL of an ACME directory")


def _looks_like_url(value: str) -> bool:
    parsed = urllib.parse.urlsplit(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _as_server_pool(raw: str) -> tuple[str, ...]:
    servers = tuple(s.strip().rstrip("/") for s in raw.split(",") if s.strip())
    for server in servers:
        if not _looks_like_url(server):
            raise ValueError("a comma separated list of http:// or https:// server URLs")
    return servers


def _as_userpass(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if ":" not in raw:
        raise ValueError("username:password")
    return raw


def _as_path(raw: str) -> str:
    value = raw.strip()
    if not value.startswith("/"):
        raise ValueError("a URL path starting with /")
    return value.rstrip("/") or "/"


def _as_admin_prefix(raw: str) -> str:
    value = _as_path(raw)
    if value == "/":
        raise ValueError("a URL path starting with / other than / itself")
    return value


@dataclasses.dataclass(frozen=True)
class Option:
    """One ini option: its key, attribute name, converter, default and help text."""

    key: str
    convert: Callable[[str], Any]
    default: str
    help: str
    group: str = "general"

    @property
    def attr(self) -> str:
        return self.key.replace(".", "_")


OPTIONS: tuple[Option, ...] = (
    Option("peter_sslers.environment", _as_text, "development",
           "Name sent in the X-Peter-SSLers header of every response (production, staging, development...)."),
    Option("certificate_authority", _as_certificate_authority, "letsencrypt_staging",
           "The default ACME server: letsencrypt, letsencrypt_staging, pebble, custom, or a directory URL. "
           "pebble and custom need certificate_authority_directory.", "acme"),
    Option("certificate_authority_directory", _as_url, "",
           "ACME v2 directory URL of the pebble/custom server.", "acme"),
    Option("certificate_authority_agreement", _as_optional_text, "",
           "Terms-of-service URL agreed to when new accounts are registered.", "acme"),
    Option("certificate_authority_ca_bundle", _as_optional_text, "",
           "PEM file of CA certificates trusted for the pebble/custom server's TLS.", "acme"),
    Option("certificate_authority_endpoint", _as_optional_text, "",
           "ACME v1 endpoint. ACME v1 is gone: a value here is ignored and reported on this page.", "acme"),
    Option("acme.timeout", _as_positive_int, "30",
           "Seconds to wait for each request to an ACME server.", "acme"),
    Option("acme.bad_nonce_retries", _as_non_negative_int, "1",
           "How often a request refused with badNonce is retried with a fresh nonce (RFC 8555 6.5).", "acme"),
    Option("cleanup_pending_authorizations", _as_bool, "true",
           "When a challenge of an order fails, deactivate the order's remaining pending authorizations.", "acme"),
    Option("enable_views_public", _as_bool, "false",
           "Serve the public routes (/.well-known/acme-challenge and /.well-known/public/whoami).", "views"),
    Option("enable_views_admin", _as_bool, "false",
           "Serve the admin tool under admin_prefix. It shows private keys: keep it off public networks.", "views"),
    Option("enable_acme_flow", _as_bool, "false",
           "Enable acme-flow: challenges for orders made by an external tool.", "views"),
    Option("admin_server", _as_optional_text, "",
           "Host (and port) used in admin links and instructions; defaults to the request's HTTP_HOST.", "views"),
    Option("admin_prefix", _as_admin_prefix, "/.well-known/admin",
           "URL prefix of the admin tool.", "views"),
    Option("admin_url", _as_url, "",
           "Full admin URL shown in instructions; defaults to scheme + admin_server + admin_prefix.", "views"),
    Option("redis.url", _as_redis_url, "",
           "Redis URL for priming, with the database number, e.g. redis://127.0.0.1:6379/9. Empty disables Redis.",
           "redis"),
    Option("redis.prime_style", _as_choice("1", "2"), "1",
           "How domains are written to Redis: 1 (de-duplicated d1:/c:/p:/i: keys) or 2 (self-contained d2: hashes).",
           "redis"),
    Option("redis.timeout.certca", _as_optional_int, "", "TTL in seconds of CA chain keys (empty: no expiry).", "redis"),
    Option("redis.timeout.cert", _as_optional_int, "", "TTL in seconds of certificate keys (empty: no expiry).", "redis"),
    Option("redis.timeout.pkey", _as_optional_int, "", "TTL in seconds of private key keys (empty: no expiry).", "redis"),
    Option("redis.timeout.domain", _as_optional_int, "", "TTL in seconds of domain keys (empty: no expiry).", "redis"),
    Option("nginx.servers_pool", _as_server_pool, "",
           "Comma separated URLs of nginx/OpenResty servers whose certificate caches we expire.", "nginx"),
    Option("nginx.userpass", _as_userpass, "", "username:password for HTTP basic auth on those servers.", "nginx"),
    Option("nginx.reset_path", _as_path, "/.peter_sslers/nginx/shared_cache/expire",
           "Path of the cache-expiry route on each nginx server.", "nginx"),
    Option("nginx.status_path", _as_path, "/.peter_sslers/nginx/shared_cache/status",
           "Path of the cache-status route on each nginx server.", "nginx"),
    Option("nginx.timeout", _as_positive_int, "5", "Seconds to wait for each nginx server.", "nginx"),
    Option("nginx.ca_bundle", _as_optional_text, "", "PEM file trusted for https nginx servers.", "nginx"),
    Option("requests.disable_ssl_warning", _as_bool, "false",
           "Silence urllib3's warning about unverified HTTPS requests.", "general"),
    Option("openssl_path", _as_text, "openssl", "The openssl binary used by the fallback crypto backend.", "crypto"),
    Option("openssl_path_conf", _as_text, "/etc/ssl/openssl.cnf", "The openssl configuration file.", "crypto"),
    Option("crypto.backend", _as_choice("auto", "cryptography", "openssl"), "auto",
           "Crypto backend: auto (cryptography when importable), cryptography, or openssl.", "crypto"),
    Option("automation.acme_account_id", _as_optional_positive_int, "",
           "AcmeAccount id used by queues and autocert (default: the account marked global default).", "automation"),
    Option("automation.private_key_cycle",
           _as_choice("account_key_default", "single_certificate", "account_daily", "account_weekly",
                      "global_daily", "global_weekly"), "account_key_default",
           "Private key cycling of orders made by queues and autocert.", "automation"),
    Option("queue_domains.batch_size", _as_positive_int, "100",
           "How many queued domains go into one order (at most 100).", "automation"),
    Option("queue.max_attempts", _as_positive_int, "10",
           "Renewal attempts of one queue item before it is marked failed.", "automation"),
    Option("renewal.remaining_fraction", _as_fraction, "1/3",
           "Without ARI, renew once this fraction of a certificate's lifetime remains.", "automation"),
    Option("renewal.remaining_fraction_short", _as_fraction, "1/2",
           "The same for certificates of 10 days or less.", "automation"),
    Option("renewal.queue_per_update", _as_positive_int, "10000",
           "At most this many certificates are queued by one renewal-queue update, the earliest "
           "expiring first; the next update queues more (a bounded amount of work per call).", "automation"),
    Option("renewal.ari_checks_per_update", _as_positive_int, "100",
           "At most this many ACME Renewal Information lookups per queue update.", "automation"),
    Option("ratelimit.orders_per_account_3h", _as_positive_int, "300",
           "New orders allowed per account in 3 hours before we refuse (Let's Encrypt: 300).", "automation"),
    Option("ratelimit.duplicate_certificates_per_week", _as_positive_int, "5",
           "Certificates allowed per UniqueFQDNSet per week before we refuse (Let's Encrypt: 5).", "automation"),
    Option("autocert.cooloff_seconds", _as_positive_int, "900",
           "A domain whose autocert order failed is not tried again for this long.", "automation"),
    Option("autocert.max_new_orders_per_hour", _as_positive_int, "100",
           "New autocert orders allowed per hour, all domains together.", "automation"),
    Option("autocert.allow_hook", _as_hook, "",
           "Approves new autocert names: python:module:function(domain_name) -> bool, or a URL that must answer "
           "200 to GET ?domain_name=NAME. Fails closed for new names; stored certificates are always served.",
           "automation"),
    Option("metrics.enabled", _as_bool, "false",
           "Serve Prometheus metrics at /metrics.", "operations"),
    Option("metrics.location", _as_choice("admin", "public"), "admin",
           "Where /metrics lives: under admin_prefix (admin) or at the root with the public routes (public).",
           "operations"),
    Option("notify.webhook_url", _as_url, "", "POST a JSON notification here (empty: no webhook).", "operations"),
    Option("notify.webhook_secret", _as_optional_text, "",
           "Sign webhook bodies with HMAC-SHA256 (header X-Peter-SSLers-Signature).", "operations"),
    Option("notify.email_to", _as_optional_text, "", "Send notifications to these addresses (comma separated).",
           "operations"),
    Option("notify.email_from", _as_text, "peter_sslers@localhost", "The From address of notification mail.",
           "operations"),
    Option("notify.smtp_host", _as_text, "127.0.0.1", "SMTP server for notification mail.", "operations"),
    Option("notify.smtp_port", _as_positive_int, "25", "SMTP port.", "operations"),
    Option("notify.expiring_days", _as_positive_int, "14",
           "Notify about certificates expiring within this many days without a renewal.", "operations"),
    Option("notify.min_interval_seconds", _as_positive_int, "86400",
           "The same notification is not sent again sooner than this.", "operations"),
    Option("admin.auth", _as_choice("none", "basic", "token", "basic_or_token"), "none",
           "Authentication on every admin route (pages, .json, downloads): none, basic (htpasswd file with bcrypt "
           "hashes), token (Authorization: Bearer, tokens stored hashed) or basic_or_token.", "security"),
    Option("admin.htpasswd_file", _as_optional_text, "",
           "htpasswd file for admin.auth basic: lines of user:bcrypt-hash (htpasswd -B).", "security"),
    Option("admin.csrf", _as_choice("auto", "on", "off"), "auto",
           "CSRF tokens on admin form posts: auto (on whenever admin.auth is not none), on, off. Requests "
           "authenticated with a bearer token are exempt.", "security"),
    Option("encryption.key", _as_optional_text, "",
           "Fernet key(s) encrypting private keys and provider credentials in the database, newest first, comma "
           "separated (or env PETER_SSLERS_ENCRYPTION_KEY). Empty: stored in clear.", "security"),
    Option("max_upload_bytes", _as_positive_int, "1048576",
           "Largest accepted upload field, in bytes.", "general"),
)


class AppSettings:
    """Typed, validated settings; attribute names are the ini keys with dots as underscores."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)
        for name, value in values.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def acme_directory_url(self) -> str | None:
        """Directory URL of the default ACME server."""
        named = KNOWN_AUTHORITIES.get(self.certificate_authority)
        if named:
            return named
        if self.certificate_authority in KNOWN_AUTHORITIES:
            return self.certificate_authority_directory
        return self.certificate_authority


def parse_settings(raw: Mapping[str, Any]) -> AppSettings:
    """Convert and validate the ini options; raises ConfigurationError on the first bad one."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        given = raw.get(option.key, option.default)
        if not isinstance(given, str):
            given = str(given)
        try:
            values[option.attr] = option.convert(given)
        except ValueError as exc:
            raise ConfigurationError(option.key, given, str(exc)) from None
    settings = AppSettings(values)
    if settings.admin_auth in ("basic", "basic_or_token") and not settings.admin_htpasswd_file:
        raise ConfigurationError("admin.htpasswd_file", "", f"a file path, required when admin.auth = {settings.admin_auth}")
    if settings.certificate_authority in ("pebble", "custom") and not settings.certificate_authority_directory:
        raise ConfigurationError(
            "certificate_authority_directory", "",
            f"a directory URL, required when certificate_authority = {settings.certificate_authority}",
        )
    return settings


def _mask_url_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":********@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def describe(settings: AppSettings) -> list[dict[str, Any]]:
    """One row per option for the settings page: key, group, value shown, default, help."""
    rows = []
    for option in OPTIONS:
        value = getattr(settings, option.attr)
        if option.key in ("notify.webhook_secret", "encryption.key") and value:
            value = "********"
        elif option.key == "nginx.userpass" and value:
            value = value.split(":", 1)[0] + ":********"
        elif option.key == "redis.url" and value:
            value = _mask_url_password(value)
        if isinstance(value, tuple):
            value = ", ".join(value)
        rows.append(
            {
                "option": option.key,
                "group": option.group,
                "value": value,
                "default": option.default,
                "help": option.help,
            }
        )
    return rows
