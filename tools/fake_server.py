"""A stand-in for peter_sslers that answers its main public and admin routes with canned data.

Point a proxy (nginx, OpenResty, a load balancer) at it to check the wiring before the real
service exists.  Every answer carries ``X-Peter-SSLers: fakeserver``.  The domain config routes
serve a genuine key and certificate for the requested name, issued by a throwaway CA created
when the process starts.  The upload routes accept what the import tasks send and remember it
(``FakeServer.received``), so ``tools/tasks.py`` can be tried against this server too.

    python tools/fake_server.py [--host 127.0.0.1] [--port 7201]

Needs only the standard library and ``cryptography``; waitress is used when installed.
"""

from __future__ import annotations

import argparse
import datetime
import email.parser
import email.policy
import functools
import hashlib
import html
import json
import logging
import re
import threading
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

log = logging.getLogger("fake_server")

ADMIN = "/.well-known/admin"
HEADER = ("X-Peter-SSLers", "fakeserver")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7201
MAX_BODY = 1024 * 1024

REQUIRED_FIELDS = {
    "certificate-signed/upload.json": (
        "certificate_signed",
        ("private_key_file", "certificate_file", "chain_file"),
        "certificate_file",
    ),
    "acme-account/upload.json": (
        "acme_account",
        ("certbot_private_key_json", "certbot_regr_json", "certbot_meta_json", "certbot_server"),
        "certbot_private_key_json",
    ),
}
STATUS_TEXT = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
}


# --- key material ------------------------------------------------------------------------------


