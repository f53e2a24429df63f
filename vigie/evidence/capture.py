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
from vigie.evidence.formats import french_count
from vigie.evidence.steps import step
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
    # What was done, step by step, and how each step ended (see ``vigie.evidence.steps``): the
    # manifest and the cover note say exactly this, a failed capture included.
    steps: list[dict[str, Any]] = field(default_factory=list)

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
    collected.steps.append(step("payload", "done", files=["payload.json"]))
    environment: dict[str, Any] = {"system": render.system_description()}
    not_requested = "la page n'a pas été demandée"
    if not mention.url:
        reason = "la mention n'a pas d'adresse de page à capturer"
        collected.reasons.append(reason)
        collected.steps += [
            step("address", "not_run", reason),
            step("direct_fetch", "not_run", reason),
            step("render", "not_run", reason),
        ]
    else:
        try:
            check_url(mention.url)
        except EgressRefused as exc:
            collected.reasons.append(f"{exc} : {not_requested}")
            collected.steps += [
                step("address", "refused", str(exc)),
                step("direct_fetch", "not_run", f"adresse refusée : {not_requested}"),
                step("render", "not_run", f"adresse refusée : {not_requested}"),
            ]
        else:
            collected.steps.append(step("address", "done"))
            fetched = exchange.fetch(mention.url)
            collected.files["http.json"] = _pretty(fetched.as_record())
            if fetched.body:
                collected.files["served.html"] = fetched.body
            fetch_notes: list[str] = []
            for hop in fetched.hops:
                problem = (hop.get("tls") or {}).get("verification_error")
                if problem:
                    note = f"certificat TLS non vérifié ({hop['request']['url']}) : {problem}"
                    collected.reasons.append(note)
                    fetch_notes.append(note)
            if fetched.error:
                collected.reasons.append(f"requête directe : {fetched.error}")
                fetch_notes.append(fetched.error)
            elif fetched.status is not None and fetched.status >= 400:
                collected.reasons.append(f"requête directe : HTTP {fetched.status}")
            if fetched.status is not None:
                fetch_notes.insert(0, f"réponse HTTP {fetched.status}")
            fetch_files = [name for name in ("http.json", "served.html") if name in collected.files]
            fetch_outcome = "incomplete" if fetched.error else "done"
            if fetched.error and not fetched.hops:
                fetch_outcome = "failed"
            collected.steps.append(step("direct_fetch", fetch_outcome, "; ".join(fetch_notes), fetch_files))
            rendering = render.render(mention.url)
            collected.files.update(rendering.files)
            collected.reasons.extend(rendering.problems)
            render_notes = list(rendering.problems)
            if rendering.blocked and rendering.rendered:
                blocked = french_count(
                    len(rendering.blocked),
                    "ressource de la page non chargée : adresse non autorisée",
                    "ressources de la page non chargées : adresse non autorisée",
                )
                collected.reasons.append(blocked)
                render_notes.append(blocked)
            collected.rendered = rendering.rendered
            render_outcome = "incomplete" if render_notes else "done"
            if not rendering.rendered:
                render_outcome = "failed"
            collected.steps.append(
                step("render", render_outcome, "; ".join(render_notes), list(rendering.files))
            )
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
    collected.steps.append(step("environment", "done", files=["environment.json"]))
    return collected
