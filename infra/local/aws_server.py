"""moto's server mode, with DynamoDB made as atomic as the real one.

DynamoDB guarantees that a conditional write or a transaction is checked and applied as one
step. moto checks conditions in Python with no lock, so two threads can both pass the same
condition; and a failed transaction restores whole tables from a copy taken when it began,
which, run beside another request, would erase that request's writes. The local stack is
threaded (parallel requests get parallel function instances), so moto handles one request at
a time here: races are then decided the way DynamoDB decides them, and nothing is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server


class _Serialized:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            return list(self.app(environ, start_response))


class AwsServer:
    """moto in a background thread on 127.0.0.1:port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        app = _Serialized(DomainDispatcherApplication(create_backend_app))
        self._server = make_server("127.0.0.1", self.port, app, True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
