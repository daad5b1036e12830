"""Import a certbot configuration tree (``/etc/letsencrypt``) straight from disk, in bulk.

``archive/NAME/{cert,chain,privkey}N.pem`` gives every version of every lineage; ``live/NAME``
directories whose files are not links into the archive are imported too; ``accounts/SERVER/
HASH/`` holds certbot's accounts. The path may also be one of those directories, or a single
lineage directory.

The upload route checks one certificate in a dozen statements; this module makes 10,000
certificates a matter of seconds:

- certificates are parsed in batches by ``cert_utils``; a key is matched to its certificate
  by its public part, derived from the key's DER without loading it. The full RSA key
  validation (prime tests, ~50 ms a key) is skipped: the tree is the operator's own disk,
  and the key's modulus must still factor as p * q and equal the certificate's;
- each distinct chain is verified (signatures) once, with the first certificate that uses
  it; the others are matched to it by issuer name and key identifier (a mismatch falls back
  to the full check);
- rows are written with multi-row Core INSERTs, one transaction per batch (``commit`` is
  called after each). A batch that collides with a concurrent writer (IntegrityError) is
  rolled back and redone one certificate at a time by ``import_certificate_signed``;
- recents are refreshed once at the end.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..model import (
    CertificateSigned,
    CertificateSignedChain,
    Domain,
    OperationsObjectEvent,
    PrivateKey,
    UniqueFQDNSet,
    UniqueFQDNSet2Domain,
)
from ..model.enums import CertificateSource, KeyTechnology, PrivateKeySource
from . import cert_utils
from .cert_utils import asn1, inputs, x509_der
from .db.acme_accounts import import_certbot_account
from .db.certificate_cas import import_certificate_ca_chain
from .db.certificates import DEFAULT_RENEWAL, RenewalPolicy, certificate_domain_names, import_certificate_signed
from .db.common import log_operation
from .db.crypto_input import key_technology_or_none
from .db.private_keys import md5_hex
from .db.recents import update_recents
from .errors import InvalidRequest, PeterSSLersError

log = logging.getLogger(__name__)

BATCH_SIZE = 500
IN_CHUNK = 500  # bound parameters per IN (...) lookup
_VERSIONED_CERT = re.compile(r"^cert(\d+)\.pem$")
ACCOUNT_FILES = ("private_key.json", "regr.json", "meta.json")


class TreeError(PeterSSLersError):
    """The path is not a certbot tree, nor a part of one."""


@dataclasses.dataclass(frozen=True)
class CertFiles:
    label: str
    cert: str
    privkey: str
    chain: str


@dataclasses.dataclass(frozen=True)
class AccountFiles:
    label: str
    directory: Path
    server: str


@dataclasses.dataclass
class ImportSummary:
    imported: list[str] = dataclasses.field(default_factory=list)
    already_present: list[str] = dataclasses.field(default_factory=list)
    failed: list[dict] = dataclasses.field(default_factory=list)
    accounts_imported: list[str] = dataclasses.field(default_factory=list)
    accounts_already_present: list[str] = dataclasses.field(default_factory=list)
    accounts_failed: list[dict] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def certificates_per_second(self) -> float:
        done = len(self.imported) + len(self.already_present) + len(self.failed)
        return round(done / self.seconds, 1) if self.seconds else 0.0

    def as_json(self) -> dict:
        return {
            "imported": len(self.imported), "already_present": len(self.already_present),
            "failed": len(self.failed), "failures": self.failed,
            "accounts_imported": len(self.accounts_imported),
            "accounts_already_present": len(self.accounts_already_present),
            "accounts_failed": len(self.accounts_failed), "account_failures": self.accounts_failed,
            "seconds": round(self.seconds, 3), "certificates_per_second": self.certificates_per_second,
        }  # fmt: skip


# ---- finding the files ---------------------------------------------------------------------


def _subdirectories(directory: str) -> list[str]:
    with os.scandir(directory) as entries:
        return sorted(entry.name for entry in entries if entry.is_dir())


def _archive_lineage(directory: str) -> list[CertFiles]:
    name = os.path.basename(directory)
    versions = sorted(
        int(m.group(1)) for m in map(_VERSIONED_CERT.match, os.listdir(directory)) if m
    )
    join = os.path.join
    return [
        CertFiles(f"{name} version {n}", join(directory, f"cert{n}.pem"), join(directory, f"privkey{n}.pem"),
                  join(directory, f"chain{n}.pem"))
        for n in versions
    ]  # fmt: skip


def _plain_lineage(directory: str) -> CertFiles:
    join = os.path.join
    return CertFiles(os.path.basename(directory), join(directory, "cert.pem"), join(directory, "privkey.pem"),
                     join(directory, "chain.pem"))  # fmt: skip


def _link_target(path: str) -> str:
    """Where a live/ file points (certbot links into ../../archive), without a realpath per file."""
    if not os.path.islink(path):
        return path
    return os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))


def find_certificates(path: str | Path) -> list[CertFiles]:
    """Every certificate version in the tree; live links to archived files are left out."""
    path = os.path.realpath(path)
    join = os.path.join
    if os.path.isdir(join(path, "archive")) or os.path.isdir(join(path, "live")):
        archive, live = join(path, "archive"), join(path, "live")
    elif os.path.basename(path) == "archive":
        archive, live = path, None
    elif os.path.basename(path) == "live":
        archive, live = None, path
    elif any(_VERSIONED_CERT.match(name) for name in os.listdir(path)):
        return _archive_lineage(path)
    elif os.path.exists(join(path, "cert.pem")):
        return [_plain_lineage(path)]
    else:
        return []
    found: list[CertFiles] = []
    if archive is not None and os.path.isdir(archive):
        for lineage in _subdirectories(archive):
            found.extend(_archive_lineage(join(archive, lineage)))
    if live is not None and os.path.isdir(live):
        archived = {item.cert for item in found}
        for lineage in _subdirectories(live):
            item = _plain_lineage(join(live, lineage))
            # copies that are not links are de-duplicated later, by fingerprint
            if os.path.exists(item.cert) and _link_target(item.cert) not in archived:
                found.append(item)
    return found


def find_accounts(path: Path) -> list[AccountFiles]:
    """certbot accounts: ``accounts/{server path}/{hash}/private_key.json`` and friends."""
    path = Path(path)
    if (path / "accounts").is_dir():
        root = path / "accounts"
    elif path.name == "accounts":
        root = path
    else:
        return []
    directories = sorted({p.parent for p in root.rglob("private_key.json") if p.is_file()})
    return [
        AccountFiles(
            f"{d.parent.relative_to(root).as_posix()}/{d.name}",
            d,
            d.parent.relative_to(root).as_posix(),
        )
        for d in directories
    ]


# ---- parsing -------------------------------------------------------------------------------


@dataclasses.dataclass
class Parsed:
    label: str
    cert_pem: str
    key_pem: str
    chain_pem: str | None
    info: cert_utils.CertInfo
    names: list[str]
    key_spki_sha256: str
    key_technology: KeyTechnology


class ItemError(Exception):
    """One certificate cannot be imported; the message says why."""


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ItemError(f"{os.path.basename(path)} is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ItemError(f"{os.path.basename(path)} cannot be read: {exc}") from None


def _rsa_spki(parts: list[asn1.Element]) -> bytes:
    n, e, p, q = parts[1].as_int(), parts[2].as_int(), parts[4].as_int(), parts[5].as_int()
    if p * q != n:
        raise ItemError("the RSA private key is inconsistent (p * q != n)")
    key = asn1.sequence(asn1.integer(n), asn1.integer(e))
    return asn1.sequence(
        asn1.sequence(asn1.encode_oid(x509_der.OID_RSA), asn1.null()), asn1.bit_string(key)
    )


def _ec_spki(sec1: list[asn1.Element], curve: asn1.Element | None) -> bytes | None:
    point = None
    for part in sec1[2:]:
        if part.tag == 0xA0:
            curve = part.children()[0]
        elif part.tag == 0xA1:
            point = part.children()[0].bit_string_bytes()
    if point is None or curve is None:
        return None  # no public key stored beside the private scalar
    algorithm = asn1.sequence(asn1.encode_oid(x509_der.OID_EC), curve.encoded)
    return asn1.sequence(algorithm, asn1.bit_string(point))


def _spki_from_private_der(label: str, der: bytes) -> bytes | None:
    """The SubjectPublicKeyInfo of an RSA or EC private key, read from its DER (None: unknown)."""
    parts = asn1.parse(der).children()
    if label == "RSA PRIVATE KEY":
        return _rsa_spki(parts)
    if label == "EC PRIVATE KEY":
        return _ec_spki(parts, None)
    if label != "PRIVATE KEY":
        return None
    algorithm = parts[1].children()
    oid = algorithm[0].as_oid()
    if oid == x509_der.OID_RSA:
        return _rsa_spki(asn1.parse(parts[2].value).children())
    if oid == x509_der.OID_EC:
        curve = algorithm[1] if len(algorithm) > 1 else None
        return _ec_spki(asn1.parse(parts[2].value).children(), curve)
    return None


def key_identity(key_pem: str) -> tuple[str, KeyTechnology]:
    """(SPKI SHA-256, KeyTechnology) of a private key, without loading it into a crypto library."""
    try:
        block, (technology, bits, curve) = inputs.load_key(key_pem)
        spki = _spki_from_private_der(block.label, block.der)
        spki_sha256 = (
            hashlib.sha256(spki).hexdigest() if spki else cert_utils.parse_key(key_pem).spki_sha256
        )
    except cert_utils.CryptoError as exc:
        raise ItemError(f"invalid private key: {exc}") from None
    except (IndexError, ValueError) as exc:
        raise ItemError(f"invalid private key: {exc}") from None
    found = key_technology_or_none(technology, bits, curve)
    if found is None:
        raise ItemError(f"unsupported key: {technology} {curve or bits or ''}".strip())
    return spki_sha256, found


@dataclasses.dataclass
class _Chain:
    pems: list[str]
    subject: str
    subject_key_identifier: str | None
    verified: bool = False
    chain_id: int | None = None


class ChainChecker:
    """Verifies each distinct chain once; links later leaves to it by name and key identifier."""

    def __init__(self) -> None:
        self.chains: dict[str, _Chain] = {}

    def get(self, chain_text: str) -> _Chain:
        key = chain_text.strip()
        chain = self.chains.get(key)
        if chain is None:
            try:
                pems = cert_utils.split_pem_bundle(key)
                first = cert_utils.parse_certs_batch(pems[:1])[0]
            except cert_utils.CryptoError as exc:
                raise ItemError(f"invalid chain: {exc}") from None
            chain = self.chains[key] = _Chain(pems, first.subject, first.subject_key_identifier)
        return chain

    def check(self, cert_pem: str, info: cert_utils.CertInfo, chain_text: str) -> None:
        chain = self.get(chain_text)
        aki, ski = info.authority_key_identifier, chain.subject_key_identifier
        if chain.verified and info.issuer == chain.subject and (not aki or not ski or aki == ski):
            return
        try:
            cert_utils.validate_chain(cert_pem, chain.pems)
        except cert_utils.CryptoError as exc:
            raise ItemError(f"the chain does not sign the certificate: {exc}") from None
        chain.verified = True


@dataclasses.dataclass
class _Files:
    """One item's file contents; ``error`` when they cannot be used."""

    files: CertFiles
    cert_pem: str = ""
    key_text: str = ""
    chain_text: str | None = None
    error: str | None = None


