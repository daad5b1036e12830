"""Domains and UniqueFQDNSets: listings, focus pages, marking, and the nginx config payload."""

from __future__ import annotations

import sqlalchemy as sa
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ...lib import presenters, redis_sync
from ...lib.db import certificates, config_payloads, queries
from ...lib.db.common import log_operation, paginate
from ...lib.db.recents import update_recents
from ...lib.errors import Conflict, InvalidRequest
from ...model import Domain, UniqueFQDNSet, reading_connection
from ._base import instructions, page_number, see_other


def _order_json(order) -> dict:
    return {
        "id": str(order.id), "status": order.status, "order_type": order.order_type,
        "acme_account_id": str(order.acme_account_id), "timestamp_created": order.timestamp_created,
    }


class DomainConfigServed:
    """Event: a domain's config payload was served with ?openresty=1 (Redis write-through)."""

    def __init__(self, request, payload):
        self.request = request
        self.payload = payload


class DomainViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    @property
    def dbsession(self):  # not made for config.json, which reads through a plain session
        return self.request.dbsession

    @view_config(route_name="admin:domains", renderer="/admin/domains.mako")
    @view_config(route_name="admin:domains|json", renderer="json")
    def listing(self):
        query = sa.select(Domain).order_by(Domain.id.desc())
        active = self.request.params.get("active")
        if active in ("1", "0"):
            query = query.where(Domain.is_active.is_(active == "1"))
        page = paginate(self.dbsession, query, page_number(self.request))
        return {
            "result": "success",
            "domains": [presenters.domain(d) for d in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:domain:focus", renderer="/admin/domain.mako")
    @view_config(route_name="admin:domain:focus|json", renderer="json")
    def focus(self):
        domain = self.context
        sets = queries.sets_for_domain(self.dbsession, domain.id)
        set_ids = [s.id for s in sets]
        names = queries.domain_names_for_sets(self.dbsession, set_ids)
        certs = self.dbsession.execute(
            certificates.certificates_query(domain_id=domain.id).limit(50)
        ).scalars().all()
        return {
            "result": "success",
            "domain": presenters.domain(domain),
            "certificates_signed": [presenters.certificate_signed(c) for c in certs],
            "unique_fqdn_sets": [presenters.unique_fqdn_set(s, names.get(s.id, [])) for s in sets],
            "acme_orders": [_order_json(o) for o in queries.orders_for_set_ids(self.dbsession, set_ids)],
        }

    @view_config(route_name="admin:domain:config|json", renderer="json")
    def config(self):
        """The domain's payload for nginx/OpenResty: one statement on a plain connection.

        This is the hot path of every nginx cache miss, so it skips the ORM route factory
        and the transaction-managed request session (it only reads).
        """
        idonly = self.request.params.get("idonly") == "1"
        with reading_connection(self.request.registry["dbsession_factory"]) as connection:
            payload = config_payloads.domain_config_for(connection, self.request.matchdict["domain"], idonly=idonly)
        if payload is None:
            raise HTTPNotFound(f"no Domain {self.request.matchdict['domain']!r}")
        if self.request.params.get("openresty") == "1":
            self.request.registry.notify(DomainConfigServed(self.request, payload))
        return payload

    @view_config(route_name="admin:domain:mark|json", request_method="GET", renderer="json")
    def mark_instructions(self):
        return instructions("POST to activate or deactivate this domain.", {"action": "active or inactive"})

    def _mark(self) -> dict:
        domain = self.context
        action = self.request.POST.get("action")
        if action not in ("active", "inactive"):
            raise InvalidRequest("invalid action", {"action": "active or inactive"})
        wanted = action == "active"
        if domain.is_active == wanted:
            raise Conflict(f"the domain is already {action}")
        domain.is_active = wanted
        log_operation(self.dbsession, f"Domain__mark__{action}", {"id": domain.id}, [("Domain", domain.id, action)])
        self.dbsession.flush()
        update_recents(self.dbsession, [domain.id])
        redis_sync.write_through(self.dbsession, self.request.app_settings, [domain.id])
        return {"result": "success", "operation": f"mark {action}", "domain": presenters.domain(domain)}

    @view_config(route_name="admin:domain:mark|json", request_method="POST", renderer="json")
    def mark_json(self):
        return self._mark()

    @view_config(route_name="admin:domain:mark", request_method="POST")
    def mark_html(self):
        result = self._mark()
        return see_other(self.request, "admin:domain:focus", result["operation"], domain=str(self.context.id))

    @view_config(route_name="admin:unique_fqdn_sets", renderer="/admin/unique_fqdn_sets.mako")
    @view_config(route_name="admin:unique_fqdn_sets|json", renderer="json")
    def sets_listing(self):
        page = paginate(
            self.dbsession, sa.select(UniqueFQDNSet).order_by(UniqueFQDNSet.id.desc()), page_number(self.request)
        )
        names = queries.domain_names_for_sets(self.dbsession, [s.id for s in page.items])
        return {
            "result": "success",
            "unique_fqdn_sets": [presenters.unique_fqdn_set(s, names.get(s.id, [])) for s in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:unique_fqdn_set:focus", renderer="/admin/unique_fqdn_set.mako")
    @view_config(route_name="admin:unique_fqdn_set:focus|json", renderer="json")
    def set_focus(self):
        fqdn_set = self.context
        names = queries.domain_names_for_sets(self.dbsession, [fqdn_set.id]).get(fqdn_set.id, [])
        domains = self.dbsession.execute(
            sa.select(Domain).where(Domain.domain_name.in_(names)).order_by(Domain.domain_name)
        ).scalars().all()
        certs = queries.certificates_for_set(self.dbsession, fqdn_set.id)
        return {
            "result": "success",
            "unique_fqdn_set": presenters.unique_fqdn_set(fqdn_set, names),
            "domains": [presenters.domain(d) for d in domains],
            "certificates_signed": [presenters.certificate_signed(c) for c in certs],
            "acme_orders": [_order_json(o) for o in queries.orders_for_set_ids(self.dbsession, [fqdn_set.id])],
        }
