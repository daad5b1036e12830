"""ACME issuance benchmark against a local Pebble: our client vs certbot's ``acme`` library.

Run: ``.venv/bin/python bench/acme.py [--sequential 20] [--concurrent 50] [--threads 10]``

Starts its own Pebble (PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0,
PEBBLE_AUTHZREUSE=0) and a threaded HTTP-01 responder, then issues single-name
certificates in sequence and in parallel, plus a few 20-name certificates, with
``peter_sslers.lib.acme_v2`` and with certbot's ``acme`` package (the floor of
/work/shared/docs/BENCHMARKS.md: the same flow with a minimal 50 ms polling loop).
If ``acme`` is not installed, only our numbers are printed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# This file is called acme.py: drop its directory from sys.path so that
# ``import acme`` finds certbot's package, and make the repository importable.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from peter_sslers.lib.acme_v2 import AcmeClient, Status  # noqa: E402
from tests.services.pebble import (  # noqa: E402
    Http01Responder,
    PebbleOptions,
    PebbleServer,
    PebbleStack,
)

FLOOR_POLL = 0.05  # the floor's fixed polling interval (BENCHMARKS.md)
_names = itertools.count()
_run = os.urandom(3).hex()


def new_names(count: int) -> list[str]:
    """``count`` fresh DNS names (Pebble's DNS resolves every name to 127.0.0.1)."""
    return [f"b{next(_names)}-{_run}.example.com" for _ in range(count)]


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def csr_pem(names: list[str]) -> bytes:
    """A PEM CSR for ``names`` with a new P-256 key (made outside the timed region)."""
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(ec_key(), hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM)


# --- our client ---------------------------------------------------------------------------


class OurIssuer:
    """Issues certificates with ``peter_sslers.lib.acme_v2`` (one shared client)."""

    label = "peter_sslers acme_v2"

    def __init__(self, pebble: PebbleServer, responder: Http01Responder) -> None:
        self.responder = responder
        self.client = AcmeClient(
            pebble.directory_url, key_pem(ec_key()), ca_bundle=pebble.ca_bundle, timeout=30
        )
        self.client.new_account(terms_of_service_agreed=True)

    def issue(self, names: list[str], csr: bytes) -> str:
        """new order -> answer every HTTP-01 -> poll -> finalize -> poll -> download."""
        client = self.client
        order = client.new_order(names)
        pending = []
        for url in order.authorizations:
            authz = client.get_authorization(url)
            if authz.status == Status.VALID:
                continue
            challenge = authz.challenge("http-01")
            assert challenge is not None and challenge.token
            self.responder.add(challenge.token, client.key_authorization(challenge.token))
            client.respond_challenge(challenge)
            pending.append(url)
        for url in pending:
            assert client.poll_authorization(url).status == Status.VALID
        order = client.poll_order(client.finalize(order, csr))
        assert order.status == Status.VALID and order.certificate
        return client.download_certificate(order.certificate).default


# --- the floor: certbot's acme library ------------------------------------------------------


class FloorIssuer:
    """The same flow with certbot's ``acme`` package and a fixed 50 ms polling loop.

    ``acme.client.ClientNetwork`` keeps its nonces in a plain set, so each thread gets its
    own network object; all of them use the same account.
    """

    label = "certbot acme (floor)"

    def __init__(self, pebble: PebbleServer, responder: Http01Responder) -> None:
        import josepy

        self.responder = responder
        self.pebble = pebble
        self.jwk = josepy.JWKEC(key=ec_key())
        client = self._client(account=None)
        from acme import messages

        registration = messages.NewRegistration.from_data(terms_of_service_agreed=True)
        self.account = client.new_account(registration)
        import threading

        self._local = threading.local()

    def _client(self, account: object) -> object:
        import josepy
        from acme import client as acme_client
        from acme import messages

        net = acme_client.ClientNetwork(
            self.jwk, account=account, alg=josepy.ES256, verify_ssl=self.pebble.ca_bundle
        )
        net.session.trust_env = False  # same rule as ours: never the env CA bundle
        directory = messages.Directory.from_json(net.get(self.pebble.directory_url).json())
        return acme_client.ClientV2(directory, net)

    def issue(self, names: list[str], csr: bytes) -> str:
        from acme import messages

        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._client(self.account)
        orderr = client.new_order(csr)
        pending = []
        for authzr in orderr.authorizations:
            if authzr.body.status == messages.STATUS_VALID:
                continue
            challb = next(c for c in authzr.body.challenges if c.chall.typ == "http-01")
            response, validation = challb.response_and_validation(client.net.key)
            self.responder.add(challb.chall.encode("token"), validation)
            client.answer_challenge(challb, response)
            pending.append(authzr)
        for authzr in pending:
            while client.poll(authzr)[0].body.status == messages.STATUS_PENDING:
                time.sleep(FLOOR_POLL)
        orderr = client.begin_finalization(orderr)
        body = orderr.body
        while body.status != messages.STATUS_VALID:
            assert body.status in (messages.STATUS_PROCESSING, messages.STATUS_READY), body
            time.sleep(FLOOR_POLL)
            body = messages.Order.from_json(client._post_as_get(orderr.uri).json())
        return client._post_as_get(body.certificate).text


# --- measuring ---------------------------------------------------------------------------


def timed(issue: Callable[[list[str], bytes], str], names: list[str], csr: bytes) -> float:
    started = time.perf_counter()
    assert "BEGIN CERTIFICATE" in issue(names, csr)
    return time.perf_counter() - started


def run_sequential(issue: Callable[[list[str], bytes], str], count: int, names_per_cert: int):
    jobs = [(names, csr_pem(names)) for names in (new_names(names_per_cert) for _ in range(count))]
    started = time.perf_counter()
    latencies = [timed(issue, names, csr) for names, csr in jobs]
    return latencies, time.perf_counter() - started


def run_concurrent(issue: Callable[[list[str], bytes], str], count: int, threads: int):
    jobs = [(names, csr_pem(names)) for names in (new_names(1) for _ in range(count))]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        latencies = list(pool.map(lambda job: timed(issue, *job), jobs))
    return latencies, time.perf_counter() - started


def measure(issuer: object, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """{scenario: (median seconds per certificate, total seconds)}."""
    issue = issuer.issue  # type: ignore[attr-defined]
    run_sequential(issue, 3, 1)  # warm up connections and code paths
    results = {}
    lat, total = run_sequential(issue, args.sequential, 1)
    results[f"{args.sequential} certs, sequential"] = (statistics.median(lat), total)
    lat, total = run_concurrent(issue, args.concurrent, args.threads)
    results[f"{args.concurrent} certs, {args.threads} threads"] = (total / len(lat), total)
    lat, total = run_sequential(issue, args.multi, 20)
    results[f"{args.multi} certs x 20 names"] = (statistics.median(lat), total)
    return results


def print_table(ours: dict, floor: dict | None, floor_note: str) -> None:
    print()
    print(f"{'scenario':<28} {'ours ms/cert':>13} {'ours total s':>13} "
          f"{'floor ms/cert':>14} {'floor total s':>14} {'ratio':>7}")  # fmt: skip
    for scenario, (per_cert, total) in ours.items():
        if floor:
            f_per, f_total = floor[scenario]
            ratio = per_cert / f_per if f_per else float("nan")
            tail = f"{f_per * 1000:>14.1f} {f_total:>14.2f} {ratio:>6.2f}x"
        else:
            tail = f"{'-':>14} {'-':>14} {'-':>7}"
        print(f"{scenario:<28} {per_cert * 1000:>13.1f} {total:>13.2f} {tail}")
    print("\nms/cert: median latency for sequential runs; wall time / count for the threaded run.")
    if floor_note:
        print(floor_note)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--multi", type=int, default=5, help="certificates with 20 names")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    for binary in ("/usr/bin/pebble", "/usr/bin/pebble-challtestsrv"):
        if not os.access(binary, os.X_OK):
            print(f"{binary} missing: apt-get install pebble", file=sys.stderr)
            return 2
    responder = Http01Responder().start()
    with tempfile.TemporaryDirectory(prefix="bench-acme-") as tmp, PebbleStack(Path(tmp)) as stack:
        options = PebbleOptions(
            va_nosleep=True, nonce_reject=0, authz_reuse=0, http_port=responder.port
        )
        pebble = stack.add_pebble(options)
        print(f"Pebble at {pebble.directory_url} (PID {pebble.process.pid})")
        ours = measure(OurIssuer(pebble, responder), args)
        floor, note = None, ""
        try:
            import acme.client  # noqa: F401
        except ImportError:
            note = "certbot's `acme` is not installed (pip install acme): no floor measured."
        else:
            floor = measure(FloorIssuer(pebble, responder), args)
        print_table(ours, floor, note)
    responder.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
