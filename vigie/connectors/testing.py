"""A tiny fake platform for connector tests: a real HTTP server on 127.0.0.1.

Connector tests talk HTTP to a local server that answers with scripted responses, so the whole
client stack (httpx, headers, status codes, JSON decoding) runs for real and no mock of our own
code is needed. Typical use::

    with FakePlatform() as platform:
        platform.add("GET", "/api/v1/notifications", json=[...], headers={"Link": "..."})
        platform.add("GET", "/api/v1/notifications", json=[], query={"max_id": "12"})
        connector = MastodonConnector(Config(base_url=platform.url, ...))
        ...
        assert platform.requests[0].headers["authorization"] == "Bearer t"

Responses are matched on method + path, then on the query parameters given with ``query`` (a
subset match). Several responses for the same route are served in order; the last one keeps being
served once the others are used up. A request nothing matches gets a 599 answer and is recorded,
so an unexpected call fails the test visibly.
"""

from __future__ import annotations

import json as json_lib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

UNMATCHED_STATUS = 599


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake platform received, as sent on the wire."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json_lib.loads(self.body.decode())

    def form(self) -> dict[str, str]:
        """The body decoded as an ``application/x-www-form-urlencoded`` form (last value wins)."""
        return {
            key: values[-1] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()
        }

    def param(self, name: str) -> str | None:
        """The last value of query parameter ``name``, or ``None``."""
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class ScriptedResponse:
    """What to answer: a status, headers and a body (bytes, text, or JSON-able data)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Route:
    method: str
    path: str
    query: dict[str, str]
    responses: list[ScriptedResponse]
    served: int = 0

    def matches(self, method: str, path: str, query: dict[str, list[str]]) -> bool:
        if method != self.method or path != self.path:
            return False
        return all(value in query.get(key, []) for key, value in self.query.items())

    def next_response(self) -> ScriptedResponse:
        response = self.responses[min(self.served, len(self.responses) - 1)]
        self.served += 1
        return response


class FakePlatform:
    """A threaded HTTP server on a free port of 127.0.0.1 that serves scripted responses."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval keeps ``stop()`` (and so each test) fast.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakePlatform:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def add(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> None:
        """Script one response for ``method path`` (optionally only when ``query`` matches).

        Calling ``add`` again for the same route and query queues another response after it.
        ``json`` is encoded with a JSON content type; ``body`` is sent as given.
        """
        response_headers = dict(headers or {})
        if json is not None:
            payload = json_lib.dumps(json).encode()
            response_headers.setdefault("Content-Type", "application/json; charset=utf-8")
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = body or b""
        scripted = ScriptedResponse(status=status, body=payload, headers=response_headers)
        wanted_query = dict(query or {})
        with self._lock:
            for route in self._routes:
                if route.method == method.upper() and route.path == path and route.query == wanted_query:
                    route.responses.append(scripted)
                    return
            self._routes.append(_Route(method.upper(), path, wanted_query, [scripted]))

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """The recorded requests for one method and path, in order."""
        return [r for r in self.requests if r.method == method.upper() and r.path == path]

    def _respond(self, request: RecordedRequest) -> ScriptedResponse:
        with self._lock:
            self.requests.append(request)
            # Routes with a query condition are more specific: try them first.
            candidates = sorted(self._routes, key=lambda route: -len(route.query))
            for route in candidates:
                if route.matches(request.method, request.path, request.query):
                    return route.next_response()
        message = f"no scripted response for {request.method} {request.path}"
        return ScriptedResponse(
            status=UNMATCHED_STATUS,
            body=json_lib.dumps({"error": message}).encode(),
            headers={"Content-Type": "application/json"},
        )

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are written separately: without this, Nagle's algorithm and
            # delayed ACKs add 40 ms to every request.
            disable_nagle_algorithm = True

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=body,
                )
                response = platform._respond(recorded)
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

            def log_message(self, format: str, *args: Any) -> None:
                # Keep test output quiet; the requests are recorded on the platform instead.
                return

        return Handler


def serve(setup: Callable[[FakePlatform], None] | None = None) -> FakePlatform:
    """A started ``FakePlatform``, optionally scripted by ``setup``; call ``stop()`` when done."""
    platform = FakePlatform().start()
    if setup is not None:
        setup(platform)
    return platform
