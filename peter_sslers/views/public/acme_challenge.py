"""HTTP-01 answers and the whoami probe."""

from __future__ import annotations

from pyramid.response import Response
from pyramid.view import view_config

from ...lib.db import challenges


@view_config(route_name="public:acme_challenge", request_method=("GET", "HEAD"))
def acme_challenge(request):
    """The key authorization of an active challenge; the poll is recorded on the side.

    The lookup only reads; the record is written in a short transaction of its own, so a
    busy database delays nobody's validation (see ``record_best_effort``).
    """
    token = request.matchdict["token"]
    remote_ip = request.client_addr
    factory = request.registry["dbsession_factory"]
    challenge = challenges.find_active_http01(request.dbsession, token)
    if challenge is None:
        challenges.record_best_effort(factory, challenges.record_unknown_poll, token, request.host, remote_ip)
        return Response(
            "no active challenge for this token\n", status=404, content_type="text/plain", charset="utf-8"
        )
    body = challenge.keyauthorization
    challenges.record_best_effort(factory, challenges.record_poll, challenge.id, challenge.count_polls, remote_ip)
    return Response(body, content_type="text/plain", charset="utf-8")


@view_config(route_name="public:whoami", request_method=("GET", "HEAD"))
def whoami(request):
    return Response(request.host + "\n", content_type="text/plain", charset="utf-8")
