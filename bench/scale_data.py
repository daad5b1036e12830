"""Data for ``bench/scale.py``: a deterministic layout of D domains and C certificates, bulk-loaded
into PostgreSQL with ``COPY ... FROM STDIN`` (psycopg 3).  Benchmarks only.

Layout (every number follows from D and C, so the expected results are computed, not guessed):

* C certificates: one in ten (C // 10) is an older certificate of a name set that was renewed
  since (superseded); the other 9 in 10 are the current certificate of one name set each.
* Name sets: one in three is a single name; the others share the remaining domains evenly
  (at 1M domains / 200k certificates: 60,000 single-name sets and 120,000 sets of 7-8 names).
  Every domain is in exactly one set; its ``certificate_signed_id__latest_single`` or
  ``__latest_multi`` points at its set's current certificate, as ``update_recents`` computes it.
* Current certificates are 0-84 days old (90-day lifetime, renew after 60 days); one set in 50
  was not renewed and its certificate expired 2-6 days ago (still the domain's latest, so it
  stays active).  Superseded certificates are 60-89 days older than their successor: some are
  still valid, the rest expired and still active (``deactivate-expired`` has work to do).
  Times carry a 6-9 hour offset, so no certificate crosses "due" or "expired" during a run.
* One EC key per certificate (the PEM text of one real key), real leaf PEMs reused from the
  cached bench PKI, two CAs and two chains (every 5th certificate also links the alternate
  chain, whose CA is preferred), one valid ACME order per certificate (one in 50 does not
  auto-renew; a renewal's order points at the order and certificate it replaced).

Loading: one connection, ``session_replication_role = replica`` (no FK trigger per row: the
rows are consistent by construction), ``COPY`` per table, then the sequences are moved past
the ids used.  Python-side column defaults of the models fill the columns not given.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
LIFETIME_DAYS = 90
RENEW_AFTER_DAYS = 60

#: tables the load fills (and whose autovacuum the benchmark turns off)
LOADED_TABLES = (
    "acme_account", "certificate_ca", "certificate_ca_chain", "certificate_ca_chain_item",
    "certificate_ca_preference", "private_key", "unique_fqdn_set", "certificate_signed",
    "certificate_signed_chain", "acme_order", "domain", "unique_fqdn_set_2_domain",
)  # fmt: skip


def domain_name(index: int) -> str:
    """Name of the domain with id ``index + 1``."""
    return f"d{index}.z{index % 997}.scale-bench.example"


def _digest(kind: str, index: int, size: int = 64) -> str:
    return hashlib.sha256(f"{kind}{index}".encode()).hexdigest()[:size]


@dataclass
class Layout:
    """Which domains each set has, each set's certificate ids and ages; expected results."""

    domains: int
    certs: int
    now: datetime.datetime  # naive UTC, whole seconds
    superseded: int = 0
    sets: int = 0
    first_domain: list[int] = field(default_factory=list)  # per set: first domain id
    size: list[int] = field(default_factory=list)  # per set: number of names
    old_cert: list[int] = field(default_factory=list)  # per set: superseded cert id or 0
    cert: list[int] = field(default_factory=list)  # per set: current cert id

    def __post_init__(self) -> None:
        self.superseded = self.certs // 10
        self.sets = self.certs - self.superseded
        singles = (self.sets + 2) // 3
        multi = self.sets - singles
        if self.sets < 3 or self.domains < singles + 2 * multi:
            raise SystemExit(
                f"{self.domains} domains are too few for {self.certs} certificates: "
                f"need at least {singles + 2 * multi} (multi-name sets have 2 names or more)"
            )
        share, extra = divmod(self.domains - singles, multi)
        next_domain = next_cert = 1
        multi_seen = 0
        for s in range(self.sets):
            if s % 3 == 0:
                n = 1
            else:
                n = share + (1 if multi_seen < extra else 0)
                multi_seen += 1
            self.first_domain.append(next_domain)
            self.size.append(n)
            next_domain += n
            if s < self.superseded:
                self.old_cert.append(next_cert)
                next_cert += 1
            else:
                self.old_cert.append(0)
            self.cert.append(next_cert)
            next_cert += 1
        assert next_domain - 1 == self.domains and next_cert - 1 == self.certs

    # -- ages (whole days, plus a 6-9 h offset so that no boundary is near "now") ------------

    @staticmethod
    def age_days(s: int) -> int:
        """Age of set ``s``'s current certificate: 0-84 days; one set in 50 expired (92-96)."""
        return 92 + s % 5 if s % 50 == 25 else s % 85

    @staticmethod
    def old_age_days(s: int) -> int:
        return Layout.age_days(s) + 60 + s % 30

    @staticmethod
    def auto_renew(s: int) -> bool:
        return s % 50 != 7

    def not_before(self, age_days: int, s: int) -> datetime.datetime:
        return self.now - age_days * DAY - datetime.timedelta(hours=6, seconds=s % 10800)

    # -- what the measured operations should find ----------------------------------------------

    def expected_due(self) -> int:
        """Sets whose current certificate is past renew-after and whose order auto-renews."""
        return sum(
            1
            for s in range(self.sets)
            if self.age_days(s) >= RENEW_AFTER_DAYS and self.auto_renew(s)
        )

    def expected_deactivated(self) -> int:
        """Superseded certificates that expired (current ones stay: they are still in use)."""
        return sum(1 for s in range(self.superseded) if self.old_age_days(s) >= LIFETIME_DAYS)

    def expired_in_use(self) -> int:
        return sum(1 for s in range(self.sets) if self.age_days(s) >= LIFETIME_DAYS)


