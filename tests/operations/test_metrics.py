"""/metrics: Prometheus text computed from the database, at the admin or the public location."""

from __future__ import annotations

import datetime
import json

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from peter_sslers.model import (
    AcmeAccount,
    AcmeEventLog,
    AcmeOrder,
    AcmeServer,
    OperationsEvent,
    QueueCertificate,
    QueueDomain,
)
from peter_sslers.model.enums import (
    AcmeOrderStatus,
    AcmeOrderType,
    EventResult,
    KeyTechnology,
    PrivateKeyCycle,
    ProcessingStrategy,
    QueueStatus,
)
from peter_sslers.model.meta import utcnow
from tests import factories
from tests.operations.conftest import ADMIN

ENABLED = {"metrics.enabled": "true"}


def families(text: str) -> dict:
    """{family name: {(sample name, sorted label items): value}}."""
    parsed = {}
    for family in text_string_to_metric_families(text):
        parsed[family.name] = {
            (s.name, tuple(sorted(s.labels.items()))): s.value for s in family.samples
        }
    return parsed


def value(parsed: dict, family: str, sample: str | None = None, **labels) -> float:
    return parsed[family][(sample or family, tuple(sorted(labels.items())))]


def arrange_store(session, now: datetime.datetime) -> dict:
    """Rows behind every metric; returns the ids the assertions need."""
    days = datetime.timedelta(days=1)
    cert_a = factories.certificate_signed_row(session, not_after=now + 10 * days)
    cert_b = factories.certificate_signed_row(
        session, not_after=now - 2 * days
    )  # expired, still active
    factories.certificate_signed_row(session, not_after=now + 30 * days, is_active=False)
    revoked = factories.certificate_signed_row(session, not_after=now + 40 * days, is_active=False)
    revoked.is_revoked = True
    renewed = factories.certificate_signed_row(session, not_after=now + 5 * days)
    newest = factories.certificate_signed_row(session, not_after=now + 60 * days)
    renewed.unique_fqdn_set_id = newest.unique_fqdn_set_id  # an older certificate of the same names
    server = session.execute(sa.select(AcmeServer).limit(1)).scalar_one()
    account = AcmeAccount(acme_server_id=server.id, contact="ops@example.com")
    session.add(account)
    session.flush()
    for status in (AcmeOrderStatus.VALID, AcmeOrderStatus.VALID, AcmeOrderStatus.INVALID):
        session.add(AcmeOrder(
            status=status, order_type=AcmeOrderType.NEW, processing_strategy=ProcessingStrategy.PROCESS_SINGLE,
            acme_account_id=account.id, unique_fqdn_set_id=cert_a.unique_fqdn_set_id,
            private_key_cycle=PrivateKeyCycle.SINGLE_CERTIFICATE, private_key_technology=KeyTechnology.EC_P256,
        ))  # fmt: skip
    for event, result, count in (("newOrder", EventResult.SUCCESS, 3), ("newOrder", EventResult.FAILURE, 1),
                                 ("finalize", EventResult.SUCCESS, 2)):  # fmt: skip
        session.add_all(AcmeEventLog(acme_event=event, result=result) for _ in range(count))
    session.add_all([QueueDomain(domain_name=f"q{i}.example.com") for i in range(2)])
    session.add(QueueDomain(domain_name="failed.example.com", status=QueueStatus.FAILED))
    last_done = (now - datetime.timedelta(hours=1)).replace(microsecond=0)
    session.add_all([
        QueueCertificate(unique_fqdn_set_id=cert_a.unique_fqdn_set_id),
        QueueCertificate(unique_fqdn_set_id=cert_b.unique_fqdn_set_id, status=QueueStatus.DONE,
                         timestamp_processed=last_done - datetime.timedelta(days=1)),
        QueueCertificate(unique_fqdn_set_id=newest.unique_fqdn_set_id, status=QueueStatus.DONE,
                         timestamp_processed=last_done),
    ])  # fmt: skip
    session.add(
        OperationsEvent(event_type="Redis__prime", payload_json=json.dumps({"seconds": 1.25}))
    )
    session.commit()
    return {"a": cert_a, "b": cert_b, "renewed": renewed, "newest": newest, "last_done": last_done}


