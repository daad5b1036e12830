"""The certbot imports against the real application, served on a live port.

The upload routes belong to the certificate store; until they exist every upload fails, so the
module is an expected failure for now.
"""

from __future__ import annotations

import io

import pytest

from peter_sslers import main
from peter_sslers.scripts.initializedb import initialize
from tests.conftest import TEST_INI, settings_for
from tests.services.live_app import LiveServer
from tools import tasks


@pytest.fixture(scope="module")
def admin_root(make_database_url):
    # uploads commit for real, so this server gets a database of its own
    settings = settings_for(make_database_url("tools_import"))
    initialize(TEST_INI, settings)
    application = main({}, **settings)
    server = LiveServer(application).start()
    yield server.url + application.registry["app_settings"].admin_prefix
    server.stop()
    application.registry["db_engine"].dispose()


def counts(summary: tasks.ImportSummary) -> tuple[int, int, int]:
    return len(summary.imported), len(summary.already_present), len(summary.failed)


def test_archive_import_then_again(letsencrypt, admin_root):
    out = io.StringIO()
    first = tasks.import_certbot_certs_archive(letsencrypt.archive, admin_root, out=out)
    assert counts(first) == (letsencrypt.version_count, 0, 0), out.getvalue()
    second = tasks.import_certbot_certs_archive(letsencrypt.archive, admin_root, out=out)
    assert counts(second) == (0, letsencrypt.version_count, 0), out.getvalue()
    # live/ points at versions the archive import already stored
    live = tasks.import_certbot_certs_live(letsencrypt.live, admin_root, out=out)
    assert counts(live) == (0, 2, 0), out.getvalue()


def test_accounts_import_then_again(letsencrypt, admin_root):
    out = io.StringIO()
    first = tasks.import_certbot_accounts_all(letsencrypt.accounts, admin_root, out=out)
    assert counts(first) == (2, 0, 0), out.getvalue()
    second = tasks.import_certbot_accounts_all(letsencrypt.accounts, admin_root, out=out)
    assert counts(second) == (0, 2, 0), out.getvalue()
