"""Prime Redis with each domain's certificate, in the shapes lua-resty-peter_sslers 0.5 reads.

Style 1 (de-duplicated): ``d1:{domain}`` HASH ``c``/``p``/``i`` (ids) plus the strings
``c:{id}`` (certificate PEM), ``p:{id}`` (private key PEM) and ``i:{id}`` (chain PEM), each
written once per run however many domains share it. A certificate without a chain points at
``i:0``, an empty string: the module needs all three fields (openresty-contract.md, Details).
Style 2 (self-contained): ``d2:{domain}`` HASH ``f`` (certificate + chain PEM) and ``p``.

A domain serves the first usable (active, unrevoked) of its latest multi-name then latest
single-name certificate: the choice ``config_payloads.domain_config`` and the module make.
The chain is the default one: ``pick_default_chain`` over the CA preference list.

Reads are set-based (a few statements per batch of domains), writes are pipelined per batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..model import (
    CertificateCAChain,
    CertificateCAChainItem,
    CertificateSigned,
    CertificateSignedChain,
    Domain,
    PrivateKey,
)
from ..settings import _mask_url_password
from .db.certificate_cas import pick_default_chain, preference_list
from .errors import InvalidRequest, PeterSSLersError

log = logging.getLogger(__name__)

DEFAULT_DB = 9  # the module's default database (contract: "Redis (default database 9)")
NO_CHAIN_ID = 0  # ``i:0`` is the empty chain of certificates that have none
BATCH_SIZE = 1000


class RedisPrimeError(PeterSSLersError):
    """Redis could not be reached or refused a write; ``counts`` says what was done before."""

    def __init__(self, message: str, counts: dict | None = None):
        super().__init__(message)
        self.counts = counts or {}


def redis_client(settings) -> redis.Redis:
    """A client for ``redis.url`` (database 9 when the URL names none).

    Raises ``InvalidRequest`` (400) when Redis is not configured.
    """
    if not settings.redis_url:
        raise InvalidRequest("Redis is not configured: set redis.url (e.g. redis://127.0.0.1:6379/9)")
    return redis.Redis.from_url(
        settings.redis_url, db=DEFAULT_DB, socket_connect_timeout=5, socket_timeout=30
    )


# --- reading: domains, their certificate, key and default chain --------------------------------


class _Link(NamedTuple):
    """The two fields of a CertificateSignedChain that ``pick_default_chain`` reads."""

    certificate_ca_chain_id: int
    is_upstream_default: bool


# (domain_name, cert_id, key_id, chain_id, cert_pem, key_pem); chain_id NO_CHAIN_ID if none
Entry = tuple[str, int, int, int, str, str]


def _serving_statement(domains: sa.Select) -> sa.Select:
    """What each domain of ``domains`` (a SELECT of domain rows) serves, one row per chain link.

    A domain serves the first usable (active, unrevoked) of its latest multi- and latest
    single-name certificates. Its key, both PEMs and every chain link of that certificate
    come in the same statement (a certificate has one link, sometimes two): one statement
    per batch, and no list of ids sent back to the database. Rows are not sorted (a sort
    of the PEMs costs more than grouping the rows of one domain in Python).
    """
    page = domains.subquery("d")
    key, link = PrivateKey.__table__, CertificateSignedChain.__table__
    multi = CertificateSigned.__table__.alias("cert_multi")
    single = CertificateSigned.__table__.alias("cert_single")

    def usable(alias, column):
        return sa.and_(alias.c.id == column, alias.c.is_active.is_(True), alias.c.is_revoked.is_(False))

    cert_id = sa.func.coalesce(multi.c.id, single.c.id)
    key_id = sa.func.coalesce(multi.c.private_key_id, single.c.private_key_id)
    joined = (
        page.outerjoin(multi, usable(multi, page.c.certificate_signed_id__latest_multi))
        .outerjoin(single, usable(single, page.c.certificate_signed_id__latest_single))
        .outerjoin(key, key.c.id == key_id)
        .outerjoin(link, link.c.certificate_signed_id == cert_id)
    )
    return (
        sa.select(
            page.c.id, page.c.domain_name, page.c.is_active, cert_id, key_id,
            sa.func.coalesce(multi.c.cert_pem, single.c.cert_pem), key.c.key_pem,
            link.c.id, link.c.certificate_ca_chain_id, link.c.is_upstream_default,
        )
        .select_from(joined)
    )  # fmt: skip


_DOMAIN = Domain.__table__
_DOMAIN_COLUMNS = [_DOMAIN.c[name] for name in (
    "id", "domain_name", "is_active", "certificate_signed_id__latest_multi", "certificate_signed_id__latest_single",
)]  # fmt: skip
# prime_all: keyset pages of the active domains; prime_domains: ids, active or not
_PAGE = _serving_statement(
    sa.select(*_DOMAIN_COLUMNS)
    .where(_DOMAIN.c.is_active.is_(True), _DOMAIN.c.id > sa.bindparam("after"))
    .order_by(_DOMAIN.c.id)
    .limit(sa.bindparam("size"))
)
_BY_IDS = _serving_statement(sa.select(*_DOMAIN_COLUMNS).where(_DOMAIN.c.id.in_(sa.bindparam("ids", expanding=True))))


class _Reader:
    """Turns one batch of rows into entries; chains are cached for the whole run."""

    def __init__(self, dbsession: Session):
        self.conn = dbsession.connection()
        self.preferred = [p.certificate_ca_id for p in preference_list(dbsession)]
        self.chain_cas: dict[int, list[int]] = {}
        self.chain_pems: dict[int, str] = {NO_CHAIN_ID: ""}
        self._choice: dict[tuple, int] = {(): NO_CHAIN_ID}

    def entries(self, rows: list) -> tuple[list[Entry], list[str]]:
        """(entries of the domains with a usable certificate, names of the others)."""
        seen: set[int] = set()
        found: list[tuple] = []
        skipped: list[str] = []
        several: dict[int, dict[int, tuple]] = {}  # certificate id -> {link id: (chain id, upstream)}
        for domain_id, name, is_active, cert_id, key_id, cert_pem, key_pem, link_id, chain_id, upstream in rows:
            if domain_id in seen:  # the domain again: its certificate has several chains
                several.setdefault(cert_id, {})[link_id] = (chain_id, bool(upstream))
                continue
            seen.add(domain_id)
            if cert_id is None or not is_active:
                skipped.append(name)
            else:
                # a single chain is the default whatever the preferences (pick_default_chain)
                chain = NO_CHAIN_ID if link_id is None else chain_id
                found.append((name, cert_id, key_id, chain, cert_pem, key_pem, link_id, upstream))
        missing = {f[3] for f in found} - self.chain_pems.keys()
        if missing:
            self._load_chains(missing)
        if not several:
            return [f[:6] for f in found], skipped
        for f in found:
            if f[1] in several:
                several[f[1]][f[6]] = (f[3], bool(f[7]))
        chain_of = self._default_chains(several)
        return [(f[0], f[1], f[2], chain_of.get(f[1], f[3]), f[4], f[5]) for f in found], skipped

    def _default_chains(self, several: dict[int, dict[int, tuple]]) -> dict[int, int]:
        """The default chain of certificates with several: ``pick_default_chain`` over the
        preference list, decided once per distinct list of (chain, upstream default) in link
        id order (its order for ties), since most certificates share the same chains."""
        chosen = {}
        for cert_id, by_link in several.items():
            signature = tuple(pair for _, pair in sorted(by_link.items()))
            choice = self._choice.get(signature)
            if choice is None:
                candidates = [_Link(*pair) for pair in signature]
                self._load_chains({link.certificate_ca_chain_id for link in candidates})
                pick = pick_default_chain(
                    [(link, self.chain_cas[link.certificate_ca_chain_id]) for link in candidates], self.preferred
                )
                choice = self._choice[signature] = pick.certificate_ca_chain_id
            chosen[cert_id] = choice
        return chosen

    def _load_chains(self, chain_ids: set[int]) -> None:
        """CA ids and PEM of chains not seen yet in this run (chains are few and shared)."""
        missing = sorted(chain_ids - self.chain_cas.keys())
        if not missing:
            return
        for chain_id in missing:
            self.chain_cas[chain_id] = []
        item = CertificateCAChainItem.__table__.c
        for chain_id, ca_id in self.conn.execute(
            sa.select(item.certificate_ca_chain_id, item.certificate_ca_id)
            .where(item.certificate_ca_chain_id.in_(missing))
            .order_by(item.certificate_ca_chain_id, item.position)
        ):
            self.chain_cas[chain_id].append(ca_id)
        self.chain_pems.update(self.conn.execute(
            sa.select(CertificateCAChain.id, CertificateCAChain.chain_pem).where(CertificateCAChain.id.in_(missing))
        ).all())  # fmt: skip


# --- writing ------------------------------------------------------------------------------------


class _Writer:
    """Queues one batch's commands on a pipeline; remembers what this run already wrote."""

    def __init__(self, settings, chain_pems: dict[int, str]):
        self.style = settings.redis_prime_style
        self.chain_pems = chain_pems
        self.ttl = {
            "d": settings.redis_timeout_domain, "c": settings.redis_timeout_cert,
            "p": settings.redis_timeout_pkey, "i": settings.redis_timeout_certca,
        }  # fmt: skip
        self.written: dict[str, set[int]] = {"c": set(), "p": set(), "i": set()}

    def _set(self, pipe, kind: str, object_id: int, value: str) -> None:
        ttl = self.ttl[kind]
        if ttl:
            pipe.execute_command("SET", f"{kind}:{object_id}", value, "EX", ttl)
        else:
            pipe.execute_command("SET", f"{kind}:{object_id}", value)
        self.written[kind].add(object_id)

    def queue(self, pipe, entries: list[Entry]) -> None:
        ttl, command, chain_pems = self.ttl["d"], pipe.execute_command, self.chain_pems
        if self.style == "1":
            certs, keys, chains = self.written["c"], self.written["p"], self.written["i"]
            for name, cert_id, key_id, chain_id, cert_pem, key_pem in entries:
                if cert_id not in certs:
                    self._set(pipe, "c", cert_id, cert_pem)
                if key_id not in keys:
                    self._set(pipe, "p", key_id, key_pem)
                if chain_id not in chains:
                    self._set(pipe, "i", chain_id, chain_pems[chain_id])
                command("HSET", "d1:" + name, "c", cert_id, "p", key_id, "i", chain_id)
                if ttl:
                    command("EXPIRE", "d1:" + name, ttl)
            return
        for name, _, _, chain_id, cert_pem, key_pem in entries:
            command("HSET", "d2:" + name, "f", cert_pem + chain_pems[chain_id], "p", key_pem)
            if ttl:
                command("EXPIRE", "d2:" + name, ttl)
        # style 2 embeds them: count the distinct ones written
        self.written["c"].update(e[1] for e in entries)
        self.written["p"].update(e[2] for e in entries)
        self.written["i"].update(e[3] for e in entries)


