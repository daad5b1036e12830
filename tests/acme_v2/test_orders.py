"""Orders against a real Pebble: HTTP-01, DNS-01, chains, revocation, failures, badNonce."""

from __future__ import annotations

import concurrent.futures

import pytest
from cryptography import x509

from peter_sslers.lib.acme_v2 import (
    AcmeClient,
    AcmeExchange,
    AcmePollingTimeout,
    AcmeUnsupported,
    acme_context,
)
from peter_sslers.lib.acme_v2.errors import (
    AlreadyRevoked,
    BadNonce,
    BadRevocationReason,
    Malformed,
    OrderNotReady,
    Unauthorized,
)
from peter_sslers.lib.acme_v2.pem import split_chain
from tests.services.pebble import Http01Responder, PebbleServer, PebbleStack

from .helpers import answer_authorization, issue, make_csr, make_key_pem, new_client, unique_name

pytestmark = pytest.mark.pebble


@pytest.fixture(scope="module")
def client(pebble: PebbleServer, account_key_pem: str) -> AcmeClient:
    """One account shared by the tests of this module."""
    return new_client(pebble, account_key_pem)


def certs(pem_chain: str) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate(c.encode()) for c in split_chain(pem_chain)]


def san_names(cert: x509.Certificate) -> set[str]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(n.value) for n in san}


def test_http01_order_to_certificate(pebble: PebbleServer, http01: Http01Responder) -> None:
    exchanges: list[AcmeExchange] = []
    client = new_client(pebble, event_sink=exchanges.append)
    names = [unique_name("www"), unique_name("api")]
    with acme_context(order_id=41):
        order, chains, _ = issue(client, names, http01=http01)
    assert order.status == "valid" and {i.value for i in order.identifiers} == set(names)
    leaf, *intermediates = certs(chains.default)
    assert san_names(leaf) == set(names)
    assert leaf.issuer == intermediates[0].subject
    assert (
        intermediates[-1].issuer == x509.load_pem_x509_certificate(pebble.roots[0].encode()).subject
    )
    assert chains.alternates == []

    actions = {e.action for e in exchanges}
    assert actions >= {
        "directory", "newNonce", "newAccount", "newOrder", "authorization",
        "challenge-respond", "order", "finalize", "certificate",
    }  # fmt: skip
    assert all(e.response_status is not None and e.response_status < 400 for e in exchanges)
    assert {e.order_id for e in exchanges if e.action != "newAccount"} >= {41}
    finalize = next(e for e in exchanges if e.action == "finalize")
    assert set(finalize.request_payload or {}) == {"csr"}
    challenge = client.get_challenge(
        client.get_authorization(order.authorizations[0]).challenges[0].url
    )
    assert challenge.status == "valid" and challenge.validated is not None


def test_dns01_order(client: AcmeClient, pebble_stack: PebbleStack) -> None:
    name = unique_name("dns")
    order, chains, _ = issue(client, [name], dns=pebble_stack.challtestsrv)
    assert san_names(certs(chains.default)[0]) == {name}
    pebble_stack.challtestsrv.clear_txt(f"_acme-challenge.{name}")


def test_ip_identifier_order(client: AcmeClient, http01: Http01Responder) -> None:
    order, chains, _ = issue(client, ["127.0.0.1"], http01=http01)
    assert order.identifiers[0].type == "ip"
    assert san_names(certs(chains.default)[0]) == {"127.0.0.1"}


def test_alternate_chains(pebble_alternates: PebbleServer, http01: Http01Responder) -> None:
    client = new_client(pebble_alternates)
    _, chains, _ = issue(client, [unique_name("alt")], http01=http01)
    assert len(chains.alternates) == 1 and len(chains.all) == 2
    default, alternate = certs(chains.default), certs(chains.alternates[0])
    assert default[0] == alternate[0]  # the same leaf
    assert len(default) == len(alternate) == 3  # leaf + PEBBLE_CHAIN_LENGTH=2 intermediates
    roots = [x509.load_pem_x509_certificate(r.encode()).subject for r in pebble_alternates.roots]
    assert len(roots) == 2
    assert {default[-1].issuer, alternate[-1].issuer} == set(roots)


