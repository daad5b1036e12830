"""Import a certbot configuration tree (``/etc/letsencrypt``) straight from disk, in bulk.

``archive/NAME/{cert,chain,privkey}N.pem`` gives every version of every lineage; ``live/NAME``
directories whose files are not links into the archive are imported too; ``accounts/SERVER/
HASH/`` holds certbot's accounts. The path may also be one of those directories, or a single
lineage directory.

The upload route checks one certificate in a dozen statements; this module makes 10,000
certificates a matter of seconds:

- files are read as bytes, each PEM decoded once; certificates are parsed in batches by the
  ``cert_utils`` backend. A key is matched to its certificate by its public part, derived
  from the key's DER without loading it (the usual EC key layouts are recognised by their
  fixed bytes). The full RSA key validation (prime tests, ~50 ms a key) is skipped: the tree
  is the operator's own disk, and the key's modulus must still factor as p * q and equal the
  certificate's;
- each distinct chain is verified (signatures) once, with the first certificate that uses
  it; the others are matched to it by issuer name and key identifier (a mismatch falls back
  to the full check);
- rows are written with plain DBAPI ``executemany`` (the column types' own bind processors,
  no per-row statement compilation) and ids are read back with plain ``IN`` lookups, one
  transaction per batch (``commit`` is called after each). A batch that collides with a
  concurrent writer (IntegrityError) is rolled back and redone one certificate at a time by
  ``import_certificate_signed``;
- on SQLite the import's connection gets a larger page cache and defers WAL checkpoints
  to the last commit (``SqliteTuning``); statistics and recents are refreshed once at the end.
"""

from __future__ import annotations

import contextlib
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
from .cert_utils import asn1, inputs, pem, x509_der
from .cert_utils.config import backend as crypto_backend
from .cert_utils.pem import Block
from .db.acme_accounts import import_certbot_account
from .db.certificate_cas import import_certificate_ca_chain
from .db.certificates import (
    DEFAULT_RENEWAL,
    RenewalPolicy,
    certificate_domain_names,
    import_certificate_signed,
)
from .db.common import log_operation
from .db.crypto_input import key_technology_or_none
from .db.private_keys import md5_hex
from .db.recents import update_recents
from .errors import InvalidRequest, PeterSSLersError

log = logging.getLogger(__name__)

BATCH_SIZE = 500
IN_CHUNK = 500  # bound parameters per IN (...) lookup
READ_SIZE = 65536
SQLITE_CACHE_KIB = 65536  # page cache of the import's connection (the default is 2 MB)
SQLITE_AUTOCHECKPOINT_PAGES = 262144  # ~1 GB of WAL: no checkpoint before the last commit
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
        int(m.group(1))
        for m in map(_VERSIONED_CERT.match, [n for n in os.listdir(directory) if n[:4] == "cert"])
        if m
    )
    return [
        CertFiles(f"{name} version {n}", f"{directory}/cert{n}.pem", f"{directory}/privkey{n}.pem",
                  f"{directory}/chain{n}.pem")
        for n in versions
    ]  # fmt: skip


def _plain_lineage(directory: str) -> CertFiles:
    return CertFiles(os.path.basename(directory), f"{directory}/cert.pem", f"{directory}/privkey.pem",
                     f"{directory}/chain.pem")  # fmt: skip


def _live_copy(item: CertFiles, archived: set[str]) -> bool:
    """True when a live/ lineage's cert.pem exists and is not a link to an archived file (the
    link is read, not resolved: certbot writes ../../archive/NAME/certN.pem)."""
    try:
        target = os.readlink(item.cert)
    except FileNotFoundError:
        return False
    except OSError:  # not a link: a copy (de-duplicated later, by fingerprint)
        return os.path.exists(item.cert)
    resolved = os.path.normpath(os.path.join(os.path.dirname(item.cert), target))
    return resolved not in archived and os.path.exists(item.cert)


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
            found.extend(_archive_lineage(f"{archive}/{lineage}"))
    if live is not None and os.path.isdir(live):
        archived = {item.cert for item in found}
        for lineage in _subdirectories(live):
            item = _plain_lineage(f"{live}/{lineage}")
            if _live_copy(item, archived):
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


def _read_bytes(path: str) -> bytes:
    # os.open/os.read: half the cost of open().read() for small files (no file object)
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, READ_SIZE)
        if len(data) == READ_SIZE:
            chunks = [data]
            while chunk := os.read(fd, READ_SIZE):
                chunks.append(chunk)
            data = b"".join(chunks)
        return data
    finally:
        os.close(fd)


