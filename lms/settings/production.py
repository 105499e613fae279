"""Production: no default secret, HTTPS everywhere, PostgreSQL/Redis/worker expected from the environment."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
if RUTA_PACKAGE_ORIGIN:  # noqa: F405
    # A package host of Ruta's own site (as README advises) runs package scripts that could set a cookie for the
    # parent domain ("cookie tossing") and so sign a learner into someone else's account. Only Ruta's own host can
    # set a __Host- cookie (Secure, Path=/, no Domain), so a tossed session cookie is never read.
    SESSION_COOKIE_NAME = "__Host-ruta_session"
    # The same for the language a visitor chose: a tossed language cookie would switch Ruta's pages (and the
    # language a signed-in person's notices are written in) for everyone on that phone.
    LANGUAGE_COOKIE_NAME = "__Host-ruta_language"
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_PATH = "/"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
RUTA_SIGNING_KEYS_AUTOGENERATE = env.bool("RUTA_SIGNING_KEYS_AUTOGENERATE", default=False)
if not env("EMAIL_URL", default="").strip():
    # No e-mail server: send nothing, and never print messages (password-reset links) into the log as the console
    # backend of development would. deploy/release.py warns at start that e-mail is off.
    EMAIL_BACKEND = "lms.settings.mail.NoEmailBackend"
