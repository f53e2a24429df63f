"""Collect everything a capture of one mention keeps, without touching the database.

The page is fetched twice on purpose: directly (the HTTP exchange: headers, TLS chain, resolved
address, the HTML as served) and in headless Chromium (screenshot, PDF, rendered DOM, MHTML). What
cannot be had is written down in ``reasons`` and the rest is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vigie.core.egress import EgressRefused, check_url
from vigie.evidence import exchange, render
from vigie.mentions.models import Mention


def utc_now() -> datetime:
    """The machine clock in UTC, to the millisecond (what the manifest says)."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _pretty(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")


def mention_description(mention: Mention) -> dict[str, Any]:
    author = mention.author
    return {
        "id": mention.pk,
        "external_id": mention.external_id,
        "platform": mention.source.platform if mention.source_id else "",
        "kind": mention.kind,
        "url": mention.url,
        "published_at": iso(mention.created_at),
        "author": {
            "handle": author.handle,
            "display_name": author.display_name,
            "profile_url": author.profile_url,
            "external_id": author.external_id,
        }
        if author is not None
        else None,
    }


@dataclass
class Collected:
    """The files of one capture and what the manifest says about how they were made."""

    url: str
    started_at: datetime
    finished_at: datetime | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    rendered: bool = False

    @property
    def status(self) -> str:
        if not self.rendered:
            return "failed"
        return "partial" if self.reasons else "complete"


def collect(mention: Mention) -> Collected:
    """Capture ``mention``'s page and keep its stored API payload."""
    collected = Collected(url=mention.url, started_at=utc_now())
    collected.files["payload.json"] = _pretty(
        {"mention": mention_description(mention), "text": mention.text, "raw": mention.raw}
    )
    environment: dict[str, Any] = {"system": render.system_description()}
    if not mention.url:
        collected.reasons.append("la mention n'a pas d'adresse de page à capturer")
    else:
        try:
            check_url(mention.url)
        except EgressRefused as exc:
            collected.reasons.append(f"{exc} : la page n'a pas été demandée")
        else:
            fetched = exchange.fetch(mention.url)
            collected.files["http.json"] = _pretty(fetched.as_record())
            if fetched.body:
                collected.files["served.html"] = fetched.body
            for hop in fetched.hops:
                problem = (hop.get("tls") or {}).get("verification_error")
                if problem:
                    collected.reasons.append(
                        f"certificat TLS non vérifié ({hop['request']['url']}) : {problem}"
                    )
            if fetched.error:
                collected.reasons.append(f"requête directe : {fetched.error}")
            elif fetched.status is not None and fetched.status >= 400:
                collected.reasons.append(f"requête directe : HTTP {fetched.status}")
            rendering = render.render(mention.url)
            collected.files.update(rendering.files)
            collected.reasons.extend(rendering.problems)
            if rendering.blocked and rendering.rendered:
                collected.reasons.append(
                    f"{len(rendering.blocked)} ressource(s) de la page non chargée(s) : adresse non autorisée"
                )
            collected.rendered = rendering.rendered
            environment.update(
                {
                    "browser": rendering.browser,
                    "final_url": rendering.final_url,
                    "status": rendering.status,
                    "server_address": rendering.server_address,
                    "security_details": rendering.security_details,
                    "blocked_requests": rendering.blocked,
                    "refused_connections": rendering.refused_connections,
                }
            )
    collected.finished_at = utc_now()
    environment["started_at"] = iso(collected.started_at)
    environment["finished_at"] = iso(collected.finished_at)
    environment["clock"] = "horloge de la machine, UTC"
    collected.files["environment.json"] = _pretty(environment)
    return collected
