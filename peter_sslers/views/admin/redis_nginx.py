"""Redis priming and nginx cache control: operation pages (GET instructions, POST run).

Every route has an HTML page and a ``.json`` twin. POST on the HTML page shows the result
(like the other API operations), since the per-server detail is the point of these pages.
The nginx operations answer 200 with ``"result": "success" | "partial" | "error"`` and one
entry per server (see ``lib/nginx_cache.py``); an empty ``nginx.servers_pool`` or an
unconfigured Redis is a 400, a Redis that fails is a 409 (logged as an OperationsEvent).
"""

from __future__ import annotations

import logging

from pyramid.view import view_config

from ...lib import nginx_cache, redis_prime, redis_sync
from ...lib.db import queries
from ...lib.db.common import log_operation
from ...model import Domain
from ...settings import _mask_url_password
from ._base import instructions

log = logging.getLogger(__name__)

REDIS_PAGE = "/admin/redis_prime.mako"
NGINX_PAGE = "/admin/nginx_cache.mako"


def _log_in_own_transaction(request, event_type: str, payload: dict) -> None:
    """An event that must survive the request's transaction, which the error aborts."""
    try:
        with request.registry["dbsession_factory"]() as session, session.begin():
            log_operation(session, event_type, payload)
    except Exception:  # noqa: BLE001 - the error being reported matters more than its record
        log.warning("could not record %s", event_type, exc_info=True)


def sync_after_commit(request, domain_ids: redis_sync.DomainIds, *, operation: str,
                      expire_nginx: bool = False, objects=()) -> dict:
    """After a view changed what domains serve: commit the change, then write the domains
    through to Redis and (``expire_nginx``) expire them on the nginx servers.

    Committing first means the caches get the committed state, and the SQLite write lock
    of a POST is not held while Redis and nginx answer. ``domain_ids`` may be a function
    of a session (run on the committed state). Returns the ``"redis"``/``"nginx"`` parts to
    merge into the answer, ``{}`` when neither is configured (nothing is committed early
    then). A failure never fails the view: it is in its part and recorded as an event.
    """
    settings = request.app_settings
    if not redis_sync.wanted(settings, expire_nginx=expire_nginx):
        return {}
    # flush first: a session that only changed attributes has not joined the transaction yet
    request.dbsession.flush()
    request.tm.commit()
    request.tm.begin()
    return redis_sync.sync_committed(
        request.registry["dbsession_factory"], settings, domain_ids,
        operation=operation, expire_nginx=expire_nginx, objects=objects,
    )


# --- Redis --------------------------------------------------------------------------------------


def _redis_config(settings) -> dict:
    return {
        "redis.url": _mask_url_password(settings.redis_url) if settings.redis_url else None,
        "redis.prime_style": settings.redis_prime_style,
        "redis.timeout.certca": settings.redis_timeout_certca,
        "redis.timeout.cert": settings.redis_timeout_cert,
        "redis.timeout.pkey": settings.redis_timeout_pkey,
        "redis.timeout.domain": settings.redis_timeout_domain,
    }


@view_config(route_name="admin:api:redis_prime", request_method="GET", renderer=REDIS_PAGE)
@view_config(route_name="admin:api:redis_prime|json", request_method="GET", renderer="json")
def redis_prime_form(request):
    data = instructions(
        "POST to write every active domain's current certificate to Redis in the configured "
        "prime style (1: d1:{domain} hash c/p/i + c:/p:/i: strings; 2: d2:{domain} hash f/p).",
        {},
    )
    data["operation"] = "redis-prime"
    data["redis_config"] = _redis_config(request.app_settings)
    return data


@view_config(route_name="admin:api:redis_prime", request_method="POST", renderer=REDIS_PAGE)
@view_config(route_name="admin:api:redis_prime|json", request_method="POST", renderer="json")
def redis_prime_run(request):
    settings = request.app_settings
    # the reads run in a session of their own: a POST's session takes SQLite's write lock
    # (BEGIN IMMEDIATE), which would hold every other writer back for the whole prime
    try:
        with request.registry["dbsession_factory"]() as reader:
            counts = redis_prime.prime_all(reader, settings)
    except redis_prime.RedisPrimeError as exc:
        _log_in_own_transaction(request, "Redis__prime__error", {"error": str(exc), **exc.counts})
        raise
    log_operation(request.dbsession, "Redis__prime", counts)
    return {
        "result": "success",
        "operation": "redis-prime",
        "instructions": "Every active domain with a usable certificate was written to Redis.",
        "redis_config": _redis_config(settings),
        **counts,
    }


# --- nginx --------------------------------------------------------------------------------------


def _nginx_config(settings) -> dict:
    return {
        "nginx.servers_pool": list(settings.nginx_servers_pool or ()),
        "nginx.reset_path": settings.nginx_reset_path,
        "nginx.status_path": settings.nginx_status_path,
        "nginx.timeout": settings.nginx_timeout,
        "nginx.userpass": "set" if settings.nginx_userpass else "not set",
    }


