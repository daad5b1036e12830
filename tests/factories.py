"""Row factories for arranging tests; each flushes so ids exist."""

from __future__ import annotations

import secrets

from peter_sslers.model import (
    AcmeAuthorization,
    AcmeChallenge,
    AcmeOrderless,
    Domain,
)
from peter_sslers.model.enums import (
    AcmeAuthorizationStatus,
    AcmeChallengeStatus,
    AcmeChallengeType,
)


def domain(dbsession, name: str | None = None, **kw) -> Domain:
    row = Domain(domain_name=name or f"d{secrets.token_hex(4)}.example.com", **kw)
    dbsession.add(row)
    dbsession.flush()
    return row


def http01_challenge(
    dbsession,
    *,
    status: AcmeChallengeStatus = AcmeChallengeStatus.PENDING,
    domain_name: str | None = None,
) -> AcmeChallenge:
    """An http-01 challenge under a pending authorization, with a key authorization."""
    target = domain(dbsession, domain_name)
    authz = AcmeAuthorization(
        authorization_url=f"https://acme.example/authz/{secrets.token_hex(6)}",
        status=AcmeAuthorizationStatus.PENDING,
        domain_id=target.id,
    )
    dbsession.add(authz)
    dbsession.flush()
    token = secrets.token_urlsafe(32)
    challenge = AcmeChallenge(
        acme_authorization_id=authz.id,
        domain_id=target.id,
        challenge_type=AcmeChallengeType.HTTP_01,
        status=status,
        challenge_url=f"https://acme.example/chall/{secrets.token_hex(6)}",
        token=token,
        keyauthorization=f"{token}.{secrets.token_urlsafe(32)}",
    )
    dbsession.add(challenge)
    dbsession.flush()
    return challenge


def orderless_challenge(dbsession, *, is_active: bool = True) -> AcmeChallenge:
    """An acme-flow challenge: no ACME authorization, held by an AcmeOrderless."""
    target = domain(dbsession)
    orderless = AcmeOrderless(is_active=is_active)
    dbsession.add(orderless)
    dbsession.flush()
    token = secrets.token_urlsafe(32)
    challenge = AcmeChallenge(
        acme_orderless_id=orderless.id,
        domain_id=target.id,
        challenge_type=AcmeChallengeType.HTTP_01,
        token=token,
        keyauthorization=f"{token}.{secrets.token_urlsafe(32)}",
    )
    dbsession.add(challenge)
    dbsession.flush()
    return challenge


def unique_fqdn_set(dbsession, names: list[str] | None = None):
    from peter_sslers.model import UniqueFQDNSet, UniqueFQDNSet2Domain

    domains = [domain(dbsession, n) for n in (names or [None])]
    ids = sorted(d.id for d in domains)
    row = UniqueFQDNSet(domain_ids_string=",".join(map(str, ids)), count_domains=len(ids))
    dbsession.add(row)
    dbsession.flush()
    for d in domains:
        dbsession.add(UniqueFQDNSet2Domain(unique_fqdn_set_id=row.id, domain_id=d.id))
    dbsession.flush()
    return row


def certificate_signed_row(dbsession, *, not_after, not_before=None, is_active=True):
    """A CertificateSigned row with placeholder PEM text, for tests about dates and counts only."""
    import datetime

    from peter_sslers.model import CertificateSigned, PrivateKey
    from peter_sslers.model.enums import CertificateSource, KeyTechnology, PrivateKeySource

    key = PrivateKey(
        key_pem="placeholder", key_pem_md5=secrets.token_hex(16), spki_sha256=secrets.token_hex(32),
        key_technology=KeyTechnology.EC_P256, source=PrivateKeySource.IMPORTED,
    )
    dbsession.add(key)
    fqdn_set = unique_fqdn_set(dbsession)
    cert = CertificateSigned(
        cert_pem="placeholder", fingerprint_sha1=secrets.token_hex(20),
        fingerprint_sha256=secrets.token_hex(32), spki_sha256=key.spki_sha256,
        serial=secrets.token_hex(8), cert_subject="CN=x", cert_issuer="CN=y",
        timestamp_not_before=not_before or not_after - datetime.timedelta(days=90),
        timestamp_not_after=not_after, is_single_domain=True, is_active=is_active,
        source=CertificateSource.IMPORTED, private_key=key, unique_fqdn_set_id=fqdn_set.id,
    )
    dbsession.add(cert)
    dbsession.flush()
    return cert