# --- the run ------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Run:
    settings: object
    client: redis.Redis
    started: float = dataclasses.field(default_factory=time.perf_counter)
    domains_primed: int = 0
    domains_skipped: int = 0
    domains_removed: int = 0
    batches: int = 0

    def counts(self, writer: _Writer | None) -> dict:
        written = writer.written if writer else {"c": (), "p": (), "i": ()}
        return {
            "prime_style": self.settings.redis_prime_style,
            "domains_primed": self.domains_primed,
            "domains_skipped": self.domains_skipped,
            "domains_removed": self.domains_removed,
            "certificates_written": len(written["c"]),
            "private_keys_written": len(written["p"]),
            "chains_written": len(written["i"]),
            "batches": self.batches,
            "seconds": round(time.perf_counter() - self.started, 3),
        }

    def fail(self, exc: Exception, writer: _Writer | None) -> RedisPrimeError:
        counts = self.counts(writer)
        where = _mask_url_password(self.settings.redis_url)
        message = f"Redis at {where} failed: {exc} (domains primed before the failure: {counts['domains_primed']})"
        log.warning("redis prime failed: %s", message)
        return RedisPrimeError(message, counts)


def _open(settings) -> _Run:
    client = redis_client(settings)
    run = _Run(settings, client)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise run.fail(exc, None) from exc
    return run