def _read(path: str) -> str:
    try:
        data = _read_bytes(path)
    except FileNotFoundError:
        raise ItemError(f"{os.path.basename(path)} is missing") from None
    except OSError as exc:
        raise ItemError(f"{os.path.basename(path)} cannot be read: {exc}") from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ItemError(f"{os.path.basename(path)} cannot be read: {exc}") from None
    if "\r" in text:  # what a text-mode read (universal newlines) would give
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


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


@dataclasses.dataclass(frozen=True)
class _EcLayout:
    """One EC private key encoding whose bytes are fixed but for the scalar and the point."""

    prefix: bytes  # everything before the private scalar
    scalar_end: int
    middle: bytes  # between the scalar and the public point (its BIT STRING headers)
    point_at: int
    spki_prefix: bytes  # the SubjectPublicKeyInfo up to the point
    technology: KeyTechnology

    def spki(self, der: bytes) -> bytes | None:
        if der.startswith(self.prefix) and der[self.scalar_end : self.point_at] == self.middle:
            return self.spki_prefix + der[self.point_at :]
        return None


def _ec_layouts() -> dict[tuple[str, int], list[_EcLayout]]:
    """{(PEM label, DER length): layouts} for P-256 and P-384 keys as OpenSSL, cryptography and
    certbot write them: PKCS#8 (with or without the curve repeated inside) and SEC1."""
    layouts: dict[tuple[str, int], list[_EcLayout]] = {}
    for curve_name in ("P-256", "P-384"):
        oid = x509_der.CURVE_OIDS[curve_name]
        _name, bits, size = x509_der.CURVES[oid]
        scalar, point = bytes(range(1, size + 1)), b"\x04" + bytes(range(100, 100 + 2 * size))
        curve = asn1.encode_oid(oid)
        public = asn1.context(1, asn1.bit_string(point))
        algorithm = asn1.sequence(asn1.encode_oid(x509_der.OID_EC), curve)
        with_curve = asn1.sequence(
            asn1.integer(1), asn1.octet_string(scalar), asn1.context(0, curve), public
        )
        without_curve = asn1.sequence(asn1.integer(1), asn1.octet_string(scalar), public)
        spki = asn1.sequence(algorithm, asn1.bit_string(point))
        technology = key_technology_or_none("EC", bits, curve_name)
        for label, der in (
            ("EC PRIVATE KEY", with_curve),
            (
                "PRIVATE KEY",
                asn1.sequence(asn1.integer(0), algorithm, asn1.octet_string(without_curve)),
            ),
            (
                "PRIVATE KEY",
                asn1.sequence(asn1.integer(0), algorithm, asn1.octet_string(with_curve)),
            ),
        ):
            at, point_at = der.index(scalar), len(der) - len(point)
            layout = _EcLayout(der[:at], at + size, der[at + size : point_at], point_at,
                               spki[: -len(point)], technology)  # fmt: skip
            layouts.setdefault((label, len(der)), []).append(layout)
    return layouts


_EC_LAYOUTS = _ec_layouts()


def key_identity(key_pem: str) -> tuple[str, KeyTechnology]:
    """(SPKI SHA-256, KeyTechnology) of a private key, without loading it into a crypto library."""
    try:
        blocks = pem.decode_blocks(key_pem, "private key input")
        if len(blocks) == 1 and blocks[0].label in inputs.KEY_LABELS:
            block = blocks[0]
            for layout in _EC_LAYOUTS.get((block.label, len(block.der)), ()):
                spki = layout.spki(block.der)
                if spki is not None:
                    return hashlib.sha256(spki).hexdigest(), layout.technology
            technology, bits, curve = x509_der.private_key_summary(block.label, block.der)
        else:
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
    cert_block: Block | None = None
    key_text: str = ""
    chain_text: str | None = None
    error: str | None = None


def _load(files: CertFiles) -> _Files:
    loaded = _Files(files)
    try:
        cert_text, loaded.key_text = _read(files.cert), _read(files.privkey)
        try:
            loaded.chain_text = _read(files.chain)
        except ItemError:
            if os.path.exists(files.chain):
                raise
        blocks = inputs.load_bundle(cert_text)  # decoded once: the batch parse reuses the DER
        if len(blocks) != 1:
            raise ItemError(
                f"{os.path.basename(files.cert)} holds {len(blocks)} certificates, expected 1"
            )
        loaded.cert_block, loaded.cert_pem = blocks[0], blocks[0].pem
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
    """Parse the batch's certificates in one backend call (blocks already decoded and checked by
    ``inputs.load_bundle``); on any bad one, leave each to its own parse."""
    usable = [item.cert_block for item in loaded if not item.error]
    try:
        infos = iter(crypto_backend().parse_certs(usable) if usable else [])
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