def _load(files: CertFiles) -> _Files:
    loaded = _Files(files)
    try:
        cert_text, loaded.key_text = _read(files.cert), _read(files.privkey)
        loaded.chain_text = _read(files.chain) if os.path.exists(files.chain) else None
        pems = cert_utils.split_pem_bundle(cert_text)
        if len(pems) != 1:
            raise ItemError(
                f"{os.path.basename(files.cert)} holds {len(pems)} certificates, expected 1"
            )
        loaded.cert_pem = pems[0]
    except ItemError as exc:
        loaded.error = str(exc)
    except cert_utils.CryptoError as exc:
        loaded.error = f"invalid certificate: {exc}"
    return loaded


def _parse_one(loaded: _Files, info: cert_utils.CertInfo | None, chains: ChainChecker) -> Parsed:
    if loaded.error:
        raise ItemError(loaded.error)
    try:
        info = info or cert_utils.parse_cert(loaded.cert_pem)
    except cert_utils.CryptoError as exc:
        raise ItemError(f"invalid certificate: {exc}") from None
    if info.is_ca:
        raise ItemError("a CA certificate, not a leaf")
    try:
        names = certificate_domain_names(info, "certificate_file")
    except InvalidRequest as exc:
        raise ItemError(exc.message + ": " + "; ".join(exc.form_errors.values())) from None
    spki_sha256, technology = key_identity(loaded.key_text)
    if spki_sha256 != info.spki_sha256:
        raise ItemError("the private key does not match the certificate")
    chain_text = loaded.chain_text if loaded.chain_text and loaded.chain_text.strip() else None
    if chain_text:
        chains.check(loaded.cert_pem, info, chain_text)
    key_pem = cert_utils.normalize_pem(loaded.key_text)
    return Parsed(
        loaded.files.label,
        loaded.cert_pem,
        key_pem,
        chain_text,
        info,
        names,
        spki_sha256,
        technology,
    )


