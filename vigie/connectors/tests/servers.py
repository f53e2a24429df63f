"""A scripted HTTP server on 127.0.0.1 for connector tests: real sockets, real HTTP, no network.

    with local_server() as server:
        server.add("GET", "/feed", 200, body, {"ETag": '"v1"'})
        connector = FeedConnector(FeedConfig(url=server.url("/feed")))

Responses queued for a route are served in order, the last one repeating; every request is
recorded (method, path with query, headers, body) for assertions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Scripted:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class LocalServer:
    port: int
    routes: dict[tuple[str, str], list[Scripted]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: bytes | str = b"",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes.setdefault((method, path), []).append(Scripted(status, data, headers or {}))

    def respond(self, method: str, path: str) -> Scripted:
        bare = path.split("?", 1)[0]
        queue = self.routes.get((method, path)) or self.routes.get((method, bare))
        if not queue:
            return Scripted(404, b"not found", {})
        return queue.pop(0) if len(queue) > 1 else queue[0]


@contextmanager
def local_server() -> Iterator[LocalServer]:
    """A started server on a free loopback port, stopped on exit."""
    state = LocalServer(port=0)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(
                Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            answer = state.respond(self.command, self.path)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