def domain_of(session, cert) -> str:
    from peter_sslers.lib.db.queries import domain_names_for_sets

    return domain_names_for_sets(session, [cert.unique_fqdn_set_id])[cert.unique_fqdn_set_id][0]


def test_metrics_are_off_by_default(testapp):
    testapp.get(ADMIN + "/metrics", status=404)
    testapp.get("/metrics", status=404)


def test_metrics_from_the_database(make_app):
    app = make_app(**ENABLED)
    now = utcnow()
    with app.session() as session:
        rows = arrange_store(session, now)
        names = {key: domain_of(session, rows[key]) for key in ("a", "b", "newest")}
    response = app.testapp.get(ADMIN + "/metrics")
    assert (
        response.content_type == "text/plain"
        and "version=0.0.4" in response.headers["Content-Type"]
    )
    assert response.headers["Cache-Control"] == "no-store"
    parsed = families(response.text)
    states = {"active": 3, "expired_active": 1, "inactive": 1, "revoked": 1}
    for state, count in states.items():
        assert value(parsed, "peter_sslers_certificates", state=state) == count
    earliest = value(parsed, "peter_sslers_certificate_earliest_expiry_seconds")
    assert earliest == pytest.approx(-2 * 86400, abs=120)
    expiry = parsed["peter_sslers_certificate_expiry_timestamp_seconds"]
    # managed certificates only: the renewed one is left out, and the revoked and inactive ones
    assert {dict(labels)["certificate_id"] for _, labels in expiry} == {
        str(rows[k].id) for k in ("a", "b", "newest")
    }
    for key in ("a", "b", "newest"):
        sample = value(parsed, "peter_sslers_certificate_expiry_timestamp_seconds",
                       certificate_id=str(rows[key].id), domain=names[key])  # fmt: skip
        assert sample == pytest.approx(rows[key].timestamp_not_after.timestamp())
    assert value(parsed, "peter_sslers_acme_orders", status="valid") == 2
    assert value(parsed, "peter_sslers_acme_orders", status="invalid") == 1
    assert value(parsed, "peter_sslers_acme_orders", status="pending") == 0
    requests = ("peter_sslers_acme_requests", "peter_sslers_acme_requests_total")
    assert value(parsed, *requests, event="newOrder", result="success") == 3
    assert value(parsed, *requests, event="newOrder", result="failure") == 1
    assert value(parsed, *requests, event="finalize", result="success") == 2
    assert value(parsed, "peter_sslers_queue_domains", status="queued") == 2
    assert value(parsed, "peter_sslers_queue_domains", status="failed") == 1
    assert value(parsed, "peter_sslers_queue_certificates", status="queued") == 1
    assert value(parsed, "peter_sslers_queue_certificates", status="done") == 2
    assert (
        value(parsed, "peter_sslers_renewal_last_success_timestamp_seconds")
        == rows["last_done"].timestamp()
    )
    assert value(parsed, "peter_sslers_redis_prime_duration_seconds") == 1.25
    assert "peter_sslers_redis_prime_last_timestamp_seconds" in parsed


def test_a_scrape_costs_the_same_statements_however_many_rows(make_app):
    app = make_app(**ENABLED)
    engine = app.testapp.app.registry["db_engine"]
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        app.testapp.get(ADMIN + "/metrics")
        empty = len(statements)
        with app.session() as session:
            arrange_store(session, utcnow())
            arrange_store(session, utcnow())
        statements.clear()
        text = app.testapp.get(ADMIN + "/metrics").text
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == empty <= 8
    assert value(families(text), "peter_sslers_certificates", state="active") == 6


@pytest.mark.parametrize("public_views", ["true", "false"])
def test_public_location(make_app, public_views):
    app = make_app(**ENABLED, **{"metrics.location": "public", "enable_views_public": public_views})
    with app.session() as session:
        factories.certificate_signed_row(session, not_after=utcnow() + datetime.timedelta(days=20))
        session.commit()
    text = app.testapp.get("/metrics").text
    app.testapp.get(ADMIN + "/metrics", status=404)
    assert value(families(text), "peter_sslers_certificates", state="active") == 1
    assert "PRIVATE KEY" not in text and "placeholder" not in text


def test_public_location_without_admin_views(make_app):
    app = make_app(**ENABLED, **{"metrics.location": "public", "enable_views_admin": "false"})
    assert "peter_sslers_certificates" in app.testapp.get("/metrics").text
