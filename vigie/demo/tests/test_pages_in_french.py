"""Thirty pages of the demo, as the agent and as the manager, read as a French user reads them.

No page shows a code (a platform, theme, status, type, sentiment or quality-gate slug, an audit
verb, an analyzer's name and version), an English technical word, or a time in UTC or written
without its offset where the page gives one to the machine (``<time datetime>``). The pages are
rendered in the organisation's time zone: the demo's organisation is moved to La Réunion
(UTC+4, no summer time), so a time left in UTC or in the server's zone (Paris) shows up.

Django's test client renders the pages (no browser: this walk takes seconds).
"""

from __future__ import annotations

import io
import re
import zoneinfo
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from vigie.analysis.registry import registered_analyzers
from vigie.analysis.taxonomy import DEFAULT_TAXONOMY
from vigie.connectors.models import Source
from vigie.connectors.platforms import all_platforms
from vigie.core.models import AuditEvent, Membership, Organisation, User
from vigie.demo import DEMO_SLUG
from vigie.demo.tests.fresh_cases import do_ingest_fresh_cases
from vigie.inbox.models import Case, CaseStatus, Reply, ReplyStatus, Template
from vigie.inbox.quality.labels import FINDING_LABELS
from vigie.mentions.models import MentionType, Sentiment

pytestmark = pytest.mark.django_db

ZONE = "Indian/Reunion"
OFFSET = "+04:00"

# English a user must never read (case-sensitive, whole words). Product names are not in it.
ENGLISH_TERMS = (
    "None", "null", "True", "False", "NaN", "undefined", "pending", "failed", "queued", "draft",
    "published", "approved", "submitted", "resolved", "error", "Error", "Traceback", "Exception",
    "Not Found", "Forbidden", "Server Error", "Bad Request", "priority", "score", "payload", "slug",
    "timestamp", "UTC", "GMT", "Field required", "This field", "Enter a valid", "Input should",
    "Value error", "invalid", "unknown", "status", "verb", "config", "Key", "analyzer", "Analyzer",
    "Analyseurs", "case_id", "mention_id",
)  # fmt: skip

# ISO-looking times a person should never be shown (with or without seconds / offset).
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
WORD_EDGE = r"(?<![\w@./:#=-]){}(?![\w@/-]|\.\w)"


class _VisibleText(HTMLParser):
    """What a person reads on a page in its language: text outside scripts, styles and form
    values, the option labels, and the titles, labels and placeholders shown on hover or to screen
    readers. Content marked as another language (``lang="en"`` on an English template of the
    organisation's library) is the organisation's own text, not the interface: it is left out.
    It also collects the ``datetime`` of each ``<time>``."""

    SKIPPED = frozenset({"script", "style", "head", "textarea"})
    SHOWN_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.datetimes: list[str] = []
        self.language = ""
        self._skipping = 0
        self._foreign: list[str] = []  # the tags opened since content in another language began

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.language = values.get("lang") or ""
        elif self._foreign or (values.get("lang") and values["lang"] != self.language):
            self._foreign.append(tag)
            return
        if tag in self.SKIPPED:
            self._skipping += 1
        for name, value in attrs:
            if value and name in self.SHOWN_ATTRIBUTES:
                self.parts.append(value)
            if tag == "time" and name == "datetime" and value:
                self.datetimes.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._foreign:
            # Void elements (<br>) never close: unwind to the matching opening tag.
            while self._foreign and self._foreign.pop() != tag:
                pass
            return
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and not self._foreign and data.strip():
            self.parts.append(data.strip())


@dataclass
class PageText:
    url: str
    text: str
    datetimes: list[str] = field(default_factory=list)


def read(client: Client, url: str, *, data: dict[str, str] | None = None) -> PageText:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code in (200, 400, 404), f"{url} answered {response.status_code}"
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return PageText(url, "\n".join(parser.parts), parser.datetimes)


def forbidden_codes() -> set[str]:
    """Codes people must not read: those with an underscore or a dot, or that are English."""
    codes: set[str] = set()
    # Slugs that are also French words ("forum", "presse", "attente", "accueil") may be read.
    codes |= {slug for slug in all_platforms() if "_" in slug or slug in {"feed", "survey"}}
    codes |= {t.slug for t in DEFAULT_TAXONOMY if t.slug not in t.label.lower()}
    codes |= {str(v) for v in (*CaseStatus.values, *ReplyStatus.values) if "_" in str(v)}
    codes |= {
        str(v)
        for v in (*MentionType.values, *Sentiment.values)
        if v not in {"question", "suggestion", "spam", "troll", "positive"}
    }
    # A finding whose code is its French name ("jargon") may be read, as customers write it too.
    codes |= {code for code, label in FINDING_LABELS.items() if code not in str(label).lower()}
    codes |= set(AuditEvent.objects.values_list("verb", flat=True).distinct())
    return codes


