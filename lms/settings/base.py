"""Every setting Ruta has, read from the environment; dev/test/production override only what differs.

With nothing configured Ruta runs on SQLite (WAL) with in-process tasks; set ``DATABASE_URL``,
``REDIS_URL`` and ``CELERY_BROKER_URL`` for PostgreSQL, a Redis cache and a real Celery worker.
"""

from pathlib import Path

import environ
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me")
# Former secret keys, newest first (comma-separated), kept for a while after DJANGO_SECRET_KEY is changed: sessions,
# password-reset links and the learner tag of answers kept offline on phones (lms/accounts/selectors.py) made with
# one of them are still accepted; nothing new is signed with them. README «Running it for real».
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Where Ruta is reached from outside (QR codes and e-mails carry absolute links).
RUTA_BASE_URL = env("RUTA_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The package origin (content/packages/origin.py, README "Running it for real"): a second host name that serves
# only SCORM/H5P package files, so that packages run on their own origin (never Ruta's) and can be kept by their
# own service worker for offline play. Empty: package files are served on Ruta's host in an opaque sandbox.
RUTA_PACKAGE_ORIGIN = env("DJANGO_PACKAGE_ORIGIN", default="").rstrip("/")
if RUTA_PACKAGE_ORIGIN:
    from urllib.parse import urlsplit as _urlsplit

    _package_host = (_urlsplit(RUTA_PACKAGE_ORIGIN).hostname or "").lower()
    if _package_host and "*" not in ALLOWED_HOSTS and _package_host not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(_package_host)

INSTALLED_APPS = [
    # Ruta's apps first so their templates override third-party ones.
    "themes",
    "lms.accounts",
    "content",
    "content.packages",
    "courses",
    "courses.cohorts",
    "courses.imports",
    "certification",
    "certification.trainers",
    "certification.competency",
    "certification.textverify",
    "lms.reports",
    "lms.demo",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "lms.apps.RutaWagtailUsersConfig",  # wagtail.users with Ruta's accounts admin (lms/accounts/wagtail_hooks.py)
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    # Django
    "lms.apps.SuperuserAdminConfig",  # django.contrib.admin, for superusers only (lms/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "storages",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (package pages load Ruta's static runtime from their own host): on the package host only
    # package routes answer; on Ruta's host package files go to the package origin (content/packages/origin.py).
    "content.packages.origin.PackageOriginMiddleware",
    # After WhiteNoise (static files need no policy), before everything that renders: sets every page's CSP.
    "lms.csp.RutaCSPMiddleware",
    # Right after the CSP (its 400 page gets the policy), before anything reads the query: NUL → 400 (PostgreSQL
    # text cannot hold it; lms/middleware.py).
    "lms.middleware.NulCharacterMiddleware",
    # Before sessions and routing: public pages already rendered for an anonymous visitor (lms/pagecache.py).
    "lms.pagecache.AnonymousPageCacheMiddleware",
    # The request's Wagtail site from the shared cache (one lookup instead of a query per {% pageurl %}).
    "lms.routing.CachedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication, so it sees every response below it (the learners' cache's too): what a signed-in
    # person gets is «private» for shared caches, and their downloads «private, no-store» (lms/middleware.py).
    "lms.middleware.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: a learner's lesson and «Mis cursos», kept per learner until anything is
    # written (lms/learnercache.py); it also notices every request's database writes.
    "lms.learnercache.LearnerPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# --- Production stack: a database outage answers 503 + Retry-After (the offline queue resends), not 500.
MIDDLEWARE += ["lms.middleware.DatabaseUnavailableMiddleware"]
# --- end production stack

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "themes" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "themes.context_processors.theme",
                "lms.accounts.context_processors.roles",
                "courses.cohorts.context_processors.notices",
            ],
        },
    },
]

# --- Database: SQLite (WAL, busy timeout) unless DATABASE_URL says otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # --- Production stack: an unreachable database fails in seconds (a 503 the phone retries), not after
    # the operating system's TCP timeout of minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=5)
    )
    # --- end production stack
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions: never in one process's memory, so web processes can scale out.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering must not hold every request for minutes (lms/pagecache.py treats an
            # unreachable cache as a miss, or answers 503 where a lock or a limit needs it).
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=1.0),
                "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
            },
            "KEY_PREFIX": "ruta",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ruta_cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# --- Production stack: Celery redelivery (issue #13). Every task is idempotent and acknowledged after it
