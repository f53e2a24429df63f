"""The settings page and each of its forms: roles, tenancy and the rules they enforce."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import PASSWORD, Tenant
from vigie.core.actions import do_create_api_token, do_set_member_role
from vigie.core.models import (
    ApiToken,
    AuditEvent,
    Location,
    LoginThrottle,
    Membership,
    Organisation,
    Team,
    User,
)
from vigie.core.queries import token_from_secret

ROLES = ["viewer", "agent", "manager", "admin"]


# --- Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "settings",
        "settings_profile",
        "settings_password",
        "settings_invite",
        "settings_team_create",
        "settings_location_create",
        "settings_token_create",
    ],
)
def test_anonymous_visitors_are_sent_to_login(db: None, name: str) -> None:
    url = reverse(name)
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("role", ROLES)
def test_every_member_sees_the_settings_page(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.member(role)).get(reverse("settings"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Acme" in content
    assert tenant.member(role).user.email in content


def test_a_user_without_membership_gets_a_clear_403(db: None) -> None:
    lonely = User.objects.create_user("lonely@example.org", PASSWORD)
    client = Client()
    client.force_login(lonely)
    response = client.get(reverse("settings"))
    assert response.status_code == 403
    assert "appartenez à aucune organisation" in response.content.decode()


def test_a_suspended_member_is_treated_as_having_no_organisation(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    Membership.objects.filter(pk=tenant.agent.pk).update(is_active=False)
    response = login(tenant.agent).get(reverse("settings"))
    assert response.status_code == 403
    assert "appartenez à aucune organisation" in response.content.decode()


def test_only_admins_see_the_members_section(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    admin_page = login(tenant.admin).get(reverse("settings")).content.decode()
    manager_page = login(tenant.manager).get(reverse("settings")).content.decode()
    assert "viewer@acme.example" in admin_page
    assert 'id="membres"' in admin_page
    assert 'id="membres"' not in manager_page
    assert "viewer@acme.example" not in manager_page


def test_settings_never_show_another_organisations_members(
    tenant: Tenant, other_tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    content = login(tenant.admin).get(reverse("settings")).content.decode()
    assert "globex.example" not in content
    assert "Globex" not in content


# --- Profile and password -------------------------------------------------------------------------


def test_profile_saves_names_and_language(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.viewer)
    response = client.post(
        reverse("settings_profile"), {"first_name": "Vera", "last_name": "Lecteur", "language": "en"}
    )
    assert response.status_code == 302
    user = User.objects.get(pk=tenant.viewer.user_id)
    assert (user.first_name, user.last_name, user.language) == ("Vera", "Lecteur", "en")
    # Confirmed in the language just chosen (it said "Votre profil est enregistré." in English).
    assert "Your profile is saved." in client.get(reverse("settings")).content.decode()


def test_profile_can_go_back_to_following_the_organisation(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=tenant.viewer.user_id).update(language="en")
    client = login(tenant.viewer)
    client.post(reverse("settings_profile"), {"first_name": "", "last_name": "", "language": ""})
    assert User.objects.get(pk=tenant.viewer.user_id).language == ""
    # Back to the organisation's French, and told so in French.
    assert "Votre profil est enregistré." in client.get(reverse("settings")).content.decode()


def test_profile_rejects_an_unknown_language_next_to_the_field(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.viewer).post(reverse("settings_profile"), {"language": "de"})
    assert response.status_code == 400
    assert 'id="id_language_error"' in response.content.decode()
    assert User.objects.get(pk=tenant.viewer.user_id).language == ""


def test_password_change_needs_the_current_password(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.viewer)
    response = client.post(
        reverse("settings_password"),
        {
            "old_password": "wrong",
            "new_password1": "another-long-pass-77",
            "new_password2": "another-long-pass-77",
        },
    )
    assert response.status_code == 400
    assert 'id="id_old_password_error"' in response.content.decode()
    assert User.objects.get(pk=tenant.viewer.user_id).check_password(PASSWORD)


def test_password_change_keeps_the_session_and_replaces_the_password(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.viewer)
    response = client.post(
        reverse("settings_password"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-77",
            "new_password2": "another-long-pass-77",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(pk=tenant.viewer.user_id)
    assert user.check_password("another-long-pass-77")
    assert client.get(reverse("settings")).status_code == 200


def test_password_change_enforces_the_validators(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.viewer).post(
        reverse("settings_password"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 400
    assert 'id="id_new_password2_error"' in response.content.decode()


def test_guessing_the_current_password_is_throttled_as_a_sign_in(tenant: Tenant, login, settings) -> None:  # type: ignore[no-untyped-def]
    """A borrowed session cannot try current passwords without limit: the settings page counts
    its wrong guesses with the sign-in page's throttle, and then does not even check the right one."""
    settings.LOGIN_SLOWDOWN_AFTER = 2
    settings.LOGIN_LOCK_AFTER = 10
    client = login(tenant.viewer)
    change = {"new_password1": "another-long-pass-77", "new_password2": "another-long-pass-77"}
    for guess in ("guess-1", "guess-2"):
        assert client.post(reverse("settings_password"), {"old_password": guess, **change}).status_code == 400
    refused = client.post(reverse("settings_password"), {"old_password": PASSWORD, **change})
    assert refused.status_code == 429
    assert "Trop de tentatives, réessayez dans 1 seconde" in refused.content.decode()
    assert refused["Retry-After"] == "1"
    assert User.objects.get(pk=tenant.viewer.user_id).check_password(PASSWORD)
    # The same count as the sign-in page's.
    assert LoginThrottle.objects.get(key=f"email:{tenant.viewer.user.email}").failures == 2


