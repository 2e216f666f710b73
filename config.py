"""Configuration classes for coop.

Everything secret or specific to a deployment comes from the environment.
`coop.create_app()` picks the class named by ``COOP_CONFIG`` (``development``,
``testing`` or ``production``; development when unset).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def database_url(url: str) -> str:
    """Return *url* with PostgreSQL URLs pointed at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def host_list(value: str) -> list[str]:
    """Return the host names in a comma-separated setting, without blanks."""
    return [host.strip().lower() for host in value.split(",") if host.strip()]


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", ""))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Times are stored in UTC and shown in this zone.
    DISPLAY_TIMEZONE = "Europe/London"

    # Email: without MAIL_SERVER messages go to the outbox table and the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env_flag("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "coop <no-reply@localhost>")
    MAIL_TIMEOUT = 10
    # The outbox is sent this many messages per SMTP session; a message the
    # server could not take waits these many seconds before each new try (the
    # last again and again); a sender that claimed messages and vanished
    # gives them back after MAIL_CLAIM_TIMEOUT seconds.
    MAIL_BATCH_SIZE = 200
    MAIL_RETRY_INTERVALS = [60, 300, 900, 3600]
    MAIL_CLAIM_TIMEOUT = 600
    # The outbox page hides the body of a message whose link lets its reader in.
    OUTBOX_SHOWS_SECRETS = False
    # The site's own address, for links in email sent outside a request
    # (e.g. by `flask tick` closing a round).
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")

    # Redis backs rate limits and the job queue when it is set; without it
    # limits are kept in memory and jobs run inline (coop/services/jobs.py).
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # A failed job is tried again this many times, waiting these many seconds
    # before each retry, then kept a week among the failed jobs.
    JOB_RETRIES = 3
    JOB_RETRY_INTERVALS = [30, 300, 1800]
    JOB_FAILURE_TTL = 7 * 24 * 3600
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 50 per hour")
    # Failed logins to one email address, from anywhere: households sharing a
    # community hall's Wi-Fi share the per-address limit above, so this one is
    # what stops an account's password being guessed.
    LOGIN_RATE_LIMIT_PER_EMAIL = os.environ.get(
        "LOGIN_RATE_LIMIT_PER_EMAIL", "5 per minute; 20 per hour"
    )
    # Registration forms sent in per network address: room for a co-op's
    # launch evening on one hall's Wi-Fi, not for an account factory.
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "20 per hour; 100 per day")
    # Failed password changes per signed-in person: guesses at the current one.
    PASSWORD_CHANGE_RATE_LIMIT = os.environ.get("PASSWORD_CHANGE_RATE_LIMIT", "10 per hour")
    # Reset emails sent to one account, however many addresses ask; more are
    # dropped silently, so the page says the same.
    RESET_EMAIL_RATE_LIMIT_PER_ACCOUNT = os.environ.get(
        "RESET_EMAIL_RATE_LIMIT_PER_ACCOUNT", "3 per hour"
    )
    # Catalogue feed reads per network address, with or without a valid token.
    FEED_RATE_LIMIT = os.environ.get("FEED_RATE_LIMIT", "60 per minute; 1000 per hour")
    # Council reports API requests per token (per network address without a valid one).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "60 per minute")

    # Password hashing (argon2id); the defaults are argon2-cffi's.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    PASSWORD_MIN_LENGTH = 10
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds a reset link stays valid
    REGISTRATION_MAX_AGE = 24 * 60 * 60  # seconds the link that makes an account stays valid
    INVITATION_MAX_AGE_DAYS = 14

    # Catalogue files bigger than this are refused before they are read.
    CATALOGUE_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    # Postcode directory and IoD files a platform admin uploads (the NSPL zip is
    # about 200 MB, its CSV about 1 GB); they wait in PLACES_UPLOAD_DIR (the
    # instance folder's "places" when empty) until their load ends.
    PLACES_UPLOAD_MAX_BYTES = int(os.environ.get("PLACES_UPLOAD_MAX_BYTES", 1536 * 1024 * 1024))
    PLACES_UPLOAD_DIR = os.environ.get("PLACES_UPLOAD_DIR", "")
    # A receipt for the fund's income or spending (a PDF or an image) may be
    # this large. Its form's request body may carry several times that (file
    # parts are spooled to disk), so that a phone's photo over the limit is
    # refused at the receipt's field with the form kept, not by a 413 page.
    RECEIPT_MAX_BYTES = int(os.environ.get("RECEIPT_MAX_BYTES", 5 * 1024 * 1024))
    RECEIPT_BODY_MAX_BYTES = 4 * RECEIPT_MAX_BYTES + 1024 * 1024
    # A confirmed import of more rows than this runs as a job with a progress page.
    IMPORT_JOB_ROWS = 2000
    # Request bodies (coop.web.bodies): an upload may carry that file and a
    # margin; a plain form or JSON body far less; a multipart body's text
    # fields and parts are limited too. Larger bodies get a 413 page unread.
    MAX_CONTENT_LENGTH = CATALOGUE_IMPORT_MAX_BYTES + 1024 * 1024
    MAX_FORM_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    MAX_FORM_PARTS = 100

    # Card payments are off unless these are set.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
    # A platform with Connect: each co-op takes card payments on its own account only.
    STRIPE_CONNECT = _env_flag("STRIPE_CONNECT")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me logged in" lasts this long, and no login outlives it on the
    # server, remembered or not (coop.services.people.logins).
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_ME_DAYS", "30")))

    # What pages may load (coop.web.headers): everything from this site, nothing
    # inline, no plugins, no framing by other sites, forms posting only here.
    # A page that needs more (Stripe.js) adds it with allow_sources.
    CONTENT_SECURITY_POLICY = {
        "default-src": ("'self'",),
        "base-uri": ("'none'",),
        "object-src": ("'none'",),
        "frame-ancestors": ("'none'",),
        "form-action": ("'self'",),
    }
    REFERRER_POLICY = "same-origin"
    # Sent only where the site is served over HTTPS (production).
    STRICT_TRANSPORT_SECURITY = ""

    # Number of reverse proxies in front of the app (X-Forwarded-* trusted).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    @classmethod
    def check(cls) -> None:
        """Refuse to start when a required setting is missing."""


