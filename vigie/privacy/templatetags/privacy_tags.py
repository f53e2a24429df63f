"""The DPO's way in from a case: a link to what Vigie holds about the case's author, loaded by name
from the inbox's template (``{% load privacy_tags %}{% privacy_author_link author %}``) so the
inbox never imports this app. Shown to the members who hold the DPO's duties only."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from vigie.core.roles import PROTECT_DATA

register = template.Library()


def author_subject(author: Any) -> str:
    """What the DPO would type for this author: the handle (precise), else the name shown."""
    handle = (getattr(author, "handle", "") or "").removeprefix("@")
    if handle:
        return f"@{handle}"
    return str(getattr(author, "display_name", "") or "")


@register.inclusion_tag("privacy/_author_link.html", takes_context=True)
def privacy_author_link(context: template.Context, author: Any) -> dict[str, Any]:
    request = context.get("request")
    membership = getattr(request, "membership", None)
    subject = author_subject(author) if author is not None else ""
    allowed = bool(membership and membership.can(PROTECT_DATA))
    return {
        "href": f"{reverse('privacy')}?{urlencode({'subject': subject})}#findings"
        if allowed and subject
        else "",
    }
