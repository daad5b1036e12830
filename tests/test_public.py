"""The public routes: HTTP-01 answers from the database, poll records, whoami."""

from __future__ import annotations

import sqlalchemy as sa

from peter_sslers.model import AcmeChallengePoll, AcmeChallengeUnknownPoll
from peter_sslers.model.enums import AcmeChallengeStatus
from tests import factories


def _unknown_count(dbsession) -> int:
    return dbsession.execute(sa.select(sa.func.sum(AcmeChallengeUnknownPoll.count_polls))).scalar() or 0


def test_active_challenge_answers_key_authorization(testapp, dbsession):
    challenge = factories.http01_challenge(dbsession)
    dbsession.commit()
    res = testapp.get(f"/.well-known/acme-challenge/{challenge.token}")
    assert res.status_int == 200
    assert res.content_type == "text/plain"
    assert res.text == challenge.keyauthorization


def test_processing_challenge_still_answers(testapp, dbsession):
    challenge = factories.http01_challenge(dbsession, status=AcmeChallengeStatus.PROCESSING)
    dbsession.commit()
    assert testapp.get(f"/.well-known/acme-challenge/{challenge.token}").text == challenge.keyauthorization


def test_poll_is_recorded_with_remote_ip(testapp, dbsession):
    challenge = factories.http01_challenge(dbsession)
    dbsession.commit()
    for _ in range(3):  # Pebble validates from three requests
        testapp.get(f"/.well-known/acme-challenge/{challenge.token}", extra_environ={"REMOTE_ADDR": "198.51.100.7"})
    polls = dbsession.execute(
        sa.select(AcmeChallengePoll).where(AcmeChallengePoll.acme_challenge_id == challenge.id)
    ).scalars().all()
    assert [p.remote_ip_address for p in polls] == ["198.51.100.7"] * 3
    dbsession.refresh(challenge)
    assert challenge.count_polls == 3


def test_inactive_challenge_is_404(testapp, dbsession):
    for status in (AcmeChallengeStatus.VALID, AcmeChallengeStatus.INVALID):
        challenge = factories.http01_challenge(dbsession, status=status)
        dbsession.commit()
        res = testapp.get(f"/.well-known/acme-challenge/{challenge.token}", status=404)
        assert challenge.keyauthorization not in res.text


def test_unknown_token_is_404_and_counted_in_one_row(testapp, dbsession):
    before_rows = dbsession.execute(sa.select(sa.func.count()).select_from(AcmeChallengeUnknownPoll)).scalar()
    before = _unknown_count(dbsession)
    for i in range(5):
        res = testapp.get(f"/.well-known/acme-challenge/unknown-token-{i}", status=404)
        assert res.content_type == "text/plain"
    assert _unknown_count(dbsession) == before + 5
    rows = dbsession.execute(sa.select(AcmeChallengeUnknownPoll)).scalars().all()
    assert len(rows) <= max(before_rows, 1)  # one counter row per day, not a row per request
    latest = max(rows, key=lambda r: r.day)
    assert latest.last_token == "unknown-token-4"
    assert latest.last_remote_ip_address == "192.0.2.10"


def test_hostile_tokens_are_refused_without_leaking(testapp, dbsession):
    challenge = factories.http01_challenge(dbsession)
    dbsession.commit()
    for token in ("..%2F..%2Fetc%2Fpasswd", "a" * 5000, "%00", challenge.token + "'--", "<script>"):
        res = testapp.get(f"/.well-known/acme-challenge/{token}", status=404)
        assert challenge.keyauthorization not in res.text


def test_acme_flow_challenge_answers_while_active(testapp, dbsession):
    active = factories.orderless_challenge(dbsession, is_active=True)
    inactive = factories.orderless_challenge(dbsession, is_active=False)
    dbsession.commit()
    assert testapp.get(f"/.well-known/acme-challenge/{active.token}").text == active.keyauthorization
    testapp.get(f"/.well-known/acme-challenge/{inactive.token}", status=404)


def test_head_request(testapp, dbsession):
    challenge = factories.http01_challenge(dbsession)
    dbsession.commit()
    assert testapp.head(f"/.well-known/acme-challenge/{challenge.token}").status_int == 200


def test_whoami_prints_host(testapp):
    res = testapp.get("/.well-known/public/whoami", extra_environ={"HTTP_HOST": "www.example.org"})
    assert res.text.strip() == "www.example.org"
    assert res.content_type == "text/plain"
