"""AcmeOrders: the new-order form, listings, focus pages, authorizations and challenges."""

from __future__ import annotations

import json

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib import presenters
from ...lib.acme import order_requests, orders
from ...lib.acme.accounts import parse_enum
from ...lib.db.common import paginate
from ...lib.db.queries import domain_names_for_sets
from ...lib.errors import InvalidRequest
from ...model import (
    AcmeAccount,
    AcmeAuthorization,
    AcmeChallenge,
    AcmeEventLog,
    AcmeOrder,
    AcmeOrder2AcmeAuthorization,
    DnsProvider,
)
from ...model.enums import (
    AcmeAuthorizationStatus,
    AcmeOrderStatus,
    KeyTechnology,
    PrivateKeyCycle,
    ProcessingStrategy,
)
from ._base import instructions, optional_int, page_number, read_field, see_other
from .logs import event_log_json

ACTIVE = (AcmeOrderStatus.PENDING, AcmeOrderStatus.READY, AcmeOrderStatus.PROCESSING)

NEW_ORDER_FIELDS = {
    "acme_account_id": "required: the AcmeAccount that orders",
    "domain_names_http01": "names validated with http-01 (comma, space or newline separated)",
    "domain_names_dns01": "names validated with dns-01, wildcards included",
    "dns_provider_id": "with dns-01 names: the DnsProvider that sets the TXT records",
    "private_key_option": "account_default (default), generate, existing or upload",
    "private_key_cycle": "with generate: single_certificate (default), account_daily, account_weekly, "
                         "global_daily or global_weekly",
    "private_key_technology": "RSA_2048, RSA_3072, RSA_4096, EC_P256 or EC_P384 (default: the account's)",
    "private_key_id": "with existing: the PrivateKey id",
    "private_key_file": "with upload: the private key (PEM)",
    "processing_strategy": "create_order, process_single (default) or process_multi",
    "profile": "optional: a certificate profile the server offers",
    "precheck": "1 to check each challenge ourselves before the server validates it",
    "is_auto_renew": "1 (default) or 0",
    "note": "optional free text",
}


def order_json(order: AcmeOrder, names: list[str] | None = None) -> dict:
    data = {
        "id": presenters.sid(order.id),
        "status": order.status,
        "order_type": order.order_type,
        "processing_strategy": order.processing_strategy,
        "processing_status": order.processing_status,
        "order_url": order.order_url,
        "certificate_url": order.certificate_url,
        "is_auto_renew": order.is_auto_renew,
        "acme_account_id": presenters.sid(order.acme_account_id),
        "unique_fqdn_set_id": presenters.sid(order.unique_fqdn_set_id),
        "private_key_id": presenters.sid(order.private_key_id),
        "private_key_cycle": order.private_key_cycle,
        "private_key_technology": order.private_key_technology,
        "certificate_request_id": presenters.sid(order.certificate_request_id),
        "certificate_signed_id": presenters.sid(order.certificate_signed_id),
        "acme_order_id__retry_of": presenters.sid(order.acme_order_id__retry_of),
        "acme_order_id__renewal_of": presenters.sid(order.acme_order_id__renewal_of),
        "replaces": order.replaces,
        "profile": order.profile,
        "domain_names_dns01": json.loads(order.dns01_domains_json or "[]"),
        "dns_provider_id": presenters.sid(order.dns_provider_id),
        "problem": json.loads(order.problem_json) if order.problem_json else None,
        "note": order.note,
        "timestamp_created": order.timestamp_created,
        "timestamp_updated": order.timestamp_updated,
        "timestamp_expires": order.timestamp_expires,
        "timestamp_finalized": order.timestamp_finalized,
        "next_step": orders.next_step(order),
    }
    if names is not None:
        data["domain_names"] = names
    return data


def authorization_json(authz: AcmeAuthorization, domain_name: str | None = None) -> dict:
    return {
        "id": presenters.sid(authz.id),
        "authorization_url": authz.authorization_url,
        "status": authz.status,
        "domain_id": presenters.sid(authz.domain_id),
        "domain_name": domain_name,
        "is_wildcard": authz.is_wildcard,
        "timestamp_expires": authz.timestamp_expires,
        "timestamp_updated": authz.timestamp_updated,
        "timestamp_deactivated": authz.timestamp_deactivated,
    }