def _pem_key(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _pem_cert(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@functools.lru_cache(maxsize=1)
def _fake_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = _name("peter_sslers fakeserver CA")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


@functools.lru_cache(maxsize=256)
def certificate_files(domain_name: str) -> dict[str, str]:
    """PEM texts for ``domain_name``: private_key, certificate, chain and fullchain (cached)."""
    ca_key, ca_cert = _fake_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(domain_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    certificate, chain = _pem_cert(cert), _pem_cert(ca_cert)
    return {
        "private_key": _pem_key(key),
        "certificate": certificate,
        "chain": chain,
        "fullchain": certificate + chain,
    }


def certificate_payload(certificate_id: str, domain_name: str) -> dict:
    files = certificate_files(domain_name)
    payload: dict = {"id": certificate_id}
    for part in ("private_key", "certificate", "chain", "fullchain"):
        payload[part] = {"id": "1", "pem": files[part]}
    return payload


def domain_payload(domain: str) -> dict:
    """The config.json answer; a numeric ``domain`` is taken as an id, as the real route allows."""
    domain_id, domain_name = (domain, "example.com") if domain.isdigit() else ("1", domain)
    return {
        "domain": {"id": domain_id, "domain_name": domain_name},
        "certificate_signed__latest_single": None,
        "certificate_signed__latest_multi": certificate_payload("1", domain_name),
    }


# --- request bodies ----------------------------------------------------------------------------


def _read_body(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(min(length, MAX_BODY)) if length > 0 else b""


def parse_form(environ) -> dict[str, str]:
    """Form fields of a POST; a body with no Content-Type is read as urlencoded on purpose."""
    content_type = environ.get("CONTENT_TYPE", "")
    body = _read_body(environ)
    if content_type.startswith("multipart/form-data"):
        return {
            name: value.decode("utf-8", "replace")
            for name, (_, value) in parse_multipart(content_type, body).items()
        }
    pairs = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in pairs.items()}


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """multipart/form-data fields as name -> (filename or None, raw bytes)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, tuple[str | None, bytes]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


# --- the WSGI application ----------------------------------------------------------------------


class FakeServer:
    """The WSGI app.  ``received`` lists every upload: {"route", "files", "fields"}."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self._known: dict[str, dict[str, str]] = {}  # answer key -> content digest -> id
        self._lock = threading.Lock()
        self._routes = [
            (
                re.compile(r"^/\.well-known/acme-challenge/(?P<token>[^/]+)$"),
                ("GET",),
                self.acme_challenge,
            ),
            (re.compile(r"^/\.well-known/public/whoami$"), ("GET",), self.whoami),
            (re.compile(rf"^{re.escape(ADMIN)}$"), ("GET",), self.admin_root),
            (re.compile(rf"^{re.escape(ADMIN)}/$"), ("GET",), self.admin_index),
            (re.compile(rf"^{re.escape(ADMIN)}/index\.json$"), ("GET",), self.admin_index_json),
            (
                re.compile(rf"^{re.escape(ADMIN)}/domain/(?P<domain>[^/]+)/config\.json$"),
                ("GET",),
                self.domain_config,
            ),
            (
                re.compile(
                    rf"^{re.escape(ADMIN)}/certificate-signed/(?P<certificate_id>\d+)/config\.json$"
                ),
                ("GET",),
                self.certificate_config,
            ),
            (
                re.compile(rf"^{re.escape(ADMIN)}/api/domain/autocert\.json$"),
                ("GET", "POST"),
                self.autocert,
            ),
            (
                re.compile(
                    rf"^{re.escape(ADMIN)}/(?P<route>certificate-signed/upload\.json|acme-account/upload\.json)$"
                ),
                ("GET", "POST"),
                self.upload,
            ),
        ]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        for pattern, methods, handler in self._routes:
            match = pattern.match(path)
            if match is None:
                continue
            allowed = methods + (("HEAD",) if "GET" in methods else ())
            if method not in allowed:
                status, headers, body = self._error(path, 405, f"{method} is not allowed here")
                headers.append(("Allow", ", ".join(allowed)))
            else:
                status, headers, body = handler(environ, **match.groupdict())
            break
        else:
            status, headers, body = self._error(
                path, 404, f"the fake server has no route for {path}"
            )
        headers += [HEADER, ("Content-Length", str(len(body)))]
        start_response(f"{status} {STATUS_TEXT.get(status, 'Unknown')}", headers)
        return [b"" if method == "HEAD" else body]

    # responses

    @staticmethod
    def _json(data: dict, status: int = 200):
        body = json.dumps(data, indent=2).encode() + b"\n"
        return status, [("Content-Type", "application/json")], body

    @staticmethod
    def _text(text: str, status: int = 200, content_type: str = "text/plain"):
        return status, [("Content-Type", f"{content_type}; charset=utf-8")], text.encode()

    def _error(self, path: str, status: int, message: str, form_errors: dict | None = None):
        if path.endswith(".json"):
            body = {
                "result": "error",
                "status": status,
                "error": message,
                "form_errors": form_errors or {},
            }
            return self._json(body, status)
        return self._text(message + "\n", status)

    # public routes

    def acme_challenge(self, environ, token):
        return self._text(f"{token}.fakekeyauth")

    def whoami(self, environ):
        return self._text(environ.get("HTTP_HOST", environ.get("SERVER_NAME", "")) + "\n")

    # admin routes

    def admin_root(self, environ):
        return 302, [("Location", ADMIN + "/"), ("Content-Type", "text/plain")], b""

    def admin_index(self, environ):
        links = "".join(
            f'<li><a href="{html.escape(href)}">{html.escape(href)}</a></li>'
            for href in (
                ADMIN + "/index.json",
                ADMIN + "/domain/example.com/config.json",
                ADMIN + "/certificate-signed/1/config.json",
                "/.well-known/public/whoami",
                "/.well-known/acme-challenge/example-token",
            )
        )
        page = (
            "<!DOCTYPE html><html><head><title>peter_sslers fake server</title></head><body>"
            "<h1>peter_sslers fake server</h1><p>Canned answers for proxy set-ups.</p>"
            f"<ul>{links}</ul></body></html>\n"
        )
        return self._text(page, content_type="text/html")

    def admin_index_json(self, environ):
        return self._json(
            {
                "result": "success",
                "version": "fakeserver",
                "counts": {"domains": 1, "certificates_signed": 1, "acme_accounts": 0},
                "attention": [],
                "recent_operations": [],
            }
        )

    def domain_config(self, environ, domain):
        return self._json(domain_payload(domain))

    def certificate_config(self, environ, certificate_id):
        return self._json(certificate_payload(certificate_id, "example.com"))

    def autocert(self, environ):
        path = environ["PATH_INFO"]
        if environ["REQUEST_METHOD"] != "POST":
            return self._json(
                {
                    "instructions": "POST domain_name=example.com",
                    "form_fields": {"domain_name": "required"},
                }
            )
        domain_name = parse_form(environ).get("domain_name", "").strip()
        if not domain_name:
            return self._error(
                path, 400, "there was an error with your form", {"domain_name": "missing value"}
            )
        return self._json(domain_payload(domain_name))

    def upload(self, environ, route):
        path = environ["PATH_INFO"]
        answer_key, required, identity_field = REQUIRED_FIELDS[route]
        if environ["REQUEST_METHOD"] != "POST":
            return self._json(
                {
                    "instructions": "POST multipart/form-data",
                    "form_fields": dict.fromkeys(required, "required"),
                }
            )
        content_type = environ.get("CONTENT_TYPE", "")
        if not content_type.startswith("multipart/form-data"):
            return self._error(path, 400, "send multipart/form-data")
        parts = parse_multipart(content_type, _read_body(environ))
        missing = {
            name: "missing value" for name in required if not parts.get(name, (None, b""))[1]
        }
        if missing:
            return self._error(path, 400, "there was an error with your form", missing)
        record = {
            "route": route,
            "files": {
                name: (filename, value.decode("utf-8", "replace"))
                for name, (filename, value) in parts.items()
                if filename is not None
            },
            "fields": {
                name: value.decode("utf-8", "replace")
                for name, (filename, value) in parts.items()
                if filename is None
            },
        }
        digest = hashlib.sha256(parts[identity_field][1].strip()).hexdigest()
        with self._lock:
            self.received.append(record)
            known = self._known.setdefault(answer_key, {})
            created = digest not in known
            if created:
                known[digest] = str(len(known) + 1)
            item_id = known[digest]
        return self._json({"result": "success", answer_key: {"id": item_id, "created": created}})


app = FakeServer()


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    try:
        import waitress
    except ImportError:
        from wsgiref.simple_server import make_server

        log.info("fake peter_sslers on http://%s:%s (wsgiref)", host, port)
        make_server(host, port, app).serve_forever()
    else:
        log.info("fake peter_sslers on http://%s:%s (waitress)", host, port)
        waitress.serve(app, host=host, port=port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Answer peter_sslers routes with canned data.")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to bind (default {DEFAULT_PORT})"
    )
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    serve(options.host, options.port)


if __name__ == "__main__":
    main()