# runs (acks_late above), so a task whose worker dies (SIGKILL, OOM, a lost machine) is run again. With Redis
# the message comes back only after the visibility timeout: Celery's default is one hour, so a learner would
# wait an hour for a certificate PDF. Keep it above the longest task and the longest retry countdown
# (retry_backoff caps at 600 s); the long package import is acknowledged early instead (courses/imports/tasks.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("RUTA_CELERY_VISIBILITY_TIMEOUT", default=15 * 60)}
CELERY_RESULT_EXPIRES = 24 * 60 * 60
# --- end production stack
# Periodic work for `celery -A lms beat` (production); `manage.py certificate_expiry_reminders` does the same by hand.
CELERY_BEAT_SCHEDULE = {
    "certificate-expiry-reminders": {
        "task": "certification.tasks.certificate_expiry_reminders_send_task",
        "schedule": 24 * 60 * 60,
    },
    "cohort-roster-files-expire": {"task": "courses.cohorts.tasks.roster_import_expire_task", "schedule": 60 * 60},
    "package-refused-uploads-delete": {
        "task": "courses.imports.tasks.package_import_refused_uploads_delete_task",
        "schedule": 24 * 60 * 60,
    },
    "competency-orphan-files-delete": {
        "task": "certification.competency.tasks.competency_orphan_files_delete_task",
        "schedule": 24 * 60 * 60,
    },
    "text-verification-prune": {
        "task": "certification.textverify.tasks.text_messages_prune_task",
        "schedule": 24 * 60 * 60,
    },
}

