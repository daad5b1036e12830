"""Settings are validated once at start-up; a bad value stops the app with a clear message."""

from __future__ import annotations

import pytest

from peter_sslers import main
from peter_sslers.settings import OPTIONS, ConfigurationError, parse_settings

GOOD = {"certificate_authority": "letsencrypt_staging"}


def test_defaults_parse():
    settings = parse_settings({})
    assert settings.admin_prefix == "/.well-known/admin"
    assert settings.redis_prime_style == "1"
    assert settings.redis_timeout_cert is None
    assert settings.nginx_reset_path == "/.peter_sslers/nginx/shared_cache/expire"
    assert settings.nginx_status_path == "/.peter_sslers/nginx/shared_cache/status"
    assert settings.cleanup_pending_authorizations is True
    assert settings.enable_views_admin is False
    assert settings.openssl_path == "openssl"
    assert settings.acme_directory_url.startswith("https://acme-staging-v02")


def test_every_option_has_help_and_a_parseable_default():
    keys = [option.key for option in OPTIONS]
    assert len(keys) == len(set(keys))
    for option in OPTIONS:
        assert option.help
        option.convert(option.default)
    spec_options = {
        "certificate_authority", "certificate_authority_directory", "certificate_authority_agreement",
        "cleanup_pending_authorizations", "enable_views_public", "enable_views_admin",
        "enable_acme_flow", "redis.url", "redis.prime_style", "redis.timeout.certca",
        "redis.timeout.cert", "redis.timeout.pkey", "redis.timeout.domain", "nginx.servers_pool",
        "nginx.userpass", "nginx.reset_path", "nginx.status_path", "requests.disable_ssl_warning",
        "admin_server", "admin_prefix", "admin_url", "openssl_path", "openssl_path_conf",
    }
    assert spec_options <= set(keys)


def test_typed_values():
    settings = parse_settings(
        {
            "redis.url": "redis://127.0.0.1:6379/9",
            "redis.prime_style": "2",
            "redis.timeout.cert": "3600",
            "nginx.servers_pool": "http://a.example:8080/, https://b.example",
            "nginx.userpass": "peter:sslers",
            "enable_views_admin": "yes",
            "certificate_authority": "pebble",
            "certificate_authority_directory": "https://127.0.0.1:14000/dir",
        }
    )
    assert settings.redis_timeout_cert == 3600
    assert settings.nginx_servers_pool == ("http://a.example:8080", "https://b.example")
    assert settings.enable_views_admin is True
    assert settings.acme_directory_url == "https://127.0.0.1:14000/dir"


@pytest.mark.parametrize(
    "key, value, hint",
    [
        ("redis.prime_style", "3", "'1' or '2'"),
        ("redis.prime_style", "", "'1' or '2'"),
        ("enable_views_admin", "maybe", "true/false"),
        ("cleanup_pending_authorizations", "2", "true/false"),
        ("redis.timeout.cert", "-5", "positive"),
        ("redis.timeout.pkey", "soon", "whole number"),
        ("redis.url", "http://127.0.0.1:6379", "redis://"),
        ("admin_prefix", "admin", "starting with /"),
        ("admin_prefix", "/", "other than /"),
        ("nginx.reset_path", "expire", "starting with /"),
        ("nginx.servers_pool", "127.0.0.1:80", "server URLs"),
        ("nginx.userpass", "justaname", "username:password"),
        ("certificate_authority", "acme.example", "letsencrypt"),
        ("certificate_authority_directory", "ftp://x", "https://"),
        ("crypto.backend", "gnutls", "'openssl'"),
        ("admin_url", "not a url", "http://"),
        ("max_upload_bytes", "0", "positive"),
        ("renewal.remaining_fraction", "1.5", "between 0 and 1"),
        ("renewal.remaining_fraction_short", "1/0", "a fraction (1/3)"),
    ],
)
def test_invalid_values_name_the_option_and_accepted_values(key, value, hint):
    with pytest.raises(ConfigurationError) as caught:
        parse_settings({**GOOD, key: value})
    message = str(caught.value)
    assert key in message
    assert hint in message
    assert caught.value.option == key


def test_pebble_and_custom_need_a_directory():
    for name in ("pebble", "custom"):
        with pytest.raises(ConfigurationError, match="certificate_authority_directory"):
            parse_settings({"certificate_authority": name})


def test_app_refuses_to_start_on_a_bad_value(app_settings_raw):
    with pytest.raises(ConfigurationError, match="redis.prime_style"):
        main({}, **{**app_settings_raw, "redis.prime_style": "9"})


def test_secrets_are_masked_on_the_settings_page():
    from peter_sslers.settings import describe

    rows = {row["option"]: row for row in describe(parse_settings({
        "nginx.userpass": "peter:hunter2", "redis.url": "redis://:s3cret@127.0.0.1:6379/9",
    }))}
    assert "hunter2" not in str(rows["nginx.userpass"]["value"])
    assert "s3cret" not in str(rows["redis.url"]["value"])


def test_renewal_fractions_read_as_decimals_or_fractions():
    parsed = parse_settings({**GOOD, "renewal.remaining_fraction": "1/4", "renewal.remaining_fraction_short": "0.6"})
    assert (parsed.renewal_remaining_fraction, parsed.renewal_remaining_fraction_short) == (0.25, 0.6)
    assert parse_settings(GOOD).renewal_remaining_fraction == 1 / 3
