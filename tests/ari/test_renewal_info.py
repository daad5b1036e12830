"""ACME Renewal Information (RFC 9773) against acme2certifier."""

from __future__ import annotations

import datetime
import os
import time

import pytest
from cryptography import x509

from peter_sslers.lib.acme_v2 import AcmeClient, AcmeProblem, ari_cert_id
from peter_sslers.lib.acme_v2.errors import Malformed
from tests.services.acme2certifier import RENEWAL_THRESHOLD_PCTG, RETRY_AFTER, Acme2CertifierServer

from .conftest import Exchanges, Issued, issue

UTC = datetime.timezone.utc


def expected_window(issue_uts: int, expire_uts: int) -> tuple[datetime.datetime, datetime.datetime]:
    """acme2certifier's window: start at the threshold percentage of the lifetime."""
    start = issue_uts + int((expire_uts - issue_uts) * RENEWAL_THRESHOLD_PCTG / 100)
    return (
        datetime.datetime.fromtimestamp(start, UTC),
        datetime.datetime.fromtimestamp(expire_uts, UTC),
    )


def test_renewal_info_window(client: AcmeClient, classic_cert: Issued) -> None:
    info = client.renewal_info(classic_cert.ari_cert_id)
    start, end = info.suggested_window_start, info.suggested_window_end
    assert start.tzinfo is not None and end.tzinfo is not None
    assert start.utcoffset() == datetime.timedelta(0)
    assert start < end
    leaf = classic_cert.leaf
    want_start, want_end = expected_window(
        int(leaf.not_valid_before_utc.timestamp()), int(leaf.not_valid_after_utc.timestamp())
    )
    assert abs((start - want_start).total_seconds()) <= 1
    assert abs((end - want_end).total_seconds()) <= 1
    assert info.retry_after == RETRY_AFTER
    assert info.explanation_url is None
    assert set(info.raw["suggestedWindow"]) == {"start", "end"}


def test_renewal_info_follows_the_moved_window(
    acme2certifier: Acme2CertifierServer, client: AcmeClient
) -> None:
    issued = issue(client)
    before = client.renewal_info(issued.ari_cert_id)

    now = int(time.time())
    issue_uts, expire_uts = now - 20 * 86400, now + 2 * 86400  # the window is open now
    acme2certifier.move_window(f"{issued.leaf.serial_number:x}", issue_uts, expire_uts)
    after = client.renewal_info(issued.ari_cert_id)

    assert (after.suggested_window_start, after.suggested_window_end) == expected_window(
        issue_uts, expire_uts
    )
    assert after.suggested_window_start < datetime.datetime.now(UTC) < after.suggested_window_end
    assert after.suggested_window_end < before.suggested_window_start

    # and back into the future: renewal not due yet
    issue_uts, expire_uts = now + 86400, now + 11 * 86400
    acme2certifier.move_window(issued.leaf.serial_number, issue_uts, expire_uts)
    later = client.renewal_info(issued.ari_cert_id)
    assert (later.suggested_window_start, later.suggested_window_end) == expected_window(
        issue_uts, expire_uts
    )
    assert later.suggested_window_start > datetime.datetime.now(UTC)


def test_move_window_unknown_serial(acme2certifier: Acme2CertifierServer) -> None:
    with pytest.raises(LookupError):
        acme2certifier.move_window("ff" + os.urandom(15).hex(), 0, 1)


def test_renewal_info_unknown_certificate(client: AcmeClient, classic_cert: Issued) -> None:
    aki = classic_cert.leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert aki.value.key_identifier is not None
    # same issuer, a serial no certificate has (0xff.. is never valid UTF-8, see the launcher)
    unknown_serial = int.from_bytes(b"\xff" + os.urandom(15), "big")
    unknown = ari_cert_id(aki.value.key_identifier, unknown_serial)
    with pytest.raises(AcmeProblem) as caught:
        client.renewal_info(unknown)
    problem = caught.value
    assert problem.status == 404
    # acme2certifier types its 404 as ``malformed``; our client maps it to that class
    assert isinstance(problem, Malformed) and problem.short_type == "malformed"


def test_new_order_sends_replaces(
    client: AcmeClient, classic_cert: Issued, exchanges: Exchanges
) -> None:
    names = [i.value for i in classic_cert.order.identifiers]
    # acme2certifier accepts and ignores ``replaces``: check what our client sent
    renewed = issue(client, names, replaces=classic_cert.ari_cert_id)
    new_order = exchanges.last("newOrder")
    assert new_order.response_status == 201
    assert new_order.request_payload == {
        "identifiers": [{"type": "dns", "value": name} for name in names],
        "replaces": classic_cert.ari_cert_id,
    }
    assert renewed.leaf.serial_number != classic_cert.leaf.serial_number
    assert renewed.ari_cert_id != classic_cert.ari_cert_id
    assert client.renewal_info(renewed.ari_cert_id).suggested_window_start > datetime.datetime.now(
        UTC
    )
