"""Route factories: load the row a URL names, or answer 404."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound

from .. import model
from ..lib.db.domains import find_domain
from ..lib.errors import is_id


def _by_id(model_cls, label: str):
    def factory(request):
        if not is_id(request.matchdict["id"]):
            raise HTTPNotFound(f"no {label} with id {request.matchdict['id']}")
        row = request.dbsession.get(model_cls, int(request.matchdict["id"]))
        if row is None:
            raise HTTPNotFound(f"no {label} with id {request.matchdict['id']}")
        return row

    return factory


certificate_signed = _by_id(model.CertificateSigned, "CertificateSigned")
certificate_ca = _by_id(model.CertificateCA, "CertificateCA")
certificate_ca_chain = _by_id(model.CertificateCAChain, "CertificateCAChain")
certificate_request = _by_id(model.CertificateRequest, "CertificateRequest")
private_key = _by_id(model.PrivateKey, "PrivateKey")
unique_fqdn_set = _by_id(model.UniqueFQDNSet, "UniqueFQDNSet")
acme_account = _by_id(model.AcmeAccount, "AcmeAccount")
acme_account_key = _by_id(model.AcmeAccountKey, "AcmeAccountKey")
acme_order = _by_id(model.AcmeOrder, "AcmeOrder")
acme_authorization = _by_id(model.AcmeAuthorization, "AcmeAuthorization")
acme_challenge = _by_id(model.AcmeChallenge, "AcmeChallenge")
acme_orderless = _by_id(model.AcmeOrderless, "AcmeOrderless")
queue_certificate = _by_id(model.QueueCertificate, "QueueCertificate")
dns_provider = _by_id(model.DnsProvider, "DnsProvider")
acme_server = _by_id(model.AcmeServer, "AcmeServer")
acme_event_log = _by_id(model.AcmeEventLog, "AcmeEventLog")
operations_event = _by_id(model.OperationsEvent, "OperationsEvent")


def domain(request):
    """A domain by id or by name."""
    row = find_domain(request.dbsession, request.matchdict["domain"])
    if row is None:
        raise HTTPNotFound(f"no Domain {request.matchdict['domain']!r}")
    return row
