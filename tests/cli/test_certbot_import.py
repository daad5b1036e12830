"""The bulk certbot import's shortcuts give the same answers as the careful paths."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peter_sslers.lib import cert_utils, certbot_import
from peter_sslers.lib.cert_utils import asn1, x509_der
from peter_sslers.lib.cert_utils.pem import der_to_pem
from peter_sslers.model import CertificateSigned, Domain, get_engine, writer_bind
from peter_sslers.model.enums import KeyTechnology
from peter_sslers.scripts.initializedb import initialize
from tests.conftest import TEST_INI, settings_for

TRADITIONAL = serialization.PrivateFormat.TraditionalOpenSSL
PKCS8 = serialization.PrivateFormat.PKCS8


def pem(key, private_format) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(65537, 2048)


@pytest.mark.parametrize(
    ("make", "technology"),
    [
        (lambda rsa_key: pem(rsa_key, TRADITIONAL), KeyTechnology.RSA_2048),  # RSA PRIVATE KEY
        (lambda rsa_key: pem(rsa_key, PKCS8), KeyTechnology.RSA_2048),
        (
            lambda _: pem(ec.generate_private_key(ec.SECP256R1()), TRADITIONAL),
            KeyTechnology.EC_P256,
        ),
        (lambda _: pem(ec.generate_private_key(ec.SECP384R1()), PKCS8), KeyTechnology.EC_P384),
    ],
)
def test_key_identity_matches_the_crypto_backend(rsa_key, make, technology):
    key_pem = make(rsa_key)
    assert certbot_import.key_identity(key_pem) == (
        cert_utils.parse_key(key_pem).spki_sha256,
        technology,
    )


def test_ec_key_without_its_public_point_falls_back_to_the_backend():
    key = ec.generate_private_key(ec.SECP256R1())
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    curve = asn1.encode_oid(x509_der.CURVE_OIDS["P-256"])
    der = asn1.sequence(asn1.integer(1), asn1.octet_string(scalar), asn1.context(0, curve))
    key_pem = der_to_pem(der, "EC PRIVATE KEY")
    assert (
        certbot_import.key_identity(key_pem)[0] == cert_utils.parse_key(pem(key, PKCS8)).spki_sha256
    )


def test_unusable_keys_are_refused():
    with pytest.raises(certbot_import.ItemError, match="unsupported key"):
        certbot_import.key_identity(pem(ed25519.Ed25519PrivateKey.generate(), PKCS8))
    with pytest.raises(certbot_import.ItemError, match="invalid private key"):
        certbot_import.key_identity(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        )


def test_a_batch_that_collides_is_redone_one_by_one(make_database_url, letsencrypt, monkeypatch):
    settings = settings_for(make_database_url("collide"))
    initialize(TEST_INI, settings)
    engine = get_engine(settings)

    def collide(*_args):
        raise IntegrityError("INSERT", {}, Exception("another writer was first"))

    monkeypatch.setattr(certbot_import, "write_batch", collide)
    with Session(bind=writer_bind(engine), expire_on_commit=False) as session:
        summary = certbot_import.import_tree(session, letsencrypt.archive, commit=session.commit)
        assert (len(summary.imported), len(summary.failed)) == (3, 0)
        assert (
            session.execute(sa.select(sa.func.count()).select_from(CertificateSigned)).scalar_one()
            == 3
        )
        latest = session.execute(
            sa.select(Domain.certificate_signed_id__latest_multi).where(
                Domain.domain_name == "example.com"
            )
        ).scalar_one()
        assert latest is not None
    engine.dispose()


# ---- the EC key layouts read without parsing --------------------------------------------------


def _sec1_der(key, curve_oid: str, *, with_curve: bool) -> bytes:
    numbers = key.private_numbers()
    size = (key.curve.key_size + 7) // 8
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    parts = [asn1.integer(1), asn1.octet_string(numbers.private_value.to_bytes(size, "big"))]
    if with_curve:
        parts.append(asn1.context(0, asn1.encode_oid(curve_oid)))
    parts.append(asn1.context(1, asn1.bit_string(point)))
    return asn1.sequence(*parts)


def _pkcs8_der(key, curve_oid: str, *, inner_curve: bool) -> bytes:
    algorithm = asn1.sequence(asn1.encode_oid(x509_der.OID_EC), asn1.encode_oid(curve_oid))
    inner = _sec1_der(key, curve_oid, with_curve=inner_curve)
    return asn1.sequence(asn1.integer(0), algorithm, asn1.octet_string(inner))


@pytest.mark.parametrize(("curve", "name"), [(ec.SECP256R1, "P-256"), (ec.SECP384R1, "P-384")])
@pytest.mark.parametrize("layout", ["sec1", "pkcs8", "pkcs8 with the curve inside"])
def test_common_ec_layouts_skip_the_parser(monkeypatch, curve, name, layout):
    key = ec.generate_private_key(curve())
    oid = x509_der.CURVE_OIDS[name]
    if layout == "sec1":
        key_pem = der_to_pem(_sec1_der(key, oid, with_curve=True), "EC PRIVATE KEY")
    else:
        der = _pkcs8_der(key, oid, inner_curve=layout != "pkcs8")
        key_pem = der_to_pem(der, "PRIVATE KEY")
    expected = certbot_import.key_identity(key_pem)
    assert expected[0] == cert_utils.parse_key(pem(key, PKCS8)).spki_sha256

    def parsed(*_args):
        raise AssertionError("the layout should have been recognised")

    monkeypatch.setattr(x509_der, "private_key_summary", parsed)
    assert certbot_import.key_identity(key_pem) == expected


def test_a_key_off_the_common_layouts_is_parsed(monkeypatch):
    key = ec.generate_private_key(ec.SECP256R1())
    der = bytearray(_pkcs8_der(key, x509_der.CURVE_OIDS["P-256"], inner_curve=False))
    # a version 2 inner structure is no layout of ours: the parser decides (and accepts it)
    at = der.index(bytes([0x02, 0x01, 0x01, 0x04, 0x20]))
    der[at + 2] = 2
    calls = []
    real = x509_der.private_key_summary
    monkeypatch.setattr(
        x509_der, "private_key_summary", lambda *args: calls.append(args) or real(*args)
    )
    with pytest.raises(certbot_import.ItemError, match="invalid private key"):
        certbot_import.key_identity(der_to_pem(bytes(der), "PRIVATE KEY"))
    assert calls


# ---- the bulk path writes what the careful path writes ------------------------------------------


def _put(path, data: bytes | str, crlf: bool = False) -> None:
    text = data.decode("ascii") if isinstance(data, bytes) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode("ascii"))


@pytest.fixture(scope="module")
def tricky_material():
    """Lineages that exercise every shortcut: {name: [(files, crlf)]} plus the PKI."""
    from tests import pki

    ca = pki.make_pki()
    shared, rsa_2048, sec1, p384 = (
        pki.ec_key(),
        pki.rsa_key(),
        pki.ec_key(),
        ec.generate_private_key(ec.SECP384R1()),
    )
    chain, alternate = ca.intermediate.pem, ca.intermediate_b.pem + ca.root_b.pem

    def version(names, key, key_format=PKCS8, chain_pem=chain, crlf=False, **leaf):
        leaf = pki.make_leaf(names, ca.intermediate, key=key, **leaf)
        return {"cert": leaf.pem, "privkey": pem(key, key_format), "chain": chain_pem}, crlf

    lineages = {
        # renewed with --reuse-key: one key for two certificates
        "a.example": [version(["a.example", "www.a.example"], shared),
                      version(["a.example", "www.a.example"], shared)],
        "b.example": [version(["b.example"], rsa_2048, TRADITIONAL)],  # RSA PRIVATE KEY
        "c.example": [version(["c.example", "a.example"], sec1, TRADITIONAL)],  # EC PRIVATE KEY
        "d.example": [version(["D.Example", "*.d.example"], p384)],  # names normalised
        "e.example": [version(["www.a.example", "a.example"], shared)],  # a.example's set again
        "f.example": [version(["f.example"], pki.ec_key(), chain_pem=alternate)],  # second chain
        "crlf.example": [version(["crlf.example"], pki.ec_key(), crlf=True)],
        "no-chain.example": [version(["no-chain.example"], pki.ec_key(), chain_pem=None)],
        "mismatch.example": [version(["mismatch.example"], pki.ec_key())],
        "not-a-cert.example": [version(["not-a-cert.example"], pki.ec_key())],
        "bad-chain.example": [version(["bad-chain.example"], pki.ec_key(), chain_pem=ca.root_b.pem)],
    }  # fmt: skip
    lineages["mismatch.example"][0][0]["privkey"] = pem(pki.ec_key(), PKCS8)
    lineages["not-a-cert.example"][0][0]["cert"] = "not a certificate\n"
    ca_files = {
        "cert": ca.intermediate.pem,
        "privkey": pem(ca.intermediate.key, PKCS8),
        "chain": ca.root.pem,
    }
    lineages["ca.example"] = [(ca_files, False)]
    live_only = version(["live-only.example"], pki.ec_key())[0]
    return {"lineages": lineages, "live_only": live_only, "sec1": pem(sec1, PKCS8)}


def write_tricky_tree(root, material) -> None:
    for name, versions in material["lineages"].items():
        for number, (files, crlf) in enumerate(versions, start=1):
            for kind, data in files.items():
                if data is not None:
                    _put(root / "archive" / name / f"{kind}{number}.pem", data, crlf)
        live = root / "live" / name
        live.mkdir(parents=True)
        for kind in ("cert", "chain", "privkey"):
            (live / f"{kind}.pem").symlink_to(f"../../archive/{name}/{kind}{len(versions)}.pem")
    for kind, data in material["live_only"].items():  # a lineage only in live/, as plain files
        _put(root / "live" / "live-only.example" / f"{kind}.pem", data)
    copy = root / "live" / "b.example"  # a plain copy of an archived version: imported once
    for kind in ("cert", "chain", "privkey"):
        (copy / f"{kind}.pem").unlink()
        _put(copy / f"{kind}.pem", (root / "archive" / "b.example" / f"{kind}1.pem").read_text())


def _state(session: Session) -> dict:
    """Everything the import writes, by natural keys (no ids, no creation times)."""
    from peter_sslers.model import (
        CertificateCAChain,
        CertificateSignedChain,
        PrivateKey,
        UniqueFQDNSet,
        UniqueFQDNSet2Domain,
    )  # fmt: skip

    names = {d.id: d.domain_name for d in session.scalars(sa.select(Domain))}
    sets: dict[int, list[str]] = {}
    for link in session.scalars(sa.select(UniqueFQDNSet2Domain)):
        sets.setdefault(link.unique_fqdn_set_id, []).append(names[link.domain_id])
    set_names = {i: tuple(sorted(v)) for i, v in sets.items()}
    assert len(set_names) == session.scalar(sa.select(sa.func.count()).select_from(UniqueFQDNSet))
    keys = {k.id: k for k in session.scalars(sa.select(PrivateKey))}
    certs = {c.id: c for c in session.scalars(sa.select(CertificateSigned))}
    chains = {c.id: c.chain_pem_sha256 for c in session.scalars(sa.select(CertificateCAChain))}
    skip = {"id", "private_key_id", "unique_fqdn_set_id", "timestamp_created"}
    return {
        "domains": sorted(names.values()),
        "sets": sorted(set_names.values()),
        "keys": sorted(
            (k.spki_sha256, k.key_pem, k.key_pem_md5, k.key_technology, k.source, k.is_compromised)
            for k in keys.values()
        ),
        "certificates": sorted(
            (
                sorted(
                    (col, getattr(c, col)) for col in c.__table__.columns.keys() if col not in skip
                ),
                keys[c.private_key_id].spki_sha256,
                set_names[c.unique_fqdn_set_id],
            )
            for c in certs.values()
        ),
        "chains": sorted(
            (
                certs[link.certificate_signed_id].fingerprint_sha256,
                chains[link.certificate_ca_chain_id],
                link.is_upstream_default,
            )
            for link in session.scalars(sa.select(CertificateSignedChain))
        ),  # fmt: skip
        "latest": sorted(
            (
                d.domain_name,
                d.certificate_signed_id__latest_single is not None,
                d.certificate_signed_id__latest_multi is not None,
            )
            for d in session.scalars(sa.select(Domain))
        ),  # fmt: skip
    }


@pytest.mark.parametrize("path", ["bulk", "core statements", "one by one"])
def test_the_bulk_path_writes_what_the_careful_path_writes(
    make_database_url, tmp_path, tricky_material, monkeypatch, path
):
    from peter_sslers.lib.db.certificates import RenewalPolicy, import_certificate_signed
    from peter_sslers.lib.db.private_keys import import_private_key

    root = tmp_path / "letsencrypt"
    write_tricky_tree(root, tricky_material)
    renewal = RenewalPolicy(0.5, 0.5)
    results = {}
    for run in ("careful", path):
        settings = settings_for(make_database_url(f"tricky-{run}".replace(" ", "-")))
        initialize(TEST_INI, settings)
        engine = get_engine(settings)
        with (
            monkeypatch.context() as patched,
            Session(bind=writer_bind(engine), expire_on_commit=False) as session,
        ):
            # already there: one certificate, and one key (marked compromised)
            b = root / "archive" / "b.example"
            import_certificate_signed(session, (b / "cert1.pem").read_text(), (b / "privkey1.pem").read_text(),
                                      (b / "chain1.pem").read_text(), refresh_recents=False, renewal=renewal)  # fmt: skip
            key, _ = import_private_key(session, tricky_material["sec1"])
            key.is_compromised = True
            session.commit()
            if run == "careful":
                patched.setattr(certbot_import, "write_batch", _collide)
            elif run == "core statements":
                patched.setattr(certbot_import, "_MARKS", {})
            summary = certbot_import.import_tree(
                session, root, commit=session.commit, batch_size=3, renewal=renewal
            )
            results[run] = (summary, _state(session))
        engine.dispose()
    (careful, careful_state), (bulk, bulk_state) = results["careful"], results[path]
    assert (bulk.imported, bulk.already_present, bulk.failed) == (
        careful.imported, careful.already_present, careful.failed,
    )  # fmt: skip
    assert bulk_state == careful_state
    assert len(bulk.imported) == 9 and bulk.already_present == ["b.example version 1"]
    errors = {f["label"]: f["error"] for f in bulk.failed}
    assert set(errors) == {
        "mismatch.example version 1", "not-a-cert.example version 1", "bad-chain.example version 1",
        "ca.example version 1",
    }  # fmt: skip
    assert "does not match" in errors["mismatch.example version 1"]
    assert "does not sign" in errors["bad-chain.example version 1"]
    assert "CA certificate" in errors["ca.example version 1"]
    state = bulk_state
    assert "d.example" in state["domains"] and "*.d.example" in state["domains"]
    assert ("a.example", "www.a.example") in state["sets"]
    assert len(state["keys"]) == 8  # 10 certificates: a.example (twice) and e.example share a key
    assert sum(1 for *_rest, compromised in state["keys"] if compromised) == 1
    rows = [dict(columns) for columns, _key, _set in state["certificates"]]
    assert sum(row["is_compromised_private_key"] for row in rows) == 1  # c.example's
    for row in rows:
        assert row["timestamp_renew_after"] == renewal.renew_after(
            row["timestamp_not_before"], row["timestamp_not_after"]
        )
    assert len({chain for _fp, chain, _default in state["chains"]}) == 2


def _collide(*_args):
    raise IntegrityError("INSERT", {}, Exception("another writer was first"))


def test_sqlite_settings_are_put_back(tmp_path, letsencrypt):
    settings = settings_for(f"sqlite:///{tmp_path / 'tuning.sqlite'}")  # SQLite whatever the suite's database
    initialize(TEST_INI, settings)
    engine = get_engine(settings)
    seen = []
    real_apply = certbot_import.SqliteTuning.apply

    def apply(self):
        real_apply(self)
        connection = self.dbsession.connection()
        seen.append([connection.exec_driver_sql(f"PRAGMA {n}").scalar() for n, _ in self.SETTINGS])

    with Session(bind=writer_bind(engine), expire_on_commit=False) as session:
        before = [session.connection().exec_driver_sql(f"PRAGMA {n}").scalar()
                  for n, _ in certbot_import.SqliteTuning.SETTINGS]  # fmt: skip
        session.commit()
        certbot_import.SqliteTuning.apply = apply
        try:
            summary = certbot_import.import_tree(
                session, letsencrypt.root, commit=session.commit, batch_size=1
            )
        finally:
            certbot_import.SqliteTuning.apply = real_apply
        after = [session.connection().exec_driver_sql(f"PRAGMA {n}").scalar()
                 for n, _ in certbot_import.SqliteTuning.SETTINGS]  # fmt: skip
    engine.dispose()
    assert len(summary.imported) == 3
    assert seen and all(
        values == [v for _, v in certbot_import.SqliteTuning.SETTINGS] for values in seen
    )
    assert after == before