def _pages(conn: sa.Connection, batch_size: int) -> Iterator[list]:
    """Keyset pages of the active domains: bounded memory, one statement each.

    Rows come straight from the DBAPI cursor, as plain tuples: building SQLAlchemy Row
    objects took a third of the read time at 100,000 domains. The statement is compiled
    by SQLAlchemy for the connection's dialect, once per run.
    """
    compiled = _PAGE.compile(dialect=conn.dialect)
    sql, order = str(compiled), compiled.positiontup
    cursor = conn.connection.driver_connection.cursor()
    try:
        after = 0
        while True:
            params = {**compiled.params, "after": after, "size": batch_size}
            cursor.execute(sql, tuple(params[name] for name in order) if order else params)
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            after = max(row[0] for row in rows)  # rows come in no particular order
    finally:
        cursor.close()


def _id_batches(conn, domain_ids: list[int]) -> Iterator[list]:
    for start in range(0, len(domain_ids), BATCH_SIZE):
        yield conn.execute(_BY_IDS, {"ids": domain_ids[start:start + BATCH_SIZE]}).all()


def _prime(dbsession: Session, run: _Run, batches: Iterator[list], *, remove_unusable: bool,
           progress: Callable[[dict], None] | None) -> dict:
    reader = _Reader(dbsession)
    writer = _Writer(run.settings, reader.chain_pems)
    try:
        with contextlib.closing(batches):  # a failed run closes the cursor now, not at GC time
            for rows in batches:
                entries, skipped = reader.entries(rows)
                pipe = run.client.pipeline(transaction=False)
                writer.queue(pipe, entries)
                if remove_unusable and skipped:
                    _queue_removals(pipe, skipped)
                    run.domains_removed += len(skipped)
                pipe.execute()
                run.domains_primed += len(entries)
                run.domains_skipped += len(skipped)
                run.batches += 1
                if progress is not None:
                    progress(run.counts(writer))
    except redis.RedisError as exc:
        raise run.fail(exc, writer) from exc
    counts = run.counts(writer)
    log.info("redis prime: %s", counts)
    return counts


