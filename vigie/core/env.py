"""Typed readers for environment variables.

Every setting of Vigie comes from the environment. A value that cannot be parsed stops start-up with
a message that names the variable, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    value = env.get(name)
    if value is None:
        # Secrets may be handed over as files (Docker/Kubernetes secrets): NAME_FILE=/run/secrets/x.
        file_path = env.get(f"{name}_FILE")
        if file_path:
            try:
                return Path(file_path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path}: {exc.strerror}") from exc
        return None
    return value.strip()


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """Return a string variable, or ``default`` when unset or empty."""
    value = _raw(name, environ)
    return value if value else default


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Return a boolean variable; anything but true/false/1/0/yes/no/on/off is an error."""
    value = _raw(name, environ)
    if not value:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {value!r}")


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """Return an integer variable, checked against optional bounds."""
    value = _raw(name, environ)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}: must be at most {maximum}, got {number}")
    return number


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """Return a comma-separated list variable, blanks removed."""
    value = _raw(name, environ)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(
    name: str, environ: Mapping[str, str] | None = None
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Return a comma-separated list of addresses or CIDR ranges ("10.0.0.5,172.28.0.0/16,::1") as
    networks, none by default; an entry that is neither stops start-up (trusting nobody, or the
    wrong hosts, in silence would be worse)."""
    networks = []
    for entry in env_list(name, [], environ):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is neither an IP address nor a CIDR range"
            ) from exc
    return tuple(networks)


def env_choice(name: str, default: str, choices: set[str], environ: Mapping[str, str] | None = None) -> str:
    """Return a variable that must be one of ``choices``."""
    value = env_str(name, default, environ)
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name}: expected one of {allowed}, got {value!r}")
    return value


def parse_database_url(name: str, url: str, base_dir: Path) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/db?opt=v`` into a Django DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path, sqlite:////absolute/path, sqlite://:memory:
        raw_path = url[len("sqlite://") :]
        if raw_path in (":memory:", "/:memory:"):
            path = ":memory:"
        else:
            if not raw_path.startswith("/"):
                raise ImproperlyConfigured(f"{name}: write sqlite:///path/to/file.sqlite3, got {url!r}")
            raw_path = raw_path[1:]
            candidate = Path(unquote(raw_path))
            path = str(candidate if candidate.is_absolute() else (base_dir / candidate))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                # WAL lets readers work while the in-process worker writes; IMMEDIATE avoids the
                # "database is locked" upgrade deadlock between two writers; a writer waits up to
                # VIGIE_SQLITE_BUSY_TIMEOUT seconds for the lock (an import's batch, a webhook)
                # rather than failing.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("VIGIE_SQLITE_BUSY_TIMEOUT", 60, minimum=1),
            },
            # A file, not memory, for tests: background threads and concurrent claims need real
            # locking. One file per test process so parallel runs never share it.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"vigie-test-{os.getpid()}.sqlite3")},
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise ImproperlyConfigured(f"{name}: the PostgreSQL URL has no database name")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}: invalid port in {url!r}") from None
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"{name}: unsupported scheme {scheme!r} (use sqlite:/// or postgres://)")
