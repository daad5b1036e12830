"""JSON shapes of the stored objects, in one place. Ids are strings; no key material here.

PEM text of keys is only ever added by the routes meant to expose it (downloads, config.json).
"""

from __future__ import annotations

from ..model import (
    AcmeAccount,
    AcmeAccountKey,
    AcmeServer,
    CertificateCA,
    CertificateCAChain,
    CertificateRequest,
    CertificateSigned,
    Domain,
    PrivateKey,
    UniqueFQDNSet,
)


def sid(value) -> str | None:
    """An id as the string the JSON contract wants (None stays None)."""
    return None if value is None else str(value)


def domain(row: Domain) -> dict:
    return {
        "id": sid(row.id),
        "domain_name": row.domain_name,
        "is_active": row.is_active,
        "certificate_signed_id__latest_single": sid(row.certificate_signed_id__latest_single),
        "certificate_signed_id__latest_multi": sid(row.certificate_signed_id__latest_multi),
        "timestamp_created": row.timestamp_created,
    }


def unique_fqdn_set(row: UniqueFQDNSet, names: list[str] | None = None) -> dict:
    data = {
        "id": sid(row.id),
        "count_domains": row.count_domains,
        "domain_ids_string": row.domain_ids_string,
        "timestamp_created": row.timestamp_created,
    }
    if names is not None:
        data["domain_names"] = names
    return data


def private_key(row: PrivateKey) -> dict:
    return {
        "id": sid(row.id),
        "key_technology": row.key_technology,
        "spki_sha256": row.spki_sha256,
        "key_pem_md5": row.key_pem_md5,
        "source": row.source,
        "private_key_type": row.private_key_type,
        "cycle_period": row.cycle_period,
        "acme_account_id__owner": sid(row.acme_account_id__owner),
        "is_active": row.is_active,
        "is_compromised": row.is_compromised,
        "timestamp_created": row.timestamp_created,
    }


def certificate_signed(row: CertificateSigned) -> dict:
    return {
        "id": sid(row.id),
        "fingerprint_sha1": row.fingerprint_sha1,
        "fingerprint_sha256": row.fingerprint_sha256,
        "spki_sha256": row.spki_sha256,
        "serial": row.serial,
        "cert_subject": row.cert_subject,
        "cert_issuer": row.cert_issuer,
        "ari_identifier": row.ari_identifier,
        "key_technology": row.key_technology,
        "timestamp_not_before": row.timestamp_not_before,
        "timestamp_not_after": row.timestamp_not_after,
        "timestamp_renew_after": row.timestamp_renew_after,
        "is_single_domain": row.is_single_domain,
        "is_active": row.is_active,
        "is_deactivated": row.is_deactivated,
        "is_revoked": row.is_revoked,
        "is_compromised_private_key": row.is_compromised_private_key,
        "source": row.source,
        "private_key_id": sid(row.private_key_id),
        "certificate_request_id": sid(row.certificate_request_id),
        "unique_fqdn_set_id": sid(row.unique_fqdn_set_id),
        "timestamp_created": row.timestamp_created,
    }


def certificate_request(row: CertificateRequest) -> dict:
    return {
        "id": sid(row.id),
        "csr_pem_sha256": row.csr_pem_sha256,
        "spki_sha256": row.spki_sha256,
        "source": row.source,
        "private_key_id": sid(row.private_key_id),
        "unique_fqdn_set_id": sid(row.unique_fqdn_set_id),
        "timestamp_created": row.timestamp_created,
    }


def certificate_ca(row: CertificateCA) -> dict:
    return {
        "id": sid(row.id),
        "display_name": row.display_name,
        "fingerprint_sha1": row.fingerprint_sha1,
        "fingerprint_sha256": row.fingerprint_sha256,
        "spki_sha256": row.spki_sha256,
        "cert_subject": row.cert_subject,
        "cert_issuer": row.cert_issuer,
        "key_technology": row.key_technology,
        "is_self_signed": row.is_self_signed,
        "timestamp_not_before": row.timestamp_not_before,
        "timestamp_not_after": row.timestamp_not_after,
        "cert_issuer_uri": row.cert_issuer_uri,
        "cert_issuer__reconciled": row.cert_issuer__reconciled,
        "cert_issuer__certificate_ca_id": sid(row.cert_issuer__certificate_ca_id),
        "reconciled_uris": (row.reconciled_uris or "").split("\n") if row.reconciled_uris else [],
        "timestamp_created": row.timestamp_created,
    }


def certificate_ca_chain(row: CertificateCAChain) -> dict:
    return {
        "id": sid(row.id),
        "display_name": row.display_name,
        "chain_length": row.chain_length,
        "chain_pem_sha256": row.chain_pem_sha256,
        "certificate_ca_0_id": sid(row.certificate_ca_0_id),
        "certificate_ca_n_id": sid(row.certificate_ca_n_id),
        "certificate_ca_ids": [sid(item.certificate_ca_id) for item in row.items],
        "timestamp_created": row.timestamp_created,
    }


def acme_server(row: AcmeServer) -> dict:
    return {
        "id": sid(row.id),
        "name": row.name,
        "directory_url": row.directory_url,
        "server": row.server,
        "is_default": row.is_default,
        "is_enabled": row.is_enabled,
        "is_supports_ari": row.is_supports_ari,
        "is_supports_profiles": row.is_supports_profiles,
        "has_ca_bundle": bool(row.ca_bundle_pem),
    }


def acme_account_key(row: AcmeAccountKey) -> dict:
    return {
        "id": sid(row.id),
        "acme_account_id": sid(row.acme_account_id),
        "key_technology": row.key_technology,
        "spki_sha256": row.spki_sha256,
        "jwk_thumbprint": row.jwk_thumbprint,
        "source": row.source,
        "is_active": row.is_active,
        "timestamp_created": row.timestamp_created,
        "timestamp_deactivated": row.timestamp_deactivated,
    }


def acme_account(row: AcmeAccount) -> dict:
    return {
        "id": sid(row.id),
        "acme_server_id": sid(row.acme_server_id),
        "contact": row.contact,
        "account_url": row.account_url,
        "status": row.status,
        "is_active": row.is_active,
        "is_global_default": row.is_global_default,
        "order_default_private_key_cycle": row.order_default_private_key_cycle,
        "order_default_private_key_technology": row.order_default_private_key_technology,
        "timestamp_created": row.timestamp_created,
        "timestamp_last_authenticated": row.timestamp_last_authenticated,
    }