def test_revoke_with_account_key(
    client: AcmeClient, pebble: PebbleServer, http01: Http01Responder
) -> None:
    _, chains, _ = issue(client, [unique_name("rev")], http01=http01)
    serial = certs(chains.default)[0].serial_number
    assert pebble.cert_status(serial)["Status"] == "Valid"
    with pytest.raises(BadRevocationReason):
        client.revoke_certificate(chains.default, reason=7)
    client.revoke_certificate(chains.default, reason="superseded")
    status = pebble.cert_status(serial)
    assert status["Status"] == "Revoked" and status["Reason"] == 4
    with pytest.raises(AlreadyRevoked):
        client.revoke_certificate(chains.default)


def test_revoke_with_certificate_key(
    client: AcmeClient, pebble: PebbleServer, http01: Http01Responder
) -> None:
    _, chains, cert_key_pem = issue(client, [unique_name("revkey")], http01=http01)
    leaf = certs(chains.default)[0]
    other = new_client(pebble)
    with pytest.raises(Unauthorized):
        other.revoke_certificate(chains.default)  # not this account's certificate
    exchanges: list[AcmeExchange] = []
    other.net.event_sink = exchanges.append
    other.revoke_certificate(
        chains.default, reason="keyCompromise", certificate_key_pem=cert_key_pem
    )
    assert exchanges[-1].action == "revokeCert" and exchanges[-1].response_status == 200
    assert pebble.cert_status(leaf.serial_number)["Status"] == "Revoked"


def test_deactivate_authorization(client: AcmeClient) -> None:
    order = client.new_order([unique_name("deact")])
    authz = client.get_authorization(order.authorizations[0])
    assert authz.status == "pending" and authz.challenge("http-01") is not None
    deactivated = client.deactivate_authorization(authz.url)
    assert deactivated.status == "deactivated"
    assert client.get_authorization(authz.url).status == "deactivated"
    assert client.get_order(order.url).status != "ready"


def test_failed_challenge_makes_order_invalid(client: AcmeClient) -> None:
    order = client.new_order([unique_name("fail")])
    authz = client.get_authorization(order.authorizations[0])
    challenge = authz.challenge("http-01")
    assert challenge is not None
    client.respond_challenge(challenge)  # nothing serves the key authorization
    authz = client.poll_authorization(authz.url, timeout=30)
    assert authz.status == "invalid"
    error = authz.challenges[0].error
    assert error is not None and isinstance(error.to_exception(), Unauthorized)
    order = client.poll_order(order, timeout=30)
    assert order.status == "invalid" and order.error is not None


def test_problem_documents(client: AcmeClient, http01: Http01Responder) -> None:
    with pytest.raises(Malformed, match="illegal character") as info:
        client.new_order(["bad_name!.example.com"])
    assert info.value.status == 400 and info.value.document["type"].endswith("malformed")
    order = client.new_order([unique_name()])
    with pytest.raises(OrderNotReady):
        client.finalize(order, make_csr([unique_name()])[0])
    name = unique_name("csr")
    order = client.new_order([name])
    answer_authorization(client, client.get_authorization(order.authorizations[0]), http01=http01)
    with pytest.raises(Unauthorized, match="CSR"):  # Pebble says unauthorized, not badCSR
        client.finalize(client.get_order(order.url), make_csr([unique_name("other")])[0])


def test_polling_deadline(client: AcmeClient) -> None:
    order = client.new_order([unique_name("slow")])
    with pytest.raises(AcmePollingTimeout) as info:
        client.poll_order(order, timeout=0.1)
    assert info.value.resource.status == "pending"


def test_profile_and_replaces_refused_without_directory_support(client: AcmeClient) -> None:
    assert not client.directory.supports_profiles and not client.directory.supports_ari
    exchanges: list[AcmeExchange] = []
    client.net.event_sink = exchanges.append
    try:
        with pytest.raises(AcmeUnsupported, match="profile"):
            client.new_order([unique_name()], profile="shortlived")
        with pytest.raises(AcmeUnsupported, match="renewalInfo"):
            client.new_order([unique_name()], replaces="aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE")
        with pytest.raises(AcmeUnsupported):
            client.renewal_info("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE")
    finally:
        client.net.event_sink = None
    assert exchanges == []  # refused before sending anything