# --- Members --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
def test_only_admins_can_invite(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.member(role)).post(
        reverse("settings_invite"), {"email": "new@acme.example", "role": "agent"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@acme.example").exists()


def test_invitation_creates_a_member_without_password_and_mails_a_link(  # type: ignore[no-untyped-def]
    tenant: Tenant, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client = login(tenant.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("settings_invite"), {"email": "New.Person@Acme.example", "role": "manager"}
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@acme.example")
    assert membership.organisation == tenant.organisation
    assert membership.role == "manager"
    assert not membership.user.has_usable_password()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@acme.example"]
    assert "Acme" in message.subject
    link = re.search(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert link is not None

    # The link lets the invited person choose a password and sign in.
    invited = Client()
    page = invited.get(link.group(1), follow=True)
    form_url = page.redirect_chain[-1][0]
    invited.post(form_url, {"new_password1": "my-chosen-passphrase", "new_password2": "my-chosen-passphrase"})
    signed_in = Client()
    response = signed_in.post(
        reverse("login"), {"email": "new.person@acme.example", "password": "my-chosen-passphrase"}
    )
    assert response.status_code == 302


def _access_badge(page: str, email: str) -> str:
    """The text of the "Accès" badge on the members' row of ``email``."""
    row = next(r for r in page.split("<tr") if email in r and 'name="active"' in r)
    badge = re.search(r'<span class="badge status-[\w-]+"[^>]*>([^<]+)</span>', row)
    assert badge is not None, row
    return badge.group(1)


def test_an_invited_member_reads_invitation_sent_until_they_choose_a_password(  # type: ignore[no-untyped-def]
    tenant: Tenant, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    """Found in the demo: an invited person was listed "Actif" before they had ever come in."""
    admin = login(tenant.admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("settings_invite"), {"email": "new@acme.example", "role": "agent"})
    page = admin.get(reverse("settings")).content.decode()
    assert _access_badge(page, "new@acme.example") == "Invitation envoyée"
    assert _access_badge(page, "agent@acme.example") == "Actif"

    link = re.search(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)", mailoutbox[0].body)
    assert link is not None
    invited = Client()
    form_url = invited.get(link.group(1), follow=True).redirect_chain[-1][0]
    invited.post(form_url, {"new_password1": "my-chosen-passphrase", "new_password2": "my-chosen-passphrase"})
    page = admin.get(reverse("settings")).content.decode()
    assert _access_badge(page, "new@acme.example") == "Actif"

    # An invited person who was suspended reads "Suspendu", as anyone else.
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("settings_invite"), {"email": "other@acme.example", "role": "viewer"})
    other = Membership.objects.get(user__email="other@acme.example")
    admin.post(reverse("settings_member_active", args=[other.pk]), {"active": "0"})
    page = admin.get(reverse("settings")).content.decode()
    assert _access_badge(page, "other@acme.example") == "Suspendu"
    admin.post(reverse("settings_member_active", args=[other.pk]), {"active": "1"})
    page = admin.get(reverse("settings")).content.decode()
    assert _access_badge(page, "other@acme.example") == "Invitation envoyée"


def _invitation_link(body: str) -> str:
    link = re.search(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)", body)
    assert link is not None, body
    return link.group(1)


def _member_row(page: str, email: str) -> str:
    return next(r for r in page.split("<tr") if email in r and 'name="active"' in r)


def _members_messages(page: str) -> list[str]:
    return re.findall(r'<p class="message [\w ]+" role="(?:alert|status)">([^<]+)</p>', page)


def test_an_admin_resends_an_invitation_with_a_fresh_link(  # type: ignore[no-untyped-def]
    tenant: Tenant, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    """An invited person who lost the e-mail (or let its link run out) gets it again, from the
    members list; the first link stops working, and the same person is not mailed twice a minute."""
    admin = login(tenant.admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("settings_invite"), {"email": "new@acme.example", "role": "agent"})
    first_link = _invitation_link(mailoutbox[0].body)
    invited = Membership.objects.get(user__email="new@acme.example")
    resend_url = reverse("settings_member_resend", args=[invited.pk])

    page = admin.get(reverse("settings")).content.decode()
    assert "Renvoyer l'invitation" in _member_row(page, "new@acme.example")
    assert resend_url in _member_row(page, "new@acme.example")
    # Only those still invited: someone already in has nothing to resend.
    assert "Renvoyer" not in _member_row(page, "agent@acme.example")

    # Right after the first e-mail: refused, and the admin reads why.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(resend_url, follow=True)
    assert len(mailoutbox) == 1
    assert response.redirect_chain[-1][0] == f"{reverse('settings')}#membres"
    assert _members_messages(response.content.decode()) == [
        "Une invitation est partie pour new@acme.example il y a moins d&#x27;une minute. "
        "Attendez qu&#x27;elle arrive, ou réessayez dans une minute."
    ]

    # A minute later, the same e-mail leaves again with another link.
    later = timezone.now() + timedelta(minutes=1, seconds=5)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin.post(resend_url, follow=True)
    assert _members_messages(response.content.decode()) == [
        "Invitation renvoyée à new@acme.example, avec un nouveau lien : le précédent ne fonctionne plus."
    ]
    assert len(mailoutbox) == 2
    again = mailoutbox[1]
    assert again.to == ["new@acme.example"]
    assert again.subject == mailoutbox[0].subject
    second_link = _invitation_link(again.body)
    assert second_link != first_link
    event = AuditEvent.objects.filter(organisation=tenant.organisation).order_by("-seq").first()
    assert event is not None
    assert (event.verb, event.actor_label, event.object_id) == (
        "member.invitation_resent",
        tenant.admin.user.email,
        str(invited.pk),
    )
    assert event.data == {"email": "new@acme.example", "role": "agent"}

    # The first link no longer works; the new one does.
    stale = Client().get(first_link, follow=True).content.decode()
    assert "Lien non valable" in stale
    person = Client()
    form_url = person.get(second_link, follow=True).redirect_chain[-1][0]
    person.post(form_url, {"new_password1": "my-chosen-passphrase", "new_password2": "my-chosen-passphrase"})
    assert Client().login(email="new@acme.example", password="my-chosen-passphrase")

    # In now: no button any more, and a stale form is refused in words.
    page = admin.get(reverse("settings")).content.decode()
    assert "Renvoyer" not in _member_row(page, "new@acme.example")
    response = admin.post(resend_url, follow=True)
    assert len(mailoutbox) == 2
    assert "n&#x27;attend plus d&#x27;invitation" in _members_messages(response.content.decode())[0]


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
def test_only_admins_can_resend_an_invitation(  # type: ignore[no-untyped-def]
    tenant: Tenant, login, role: str, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        login(tenant.admin).post(reverse("settings_invite"), {"email": "new@acme.example", "role": "agent"})
    invited = Membership.objects.get(user__email="new@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(tenant.member(role)).post(reverse("settings_member_resend", args=[invited.pk]))
    assert response.status_code == 403
    assert len(mailoutbox) == 1


def test_a_suspended_invited_member_is_offered_no_resend(  # type: ignore[no-untyped-def]
    tenant: Tenant, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    admin = login(tenant.admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("settings_invite"), {"email": "new@acme.example", "role": "agent"})
    invited = Membership.objects.get(user__email="new@acme.example")
    admin.post(reverse("settings_member_active", args=[invited.pk]), {"active": "0"})
    page = admin.get(reverse("settings")).content.decode()
    assert "Renvoyer" not in _member_row(page, "new@acme.example")


def test_invitation_is_written_in_the_organisations_language(  # type: ignore[no-untyped-def]
    tenant: Tenant, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        login(tenant.admin).post(reverse("settings_invite"), {"email": "new@acme.example", "role": "agent"})
    (message,) = mailoutbox
    assert message.subject == "Vigie: you are invited to join Acme"
    assert "choose your password" in message.body


def test_inviting_someone_already_in_the_organisation_is_refused(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.admin).post(
        reverse("settings_invite"), {"email": "viewer@acme.example", "role": "admin"}
    )
    assert response.status_code == 400
    assert "déjà partie" in response.content.decode()
    assert Membership.objects.get(pk=tenant.viewer.pk).role == "viewer"


def test_inviting_a_member_of_another_organisation_adds_them_here(  # type: ignore[no-untyped-def]
    tenant: Tenant, other_tenant: Tenant, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        login(tenant.admin).post(
            reverse("settings_invite"), {"email": "agent@globex.example", "role": "viewer"}
        )
    user = other_tenant.agent.user
    assert Membership.objects.filter(user=user, organisation=tenant.organisation, role="viewer").exists()
    assert Membership.objects.get(pk=other_tenant.agent.pk).role == "agent"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert len(mailoutbox) == 1


def test_invitation_shows_field_errors(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.admin).post(reverse("settings_invite"), {"email": "not-an-email", "role": "king"})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_email_error"' in content
    assert 'id="id_role_error"' in content


def test_admin_changes_a_role_and_it_is_audited(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    url = reverse("settings_member_role", args=[tenant.viewer.pk])
    response = login(tenant.admin).post(url, {f"m{tenant.viewer.pk}-role": "agent"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=tenant.viewer.pk).role == "agent"
    event = AuditEvent.objects.filter(organisation=tenant.organisation, verb="member.role_changed").last()
    assert event is not None
    assert event.actor == tenant.admin.user


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
def test_non_admins_cannot_change_roles(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    url = reverse("settings_member_role", args=[tenant.viewer.pk])
    response = login(tenant.member(role)).post(url, {f"m{tenant.viewer.pk}-role": "admin"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=tenant.viewer.pk).role == "viewer"


def test_admin_cannot_change_a_membership_of_another_organisation(  # type: ignore[no-untyped-def]
    tenant: Tenant, other_tenant: Tenant, login
) -> None:
    target = other_tenant.viewer
    client = login(tenant.admin)
    role = client.post(reverse("settings_member_role", args=[target.pk]), {f"m{target.pk}-role": "admin"})
    active = client.post(reverse("settings_member_active", args=[target.pk]), {"active": "0"})
    assert role.status_code == 404
    assert active.status_code == 404
    target.refresh_from_db()
    assert (target.role, target.is_active) == ("viewer", True)


def test_the_last_admin_cannot_demote_themself(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    admin = tenant.admin
    response = login(admin).post(
        reverse("settings_member_role", args=[admin.pk]), {f"m{admin.pk}-role": "viewer"}
    )
    assert response.status_code == 400
    assert "au moins un administrateur actif" in response.content.decode()
    assert Membership.objects.get(pk=admin.pk).role == "admin"


def test_the_last_admin_cannot_suspend_themself(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    admin = tenant.admin
    response = login(admin).post(reverse("settings_member_active", args=[admin.pk]), {"active": "0"})
    assert response.status_code == 400
    assert "au moins un administrateur actif" in response.content.decode()
    assert Membership.objects.get(pk=admin.pk).is_active


def test_an_admin_can_step_down_when_another_admin_remains(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    do_set_member_role(tenant.manager, "admin")
    admin = tenant.admin
    response = login(admin).post(
        reverse("settings_member_role", args=[admin.pk]), {f"m{admin.pk}-role": "agent"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=admin.pk).role == "agent"


def test_a_suspended_admin_does_not_count_as_the_remaining_admin(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    do_set_member_role(tenant.manager, "admin")
    Membership.objects.filter(pk=tenant.manager.pk).update(is_active=False)
    admin = tenant.admin
    response = login(admin).post(reverse("settings_member_active", args=[admin.pk]), {"active": "0"})
    assert response.status_code == 400
    assert Membership.objects.get(pk=admin.pk).is_active


def test_admin_suspends_then_restores_a_member(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.admin)
    url = reverse("settings_member_active", args=[tenant.agent.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    assert not Membership.objects.get(pk=tenant.agent.pk).is_active
    # The suspended agent is locked out at once.
    assert login(tenant.agent).get(reverse("settings")).status_code == 403
    assert client.post(url, {"active": "1"}).status_code == 302
    assert Membership.objects.get(pk=tenant.agent.pk).is_active


def test_non_admins_cannot_suspend(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    url = reverse("settings_member_active", args=[tenant.agent.pk])
    assert login(tenant.manager).post(url, {"active": "0"}).status_code == 403
    assert Membership.objects.get(pk=tenant.agent.pk).is_active


def test_member_changes_are_post_only(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.admin)
    assert client.get(reverse("settings_member_active", args=[tenant.agent.pk])).status_code == 405
    assert client.get(reverse("settings_invite")).status_code == 405


# --- Teams and locations --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_create_teams(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.member(role)).post(
        reverse("settings_team_create"), {"name": "Service client", "description": "Niveau 1"}
    )
    assert response.status_code == 302
    team = Team.objects.get(organisation=tenant.organisation, name="Service client")
    assert team.description == "Niveau 1"


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_viewers_and_agents_cannot_create_teams(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.member(role)).post(reverse("settings_team_create"), {"name": "Pirates"})
    assert response.status_code == 403
    assert not Team.objects.filter(name="Pirates").exists()


def test_team_names_are_unique_within_the_organisation(tenant: Tenant, other_tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    Team.objects.create(organisation=tenant.organisation, name="Support")
    Team.objects.create(organisation=other_tenant.organisation, name="Réseaux")
    client = login(tenant.manager)
    duplicate = client.post(reverse("settings_team_create"), {"name": "Support"})
    assert duplicate.status_code == 400
    assert 'id="team_name_error"' in duplicate.content.decode()
    # The same name in another organisation is no conflict.
    assert client.post(reverse("settings_team_create"), {"name": "Réseaux"}).status_code == 302


def test_managers_put_members_in_teams_and_take_them_out(tenant: Tenant, other_tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    """A team had no way to get members (only the demo loader gave it some), so routing that
    assigns a team's cases to its members assigned them to nobody."""
    from vigie.core.actions import do_create_team
    from vigie.core.models import AuditEvent

    team = do_create_team(tenant.organisation, "Service client")
    client = login(tenant.manager)
    page = client.get(reverse("settings")).content.decode()
    assert reverse("settings_team_member_add", args=[team.pk]) in page
    assert f'<option value="{tenant.agent.pk}">' in page

    response = client.post(reverse("settings_team_member_add", args=[team.pk]), {"member": tenant.agent.pk})
    assert response.status_code == 302
    assert list(team.members.all()) == [tenant.agent]
    page = client.get(reverse("settings")).content.decode()
    # In the Teams section the redirect lands on, not at the top of the page, out of view.
    assert "fait maintenant partie de l&#x27;équipe" in page.split('id="equipes-titre"')[1]
    assert "fait maintenant partie" not in page.split('id="equipes-titre"')[0]
    assert f'<option value="{tenant.agent.pk}">' not in page, (
        "a member is offered only to teams they are not in"
    )
    assert AuditEvent.objects.filter(verb="team.member_added", organisation=tenant.organisation).exists()

    # Tenancy: another organisation's member or team is a 404, and nothing changes.
    assert (
        client.post(
            reverse("settings_team_member_add", args=[team.pk]), {"member": other_tenant.agent.pk}
        ).status_code
        == 404
    )
    other_team = do_create_team(other_tenant.organisation, "Globex")
    assert (
        client.post(
            reverse("settings_team_member_add", args=[other_team.pk]), {"member": tenant.agent.pk}
        ).status_code
        == 404
    )
    # No member chosen: said in the Teams section, nothing changes.
    assert client.post(reverse("settings_team_member_add", args=[team.pk]), {"member": ""}).status_code == 302
    page = client.get(reverse("settings")).content.decode()
    assert "Choisissez le membre à ajouter." in page.split('id="equipes-titre"')[1]
    # Agents cannot change teams.
    assert (
        login(tenant.agent)
        .post(reverse("settings_team_member_add", args=[team.pk]), {"member": tenant.viewer.pk})
        .status_code
        == 403
    )
    assert list(team.members.all()) == [tenant.agent]

    # Removing: another organisation's team or member is a 404 too, and an agent is refused.
    other_team = do_create_team(other_tenant.organisation, "Globex support")
    assert (
        client.post(reverse("settings_team_member_remove", args=[other_team.pk, tenant.agent.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("settings_team_member_remove", args=[team.pk, other_tenant.agent.pk])).status_code
        == 404
    )
    assert (
        login(tenant.agent)
        .post(reverse("settings_team_member_remove", args=[team.pk, tenant.agent.pk]))
        .status_code
        == 403
    )
    assert list(team.members.all()) == [tenant.agent]
    assert (
        Client().post(reverse("settings_team_member_remove", args=[team.pk, tenant.agent.pk])).status_code
        == 302
    )
    assert list(team.members.all()) == [tenant.agent], "an anonymous visitor is sent to sign in"
    response = client.post(reverse("settings_team_member_remove", args=[team.pk, tenant.agent.pk]))
    assert response.status_code == 302
    assert not team.members.exists()
    assert AuditEvent.objects.filter(verb="team.member_removed", organisation=tenant.organisation).exists()


def test_a_suspended_member_is_not_put_in_a_team(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    from vigie.core.actions import do_create_team

    team = do_create_team(tenant.organisation, "Service client")
    Membership.objects.filter(pk=tenant.agent.pk).update(is_active=False)
    client = login(tenant.manager)
    assert f'<option value="{tenant.agent.pk}">' not in client.get(reverse("settings")).content.decode()
    client.post(reverse("settings_team_member_add", args=[team.pk]), {"member": tenant.agent.pk})
    assert not team.members.exists()


def test_teams_and_locations_are_listed_for_every_member_but_only_this_organisations(  # type: ignore[no-untyped-def]
    tenant: Tenant, other_tenant: Tenant, login
) -> None:
    Team.objects.create(organisation=tenant.organisation, name="Équipe Acme")
    Team.objects.create(organisation=other_tenant.organisation, name="Équipe Globex")
    Location.objects.create(organisation=tenant.organisation, name="Agence Lyon")
    Location.objects.create(organisation=other_tenant.organisation, name="Agence Globex")
    content = login(tenant.viewer).get(reverse("settings")).content.decode()
    assert "Équipe Acme" in content
    assert "Agence Lyon" in content
    assert "Globex" not in content
    assert reverse("settings_team_create") not in content  # no create form for a viewer


def test_manager_creates_a_location(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.manager).post(
        reverse("settings_location_create"),
        {"name": "Boutique Nantes", "kind": "shop", "city": "Nantes", "postcode": "44000", "timezone": ""},
    )
    assert response.status_code == 302
    location = Location.objects.get(organisation=tenant.organisation, name="Boutique Nantes")
    assert (location.kind, location.city, location.timezone) == ("shop", "Nantes", "Europe/Paris")


def test_location_rejects_an_unknown_time_zone(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.manager).post(
        reverse("settings_location_create"), {"name": "Agence", "kind": "agency", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert 'id="location_timezone_error"' in response.content.decode()
    assert not Location.objects.filter(name="Agence").exists()


def test_agents_cannot_create_locations(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.agent).post(reverse("settings_location_create"), {"name": "X", "kind": "site"})
    assert response.status_code == 403


# --- API tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_any_member_creates_a_token_and_sees_it_once(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.member(role))
    response = client.post(reverse("settings_token_create"), {"name": "Script export"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'value="(vigie_[^"]+)"', response.content.decode())
    assert secret is not None
    token = token_from_secret(secret.group(1))
    assert token is not None
    assert token.membership == tenant.member(role)
    assert token.name == "Script export"
    # Listed afterwards by name and prefix, never with its secret again.
    page = client.get(reverse("settings")).content.decode()
    assert "Script export" in page
    assert token.prefix in page
    assert secret.group(1) not in page


def test_token_needs_a_name(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.agent).post(reverse("settings_token_create"), {"name": ""})
    assert response.status_code == 400
    assert 'id="token_name_error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_member_revokes_their_own_token(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    token, secret = do_create_api_token(tenant.agent, "old")
    response = login(tenant.agent).post(reverse("settings_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert token_from_secret(secret) is None


def test_tokens_of_others_are_neither_listed_nor_revocable(
    tenant: Tenant, other_tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    colleague_token, colleague_secret = do_create_api_token(tenant.viewer, "colleague-token")
    foreign_token, foreign_secret = do_create_api_token(other_tenant.admin, "foreign-token")
    client = login(tenant.admin)
    page = client.get(reverse("settings")).content.decode()
    assert "colleague-token" not in page
    assert "foreign-token" not in page
    assert client.post(reverse("settings_token_revoke", args=[colleague_token.pk])).status_code == 404
    assert client.post(reverse("settings_token_revoke", args=[foreign_token.pk])).status_code == 404
    assert token_from_secret(colleague_secret) is not None
    assert token_from_secret(foreign_secret) is not None


def _members_section(page: str) -> str:
    return page.split('id="membres-titre"')[1].split('id="equipes-titre"')[0]


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "Ce champ est obligatoire."), ("viewer@acme.example", "Cette personne fait déjà partie")],
)
def test_a_refused_invitation_opens_at_the_members_section_with_its_message(  # type: ignore[no-untyped-def]
    tenant: Tenant, login, email: str, message: str
) -> None:
    client = login(tenant.admin)
    page = client.get(reverse("settings")).content.decode()
    # The members forms post to a URL ending in the section's anchor: the page they return opens there.
    assert f'action="{reverse("settings_invite")}#membres"' in page
    assert f'action="{reverse("settings_member_role", args=[tenant.viewer.pk])}#membres"' in page
    assert f'action="{reverse("settings_member_active", args=[tenant.viewer.pk])}#membres"' in page
    response = client.post(reverse("settings_invite"), {"email": email, "role": "agent"})
    assert response.status_code == 400
    page = response.content.decode()
    section = _members_section(page)
    # At the top of the section, before its table, and not in the page's top messages.
    assert message in section.split("<table")[0].replace("&#x27;", "'")
    assert message not in page.split('id="membres-titre"')[0].replace("&#x27;", "'")


def test_the_last_admin_demoting_themself_reads_why_in_the_members_section(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    admin = tenant.admin
    client = login(admin)
    for url, data in [
        (reverse("settings_member_role", args=[admin.pk]), {f"m{admin.pk}-role": "viewer"}),
        (reverse("settings_member_active", args=[admin.pk]), {"active": "0"}),
    ]:
        page = client.post(url, data).content.decode().replace("&#x27;", "'")
        assert "au moins un administrateur actif" in _members_section(page).split("<table")[0]
        assert "au moins un administrateur actif" not in page.split('id="membres-titre"')[0]


def test_a_members_change_is_confirmed_in_the_members_section(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.admin)
    response = client.post(
        reverse("settings_member_role", args=[tenant.viewer.pk]), {f"m{tenant.viewer.pk}-role": "agent"}
    )
    assert response["Location"].endswith("#membres")
    page = client.get(response["Location"]).content.decode()
    assert "Rôle de viewer@acme.example : Agent." in _members_section(page)
    assert "Rôle de viewer@acme.example : Agent." not in page.split('id="membres-titre"')[0]


def _section(page: str, anchor: str) -> str:
    """The settings page's section ``anchor``, from its opening tag to the next section's."""
    start = page.index(f'id="{anchor}"')
    return page[start : page.find("<section", start)]


@pytest.mark.parametrize(
    ("name", "anchor", "data"),
    [
        ("settings_password", "mot-de-passe", {"old_password": "faux"}),
        ("settings_team_create", "equipes", {"name": ""}),
        ("settings_location_create", "lieux", {"name": "", "kind": "site"}),
        ("settings_location_group_create", "groupes-de-lieux", {"name": ""}),
        ("settings_token_create", "jetons", {"name": ""}),
    ],
)
def test_a_refused_settings_form_opens_at_its_own_section(  # type: ignore[no-untyped-def]
    tenant: Tenant, login, name: str, anchor: str, data: dict[str, str]
) -> None:
    # An empty "Nouveau lieu" answered with the top of the page, its error 2,000 px below.
    client = login(tenant.manager)
    page = client.get(reverse("settings")).content.decode()
    assert f'action="{reverse(name)}#{anchor}"' in page
    response = client.post(reverse(name), data)
    assert response.status_code == 400
    assert "errorlist" in _section(response.content.decode(), anchor)


def test_what_was_done_in_a_settings_section_is_said_in_that_section(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    # "Lieu « Boutique Nantes » créé." was written at the top of a page that opened at the Locations.
    client = login(tenant.manager)
    done = [
        (reverse("settings_team_create"), {"name": "Litiges"}, "equipes", "Équipe « Litiges » créée."),
        (
            reverse("settings_location_create"),
            {"name": "Boutique Nantes", "kind": "shop"},
            "lieux",
            "Lieu « Boutique Nantes » créé.",
        ),
        (
            reverse("settings_location_group_create"),
            {"name": "Ouest"},
            "groupes-de-lieux",
            "Groupe « Ouest » créé.",
        ),
    ]
    for url, data, anchor, message in done:
        response = client.post(url, data)
        assert response["Location"].endswith(f"#{anchor}")
        page = client.get(response["Location"]).content.decode()
        assert message in _section(page, anchor)
        assert message not in page.split(f'id="{anchor}"')[0]
    token, _secret = do_create_api_token(tenant.manager, "export")
    response = client.post(reverse("settings_token_revoke", args=[token.pk]))
    page = client.get(response["Location"]).content.decode()
    assert "Jeton « export » révoqué." in _section(page, "jetons")


def test_a_new_token_is_shown_in_the_tokens_section_the_page_opens_at(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    page = login(tenant.agent).post(reverse("settings_token_create"), {"name": "Script"}).content.decode()
    assert 'id="new-token-secret"' in _section(page, "jetons")


def test_each_field_of_the_settings_page_has_its_own_id(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    # The team's, the location's and the token's « Nom » were all id="id_name": the label of the
    # location's name put the cursor in the team's.
    page = login(tenant.admin).get(reverse("settings")).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', page)
    assert ids
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    for label_for in re.findall(r'<label for="([^"]+)"', page):
        assert label_for in ids, label_for
    # A group of boxes (the group's locations) is named by a legend, not by a label for nothing.
    assert '<label for=""' not in page
    assert re.search(r"<legend>Lieux du groupe", page)
