"""HTTP-01 answers through a real nginx in front of two instances sharing one database."""

from __future__ import annotations

import re

import requests
import sqlalchemy as sa

from peter_sslers.model import AcmeChallengeUnknownPoll
from tests import factories

HOST = "challenge.example.com"


def _challenge(instance):
    """A committed, active http-01 challenge: (token, key authorization)."""
    session = instance.dbsession()
    try:
        challenge = factories.http01_challenge(session, domain_name=HOST)
        token, keyauth = challenge.token, challenge.keyauthorization
        session.commit()
    finally:
        session.close()
    return token, keyauth


def test_both_upstreams_answer_the_challenge(acme_proxy, app_instances):
    token, keyauth = _challenge(app_instances[0])
    path = f"/.well-known/acme-challenge/{token}"
    served_by = []
    for _ in range(6):
        res = requests.get(acme_proxy.url + path, headers={"Host": HOST}, timeout=10)
        assert res.status_code == 200, res.text
        assert res.text == keyauth
        assert res.headers["Content-Type"].startswith("text/plain")
        served_by.append(res.headers["X-Peter-SSLers"])
    # round-robin: both instances answered, and each counted its own requests
    assert set(served_by) == {"nginx-a", "nginx-b"}
    for instance in app_instances:
        assert instance.counter.paths[path] == served_by.count(instance.name) > 0
        # proxy_set_header Host $host: the app saw the client's Host, not the upstream address
        assert HOST in instance.counter.hosts
    # nginx's own log names both upstreams for this path
    upstreams = {
        m.group(1)
        for line in acme_proxy.access_log_lines()
        if path in line and (m := re.search(r"upstream=(\S+)", line))
    }
    assert upstreams == {i.hostport for i in app_instances}


def test_unknown_token_is_404_and_recorded_with_the_host(acme_proxy, app_instances):
    token = "nginx-unknown-token"
    res = requests.get(
        f"{acme_proxy.url}/.well-known/acme-challenge/{token}", headers={"Host": HOST}, timeout=10
    )
    assert res.status_code == 404
    assert "X-Peter-SSLers" in res.headers  # the app answered, not nginx
    session = app_instances[1].dbsession()
    try:
        row = session.execute(
            sa.select(AcmeChallengeUnknownPoll).where(AcmeChallengeUnknownPoll.last_token == token)
        ).scalar_one()
        assert row.last_host == HOST  # nginx passed the client's Host through
    finally:
        session.close()


def test_admin_and_everything_else_are_404_through_nginx(acme_proxy, app_instances):
    before = sum(i.counter.total for i in app_instances)
    for path in ("/.well-known/admin/", "/.well-known/admin", "/.well-known/admin/index.json",
                 "/.well-known/public/whoami", "/"):  # fmt: skip
        res = requests.get(acme_proxy.url + path, headers={"Host": HOST}, timeout=10)
        assert res.status_code == 404, path
        assert "X-Peter-SSLers" not in res.headers  # nginx answered: nothing reached the app
    assert sum(i.counter.total for i in app_instances) == before


def test_the_instances_serve_admin_directly(app_instances):
    """Sanity check of the fixture: the admin views are on, so the 404s above are nginx's."""
    res = requests.get(app_instances[0].url + "/.well-known/admin/index.json", timeout=10)
    assert res.status_code == 200
