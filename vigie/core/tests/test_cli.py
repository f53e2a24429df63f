"""The `vigie` command: organisations, users, tokens; clean one-line errors with exit code 2."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigie.conftest import Tenant
from vigie.core.models import Membership, Organisation
from vigie.core.queries import token_from_secret
from vigie.core.roles import Role
from vigie.core.tests.test_settings_startup import run_vigie


def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    if stdin is not None:
        old = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            call_command(*args, stdout=out)
        finally:
            sys.stdin = old
    else:
        call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_org_create_makes_a_french_organisation_by_default() -> None:
    assert "created organisation horizon" in run("org", "create", "horizon", "--name", "Mutuelle Horizon")
    organisation = Organisation.objects.get(slug="horizon")
    assert (organisation.name, organisation.timezone, organisation.language) == (
        "Mutuelle Horizon",
        "Europe/Paris",
        "fr",
    )


@pytest.mark.django_db
def test_org_create_refuses_a_duplicate_or_a_bad_timezone_with_exit_code_2() -> None:
    run("org", "create", "horizon", "--name", "Horizon")
    with pytest.raises(CommandError, match="already exists") as excinfo:
        run("org", "create", "horizon", "--name", "Again")
    assert excinfo.value.returncode == 2
    with pytest.raises(CommandError, match="timezone") as excinfo:
        run("org", "create", "mars", "--name", "Mars", "--timezone", "Mars/Olympus")
    assert excinfo.value.returncode == 2


def test_user_create_gives_a_role_and_reads_the_password_from_stdin(tenant: Tenant) -> None:
    output = run(
        "user",
        "create",
        "Nina@Acme.example",
        "--org",
        "acme",
        "--role",
        "manager",
        "--password-stdin",
        stdin="a-long-and-unusual-password\n",
    )
    assert "nina@acme.example is manager of acme" in output
    membership = Membership.objects.get(user__email="nina@acme.example")
    assert membership.role == Role.MANAGER
    assert membership.user.check_password("a-long-and-unusual-password")


def test_user_create_without_password_leaves_the_account_locked_until_reset(tenant: Tenant) -> None:
    assert "Mot de passe oublié" in run(
        "user", "create", "sam@acme.example", "--org", "acme", "--role", "agent"
    )
    assert not Membership.objects.get(user__email="sam@acme.example").user.has_usable_password()


def test_user_create_refuses_a_weak_password(tenant: Tenant) -> None:
    with pytest.raises(CommandError, match="password"):
        run(
            "user",
            "create",
            "weak@acme.example",
            "--org",
            "acme",
            "--role",
            "agent",
            "--password-stdin",
            stdin="123\n",
        )


@pytest.mark.django_db
def test_unknown_organisation_or_user_is_a_one_line_error_with_exit_code_2() -> None:
    with pytest.raises(CommandError, match="unknown organisation 'nowhere'") as excinfo:
        run("user", "create", "x@y.example", "--org", "nowhere", "--role", "agent")
    assert excinfo.value.returncode == 2
    with pytest.raises(CommandError, match="unknown user 'ghost@y.example'") as excinfo:
        run("token", "create", "ghost@y.example")
    assert excinfo.value.returncode == 2


def test_token_create_prints_a_working_token_stored_only_as_a_digest(tenant: Tenant) -> None:
    secret = run("token", "create", "agent@acme.example").strip()
    token = token_from_secret(secret)
    assert token is not None
    assert token.membership == tenant.agent
    assert secret not in token.digest


def test_token_create_asks_for_the_organisation_when_the_user_has_several(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    run("user", "create", "agent@acme.example", "--org", "globex", "--role", "viewer")
    with pytest.raises(CommandError, match="--org"):
        run("token", "create", "agent@acme.example")
    secret = run("token", "create", "agent@acme.example", "--org", "globex").strip()
    assert token_from_secret(secret).membership.organisation == other_tenant.organisation


def test_the_console_script_prints_errors_without_traceback(tmp_path: Path) -> None:
    assert run_vigie(tmp_path, "migrate", "-v0").returncode == 0
    result = run_vigie(tmp_path, "user", "create", "a@b.example", "--org", "nope", "--role", "agent")
    assert result.returncode == 2, result.stderr
    assert "unknown organisation 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_console_script_lists_its_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vigie.cli"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    for command in ("serve", "worker", "demo", "migrate", "org", "user", "token", "audit"):
        assert f"  {command}" in result.stdout
