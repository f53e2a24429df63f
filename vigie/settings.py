"""Django settings for Vigie, read from the environment only.

Every variable is documented in the README's configuration table. A bad value stops start-up with
a message naming the variable (see ``vigie.core.env``).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vigie.core.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_str,
    parse_database_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path.cwd()

DATA_DIR = Path(env_str("VIGIE_DATA_DIR", str(BASE_DIR / "var"))).expanduser().resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(f"VIGIE_DATA_DIR: cannot create {DATA_DIR}: {exc.strerror}") from exc

DEBUG = env_bool("VIGIE_DEBUG", False)


def _secret_key() -> str:
    configured = env_str("VIGIE_SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("VIGIE_SECRET_KEY: must be at least 32 characters long")
        return configured
    # Zero set-up: generate a key once and keep it beside the data, readable by its owner only.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    key_file.touch(mode=0o600)
    key_file.write_text(key, encoding="utf-8")
    return key


SECRET_KEY = _secret_key()
# Previous keys, newest first: sessions and stored credentials signed or encrypted with them still
# open during a key rotation (docs/connectors.md).
SECRET_KEY_FALLBACKS = env_list("VIGIE_SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("VIGIE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
BASE_URL = env_str("VIGIE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("VIGIE_CSRF_TRUSTED_ORIGINS", [BASE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "vigie.core",
    "vigie.connectors",
    "vigie.mentions",
    "vigie.inbox",
    "vigie.analysis",
    "vigie.insights",
    "vigie.alerts",
    "vigie.charter",
    "vigie.outreach",
    "vigie.evidence",
    "vigie.privacy",
    "vigie.demo",  # no tables: the `vigie demo` and `vigie demo_spike` commands
]

MIDDLEWARE = [
    "vigie.core.middleware.UntrustedForwardingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "vigie.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vigie.core.middleware.CurrentMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "vigie.urls"
WSGI_APPLICATION = "vigie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vigie.core.context_processors.vigie",
            ],
            "builtins": ["vigie.core.templatetags.vigie_tags", "vigie.connectors.templatetags.platforms"],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'vigie.sqlite3'}")
DATABASES = {"default": parse_database_url("DATABASE_URL", DATABASE_URL, BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 3600

# Login throttling: after LOGIN_SLOWDOWN_AFTER failures each attempt must wait longer; after
# LOGIN_LOCK_AFTER failures the account (and the client address) is locked for LOGIN_LOCK_MINUTES.
LOGIN_SLOWDOWN_AFTER = env_int("VIGIE_LOGIN_SLOWDOWN_AFTER", 3, minimum=1)
LOGIN_LOCK_AFTER = env_int("VIGIE_LOGIN_LOCK_AFTER", 10, minimum=2)
LOGIN_LOCK_MINUTES = env_int("VIGIE_LOGIN_LOCK_MINUTES", 15, minimum=1)

# The reverse proxies in front of Vigie (addresses or CIDR ranges, none by default): a request from
# one of them names its client in X-Forwarded-For (vigie.core.proxies.client_address, read by the
# sign-in throttle and the public pages' rate limit); from anyone else the header
# is ignored, and so is X-Forwarded-Proto once the list is set (a client could write either).
TRUSTED_PROXIES = env_networks("VIGIE_TRUSTED_PROXIES")

HTTPS = env_bool("VIGIE_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("VIGIE_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_NAME = "vigie_session"
CSRF_COOKIE_NAME = "vigie_csrf"
# A refused form says what to do, in the reader's language (Django's page is an English notice).
CSRF_FAILURE_VIEW = "vigie.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
# English dates the British way, 24-hour clock ("2 Dec 2026, 14:05"): vigie/formats/en/formats.py.
FORMAT_MODULE_PATH = ["vigie.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from here after `collectstatic`, finders before
# The project-wide assets (stylesheet, vendored htmx) live in the package, outside any app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serving from the package directory means `vigie serve` works without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# A draft reply from a language model, through an OpenAI-compatible endpoint. Unset: no such button,
# nothing leaves the machine (see docs/agent-guide.md).
LLM_BASE_URL = env_str("VIGIE_LLM_BASE_URL").rstrip("/")
LLM_MODEL = env_str("VIGIE_LLM_MODEL")
LLM_API_KEY = env_str("VIGIE_LLM_API_KEY")

# E-mail: SMTP when VIGIE_EMAIL_HOST is set, otherwise messages are written as files under
# VIGIE_DATA_DIR/mail so a demo's password reset can still be read.
EMAIL_HOST = env_str("VIGIE_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("VIGIE_EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("VIGIE_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env_str("VIGIE_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("VIGIE_EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("VIGIE_EMAIL_USE_SSL", EMAIL_PORT == 465)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("VIGIE_EMAIL_USE_TLS and VIGIE_EMAIL_USE_SSL cannot both be true")
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("VIGIE_DEFAULT_FROM_EMAIL", "Vigie <vigie@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Private channel by e-mail (docs/publishing-and-private-channel.md). Customers answer to
# VIGIE_REPLY_ADDRESS plus-addressed with the thread's token (support+token@example.com); answers
# come back by IMAP polling (when VIGIE_IMAP_HOST is set) or the signed inbound-mail webhook
# (enabled when VIGIE_INBOUND_EMAIL_SECRET is set).
REPLY_ADDRESS = env_str("VIGIE_REPLY_ADDRESS")
INBOUND_EMAIL_SECRET = env_str("VIGIE_INBOUND_EMAIL_SECRET")
IMAP_HOST = env_str("VIGIE_IMAP_HOST")
IMAP_PORT = env_int("VIGIE_IMAP_PORT", 993, minimum=1, maximum=65535)
IMAP_USER = env_str("VIGIE_IMAP_USER")
IMAP_PASSWORD = env_str("VIGIE_IMAP_PASSWORD")
IMAP_FOLDER = env_str("VIGIE_IMAP_FOLDER", "INBOX")
IMAP_SSL = env_bool("VIGIE_IMAP_SSL", True)
IMAP_POLL_SECONDS = env_int("VIGIE_IMAP_POLL_SECONDS", 60, minimum=10)

# Review requests by SMS (docs/outreach.md): an HTTP provider taking {"to", "text"} as JSON.
SMS_URL = env_str("VIGIE_SMS_URL")
SMS_TOKEN = env_str("VIGIE_SMS_TOKEN")
SMS_SENDER = env_str("VIGIE_SMS_SENDER", "Vigie")

# Jobs: unset CELERY_BROKER_URL = embedded mode (in-process scheduler and worker threads).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
JOBS_MODE = "celery" if CELERY_BROKER_URL else "embedded"
JOBS_WORKER_THREADS = env_int("VIGIE_WORKER_THREADS", 2, minimum=1, maximum=64)

LOG_LEVEL = env_choice("VIGIE_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
# "json": one JSON object a line (vigie.core.logs), for log collectors.
LOG_FORMAT = env_choice("VIGIE_LOG_FORMAT", "plain", {"plain", "json"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "vigie.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "waitress.queue": {"level": "ERROR"},
        # httpx logs every request's full address at INFO: some platforms take their key in the
        # query (Tripadvisor's Content API) and secret feed addresses are whole URLs.
        "httpx": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
