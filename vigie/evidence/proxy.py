"""A forward proxy on 127.0.0.1 that the capture's Chromium must use: every connection it opens,
redirects included, passes the egress policy here.

Playwright's request interception sees the requests a page makes but not the hops of a redirect,
which the browser follows by itself; and the browser resolves names on its own, so a name could
answer differently to it than to our check. The proxy closes both holes: it checks each target
(``CONNECT host:port`` for HTTPS, the absolute URL for plain HTTP) and connects to the very address
it checked. A plain-HTTP exchange carries ``Connection: close``, so one client connection can never
be reused towards another host.
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import threading
from types import TracebackType
from urllib.parse import urlsplit

from vigie.core.egress import EgressRefused, check_url, resolve_allowed

MAX_HEAD_BYTES = 64 * 1024
IDLE_SECONDS = 30.0
_HOP_HEADERS = (b"proxy-connection", b"connection", b"keep-alive", b"proxy-authorization")


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    sockets = [client, upstream]
    while True:
        readable, _w, _x = select.select(sockets, [], [], IDLE_SECONDS)
        if not readable:
            return
        for sock in readable:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            other = upstream if sock is client else client
            try:
                other.sendall(data)
            except OSError:
                return


class EgressProxy:
    """``with EgressProxy() as proxy:`` then launch the browser with ``proxy.chromium_args``."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def chromium_args(self) -> list[str]:
        # Chromium sends loopback straight out unless told otherwise ("<-loopback>").
        return [f"--proxy-server={self.address}", "--proxy-bypass-list=<-loopback>"]

    def _refuse(self, client: socket.socket, target: str) -> None:
        with self._lock:
            self.blocked.append(target[:500])
        with contextlib.suppress(OSError):
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(IDLE_SECONDS)
        buffer = b""
        try:
            while b"\r\n\r\n" not in buffer:
                chunk = client.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                if len(buffer) > MAX_HEAD_BYTES:
                    return
        except OSError:
            return
        head, _sep, rest = buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        try:
            method, target, version = lines[0].decode("latin-1").split(" ", 2)
        except ValueError:
            return
        if method.upper() == "CONNECT":
            self._tunnel(client, target, rest)
        else:
            self._forward(client, method, target, version, lines[1:], rest)

    def _tunnel(self, client: socket.socket, target: str, rest: bytes) -> None:
        host, _sep, port_text = target.rpartition(":")
        try:
            port = int(port_text)
            addresses = resolve_allowed(host, port)
        except (ValueError, EgressRefused):
            self._refuse(client, f"https://{target}")
            return
        try:
            upstream = socket.create_connection((str(addresses[0]), port), timeout=IDLE_SECONDS)
        except OSError:
            with contextlib.suppress(OSError):
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            _pipe(client, upstream)

    def _forward(
        self, client: socket.socket, method: str, target: str, version: str, headers: list[bytes], rest: bytes
    ) -> None:
        try:
            addresses = check_url(target)
        except EgressRefused:
            self._refuse(client, target)
            return
        parts = urlsplit(target)
        port = parts.port or 80
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kept = [line for line in headers if line.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS]
        request = b"\r\n".join([f"{method} {path} {version}".encode("latin-1"), *kept, b"Connection: close"])
        try:
            upstream = socket.create_connection((str(addresses[0]), port), timeout=IDLE_SECONDS)
        except OSError:
            with contextlib.suppress(OSError):
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        with upstream:
            upstream.sendall(request + b"\r\n\r\n" + rest)
            _pipe(client, upstream)

    def __enter__(self) -> EgressProxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
