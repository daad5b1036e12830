"""Fixtures for the certificate store: a PKI, certificates made from it, upload helpers."""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa

from peter_sslers.model import Base
from tests import pki as pki_module
from tests.pki import upload_cert

ADMIN = "/.well-known/admin"


@pytest.fixture(scope="session")
def pki():
    return pki_module.make_pki()


@pytest.fixture(scope="session")
def leaf_multi(pki):
    return pki_module.make_leaf(["www.example.com", "example.com", "api.example.com"], pki.intermediate)


@pytest.fixture(scope="session")
def leaf_single(pki):
    return pki_module.make_leaf(["single.example.org"], pki.intermediate)


@pytest.fixture(scope="session")
def leaf_expired(pki):
    start = pki_module.NOW - datetime.timedelta(days=200)
    return pki_module.make_leaf(["old.example.net"], pki.intermediate, not_before=start)


@pytest.fixture
def upload(testapp, pki):
    """upload(leaf, chain=None): upload a leaf with the default chain (the intermediate)."""

    def _upload(leaf, chain: str | None = None, status: int = 200, key_pem: str | None = None):
        return upload_cert(testapp, leaf, pki.intermediate.pem if chain is None else chain, status, key_pem)

    return _upload


@pytest.fixture
def row_counts(dbsession):
    """A snapshot function: {table: row count} over every table of the model."""

    def snapshot() -> dict[str, int]:
        return {
            name: dbsession.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }

    return snapshot
