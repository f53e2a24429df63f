"""Stand-ins of the platforms for the demo, served in process on loopback by ``vigie demo``.

The demo organisation's connected sources (Google, Trustpilot, Mastodon, Bluesky, Facebook,
Instagram, X, YouTube, Reddit, the feeds) point here, so that fetching, publishing, editing and deleting replies go through the real
connectors, the real outbox and real HTTP, exactly as in production, and nothing reaches a real
platform with the demo's made-up credentials. The sandbox's home page lists every write it
received: the reply a user published is seen arriving "on the platform".
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db import connections
from django.utils import timezone

from vigie.connectors.actions import do_update_source
from vigie.connectors.models import Source
from vigie.connectors.registry import UnknownPlatform, get_connector_class
from vigie.core.models import Organisation
from vigie.demo.sandbox.routes import Answer, Write, forget_replies, route

__all__ = ["Sandbox", "point_demo_sources", "start_sandbox"]

MAX_BODY = 1024 * 1024
JOURNAL_SIZE = 200
_LOOPBACK_BASE = re.compile(r"^http://127\.0\.0\.1:\d+/")
ACTION_LABELS = {
    "reply": "Réponse publiée",
    "post": "Publication du compte",
    "delete": "Supprimé",
    "hide": "Commentaire masqué",
    "show": "Commentaire réaffiché",
    "message": "Message privé envoyé",
}


class Sandbox:
    """A running sandbox: its address and the writes it received, newest first."""

    def __init__(self) -> None:
        self.writes: deque[Write] = deque(maxlen=JOURNAL_SIZE)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="vigie-sandbox", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def record(self, write: Write) -> None:
        with self._lock:
            self.writes.appendleft(write)

    def start(self) -> Sandbox:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def home_page(self) -> str:
        with self._lock:
            writes = list(self.writes)
        rows = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>".format(
                html.escape(timezone.localtime(write.at).strftime("%d/%m/%Y %H:%M:%S")),
                html.escape(write.platform),
                ACTION_LABELS.get(write.action, write.action),
                html.escape(write.target[-40:]),
                html.escape(write.text).replace("\n", "<br>"),
            )
            for write in writes
        )
        empty = '<p class="empty">Aucune réponse reçue pour l\'instant.</p>'
        table = (
            "<table><thead><tr><th>Reçue le</th><th>Plateforme</th><th>Action</th><th>Élément</th>"
            f"<th>Texte</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        return (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Plateformes simulées — démo Vigie</title><style>"
            "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933}"
            "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d9e2ec;"
            "padding:.4rem;text-align:left;vertical-align:top}.empty{color:#52606d}"
            "</style></head><body><h1>Plateformes simulées de la démo</h1>"
            "<p>Les sources de la démo (Google, Trustpilot, Mastodon, Bluesky, Facebook, Instagram, X, "
            "YouTube, Reddit, flux) parlent à ces imitations des plateformes. Chaque réponse publiée "
            "et chaque message privé envoyé depuis Vigie apparaissent ici, comme ils apparaîtraient "
            "sur la plateforme.</p>"
            f"{table if writes else empty}</body></html>"
        )


def _handler_for(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "VigieSandbox"

        def log_message(self, format: str, *args: Any) -> None:
            return  # the demo's console is for Vigie's own messages

        def _answer(self, answer: Answer) -> None:
            payload = json.dumps(answer.json).encode() if answer.json is not None else answer.text.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload and self.command != "HEAD":
                self.wfile.write(payload)

        def _dispatch(self) -> None:
            path = urlsplit(self.path).path
            if self.command == "GET" and path in ("", "/"):
                self._answer(Answer(text=sandbox.home_page(), content_type="text/html; charset=utf-8"))
                return
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
            raw = self.rfile.read(length) if length else b""
            # A read's parameters come in its query string; a write's in its JSON body.
            body: dict[str, Any] = {
                key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()
            }
            content_type = self.headers.get("Content-Type") or ""
            if raw and "json" in content_type:
                try:
                    decoded = json.loads(raw)
                except ValueError:
                    decoded = None
                body = decoded if isinstance(decoded, dict) else {}
            elif raw and "x-www-form-urlencoded" in content_type:
                # Reddit's writes (and the OAuth grants) are forms.
                form = parse_qs(raw.decode("utf-8", "replace"))
                body = {**body, **{key: values[0] for key, values in form.items()}}
            found = route(self.command, path)
            if found is None:
                self._answer(Answer(status=404, json={"error": "NotFound", "message": "no such route"}))
                return
            handler, match = found
            try:
                self._answer(handler(match, body, sandbox.record))
            finally:
                # Handlers that read the demo's data use this thread's own database connection.
                connections.close_all()

        do_GET = do_POST = do_PUT = do_DELETE = _dispatch

    return Handler


def start_sandbox() -> Sandbox:
    """Serve the stand-ins on a free port of loopback, and let Vigie's egress policy reach it."""
    allowed = [entry for entry in os.environ.get("VIGIE_EGRESS_ALLOW", "").split(",") if entry.strip()]
    if "127.0.0.1" not in allowed:
        os.environ["VIGIE_EGRESS_ALLOW"] = ",".join([*allowed, "127.0.0.1"])
    forget_replies()  # a new sandbox is a platform where nothing was answered yet
    return Sandbox().start()


def point_demo_sources(organisation: Organisation, base_url: str) -> int:
    """Point the organisation's demo sources at the sandbox served at ``base_url``.

    Only addresses on loopback are rewritten (the demo's own, from this or an earlier run), through
    the sources' own validated update, which also schedules a poll. Returns how many changed.
    """
    changed = 0
    for source in Source.objects.filter(organisation=organisation).order_by("pk"):
        try:
            get_connector_class(source.platform)
        except UnknownPlatform:
            continue
        config = dict(source.config)
        for key in ("base_url", "token_url", "url"):
            value = config.get(key)
            if isinstance(value, str) and _LOOPBACK_BASE.match(value):
                config[key] = _LOOPBACK_BASE.sub(base_url.rstrip("/") + "/", value)
        if config != source.config:
            do_update_source(source, config=config)
            changed += 1
    return changed
