"""The application served by waitress on a free loopback port, in a background thread."""

from __future__ import annotations

import threading

from waitress.server import create_server


class LiveServer:
    """A real HTTP server around a WSGI app; commits are real, so give it its own app/database."""

    def __init__(self, wsgi_app, threads: int = 8):
        self.server = create_server(
            wsgi_app, host="127.0.0.1", port=0, threads=threads, backlog=1024, clear_untrusted_proxy_headers=True
        )
        self.port = int(self.server.effective_port)
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.run, name=f"waitress-{self.port}", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.close()
        self._thread.join(timeout=5)
