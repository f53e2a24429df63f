"""Sign-in, sign-out, throttling and password reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import PASSWORD, Tenant
from vigie.core.actions import do_create_member
from vigie.core.models import LoginThrottle, User


def sign_in(client: Client, email: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"email": email, "password": password, **extra})


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_root_sends_anonymous_visitors_to_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_root_sends_members_to_the_inbox(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.agent).get("/")
    assert response.status_code == 302
    assert response.url == reverse("inbox")


def test_login_page_renders_with_a_csrf_token(db: None) -> None:
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_login_works_with_csrf_checks_enforced(tenant: Tenant) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response = client.post(
        reverse("login"),
        {"email": "agent@acme.example", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert is_signed_in(client)


def test_login_without_csrf_token_is_refused(tenant: Tenant) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"email": "agent@acme.example", "password": PASSWORD})
    assert response.status_code == 403
    assert not is_signed_in(client)


def test_good_credentials_sign_in_and_lead_to_the_inbox(tenant: Tenant) -> None:
    client = Client()
    response = sign_in(client, "agent@acme.example", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("inbox")
    assert is_signed_in(client)


def test_email_is_matched_whatever_its_case_and_spaces(tenant: Tenant) -> None:
    client = Client()
    response = sign_in(client, "  Agent@ACME.example ", PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_wrong_password_is_refused_with_a_message(tenant: Tenant) -> None:
    client = Client()
    response = sign_in(client, "agent@acme.example", "not-the-password")
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert not is_signed_in(client)


def test_unknown_email_gets_the_same_message_as_a_wrong_password(tenant: Tenant) -> None:
    response = sign_in(Client(), "nobody@acme.example", "whatever-password")
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


def test_a_deactivated_account_cannot_sign_in(tenant: Tenant) -> None:
    User.objects.filter(pk=tenant.agent.user_id).update(is_active=False)
    client = Client()
    assert sign_in(client, "agent@acme.example", PASSWORD).status_code == 400
    assert not is_signed_in(client)


def test_login_follows_a_safe_next(tenant: Tenant) -> None:
    response = sign_in(Client(), "agent@acme.example", PASSWORD, next="/settings/")
    assert response.url == "/settings/"


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_login_ignores_a_next_pointing_elsewhere(tenant: Tenant, evil: str) -> None:
    response = sign_in(Client(), "agent@acme.example", PASSWORD, next=evil)
    assert response.url == reverse("inbox")


def test_login_page_keeps_next_in_the_form(db: None) -> None:
    response = Client().get(reverse("login"), {"next": "/settings/"})
    assert 'name="next" value="/settings/"' in response.content.decode()


def test_success_forgets_earlier_failures(tenant: Tenant) -> None:
    client = Client()
    sign_in(client, "agent@acme.example", "wrong-password")
    assert LoginThrottle.objects.filter(key="email:agent@acme.example").exists()
    sign_in(client, "agent@acme.example", PASSWORD)
    assert not LoginThrottle.objects.filter(key__in=["email:agent@acme.example", "ip:127.0.0.1"]).exists()


def test_failures_slow_down_further_attempts_without_checking_the_password(tenant: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_SLOWDOWN_AFTER = 2
    settings.LOGIN_LOCK_AFTER = 10
    client = Client()
    for _ in range(2):
        assert sign_in(client, "agent@acme.example", "wrong-password").status_code == 400
    # Even the right password is not looked at while the client must wait.
    response = sign_in(client, "agent@acme.example", PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives, réessayez dans 1 seconde" in response.content.decode()
    assert response["Retry-After"] == "1"
    assert not is_signed_in(client)
    # The refused attempt was not counted as a failure.
    assert LoginThrottle.objects.get(key="email:agent@acme.example").failures == 2


def test_after_the_wait_the_right_password_works_again(tenant: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_SLOWDOWN_AFTER = 2
    settings.LOGIN_LOCK_AFTER = 10
    client = Client()
    for _ in range(2):
        sign_in(client, "agent@acme.example", "wrong-password")
    LoginThrottle.objects.update(last_failure_at=timezone.now() - timedelta(seconds=5))
    assert sign_in(client, "agent@acme.example", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_enough_failures_lock_the_account(tenant: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_SLOWDOWN_AFTER = 50
    settings.LOGIN_LOCK_AFTER = 3
    settings.LOGIN_LOCK_MINUTES = 15
    for _ in range(3):
        sign_in(Client(), "agent@acme.example", "wrong-password")
    client = Client()
    response = sign_in(client, "agent@acme.example", PASSWORD)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Trop de tentatives, réessayez dans" in content
    assert "900 secondes" in content
    assert not is_signed_in(client)


def test_a_lock_also_covers_the_client_address_for_other_accounts(tenant: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_SLOWDOWN_AFTER = 50
    settings.LOGIN_LOCK_AFTER = 3
    for _ in range(3):
        sign_in(Client(), "agent@acme.example", "wrong-password")
    assert sign_in(Client(), "viewer@acme.example", PASSWORD).status_code == 429
    # From another address, the other account is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other, "viewer@acme.example", PASSWORD).status_code == 302


def test_logout_signs_out_on_post(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.agent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not is_signed_in(client)


def test_logout_by_get_is_refused_and_keeps_the_session(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.agent)
    assert client.get(reverse("logout")).status_code == 405
    assert is_signed_in(client)


def reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)", str(message.body))
    assert match is not None, message.body
    return match.group(1)


def test_password_reset_end_to_end(tenant: Tenant, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "agent@acme.example"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["agent@acme.example"]
    assert "mot de passe" in message.subject

    page = client.get(reset_link(message), follow=True)
    assert page.status_code == 200
    assert "Choisissez votre mot de passe" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase-42"
    done = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")

    fresh = Client()
    assert sign_in(fresh, "agent@acme.example", PASSWORD).status_code == 400
    assert sign_in(fresh, "agent@acme.example", new_password).status_code == 302
    assert is_signed_in(fresh)


def test_a_password_reset_lifts_the_lock_on_the_address(tenant: Tenant, settings, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_SLOWDOWN_AFTER = 50
    settings.LOGIN_LOCK_AFTER = 3
    for _ in range(3):
        sign_in(Client(REMOTE_ADDR="10.6.6.6"), "agent@acme.example", "wrong-password")
    assert sign_in(Client(), "agent@acme.example", PASSWORD).status_code == 429
    client = Client()
    client.post(reverse("password_reset"), {"email": "agent@acme.example"})
    page = client.get(reset_link(mailoutbox[0]), follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "fresh-passphrase-1", "new_password2": "fresh-passphrase-1"},
    )
    assert sign_in(Client(), "agent@acme.example", "fresh-passphrase-1").status_code == 302


def test_a_reset_link_works_only_once(tenant: Tenant, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.post(reverse("password_reset"), {"email": "agent@acme.example"})
    link = reset_link(mailoutbox[0])
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "first-new-passphrase", "new_password2": "first-new-passphrase"})
    again = Client().get(link, follow=True)
    assert "Lien non valable" in again.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db: None, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


def test_an_invited_member_without_password_can_ask_for_a_reset(tenant: Tenant, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    do_create_member(tenant.organisation, "new@acme.example", "agent")
    Client().post(reverse("password_reset"), {"email": "new@acme.example"})
    assert len(mailoutbox) == 1


def test_reset_email_is_written_in_the_recipients_language(tenant: Tenant, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=tenant.agent.user_id).update(language="en")
    Client().post(reverse("password_reset"), {"email": "agent@acme.example"})
    Client().post(reverse("password_reset"), {"email": "viewer@acme.example"})
    english, french = mailoutbox
    assert english.subject == "Vigie: choose a new password"
    assert "To choose your new password" in english.body
    assert french.subject == "Vigie : choisir un nouveau mot de passe"
    assert "Pour choisir votre nouveau mot de passe" in french.body


def test_repeated_reset_requests_are_slowed_down_then_refused(tenant: Tenant, settings, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_SLOWDOWN_AFTER = 2
    settings.LOGIN_LOCK_AFTER = 4
    client = Client()
    for _ in range(2):
        assert client.post(reverse("password_reset"), {"email": "agent@acme.example"}).status_code == 302
    assert len(mailoutbox) == 2
    flooded = client.post(reverse("password_reset"), {"email": "agent@acme.example"})
    assert flooded.status_code == 429
    assert int(flooded["Retry-After"]) >= 1
    assert "Trop de tentatives" in flooded.content.decode()
    assert len(mailoutbox) == 2, "no e-mail is sent while the client must wait"
