"""Certificate profiles against acme2certifier: ``classic`` and ``shortlived`` lifetimes."""

from __future__ import annotations

import pytest

from peter_sslers.lib.acme_v2 import AcmeClient, AcmeProblem
from peter_sslers.lib.acme_v2.errors import InvalidProfile
from tests.services.acme2certifier import DEFAULT_PROFILES as PROFILES

from .conftest import Exchanges, Issued, issue


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_profile_sets_lifetime(client: AcmeClient, exchanges: Exchanges, profile: str) -> None:
    issued = issue(client, profile=profile)
    assert exchanges.last("newOrder").request_payload["profile"] == profile  # type: ignore[index]
    # acme2certifier does not echo ``profile`` in the order: the lifetime tells
    assert issued.lifetime_days == pytest.approx(PROFILES[profile], abs=1 / 24)


def test_shortlived_is_shorter_than_classic(client: AcmeClient, classic_cert: Issued) -> None:
    shortlived = issue(client, profile="shortlived")
    assert shortlived.lifetime_days < 7 < 80 < classic_cert.lifetime_days


def test_default_profile_is_classic(client: AcmeClient) -> None:
    issued = issue(client)
    assert issued.lifetime_days == pytest.approx(PROFILES["classic"], abs=1 / 24)


def test_unknown_profile_refused(client: AcmeClient, exchanges: Exchanges) -> None:
    with pytest.raises(InvalidProfile) as caught:
        client.new_order(["unknown-profile.example.com"], profile="no-such-profile")
    problem = caught.value
    assert isinstance(problem, AcmeProblem)
    assert problem.short_type == "invalidProfile"
    assert problem.status is not None and 400 <= problem.status < 500
    failed = exchanges.last("newOrder")
    assert failed.request_payload is not None
    assert failed.request_payload["profile"] == "no-such-profile"
    assert failed.problem_type == "urn:ietf:params:acme:error:invalidProfile"