_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # positional; psycopg takes %s
_DEFAULT_UNSUPPORTED = object()


class _Statements:
    """Plain DBAPI statements on the session's connection, for the bulk writes.

    SQLAlchemy's executemany compiles and processes every row's parameters (~25 us a row);
    here each statement is a string made once, the column types' own bind processors run
    only for the columns that have one (constant columns once per call), and Python-side
    column defaults are evaluated once per call. Dialects with another parameter style use
    plain Core statements.
    """

    def __init__(self, dbsession: Session):
        self.connection = dbsession.connection()
        self.dialect = self.connection.dialect
        self.mark = _MARKS.get(self.dialect.paramstyle)
        self.quote = self.dialect.identifier_preparer.quote

    def _processor(self, column: sa.Column):
        return column.type.dialect_impl(self.dialect).bind_processor(self.dialect)

    def _value(self, column: sa.Column, value):
        processor = self._processor(column)
        return processor(value) if processor is not None else value

    @staticmethod
    def _default(column: sa.Column):
        default = column.default
        if default.is_scalar:
            return default.arg
        if default.is_callable:  # SQLAlchemy wraps a no-argument callable to take a context
            return default.arg(None)
        return _DEFAULT_UNSUPPORTED

    def insert(
        self, model, columns: tuple[str, ...], rows: list[tuple], constants: dict | None = None
    ) -> None:
        """INSERT ``rows`` (tuples in ``columns`` order), each with the ``constants`` too."""
        if not rows:
            return
        table: sa.Table = model.__table__
        constants = dict(constants or {})
        for column in table.columns:
            if (
                column.key not in columns
                and column.key not in constants
                and column.default is not None
            ):
                constants[column.key] = self._default(column)
        if self.mark is None or _DEFAULT_UNSUPPORTED in constants.values():
            self.connection.execute(
                sa.insert(table),
                [{**dict(zip(columns, row, strict=True)), **constants} for row in rows],
            )
            return
        tail = tuple(self._value(table.c[key], value) for key, value in constants.items())
        processors = [
            (index, processor)
            for index, key in enumerate(columns)
            if (processor := self._processor(table.c[key])) is not None
        ]
        if processors:
            parameters = []
            for row in rows:
                values = list(row)
                for index, processor in processors:
                    values[index] = processor(values[index])
                parameters.append((*values, *tail))
        else:
            parameters = [(*row, *tail) for row in rows] if tail else rows
        names = ", ".join(self.quote(name) for name in (*columns, *constants))
        marks = ", ".join([self.mark] * (len(columns) + len(constants)))
        table_name = self.dialect.identifier_preparer.format_table(table)
        self.connection.exec_driver_sql(
            f"INSERT INTO {table_name} ({names}) VALUES ({marks})", parameters
        )

    def lookup(self, model, key: str, values: Iterable, *columns: str) -> dict:
        """{key: (columns...)} for the rows whose ``key`` is in ``values`` (chunked IN lists);
        values come back as the driver gives them (SQLite: booleans as 0/1)."""
        table: sa.Table = model.__table__
        found = {}
        wanted = sorted(set(values))
        if self.mark is None:
            selected = [table.c[name] for name in columns]
            for chunk in _chunks(wanted):
                statement = sa.select(table.c[key], *selected).where(table.c[key].in_(chunk))
                for row in self.connection.execute(statement):
                    found[row[0]] = tuple(row[1:])
            return found
        names = ", ".join(self.quote(name) for name in (key, *columns))
        table_name = self.dialect.identifier_preparer.format_table(table)
        for chunk in _chunks(wanted):
            marks = ", ".join([self.mark] * len(chunk))
            sql = f"SELECT {names} FROM {table_name} WHERE {self.quote(key)} IN ({marks})"
            for row in self.connection.exec_driver_sql(sql, tuple(chunk)):
                found[row[0]] = tuple(row[1:])
        return found


def _ensure_chains(dbsession: Session, items: list[Parsed], chains: ChainChecker) -> None:
    """Store the chains this batch needs (committed with the batch; few and de-duplicated)."""
    for item in items:
        if item.chain_pem:
            chain = chains.get(item.chain_pem)
            if chain.chain_id is None:
                chain.chain_id = import_certificate_ca_chain(dbsession, "".join(chain.pems))[0].id