# --- Files: through Django's storage API; S3-compatible storage is a setting.
# "default" holds only public images (Wagtail originals and renditions) and admin documents; only its
# images/ folder is ever served under MEDIA_URL. "private" holds every uploaded or generated file (packages,
# evidence, rosters, certificates): outside MEDIA_ROOT, never served by the web server, only through views that
# check permission (lms/files.py). See README "Running it for real".
RUTA_PRIVATE_ROOT = Path(env("RUTA_PRIVATE_ROOT", default=str(BASE_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": env("RUTA_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # A base_url no route serves: a private file has no URL (without it FileSystemStorage would use MEDIA_URL).
        "OPTIONS": {"location": str(RUTA_PRIVATE_ROOT), "base_url": "/privado-sin-url/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# --- Production stack: S3-compatible storage for every file alias, so web and worker hosts share no disk.
# Files are private (no public ACL) and only ever reach people through Ruta's permission-checked views or
# short-lived signed URLs. RUTA_PRIVATE_BUCKET keeps packages, PDFs and evidence apart (the "private" alias);
# without it they share the default bucket under the "private/" prefix. Credentials: AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (or an instance role), read by boto3.
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default=None)  # "path" for MinIO and similar
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = 600
    AWS_S3_FILE_OVERWRITE = False  # like the file system: a new name rather than silently replacing a file
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    RUTA_PRIVATE_BUCKET = env("RUTA_PRIVATE_BUCKET", default="")
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RUTA_PRIVATE_BUCKET or AWS_STORAGE_BUCKET_NAME,
            "location": env("RUTA_PRIVATE_LOCATION", default="" if RUTA_PRIVATE_BUCKET else "private"),
            "default_acl": "private",  # never public-read, whatever the bucket's default
            "querystring_auth": True,
            "querystring_expire": 300,  # Ruta streams private files itself; any URL the storage makes is short
            "file_overwrite": False,
        },
    }
# --- end production stack
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("RUTA_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS: list[Path] = []
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("RUTA_MEDIA_ROOT", default=str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # One password hash per attempt, known account or not (lms/accounts/backends.py); it ends the chain.
    "lms.accounts.backends.RutaAuthenticationBackend",
    # Kept so that sessions opened through them stay valid; never asked to check a password.
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "courses:dashboard"  # "Mis cursos"; a ``next`` parameter wins
LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "lms.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email", "phone"}
# No username: it is made from the name. A phone or an e-mail is required (checked by forms.SignupExtraForm).
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1*", "password2*"]
# allauth warns that "username" is a login method but not a sign-up field: on purpose, the username is generated
# from the name at sign-up (and shown to the person), and people may still log in with it.
SILENCED_SYSTEM_CHECKS = ["account.W001"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_PHONE_VERIFICATION_ENABLED = False  # no SMS gateway is assumed; phone is a login identifier
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "lms.accounts.forms.SignupExtraForm"
ACCOUNT_FORMS = {
    "login": "lms.accounts.auth_forms.LoginForm",
    "signup": "lms.accounts.auth_forms.SignupForm",
    "change_password": "lms.accounts.auth_forms.ChangePasswordForm",
}
# --- Production stack: login limits for classrooms behind one address (issue #13). A class of 40 behind
# one NAT logs in within a minute, so the per-address limits are high; failed passwords are limited per
# account (5 in 5 minutes), which is what stops guessing. The client address is REMOTE_ADDR unless
# RUTA_TRUSTED_PROXY_COUNT says how many proxies (load balancer, nginx) append to X-Forwarded-For, or
# RUTA_TRUSTED_CLIENT_IP_HEADER names the one header a proxy sets (e.g. CF-Connecting-IP). Never trust a
# header that no proxy of yours overwrites: anyone could pick their own address.
ACCOUNT_RATE_LIMITS = {
    "login": env("RUTA_LOGIN_RATE", default="300/m/ip"),
    "login_failed": env("RUTA_LOGIN_FAILED_RATE", default="60/m/ip,5/5m/key"),
    "signup": env("RUTA_SIGNUP_RATE", default="60/m/ip"),
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("RUTA_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("RUTA_TRUSTED_CLIENT_IP_HEADER", default=None)
RATELIMIT_IP_META_KEY = "lms.client_ip.client_ip"  # django-ratelimit (wallet, check-in) sees the same address
# --- end production stack
# Country in which a local phone number is read first (Peru, Ecuador and Venezuela formats are all recognised).
RUTA_DEFAULT_PHONE_REGION = env("RUTA_DEFAULT_PHONE_REGION", default="PE")

# --- Internationalisation: Spanish first, English second.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# locale/ first: makemessages writes there; locale_overrides/ = hand-kept Spanish for Wagtail strings it lacks.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True

# --- Wagtail
WAGTAIL_SITE_NAME = "Ruta"
WAGTAILADMIN_BASE_URL = RUTA_BASE_URL
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"png": "webp", "jpeg": "webp", "gif": "webp", "bmp": "webp"}
WAGTAILIMAGES_IMAGE_FORM_BASE = "content.image_forms.RutaImageForm"  # damaged photos: a message, not a 500
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# A Spanish label for the password, and allauth's login limits (ACCOUNT_RATE_LIMITS) on the admin's login too.
WAGTAILADMIN_USER_LOGIN_FORM = "lms.admin_login.RateLimitedAdminLoginForm"

# --- E-mail: console in development; SMTP through EMAIL_URL in production, where without EMAIL_URL nothing is sent
# and nothing of a message is logged (lms/settings/production.py). An empty EMAIL_URL= (in .env) means not set.
vars().update(env.email_url_config(env("EMAIL_URL", default="").strip() or "consolemail://"))
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Ruta <no-responder@ruta.local>")

# --- Security defaults that hold everywhere.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Content-Security-Policy (django-csp; lms/csp.py; the policy and its reasons are in themes/README.md).
# Strict everywhere: scripts and styles only from Ruta's own static files, or inline with this response's nonce
# (`{{ request.csp_nonce }}`); no 'unsafe-inline', no 'unsafe-eval', no style="" attributes. Package files and
# the H5P frame send their own sandbox policy (content/packages/views.py), which this never replaces.
# RUTA_CSP_MEDIA_ORIGINS: extra origins for images, audio and video when files live in S3-compatible storage.
_CSP_MEDIA = ["'self'", *env.list("RUTA_CSP_MEDIA_ORIGINS", default=[])]
RUTA_CSP_REPORT_URL = "/csp-report/"
RUTA_CSP_REPORT_GROUP = "csp"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": _CSP_MEDIA,
        "media-src": _CSP_MEDIA,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # package players: sandboxed frames on /paquetes/ (same origin, opaque inside); with RUTA_PACKAGE_ORIGIN
        # set, lms/csp.py adds that origin (the players and the download helper live there)
        "frame-src": ["'self'"],
        "worker-src": ["'self'"],  # the offline verifier's service worker
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": [RUTA_CSP_REPORT_URL],
        "report-to": RUTA_CSP_REPORT_GROUP,
    },
}
# Wagtail 8's admin still writes a few inline <script>s (date pickers, inline panels) and style="" attributes
# (Draftail, choosers), so under these prefixes only script-src/style-src are relaxed to 'unsafe-inline' (never
# 'unsafe-eval'), and the admin may frame itself (the live preview panel). Everything else stays as above.
RUTA_CSP_ADMIN_PREFIXES = ("/admin/", "/django-admin/")
RUTA_CSP_ADMIN_REPLACE = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "frame-ancestors": ["'self'"],
}
# Wagtail would show staff avatars from gravatar.com (a third-party image, and the e-mail's hash sent to it): off.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# ...and would ask releases.wagtail.org for the latest version from every admin dashboard (connect-src): off;
# upgrades go through pyproject.toml like every other dependency.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The report endpoint: per-IP rate limit, body size cap, and how much of each field reaches the log.
RUTA_CSP_REPORT_RATE = env("RUTA_CSP_REPORT_RATE", default="60/m")
RUTA_CSP_REPORT_MAX_BYTES = 16 * 1024

# --- Ruta's own knobs
RUTA_SMALL_CELL_THRESHOLD = env.int("RUTA_SMALL_CELL_THRESHOLD", default=5)
RUTA_CONSENT_VERSION = env("RUTA_CONSENT_VERSION", default="2026-11")
# Certificate signing (Ed25519): a PEM in the environment, or <kid>.pem files in a folder; see certification/README.md.
RUTA_SIGNING_KEY_PEM = env("RUTA_SIGNING_KEY_PEM", default="")
RUTA_SIGNING_KEYS_DIR = env("RUTA_SIGNING_KEYS_DIR", default=str(BASE_DIR / "keys"))
RUTA_SIGNING_KEYS_AUTOGENERATE = env.bool("RUTA_SIGNING_KEYS_AUTOGENERATE", default=True)
RUTA_VERIFY_RATE = env("RUTA_VERIFY_RATE", default="30/m")
# How long each web process serves a verification answer it just served without asking the shared cache
# (lms/pagecache.py): other processes show a revocation within this time. 0 turns it off; at most 1 s.
RUTA_VERIFY_LOCAL_SECONDS = env.float("RUTA_VERIFY_LOCAL_SECONDS", default=0.5)
# Verification by text message (certification/textverify/README.md): each gateway answers 404 until configured.
RUTA_TWILIO_AUTH_TOKEN = env("RUTA_TWILIO_AUTH_TOKEN", default="")
RUTA_WHATSAPP_APP_SECRET = env("RUTA_WHATSAPP_APP_SECRET", default="")
RUTA_WHATSAPP_VERIFY_TOKEN = env("RUTA_WHATSAPP_VERIFY_TOKEN", default="")
RUTA_WHATSAPP_ACCESS_TOKEN = env("RUTA_WHATSAPP_ACCESS_TOKEN", default="")
RUTA_WHATSAPP_GRAPH_URL = env("RUTA_WHATSAPP_GRAPH_URL", default="https://graph.facebook.com/v21.0")
RUTA_TEXT_VERIFY_RATE = env("RUTA_TEXT_VERIFY_RATE", default="10/h")
RUTA_TEXT_VERIFY_KEEP_DAYS = env.int("RUTA_TEXT_VERIFY_KEEP_DAYS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
    # fontTools reports each font it subsets for a certificate PDF (~7 lines) at INFO, which the Celery worker's
    # --loglevel=INFO (or DJANGO_LOG_LEVEL=INFO) would print for every certificate.
    "loggers": {"fontTools": {"level": "WARNING"}},
}
