"""Settings read from the environment fail loudly and name the variable."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vigie.core.env import env_bool, env_choice, env_int, env_list, env_str, parse_database_url


def test_booleans_accept_the_usual_spellings() -> None:
    assert env_bool("X", False, {"X": "yes"}) is True
    assert env_bool("X", True, {"X": "off"}) is False
    assert env_bool("X", True, {}) is True


def test_a_bad_boolean_names_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="VIGIE_DEBUG"):
        env_bool("VIGIE_DEBUG", False, {"VIGIE_DEBUG": "maybe"})


def test_integers_are_checked_against_their_bounds() -> None:
    assert env_int("P", 1, {"P": "25"}, minimum=1, maximum=65535) == 25
    with pytest.raises(ImproperlyConfigured, match="VIGIE_EMAIL_PORT: must be at most 65535"):
        env_int("VIGIE_EMAIL_PORT", 25, {"VIGIE_EMAIL_PORT": "70000"}, maximum=65535)
    with pytest.raises(ImproperlyConfigured, match="expected an integer"):
        env_int("P", 1, {"P": "eight"})


def test_lists_and_choices() -> None:
    assert env_list("H", ["a"], {"H": "vigie.example, , intranet"}) == ["vigie.example", "intranet"]
    assert env_list("H", ["a"], {}) == ["a"]
    with pytest.raises(ImproperlyConfigured, match="VIGIE_LOG_LEVEL: expected one of"):
        env_choice("VIGIE_LOG_LEVEL", "INFO", {"INFO", "DEBUG"}, {"VIGIE_LOG_LEVEL": "LOUD"})


def test_a_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret-from-a-file\n")
    assert (
        env_str("VIGIE_EMAIL_PASSWORD", "", {"VIGIE_EMAIL_PASSWORD_FILE": str(secret)})
        == "s3cret-from-a-file"
    )
    with pytest.raises(ImproperlyConfigured, match="VIGIE_EMAIL_PASSWORD_FILE: cannot read"):
        env_str("VIGIE_EMAIL_PASSWORD", "", {"VIGIE_EMAIL_PASSWORD_FILE": str(tmp_path / "missing")})


def test_sqlite_urls_become_wal_databases(tmp_path: Path) -> None:
    config = parse_database_url("DATABASE_URL", f"sqlite:///{tmp_path}/v.sqlite3", tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == f"{tmp_path}/v.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    relative = parse_database_url("DATABASE_URL", "sqlite:///var/db.sqlite3", tmp_path)
    assert relative["NAME"] == str(tmp_path / "var/db.sqlite3")


def test_postgres_urls_are_split_into_their_parts(tmp_path: Path) -> None:
    config = parse_database_url(
        "DATABASE_URL", "postgres://vigie:p%40ss@db.internal:5433/vigie?sslmode=require", tmp_path
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "vigie",
        "p@ss",
        "db.internal",
        "5433",
        "vigie",
    )
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x/y", "unsupported scheme"),
        ("postgres://host:5432/", "no database name"),
        ("postgres://host:port/db", "invalid port"),
        ("sqlite://relative.db", "write sqlite:///"),
    ],
)
def test_bad_database_urls_are_refused_with_the_variable_name(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"DATABASE_URL: .*{message}"):
        parse_database_url("DATABASE_URL", url, tmp_path)


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    from vigie import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert production.SESSION_COOKIE_HTTPONLY
    assert production.X_FRAME_OPTIONS == "DENY"