def _key_ids(db: _Statements, items: list[Parsed]) -> dict[str, tuple[int, bool]]:
    spkis = {item.key_spki_sha256: item for item in items}
    found = db.lookup(PrivateKey, "spki_sha256", spkis, "id", "is_compromised")
    new = [
        (item.key_pem, md5_hex(item.key_pem), spki, item.key_technology)
        for spki, item in spkis.items() if spki not in found
    ]  # fmt: skip
    db.insert(PrivateKey, ("key_pem", "key_pem_md5", "spki_sha256", "key_technology"), new,
              {"source": PrivateKeySource.IMPORTED})  # fmt: skip
    if new:
        found.update(
            db.lookup(PrivateKey, "spki_sha256", [row[2] for row in new], "id", "is_compromised")
        )
    return {spki: (row[0], bool(row[1])) for spki, row in found.items()}


def _set_ids(db: _Statements, items: list[Parsed]) -> dict[tuple[str, ...], int]:
    names = {name for item in items for name in item.names}
    domain_ids = {
        name: row[0] for name, row in db.lookup(Domain, "domain_name", names, "id").items()
    }
    new_names = sorted(names - set(domain_ids))
    db.insert(Domain, ("domain_name",), [(name,) for name in new_names])
    if new_names:
        domain_ids.update(
            (n, row[0]) for n, row in db.lookup(Domain, "domain_name", new_names, "id").items()
        )
    wanted = {
        tuple(i.names): ",".join(map(str, sorted(domain_ids[n] for n in i.names))) for i in items
    }
    keys = set(wanted.values())
    set_ids = {
        k: row[0] for k, row in db.lookup(UniqueFQDNSet, "domain_ids_string", keys, "id").items()
    }
    new_keys = sorted(keys - set(set_ids))
    db.insert(UniqueFQDNSet, ("domain_ids_string", "count_domains"),
              [(k, k.count(",") + 1) for k in new_keys])  # fmt: skip
    if new_keys:
        set_ids.update(
            (k, row[0])
            for k, row in db.lookup(UniqueFQDNSet, "domain_ids_string", new_keys, "id").items()
        )
    db.insert(UniqueFQDNSet2Domain, ("unique_fqdn_set_id", "domain_id"),
              [(set_ids[k], int(d)) for k in new_keys for d in k.split(",")])  # fmt: skip
    return {set_names: set_ids[key] for set_names, key in wanted.items()}


def write_batch(
    dbsession: Session,
    items: list[Parsed],
    chains: ChainChecker,
    renewal: RenewalPolicy = DEFAULT_RENEWAL,
) -> tuple[list[Parsed], list[Parsed]]:
    """Insert the new certificates of ``items``; returns (imported, already present)."""
    db = _Statements(dbsession)
    by_fingerprint = {item.info.fingerprint_sha256: item for item in items}
    present = db.lookup(CertificateSigned, "fingerprint_sha256", by_fingerprint)
    new = [item for fp, item in by_fingerprint.items() if fp not in present]
    old = [item for fp, item in by_fingerprint.items() if fp in present]
    if not new:
        return [], old
    _ensure_chains(dbsession, new, chains)
    keys = _key_ids(db, new)
    sets = _set_ids(db, new)
    db.insert(CertificateSigned, CERTIFICATE_COLUMNS,
              [_certificate_row(item, keys, sets, renewal) for item in new], CERTIFICATE_CONSTANTS)  # fmt: skip
    cert_ids = {fp: row[0] for fp, row in db.lookup(
        CertificateSigned, "fingerprint_sha256", [i.info.fingerprint_sha256 for i in new], "id"
    ).items()}  # fmt: skip
    db.insert(CertificateSignedChain, ("certificate_signed_id", "certificate_ca_chain_id"), [
        (cert_ids[i.info.fingerprint_sha256], chains.get(i.chain_pem).chain_id) for i in new if i.chain_pem
    ], {"is_upstream_default": True})  # fmt: skip
    event = log_operation(
        dbsession,
        "CertificateSigned__import_certbot",
        {"imported": len(new), "already_present": len(old)},
    )
    db.insert(OperationsObjectEvent, ("object_id",), [(cert_id,) for cert_id in sorted(cert_ids.values())], {
        "operations_event_id": event.id, "object_type": "CertificateSigned", "event_status": "insert",
    })  # fmt: skip
    return new, old


