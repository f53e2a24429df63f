"""The links an invitation carries: the platform's own review link, and Vigie's signed links
(review click, survey, opt-out), each naming the invitation by its token."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

from vigie.charter.document import ReviewSite

SALT = "vigie.outreach.link"
# A survey link stays valid this long; the opt-out link never expires (it must always work).
SURVEY_MAX_AGE = 60 * 60 * 24 * 90


def review_url(site: ReviewSite) -> str:
    """The platform's own review link for ``site``: Google's "write a review" page of the place,
    Trustpilot's evaluate page of the domain, else the page the charter names."""
    if site.place_id and site.platform in {"google", "google_business"}:
        return "https://search.google.com/local/writereview?" + urlencode({"placeid": site.place_id})
    if site.domain and site.platform == "trustpilot":
        return f"https://www.trustpilot.com/evaluate/{quote(site.domain.strip().lower(), safe='.-')}"
    return site.url


def sign(kind: str, token: str) -> str:
    return signing.dumps({"k": kind, "t": token}, salt=SALT, compress=False)


def unsign(kind: str, value: str, *, max_age: int | None = None) -> str | None:
    """The token a link of ``kind`` names, or None for a forged, altered, expired or other link."""
    if len(value) > 300:
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") != kind or not isinstance(data.get("t"), str):
        return None
    token: str = data["t"]
    return token


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def click_link(token: str) -> str:
    return absolute(reverse("outreach_click", args=[sign("review", token)]))


def survey_link(token: str) -> str:
    return absolute(reverse("outreach_survey", args=[sign("survey", token)]))


def optout_link(token: str) -> str:
    return absolute(reverse("outreach_optout", args=[sign("optout", token)]))
