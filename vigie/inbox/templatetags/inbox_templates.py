"""Inbox data other apps' pages show (``{% load inbox_templates %}``), and the template pages'
own filters.

The charter's pages list the pre-approved reply templates. The charter app sits below the inbox
(routing, SLAs, approvals and the quality gate read the charter), so its Python code may not read
inbox tables; its HTML composes this tag instead.
"""

from __future__ import annotations

from django import template

from vigie.connectors.platforms import platform_name
from vigie.core.models import Organisation
from vigie.inbox.models import Template
from vigie.inbox.templating.queries import pre_approved_templates as _pre_approved

register = template.Library()


@register.simple_tag
def pre_approved_templates(organisation: Organisation | None) -> list[Template]:
    """The organisation's pre-approved templates, by category then name."""
    return _pre_approved(organisation) if organisation is not None else []


@register.filter
def template_platform(slug: str) -> str:
    """The platform a template variant is written for, by its connector's one name, as the template
    form and the dashboard name it ("google_business" and "google" -> "Google Business Profile")."""
    return platform_name(slug)