def _batch_infos(loaded: list[_Files]) -> list[cert_utils.CertInfo | None]:
    """Parse the batch's certificates in one call; on any bad one, leave each to its own parse."""
    usable = [item for item in loaded if not item.error]
    try:
        infos = iter(
            cert_utils.parse_certs_batch([item.cert_pem for item in usable]) if usable else []
        )
    except cert_utils.CryptoError:
        return [None] * len(loaded)
    return [None if item.error else next(infos) for item in loaded]


def parse_batch(batch: list[CertFiles], chains: ChainChecker) -> tuple[list[Parsed], list[dict]]:
    loaded = [_load(files) for files in batch]
    parsed, failed = [], []
    for item, info in zip(loaded, _batch_infos(loaded), strict=True):
        try:
            parsed.append(_parse_one(item, info, chains))
        except ItemError as exc:
            failed.append({"label": item.files.label, "error": str(exc)})
    return parsed, failed


# ---- writing -------------------------------------------------------------------------------


def _chunks(values: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _lookup(dbsession: Session, key_column, values: Iterable, *columns) -> dict:
    """{key: row} for the rows whose ``key_column`` is in ``values`` (chunked IN lists)."""
    found = {}
    for chunk in _chunks(sorted(set(values))):
        for row in dbsession.execute(sa.select(key_column, *columns).where(key_column.in_(chunk))):
            found[row[0]] = row
    return found


def _insert(dbsession: Session, model, rows: list[dict]) -> None:
    if rows:
        dbsession.execute(sa.insert(model.__table__), rows)


def _ensure_chains(dbsession: Session, items: list[Parsed], chains: ChainChecker) -> None:
    """Store the chains this batch needs (committed with the batch; few and de-duplicated)."""
    for item in items:
        if item.chain_pem:
            chain = chains.get(item.chain_pem)
            if chain.chain_id is None:
                chain.chain_id = import_certificate_ca_chain(dbsession, "".join(chain.pems))[0].id


def _key_ids(dbsession: Session, items: list[Parsed]) -> dict[str, tuple[int, bool]]:
    spkis = {item.key_spki_sha256: item for item in items}
    existing = _lookup(
        dbsession, PrivateKey.spki_sha256, spkis, PrivateKey.id, PrivateKey.is_compromised
    )
    _insert(dbsession, PrivateKey, [
        {"key_pem": item.key_pem, "key_pem_md5": md5_hex(item.key_pem), "spki_sha256": spki,
         "key_technology": item.key_technology, "source": PrivateKeySource.IMPORTED}
        for spki, item in spkis.items() if spki not in existing
    ])  # fmt: skip
    rows = _lookup(
        dbsession, PrivateKey.spki_sha256, spkis, PrivateKey.id, PrivateKey.is_compromised
    )
    return {spki: (row.id, row.is_compromised) for spki, row in rows.items()}


def _set_ids(dbsession: Session, items: list[Parsed]) -> dict[tuple[str, ...], int]:
    names = {name for item in items for name in item.names}
    known = _lookup(dbsession, Domain.domain_name, names, Domain.id)
    _insert(dbsession, Domain, [{"domain_name": n} for n in sorted(names - set(known))])
    domain_ids = {
        name: row.id
        for name, row in _lookup(dbsession, Domain.domain_name, names, Domain.id).items()
    }
    wanted = {
        tuple(i.names): ",".join(map(str, sorted(domain_ids[n] for n in i.names))) for i in items
    }
    keys = set(wanted.values())
    existing = _lookup(dbsession, UniqueFQDNSet.domain_ids_string, keys, UniqueFQDNSet.id)
    new_keys = sorted(keys - set(existing))
    _insert(
        dbsession,
        UniqueFQDNSet,
        [{"domain_ids_string": k, "count_domains": k.count(",") + 1} for k in new_keys],
    )
    set_ids = {
        k: row.id
        for k, row in _lookup(
            dbsession, UniqueFQDNSet.domain_ids_string, keys, UniqueFQDNSet.id
        ).items()
    }
    _insert(dbsession, UniqueFQDNSet2Domain, [
        {"unique_fqdn_set_id": set_ids[k], "domain_id": int(d)} for k in new_keys for d in k.split(",")
    ])  # fmt: skip
    return {set_names: set_ids[key] for set_names, key in wanted.items()}


def write_batch(
    dbsession: Session, items: list[Parsed], chains: ChainChecker, renewal: RenewalPolicy = DEFAULT_RENEWAL
) -> tuple[list[Parsed], list[Parsed]]:
    """Insert the new certificates of ``items``; returns (imported, already present)."""
    by_fingerprint = {item.info.fingerprint_sha256: item for item in items}
    present = _lookup(dbsession, CertificateSigned.fingerprint_sha256, by_fingerprint)
    new = [item for fp, item in by_fingerprint.items() if fp not in present]
    old = [item for fp, item in by_fingerprint.items() if fp in present]
    if not new:
        return [], old
    _ensure_chains(dbsession, new, chains)
    keys = _key_ids(dbsession, new)
    sets = _set_ids(dbsession, new)
    _insert(dbsession, CertificateSigned, [_certificate_row(item, keys, sets, renewal) for item in new])
    cert_ids = {fp: row.id for fp, row in _lookup(
        dbsession, CertificateSigned.fingerprint_sha256, [i.info.fingerprint_sha256 for i in new], CertificateSigned.id
    ).items()}  # fmt: skip
    _insert(dbsession, CertificateSignedChain, [
        {"certificate_signed_id": cert_ids[i.info.fingerprint_sha256], "certificate_ca_chain_id": chains.get(i.chain_pem).chain_id,
         "is_upstream_default": True}
        for i in new if i.chain_pem
    ])  # fmt: skip
    event = log_operation(
        dbsession,
        "CertificateSigned__import_certbot",
        {"imported": len(new), "already_present": len(old)},
    )
    _insert(dbsession, OperationsObjectEvent, [
        {"operations_event_id": event.id, "object_type": "CertificateSigned", "object_id": cert_id, "event_status": "insert"}
        for cert_id in sorted(cert_ids.values())
    ])  # fmt: skip
    return new, old


def _certificate_row(item: Parsed, keys: dict, sets: dict, renewal: RenewalPolicy) -> dict:
    info = item.info
    key_id, compromised = keys[item.key_spki_sha256]
    return {
        "cert_pem": item.cert_pem, "fingerprint_sha1": info.fingerprint_sha1,
        "fingerprint_sha256": info.fingerprint_sha256, "spki_sha256": info.spki_sha256,
        "serial": info.serial_hex, "cert_subject": info.subject, "cert_issuer": info.issuer,
        "authority_key_identifier": info.authority_key_identifier, "ari_identifier": info.ari_identifier,
        "key_technology": key_technology_or_none(info.key_technology, info.key_bits, info.key_curve),
        "timestamp_not_before": info.not_before, "timestamp_not_after": info.not_after,
        "is_single_domain": len(item.names) == 1, "is_active": True, "is_deactivated": False,
        "is_revoked": False, "is_compromised_private_key": compromised, "source": CertificateSource.IMPORTED,
        "private_key_id": key_id, "unique_fqdn_set_id": sets[tuple(item.names)],
        "timestamp_renew_after": renewal.renew_after(info.not_before, info.not_after),
    }  # fmt: skip


def write_one_by_one(
    dbsession: Session, items: list[Parsed], summary: ImportSummary, renewal: RenewalPolicy = DEFAULT_RENEWAL
) -> None:
    """The slow, race-safe path: the upload route's import, certificate by certificate."""
    for item in items:
        try:
            result = import_certificate_signed(
                dbsession, item.cert_pem, item.key_pem, item.chain_pem, refresh_recents=False, renewal=renewal
            )
        except InvalidRequest as exc:
            summary.failed.append({"label": item.label, "error": exc.message})
            continue
        (summary.imported if result.created else summary.already_present).append(item.label)


STATISTICS_TABLES = (
    "certificate_signed",
    "private_key",
    "domain",
    "unique_fqdn_set",
    "unique_fqdn_set_2_domain",
)


def refresh_statistics(dbsession: Session) -> None:
    """ANALYZE the tables a bulk load grew: without statistics SQLite plans update_recents as a
    scan of every certificate per domain (minutes for 10,000 certificates instead of 0.3 s)."""
    for table in STATISTICS_TABLES:
        dbsession.execute(sa.text(f"ANALYZE {table}"))


# ---- the whole import ----------------------------------------------------------------------


def import_accounts(
    dbsession: Session, accounts: list[AccountFiles], summary: ImportSummary
) -> None:
    for account in accounts:
        try:
            texts = [(account.directory / name) for name in ACCOUNT_FILES]
            key_json, regr_json = texts[0].read_text(), texts[1].read_text()
            meta_json = texts[2].read_text() if texts[2].exists() else None
            with dbsession.begin_nested():
                _row, created = import_certbot_account(
                    dbsession, key_json, regr_json, meta_json, account.server
                )
        except (OSError, InvalidRequest) as exc:
            message = exc.message if isinstance(exc, InvalidRequest) else str(exc)
            if isinstance(exc, InvalidRequest) and exc.form_errors:
                message += ": " + "; ".join(exc.form_errors.values())
            summary.accounts_failed.append({"label": account.label, "error": message})
            continue
        (summary.accounts_imported if created else summary.accounts_already_present).append(
            account.label
        )


def _store_batch(
    dbsession: Session, parsed: list[Parsed], chains: ChainChecker, summary: ImportSummary, commit,
    renewal: RenewalPolicy,
) -> None:
    """Bulk-insert one batch; if another writer got there first, redo it one by one."""
    try:
        new, old = write_batch(dbsession, parsed, chains, renewal)
        commit()
    except IntegrityError:
        log.info("a batch collided with another writer: importing it one by one")
        dbsession.rollback()
        for chain in chains.chains.values():
            chain.chain_id = None  # may have been rolled back with the batch
        write_one_by_one(dbsession, parsed, summary, renewal)
        commit()
        return
    summary.imported.extend(p.label for p in new)
    summary.already_present.extend(p.label for p in old)


def import_tree(
    dbsession: Session,
    path: str | Path,
    *,
    commit: Callable[[], None] = lambda: None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
    renewal: RenewalPolicy = DEFAULT_RENEWAL,
) -> ImportSummary:
    """Import every certificate and account of a certbot tree; ``commit`` ends each batch.

    Raises ``TreeError`` when ``path`` holds nothing certbot-like.
    """
    path = Path(path).expanduser()
    if not path.is_dir():
        raise TreeError(f"{str(path)!r} is not a directory")
    started = time.perf_counter()
    certificates, accounts = find_certificates(path), find_accounts(path)
    if not certificates and not accounts:
        raise TreeError(f"{str(path)!r} holds no certbot archive/, live/ or accounts/ tree")
    summary = ImportSummary()
    import_accounts(dbsession, accounts, summary)
    commit()
    chains, seen = ChainChecker(), set()
    for start in range(0, len(certificates), batch_size):
        parsed, failed = parse_batch(certificates[start : start + batch_size], chains)
        summary.failed.extend(failed)
        # live copies of archived files (not links) come up twice: keep the first
        parsed = [p for p in parsed if p.info.fingerprint_sha256 not in seen]
        seen.update(p.info.fingerprint_sha256 for p in parsed)
        _store_batch(dbsession, parsed, chains, summary, commit, renewal)
        if progress is not None:
            progress(min(start + batch_size, len(certificates)), len(certificates))
    refresh_statistics(dbsession)
    update_recents(dbsession)
    summary.seconds = time.perf_counter() - started
    log_operation(dbsession, "CertbotTree__import", {
        "path": str(path), **{k: v for k, v in summary.as_json().items() if not k.endswith("failures")},
    })  # fmt: skip
    commit()
    return summary


__all__ = [
    "ImportSummary",
    "TreeError",
    "find_accounts",
    "find_certificates",
    "import_tree",
    "key_identity",
]
