"""Removing a testimonial asks first, on a page that works without JavaScript and says what goes
(the quote, its place in the management report, the consent recorded) and what stays."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from vigie.core.models import AuditEvent, Membership
from vigie.outreach.actions import InviteRequest, do_answer_survey, do_invite, do_select_testimonial
from vigie.outreach.models import Invitation, SurveyResponse, Testimonial
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db


def test_removing_a_testimonial_asks_and_says_what_is_removed(
    world: World, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    do_invite(organisation, InviteRequest(email="c@client.example", name="Camille"))
    do_answer_survey(Invitation.objects.get(), csat=5, nps=10, comment="Un accueil <b>parfait</b>")
    testimonial = do_select_testimonial(
        organisation,
        actor=world.tenant.manager.user,
        response=SurveyResponse.objects.get(),
        consent_note="accord oral, 3 mars",
        featured=True,
    )
    client = login(world.tenant.manager)
    listing = client.get("/outreach/testimonials/").content.decode()
    # The list's button opens the confirmation (a link: no form that deletes at once).
    assert f'href="/outreach/testimonials/{testimonial.pk}/delete/" data-confirm-delete' in listing
    page = client.get(f"/outreach/testimonials/{testimonial.pk}/delete/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Retirer ce témoignage ?" in text
    assert "Un accueil &lt;b&gt;parfait&lt;/b&gt;" in text
    assert "sa place dans le rapport de direction" in text
    assert "accord oral, 3 mars" in text
    assert "La réponse à l'enquête elle-même reste" in text
    # A POST without the confirmation (an old page's form) only shows the question.
    assert client.post(f"/outreach/testimonials/{testimonial.pk}/delete/").status_code == 200
    assert Testimonial.objects.filter(pk=testimonial.pk).exists()
    done = client.post(f"/outreach/testimonials/{testimonial.pk}/delete/", {"confirm": "1"})
    assert done.status_code == 302
    assert not Testimonial.objects.filter(pk=testimonial.pk).exists()
    assert SurveyResponse.objects.filter(comment="Un accueil <b>parfait</b>").exists()
    assert AuditEvent.objects.filter(verb="outreach.testimonial_removed").count() == 1


def test_the_confirmation_in_english(world: World, login: Callable[[Membership], Client]) -> None:
    from vigie.mentions.tests.factories import make_mention

    organisation = world.tenant.organisation
    review = make_mention(organisation, rating="5", text="Great service")
    testimonial = do_select_testimonial(organisation, actor=world.tenant.manager.user, mention=review)
    user = world.tenant.manager.user
    user.language = "en"
    user.save(update_fields=["language"])
    text = (
        login(world.tenant.manager).get(f"/outreach/testimonials/{testimonial.pk}/delete/").content.decode()
    )
    assert "Remove this testimonial?" in text
    assert "The review itself stays in Vigie" in text
    assert "report" not in text.split("Will be deleted")[1].split("</ul>")[0]


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_only_a_manager_may_remove_a_testimonial(
    world: World, login: Callable[[Membership], Client], role: str
) -> None:
    from vigie.mentions.tests.factories import make_mention

    organisation = world.tenant.organisation
    review = make_mention(organisation, rating="5", text="Très bon accueil")
    testimonial = do_select_testimonial(organisation, actor=world.tenant.manager.user, mention=review)
    client = login(world.tenant.member(role))
    url = f"/outreach/testimonials/{testimonial.pk}/delete/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "1"}).status_code == 403
    assert Testimonial.objects.filter(pk=testimonial.pk).exists()
