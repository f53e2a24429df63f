"""Credentials: encrypted at rest, never shown back, readable after a key rotation."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source, do_update_source, source_config
from vigie.connectors.credentials import CredentialsError, decrypt_secrets, derive_key, encrypt_secrets
from vigie.connectors.models import Source, SourceState

SECRET = "s3cr3t-webhook-signing-key"
OLD_KEY = "old-key-" + "x" * 40
NEW_KEY = "new-key-" + "y" * 40


def test_the_key_is_derived_not_the_django_key_itself() -> None:
    derived = derive_key(OLD_KEY)
    assert derived != OLD_KEY.encode()
    assert len(derived) == 44
    assert derive_key(OLD_KEY) == derived != derive_key(NEW_KEY)


def test_a_secret_field_is_stored_only_encrypted(tenant: Tenant) -> None:
    source = do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": SECRET})
    stored = Source.objects.get(pk=source.pk)
    assert "secret" not in stored.config
    assert SECRET not in stored.credentials_encrypted
    assert SECRET not in str(stored.config)
    assert source_config(stored).secret == SECRET  # type: ignore[attr-defined]


def test_an_empty_secret_on_edit_keeps_the_stored_one(tenant: Tenant) -> None:
    source = do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": SECRET})
    do_update_source(source, config={"secret": ""})
    assert source_config(Source.objects.get(pk=source.pk)).secret == SECRET  # type: ignore[attr-defined]


def test_new_credentials_clear_needs_reauthorisation(tenant: Tenant) -> None:
    source = do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": SECRET})
    Source.objects.filter(pk=source.pk).update(state=SourceState.NEEDS_REAUTH)
    source.refresh_from_db()
    do_update_source(source, config={"secret": "another-long-secret-value"})
    assert Source.objects.get(pk=source.pk).state == SourceState.OK


def test_credentials_survive_a_key_rotation_with_a_fallback_then_rekey(tenant: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECRET_KEY = OLD_KEY
    source = do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": SECRET})
    old_token = Source.objects.get(pk=source.pk).credentials_encrypted

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert decrypt_secrets(old_token)["secret"] == SECRET
    call_command("source", "rekey")
    new_token = Source.objects.get(pk=source.pk).credentials_encrypted
    assert new_token != old_token

    settings.SECRET_KEY_FALLBACKS = []
    assert decrypt_secrets(new_token)["secret"] == SECRET
    with pytest.raises(CredentialsError) as excinfo:
        decrypt_secrets(old_token)
    assert old_token not in str(excinfo.value)


def test_rekey_refuses_when_a_credential_cannot_be_read(tenant: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECRET_KEY = OLD_KEY
    do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": SECRET})
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("source", "rekey")


def test_nothing_secret_means_nothing_encrypted() -> None:
    assert encrypt_secrets({}) == ""
    assert decrypt_secrets("") == {}


def test_fallback_keys_can_come_from_the_environment(tenant: Tenant, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.SECRET_KEY = OLD_KEY
    token = encrypt_secrets({"secret": SECRET})
    settings.SECRET_KEY = NEW_KEY
    monkeypatch.setenv("VIGIE_SECRET_KEY_FALLBACKS", f"unrelated-{'z' * 40}, {OLD_KEY}")
    assert decrypt_secrets(token) == {"secret": SECRET}
