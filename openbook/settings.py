"""Django settings, all read from the environment through openbook.config."""

import os

from openbook import config

SECRET_KEY = os.environ.get("OPENBOOK_SECRET_KEY", "openbook-development-key-not-for-production")
DEBUG = os.environ.get("OPENBOOK_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("OPENBOOK_ALLOWED_HOSTS", "*").split(",") if host
]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "openbook.store",
    "openbook.apps.OpenbookConfig",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "openbook.web.middleware.GZip",
    "openbook.web.middleware.Cors",
    "openbook.web.middleware.RateLimit",
    "openbook.web.middleware.ApiErrorsAsJson",
    "openbook.web.pages.security.ContentSecurityPolicy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "openbook.web.pages.language.Language",
    "openbook.web.pages.security.FormRateLimit",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Forms' answers not UTF-8, or with NUL, refused (after the CSRF check).
    "openbook.web.pages.form_input.FormInput",
]
# Signed-in publishers (issue 8, item 5): sessions kept in the database, ended after
# OPENBOOK_SESSION_MINUTES idle (every request renews them) and when the browser closes;
# cookies Secure, HttpOnly and SameSite=Lax; the CSRF token travels in each form, not read
# from its cookie by scripts.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = config.session_minutes() * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "openbook_session"
SESSION_COOKIE_SECURE = config.secure_cookies()
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = config.secure_cookies()
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "openbook.web.pages.errors.csrf_failure"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
# The pages: Jinja templates with GOV.UK Frontend's macros (openbook.web.pages.jinja).
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "openbook.web.pages.jinja.environment"},
    }
]
ROOT_URLCONF = "openbook.web.urls"
WSGI_APPLICATION = "openbook.web.wsgi.application"

DATABASES = {"default": config.django_database(config.database_url())}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-gb"

# A multipart form's names and answers read strictly as UTF-8 first
# (openbook.web.pages.form_utf8), then kept as Django's defaults keep them.
FILE_UPLOAD_HANDLERS = [
    "openbook.web.pages.form_utf8.StrictUtf8",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# DATA_UPLOAD_MAX_MEMORY_SIZE does not limit the publish API: it reads its request bodies
# itself, up to OPENBOOK_PUBLISH_MAX_BYTES (openbook.web.publish.requests).
