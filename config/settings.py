"""Settings for the ketamine-claims site. Every knob comes from the environment.

The defaults run a development site on a fresh clone (SQLite, DEBUG on). Production
sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see .env.example.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
    env_bool,
    env_int,
    env_list,
    env_str,
    secret_key_is_strong,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Who publishes the reviews: the site, named as its header names it. The feed and the
# claim pages' structured data credit it as their author.
SITE_NAME = "Ketamine claims, checked"

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"
elif not DEBUG and not secret_key_is_strong(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for DEBUG off: it needs at least "
        f"{SECRET_KEY_MIN_LENGTH} characters, {SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them "
        f"different, and must not start with {SECRET_KEY_INSECURE_PREFIX!r}. Make one with "
        "`python -c 'from django.core.management.utils import get_random_secret_key as k; "
        "print(k())'`."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "reviews.apps.EditorialAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    "django_ratelimit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "corrections",
    "sources",
    "claims",
    "safety",
    "reviews",
    "questions",
    "watching",
    "checks",
    "public",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, as django-cors-headers requires, so its redirects carry CORS.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a flagged sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

# Django's template language for every page: templates/ holds the site-wide ones (base.html,
# the error pages), each app its own. The cached loader is on, as Django sets it by default.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# SQLite on a fresh clone; PostgreSQL (or anything dj-database-url reads) via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Writers queue for SQLite's one write lock instead of failing with "database is
    # locked": each transaction takes the lock when it begins (a transaction that read first
    # could not wait for it without deadlock), and waits up to SQLITE_TIMEOUT seconds.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20, minimum=1),
    }
# A covering index (claims_claim_shown_by_id) is PostgreSQL's alone; SQLite goes without.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root by WhiteNoise: /favicon.ico, which browsers ask for
# before reading a page's icon links.
WHITENOISE_ROOT = BASE_DIR / "static_root"
# The public dataset's downloads (public.datasets), made once per change to the data.
DATASET_DIR = Path(env_str("DATASET_DIR", str(BASE_DIR / "var" / "datasets")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "datasets": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATASET_DIR},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# History is a record, not an undo button: a review's lifecycle only moves forward.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Cache: a folder of files by default, Redis when REDIS_URL is set. Either way every
# process shares it: a change made by a management command or another worker invalidates
# the pages the running site serves (see config/generation.py). An in-memory cache would be
# private to each process and keep serving what another process changed.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ketamine-claims"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000, minimum=100)},
        }
    }
# Besides, each process keeps the public pages it served last in memory, under the site
# generation they were made in (so a change anywhere retires them too; public/caching.py).
CACHES["local-pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "local-pages",
    "OPTIONS": {"MAX_ENTRIES": env_int("LOCAL_PAGE_CACHE_ENTRIES", 200, minimum=1)},
}
# Public pages served to anonymous readers from the cache for up to this long (0: off);
# any change to what they show retires them at once (see public/caching.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600, minimum=0)
# How long each process may go on using the site generation it last read before reading it
# again: a change reaches anonymous readers at most this much later (see config/generation.py).
SITE_GENERATION_LOCAL_SECONDS = env_int("SITE_GENERATION_LOCAL_SECONDS", 1, minimum=0)
# How long a browser, CDN or reverse proxy may keep a public page (Cache-Control max-age),
# and serve it stale while it asks again (stale-while-revalidate).
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 60, minimum=0)
PUBLIC_STALE_WHILE_REVALIDATE = env_int("PUBLIC_STALE_WHILE_REVALIDATE", 300, minimum=0)

# The two-reviewer rule: a claim's review is published only once this many assigned
# reviewers have handed in theirs and agree, or an editor adjudicated their disagreement; an
# editor publishes alone only with a written reason, shown on the claim page. 1 lifts it.
REVIEWERS_REQUIRED = env_int("REVIEWERS_REQUIRED", 2, minimum=1)

# The curated seed corpus that `manage.py load_corpus` reads.
CORPUS_DIR = Path(env_str("CORPUS_DIR", str(BASE_DIR / "corpus")))

# The page check (checks app): how many checks, and how many pages sent to the editors, one
# address may make (django-ratelimit's "count/period"). Counted in the shared cache; without
# Redis (the embedded default, one process) in this process's memory.
CHECK_RATE = env_str("CHECK_RATE", "30/m")
SEND_RATE = env_str("SEND_RATE", "5/h")
# How many reports of an error (corrections) one address may send.
REPORT_RATE = env_str("REPORT_RATE", "5/h")
RATELIMIT_USE_CACHE = "default" if REDIS_URL else "ratelimit"
if not REDIS_URL:
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    # django-ratelimit asks for a cache every process shares; one process shares its own.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

# Where the page check's claim index is kept between processes (claims.claim_index): written
# by `manage.py build_claim_index` (and by the first process that finds none), read by
# every worker. Empty: each process fits its own and keeps it in memory only.
CLAIM_INDEX_PATH = env_str("CLAIM_INDEX_PATH", str(BASE_DIR / "var" / "claim-index.joblib"))

# Background work (config/celery.py). With a broker (Redis in production and CI) tasks go
# to the workers; without one they run in the process that sends them, at once, so the
# embedded default needs nothing but Python. A task is acknowledged only once it has run
# (a worker killed in the middle leaves it to another), is refused back to the queue if its
# worker process dies, and each worker takes one task at a time. A task taken by a worker
# that vanished entirely goes back to the queue after CELERY_VISIBILITY_TIMEOUT seconds (so
# that must exceed the longest task), found by the next sweep of a running worker.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Run at once, a task's retries run at once too; its failure is kept on its result.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress and outcomes are kept in the database
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
    # How often each worker looks for such tasks (seconds; one cheap Redis query).
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 60, minimum=1),
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = "UTC"
# Celery beat: every WATCH_SCHEDULE_SECONDS, queue a check of each watched page that is due,
# spread over that time.
WATCH_SCHEDULE_SECONDS = env_int("WATCH_SCHEDULE_SECONDS", 300, minimum=10)
# And every DATASET_SCHEDULE_SECONDS, export the public dataset if it changed.
DATASET_SCHEDULE_SECONDS = env_int("DATASET_SCHEDULE_SECONDS", 600, minimum=10)
CELERY_BEAT_SCHEDULE = {
    "check-watched-pages": {
        "task": "watching.tasks.watches_check_due_task",
        "schedule": WATCH_SCHEDULE_SECONDS,
    },
    "export-dataset": {
        "task": "public.tasks.dataset_export_task",
        "schedule": DATASET_SCHEDULE_SECONDS,
    },
}

# Fetching watched clinic pages (sources.fetching). The fetcher names itself, obeys each
# site's robots.txt, gives up after the timeouts (seconds: connecting, between two reads,
# the whole download), reads at most FETCH_MAX_BYTES, follows at most FETCH_MAX_REDIRECTS
# redirects, and connects only to public addresses, each checked after DNS resolution.
FETCH_USER_AGENT = env_str(
    "FETCH_USER_AGENT",
    "KetamineClaimsChecker/1.0 (evidence review of clinic pages; obeys robots.txt)",
)
FETCH_CONNECT_TIMEOUT = env_int("FETCH_CONNECT_TIMEOUT", 5, minimum=1)
FETCH_READ_TIMEOUT = env_int("FETCH_READ_TIMEOUT", 10, minimum=1)
FETCH_TOTAL_TIMEOUT = env_int("FETCH_TOTAL_TIMEOUT", 30, minimum=1)
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 2_000_000, minimum=1)
FETCH_MAX_REDIRECTS = env_int("FETCH_MAX_REDIRECTS", 5, minimum=0)
# Loopback addresses (127.0.0.0/8, ::1) are refused like every private one. Only the tests,
# which serve pages from this machine, turn this on; it is not read from the environment.
FETCH_ALLOW_LOOPBACK = False
# Watched pages (watching app): how often a page is fetched again unless its watch says
# otherwise. Each next check is put off by up to a tenth of the wait more, at random, so that
# pages added together are not fetched together.
WATCH_INTERVAL_HOURS = env_int("WATCH_INTERVAL_HOURS", 24, minimum=1)

# Security headers and cookies. Production (DEBUG off) gets the strict values by default.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One policy for every response, with no nonces: anonymous pages are served from a
# full-page cache. Scripts and styles come only from our static files; the claim page's
# JSON-LD is a data block, which browsers never execute, so script-src does not apply.
# The one inline style left is django-simple-history's `style="border-top: 0"` on the
# history page; it is allowed by its hash rather than allowing every inline style.
HISTORY_PAGINATOR_STYLE_HASH = "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_HASHES, HISTORY_PAGINATOR_STYLE_HASH],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# The read API (api app): public data only, so nobody signs in to it (every caller is
# anonymous to it); JSON in and out; every error as {"error": "why"}.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.CappedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.error_response",
}
# The site's own address, for what is made outside a request (the dataset's downloads).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The licence of the site's data (the reviews, the API, the feeds and the downloads).
DATA_LICENSE_URL = env_str("DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
# How many reads one address may make (django-ratelimit's "count/period"); a response the
# page cache serves is not counted.
API_READ_RATE = env_str("API_READ_RATE", "300/m")
# The OpenAPI 3 schema at /api/v1/openapi.json; its documentation page at /api/v1/docs/ is
# Swagger UI from our own static files (the sidecar package), so the strict CSP holds.
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME}: read API",
    "DESCRIPTION": (
        "The published reviews of ketamine-therapy marketing claims, as data: questions, "
        "claims with their quotes, verdicts, GRADE certainty and evidence, the clinics' "
        "documents, the studies, the interventions' safety profiles, and the page check. "
        "Not medical advice."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VerdictEnum": "reviews.models.Verdict",
        "CertaintyEnum": "reviews.models.Certainty",
        "QuestionTopicEnum": "questions.models.Topic",
        "SafetyTopicEnum": "safety.models.SafetyTopic",
    },
}
# CORS: any site's scripts may read the API's GET answers (public data, no credentials).
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# Sign-in throttling (django-axes). The lock holds a username *from one address*: by
# username alone anyone could lock an editor out, by address alone a shared office
# network would lock everyone out. Behind reverse proxies set TRUSTED_PROXIES to how many
# stand in front of the site, so that the address is the client's, read from
# X-Forwarded-For, and not the proxy's, which every client shares (config/client_address.py).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"
# A successful sign-in forgives earlier typos, so they never add up to a lockout.
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# Logs go to stdout, as does the JSON some management commands print: no start-up banner.
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
}
