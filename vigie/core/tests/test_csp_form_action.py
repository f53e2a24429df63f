"""The Content-Security-Policy keeps forms on Vigie (form-action 'self'), frames out (frame-ancestors
'none') and the base URL Vigie's own (base-uri 'self'): an injected <form action="https://…"> could
otherwise carry a typed password or reply away. Google's consent screen, where the connect form's
redirect leads, is the one other origin a form may lead to, on that page only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source

VIGIE = Path(__file__).parents[2]


def _directives(response: Any) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def test_every_page_keeps_forms_frames_and_base_on_vigie(tenant: Tenant, login: Any) -> None:
    for response in (
        Client().get(reverse("login")),
        login(tenant.manager).get(reverse("inbox")),
        login(tenant.manager).get(reverse("settings")),
    ):
        directives = _directives(response)
        assert directives["form-action"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["base-uri"] == "'self'"
        assert directives["script-src"] == "'self'"


def test_no_template_posts_a_form_to_another_origin() -> None:
    """form-action 'self' would break such a form: every form's action is a path of Vigie's."""
    offenders = []
    for template in VIGIE.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b[^>]*>", text):
            action = re.search(r'\baction="([^"]*)"', form)
            if action and re.match(r"(https?:)?//", action.group(1)):
                offenders.append(f"{template.relative_to(VIGIE)}: {form}")
    assert offenders == []


def test_the_google_connect_page_lets_its_form_lead_to_the_consent_screen(tenant: Tenant, login: Any) -> None:
    source = do_create_source(
        tenant.organisation,
        platform="google_business",
        name="Avis Google",
        config={
            "account_id": "1122334455",
            "location_ids": ["9988776655"],
            "client_id": "123-abc.apps.googleusercontent.com",
            "client_secret": "GOCSPX-client-SECRET",
        },
    )
    client = login(tenant.manager)
    page = client.get(reverse("google_business_connect", args=[source.pk]))
    directives = _directives(page)
    # The form posts to Vigie, which redirects to Google: browsers hold that redirect to the
    # page's form-action, so Google's origin (and no other) is named there.
    assert directives["form-action"] == "'self' https://accounts.google.com"
    assert directives["frame-ancestors"] == "'none'"
    redirect = client.post(reverse("google_business_connect", args=[source.pk]))
    assert redirect.status_code == 302
    assert redirect["Location"].startswith("https://accounts.google.com/")
    # Any other page still keeps its forms on Vigie.
    assert _directives(client.get(reverse("sources")))["form-action"] == "'self'"
