"""Invoke tasks that import a certbot tree into a running peter_sslers through its upload routes.

    invoke -r tools import-certbot-certs-live --live-path=/etc/letsencrypt/live \\
        --server-url-root=http://127.0.0.1:7201/.well-known/admin

Every task also reads the server root from PETER_SSLERS_SERVER_ROOT.  The work is done by the
plain ``import_certbot_*`` functions, which return an ``ImportSummary``; the invoke tasks at the
bottom only turn a summary with failures into a non-zero exit status.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

import requests
from invoke import Exit, task

try:  # imported as tools.tasks by the tests, as a top-level module by `invoke -r tools`
    from . import certbot_tree
except ImportError:
    import certbot_tree

ENV_SERVER_ROOT = "PETER_SSLERS_SERVER_ROOT"
EXAMPLE_SERVER_ROOT = "http://127.0.0.1:7201/.well-known/admin"
TIMEOUT = 30.0

IMPORTED = "imported"
ALREADY_PRESENT = "already present"
FAILED = "FAILED"

_CONTENT_TYPES = {".pem": "application/x-pem-file", ".json": "application/json"}


class ServerRootError(Exception):
    """No usable server root was given."""


@dataclass
class ImportSummary:
    """Labels of the items in each outcome; a failure carries the server's reason."""

    imported: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.imported) + len(self.already_present) + len(self.failed)


def resolve_server_root(
    server_url_root: str | None, environ: Mapping[str, str] | None = None
) -> str:
    """The admin root to POST to: the option if given, else PETER_SSLERS_SERVER_ROOT."""
    environ = os.environ if environ is None else environ
    root = (server_url_root or environ.get(ENV_SERVER_ROOT) or "").strip()
    if not root:
        raise ServerRootError(
            f"no server to import into: pass --server-url-root or set {ENV_SERVER_ROOT}"
            f" (for example {EXAMPLE_SERVER_ROOT})"
        )
    if not root.startswith(("http://", "https://")):
        raise ServerRootError(f"the server root must be an http(s) URL, not {root!r}")
    return root.rstrip("/")


def new_session() -> requests.Session:
    session = requests.Session()
    # the admin server is usually on the LAN: never route it through the user's proxy settings
    session.trust_env = False
    return session


def _error_reason(response: requests.Response, body: object) -> str:
    prefix = f"HTTP {response.status_code}"
    parts = []
    if isinstance(body, dict):
        if body.get("error"):
            parts.append(str(body["error"]))
        form_errors = body.get("form_errors")
        if isinstance(form_errors, dict):
            parts.extend(f"{name}: {message}" for name, message in form_errors.items())
    if not parts:
        text = " ".join(response.text.split())[:200]
        parts = [text] if text else []
    return "; ".join([prefix, *parts]) if parts else prefix


def interpret_answer(response: requests.Response, answer_key: str) -> tuple[str, str]:
    """(outcome, detail) for one upload answer; ``created`` tells new rows from known ones."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict) or body.get("result") != "success":
        return FAILED, _error_reason(response, body)
    answer = body.get(answer_key)
    if not isinstance(answer, dict) or not isinstance(answer.get("created"), bool):
        return FAILED, f"unexpected answer: no {answer_key}.created in the JSON"
    outcome = IMPORTED if answer["created"] else ALREADY_PRESENT
    return outcome, f"{answer_key} {answer.get('id')}"


def upload(
    session: requests.Session, server_root: str, item: certbot_tree.Upload, timeout: float = TIMEOUT
) -> tuple[str, str]:
    """POST one item and say what became of it; network errors are failures, not exceptions."""
    if item.missing:
        return FAILED, "missing " + ", ".join(item.missing)
    files = {
        name: (path.name, path.read_bytes(), _CONTENT_TYPES.get(path.suffix, "text/plain"))
        for name, path in item.files.items()
    }
    url = f"{server_root}/{item.route}"
    try:
        response = session.post(
            url, files=files, data=item.fields, timeout=timeout, allow_redirects=False
        )
    except requests.RequestException as exc:
        return FAILED, f"{url}: {exc}"
    return interpret_answer(response, item.answer_key)


def run_uploads(
    items: list[certbot_tree.Upload],
    server_root: str,
    *,
    out: TextIO | None = None,
    session: requests.Session | None = None,
    timeout: float = TIMEOUT,
) -> ImportSummary:
    """Upload each item in turn, one progress line each, then write the summary."""
    out = out or sys.stdout
    own_session = session is None
    session = session or new_session()
    summary = ImportSummary()
    width = len(str(len(items)))
    try:
        for number, item in enumerate(items, start=1):
            outcome, detail = upload(session, server_root, item, timeout)
            if outcome == IMPORTED:
                summary.imported.append(item.label)
            elif outcome == ALREADY_PRESENT:
                summary.already_present.append(item.label)
            else:
                summary.failed.append((item.label, detail))
            separator = ": " if outcome == FAILED else " -> "
            out.write(
                f"[{number:>{width}}/{len(items)}] {outcome:<15} {item.label}{separator}{detail}\n"
            )
    finally:
        if own_session:
            session.close()
    write_summary(summary, out)
    return summary


def write_summary(summary: ImportSummary, out: TextIO) -> None:
    out.write(
        f"summary: {len(summary.imported)} imported, {len(summary.already_present)} already present,"
        f" {len(summary.failed)} failed\n"
    )
    if summary.total == 0:
        out.write("nothing found to import\n")
    for label, reason in summary.failed:
        out.write(f"  failed: {label}: {reason}\n")
    out.flush()


def _import(
    server_url_root: str | None,
    find: Callable[..., certbot_tree.Upload | list[certbot_tree.Upload]],
    *args: object,
    out: TextIO | None = None,
    session: requests.Session | None = None,
    timeout: float = TIMEOUT,
) -> ImportSummary:
    # the server root is checked before the tree, so a forgotten option fails fast
    server_root = resolve_server_root(server_url_root)
    found = find(*args)
    items = found if isinstance(found, list) else [found]
    return run_uploads(items, server_root, out=out, session=session, timeout=timeout)


def import_certbot_certs_archive(archive_path, server_url_root=None, **options) -> ImportSummary:
    """Every version of every lineage under certbot's archive/ directory."""
    return _import(server_url_root, certbot_tree.archive_certificates, archive_path, **options)


