"""ACME v2 client (RFC 8555, RFC 9773 ARI, profiles) used by peter_sslers.

Three layers, none of which knows about Pyramid or SQLAlchemy:

* :mod:`.network` - HTTP, nonce pool, JWS requests, ``badNonce`` retry, ``Retry-After``,
  logging (logger ``peter_sslers.lib.acme_v2.*``) and the :mod:`.events` exchange log;
* :mod:`.client` - :class:`AcmeClient`, the protocol operations, returning the typed
  objects of :mod:`.messages`, with polling deadlines (:mod:`.polling`);
* :mod:`.errors` - exceptions built from ACME problem documents.
"""

from .client import REVOCATION_REASONS, AcmeClient, ari_cert_id
from .errors import (
    AcmeError,
    AcmeNetworkError,
    AcmeOrderFailed,
    AcmePollingTimeout,
    AcmeProblem,
    AcmeProtocolError,
    AcmeTimeout,
    AcmeUnsupported,
)
from .events import AcmeExchange, Action, acme_context
from .jws import Signer, dns01_txt_value, key_authorization
from .messages import (
    Account,
    Authorization,
    CertificateChains,
    Challenge,
    Directory,
    DirectoryMeta,
    Identifier,
    Order,
    Problem,
    RenewalInfo,
    Status,
)
from .network import parse_retry_after

__all__ = [
    "REVOCATION_REASONS",
    "Account",
    "AcmeClient",
    "AcmeError",
    "AcmeExchange",
    "AcmeNetworkError",
    "AcmeOrderFailed",
    "AcmePollingTimeout",
    "AcmeProblem",
    "AcmeProtocolError",
    "AcmeTimeout",
    "AcmeUnsupported",
    "Action",
    "Authorization",
    "CertificateChains",
    "Challenge",
    "Directory",
    "DirectoryMeta",
    "Identifier",
    "Order",
    "Problem",
    "RenewalInfo",
    "Signer",
    "Status",
    "acme_context",
    "ari_cert_id",
    "dns01_txt_value",
    "key_authorization",
    "parse_retry_after",
]
