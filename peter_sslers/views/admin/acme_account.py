"""ACME servers, accounts and account keys in the store (the ACME operations live elsewhere)."""

from __future__ import annotations

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib import formats, presenters
from ...lib.db import acme_accounts
from ...lib.db.common import paginate
from ...lib.errors import InvalidRequest, is_id
from ...model import AcmeAccount, AcmeAccountKey, AcmeServer, PrivateKey
from ._base import download, instructions, page_number, read_field, see_other

UPLOAD_FIELDS = {
    "account_key_file": "an account key (PEM); give acme_server_id with it",
    "acme_server_id": "with account_key_file: the id of the ACME server (see acme-servers.json)",
    "contact": "optional, with account_key_file: the contact email",
    "certbot_private_key_json": "or certbot's private_key.json (a JWK); give regr and meta too",
    "certbot_regr_json": "with certbot_private_key_json: certbot's regr.json",
    "certbot_meta_json": "with certbot_private_key_json: certbot's meta.json",
    "certbot_server": "optional: certbot's server directory, e.g. acme-v02.api.letsencrypt.org/directory",
}


class AcmeAccountViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.dbsession = request.dbsession

    @view_config(route_name="admin:acme_servers", renderer="/admin/acme_servers.mako")
    @view_config(route_name="admin:acme_servers|json", renderer="json")
    def servers(self):
        rows = self.dbsession.execute(sa.select(AcmeServer).order_by(AcmeServer.id)).scalars()
        return {"result": "success", "acme_servers": [presenters.acme_server(s) for s in rows]}

    @view_config(route_name="admin:acme_accounts", renderer="/admin/acme_accounts.mako")
    @view_config(route_name="admin:acme_accounts|json", renderer="json")
    def listing(self):
        page = paginate(
            self.dbsession, sa.select(AcmeAccount).order_by(AcmeAccount.id.desc()), page_number(self.request)
        )
        return {
            "result": "success",
            "acme_accounts": [presenters.acme_account(a) for a in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:acme_account:upload", request_method="GET", renderer="/admin/acme_account_upload.mako")
    @view_config(route_name="admin:acme_account:upload|json", request_method="GET", renderer="json")
    def upload_form(self):
        return instructions(
            "POST either a PEM account key with acme_server_id, or certbot's three account files.",
            UPLOAD_FIELDS,
            "curl --form certbot_private_key_json=@private_key.json --form certbot_regr_json=@regr.json "
            "--form certbot_meta_json=@meta.json --form certbot_server=acme-v02.api.letsencrypt.org/directory "
            "ADMIN/acme-account/upload.json",
        )

    def _upload(self) -> dict:
        jwk = read_field(self.request, "certbot_private_key_json", required=False)
        if jwk is not None:
            account, created = acme_accounts.import_certbot_account(
                self.dbsession, jwk, read_field(self.request, "certbot_regr_json"),
                read_field(self.request, "certbot_meta_json", required=False),
                self.request.POST.get("certbot_server"),
            )
        else:
            account, created = acme_accounts.import_pem_account(
                self.dbsession, read_field(self.request, "account_key_file"),
                self.request.POST.get("acme_server_id"), self.request.POST.get("contact"),
            )
        return {"result": "success", "acme_account": {**presenters.acme_account(account), "created": created}}

    @view_config(route_name="admin:acme_account:upload|json", request_method="POST", renderer="json")
    def upload_json(self):
        return self._upload()

    @view_config(route_name="admin:acme_account:upload", request_method="POST")
    def upload_html(self):
        data = self._upload()
        return see_other(self.request, "admin:acme_account:focus", "upload", id=data["acme_account"]["id"])

    @view_config(route_name="admin:acme_account:focus", renderer="/admin/acme_account.mako")
    @view_config(route_name="admin:acme_account:focus|json", renderer="json")
    def focus(self):
        account = self.context
        keys = self.dbsession.execute(
            sa.select(PrivateKey).where(PrivateKey.acme_account_id__owner == account.id)
            .order_by(PrivateKey.id.desc()).limit(50)
        ).scalars()
        return {
            "result": "success",
            "acme_account": presenters.acme_account(account),
            "acme_server": presenters.acme_server(account.acme_server),
            "acme_account_keys": [presenters.acme_account_key(k) for k in account.keys],
            "private_keys_owned": [presenters.private_key(k) for k in keys],
        }

    @view_config(route_name="admin:acme_account_keys", renderer="/admin/acme_account_keys.mako")
    @view_config(route_name="admin:acme_account_keys|json", renderer="json")
    def keys(self):
        page = paginate(
            self.dbsession, sa.select(AcmeAccountKey).order_by(AcmeAccountKey.id.desc()), page_number(self.request)
        )
        return {
            "result": "success",
            "acme_account_keys": [presenters.acme_account_key(k) for k in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:acme_account_key:focus", renderer="/admin/acme_account_key.mako")
    @view_config(route_name="admin:acme_account_key:focus|json", renderer="json")
    def key_focus(self):
        return {"result": "success", "acme_account_key": presenters.acme_account_key(self.context)}

    @view_config(route_name="admin:acme_account_key:download")
    def key_download(self):
        filename = self.request.matchdict["filename"]
        body, content_type = formats.private_key(self.context.key_pem, formats.split_filename(filename)[1])
        return download(body, content_type, filename)


NEW_FIELDS = {
    "acme_server_id": "the id of the ACME server (default: the default server)",
    "contact": "the contact email (recommended)",
    "key_technology": "the account key: RSA_2048, RSA_3072, RSA_4096, EC_P256 (default) or EC_P384",
    "tos_agreed": "1 to agree to the server's terms of service (required by most servers)",
    "eab_kid": "External Account Binding key id, when the server requires it",
    "eab_hmac_key": "External Account Binding HMAC key (base64url), with eab_kid",
    "private_key_cycle": "how this account's orders pick keys (default single_certificate)",
    "private_key_technology": "the key technology of this account's orders (default RSA_2048)",
}


class AcmeAccountNewViews:
    def __init__(self, context, request):
        self.request = request
        self.dbsession = request.dbsession

    @view_config(route_name="admin:acme_account:new", request_method="GET", renderer="/admin/acme_account_new.mako")
    @view_config(route_name="admin:acme_account:new|json", request_method="GET", renderer="json")
    def form(self):
        servers = self.dbsession.execute(sa.select(AcmeServer).order_by(AcmeServer.id)).scalars()
        data = instructions("POST to generate an account key and register it on the ACME server.", NEW_FIELDS)
        data["acme_servers"] = [presenters.acme_server(s) for s in servers]
        return data

    def _create(self) -> dict:
        from ...lib.acme import accounts
        from ...model.enums import KeyTechnology, PrivateKeyCycle

        post = self.request.POST
        server_id = post.get("acme_server_id") or ""
        if not server_id:
            server_id = str(self.dbsession.execute(
                sa.select(AcmeServer.id).where(AcmeServer.is_default.is_(True))
            ).scalar_one_or_none() or "")
        if not is_id(server_id):
            raise InvalidRequest("choose an ACME server", {"acme_server_id": "the id of an AcmeServer"})
        eab = None
        if post.get("eab_kid") or post.get("eab_hmac_key"):
            if not (post.get("eab_kid") and post.get("eab_hmac_key")):
                raise InvalidRequest("give both eab_kid and eab_hmac_key", {"eab_hmac_key": "required with eab_kid"})
            eab = (post["eab_kid"].strip(), post["eab_hmac_key"].strip())
        cycle = accounts.parse_enum(PrivateKeyCycle, post.get("private_key_cycle"), "private_key_cycle",
                                    default=PrivateKeyCycle.SINGLE_CERTIFICATE)
        if cycle == PrivateKeyCycle.ACCOUNT_KEY_DEFAULT:
            raise InvalidRequest("an account's own default cannot defer to itself",
                                 {"private_key_cycle": "choose a concrete strategy"})
        account = accounts.create_account(
            self.dbsession, self.request.acme_env,
            acme_server_id=int(server_id),
            contact=accounts.parse_contact(post.get("contact")),
            key_technology=accounts.parse_enum(KeyTechnology, post.get("key_technology"), "key_technology",
                                               default=KeyTechnology.EC_P256),
            tos_agreed=post.get("tos_agreed", "").lower() in ("1", "true", "yes", "on"),
            eab=eab,
            private_key_cycle=cycle,
            private_key_technology=accounts.parse_enum(
                KeyTechnology, post.get("private_key_technology"), "private_key_technology",
                default=KeyTechnology.RSA_2048),
        )
        return {"result": "success", "acme_account": presenters.acme_account(account)}

    @view_config(route_name="admin:acme_account:new|json", request_method="POST", renderer="json")
    def create_json(self):
        return self._create()

    @view_config(route_name="admin:acme_account:new", request_method="POST")
    def create_html(self):
        data = self._create()
        return see_other(self.request, "admin:acme_account:focus", "new account", id=data["acme_account"]["id"])
