"""The acme2certifier launcher's helpers (no server needed)."""

from __future__ import annotations

import pytest

from tests.services import acme2certifier as launcher


@pytest.mark.parametrize(
    ("serial", "stored"),
    [
        (0xABC, "0abc"),
        (0x80FF, "80ff"),
        ("0x0ABC", "0abc"),
        ("00:80:ff", "80ff"),
        ("ABCD", "abcd"),
    ],
)
def test_normalize_serial(serial: int | str, stored: str) -> None:
    assert launcher.normalize_serial(serial) == stored


def test_missing_package_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher, "acme2certifier_available", lambda: False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="pip install acme2certifier==0.46.3"):
        launcher.require_acme2certifier()


def test_missing_package_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher, "acme2certifier_available", lambda: False)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="CI must not skip"):
        launcher.require_acme2certifier()