# -- COPY -------------------------------------------------------------------------------------


def _plain(value):
    return value.value if hasattr(value, "value") else value


def _copy(cursor, table, columns: list[str], rows: Iterable[tuple]) -> int:
    """``COPY table (columns + defaulted columns) FROM STDIN``; returns the row count.

    Columns not given get the model's scalar Python default; a NOT NULL column without a
    default that is not given is an error (the database would reject the row anyway).
    """
    defaults = {
        c.name: _plain(c.default.arg)
        for c in table.columns
        if c.name not in columns and c.default is not None and c.default.is_scalar
    }
    missing = [
        c.name
        for c in table.columns
        if not c.nullable
        and c.name not in columns
        and c.name not in defaults
        and c.server_default is None
        and not (
            c.primary_key and c.autoincrement in (True, "auto") and len(table.primary_key) == 1
        )
        and not (c.default is not None and c.default.is_callable)  # e.g. utcnow: given below
    ]
    if missing:
        raise RuntimeError(f"{table.name}: NOT NULL columns not filled: {missing}")
    callables = {
        c.name: c.default.arg
        for c in table.columns
        if c.name not in columns and c.default is not None and c.default.is_callable
    }
    now = datetime.datetime.now(UTC).replace(tzinfo=None)
    extra_names = list(defaults) + list(callables)
    extra_values = tuple(defaults.values()) + tuple(now for _ in callables)  # only utcnow here
    names = ", ".join(columns + extra_names)
    count = 0
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row + extra_values)
            count += 1
    return count