def import_certbot_certs_live(live_path, server_url_root=None, **options) -> ImportSummary:
    """The current certificate of each lineage under certbot's live/ directory."""
    return _import(server_url_root, certbot_tree.live_certificates, live_path, **options)


def import_certbot_cert_version(
    domain_certs_path, certificate_version, server_url_root=None, **options
) -> ImportSummary:
    """Version N (certN.pem, chainN.pem, privkeyN.pem) of one archive/NAME directory."""
    return _import(
        server_url_root,
        certbot_tree.certificate_version,
        domain_certs_path,
        int(certificate_version),
        **options,
    )


def import_certbot_cert_plain(cert_path, server_url_root=None, **options) -> ImportSummary:
    """One directory holding cert.pem, chain.pem and privkey.pem (e.g. live/NAME)."""
    return _import(server_url_root, certbot_tree.plain_certificate, cert_path, **options)


def import_certbot_account(account_path, server_url_root=None, **options) -> ImportSummary:
    """One account directory, accounts/{SERVER}/{ACCOUNT_HASH}."""
    return _import(server_url_root, certbot_tree.account, account_path, **options)


def import_certbot_accounts_server(
    accounts_path_server, server_url_root=None, **options
) -> ImportSummary:
    """Every account under one server directory, e.g. accounts/acme-v02.api.letsencrypt.org/directory."""
    return _import(server_url_root, certbot_tree.server_accounts, accounts_path_server, **options)


def import_certbot_accounts_all(
    accounts_all_path, server_url_root=None, **options
) -> ImportSummary:
    """Every account of every server under certbot's accounts/ directory."""
    return _import(server_url_root, certbot_tree.all_accounts, accounts_all_path, **options)


# --- invoke tasks: parse options, run, turn failures into an exit status -----------------------

_SERVER_HELP = (
    f"admin root of peter_sslers, e.g. {EXAMPLE_SERVER_ROOT} (default: ${ENV_SERVER_ROOT})"
)


def _run(
    importer: Callable[..., ImportSummary], *args: object, server_url_root: str | None
) -> None:
    try:
        summary = importer(*args, server_url_root=server_url_root)
    except (ServerRootError, certbot_tree.TreeError) as exc:
        raise Exit(f"error: {exc}", code=2) from exc
    if summary.failed:
        raise Exit(code=1)


@task(
    name="import-certbot-certs-archive",
    help={"archive-path": "certbot's archive/ directory", "server-url-root": _SERVER_HELP},
)
def certs_archive_task(c, archive_path, server_url_root=None):
    """Import every version of every certificate in certbot's archive/."""
    _run(import_certbot_certs_archive, archive_path, server_url_root=server_url_root)


@task(
    name="import-certbot-certs-live",
    help={"live-path": "certbot's live/ directory", "server-url-root": _SERVER_HELP},
)
def certs_live_task(c, live_path, server_url_root=None):
    """Import the current certificate of each lineage in certbot's live/."""
    _run(import_certbot_certs_live, live_path, server_url_root=server_url_root)


@task(
    name="import-certbot-cert-version",
    help={
        "domain-certs-path": "one archive/NAME directory",
        "certificate-version": "the N of certN.pem",
        "server-url-root": _SERVER_HELP,
    },
)
def cert_version_task(c, domain_certs_path, certificate_version, server_url_root=None):
    """Import one numbered version of one archive/NAME lineage."""
    _run(
        import_certbot_cert_version,
        domain_certs_path,
        certificate_version,
        server_url_root=server_url_root,
    )


@task(
    name="import-certbot-cert-plain",
    help={
        "cert-path": "a directory with cert.pem, chain.pem, privkey.pem",
        "server-url-root": _SERVER_HELP,
    },
)
def cert_plain_task(c, cert_path, server_url_root=None):
    """Import one unversioned certificate directory, such as live/NAME."""
    _run(import_certbot_cert_plain, cert_path, server_url_root=server_url_root)


@task(
    name="import-certbot-account",
    help={
        "account-path": "one accounts/SERVER/ACCOUNT_HASH directory",
        "server-url-root": _SERVER_HELP,
    },
)
def account_task(c, account_path, server_url_root=None):
    """Import one certbot account."""
    _run(import_certbot_account, account_path, server_url_root=server_url_root)


@task(
    name="import-certbot-accounts-server",
    help={
        "accounts-path-server": "one server directory, e.g. accounts/acme-v02.api.letsencrypt.org/directory",
        "server-url-root": _SERVER_HELP,
    },
)
def accounts_server_task(c, accounts_path_server, server_url_root=None):
    """Import every certbot account registered with one ACME server."""
    _run(import_certbot_accounts_server, accounts_path_server, server_url_root=server_url_root)


@task(
    name="import-certbot-accounts-all",
    help={"accounts-all-path": "certbot's accounts/ directory", "server-url-root": _SERVER_HELP},
)
def accounts_all_task(c, accounts_all_path, server_url_root=None):
    """Import every certbot account of every ACME server."""
    _run(import_certbot_accounts_all, accounts_all_path, server_url_root=server_url_root)
