"""What the inbox makes of the analysis: the route step sets a case's priority from it, and an agent's
correction from the case page is audited on the case's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vigie.analysis.actions import (
    do_analyze_mentions,
    do_correct_analysis,
)
from vigie.analysis.models import Correction
from vigie.analysis.queries import correction_labels, mention_analysis
from vigie.conftest import Tenant
from vigie.core.jobs import run_now, run_pending
from vigie.core.models import AuditEvent, Job
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db

ANGRY = "Une heure d'attente au téléphone et personne ne répond. Rappelez-moi au 06 12 34 56 78."


def test_it_updates_the_mention_and_its_case_priority(tenant: Tenant) -> None:
    mention = make_mention(
        tenant.organisation, text=ANGRY, rating=1, created_at=timezone.now() - timedelta(hours=1)
    )
    case = make_case(tenant.organisation, mention, priority=0)
    run_now("analysis.analyze_mentions", {"mention_ids": [mention.pk]})
    mention.refresh_from_db()
    case.refresh_from_db()
    assert mention.language == "fr"
    assert mention.priority > 10
    # The case is the inbox's: the analysis hands the mention on to the route step, which sets it.
    assert case.priority == 0
    assert Job.objects.get(name="inbox.route_mentions").payload == {"mention_ids": [mention.pk]}
    run_pending()
    case.refresh_from_db()
    assert case.priority == mention.priority
    analysis = mention_analysis(mention)
    assert "Note très basse (1,0/5)" in analysis.priority_reasons
    assert analysis.personal_data[0]["kind"] == "phone"


def test_a_correction_is_applied_audited_kept_as_a_label_and_survives_reanalysis(tenant: Tenant) -> None:
    mention = make_mention(tenant.organisation, text=ANGRY, sentiment="positive", mention_type="praise")
    case = make_case(tenant.organisation, mention)
    do_correct_analysis(mention, "sentiment", "negative", actor=tenant.agent.user, audit_on=case)
    do_correct_analysis(mention, "type", "complaint", actor=tenant.agent.user, audit_on=case)
    do_correct_analysis(
        mention, "themes", ["joignabilite", "attente"], actor=tenant.agent.user, audit_on=case
    )
    mention.refresh_from_db()
    assert (mention.sentiment, mention.mention_type, mention.themes) == (
        "negative",
        "complaint",
        ["attente", "joignabilite"],
    )
    correction = Correction.objects.get(mention=mention, field="sentiment")
    assert (correction.old_value, correction.new_value, correction.corrected_by) == (
        "positive",
        "negative",
        tenant.agent.user,
    )
    event = AuditEvent.objects.filter(organisation=tenant.organisation, verb="analysis.corrected").first()
    assert event is not None
    assert (event.object_type, event.object_id) == ("inbox.case", str(case.pk))
    assert correction_labels(tenant.organisation, "type") == [(mention.pk, "complaint")]

    Mention.objects.filter(pk=mention.pk).update(mention_type="other")  # as if a model had said so
    do_correct_analysis(mention, "type", "question", actor=tenant.agent.user)
    do_analyze_mentions(tenant.organisation, [mention.pk])
    mention.refresh_from_db()
    assert mention.mention_type == "question"
    assert correction_labels(tenant.organisation, "type") == [(mention.pk, "question")]