def load(engine, layout: Layout, pki, log=print) -> dict:
    """Fill an empty, migrated database with ``layout``; returns {table: rows} and seconds."""
    from peter_sslers import model
    from peter_sslers.model.enums import (
        AcmeOrderStatus,
        AcmeOrderType,
        CertificateSource,
        KeyTechnology,
        PrivateKeyCycle,
        PrivateKeySource,
        ProcessingStatus,
        ProcessingStrategy,
    )

    started = time.perf_counter()
    now = layout.now
    ec = KeyTechnology.EC_P256.value
    counts: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET session_replication_role = replica")
        server_id = cur.execute("SELECT min(id) FROM acme_server").fetchone()[0]

        def copy(model_cls, columns, rows):
            t0 = time.perf_counter()
            table = model_cls.__table__
            counts[table.name] = _copy(cur, table, columns, rows)
            log(f"  {table.name}: {counts[table.name]:,} rows in {time.perf_counter() - t0:.1f}s")

        copy(
            model.AcmeAccount,
            ["id", "acme_server_id", "contact", "account_url", "timestamp_created"],
            [(1, server_id, "scale@example.com", "https://scale-bench.invalid/acct/1", now)],
        )
        copy(model.CertificateCA, [
            "id", "display_name", "cert_pem", "fingerprint_sha1", "fingerprint_sha256", "spki_sha256",
            "cert_subject", "cert_issuer", "key_technology", "timestamp_not_before", "timestamp_not_after",
            "timestamp_created",
        ], [
            (i, f"Scale Bench CA {i}", pki.chain_pem, _digest("ca1-", i, 40), _digest("ca256-", i),
             _digest("caspki", i), f"CN=Scale Bench CA {i}", "CN=Scale Bench Root", ec,
             now - 365 * DAY, now + 3650 * DAY, now)
            for i in (1, 2)
        ])  # fmt: skip
        copy(model.CertificateCAChain, [
            "id", "display_name", "chain_pem", "chain_pem_sha256", "chain_length",
            "certificate_ca_0_id", "certificate_ca_n_id", "timestamp_created",
        ], [
            (i, f"Scale Bench chain {i}", pki.chain_pem if i == 1 else pki.chain_pem + "\n",
             _digest("chain", i), 1, i, i, now)
            for i in (1, 2)
        ])  # fmt: skip
        copy(
            model.CertificateCAChainItem,
            ["certificate_ca_chain_id", "position", "certificate_ca_id"],
            [(1, 0, 1), (2, 0, 2)],
        )
        copy(model.CertificateCAPreference, ["id", "slot", "certificate_ca_id"], [(1, 1, 2)])

        copy(model.PrivateKey, [
            "id", "key_pem", "key_pem_md5", "spki_sha256", "key_technology", "source", "timestamp_created",
        ], (
            (k, pki.key_pem, _digest("md5", k, 32), _digest("key", k), ec,
             PrivateKeySource.GENERATED.value, now)
            for k in range(1, layout.certs + 1)
        ))  # fmt: skip

        def set_rows() -> Iterator[tuple]:
            for s in range(layout.sets):
                first, n = layout.first_domain[s], layout.size[s]
                ids = ",".join(str(i) for i in range(first, first + n))
                yield (s + 1, ids, n, layout.not_before(layout.old_age_days(s), s))

        copy(
            model.UniqueFQDNSet,
            ["id", "domain_ids_string", "count_domains", "timestamp_created"],
            set_rows(),
        )

        leaves = pki.leaves
        lifetime = LIFETIME_DAYS * DAY
        renew = RENEW_AFTER_DAYS * DAY

        def cert_rows() -> Iterator[tuple]:
            for s in range(layout.sets):
                single = layout.size[s] == 1
                for cert_id, age in ((layout.old_cert[s], layout.old_age_days(s)),
                                     (layout.cert[s], layout.age_days(s))):  # fmt: skip
                    if not cert_id:
                        continue
                    nb = layout.not_before(age, s)
                    yield (
                        cert_id, leaves[cert_id % len(leaves)], _digest("sha1-", cert_id, 40),
                        _digest("sha256-", cert_id), _digest("key", cert_id), _digest("serial", cert_id, 32),
                        f"CN={domain_name(layout.first_domain[s] - 1)}", "CN=Scale Bench CA 1", ec,
                        nb, nb + lifetime, single, CertificateSource.ACME_ORDER.value, cert_id, s + 1,
                        nb + renew, nb,
                    )  # fmt: skip

        copy(model.CertificateSigned, [
            "id", "cert_pem", "fingerprint_sha1", "fingerprint_sha256", "spki_sha256", "serial",
            "cert_subject", "cert_issuer", "key_technology", "timestamp_not_before", "timestamp_not_after",
            "is_single_domain", "source", "private_key_id", "unique_fqdn_set_id", "timestamp_renew_after",
            "timestamp_created",
        ], cert_rows())  # fmt: skip

        def chain_link_rows() -> Iterator[tuple]:
            link_id = 0
            for cert_id in range(1, layout.certs + 1):
                link_id += 1
                yield (link_id, cert_id, 1, True)
                if cert_id % 5 == 0:
                    link_id += 1
                    yield (link_id, cert_id, 2, False)

        copy(
            model.CertificateSignedChain,
            ["id", "certificate_signed_id", "certificate_ca_chain_id", "is_upstream_default"],
            chain_link_rows(),
        )

        def order_rows() -> Iterator[tuple]:
            for s in range(layout.sets):
                old = layout.old_cert[s]
                auto = layout.auto_renew(s)
                if old:  # order ids follow certificate ids
                    nb = layout.not_before(layout.old_age_days(s), s)
                    yield (
                        old,
                        AcmeOrderStatus.VALID.value,
                        AcmeOrderType.NEW.value,
                        f"https://scale-bench.invalid/order/{old}",
                        auto,
                        s + 1,
                        old,
                        old,
                        None,
                        None,
                        nb,
                    )
                cert = layout.cert[s]
                nb = layout.not_before(layout.age_days(s), s)
                kind = AcmeOrderType.RENEW_QUEUE.value if old else AcmeOrderType.NEW.value
                yield (cert, AcmeOrderStatus.VALID.value, kind, f"https://scale-bench.invalid/order/{cert}",
                       auto, s + 1, cert, cert, old or None, old or None, nb)  # fmt: skip

        copy(model.AcmeOrder, [
            "id", "status", "order_type", "order_url", "is_auto_renew", "unique_fqdn_set_id",
            "private_key_id", "certificate_signed_id", "acme_order_id__renewal_of",
            "certificate_signed_id__replaces", "timestamp_created",
            "processing_strategy", "processing_status", "acme_account_id", "private_key_cycle",
            "private_key_technology",
        ], (row + (ProcessingStrategy.PROCESS_SINGLE.value, ProcessingStatus.CERTIFICATE_DOWNLOADED.value, 1,
                   PrivateKeyCycle.SINGLE_CERTIFICATE.value, ec) for row in order_rows()))  # fmt: skip

        def domain_rows() -> Iterator[tuple]:
            for s in range(layout.sets):
                first, n, cert = layout.first_domain[s], layout.size[s], layout.cert[s]
                single, multi = (cert, None) if n == 1 else (None, cert)
                created = layout.not_before(layout.old_age_days(s), s)
                for j in range(first, first + n):
                    yield (j, domain_name(j - 1), True, single, multi, created)

        copy(model.Domain, [
            "id", "domain_name", "is_active", "certificate_signed_id__latest_single",
            "certificate_signed_id__latest_multi", "timestamp_created",
        ], domain_rows())  # fmt: skip

        def link_rows() -> Iterator[tuple]:
            for s in range(layout.sets):
                first = layout.first_domain[s]
                for j in range(first, first + layout.size[s]):
                    yield (s + 1, j)

        copy(model.UniqueFQDNSet2Domain, ["unique_fqdn_set_id", "domain_id"], link_rows())

        for table in LOADED_TABLES:
            if "id" not in model.Base.metadata.tables[table].c:
                continue
            sequence = cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()[
                0
            ]
            if sequence:
                cur.execute(
                    f"SELECT setval('{sequence}', (SELECT coalesce(max(id), 1) FROM {table}))"
                )
        cur.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    finally:
        raw.close()
    return {"rows": counts, "seconds": time.perf_counter() - started}
