"""HTTP-01 answers and the whoami probe."""

from __future__ import annotations

from pyramid.response import Response
from pyramid.view import view_config

from ...lib.db import challenges


@view_config(route_name="public:acme_challenge", request_method=("GET", "HEAD"))
def acme_challenge(request):
    token = request.matchdict["token"]
    remote_ip = request.client_addr
    challenge = challenges.find_active_http01(request.dbsession, token)
    if challenge is None:
        challenges.record_unknown_poll(request.dbsession, token, request.host, remote_ip)
        # returned, not raised: a raised error would roll the poll count back
        return Response(
            "no active challenge for this token\n", status=404, content_type="text/plain", charset="utf-8"
        )
    challenges.record_poll(request.dbsession, challenge, remote_ip)
    return Response(challenge.keyauthorization, content_type="text/plain", charset="utf-8")


@view_config(route_name="public:whoami", request_method=("GET", "HEAD"))
def whoami(request):
    return Response(request.host + "\n", content_type="text/plain", charset="utf-8")