def offences(page: PageText, codes: set[str], analyzers: dict[str, str]) -> list[str]:
    found = []
    for code in sorted(codes):
        if re.search(WORD_EDGE.format(re.escape(code)), page.text):
            found.append(f"code {code!r}")
    for term in ENGLISH_TERMS:
        if re.search(WORD_EDGE.format(re.escape(term)), page.text):
            found.append(f"English {term!r}")
    for name, version in analyzers.items():
        if re.search(rf"\b{re.escape(name)} {re.escape(version)}\b", page.text):
            found.append(f"analyzer {name} {version}")
    found += [f"ISO time {m.group(0)!r}" for m in ISO_TIME.finditer(page.text)]
    found += [
        f"<time datetime={value!r}> not in {ZONE}"
        for value in page.datetimes
        if "T" in value and not value.endswith(OFFSET)
    ]
    return found


@pytest.fixture
def demo() -> Organisation:
    call_command("demo", "--no-serve", "--size", "300", stdout=io.StringIO(), stderr=io.StringIO())
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    organisation.timezone = ZONE
    organisation.save(update_fields=["timezone"])
    # A case waiting for an answer: which demo cases are still "new" depends on the hour the demo
    # is loaded at (with 300 mentions, none on a Thursday at 09:30).
    do_ingest_fresh_cases(organisation, ["google_complaint"])
    return organisation


def signed_in(organisation: Organisation, role: str) -> Client:
    member = Membership.objects.get(organisation=organisation, role=role, user__email=f"{role}@demo.example")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(member.user)
    return client


def test_thirty_pages_show_no_code_no_english_term_and_no_utc_time(demo: Organisation) -> None:
    cases = Case.objects.filter(organisation=demo)
    top = cases.filter(status=CaseStatus.NEW).order_by("-priority", "sla_due_at").first()
    published = Reply.objects.filter(case__organisation=demo, status=ReplyStatus.PUBLISHED).first()
    sent_back = AuditEvent.objects.filter(organisation=demo, verb="reply.sent_back").first()
    no_answer = cases.filter(status=CaseStatus.NO_ANSWER).first()
    assert top is not None, "the demo has an open case"
    assert published is not None, "the demo has a published reply"
    assert sent_back is not None, "the demo has a reply sent back for correction"
    # The history says what the supervisor asked, as the product records it ("comment").
    comment = sent_back.data.get("comment")
    assert comment, sent_back.data
    page = signed_in(demo, "agent").get(f"/inbox/cases/{sent_back.object_id}/").content.decode()
    assert escape(comment) in page
    assert no_answer is not None, "the demo has a case that needs no answer"
    template = Template.objects.filter(organisation=demo).first()
    source = Source.objects.filter(organisation=demo, platform="feed").first()
    assert template is not None
    assert source is not None

    agent_pages = [
        "/inbox/",
        "/inbox/?status=in_progress",
        f"/inbox/cases/{top.pk}/",
        f"/inbox/cases/{published.case_id}/",
        f"/inbox/cases/{sent_back.object_id}/",
        f"/inbox/cases/{no_answer.pk}/",
        "/templates/",
        f"/templates/{template.pk}/",
        "/dashboard/",
        "/dashboard/mentions/",
        "/dashboard/themes/",
        "/dashboard/reports/",
        "/alerts/",
        "/alerts/notifications/",
        "/alerts/preferences/",
        "/charter/",
        "/settings/",
        "/page-qui-n-existe-pas/",
    ]
    manager_pages = [
        "/inbox/?status=awaiting_approval",
        "/routing/",
        "/routing/dry-run/",
        "/routing/availability/",
        "/outreach/",
        "/outreach/invitations/",
        "/sources/",
        f"/sources/{source.pk}/edit/",
        "/evidence/",
        "/dashboard/actions/",
        "/alerts/settings/",
        "/analysis/settings/",
    ]
    agent, manager = signed_in(demo, "agent"), signed_in(demo, "manager")
    pages = [read(agent, url) for url in agent_pages] + [read(manager, url) for url in manager_pages]
    # A form refused: its errors are French and name the field by its label.
    pages.append(
        read(
            manager,
            f"/sources/{source.pk}/edit/",
            data={"source-name": source.name, "config-url": "ftp://nope", "config-preset": "generic"},
        )
    )
    assert len(pages) == 31

    codes = forbidden_codes()
    analyzers = {name: cls.version for name, cls in registered_analyzers().items()}
    report = {page.url: found for page in pages if (found := offences(page, codes, analyzers))}
    assert report == {}, "\n".join(f"{url}: {', '.join(found)}" for url, found in report.items())


def test_the_case_page_gives_the_customers_time_in_the_organisations_zone(demo: Organisation) -> None:
    case = Case.objects.filter(organisation=demo).select_related("mention").order_by("-priority").first()
    assert case is not None
    local = case.mention.created_at.astimezone(zoneinfo.ZoneInfo(ZONE))
    paris = case.mention.created_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    page = read(signed_in(demo, "agent"), f"/inbox/cases/{case.pk}/")
    assert f"{local:%d/%m/%Y %H:%M}" in page.text
    assert f"{paris:%d/%m/%Y %H:%M}" not in page.text
    assert page.datetimes
    assert all(value.endswith(OFFSET) for value in page.datetimes if "T" in value)


def test_the_404_page_is_french_and_english_when_the_user_chose_english(demo: Organisation) -> None:
    agent = signed_in(demo, "agent")
    assert "Page introuvable" in read(agent, "/nulle-part/").text
    User.objects.filter(email="agent@demo.example").update(language="en")
    english = read(agent, "/nulle-part/").text
    assert "Page not found" in english
    assert "Boîte de réception" not in english