CERTIFICATE_COLUMNS = (
    "cert_pem", "fingerprint_sha1", "fingerprint_sha256", "spki_sha256", "serial", "cert_subject",
    "cert_issuer", "authority_key_identifier", "ari_identifier", "key_technology",
    "timestamp_not_before", "timestamp_not_after", "is_single_domain", "is_compromised_private_key",
    "private_key_id", "unique_fqdn_set_id", "timestamp_renew_after",
)  # fmt: skip
CERTIFICATE_CONSTANTS = {
    "is_active": True, "is_deactivated": False, "is_revoked": False, "source": CertificateSource.IMPORTED,
}  # fmt: skip


def _certificate_row(item: Parsed, keys: dict, sets: dict, renewal: RenewalPolicy) -> tuple:
    info = item.info
    key_id, compromised = keys[item.key_spki_sha256]
    return (
        item.cert_pem, info.fingerprint_sha1, info.fingerprint_sha256, info.spki_sha256,
        info.serial_hex, info.subject, info.issuer, info.authority_key_identifier, info.ari_identifier,
        key_technology_or_none(info.key_technology, info.key_bits, info.key_curve),
        info.not_before, info.not_after, len(item.names) == 1, compromised, key_id,
        sets[tuple(item.names)], renewal.renew_after(info.not_before, info.not_after),
    )  # fmt: skip


def write_one_by_one(
    dbsession: Session,
    items: list[Parsed],
    summary: ImportSummary,
    renewal: RenewalPolicy = DEFAULT_RENEWAL,
) -> None:
    """The slow, race-safe path: the upload route's import, certificate by certificate."""
    for item in items:
        try:
            result = import_certificate_signed(
                dbsession,
                item.cert_pem,
                item.key_pem,
                item.chain_pem,
                refresh_recents=False,
                renewal=renewal,
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


class SqliteTuning:
    """On SQLite, a larger page cache and deferred WAL checkpoints for the import's transactions.

    Both are per-connection settings that do not touch durability or what other connections
    see: 20 batches of random-keyed index inserts (fingerprints, SPKI hashes) otherwise spill
    the default 2 MB cache and checkpoint the same hot index pages into the database file every
    ~4 MB of WAL. ``apply`` runs in each batch's transaction (a commit may hand the session
    another pooled connection); ``restore`` puts the connection's own values back in the last
    transaction, whose commit then checkpoints the whole WAL once, as SQLite does by itself.
    """

    SETTINGS = (
        ("cache_size", -SQLITE_CACHE_KIB),
        ("wal_autocheckpoint", SQLITE_AUTOCHECKPOINT_PAGES),
    )

    def __init__(self, dbsession: Session):
        self.dbsession = dbsession
        self.enabled = dbsession.get_bind().dialect.name == "sqlite"
        self.saved: dict[str, int] = {}

    def apply(self) -> None:
        if not self.enabled:
            return
        connection = self.dbsession.connection()
        for name, value in self.SETTINGS:
            current = connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            self.saved.setdefault(name, current)
            if current != value and self._larger(connection, name, value, current):
                connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}")

    @staticmethod
    def _larger(connection, name: str, value: int, current: int) -> bool:
        if name != "cache_size":
            return current > 0 and value > current  # 0 or less: checkpoints are already off
        page_size = connection.exec_driver_sql("PRAGMA page_size").scalar()
        in_kib = lambda size: -size if size < 0 else size * page_size // 1024  # noqa: E731
        return in_kib(value) > in_kib(current)

    def restore(self) -> None:
        if not self.enabled or not self.saved:
            return
        connection = self.dbsession.connection()
        for name, value in self.saved.items():
            connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}")


def _store_batch(
    dbsession: Session,
    parsed: list[Parsed],
    chains: ChainChecker,
    summary: ImportSummary,
    commit,
    renewal: RenewalPolicy,
    tuning: SqliteTuning | None = None,
) -> None:
    """Bulk-insert one batch; if another writer got there first, redo it one by one."""
    try:
        if tuning is not None:
            tuning.apply()
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
    chains, seen, tuning = ChainChecker(), set(), SqliteTuning(dbsession)
    try:
        for start in range(0, len(certificates), batch_size):
            parsed, failed = parse_batch(certificates[start : start + batch_size], chains)
            summary.failed.extend(failed)
            # live copies of archived files (not links) come up twice: keep the first
            parsed = [p for p in parsed if p.info.fingerprint_sha256 not in seen]
            seen.update(p.info.fingerprint_sha256 for p in parsed)
            _store_batch(dbsession, parsed, chains, summary, commit, renewal, tuning)
            if progress is not None:
                progress(min(start + batch_size, len(certificates)), len(certificates))
    except BaseException:
        with contextlib.suppress(Exception):  # best effort: the transaction may be unusable
            tuning.restore()
        raise
    tuning.restore()
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
