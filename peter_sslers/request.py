"""The application's request class: ``request.app_settings``, ``dbsession`` and ``acme_env``."""

from __future__ import annotations

from pyramid.decorator import reify
from pyramid.request import Request

from .settings import AppSettings


def _acme_env(request):
    """ACME clients for this request; their exchanges are stored once the request is over."""
    from .lib.acme.clients import AcmeEnv

    def checkpoint() -> None:
        # flush first: a session that only changed attributes since the last commit has not
        # joined the new transaction yet, and its changes would be silently dropped
        request.dbsession.flush()
        request.tm.commit()
        request.tm.begin()

    env = AcmeEnv.for_session_factory(
        request.app_settings, request.registry["dbsession_factory"], checkpoint=checkpoint
    )
    clock = request.registry.get("clock")  # tests install a fake clock here
    if clock is not None:
        env.clock = clock
    request.add_finished_callback(lambda _request: env.recorder.flush())
    return env


class PeterSSLersRequest(Request):
    """The app's request: its extras are declared here, not added per request (Pyramid builds a
    class for every request that has ``add_request_method`` properties: slow on hot paths)."""

    @reify
    def app_settings(self) -> AppSettings:
        return self.registry["app_settings"]

    @reify
    def dbsession(self):
        from .model import request_dbsession

        return request_dbsession(self)

    @reify
    def acme_env(self):
        return _acme_env(self)