def prime_all(dbsession: Session, settings, *, batch_size: int = BATCH_SIZE,
              progress: Callable[[dict], None] | None = None) -> dict:
    """Write every active domain's current certificate to Redis in ``redis.prime_style``.

    Returns counts: domains primed and skipped (active, no usable certificate), distinct
    certificates, keys and chains written (style 2: inside the ``d2:`` hashes), batches and
    seconds. ``progress(counts)`` is called after each batch. Raises ``InvalidRequest`` when
    Redis is not configured and ``RedisPrimeError`` when it fails (counts so far attached).
    Keys of domains that stopped being servable are left alone: see ``prime_domains``.
    """
    run = _open(settings)
    return _prime(dbsession, run, _pages(dbsession.connection(), batch_size),
                  remove_unusable=False, progress=progress)  # fmt: skip


def prime_domains(dbsession: Session, settings, domain_ids: Iterable[int]) -> dict:
    """Write-through for some domains: prime those with a usable certificate, and delete the
    Redis keys of those without one (inactive domain, inactive or revoked certificates).

    Same counts as ``prime_all``, plus ``domains_removed``. Unknown ids are ignored.
    """
    run = _open(settings)
    batches = _id_batches(dbsession.connection(), sorted(set(domain_ids)))
    return _prime(dbsession, run, batches, remove_unusable=True, progress=None)


def _queue_removals(pipe, domain_names: Iterable[str]) -> None:
    # both styles: a domain must not stay servable after a change of prime_style either
    keys = [f"{prefix}{name}" for name in domain_names for prefix in ("d1:", "d2:")]
    if keys:
        pipe.execute_command("DEL", *keys)


def remove_domains(settings, domain_names: Iterable[str]) -> int:
    """Delete the ``d1:``/``d2:`` keys of these domains; returns how many keys existed.

    The shared ``c:``/``p:``/``i:`` strings stay: other domains may point at them.
    """
    names = list(domain_names)
    if not names:
        return 0
    run = _open(settings)
    try:
        pipe = run.client.pipeline(transaction=False)
        _queue_removals(pipe, names)
        return int(pipe.execute()[0])
    except redis.RedisError as exc:
        raise run.fail(exc, None) from exc