def test_concurrent_orders_share_one_client(client: AcmeClient, http01: Http01Responder) -> None:
    exchanges: list[AcmeExchange] = []
    client.net.event_sink = exchanges.append

    def one(i: int) -> str:
        with acme_context(order_id=i):
            return issue(client, [unique_name(f"c{i}-")], http01=http01)[0].status

    try:
        with concurrent.futures.ThreadPoolExecutor(5) as pool:
            assert list(pool.map(one, range(5))) == ["valid"] * 5
    finally:
        client.net.event_sink = None
    by_order: dict[int, set[str]] = {}
    for e in exchanges:
        by_order.setdefault(e.order_id, set()).add(e.action)
    assert set(by_order) <= set(range(5)) | {None} and all(
        "certificate" in by_order[i] for i in range(5)
    )


def test_order_with_half_the_nonces_rejected(
    pebble_nonce_reject: PebbleServer, http01: Http01Responder
) -> None:
    # PEBBLE_WFE_NONCEREJECT=50 rejects good nonces at random, so a single retry fails
    # 25 % of POSTs: this flow needs a larger retry budget (see the next test).
    exchanges: list[AcmeExchange] = []
    client = new_client(pebble_nonce_reject, event_sink=exchanges.append, bad_nonce_retries=25)
    order, chains, _ = issue(client, [unique_name("nonce")], http01=http01)
    assert order.status == "valid" and chains.default
    rejected = [e for e in exchanges if e.problem_type == "urn:ietf:params:acme:error:badNonce"]
    assert rejected and any(e.is_retry for e in exchanges)


def test_default_is_exactly_one_bad_nonce_retry(pebble_nonce_reject: PebbleServer) -> None:
    exchanges: list[AcmeExchange] = []
    client = new_client(pebble_nonce_reject, bad_nonce_retries=25)
    client.net.bad_nonce_retries = 1
    client.net.event_sink = exchanges.append
    for _ in range(300):  # P(no double rejection in 300 tries) = 0.75**300
        try:
            client.get_account()
        except BadNonce:
            break
    else:
        pytest.fail("never saw two rejections in a row")
    last_two = exchanges[-2:]
    assert [e.is_retry for e in last_two] == [False, True]
    assert all(e.problem_type and e.problem_type.endswith("badNonce") for e in last_two)


def test_strict_pebble_full_cycle(pebble_strict: PebbleServer, http01: Http01Responder) -> None:
    client = new_client(pebble_strict)
    _, chains, _ = issue(client, [unique_name("strict")], http01=http01)
    client.revoke_certificate(chains.default, reason="cessationOfOperation")
    assert pebble_strict.cert_status(certs(chains.default)[0].serial_number)["Reason"] == 5
    client.deactivate_account()


@pytest.mark.parametrize("crypto_backend", ["cryptography", "openssl"])
def test_order_signed_through_cert_utils(
    pebble: PebbleServer, http01: Http01Responder, crypto_backend: str
) -> None:
    """The fallback signer (crypto layer, either backend) against a real server."""
    cert_utils = pytest.importorskip("peter_sslers.lib.cert_utils")
    if not all(hasattr(cert_utils, f) for f in ("configure", "jws_sign", "jwk_thumbprint")):
        pytest.skip("peter_sslers.lib.cert_utils has no JWS functions yet")
    previous = cert_utils.configure(crypto_backend)
    try:
        client = new_client(pebble, make_key_pem("rsa2048"), jws_backend="cert_utils")
        assert client.signer.backend == "cert_utils" and client.signer.alg == "RS256"
        order, _, _ = issue(client, [unique_name("cu")], http01=http01)
        assert order.status == "valid"
        client.key_rollover(make_key_pem("ec384"))
        assert client.signer.backend == "cert_utils" and client.get_account().status == "valid"
    finally:
        cert_utils.configure(**previous)