def _nginx_page(request, operation: str, purpose: str, data: dict | None = None, **extra) -> dict:
    """GET (``data`` None): instructions to POST. POST: the per-server answers."""
    if data is None:
        page = instructions("POST to " + purpose, {})
    else:
        page = {"result": data["result"], "instructions": purpose[0].upper() + purpose[1:], **data}
    page.update(operation=operation, nginx_config=_nginx_config(request.app_settings), **extra)
    return page


def _log_nginx(request, event_type: str, data: dict, objects=()) -> None:
    status = data["servers_status"]
    payload = {"result": data["result"], "success": status["success"], "errors": status["errors"]}
    log_operation(request.dbsession, event_type, payload, objects)


def _flush_purpose(settings) -> str:
    return f"expire the whole certificate cache of every nginx server (GET {settings.nginx_reset_path}/all)."


@view_config(route_name="admin:api:nginx_cache_flush", request_method="GET", renderer=NGINX_PAGE)
@view_config(route_name="admin:api:nginx_cache_flush|json", request_method="GET", renderer="json")
def nginx_cache_flush_form(request):
    return _nginx_page(request, "nginx-cache-flush", _flush_purpose(request.app_settings))


@view_config(route_name="admin:api:nginx_cache_flush", request_method="POST", renderer=NGINX_PAGE)
@view_config(route_name="admin:api:nginx_cache_flush|json", request_method="POST", renderer="json")
def nginx_cache_flush_run(request):
    data = nginx_cache.expire_all(request.app_settings)
    _log_nginx(request, "Nginx__cache_flush", data)
    return _nginx_page(request, "nginx-cache-flush", _flush_purpose(request.app_settings), data)


@view_config(route_name="admin:api:nginx_status", renderer=NGINX_PAGE)
@view_config(route_name="admin:api:nginx_status|json", renderer="json")
def nginx_status(request):
    """GET and POST alike: reading the status changes nothing."""
    settings = request.app_settings
    purpose = f"what each nginx server holds in its certificate cache (GET {settings.nginx_status_path})."
    return _nginx_page(request, "nginx-status", purpose, nginx_cache.status(settings))


def _expire_target(request) -> dict:
    """The Domain, or the CertificateSigned and its domains, in context."""
    context = request.context
    if isinstance(context, Domain):
        return {
            "type": "Domain", "id": context.id, "label": f"Domain {context.domain_name}",
            "url": request.route_path("admin:domain:focus", domain=context.domain_name),
            "domains": [context.domain_name],
        }  # fmt: skip
    set_id = context.unique_fqdn_set_id
    return {
        "type": "CertificateSigned", "id": context.id, "label": f"CertificateSigned {context.id}",
        "url": request.route_path("admin:certificate_signed:focus", id=context.id),
        "domains": queries.domain_names_for_sets(request.dbsession, [set_id]).get(set_id, []),
    }  # fmt: skip


def _expire_purpose(request, target: dict) -> str:
    path = request.app_settings.nginx_reset_path
    names = ", ".join(target["domains"])
    return f"expire {names} in the certificate cache of every nginx server (GET {path}/domain/{{name}})."


@view_config(route_name="admin:domain:nginx_cache_expire", request_method="GET", renderer=NGINX_PAGE)
@view_config(route_name="admin:domain:nginx_cache_expire|json", request_method="GET", renderer="json")
@view_config(route_name="admin:certificate_signed:nginx_cache_expire", request_method="GET", renderer=NGINX_PAGE)
@view_config(route_name="admin:certificate_signed:nginx_cache_expire|json", request_method="GET", renderer="json")
def nginx_cache_expire_form(request):
    target = _expire_target(request)
    return _nginx_page(request, "nginx-cache-expire", _expire_purpose(request, target), target=target)


@view_config(route_name="admin:domain:nginx_cache_expire", request_method="POST", renderer=NGINX_PAGE)
@view_config(route_name="admin:domain:nginx_cache_expire|json", request_method="POST", renderer="json")
@view_config(route_name="admin:certificate_signed:nginx_cache_expire", request_method="POST", renderer=NGINX_PAGE)
@view_config(route_name="admin:certificate_signed:nginx_cache_expire|json", request_method="POST", renderer="json")
def nginx_cache_expire_run(request):
    target = _expire_target(request)
    # end the transaction that loaded the target (on SQLite a POST holds the write lock)
    # before waiting on the servers; the event is written in a new one
    request.tm.commit()
    request.tm.begin()
    data = nginx_cache.expire_domains(request.app_settings, target["domains"])
    objects = [(target["type"], target["id"], data["result"])]
    _log_nginx(request, f"{target['type']}__nginx_cache_expire", data, objects)
    return _nginx_page(request, "nginx-cache-expire", _expire_purpose(request, target), data, target=target)
