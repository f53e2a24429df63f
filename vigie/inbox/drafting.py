"""A reply drafted by a language model through an OpenAI-compatible endpoint (``/chat/completions``).

Off unless ``VIGIE_LLM_BASE_URL`` and ``VIGIE_LLM_MODEL`` are set: then the case page offers
"Proposer un brouillon". Only the customer's message, the case's type and the charter's tone are
sent; the draft comes back into the reply box, where the quality gate checks it like any text. The
request passes the egress policy (a model served on this machine needs ``VIGIE_EGRESS_ALLOW``).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vigie.charter.queries import current_charter
from vigie.core.egress import EgressRefused, check_url, egress_client
from vigie.core.models import Membership
from vigie.inbox.models import Case
from vigie.inbox.templating.render import template_context

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0
MAX_DRAFT_CHARS = 4000
MAX_CUSTOMER_CHARS = 4000
# A chat completion is a few kilobytes; a server answering more is cut while it downloads.
MAX_ANSWER_BYTES = 1024 * 1024


def llm_available() -> bool:
    """True when an endpoint and a model are configured."""
    return bool(settings.LLM_BASE_URL and settings.LLM_MODEL)


def _messages(case: Case, membership: Membership) -> list[dict[str, str]]:
    mention = case.mention
    charter = current_charter(case.organisation)
    context = template_context(case, membership)
    channel = charter.channel(mention.source.platform)
    tone = channel.tone if channel is not None else ""
    language = "anglais" if (mention.language or "").startswith("en") else "français"
    system = (
        f"Tu rédiges la réponse publique de {case.organisation.name} à un message client, en {language}, "
        "courte, polie, sans promesse d'argent ni reconnaissance de faute, sans donnée personnelle, "
        "en proposant un contact en message privé si le problème est personnel. "
        f"Signe : {context.get('signature') or case.organisation.name}."
    )
    if tone:
        system += f" Ton de la charte : {tone}."
    customer = f"{mention.title}\n{mention.text}".strip()[:MAX_CUSTOMER_CHARS]
    user = (
        f"Plateforme : {mention.source.platform}. Type : {mention.mention_type or 'inconnu'}. "
        f"Prénom du client : {context.get('customer_name') or 'inconnu'}.\nMessage du client :\n{customer}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def draft_reply(case: Case, membership: Membership, *, client: httpx.Client | None = None) -> str:
    """The model's draft for ``case``; ``ValidationError`` with a message for the agent otherwise."""
    if not llm_available():
        raise ValidationError(_("Aucun modèle de langue n'est configuré."), code="unavailable")
    url = f"{settings.LLM_BASE_URL}/chat/completions"
    try:
        check_url(url)
    except EgressRefused:
        raise ValidationError(
            _("L'adresse du modèle de langue n'est pas autorisée."), code="egress"
        ) from None
    headers = {"Authorization": f"Bearer {settings.LLM_API_KEY}"} if settings.LLM_API_KEY else {}
    payload: dict[str, Any] = {
        "model": settings.LLM_MODEL,
        "messages": _messages(case, membership),
        "temperature": 0.3,
    }
    try:
        # The guarded client: the address is checked again where the socket opens (a name that
        # answered a public address to check_url cannot lead the key to an internal one), and a
        # runaway answer is cut while it downloads.
        http = client or egress_client(timeout=TIMEOUT_SECONDS, max_bytes=MAX_ANSWER_BYTES)
        try:
            response = http.post(url, json=payload, headers=headers)
        finally:
            if client is None:
                http.close()
        response.raise_for_status()
        text = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        # Never log the key; the status or the error class is enough to investigate.
        logger.warning("LLM draft failed: %s", exc.__class__.__name__)
        raise ValidationError(
            _("Le modèle de langue n'a pas répondu correctement : réessayez ou écrivez la réponse."),
            code="llm_failed",
        ) from None
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(_("Le modèle de langue n'a rien proposé."), code="empty")
    return text.strip()[:MAX_DRAFT_CHARS]