def challenge_json(challenge: AcmeChallenge) -> dict:
    return {
        "id": presenters.sid(challenge.id),
        "acme_authorization_id": presenters.sid(challenge.acme_authorization_id),
        "acme_orderless_id": presenters.sid(challenge.acme_orderless_id),
        "domain_id": presenters.sid(challenge.domain_id),
        "challenge_type": challenge.challenge_type,
        "status": challenge.status,
        "challenge_url": challenge.challenge_url,
        "token": challenge.token,
        "keyauthorization": challenge.keyauthorization,
        "count_polls": challenge.count_polls,
        "timestamp_updated": challenge.timestamp_updated,
    }


def parse_order_request(request) -> order_requests.OrderRequest:
    """The new-order form (or JSON client's fields) as a typed OrderRequest."""
    post = request.POST
    account_id = optional_int(post, "acme_account_id")
    if account_id is None:
        raise InvalidRequest("choose an ACME account", {"acme_account_id": "required"})
    option = post.get("private_key_option") or "account_default"
    default_cycle = PrivateKeyCycle.SINGLE_CERTIFICATE if option == "generate" else PrivateKeyCycle.ACCOUNT_KEY_DEFAULT
    return order_requests.OrderRequest(
        acme_account_id=account_id,
        domain_names_http01=post.get("domain_names_http01") or post.get("domain_names") or "",
        domain_names_dns01=post.get("domain_names_dns01") or "",
        dns_provider_id=optional_int(post, "dns_provider_id"),
        private_key_option=option,
        private_key_cycle=parse_enum(PrivateKeyCycle, post.get("private_key_cycle"), "private_key_cycle", default_cycle),
        private_key_technology=(
            parse_enum(KeyTechnology, post.get("private_key_technology"), "private_key_technology")
            if post.get("private_key_technology") else None
        ),
        private_key_id=optional_int(post, "private_key_id"),
        private_key_pem=read_field(request, "private_key_file", required=False) if option == "upload" else None,
        processing_strategy=parse_enum(
            ProcessingStrategy, post.get("processing_strategy"), "processing_strategy", ProcessingStrategy.PROCESS_SINGLE
        ),
        profile=(post.get("profile") or "").strip() or None,
        note=post.get("note"),
        is_auto_renew=post.get("is_auto_renew", "1") not in ("0", "false", "no", "off"),
    )


class AcmeOrderViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.dbsession = request.dbsession

    @view_config(route_name="admin:acme_order:new", request_method="GET", renderer="/admin/acme_order_new.mako")
    @view_config(route_name="admin:acme_order:new|json", request_method="GET", renderer="json")
    def new_form(self):
        accounts = self.dbsession.execute(
            sa.select(AcmeAccount).where(AcmeAccount.is_active.is_(True)).order_by(AcmeAccount.id)
        ).scalars()
        providers = self.dbsession.execute(
            sa.select(DnsProvider).where(DnsProvider.is_active.is_(True)).order_by(DnsProvider.id)
        ).scalars()
        data = instructions("POST to create an ACME order and process it as chosen.", NEW_ORDER_FIELDS)
        data["acme_accounts"] = [presenters.acme_account(a) for a in accounts]
        data["dns_providers"] = [{"id": str(p.id), "name": p.name, "provider_type": p.provider_type} for p in providers]
        return data

    def _create(self) -> dict:
        req = parse_order_request(self.request)
        env = self.request.acme_env
        env.precheck = self.request.POST.get("precheck") == "1"
        order = order_requests.create_local_order(self.dbsession, req, env)
        steps = orders.start(self.dbsession, env, order)
        names = domain_names_for_sets(self.dbsession, [order.unique_fqdn_set_id])[order.unique_fqdn_set_id]
        return {"result": "success", "steps": steps, "acme_order": order_json(order, names)}

    @view_config(route_name="admin:acme_order:new|json", request_method="POST", renderer="json")
    def new_json(self):
        return self._create()

    @view_config(route_name="admin:acme_order:new", request_method="POST")
    def new_html(self):
        data = self._create()
        return see_other(self.request, "admin:acme_order:focus", "new order: " + ", ".join(data["steps"]),
                         id=data["acme_order"]["id"])

    @view_config(route_name="admin:acme_orders", renderer="/admin/acme_orders.mako")
    @view_config(route_name="admin:acme_orders|json", renderer="json")
    def listing(self):
        state = self.request.params.get("state", "all")
        query = sa.select(AcmeOrder).order_by(AcmeOrder.id.desc())
        if state == "active":
            query = query.where(AcmeOrder.status.in_(ACTIVE))
        elif state == "finished":
            query = query.where(AcmeOrder.status.not_in(ACTIVE))
        elif state != "all":
            raise InvalidRequest("invalid state", {"state": "active, finished or all"})
        account_id = optional_int(self.request.params, "acme_account_id")
        if account_id is not None:
            query = query.where(AcmeOrder.acme_account_id == account_id)
        page = paginate(self.dbsession, query, page_number(self.request))
        names = domain_names_for_sets(self.dbsession, [o.unique_fqdn_set_id for o in page.items])
        return {
            "result": "success",
            "state": state,
            "acme_orders": [order_json(o, names.get(o.unique_fqdn_set_id, [])) for o in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:acme_order:focus", renderer="/admin/acme_order.mako")
    @view_config(route_name="admin:acme_order:focus|json", renderer="json")
    def focus(self):
        order = self.context
        names = domain_names_for_sets(self.dbsession, [order.unique_fqdn_set_id])[order.unique_fqdn_set_id]
        domain_names = self._domain_names([a.domain_id for a in order.authorizations])
        events = self.dbsession.execute(
            sa.select(AcmeEventLog).where(AcmeEventLog.acme_order_id == order.id)
            .order_by(AcmeEventLog.id.desc()).limit(50)
        ).scalars()
        return {
            "result": "success",
            "acme_order": order_json(order, names),
            "acme_authorizations": [authorization_json(a, domain_names.get(a.domain_id)) for a in order.authorizations],
            "acme_challenges": [challenge_json(c) for c in orders.challenge_rows(self.dbsession, order)],
            "acme_event_logs": [event_log_json(e) for e in events],
        }

    def _domain_names(self, ids: list[int]) -> dict[int, str]:
        from ...model import Domain

        if not ids:
            return {}
        return dict(self.dbsession.execute(sa.select(Domain.id, Domain.domain_name).where(Domain.id.in_(ids))).all())

    @view_config(route_name="admin:acme_authorizations", renderer="/admin/acme_authorizations.mako")
    @view_config(route_name="admin:acme_authorizations|json", renderer="json")
    def authorizations(self):
        query = sa.select(AcmeAuthorization).order_by(AcmeAuthorization.id.desc())
        status = self.request.params.get("status")
        if status:
            try:
                query = query.where(AcmeAuthorization.status == AcmeAuthorizationStatus(status))
            except ValueError:
                raise InvalidRequest("invalid status", {"status": ", ".join(s.value for s in AcmeAuthorizationStatus)}) from None
        page = paginate(self.dbsession, query, page_number(self.request))
        names = self._domain_names([a.domain_id for a in page.items])
        return {
            "result": "success",
            "acme_authorizations": [authorization_json(a, names.get(a.domain_id)) for a in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:acme_authorization:focus", renderer="/admin/acme_authorization.mako")
    @view_config(route_name="admin:acme_authorization:focus|json", renderer="json")
    def authorization(self):
        authz = self.context
        names = self._domain_names([authz.domain_id])
        order_ids = self.dbsession.execute(
            sa.select(AcmeOrder2AcmeAuthorization.acme_order_id)
            .where(AcmeOrder2AcmeAuthorization.acme_authorization_id == authz.id)
        ).scalars().all()
        return {
            "result": "success",
            "acme_authorization": authorization_json(authz, names.get(authz.domain_id)),
            "acme_challenges": [challenge_json(c) for c in authz.challenges],
            "acme_order_ids": [str(i) for i in order_ids],
        }

    @view_config(route_name="admin:acme_challenges", renderer="/admin/acme_challenges.mako")
    @view_config(route_name="admin:acme_challenges|json", renderer="json")
    def challenges(self):
        query = sa.select(AcmeChallenge).order_by(AcmeChallenge.id.desc())
        page = paginate(self.dbsession, query, page_number(self.request))
        return {
            "result": "success",
            "acme_challenges": [challenge_json(c) for c in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:acme_challenge:focus", renderer="/admin/acme_challenge.mako")
    @view_config(route_name="admin:acme_challenge:focus|json", renderer="json")
    def challenge(self):
        from ...model import AcmeChallengePoll

        polls = self.dbsession.execute(
            sa.select(AcmeChallengePoll).where(AcmeChallengePoll.acme_challenge_id == self.context.id)
            .order_by(AcmeChallengePoll.id.desc()).limit(50)
        ).scalars()
        return {
            "result": "success",
            "acme_challenge": challenge_json(self.context),
            "polls": [{"remote_ip_address": p.remote_ip_address, "timestamp_polled": p.timestamp_polled} for p in polls],
        }