class DevelopmentConfig(Config):
    """Local development: a SQLite file, mail to the outbox, no card payments."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'coop.sqlite'}")
    )
    # With no mail server, the outbox page is how a developer follows a reset or
    # registration link; nobody real is signed up on a development machine.
    OUTBOX_SHOWS_SECRETS = True


class TestingConfig(Config):
    """The test suite: fast hashing, no CSRF by default, a throwaway database."""

    TESTING = True
    SECRET_KEY = "testing-not-secret"
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("COOP_TEST_DATABASE_URL", "sqlite:///:memory:")
    )
    WTF_CSRF_ENABLED = False
    # The test client's own address, so links in email point where its requests go.
    SITE_URL = "http://localhost"
    MAIL_SERVER = ""
    # Jobs run inline unless a test points the app at Redis.
    REDIS_URL = ""
    RATELIMIT_STORAGE_URI = "memory://"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    STRIPE_SECRET_KEY = ""
    STRIPE_PUBLISHABLE_KEY = ""
    STRIPE_WEBHOOK_SECRET = ""
    STRIPE_CONNECT = False


class ProductionConfig(Config):
    """Production: secrets from the environment, secure cookies."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    # Requests for any other host are refused with 400, so a forged Host (or a
    # forwarded host a proxy passes on) never reaches the app. Empty means the
    # host of SITE_URL alone (`coop.create_app` fills it in).
    TRUSTED_HOSTS = host_list(os.environ.get("TRUSTED_HOSTS", ""))
    # A year; not includeSubDomains, since a co-op may share a council's domain.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000"

    @classmethod
    def check(cls) -> None:
        # Every link in email is built from SITE_URL, so without it households
        # would be sent links to the development address.
        required = ("SECRET_KEY", "DATABASE_URL", "SITE_URL")
        missing = [name for name in required if not os.environ.get(name)]
        if missing:
            named = " and ".join(
                [", ".join(missing[:-1]), missing[-1]] if missing[:-1] else missing
            )
            raise RuntimeError(
                f"coop will not start in production without {named}. "
                "Set them in the environment, for example "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'), "
                "DATABASE_URL=postgresql://user:password@host/dbname and "
                "SITE_URL=https://food.example.org."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
