"""A form refused for its security token (a page left open too long, cookies blocked) says what
to do, in the reader's language, instead of Django's English technical notice."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_stale_form_gets_a_page_that_says_what_to_do() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"email": "agent@example.org", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Votre envoi n'a pas pu être vérifié" in page
    assert "Rien n'a été enregistré." in page
    assert 'href="/login/"' in page
    assert "CSRF verification failed" not in page


def test_in_english_for_an_english_reader() -> None:
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    page = client.post("/login/", {"email": "agent@example.org", "password": "x"}).content.decode()
    assert "could not be verified" in page
